"""The case totals kept by triggers (migration 6) always equal counting the cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import count, product
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendiass_desktop.domain.cases import CaseFilter, CaseStatus, EhcStage, IssueType, Outcome
from sendiass_desktop.services import cases, store_admin
from sendiass_desktop.services.session import unlock_with_password
from sendiass_desktop.store import case_counts, integrity, migrations
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store.connection import Connection, open_connection, transaction
from sendiass_desktop.store.keywrap import random_key
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, StoreFixture
from tests.support.casework import make_family
from tests.support.schema_versions import undo_migration_6

_refs = count(1)
OFFICERS = ("alice", "bob", "carol")
FILTERS = [CaseFilter(officer=o, status=s)
           for o, s in product((None, *OFFICERS, "nobody"),
                               (None, CaseStatus.OPEN, CaseStatus.CLOSED))]


def counted(conn: Connection, f: CaseFilter) -> int:
    """The count the slow way: the same WHERE clause the case list uses, over the cases."""
    where, params = cases_repo.filter_sql(f)
    return int(conn.execute(f"SELECT count(*) FROM cases c WHERE {where}",  # noqa: S608
                            params).fetchone()[0])


def assert_totals_match(conn: Connection) -> None:
    assert case_counts.mismatches(conn) == 0
    for f in FILTERS:
        assert case_counts.answers(f)
        assert cases_repo.count(conn, f) == counted(conn, f), f


def test_totals_follow_cases_opened_closed_reopened_and_reassigned(
        store: StoreFixture) -> None:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    try:
        conn = session.conn
        assert case_counts.kept(conn)
        assert cases.count_cases(session, CaseFilter()) == 0
        first = make_family(session, officer=OFFICER, surname="Ashdown").case
        second = make_family(session, officer=OFFICER, surname="Brook").case
        make_family(session, officer=ADMIN, surname="Carter")
        assert cases.count_cases(session, CaseFilter(officer=OFFICER)) == 2
        assert cases.count_cases(session, CaseFilter(status=CaseStatus.OPEN)) == 3

        closed = cases.close_case(session, first, date(2026, 10, 1),
                                  frozenset({Outcome.ADVICE_GIVEN}))
        assert cases.count_cases(session, CaseFilter(officer=OFFICER,
                                                     status=CaseStatus.CLOSED)) == 1
        assert_totals_match(conn)

        # Reassigning a closed case moves it between officers' closed totals.
        moved = cases.update_case(session, replace(closed, assigned_officer=ADMIN))
        assert cases.count_cases(session, CaseFilter(officer=ADMIN,
                                                     status=CaseStatus.CLOSED)) == 1
        assert cases.count_cases(session, CaseFilter(officer=OFFICER)) == 1
        assert_totals_match(conn)

        cases.reopen_case(session, moved)
        # An edit that changes neither officer nor closure leaves the totals alone.
        cases.update_case(session, replace(cases.get_case(session, second.ref),
                                           summary="Changed summary"))
        assert cases.count_cases(session, CaseFilter(status=CaseStatus.CLOSED)) == 0
        assert cases.count_cases(session, CaseFilter(status=CaseStatus.OPEN)) == 3
        assert_totals_match(conn)
        # Filters the totals cannot answer are still counted from the cases.
        by_issue = CaseFilter(issue_type=IssueType.EHC_NEEDS_ASSESSMENT)
        assert not case_counts.answers(by_issue)
        assert cases.count_cases(session, by_issue) == 3
        assert integrity.check(conn).ok
    finally:
        session.close()


# Each step: (operation, officer index, case pick, closed?)
_steps = st.lists(st.tuples(st.sampled_from(["insert", "close", "reopen", "reassign",
                                             "delete"]),
                            st.integers(0, len(OFFICERS) - 1), st.integers(0, 1000),
                            st.booleans()),
                  min_size=1, max_size=40)


@pytest.fixture(scope="module")
def bare_store(tmp_path_factory: pytest.TempPathFactory) -> Connection:
    """A store with the latest schema and one person, opened without the services (fast)."""
    conn = open_connection(tmp_path_factory.mktemp("counts") / "s.sendiass", random_key(),
                           create=True)
    migrations.migrate(conn)
    conn.execute("INSERT INTO people (id, ref, given_name, family_name, role, created_at, "
                 "updated_at) VALUES (1, 'P-1', 'Sam', 'Lee', 'parent_carer', '2026-01-01', "
                 "'2026-01-01')")
    return conn


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_steps)
def test_totals_equal_counting_after_any_sequence_of_changes(
        bare_store: Connection, steps: list[tuple[str, int, int, bool]]) -> None:
    conn = bare_store
    with transaction(conn):
        for op, officer_index, pick, closed in steps:
            officer = OFFICERS[officer_index]
            ids = [r[0] for r in conn.execute("SELECT id FROM cases ORDER BY id")]
            if op == "insert" or not ids:
                conn.execute(
                    "INSERT INTO cases (ref, opened_on, closed_on, referral_source, "
                    "primary_person_id, assigned_officer, created_at, updated_at) "
                    "VALUES (?, '2026-01-05', ?, 'self', 1, ?, '2026-01-05', '2026-01-05')",
                    (f"T-{next(_refs)}", "2026-02-01" if closed else None, officer))
                continue
            case_id = ids[pick % len(ids)]
            if op == "close":
                conn.execute("UPDATE cases SET closed_on = '2026-03-01' WHERE id = ?", (case_id,))
            elif op == "reopen":
                conn.execute("UPDATE cases SET closed_on = NULL WHERE id = ?", (case_id,))
            elif op == "reassign":
                conn.execute("UPDATE cases SET assigned_officer = ?, closed_on = ? WHERE id = ?",
                             (officer, "2026-04-01" if closed else None, case_id))
            else:
                conn.execute("DELETE FROM cases WHERE id = ?", (case_id,))
        assert_totals_match(conn)


def test_count_reads_the_totals_for_the_lists_usual_views(tmp_path: Path) -> None:
    conn = open_connection(tmp_path / "s.sendiass", random_key(), create=True)
    migrations.migrate(conn)
    # Totals with no cases behind them: only a count that reads them can say 7.
    conn.execute("INSERT INTO case_counts (officer, all_cases, open_cases) VALUES ('bob', 7, 5)")
    assert cases_repo.count(conn, CaseFilter()) == 7
    assert cases_repo.count(conn, CaseFilter(officer="bob", status=CaseStatus.OPEN)) == 5
    assert cases_repo.count(conn, CaseFilter(status=CaseStatus.CLOSED)) == 2
    assert cases_repo.count(conn, CaseFilter(ehc_stage=next(iter(EhcStage)))) == 0  # counted


@pytest.mark.parametrize("tamper", [
    # A row for an officer with no cases.
    "INSERT INTO case_counts (officer, all_cases, open_cases) VALUES ('nobody', 2, 1)",
    # A wrong row for an officer who has cases.
    "UPDATE case_counts SET open_cases = open_cases + 1 WHERE officer = 'bob'",
    # A missing row for an officer who has cases.
    "DELETE FROM case_counts WHERE officer = 'alice'",
])
def test_totals_out_of_step_are_found_counted_again_and_do_not_stop_a_backup(
        store: StoreFixture, tamper: str, tmp_path: Path) -> None:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    try:
        make_family(session, officer=OFFICER)
        make_family(session, officer=ADMIN, surname="Carter")
        assert integrity.check(session.conn).totals_out_of_step is False
        with transaction(session.conn) as conn:
            conn.execute(tamper)
        assert case_counts.mismatches(session.conn) > 0
        found = integrity.check(session.conn)
        assert found.ok and found.totals_out_of_step  # derived data, not damage
        store_admin.backup(session, tmp_path / "copy.sendiass")  # not refused over it
        report = store_admin.check_store(session)
        assert report.ok and report.notes == [store_admin.TOTALS_RECOUNTED]
        assert_totals_match(session.conn)
        assert store_admin.check_store(session).notes == []
    finally:
        session.close()


def test_totals_hold_when_a_statement_brings_its_own_conflict_clause(tmp_path: Path) -> None:
    """INSERT OR REPLACE / OR FAIL on cases: the outer clause governs the triggers' inserts."""
    conn = open_connection(tmp_path / "s.sendiass", random_key(), create=True)
    migrations.migrate(conn)
    conn.execute("INSERT INTO people (id, ref, given_name, family_name, role, created_at, "
                 "updated_at) VALUES (1, 'P-1', 'Sam', 'Lee', 'parent_carer', '2026-01-01', "
                 "'2026-01-01')")
    insert = ("INTO cases (ref, opened_on, closed_on, referral_source, primary_person_id, "
              "assigned_officer, created_at, updated_at) "
              "VALUES (?, '2026-01-05', ?, 'self', 1, ?, '2026-01-05', '2026-01-05')")
    with transaction(conn):
        for n in range(4):
            conn.execute("INSERT OR FAIL " + insert, (f"R-{n}", None, "bob"))
        conn.execute("INSERT OR ROLLBACK " + insert, ("R-9", "2026-02-01", "alice"))
        # Replaces R-1 (same reference): bob loses an open case, carol gains a closed one.
        conn.execute("INSERT OR REPLACE " + insert, ("R-1", "2026-02-01", "carol"))
        conn.execute("UPDATE OR REPLACE cases SET assigned_officer = 'alice' WHERE ref = 'R-2'")
    assert conn.execute("SELECT officer, all_cases, open_cases FROM case_counts "
                        "WHERE all_cases > 0 ORDER BY officer").fetchall() == [
        ("alice", 2, 1), ("bob", 2, 2), ("carol", 1, 0)]
    assert_totals_match(conn)


def test_a_store_without_totals_is_counted_from_the_cases(store: StoreFixture) -> None:
    """A read-only session does not migrate: on a version 5 store it counts the slow way."""
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    make_family(session, officer=OFFICER)
    make_family(session, officer=ADMIN, surname="Carter")
    with transaction(session.conn) as conn:
        undo_migration_6(conn)
    session.close()
    reader = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD, read_only=True)
    try:
        assert not case_counts.kept(reader.conn)
        assert cases.count_cases(reader, CaseFilter(officer=OFFICER)) == 1
        assert cases.count_cases(reader, CaseFilter(status=CaseStatus.OPEN)) == 2
    finally:
        reader.close()
    # The next writing session adds the totals, counted from the cases.
    writer = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    try:
        assert case_counts.kept(writer.conn)
        assert writer.conn.execute(
            "SELECT officer, all_cases, open_cases FROM case_counts ORDER BY officer"
        ).fetchall() == [(ADMIN, 1, 1), (OFFICER, 1, 1)]
        assert_totals_match(writer.conn)
    finally:
        writer.close()
