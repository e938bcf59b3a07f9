"""Aggregate counts for service statistics, done in SQL (rule 7).

Every function here returns counts keyed by ``(category code, period key)``
and nothing else: no row of a case or note is ever brought into Python, so
the report costs the same memory with 500,000 notes as with 500. The period
key is ``YYYY-MM`` (months) or ``YYYY-Qn`` (calendar quarters) of the date
the row is counted on.

The SQL text is built only from the constant fragments below; dates are
always bound parameters.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import Enum
from typing import Literal

from sendiass_desktop.store.connection import Connection

PeriodBy = Literal["month", "quarter"]
Counts = dict[tuple[str, str], int]

UNKNOWN = "unknown"
NONE_RECORDED = "none_recorded"

# Age bands of the child or young person on the referral date.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("age_0_4", 0, 4),
    ("age_5_10", 5, 10),
    ("age_11_15", 11, 15),
    ("age_16_18", 16, 18),
    ("age_19_25", 19, 25),
)

# School phases by English school year group (Reception = 0), the year group the
# child was in, or would have been in, on the referral date (born 1 September
# to 31 August form one year group). The same boundaries as the demo data.
EARLY_YEARS, PRIMARY, SECONDARY, POST_16, POST_19 = (
    "early_years", "primary", "secondary", "post_16", "post_19")


def _period(expr: str, by: PeriodBy) -> str:
    if by == "month":
        return f"substr({expr}, 1, 7)"
    return f"substr({expr}, 1, 4) || '-Q' || ((CAST(substr({expr}, 6, 2) AS INTEGER) + 2) / 3)"


_REF_DAY = "coalesce(c.referral_date, c.opened_on)"
_DOB = "ch.date_of_birth"
_AGE = (f"(CAST(strftime('%Y', {_REF_DAY}) AS INTEGER) - CAST(strftime('%Y', {_DOB}) AS INTEGER)"
        f" - (strftime('%m-%d', {_REF_DAY}) < strftime('%m-%d', {_DOB})))")
_SCHOOL_YEAR = (
    f"((CAST(strftime('%Y', {_REF_DAY}) AS INTEGER) - (CAST(strftime('%m', {_REF_DAY}) AS INTEGER)"
    f" < 9)) - (CAST(strftime('%Y', {_DOB}) AS INTEGER) - (CAST(strftime('%m', {_DOB}) AS INTEGER)"
    " < 9)) - 5)"
)
_AGE_KNOWN = f"{_DOB} IS NOT NULL AND {_AGE} BETWEEN 0 AND 25"
_AGE_BAND = (
    f"CASE WHEN NOT ({_AGE_KNOWN}) THEN '{UNKNOWN}' "
    + " ".join(f"WHEN {_AGE} <= {high} THEN '{code}'" for code, _low, high in AGE_BANDS)
    + f" ELSE '{UNKNOWN}' END"
)
_PHASE = (
    f"CASE WHEN NOT ({_AGE_KNOWN}) THEN '{UNKNOWN}' "
    f"WHEN {_SCHOOL_YEAR} < 0 THEN '{EARLY_YEARS}' "
    f"WHEN {_SCHOOL_YEAR} <= 6 THEN '{PRIMARY}' "
    f"WHEN {_SCHOOL_YEAR} <= 11 THEN '{SECONDARY}' "
    f"WHEN {_SCHOOL_YEAR} <= 14 THEN '{POST_16}' "
    f"ELSE '{POST_19}' END"
)
_CHILD_JOIN = "LEFT JOIN people ch ON ch.id = c.child_person_id"


class CaseDimension(Enum):
    """What a table of cases is broken down by: (category SQL, joins)."""

    ALL = ("'all'", "")
    REFERRAL_SOURCE = ("c.referral_source", "")
    EHC_STAGE = ("c.ehc_stage", "")
    PRIMARY_ROLE = (f"coalesce(p.role, '{UNKNOWN}')",
                    "LEFT JOIN people p ON p.id = c.primary_person_id")
    AGE_BAND = (_AGE_BAND, _CHILD_JOIN)
    SCHOOL_PHASE = (_PHASE, _CHILD_JOIN)
    # A case with several issue types (or outcomes) counts once under each;
    # a case with none counts once under "none recorded".
    ISSUE_TYPE = (f"coalesce(t.issue_type, '{NONE_RECORDED}')",
                  "LEFT JOIN case_issue_types t ON t.case_id = c.id")
    OUTCOME = (f"coalesce(o.outcome, '{NONE_RECORDED}')",
               "LEFT JOIN case_outcomes o ON o.case_id = c.id")

    @property
    def category_sql(self) -> str:
        return str(self.value[0])

    @property
    def joins(self) -> str:
        return str(self.value[1])


class CaseDate(Enum):
    OPENED = "opened_on"
    CLOSED = "closed_on"


def _collect(conn: Connection, sql: str, params: list[str]) -> Counts:
    return {(str(category), str(period)): int(n)
            for category, period, n in conn.execute(sql, params)}


def count_cases(conn: Connection, dimension: CaseDimension, counted_on: CaseDate, start: date,
                end: date, by: PeriodBy) -> Counts:
    """Cases whose opening (or closing) date falls in ``start``..``end``, by category."""
    column = f"c.{counted_on.value}"
    sql = (f"SELECT {dimension.category_sql}, {_period(column, by)}, count(*) "  # noqa: S608
           f"FROM cases c {dimension.joins} "
           f"WHERE {column} IS NOT NULL AND {column} BETWEEN ? AND ? GROUP BY 1, 2")
    return _collect(conn, sql, [start.isoformat(), end.isoformat()])


def count_notes_by_type(conn: Connection, start: date, end: date, by: PeriodBy) -> Counts:
    """Contacts (case notes not deleted) whose date falls in ``start``..``end``, by type."""
    day = "substr(n.occurred_at, 1, 10)"
    sql = (f"SELECT n.type, {_period(day, by)}, count(*) FROM notes n "  # noqa: S608
           "WHERE n.deleted_at IS NULL AND n.occurred_at >= ? AND n.occurred_at < ? "
           "GROUP BY 1, 2")
    return _collect(conn, sql, [start.isoformat(), (end + timedelta(days=1)).isoformat()])
