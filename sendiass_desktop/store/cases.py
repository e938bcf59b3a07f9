"""Rows of ``cases`` and its child tables <-> ``domain.cases.Case``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sendiass_desktop.domain.cases import (
    Case,
    CaseFilter,
    CaseParty,
    CaseSort,
    CaseStatus,
    CaseSummary,
    EhcStage,
    IssueType,
    Outcome,
    PartyRole,
    ReferralSource,
    format_case_ref,
)
from sendiass_desktop.domain.errors import ConflictError, NotFound
from sendiass_desktop.store import case_counts, counters
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.rows import date_in, date_out, now_iso, required_date

COLUMNS = (
    "id, ref, opened_on, closed_on, referral_date, referral_source, primary_person_id, "
    "child_person_id, school_setting, local_authority, ehc_stage, summary, paper_records, "
    "assigned_officer, legal_hold, version"
)


def _children(conn: Connection, case_id: int) -> dict[str, Any]:
    issues = frozenset(IssueType(r[0]) for r in conn.execute(
        "SELECT issue_type FROM case_issue_types WHERE case_id = ?", (case_id,)))
    outcomes = frozenset(Outcome(r[0]) for r in conn.execute(
        "SELECT outcome FROM case_outcomes WHERE case_id = ?", (case_id,)))
    parties = tuple(CaseParty(r[0], PartyRole(r[1])) for r in conn.execute(
        "SELECT person_id, role FROM case_parties WHERE case_id = ? ORDER BY CASE role "
        "WHEN 'primary' THEN 0 WHEN 'child' THEN 1 WHEN 'other_parent' THEN 2 "
        "WHEN 'professional' THEN 3 ELSE 4 END, person_id",
        (case_id,)))
    officers = frozenset(r[0] for r in conn.execute(
        "SELECT username FROM case_yp_officers WHERE case_id = ?", (case_id,)))
    return {"issue_types": issues, "outcomes": outcomes, "parties": parties,
            "young_person_officers": officers}


def from_row(conn: Connection, row: tuple[Any, ...]) -> Case:
    return Case(
        id=row[0], ref=row[1], opened_on=required_date(row[2]), closed_on=date_in(row[3]),
        referral_date=date_in(row[4]), referral_source=ReferralSource(row[5]),
        primary_person_id=row[6], child_person_id=row[7], school_setting=row[8],
        local_authority=row[9], ehc_stage=EhcStage(row[10]), summary=row[11],
        paper_records=row[12], assigned_officer=row[13], legal_hold=bool(row[14]),
        version=row[15], **_children(conn, row[0]),
    )


def _write_children(conn: Connection, case: Case) -> None:
    case_id = case.id
    for table in ("case_issue_types", "case_outcomes", "case_parties", "case_yp_officers"):
        conn.execute(f"DELETE FROM {table} WHERE case_id = ?", (case_id,))  # noqa: S608
    conn.executemany("INSERT INTO case_issue_types (case_id, issue_type) VALUES (?, ?)",
                     [(case_id, i.value) for i in sorted(case.issue_types, key=lambda i: i.value)])
    conn.executemany("INSERT INTO case_outcomes (case_id, outcome) VALUES (?, ?)",
                     [(case_id, o.value) for o in sorted(case.outcomes, key=lambda o: o.value)])
    conn.executemany("INSERT OR IGNORE INTO case_parties (case_id, person_id, role) "
                     "VALUES (?, ?, ?)",
                     [(case_id, p.person_id, p.role.value) for p in case.parties])
    conn.executemany("INSERT INTO case_yp_officers (case_id, username) VALUES (?, ?)",
                     [(case_id, u) for u in sorted(case.young_person_officers)])


def with_core_parties(case: Case) -> Case:
    """The primary service user and the child always appear among the parties."""
    core = [CaseParty(case.primary_person_id, PartyRole.PRIMARY)]
    if case.child_person_id is not None:
        core.append(CaseParty(case.child_person_id, PartyRole.CHILD))
    others = [p for p in case.parties if p not in core
              and p.role not in (PartyRole.PRIMARY, PartyRole.CHILD)]
    return replace(case, parties=(*core, *others))


def new_ref(conn: Connection, prefix: str, year: int) -> str:
    return format_case_ref(prefix, year, counters.next_value(conn, f"case:{prefix}:{year}"))


def _values(c: Case) -> tuple[Any, ...]:
    return (c.opened_on.isoformat(), date_out(c.closed_on), date_out(c.referral_date),
            c.referral_source.value, c.primary_person_id, c.child_person_id, c.school_setting,
            c.local_authority, c.ehc_stage.value, c.summary, c.paper_records,
            c.assigned_officer, int(c.legal_hold))


def insert(conn: Connection, case: Case) -> Case:
    case = with_core_parties(case)
    now = now_iso()
    cur = conn.execute(
        "INSERT INTO cases (ref, opened_on, closed_on, referral_date, referral_source, "
        "primary_person_id, child_person_id, school_setting, local_authority, ehc_stage, "
        "summary, paper_records, assigned_officer, legal_hold, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (case.ref, *_values(case), now, now),
    )
    saved = replace(case, id=cur.lastrowid, version=1)
    _write_children(conn, saved)
    return saved


def update(conn: Connection, case: Case) -> Case:
    case = with_core_parties(case)
    cur = conn.execute(
        "UPDATE cases SET opened_on = ?, closed_on = ?, referral_date = ?, referral_source = ?, "
        "primary_person_id = ?, child_person_id = ?, school_setting = ?, local_authority = ?, "
        "ehc_stage = ?, summary = ?, paper_records = ?, assigned_officer = ?, legal_hold = ?, "
        "updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        (*_values(case), now_iso(), case.id, case.version),
    )
    if cur.rowcount != 1:
        raise ConflictError("Someone else changed this case first.")
    saved = replace(case, version=case.version + 1)
    _write_children(conn, saved)
    return saved


def get(conn: Connection, case_id: int) -> Case:
    row = conn.execute(f"SELECT {COLUMNS} FROM cases WHERE id = ?",  # noqa: S608
                       (case_id,)).fetchone()
    if row is None:
        raise NotFound("That case is not in the store.")
    return from_row(conn, row)


def by_ref(conn: Connection, ref: str) -> Case:
    row = conn.execute(f"SELECT {COLUMNS} FROM cases WHERE ref = ? COLLATE NOCASE",  # noqa: S608
                       (ref.strip(),)).fetchone()
    if row is None:
        raise NotFound(f"There is no case with reference {ref.strip()[:20]}.")
    return from_row(conn, row)


def current_version(conn: Connection, case_id: int) -> int:
    row = conn.execute("SELECT version FROM cases WHERE id = ?", (case_id,)).fetchone()
    if row is None:
        raise NotFound("That case is not in the store.")
    return int(row[0])


# --- the case list ----------------------------------------------------------------

_SORT_SQL = {
    CaseSort.OPENED_NEWEST: "c.opened_on DESC, c.id DESC",
    CaseSort.OPENED_OLDEST: "c.opened_on ASC, c.id ASC",
    CaseSort.REFERENCE: "c.ref ASC",
    CaseSort.SERVICE_USER: "p.family_name COLLATE NOCASE, p.given_name COLLATE NOCASE, c.id",
    CaseSort.OFFICER: "c.assigned_officer, c.opened_on DESC, c.id DESC",
}

_SAFEGUARDING_OPEN = (
    "EXISTS (SELECT 1 FROM safeguarding_concerns s WHERE s.case_id = c.id AND s.status = 'open')"
)


def filter_sql(f: CaseFilter) -> tuple[str, list[Any]]:
    """WHERE clause (fixed SQL text) and its parameters for a case filter."""
    clauses: list[str] = []
    params: list[Any] = []
    if f.officer:
        clauses.append("c.assigned_officer = ?")
        params.append(f.officer)
    if f.status is CaseStatus.OPEN:
        clauses.append("c.closed_on IS NULL")
    elif f.status is CaseStatus.CLOSED:
        clauses.append("c.closed_on IS NOT NULL")
    if f.issue_type is not None:
        clauses.append("EXISTS (SELECT 1 FROM case_issue_types t WHERE t.case_id = c.id "
                       "AND t.issue_type = ?)")
        params.append(f.issue_type.value)
    if f.opened_from is not None:
        clauses.append("c.opened_on >= ?")
        params.append(f.opened_from.isoformat())
    if f.opened_to is not None:
        clauses.append("c.opened_on <= ?")
        params.append(f.opened_to.isoformat())
    if f.safeguarding_open is True:
        clauses.append(_SAFEGUARDING_OPEN)
    elif f.safeguarding_open is False:
        clauses.append("NOT " + _SAFEGUARDING_OPEN)
    if f.ehc_stage is not None:
        clauses.append("c.ehc_stage = ?")
        params.append(f.ehc_stage.value)
    return (" AND ".join(clauses) or "1"), params


# Built only from constant fragments; values are always bound parameters.
_SUMMARY_SELECT = (
    "SELECT c.id, c.ref, trim(p.given_name || ' ' || p.family_name), "  # noqa: S608
    "coalesce(trim(ch.given_name || ' ' || ch.family_name), ''), c.assigned_officer, "
    f"c.opened_on, c.closed_on, c.ehc_stage, {_SAFEGUARDING_OPEN}, "
    "(SELECT group_concat(issue_type) FROM case_issue_types t WHERE t.case_id = c.id) "
    "FROM cases c JOIN people p ON p.id = c.primary_person_id "
    "LEFT JOIN people ch ON ch.id = c.child_person_id"
)


def _summary(row: tuple[Any, ...]) -> CaseSummary:
    return CaseSummary(
        id=row[0], ref=row[1], primary_name=row[2], child_name=row[3], assigned_officer=row[4],
        opened_on=required_date(row[5]), closed_on=date_in(row[6]), ehc_stage=EhcStage(row[7]),
        safeguarding_open=bool(row[8]),
        issue_types=tuple(IssueType(v) for v in (row[9] or "").split(",") if v),
    )


def count(conn: Connection, f: CaseFilter) -> int:
    if case_counts.answers(f) and case_counts.kept(conn):
        return case_counts.count(conn, f)
    where, params = filter_sql(f)
    return int(conn.execute(f"SELECT count(*) FROM cases c WHERE {where}",  # noqa: S608
                            params).fetchone()[0])


def summaries(conn: Connection, f: CaseFilter, sort: CaseSort, offset: int,
              limit: int) -> list[CaseSummary]:
    where, params = filter_sql(f)
    sql = (f"{_SUMMARY_SELECT} WHERE {where} ORDER BY {_SORT_SQL[sort]} "
           "LIMIT ? OFFSET ?")
    return [_summary(r) for r in conn.execute(sql, [*params, limit, offset])]


def summaries_for_ids(conn: Connection, ids: list[int]) -> dict[int, CaseSummary]:
    out: dict[int, CaseSummary] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"{_SUMMARY_SELECT} WHERE c.id IN ({marks})",
                                chunk):
            s = _summary(row)
            out[s.id] = s
    return out


def has_open_safeguarding(conn: Connection, case_id: int) -> bool:
    row = conn.execute("SELECT count(*) FROM safeguarding_concerns WHERE case_id = ? "
                       "AND status = 'open'", (case_id,)).fetchone()
    return bool(row[0])
