"""Anonymised service statistics (rule 7) end to end, on real SQLCipher stores.

Every check compares the published report with counts worked out here
independently: plain SELECTs of the raw rows, categorised in Python with the
domain's own age and school-year rules (not the store's SQL), and a second
linear-algebra check of the suppression (a null-space test here, and the
unit tests' rank test where the table is small enough for it to be quick).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from sendiass_desktop.cli import EXIT_AUTH, EXIT_OK, EXIT_USAGE, main
from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import Case, EhcStage, IssueType, Outcome, ReferralSource
from sendiass_desktop.domain.deadlines import age_on
from sendiass_desktop.domain.errors import PermissionDenied
from sendiass_desktop.domain.notes import Note, NoteType
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.domain.statistics import (
    PRIMARY_MARK,
    SECONDARY_MARK,
    CellState,
    SuppressedTable,
    with_totals,
)
from sendiass_desktop.services import demo_data, statistics, users
from sendiass_desktop.services.demo_data import phase_for_year, school_year
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.services.statistics import MEASURES, Granularity, period_columns
from sendiass_desktop.store import audit_log
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import notes as notes_repo
from sendiass_desktop.store import people as people_repo
from sendiass_desktop.store.connection import Connection, transaction
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.unit.test_statistics_suppression import determined_hidden_cells

MANAGER, MANAGER_PASSWORD = "dave", "manager of the service"


@pytest.fixture
def team(store: StoreFixture) -> Iterator[dict[str, Session]]:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    users.add_user(admin, MANAGER, Role.MANAGER, password=MANAGER_PASSWORD)
    users.add_user(admin, "ivy", Role.INSPECTOR, password="inspector for a while",
                   expires_at=datetime.now().astimezone() + timedelta(days=2))
    sessions = {
        "admin": admin,
        "manager": unlock_with_password(store.location, MANAGER, MANAGER_PASSWORD),
        "officer": unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD),
        "inspector": unlock_with_password(store.location, "ivy", "inspector for a while"),
    }
    yield sessions
    for s in sessions.values():
        s.close()


# --- independent counts -------------------------------------------------------------------


def _age_band(dob: date | None, on: date) -> str:
    if dob is None or dob > on:
        return "unknown"
    age = age_on(dob, on)
    for code, low, high in (("age_0_4", 0, 4), ("age_5_10", 5, 10), ("age_11_15", 11, 15),
                            ("age_16_18", 16, 18), ("age_19_25", 19, 25)):
        if low <= age <= high:
            return code
    return "unknown"


def _phase(dob: date | None, on: date) -> str:
    if _age_band(dob, on) == "unknown":
        return "unknown"
    assert dob is not None
    return phase_for_year(school_year(dob, on)).value


def python_counts(conn: Connection, start: date, end: date, by: Granularity
                  ) -> dict[str, Counter[tuple[str, int]]]:
    """Per table title: (row label, column index) -> count, from raw rows."""
    columns = period_columns(start, end, by)

    def column(day: date) -> int | None:
        for i, c in enumerate(columns):
            if c.start <= day <= c.end:
                return i
        return None

    labels = {m.title: dict(m.rows) for m in MEASURES}
    out: dict[str, Counter[tuple[str, int]]] = {m.title: Counter() for m in MEASURES}

    def add(title: str, code: str, day: date | None) -> None:
        i = None if day is None else column(day)
        if i is not None:
            out[title][(labels[title].get(code, code), i)] += 1

    issues: dict[int, list[str]] = {}
    for case_id, code in conn.execute("SELECT case_id, issue_type FROM case_issue_types"):
        issues.setdefault(case_id, []).append(code)
    outcomes: dict[int, list[str]] = {}
    for case_id, code in conn.execute("SELECT case_id, outcome FROM case_outcomes"):
        outcomes.setdefault(case_id, []).append(code)
    rows = conn.execute(
        "SELECT c.id, c.opened_on, c.closed_on, c.referral_date, c.referral_source, "
        "c.ehc_stage, p.role, ch.date_of_birth FROM cases c "
        "LEFT JOIN people p ON p.id = c.primary_person_id "
        "LEFT JOIN people ch ON ch.id = c.child_person_id").fetchall()
    for case_id, opened_s, closed_s, referral_s, source, stage, role, dob_s in rows:
        opened = date.fromisoformat(opened_s)
        closed = date.fromisoformat(closed_s) if closed_s else None
        ref_day = date.fromisoformat(referral_s) if referral_s else opened
        dob = date.fromisoformat(dob_s) if dob_s else None
        add("Cases opened", "all", opened)
        add("Cases closed", "all", closed)
        add("Service users by role", role or "unknown", opened)
        add("Age at referral", _age_band(dob, ref_day), opened)
        add("School phase", _phase(dob, ref_day), opened)
        for code in issues.get(case_id) or ["none_recorded"]:
            add("Issue type", code, opened)
        add("EHC stage", stage, opened)
        for code in outcomes.get(case_id) or ["none_recorded"]:
            add("Outcome", code, closed)
        add("Referral source", source, opened)
    for occurred, kind, deleted in conn.execute("SELECT occurred_at, type, deleted_at FROM notes"):
        if deleted is None:
            add("Contacts by type", kind, date.fromisoformat(occurred[:10]))
    return out


def determined_by_null_space(n_rows: int, n_cols: int, hidden: set[tuple[int, int]]
                             ) -> set[tuple[int, int]]:
    """Hidden cells fixed by the published numbers, by a third method.

    Row-reduce the line equations once; a hidden cell is determined exactly
    when every vector of the null space is zero at it (it is a pivot whose
    row has nothing in the free columns).
    """
    unknowns = sorted(hidden)
    index = {cell: i for i, cell in enumerate(unknowns)}
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    m: list[list[Fraction]] = []
    for line in lines:
        *parts, total = line
        row = [Fraction(0)] * len(unknowns)
        for cell in parts:
            if cell in index:
                row[index[cell]] += 1
        if total in index:
            row[index[total]] -= 1
        m.append(row)
    pivots: list[int] = []
    r = 0
    for col in range(len(unknowns)):
        pivot = next((i for i in range(r, len(m)) if m[i][col] != 0), None)
        if pivot is None:
            continue
        m[r], m[pivot] = m[pivot], m[r]
        lead = m[r][col]
        m[r] = [x / lead for x in m[r]]
        for i in range(len(m)):
            if i != r and m[i][col] != 0:
                f = m[i][col]
                m[i] = [a - f * b for a, b in zip(m[i], m[r], strict=True)]
        pivots.append(col)
        r += 1
    free = [c for c in range(len(unknowns)) if c not in pivots]
    return {unknowns[col] for k, col in enumerate(pivots)
            if all(m[k][f] == 0 for f in free)}


def check_published(table: SuppressedTable, counts: Counter[tuple[str, int]],
                    rounded: bool) -> None:
    """The rule-7 invariants, and agreement with the independent counts."""
    n_periods = len(table.column_labels) - 1
    inner = [[counts.get((label, c), 0) for c in range(n_periods)]
             for label in table.row_labels[:-1]]
    assert sum(counts.values()) == sum(map(sum, inner)), "a count fell outside the rows"
    grid = with_totals(inner)
    hidden: set[tuple[int, int]] = set()
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            shown, state = table.cells[r][c], table.states[r][c]
            if 0 < value < 5:
                assert shown == PRIMARY_MARK and state is CellState.PRIMARY
            if state is CellState.SHOWN:
                assert shown.isdigit() and (int(shown) == 0 or int(shown) >= 5)
                if not rounded:
                    assert int(shown) == value  # matches straightforward counting
                else:
                    assert int(shown) == 5 * round(value / 5) and (value == 0) == (shown == "0")
            else:
                assert shown in (PRIMARY_MARK, SECONDARY_MARK)
                hidden.add((r, c))
    assert determined_by_null_space(len(grid), len(grid[0]), hidden) == set()
    if len(hidden) <= 40:  # the unit tests' rank check is slow on big tables
        assert determined_hidden_cells(grid, hidden) == set()


def check_report(report: statistics.StatisticsReport, conn: Connection) -> None:
    expected = python_counts(conn, report.period.start, report.period.end,
                             Granularity(report.period.by))
    assert [t.title for t in report.tables] == [m.title for m in MEASURES]
    for item in report.tables:
        check_published(item.table, expected[item.title], report.rounded)


# --- the published forms ----------------------------------------------------------------------


def csv_cells(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the dashes in the labels
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    for row in rows:
        value = row["value"]
        assert value in (PRIMARY_MARK, SECONDARY_MARK) or (
            value.isdigit() and (int(value) == 0 or int(value) >= 5)), row
    return rows


def assert_csv_is_the_report(data: bytes, report: statistics.StatisticsReport) -> None:
    rows = csv_cells(data)
    expected = [
        {"table": item.title, "row": rl, "column": cl, "value": item.table.cells[r][c]}
        for item in report.tables
        for r, rl in enumerate(item.table.row_labels)
        for c, cl in enumerate(item.table.column_labels)
    ]
    assert rows == expected


FOOTER = re.compile(r"Page \d+")


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(FOOTER.sub("", page.extract_text()) for page in reader.pages)


# A number standing alone, that is not the day of a date ("1 Oct–26 Nov 2026").
NUMBER = re.compile(r"(?<![\w/:.–-])\d+(?![\w/:.–-])"
                    r"(?!\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec))")


def test_the_number_detector_sees_counts_but_not_days() -> None:
    assert NUMBER.findall("Visit 3 <5 12 c\n1 Oct–26 Nov 2026 Age 0–4\nProduced on 2 March") == [
        "3", "5", "12", "2026"]


def assert_pdf_has_no_small_number(data: bytes) -> None:
    text = pdf_text(data)
    for token in NUMBER.findall(text):
        assert int(token) == 0 or int(token) >= 5, token
    assert "Service statistics" in text


# --- on the demo data -------------------------------------------------------------------------


def test_demo_data_report_matches_counts_and_hides_small_ones(team: dict[str, Session]) -> None:
    admin, manager = team["admin"], team["manager"]
    demo_data.generate(admin, cases=300, seed=7)
    today = date.today()
    # Four years by quarter (all the demo data), and the last year by month, rounded.
    quarterly = statistics.run_statistics(manager, date(today.year - 4, today.month, 1), today)
    assert len(quarterly.period.column_labels) == 17
    check_report(quarterly, manager.conn)
    monthly = statistics.run_statistics(manager, today - timedelta(days=364), today,
                                        by=Granularity.MONTH, round_to_5=True)
    check_report(monthly, manager.conn)
    # Something was hidden, and something was shown: the tables are not all "c".
    cells = [s for t in quarterly.tables for row in t.table.states for s in row]
    assert CellState.PRIMARY in cells and CellState.SECONDARY in cells
    assert cells.count(CellState.SHOWN) > len(cells) / 3
    # The grand total of cases opened is the number of demo cases in the period.
    opened = quarterly.table("Cases opened").table
    assert int(opened.cells[-1][-1]) == manager.conn.execute(
        "SELECT count(*) FROM cases WHERE opened_on BETWEEN ? AND ?",
        (quarterly.period.start.isoformat(), today.isoformat())).fetchone()[0]

    before = audit_log.count(manager.conn)
    csv_bytes = statistics.export_csv(manager, quarterly)
    assert_csv_is_the_report(csv_bytes, quarterly)
    pdf = statistics.export_pdf(manager, monthly)
    assert_pdf_has_no_small_number(pdf)
    assert_pdf_has_no_small_number(statistics.export_pdf(manager, quarterly))
    text = pdf_text(pdf)
    for item in monthly.tables:
        assert item.title in text
    exports = [e for e in audit_log.recent(manager.conn, 10) if e.seq > before]
    assert [e.action for e in exports] == [AuditAction.EXPORTED.value] * 3
    assert '"format":"csv"' in exports[-1].detail and '"statistics":true' in exports[-1].detail


def test_each_run_is_audited_with_dates_only(team: dict[str, Session]) -> None:
    manager = team["manager"]
    before = audit_log.count(manager.conn)
    statistics.run_statistics(manager, date(2026, 4, 1), date(2026, 9, 30))
    entry = audit_log.recent(manager.conn, 1)[0]
    assert entry.seq == before + 1 and entry.action == AuditAction.RECORD_READ.value
    assert entry.target_type == "statistics" and entry.actor == MANAGER
    assert entry.detail == ('{"by":"quarter","from":"2026-04-01","rounded":false,'
                            '"statistics":true,"to":"2026-09-30"}')


def test_officers_and_inspectors_are_refused(team: dict[str, Session]) -> None:
    manager = team["manager"]
    report = statistics.run_statistics(manager, date(2026, 1, 1), date(2026, 3, 31))
    for who in ("officer", "inspector"):
        session = team[who]
        with pytest.raises(PermissionDenied):
            statistics.run_statistics(session, date(2026, 1, 1), date(2026, 3, 31))
        with pytest.raises(PermissionDenied):
            statistics.export_csv(session, report)
        with pytest.raises(PermissionDenied):
            statistics.export_pdf(session, report)
    refused = [e for e in audit_log.recent(manager.conn, 20)
               if e.action == AuditAction.PERMISSION_REFUSED.value]
    assert len(refused) == 6 and {e.target_id for e in refused} == {"run_statistics"}


# --- small hand-made datasets -------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    opened: date
    closed: date | None
    source: ReferralSource
    role: PersonRole
    dob: date | None
    issues: frozenset[IssueType]
    outcomes: frozenset[Outcome]
    stage: EhcStage
    notes: tuple[tuple[date, NoteType, bool], ...]  # (day, type, deleted)


def insert(conn: Connection, specs: list[Spec]) -> None:
    """Straight into the store (one transaction), as an import would."""
    with transaction(conn):
        for n, s in enumerate(specs):
            primary = people_repo.insert(conn, Person("", "Pat", f"Family{n}", s.role))
            child = people_repo.insert(conn, Person("", "Sam", f"Family{n}",
                                                    PersonRole.CHILD_YOUNG_PERSON,
                                                    date_of_birth=s.dob))
            assert primary.id is not None and child.id is not None
            case = cases_repo.insert(conn, Case(
                f"SEN-{s.opened.year}-{n + 1:04d}", s.opened, s.source, OFFICER, primary.id,
                child.id, closed_on=s.closed, issue_types=s.issues, outcomes=s.outcomes,
                ehc_stage=s.stage))
            assert case.id is not None
            for day, kind, deleted in s.notes:
                note = notes_repo.insert(conn, Note(case.id, datetime.combine(day, time(9, 30)),
                                                    kind, OFFICER, "A contact."))
                if deleted:
                    notes_repo.set_deleted(conn, note, OFFICER)


def wipe(conn: Connection) -> None:
    with transaction(conn):
        for table in ("notes", "case_issue_types", "case_outcomes", "case_parties", "cases",
                      "people"):
            conn.execute(f"DELETE FROM {table}")  # noqa: S608


START, END = date(2025, 1, 1), date(2025, 12, 31)
days = st.dates(min_value=date(2024, 11, 1), max_value=date(2026, 2, 28))
specs = st.builds(
    Spec,
    opened=days,
    closed=st.none() | days,
    source=st.sampled_from(list(ReferralSource)[:3]),
    role=st.sampled_from([PersonRole.PARENT_CARER, PersonRole.CHILD_YOUNG_PERSON]),
    dob=st.none() | st.dates(min_value=date(1998, 1, 1), max_value=date(2025, 6, 1)),
    issues=st.frozensets(st.sampled_from(list(IssueType)[:4]), max_size=2),
    outcomes=st.frozensets(st.sampled_from(list(Outcome)[:3]), max_size=2),
    stage=st.sampled_from(list(EhcStage)[:3]),
    notes=st.lists(st.tuples(days, st.sampled_from(list(NoteType)[:3]), st.booleans()),
                   max_size=6).map(tuple),
).filter(lambda s: s.closed is None or s.closed >= s.opened)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.lists(specs, max_size=40), by=st.sampled_from(list(Granularity)),
       rounded=st.booleans())
def test_random_small_datasets_end_to_end(team: dict[str, Session], data: list[Spec],
                                          by: Granularity, rounded: bool) -> None:
    manager = team["manager"]
    insert(manager.conn, data)
    try:
        report = statistics.run_statistics(manager, START, END, by=by, round_to_5=rounded)
        check_report(report, manager.conn)
        assert_csv_is_the_report(statistics.export_csv(manager, report), report)
        if by is Granularity.QUARTER:
            assert_pdf_has_no_small_number(statistics.export_pdf(manager, report))
    finally:
        wipe(manager.conn)


def test_three_cases_in_a_quarter_show_nothing_recoverable(team: dict[str, Session]) -> None:
    manager = team["manager"]
    base = Spec(date(2025, 2, 3), None, ReferralSource.SELF, PersonRole.PARENT_CARER,
                date(2014, 5, 5), frozenset({IssueType.EXCLUSION}), frozenset(), EhcStage.NONE,
                ())
    six_schools = [Spec(date(2025, 5, d), None, ReferralSource.SCHOOL, PersonRole.PARENT_CARER,
                        date(2014, 5, 5), frozenset({IssueType.EXCLUSION}), frozenset(),
                        EhcStage.NONE, ()) for d in range(1, 7)]
    insert(manager.conn, [base, base, base, *six_schools])
    report = statistics.run_statistics(manager, date(2025, 1, 1), date(2025, 6, 30))
    check_report(report, manager.conn)
    t = report.table("Referral source").table
    assert t.column_labels == ("Jan–Mar 2025", "Apr–Jun 2025", "Total")
    self_row = t.row_labels.index("Self-referral")
    school_row = t.row_labels.index("School or setting")
    assert t.cells[self_row] == ("<5", "0", "<5")
    assert t.cells[school_row][1] != "6"  # hidden too, or 3 = 9 - 6 would show
    opened = report.table("Cases opened").table
    assert opened.cells[0][0] == "<5" and opened.cells[0][1] != "6"


# --- the command line -----------------------------------------------------------------------


def run(args: list[str], stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = main(args, stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def test_cli_stats_writes_the_suppressed_tables(team: dict[str, Session], store: StoreFixture,
                                                tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    demo_data.generate(team["admin"], cases=120, seed=3)
    for s in team.values():
        s.close()
    out, pdf = tmp_path / "stats.csv", tmp_path / "stats.pdf"
    today = date.today()
    args = ["--store", str(store.path), "--user", MANAGER, "--password-stdin", "stats",
            "--from", f"{today.year - 2}-01-01", "--to", today.isoformat(), "--out", str(out)]
    code, said = run(args, MANAGER_PASSWORD + "\n")
    assert code == EXIT_OK, capsys.readouterr().err
    assert "10 tables" in said
    rows = csv_cells(out.read_bytes())
    assert {r["table"] for r in rows} == {m.title for m in MEASURES}
    assert out.stat().st_mode & 0o077 == 0
    # Refuses to overwrite, and writes nothing.
    code, _ = run(args, MANAGER_PASSWORD + "\n")
    assert code == EXIT_USAGE and "already exists" in capsys.readouterr().err
    out2 = tmp_path / "rounded.csv"
    code, _ = run([*args[:-1], str(out2), "--pdf", str(pdf), "--round", "--by", "month",
                   "--from", f"{today.year - 1}-01-01"], MANAGER_PASSWORD + "\n")
    assert code == EXIT_OK, capsys.readouterr().err
    rounded = csv_cells(out2.read_bytes())
    assert all(r["value"] in ("<5", "c") or int(r["value"]) % 5 == 0 for r in rounded)
    assert_pdf_has_no_small_number(pdf.read_bytes())
    code, _ = run(["--store", str(store.path), "--user", OFFICER, "--password-stdin", "stats",
                   "--from", "2026-01-01", "--to", "2026-03-31", "--out",
                   str(tmp_path / "officer.csv")], OFFICER_PASSWORD + "\n")
    assert code == EXIT_AUTH and not (tmp_path / "officer.csv").exists()
    code, _ = run([*args[:-1], str(tmp_path / "bad.csv"), "--from", "2026-02-30"],
                  MANAGER_PASSWORD + "\n")
    assert code == EXIT_USAGE
