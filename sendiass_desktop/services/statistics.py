"""Anonymised service statistics (rule 7): counted in SQL, suppressed, audited.

``run_statistics(session, start, end)`` builds a ``StatisticsReport``: one
table per measure, rows = categories, columns = the months or calendar
quarters inside the period (the first and last may be part-months or
part-quarters) plus a Total column, and a Total row. Every table goes through
``domain.statistics.suppress`` before it leaves this module, so the report
never holds a count between 1 and 4, nor one that could be worked out from
the totals. Only managers and administrators (``Permission.RUN_STATISTICS``)
may run it; every run and every export is audited with the dates only.

What each table counts (the same words go into the report):

* Cases opened / cases closed: cases whose opening / closing date is in the column.
* Contacts by type: case notes (not deleted) dated in the column.
* Service users by role, age band, school phase, issue type, EHC stage and
  referral source: the cases *opened* in the column, by the primary service
  user's role, by the child or young person's age on the referral date (the
  opening date if none was recorded), and so on. Issue types are multi-valued:
  a case counts once under each of its issue types.
* Outcomes: the cases *closed* in the column, once under each outcome recorded.
* School phase is derived from the child or young person's date of birth: the
  English school year group they were in, or would have been in by age, on
  the referral date (Reception = year 0; early years before Reception,
  primary Reception–Year 6, secondary Years 7–11, post-16 Years 12–14, i.e.
  aged 16–18 on 31 August, post-19 after that). The setting is free text and
  cannot be classified reliably, and a child taught out of year group is
  counted by age. No date of birth, or an age outside 0–25, is "Unknown".
* EHC stage is the stage recorded on the case now: the store keeps no history
  of stages.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import EhcStage, IssueType, Outcome, ReferralSource
from sendiass_desktop.domain.deadlines import add_months
from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.labels import LabelledEnum
from sendiass_desktop.domain.notes import NoteType
from sendiass_desktop.domain.people import PersonRole
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.domain.statistics import suppress
from sendiass_desktop.reports.statistics_pdf import (
    CSV_HEADER,
    ChartBar,
    StatisticsPeriod,
    StatisticsReport,
    StatisticsTable,
    chart_bars,
    render_statistics_csv,
    render_statistics_pdf,
)
from sendiass_desktop.services.access import audit, now, require_read
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import meta
from sendiass_desktop.store import statistics as stats_repo
from sendiass_desktop.store.connection import Connection, DatabaseError, transaction, translate
from sendiass_desktop.store.statistics import CaseDate, CaseDimension, Counts

__all__ = [
    "CSV_HEADER",
    "ChartBar",
    "Granularity",
    "StatisticsPeriod",
    "StatisticsReport",
    "StatisticsTable",
    "chart_bars",
    "export_csv",
    "export_pdf",
    "period_columns",
    "run_statistics",
]

MAX_COLUMNS = 24  # 2 years by month, 6 years by quarter


class Granularity(Enum):
    MONTH = "month"
    QUARTER = "quarter"


_SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                 "Dec")


@dataclass(frozen=True)
class PeriodColumn:
    key: str  # as store.statistics keys periods: YYYY-MM or YYYY-Qn
    start: date  # the part of the bucket inside the report's period
    end: date
    label: str


def _bucket_start(day: date, by: Granularity) -> date:
    month = day.month if by is Granularity.MONTH else 3 * ((day.month - 1) // 3) + 1
    return date(day.year, month, 1)


def _label(first: date, last: date, whole_start: date, whole_end: date) -> str:
    m1, m2 = _SHORT_MONTHS[first.month - 1], _SHORT_MONTHS[last.month - 1]
    if first == whole_start and last == whole_end:
        return m1 + " " + str(first.year) if first.month == last.month else (
            f"{m1}–{m2} {last.year}")
    # A part of a month or quarter: say exactly which days.
    if first.month == last.month:
        return f"{first.day}–{last.day} {m1} {last.year}"
    return f"{first.day} {m1}–{last.day} {m2} {last.year}"


def period_columns(start: date, end: date, by: Granularity) -> list[PeriodColumn]:
    if end < start:
        raise InvalidInput("The end of the period must not be before its start.")
    step = 1 if by is Granularity.MONTH else 3
    columns: list[PeriodColumn] = []
    bucket = _bucket_start(start, by)
    while bucket <= end:
        following = add_months(bucket, step)
        whole_end = date.fromordinal(following.toordinal() - 1)
        first, last = max(bucket, start), min(whole_end, end)
        key = (f"{bucket.year:04d}-{bucket.month:02d}" if by is Granularity.MONTH
               else f"{bucket.year:04d}-Q{(bucket.month - 1) // 3 + 1}")
        columns.append(PeriodColumn(key, first, last, _label(first, last, bucket, whole_end)))
        if len(columns) > MAX_COLUMNS:
            raise InvalidInput(
                f"That period has more than {MAX_COLUMNS} {by.value}s. Choose a shorter "
                "period" + (" or count by quarter." if by is Granularity.MONTH else "."))
        bucket = following
    return columns


# --- categories ----------------------------------------------------------------------

Category = tuple[str, str]  # (stored code, label)


def _enum_rows(enum: type[LabelledEnum]) -> list[Category]:
    return [(m.code, m.label) for m in enum]


_UNKNOWN: Category = (stats_repo.UNKNOWN, "Unknown")
_NONE: Category = (stats_repo.NONE_RECORDED, "None recorded")
_AGE_ROWS: list[Category] = [
    (code, f"Age {low}–{high}") for code, low, high in stats_repo.AGE_BANDS] + [_UNKNOWN]
_PHASE_ROWS: list[Category] = [
    (stats_repo.EARLY_YEARS, "Early years (before Reception)"),
    (stats_repo.PRIMARY, "Primary (Reception to Year 6)"),
    (stats_repo.SECONDARY, "Secondary (Years 7 to 11)"),
    (stats_repo.POST_16, "Post-16 (aged 16 to 18)"),
    (stats_repo.POST_19, "Post-19 (aged 19 to 25)"),
    _UNKNOWN,
]


@dataclass(frozen=True)
class _Measure:
    title: str
    counts_what: str
    rows: list[Category]
    count: Callable[[Connection, date, date, stats_repo.PeriodBy], Counts]


def _cases(dimension: CaseDimension, counted_on: CaseDate
           ) -> Callable[[Connection, date, date, stats_repo.PeriodBy], Counts]:
    def count(conn: Connection, start: date, end: date, by: stats_repo.PeriodBy) -> Counts:
        return stats_repo.count_cases(conn, dimension, counted_on, start, end, by)
    return count


_OPENED = "Cases opened in each column"
MEASURES: tuple[_Measure, ...] = (
    _Measure("Cases opened", "Cases whose opening date falls in each column.",
             [("all", "Cases opened")], _cases(CaseDimension.ALL, CaseDate.OPENED)),
    _Measure("Cases closed", "Cases whose closing date falls in each column.",
             [("all", "Cases closed")], _cases(CaseDimension.ALL, CaseDate.CLOSED)),
    _Measure("Contacts by type", "Case notes (contacts) dated in each column, by type; "
             "deleted notes are not counted.", _enum_rows(NoteType),
             stats_repo.count_notes_by_type),
    _Measure("Service users by role", f"{_OPENED}, by the role of the primary service user.",
             [*_enum_rows(PersonRole), _UNKNOWN],
             _cases(CaseDimension.PRIMARY_ROLE, CaseDate.OPENED)),
    _Measure("Age at referral", f"{_OPENED}, by the child or young person's age on the "
             "referral date (Unknown: no date of birth, or an age outside 0–25).", _AGE_ROWS,
             _cases(CaseDimension.AGE_BAND, CaseDate.OPENED)),
    _Measure("School phase", f"{_OPENED}, by the school phase of the child or young person "
             "on the referral date, worked out from the date of birth (the school year group "
             "for their age).", _PHASE_ROWS,
             _cases(CaseDimension.SCHOOL_PHASE, CaseDate.OPENED)),
    _Measure("Issue type", f"{_OPENED}, by issue type. A case with several issue types is "
             "counted once under each, so the totals count issues rather than cases.",
             [*_enum_rows(IssueType), _NONE],
             _cases(CaseDimension.ISSUE_TYPE, CaseDate.OPENED)),
    _Measure("EHC stage", f"{_OPENED}, by the EHC needs assessment or plan stage recorded on "
             "the case now.", _enum_rows(EhcStage),
             _cases(CaseDimension.EHC_STAGE, CaseDate.OPENED)),
    _Measure("Outcome", "Cases closed in each column, by outcome. A case with several outcomes "
             "is counted once under each, so the totals count outcomes rather than cases.",
             [*_enum_rows(Outcome), _NONE], _cases(CaseDimension.OUTCOME, CaseDate.CLOSED)),
    _Measure("Referral source", f"{_OPENED}, by who referred the family.",
             _enum_rows(ReferralSource), _cases(CaseDimension.REFERRAL_SOURCE, CaseDate.OPENED)),
)


def method_notes(round_to_5: bool) -> tuple[str, ...]:
    notes = [
        "The figures are counts of records in the service's case management system; no "
        "names or other details of any person are included.",
        "A count of one to four is shown as “<5”. A true zero is shown as 0.",
        "Where a hidden count could be worked out from the totals (by subtracting the "
        "other numbers in its row or column, or by combining rows and columns), further "
        "counts are hidden and shown as “c”. Each table, with its totals, is checked by "
        "exact arithmetic so that no hidden count can be recovered from what is shown.",
        "Totals are the true totals, and are hidden in the same way when needed.",
        "Columns at the start or end of the period may cover only part of a month or "
        "quarter; their headings give the exact days.",
    ]
    if round_to_5:
        notes.append("Every number shown, totals included, has been rounded to the nearest "
                     "five, so rows and columns may not add up exactly.")
    return tuple(notes)


# --- running the report ---------------------------------------------------------------


def require_statistics(session: Session) -> None:
    require_read(session)  # signed in, access not expired
    session.require(Permission.RUN_STATISTICS, "run service statistics")


def _grid(rows: list[Category], columns: Sequence[PeriodColumn], counts: Counts
          ) -> tuple[list[list[int]], list[str]]:
    """Counts laid out rows x columns; an unexpected stored code gets a row of its own."""
    known = {code for code, _ in rows}
    extra = sorted({code for code, _ in counts if code not in known})
    all_rows = rows + [(code, code) for code in extra]
    index = {c.key: i for i, c in enumerate(columns)}
    grid = [[0] * len(columns) for _ in all_rows]
    position = {code: i for i, (code, _) in enumerate(all_rows)}
    for (code, period), n in counts.items():
        if period in index:
            grid[position[code]][index[period]] += n
    return grid, [label for _, label in all_rows]


def _audit_detail(report: StatisticsReport) -> dict[str, object]:
    return {"statistics": True, "from": report.period.start.isoformat(),
            "to": report.period.end.isoformat(), "by": report.period.by,
            "rounded": report.rounded}


def run_statistics(session: Session, start: date, end: date, *,
                   by: Granularity = Granularity.QUARTER, round_to_5: bool = False
                   ) -> StatisticsReport:
    """Count, suppress and return every table for ``start``..``end`` (both included)."""
    require_statistics(session)
    columns = period_columns(start, end, by)
    labels = [c.label for c in columns]
    tables: list[StatisticsTable] = []
    with _snapshot(session.conn) as conn:
        for measure in MEASURES:
            counts = measure.count(conn, start, end, "month" if by is Granularity.MONTH
                                   else "quarter")
            grid, row_labels = _grid(measure.rows, columns, counts)
            tables.append(StatisticsTable(measure.title, measure.counts_what,
                                          suppress(grid, row_labels, labels,
                                                   round_to_5=round_to_5)))
        service_name = meta.get(conn, meta.SERVICE_NAME) or ""
    report = StatisticsReport(
        period=StatisticsPeriod(start, end, by.value, tuple(labels)),
        generated_at=now(), tables=tuple(tables), method_notes=method_notes(round_to_5),
        rounded=round_to_5, service_name=service_name,
    )
    with transaction(session.conn) as conn:
        audit(conn, session, AuditAction.RECORD_READ, "statistics", None, _audit_detail(report))
    return report


@contextlib.contextmanager
def _snapshot(conn: Connection) -> Iterator[Connection]:
    """A read transaction: every table counted from the same moment, no write lock held."""
    try:
        conn.execute("BEGIN DEFERRED")
        try:
            yield conn
        finally:
            conn.execute("ROLLBACK")  # nothing was written
    except DatabaseError as exc:
        raise translate(exc) from None


def _export(session: Session, report: StatisticsReport, fmt: str,
            render: Callable[[StatisticsReport], bytes]) -> bytes:
    require_statistics(session)
    data = render(report)
    with transaction(session.conn) as conn:
        audit(conn, session, AuditAction.EXPORTED, "statistics", None,
              {**_audit_detail(report), "format": fmt})
    return data


def export_csv(session: Session, report: StatisticsReport) -> bytes:
    """The suppressed tables as CSV bytes (see ``reports.statistics_pdf``); audited."""
    return _export(session, report, "csv", render_statistics_csv)


def export_pdf(session: Session, report: StatisticsReport) -> bytes:
    """The report as PDF bytes; audited."""
    return _export(session, report, "pdf", render_statistics_pdf)
