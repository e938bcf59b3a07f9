"""The synthetic data generator, on real SQLCipher stores."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from sendiass_desktop.cli import EXIT_AUTH, EXIT_OK, main
from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import EhcStage, PartyRole
from sendiass_desktop.domain.deadlines import age_on
from sendiass_desktop.domain.documents import check_document
from sendiass_desktop.domain.errors import InvalidInput, PermissionDenied
from sendiass_desktop.domain.notes import Confidentiality
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services import deadlines as deadline_service
from sendiass_desktop.services import demo, demo_data, users
from sendiass_desktop.services.cases import open_case_file
from sendiass_desktop.services.demo_data import (
    AGE_BANDS,
    SETTINGS_BY_PHASE,
    DemoSummary,
    phase_for_year,
    school_year,
)
from sendiass_desktop.services.session import Session, StoreLocation, unlock_with_password
from sendiass_desktop.services.setup import create_store
from sendiass_desktop.store import audit_log, documents, notes
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import people as people_repo
from sendiass_desktop.store.kdf import MINIMUM
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture

TODAY = date(2026, 3, 16)  # a fixed anchor: the same data whatever day the tests run


def admin(store: StoreFixture) -> Session:
    return unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)


def rows(session: Session, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return list(session.conn.execute(sql, params).fetchall())


def count(session: Session, table: str) -> int:
    return int(rows(session, f"SELECT count(*) FROM {table}")[0][0])  # noqa: S608


def new_store(folder: Path, service_name: str = "SENDIASS") -> StoreLocation:
    """A store with the same accounts as the ``store`` fixture (alice admin, bob officer)."""
    location = StoreLocation.of(folder / "service.sendiass")
    create_store(location, admin_username=ADMIN, admin_password=ADMIN_PASSWORD,
                 admin_display_name="Alice Admin", service_name=service_name,
                 device_binding=False, kdf_params=MINIMUM)
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    users.add_user(session, OFFICER, Role.OFFICER, password=OFFICER_PASSWORD)
    session.close()
    return location


@pytest.fixture
def generated(store: StoreFixture) -> tuple[StoreFixture, DemoSummary]:
    session = admin(store)
    try:
        summary = demo_data.generate(session, cases=120, seed=7, today=TODAY)
    finally:
        session.close()
    return store, summary


def test_summary_counts_match_the_store(generated: tuple[StoreFixture, DemoSummary]) -> None:
    store, summary = generated
    session = admin(store)
    try:
        assert summary.cases == 120 == count(session, "cases")
        assert summary.people == count(session, "people")
        assert summary.notes == count(session, "notes")
        assert summary.consents == count(session, "consents")
        assert summary.concerns == count(session, "safeguarding_concerns")
        assert summary.documents == count(session, "documents")
        assert summary.deadlines == count(session, "deadlines")
        assert summary.notes >= 2 * summary.cases
        text = summary.describe()
        assert "\n" not in text and "120 synthetic cases" in text
        assert f"{summary.notes:,} notes" in text
        # Exactly one audit entry for the whole run, with the number of cases only.
        imported = [e for e in audit_log.iter_entries(session.conn)
                    if e.action == AuditAction.IMPORTED.value]
        assert len(imported) == 1
        assert imported[0].actor == ADMIN and json.loads(imported[0].detail) == {
            "demo_cases": 120}
        assert audit_log.verify(session.conn)[0] is None
    finally:
        session.close()


def test_references_and_counters(generated: tuple[StoreFixture, DemoSummary]) -> None:
    store, _ = generated
    session = admin(store)
    try:
        refs = [r[0] for r in rows(session, "SELECT ref FROM cases ORDER BY opened_on, id")]
        assert all(re.fullmatch(r"SEN-\d{4}-\d{4}", ref) for ref in refs)
        opened = {r[0]: r[1] for r in rows(session, "SELECT ref, opened_on FROM cases")}
        assert all(ref[4:8] == opened[ref][:4] for ref in refs)  # the year it was opened
        # Numbers run in opening order within each year, so later references are later cases.
        by_year: dict[str, list[int]] = {}
        for ref in refs:
            by_year.setdefault(ref[4:8], []).append(int(ref[9:]))
        for numbers in by_year.values():
            assert numbers == list(range(1, len(numbers) + 1))
        # The counters moved on: a case opened now gets the next number, not a used one.
        from sendiass_desktop.store.connection import transaction

        year = max(by_year)
        with transaction(session.conn) as conn:
            fresh = cases_repo.new_ref(conn, "SEN", int(year))
            person_counter = rows(session, "SELECT value FROM counters WHERE name = 'person'")
        assert int(fresh[9:]) == len(by_year[year]) + 1
        assert person_counter[0][0] == count(session, "people")
    finally:
        session.close()


def test_same_seed_same_data_different_seed_different(tmp_path: Path) -> None:
    def snapshot(location: StoreLocation, seed: int) -> dict[str, list[Any]]:
        session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
        try:
            demo_data.generate(session, cases=40, seed=seed, today=TODAY)
            return {
                "cases": rows(session, "SELECT ref, opened_on, closed_on, assigned_officer, "
                                       "school_setting, ehc_stage, summary FROM cases ORDER BY id"),
                "people": rows(session, "SELECT ref, given_name, family_name, date_of_birth, "
                                        "email, phone, postcode FROM people ORDER BY id"),
                "notes": rows(session, "SELECT case_id, occurred_at, type, author, body, "
                                       "confidentiality, safeguarding, third_parties "
                                       "FROM notes ORDER BY id"),
                "deadlines": rows(session, "SELECT case_id, kind, due_on, owner, done_on "
                                           "FROM deadlines ORDER BY id"),
                "documents": rows(session, "SELECT filename, sha256 FROM documents ORDER BY id"),
            }
        finally:
            session.close()

    first = snapshot(new_store(tmp_path / "a"), seed=11)
    again = snapshot(new_store(tmp_path / "b"), seed=11)
    other = snapshot(new_store(tmp_path / "c"), seed=12)
    assert first == again
    assert first["cases"] and first["notes"]
    assert [c[0] for c in other["cases"]] != [c[0] for c in first["cases"]] or (
        [c[1] for c in other["cases"]] != [c[1] for c in first["cases"]])
    assert [p[1:3] for p in other["people"]] != [p[1:3] for p in first["people"]]
    assert {n[4] for n in other["notes"]} != {n[4] for n in first["notes"]}


def test_dates_are_sane(generated: tuple[StoreFixture, DemoSummary]) -> None:
    store, _ = generated
    session = admin(store)
    try:
        midnight = datetime.combine(TODAY, time.min)
        window_start = TODAY - timedelta(days=4 * 365 + 1)
        for case_id in [r[0] for r in rows(session, "SELECT id FROM cases")]:
            case = cases_repo.get(session.conn, case_id)
            case.validate(TODAY)
            assert window_start <= case.opened_on < TODAY
            assert case.referral_date is not None and case.referral_date <= case.opened_on
            last = case.closed_on or TODAY - timedelta(days=1)
            assert last < TODAY
            if case.closed_on is not None:
                assert case.outcomes, "a closed case records its outcomes"
            else:
                assert not case.outcomes
            case_notes = notes.for_case(session.conn, case_id)
            assert len(case_notes) >= 2
            for note in case_notes:
                assert case.opened_on <= note.occurred_at.date() <= last
                note.validate(midnight)
            assert case_notes[0].occurred_at.date() == case.opened_on
            if case.closed_on is not None:
                assert case_notes[-1].occurred_at.date() == case.closed_on
                assert case_notes[-1].body.startswith("Closing the case.")
            # The child's age and school fit together.
            assert case.child_person_id is not None
            child = people_repo.get(session.conn, case.child_person_id)
            assert child.date_of_birth is not None
            phase = phase_for_year(school_year(child.date_of_birth, case.opened_on))
            low, high = AGE_BANDS[phase]
            assert low <= age_on(child.date_of_birth, case.opened_on) <= high, (phase, case.ref)
            assert 2 <= age_on(child.date_of_birth, case.opened_on) <= 25
            assert case.school_setting in SETTINGS_BY_PHASE[phase]
        for (recorded,) in rows(session, "SELECT recorded_at FROM consents"):
            assert datetime.fromisoformat(recorded) < midnight
        for (raised,) in rows(session, "SELECT raised_on FROM safeguarding_concerns"):
            assert date.fromisoformat(raised) < TODAY
        for (done,) in rows(session, "SELECT done_on FROM deadlines WHERE done_on IS NOT NULL"):
            assert date.fromisoformat(done) < TODAY
        for (dob,) in rows(session, "SELECT date_of_birth FROM people "
                                    "WHERE date_of_birth IS NOT NULL"):
            assert date.fromisoformat(dob) < TODAY
    finally:
        session.close()


def test_every_case_has_its_people_and_a_real_officer(
        generated: tuple[StoreFixture, DemoSummary]) -> None:
    store, _ = generated
    session = admin(store)
    try:
        accounts = {r[0] for r in rows(session, "SELECT username FROM users")}
        officers: Counter[str] = Counter()
        for case_id in [r[0] for r in rows(session, "SELECT id FROM cases")]:
            case = cases_repo.get(session.conn, case_id)
            assert case.assigned_officer in accounts
            officers[case.assigned_officer] += 1
            roles = {p.role for p in case.parties}
            assert PartyRole.PRIMARY in roles and PartyRole.CHILD in roles
            assert case.young_person_officers <= accounts
            found = people_repo.many(session.conn, [p.person_id for p in case.parties])
            assert len(found) == len({p.person_id for p in case.parties})
        assert set(officers) == {ADMIN, OFFICER}  # work is spread across the team
        assert officers[OFFICER] > officers[ADMIN]  # officers carry more cases than the admin
    finally:
        session.close()


def test_work_goes_only_to_active_casework_accounts(tmp_path: Path) -> None:
    location = new_store(tmp_path / "team", service_name="DEMO team")
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    try:
        users.add_user(session, "carol", Role.MANAGER, password="amber kettle meadow")
        users.add_user(session, "dave", Role.OFFICER, password="copper lantern field")
        users.add_user(session, "ivy", Role.INSPECTOR, password="silver harbour gate",
                       expires_at=datetime.now().astimezone() + timedelta(days=7))
        users.disable_user(session, "dave")
        demo_data.generate(session, cases=80, seed=5, today=TODAY)
        assigned = {r[0] for r in rows(session, "SELECT assigned_officer FROM cases")}
        assert assigned == {ADMIN, OFFICER, "carol"}
        owners = {r[0] for r in rows(session, "SELECT owner FROM deadlines")}
        authors = {r[0] for r in rows(session, "SELECT author FROM notes")}
        assert not ({"dave", "ivy"} & (owners | authors))
        for owner in (ADMIN, OFFICER, "carol"):
            overdue, upcoming = deadline_service.my_work(session, on=TODAY, owner=owner)
            assert len(overdue) >= 2 and len(upcoming) >= 4
    finally:
        session.close()


def test_people_are_obviously_fictional(generated: tuple[StoreFixture, DemoSummary]) -> None:
    store, _ = generated
    session = admin(store)
    try:
        ofcom_drama = re.compile(r"07700 900\d{3}|01632 960\d{3}|0(113|161|121) 496 0\d{3}"
                                 r"|020 7946 0\d{3}")
        for email, phone, postcode in rows(session, "SELECT email, phone, postcode FROM people"):
            if email:
                assert email.endswith(("@example.org", "@example.com")), email
            if phone:
                assert ofcom_drama.fullmatch(phone), phone
            if postcode:
                assert re.fullmatch(r"(WM|NF|BK)\d{1,2} \d[A-Z]{2}", postcode), postcode
        bodies = " ".join(r[0] for r in rows(session, "SELECT body FROM notes"))
        assert "lorem" not in bodies.lower() and "ipsum" not in bodies.lower()
        assert "{" not in bodies and "}" not in bodies  # every template slot was filled
        roles = dict(rows(session, "SELECT role, count(*) FROM people GROUP BY role"))
        assert roles["parent_carer"] >= 120 and roles["child_young_person"] == 120
        assert roles.get("professional", 0) >= 1
    finally:
        session.close()


def test_confidential_notes_follow_the_rules(generated: tuple[StoreFixture, DemoSummary]) -> None:
    store, summary = generated
    session = admin(store)
    try:
        kinds: Counter[Confidentiality] = Counter()
        flagged = 0
        for case_id in [r[0] for r in rows(session, "SELECT id FROM cases")]:
            case = cases_repo.get(session.conn, case_id)
            child = people_repo.get(session.conn, case.child_person_id or 0)
            assert child.date_of_birth is not None
            for note in notes.for_case(session.conn, case_id):
                kinds[note.confidentiality] += 1
                if note.confidentiality is Confidentiality.YOUNG_PERSON:
                    # Only for young people of 14+ who work with us, by their officer.
                    assert age_on(child.date_of_birth, case.opened_on) >= 14
                    assert note.author in case.young_person_officers
                if note.safeguarding:
                    flagged += 1
                    assert note.third_parties, "safeguarding notes name who was involved"
            for concern in rows(session, "SELECT id FROM safeguarding_concerns WHERE case_id = ?",
                                case_id):
                links = rows(session, "SELECT n.case_id, n.safeguarding FROM "
                                      "safeguarding_note_links l JOIN notes n ON n.id = l.note_id "
                                      "WHERE l.concern_id = ?", concern[0])
                assert links and all(c == case_id and s == 1 for c, s in links)
        assert kinds[Confidentiality.NORMAL] > 0.8 * summary.notes
        assert kinds[Confidentiality.RESTRICTED] > 0
        assert kinds[Confidentiality.YOUNG_PERSON] > 0
        assert flagged > 0
        states = dict(rows(session, "SELECT status, count(*) FROM safeguarding_concerns "
                                    "GROUP BY status"))
        assert sum(states.values()) == summary.concerns >= 1
        for status, outcome in rows(session, "SELECT status, outcome FROM safeguarding_concerns"):
            assert (status == "closed") == bool(outcome)
    finally:
        session.close()


def test_deadlines_fit_the_case_and_my_work_looks_alive(
        generated: tuple[StoreFixture, DemoSummary]) -> None:
    store, _ = generated
    session = admin(store)
    try:
        stages = dict(rows(session, "SELECT id, ehc_stage FROM cases"))
        closed = {r[0] for r in rows(session, "SELECT id FROM cases WHERE closed_on IS NOT NULL")}
        for case_id, kind, done in rows(session, "SELECT case_id, kind, done_on FROM deadlines"):
            if kind.startswith("ehc_"):
                assert stages[case_id] in {s.value for s in EhcStage} - {"none", "tribunal",
                                                                        "annual_review"}
            if kind == "annual_review":
                assert stages[case_id] == "annual_review"
            if case_id in closed:
                assert done is not None, "a closed case has nothing left to do"
        for owner in (ADMIN, OFFICER):
            overdue, upcoming = deadline_service.my_work(session, on=TODAY, owner=owner)
            assert len(overdue) >= demo_data.MY_WORK_OVERDUE
            assert len(upcoming) >= demo_data.MY_WORK_UPCOMING
            assert all(item.stored.owner == owner for item in overdue + upcoming)
    finally:
        session.close()


def test_documents_are_small_and_of_accepted_kinds(tmp_path: Path) -> None:
    location = new_store(tmp_path / "docs", service_name="DEMO docs")
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    try:
        summary = demo_data.generate(session, cases=400, seed=3, today=TODAY)
        assert summary.documents >= 1
        kinds = set()
        for doc_id, size in rows(session, "SELECT id, size FROM documents"):
            info = documents.get(session.conn, doc_id)
            data = documents.content(session.conn, doc_id)
            assert len(data) == size <= 64 * 1024
            assert check_document(info.filename, data) is info.media_type
            kinds.add(info.media_type)
            if info.note_id is not None:
                assert notes.get(session.conn, info.note_id).case_id == info.case_id
        total = rows(session, "SELECT sum(size) FROM documents")[0][0]
        assert total < 1024 * 1024
        assert len(kinds) >= 2
    finally:
        session.close()


def test_search_index_is_populated(generated: tuple[StoreFixture, DemoSummary]) -> None:
    store, summary = generated
    session = admin(store)
    try:
        indexed = dict(rows(session, "SELECT kind, count(*) FROM search_docs GROUP BY kind"))
        assert indexed == {"person": summary.people, "case": summary.cases,
                           "note": summary.notes}
        child_id, given, family, postcode = rows(
            session, "SELECT id, given_name, family_name, postcode FROM people "
                     "WHERE role = 'child_young_person' ORDER BY id LIMIT 1")[0]

        def match(query: str) -> set[tuple[str, int]]:
            return {(k, e) for k, e in rows(
                session, "SELECT d.kind, d.entity_id FROM search_fts f "
                         "JOIN search_docs d ON d.id = f.rowid WHERE search_fts MATCH ?", query)}

        assert ("person", child_id) in match(f'"{given}" AND "{family}"')
        assert ("person", child_id) in match(f'"{postcode}"')
        note_id, note_body = rows(session, "SELECT id, body FROM notes ORDER BY id LIMIT 1")[0]
        word = max(re.findall(r"[A-Za-z]{6,}", note_body), key=len)
        assert ("note", note_id) in match(f'"{word}"')
        ref = rows(session, "SELECT id, ref FROM cases ORDER BY id LIMIT 1")[0]
        assert ("case", ref[0]) in match(f'title:"{ref[1]}"')
    finally:
        session.close()


def test_search_service_finds_a_generated_family(
        generated: tuple[StoreFixture, DemoSummary]) -> None:
    search = pytest.importorskip("sendiass_desktop.services.search")
    store, _ = generated
    session = admin(store)
    try:
        case_id, given, family = rows(
            session, "SELECT c.id, p.given_name, p.family_name FROM cases c "
                     "JOIN people p ON p.id = c.child_person_id ORDER BY c.id LIMIT 1")[0]
        results = search.search_cases(session, f"{given} {family}")
        assert case_id in {hit.case.id for hit in results.hits}
    finally:
        session.close()


def test_generated_cases_open_through_the_services(
        generated: tuple[StoreFixture, DemoSummary]) -> None:
    store, _ = generated
    officer = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    manager = admin(store)
    try:
        yp_cases = [r[0] for r in rows(manager, "SELECT DISTINCT case_id FROM notes "
                                                "WHERE confidentiality = 'young_person'")]
        assert yp_cases
        for case_id in yp_cases:
            case = cases_repo.get(manager.conn, case_id)
            seen_by_manager = open_case_file(manager, case_id).notes
            seen_by_officer = open_case_file(officer, case_id).notes
            hidden = {n.id for n in seen_by_manager} - {n.id for n in seen_by_officer}
            if OFFICER in case.young_person_officers:
                assert not any(n.confidentiality is Confidentiality.RESTRICTED
                               and n.author != OFFICER for n in seen_by_officer)
            else:
                assert hidden  # rule 3: bob does not see what the young person said in confidence
    finally:
        officer.close()
        manager.close()


def test_refuses_a_real_store_that_already_has_cases(store: StoreFixture) -> None:
    from tests.support.casework import make_family

    session = admin(store)
    try:
        for surname in ("Jones", "Khan", "Nowak"):
            make_family(session, officer=ADMIN, surname=surname)  # real casework
        before = count(session, "cases")
        with pytest.raises(PermissionDenied) as refused:
            demo_data.generate(session, cases=3, seed=2, today=TODAY)
        message = str(refused.value)
        assert "not a demo store" in message and "3 cases" in message
        assert count(session, "cases") == before
        last = audit_log.recent(session.conn, 1)[0]
        assert last.action == AuditAction.PERMISSION_REFUSED.value
    finally:
        session.close()


def test_an_empty_store_given_demo_data_becomes_a_demo_store(store: StoreFixture) -> None:
    session = admin(store)
    try:
        demo_data.generate(session, cases=3, seed=1, today=TODAY)
        assert demo_data.is_demo_store(session.conn)  # labelled DEMO from now on
        demo_data.generate(session, cases=3, seed=2, today=TODAY)
        assert count(session, "cases") == 6
    finally:
        session.close()


def test_demo_store_takes_more_demo_data(tmp_path: Path) -> None:
    location = new_store(tmp_path / "demo", service_name=demo.DEMO_SERVICE_NAME)
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    try:
        first = demo_data.generate(session, cases=10, seed=1, today=TODAY)
        second = demo_data.generate(session, cases=10, seed=2, today=TODAY)
        assert count(session, "cases") == first.cases + second.cases == 20
        assert count(session, "people") == first.people + second.people
        refs = [r[0] for r in rows(session, "SELECT ref FROM cases")]
        assert len(set(refs)) == 20
    finally:
        session.close()


def test_needs_an_administrator_and_a_sensible_number(store: StoreFixture) -> None:
    officer = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    try:
        with pytest.raises(PermissionDenied):
            demo_data.generate(officer, cases=5)
    finally:
        officer.close()
    session = admin(store)
    try:
        for bad in (0, -1, demo_data.MAX_CASES + 1):
            with pytest.raises(InvalidInput):
                demo_data.generate(session, cases=bad)
        assert count(session, "cases") == 0
    finally:
        session.close()


def test_cli_demo_data(tmp_path: Path, memory_keyring: object,
                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "service.sendiass"

    def run(args: list[str], stdin: str) -> tuple[int, str]:
        out = io.StringIO()
        return main(args, stdin=io.StringIO(stdin), stdout=out), out.getvalue()

    code, _ = run(["--store", str(path), "init", "--admin-user", "alice", "--password-stdin",
                   "--recovery-key-out", str(tmp_path / "recovery.txt")], ADMIN_PASSWORD + "\n")
    assert code == EXIT_OK
    code, out = run(["--store", str(path), "--user", "alice", "--password-stdin", "demo-data",
                     "--cases", "50", "--seed", "7"], ADMIN_PASSWORD + "\n")
    assert code == EXIT_OK, capsys.readouterr().err
    assert out.startswith("Added 50 synthetic cases") and out.count("\n") == 1
    session = unlock_with_password(StoreLocation.of(path), ADMIN, ADMIN_PASSWORD)
    try:
        assert count(session, "cases") == 50
    finally:
        session.close()
    capsys.readouterr()
    # The store now holds demo data, so it counts as a demo store: more is welcome.
    code, out = run(["--store", str(path), "--user", "alice", "--password-stdin", "demo-data",
                     "--cases", "5"], ADMIN_PASSWORD + "\n")
    assert code == EXIT_OK and out.startswith("Added 5 synthetic cases")
    # A real store with real cases refuses, in one plain line.
    real = tmp_path / "real.sendiass"
    run(["--store", str(real), "init", "--admin-user", "alice", "--password-stdin",
         "--recovery-key-out", str(tmp_path / "recovery-real.txt")], ADMIN_PASSWORD + "\n")
    session = unlock_with_password(StoreLocation.of(real), ADMIN, ADMIN_PASSWORD)
    try:
        from tests.support.casework import make_family

        make_family(session, officer=ADMIN)
    finally:
        session.close()
    capsys.readouterr()
    code, out = run(["--store", str(real), "--user", "alice", "--password-stdin", "demo-data",
                     "--cases", "5"], ADMIN_PASSWORD + "\n")
    err = capsys.readouterr().err.strip()
    assert code == EXIT_AUTH and out == ""
    assert err.startswith("sendiass-admin: Demo data was not added") and "\n" not in err


def test_ensure_demo_store_is_populated_and_alive(tmp_path: Path) -> None:
    location = demo.ensure_demo_store(StoreLocation.of(tmp_path / "demo" / "demo.sendiass"),
                                      cases=60)
    for account in demo.DEMO_ACCOUNTS:
        session = unlock_with_password(location, account.username, account.password)
        try:
            assert not session.user.must_change_password
            assert count(session, "cases") == 60
        finally:
            session.close()
    officer = demo.DEMO_ACCOUNTS[1]
    session = unlock_with_password(location, officer.username, officer.password)
    try:
        overdue, upcoming = deadline_service.my_work(session)
        assert len(overdue) >= demo_data.MY_WORK_OVERDUE
        assert len(upcoming) >= demo_data.MY_WORK_UPCOMING
        assert all(item.case_ref or item.stored.case_id is None for item in overdue + upcoming)
        mine = rows(session, "SELECT count(*) FROM cases WHERE assigned_officer = ?",
                    officer.username)[0][0]
        assert mine > 0
    finally:
        session.close()
