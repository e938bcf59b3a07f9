"""Inspector access (rule 6): read-only, time-limited, every access logged and reportable.

The seeded family is the SAR tests' one (tests/integration/test_sar.py), with a
young person's confidential note, a restricted note and a document attached
to the young person's note.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sendiass_desktop.domain.audit import AuditAction, AuditEntry
from sendiass_desktop.domain.cases import Case, ReferralSource
from sendiass_desktop.domain.consent import (
    ConsentMethod,
    ConsentRecord,
    ConsentState,
    OverrideGrounds,
    Purpose,
    Recipient,
)
from sendiass_desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from sendiass_desktop.domain.notes import Note, NoteType
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.domain.safeguarding import SafeguardingAction, SafeguardingConcern
from sendiass_desktop.domain.sar import Relationship, SarRequest
from sendiass_desktop.services import (
    case_audit,
    cases,
    consent,
    deadlines,
    disclosure,
    documents,
    escalation,
    inspection,
    notes,
    people,
    safeguarding,
    search,
    store_admin,
    users,
)
from sendiass_desktop.services import legal_requests as legal
from sendiass_desktop.services import sar as sar_service
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.store import audit_log
from sendiass_desktop.store.errors import AccountExpired
from tests.conftest import StoreFixture
from tests.integration import test_sar as base
from tests.integration.test_sar import (
    RESTRICTED_SECRET,
    YP_DOC_SECRET,
    YP_SECRET,
    Seeded,
)

team = base.team
seeded = base.seeded

INSPECTOR, INSPECTOR_PASSWORD = "ivy", "ofsted inspection week"


def make_inspector(admin: Session, store: StoreFixture, until: datetime) -> Session:
    inspection.create_inspector(admin, INSPECTOR, until, display_name="Ivy Inspector",
                                password=INSPECTOR_PASSWORD)
    return unlock_with_password(store.location, INSPECTOR, INSPECTOR_PASSWORD)


@pytest.fixture
def inspector(team: dict[str, Session], store: StoreFixture) -> Iterator[Session]:
    session = make_inspector(team["admin"], store, datetime.now(UTC) + timedelta(days=7))
    yield session
    session.close()


def by(session: Session, actor: str) -> list[AuditEntry]:
    return [e for e in audit_log.iter_entries(session.conn) if e.actor == actor]


# --- the account ------------------------------------------------------------------------------


def test_only_administrators_create_time_limited_inspectors(team: dict[str, Session]) -> None:
    admin, manager = team["admin"], team["manager"]
    soon = datetime.now(UTC) + timedelta(days=3)
    with pytest.raises(PermissionDenied):
        inspection.create_inspector(manager, "ivy", soon)
    with pytest.raises(InvalidInput, match="in the future"):
        inspection.create_inspector(admin, "ivy", datetime.now(UTC) - timedelta(minutes=1))
    with pytest.raises(InvalidInput, match="at most 31 days"):
        inspection.create_inspector(admin, "ivy", datetime.now(UTC) + timedelta(days=32))
    with pytest.raises(InvalidInput, match="end date"):
        users.add_user(admin, "ivy", Role.INSPECTOR)  # the underlying rule
    # A time without a zone is local time; it is stored in UTC.
    local = datetime.now() + timedelta(days=2)
    user, initial = inspection.create_inspector(admin, "ivy", local)
    assert user.role is Role.INSPECTOR and user.must_change_password and initial
    assert user.expires_at is not None and user.expires_at.tzinfo is not None
    assert abs((user.expires_at - local.astimezone()).total_seconds()) < 1
    assert [u.username for u in inspection.inspectors(admin)] == ["ivy"]
    created = [json.loads(e.detail) for e in by(admin, "alice") if e.target_type == "inspection"]
    assert created and "expires_at" in created[0]


def test_an_end_time_without_a_zone_still_lets_the_inspector_sign_in(
        team: dict[str, Session], store: StoreFixture) -> None:
    """Regression: ``users.add_user`` kept a naive end time, and signing in then failed
    comparing it with the (aware) current time."""
    users.add_user(team["admin"], INSPECTOR, Role.INSPECTOR, password=INSPECTOR_PASSWORD,
                   expires_at=datetime.now() + timedelta(days=1))
    session = unlock_with_password(store.location, INSPECTOR, INSPECTOR_PASSWORD)
    try:
        assert session.user.expires_at is not None and session.user.expires_at.tzinfo
    finally:
        session.close()


# --- what an inspector sees --------------------------------------------------------------------


def test_inspector_sees_what_the_service_decides(inspector: Session, seeded: Seeded) -> None:
    s = seeded
    assert s.case_a.id is not None
    shown = {n.id for n in cases.open_case_file(inspector, s.case_a.id).notes}
    expected = {s.notes[k].id for k in ("normal", "named", "safeguarding")}
    assert shown == expected
    assert {n.id for n in notes.notes_for_case(inspector, s.case_a.id)} == expected
    for hidden in ("yp", "restricted"):
        with pytest.raises(NotFound):
            notes.get_note(inspector, s.notes[hidden].id or 0)
    assert notes.get_note(inspector, s.notes["normal"].id or 0).body.startswith("Sarah")
    listed = {d.id for d in documents.documents_for_case(inspector, s.case_a.id)}
    assert s.yp_doc.id not in listed and s.pdf.id in listed
    with pytest.raises(NotFound):
        documents.read_document(inspector, s.yp_doc.id or 0)
    documents.read_document(inspector, s.pdf.id or 0)
    for secret in (YP_SECRET, RESTRICTED_SECRET, YP_DOC_SECRET):
        assert search.search_cases(inspector, secret).hits == ()
    assert [h.case.id for h in search.search_cases(inspector, "assessment").hits] == [
        s.case_a.id]
    # Every page opened is in the audit log under the inspector's name.
    reads = {(e.action, e.target_type) for e in by(inspector, INSPECTOR)}
    assert (AuditAction.RECORD_READ.value, "case") in reads
    assert (AuditAction.RECORD_READ.value, "note") in reads
    assert (AuditAction.RECORD_READ.value, "document") in reads
    assert (AuditAction.SEARCHED.value, "search") in reads


def _counts(session: Session) -> dict[str, int]:
    tables = ("people", "cases", "notes", "consents", "share_overrides",
              "safeguarding_concerns", "documents", "deadlines", "users", "sar_requests",
              "legal_requests", "escalations", "disclosures", "drafts")
    return {t: session.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
            for t in tables}


def test_inspector_can_change_nothing(inspector: Session, seeded: Seeded,
                                      tmp_path: Path) -> None:
    s = seeded
    assert s.case_a.id and s.parent.id
    case_id, parent_id = s.case_a.id, s.parent.id
    before = _counts(inspector)
    case = cases.get_case(inspector, case_id)
    note = notes.get_note(inspector, s.notes["normal"].id or 0)
    attempts: list[tuple[str, Any]] = [
        ("create person", lambda: people.create_person(
            inspector, Person("", "Ian", "Spector", PersonRole.OTHER))),
        ("change person", lambda: people.update_person(inspector, replace(s.parent,
                                                                           given_name="X"))),
        ("create case", lambda: cases.create_case(inspector, Case(
            "", date(2026, 9, 1), ReferralSource.SELF, "bob", parent_id))),
        ("change case", lambda: cases.update_case(inspector, replace(case, summary="X"))),
        ("add note", lambda: notes.add_note(inspector, Note(
            case_id, datetime(2026, 10, 1, 9, 0), NoteType.CALL, "", "Inspector note"))),
        ("edit note", lambda: notes.update_note(inspector, replace(note, body="Changed"))),
        ("delete note", lambda: notes.delete_note(inspector, note)),
        ("save draft", lambda: notes.save_draft(inspector, case_id, None, "draft", {})),
        ("record consent", lambda: consent.record_consent(inspector, ConsentRecord(
            case_id, parent_id, Recipient.HEALTH, Purpose.SHARE_RECORDS, ConsentState.GIVEN,
            datetime.now().replace(microsecond=0), ConsentMethod.VERBAL, ""))),
        ("record override", lambda: consent.record_override(
            inspector, case_id, parent_id, Recipient.HEALTH, Purpose.SHARE_RECORDS,
            OverrideGrounds.SAFEGUARDING, "An inspector must never be able to do this.")),
        ("raise concern", lambda: safeguarding.raise_concern(inspector, SafeguardingConcern(
            case_id, date(2026, 10, 5), "Concern", "dave", SafeguardingAction.MASH))),
        ("add document", lambda: documents.add_document(inspector, case_id, "x.txt", b"x")),
        ("delete document", lambda: documents.delete_document(inspector, s.pdf.id or 0)),
        ("save a copy", lambda: case_audit.record_saved_copy(inspector, s.pdf.id or 0)),
        ("set deadlines", lambda: deadlines.set_ehc_request(inspector, case_id,
                                                            date(2026, 11, 1))),
        ("add task", lambda: deadlines.add_task(inspector, case_id, "Task",
                                                date(2026, 12, 1))),
        ("add user", lambda: users.add_user(inspector, "mallory", Role.ADMIN,
                                            password="long enough password")),
        ("reset password", lambda: users.reset_password(inspector, "bob")),
        ("backup", lambda: store_admin.backup(inspector, tmp_path / "backup")),
        ("new SAR", lambda: sar_service.create_sar(inspector, SarRequest(
            "", parent_id, Relationship.SELF, date.today(), ""))),
        ("extract", lambda: disclosure.prepare_extract(inspector, case_id, Recipient.SCHOOL)),
        ("legal request", lambda: legal.register_legal_request(
            inspector, case_id, "A body", "A basis", "Records", date.today())),
        ("escalation", lambda: escalation.draft_escalation(inspector, case_id, "An issue")),
        ("own report", lambda: inspection.inspection_report(inspector, INSPECTOR)),
    ]
    for what, attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
        assert _counts(inspector) == before, what
    assert not (tmp_path / "backup").exists()
    refused = [e for e in by(inspector, INSPECTOR)
               if e.action == AuditAction.PERMISSION_REFUSED.value]
    assert len(refused) == len(attempts)


# --- expiry -------------------------------------------------------------------------------------


def test_access_ends_by_itself(team: dict[str, Session], store: StoreFixture,
                               seeded: Seeded) -> None:
    """In real time: a session opened before the end is refused after it; signing in
    again is refused too."""
    assert seeded.case_a.id is not None
    until = datetime.now(UTC) + timedelta(seconds=6)
    session = make_inspector(team["admin"], store, until)
    user_end = session.user.expires_at
    assert user_end is not None
    try:
        cases.open_case_file(session, seeded.case_a.id)
        if datetime.now(UTC) >= user_end - timedelta(seconds=1):
            pytest.skip("This machine took too long to sign in to test expiry in real time.")
        time.sleep(max(0.0, (user_end - datetime.now(UTC)).total_seconds()) + 0.3)
        with pytest.raises(PermissionDenied, match="access period has ended"):
            cases.open_case_file(session, seeded.case_a.id)
        with pytest.raises(PermissionDenied, match="access period has ended"):
            search.search_cases(session, "assessment")
    finally:
        session.close()
    with pytest.raises(AccountExpired):
        unlock_with_password(store.location, INSPECTOR, INSPECTOR_PASSWORD)


def test_expiry_is_checked_on_every_call(team: dict[str, Session], store: StoreFixture,
                                         seeded: Seeded,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The same with the clock moved forward, for each kind of read."""
    s = seeded
    assert s.case_a.id is not None
    session = make_inspector(team["admin"], store, datetime.now(UTC) + timedelta(hours=1))
    try:
        cases.open_case_file(session, s.case_a.id)
        class Later(datetime):
            @classmethod
            def now(cls, tz: Any = None) -> Any:
                return datetime.now(tz) + timedelta(hours=2)

        monkeypatch.setattr("sendiass_desktop.services.access.datetime", Later)
        monkeypatch.setattr("sendiass_desktop.services.session._now",
                            lambda: datetime.now(UTC) + timedelta(hours=2))
        for read in (
            lambda: cases.open_case_file(session, s.case_a.id or 0),
            lambda: cases.get_case(session, s.case_a.ref),
            lambda: notes.notes_for_case(session, s.case_a.id or 0),
            lambda: notes.get_note(session, s.notes["normal"].id or 0),
            lambda: documents.read_document(session, s.pdf.id or 0),
            lambda: people.get_person(session, s.parent.ref),
            lambda: search.search_cases(session, "assessment"),
            lambda: consent.consents_for_case(session, s.case_a.id or 0),
        ):
            with pytest.raises(PermissionDenied, match="access period has ended"):
                read()
    finally:
        session.close()
    with pytest.raises(AccountExpired):
        unlock_with_password(store.location, INSPECTOR, INSPECTOR_PASSWORD)
    # Ending an inspection early works too.
    inspection.end_inspection(team["admin"], INSPECTOR)


def test_ending_an_inspection_stops_a_signed_in_inspector_at_once(
        team: dict[str, Session], inspector: Session, seeded: Seeded) -> None:
    case_id = seeded.case_a.id
    assert case_id is not None
    cases.open_case_file(inspector, case_id)  # reading while the inspection runs
    inspection.end_inspection(team["admin"], INSPECTOR)
    for read in (lambda: cases.open_case_file(inspector, case_id),
                 lambda: search.search_cases(inspector, "assessment")):
        with pytest.raises(PermissionDenied, match="access period has ended"):
            read()


# --- the report ----------------------------------------------------------------------------------


def test_inspection_report_and_csv(team: dict[str, Session], inspector: Session,
                                   seeded: Seeded, tmp_path: Path) -> None:
    s = seeded
    assert s.case_a.id is not None
    cases.open_case_file(inspector, s.case_a.id)
    notes.get_note(inspector, s.notes["named"].id or 0)
    documents.read_document(inspector, s.pdf.id or 0)
    people.get_person(inspector, s.child.ref)
    search.search_cases(inspector, "assessment")
    with pytest.raises(PermissionDenied):
        notes.add_note(inspector, Note(s.case_a.id, datetime(2026, 10, 1, 9, 0), NoteType.CALL,
                                       "", "No"))
    with pytest.raises(PermissionDenied):
        inspection.inspection_report(team["officer"], INSPECTOR)
    with pytest.raises(NotFound):
        inspection.inspection_report(team["manager"], "bob")  # not an inspector

    report = inspection.inspection_report(team["manager"], INSPECTOR)
    rows = [(e.action, e.record_type, e.reference) for e in report]
    assert rows[0] == ("Signed in", "", "")
    assert ("Viewed", "Case file", s.case_a.ref) in rows
    assert ("Viewed", "Case note", f"note {s.notes['named'].id} on {s.case_a.ref}") in rows
    assert ("Viewed", "Document", f"document {s.pdf.id} on {s.case_a.ref}") in rows
    assert ("Viewed", "Personal details", s.child.ref) in rows
    assert ("Searched", "Case search", "") in rows
    assert ("Was refused", "Permission", "write_cases") in rows
    assert all(e.who == INSPECTOR for e in report)
    assert any(e.detail == "3 notes shown" for e in report)
    assert [e.seq for e in report] == sorted(e.seq for e in report)
    # Reading the report is audited too.
    assert any(e.target_type == "inspection" and e.action == AuditAction.RECORD_READ.value
               for e in by(team["manager"], "dave"))

    out = inspection.export_inspection_report(team["manager"], INSPECTOR, tmp_path / "ivy.csv")
    table = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert table[0] == ["When", "Who", "Action", "Record type", "Reference", "Detail"]
    assert len(table) == len(report) + 1
    assert ["Viewed", "Case file", s.case_a.ref] in [r[2:5] for r in table]
    text = out.read_text("utf-8-sig")
    assert "Sarah" not in text and "Jones" not in text
    with pytest.raises(InvalidInput, match="already exists"):
        inspection.export_inspection_report(team["manager"], INSPECTOR, tmp_path / "ivy.csv")
    assert any(e.target_type == "inspection" and e.action == AuditAction.EXPORTED.value
               for e in by(team["manager"], "dave"))
