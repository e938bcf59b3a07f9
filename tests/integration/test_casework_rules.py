"""The confidentiality policy, enforced in services (no screen needed)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import CaseFilter
from sendiass_desktop.domain.consent import (
    ConsentMethod,
    ConsentRecord,
    ConsentState,
    OverrideGrounds,
    Purpose,
    Recipient,
    ShareBasis,
)
from sendiass_desktop.domain.errors import EditConflict, InvalidInput, NotFound, PermissionDenied
from sendiass_desktop.domain.notes import Confidentiality
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.domain.safeguarding import SafeguardingAction, SafeguardingConcern
from sendiass_desktop.services import (
    cases,
    consent,
    deadlines,
    documents,
    notes,
    safeguarding,
    users,
)
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.store import audit_log
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.support.casework import Family, add_note, make_family

YP_OFFICER, YP_PASSWORD = "carol", "the young person's officer"
MANAGER, MANAGER_PASSWORD = "dave", "manager of the service"


@pytest.fixture
def team(store: StoreFixture) -> Iterator[dict[str, Session]]:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    users.add_user(admin, YP_OFFICER, Role.OFFICER, password=YP_PASSWORD)
    users.add_user(admin, MANAGER, Role.MANAGER, password=MANAGER_PASSWORD)
    sessions = {
        "admin": admin,
        "parent_officer": unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD),
        "yp_officer": unlock_with_password(store.location, YP_OFFICER, YP_PASSWORD),
        "manager": unlock_with_password(store.location, MANAGER, MANAGER_PASSWORD),
    }
    yield sessions
    for s in sessions.values():
        s.close()


@pytest.fixture
def family(team: dict[str, Session]) -> Family:
    return make_family(team["parent_officer"], officer=OFFICER,
                       yp_officers=frozenset({YP_OFFICER}))


def bodies(session: Session, family: Family) -> set[str]:
    assert family.case.id is not None
    return {n.body for n in cases.open_case_file(session, family.case.id).notes}


# --- rule 3: young-person confidential, and restricted notes -------------------------


def test_young_person_note_is_absent_from_the_parents_side(team: dict[str, Session],
                                                           family: Family) -> None:
    add_note(team["parent_officer"], family.case, "Mum worried about the annual review")
    secret = add_note(team["yp_officer"], family.case, "Tom says he is being bullied and "
                      "does not want mum told", Confidentiality.YOUNG_PERSON)
    assert bodies(team["parent_officer"], family) == {"Mum worried about the annual review"}
    assert secret.body in bodies(team["yp_officer"], family)
    assert secret.body in bodies(team["manager"], family)
    assert family.case.id is not None
    assert secret.body not in {n.body for n in notes.notes_for_case(team["parent_officer"],
                                                                   family.case.id)}
    assert secret.id is not None
    with pytest.raises(NotFound):
        notes.get_note(team["parent_officer"], secret.id)


def test_restricted_note_is_for_author_and_managers_only(team: dict[str, Session],
                                                         family: Family) -> None:
    restricted = add_note(team["parent_officer"], family.case, "Restricted: allegation about "
                          "a staff member", Confidentiality.RESTRICTED)
    assert restricted.body in bodies(team["parent_officer"], family)
    assert restricted.body in bodies(team["manager"], family)
    assert restricted.body not in bodies(team["yp_officer"], family)


def test_officer_cannot_edit_or_delete_someone_elses_note(team: dict[str, Session],
                                                          family: Family) -> None:
    note = add_note(team["yp_officer"], family.case, "Called the SENCO")
    with pytest.raises(PermissionDenied):
        notes.update_note(team["parent_officer"], replace(note, body="changed"))
    with pytest.raises(PermissionDenied):
        notes.delete_note(team["parent_officer"], note)
    edited = notes.update_note(team["manager"], replace(note, body="Called the SENCO (edited)"))
    assert edited.version == note.version + 1


# --- optimistic concurrency: nothing silently overwritten ---------------------------


def test_conflicting_edit_keeps_both_versions_and_a_draft(team: dict[str, Session],
                                                          family: Family) -> None:
    note = add_note(team["parent_officer"], family.case, "First version")
    notes.update_note(team["manager"], replace(note, body="Manager's correction"))
    with pytest.raises(EditConflict) as caught:
        notes.update_note(team["parent_officer"], replace(note, body="Officer's late edit"))
    assert caught.value.mine.body == "Officer's late edit"  # type: ignore[attr-defined]
    assert caught.value.theirs.body == "Manager's correction"  # type: ignore[attr-defined]
    assert family.case.id is not None and note.id is not None
    draft = notes.load_draft(team["parent_officer"], family.case.id, note.id)
    assert draft is not None and draft.body == "Officer's late edit"
    assert notes.get_note(team["parent_officer"], note.id).body == "Manager's correction"


def test_conflicting_case_update_is_refused(team: dict[str, Session], family: Family) -> None:
    cases.update_case(team["manager"], replace(family.case, summary="Manager summary"))
    with pytest.raises(EditConflict):
        cases.update_case(team["parent_officer"], replace(family.case, summary="Officer summary"))
    assert family.case.id is not None
    assert cases.get_case(team["admin"], family.case.id).summary == "Manager summary"


def test_soft_delete_and_undo_are_audited(team: dict[str, Session], family: Family) -> None:
    s = team["parent_officer"]
    note = add_note(s, family.case, "Typo note")
    deleted = notes.delete_note(s, note)
    assert "Typo note" not in bodies(s, family)
    notes.undo_delete_note(s, deleted)
    assert "Typo note" in bodies(s, family)
    actions = [(e.action, e.target_id) for e in audit_log.iter_entries(s.conn)]
    assert (AuditAction.RECORD_DELETED.value, str(note.id)) in actions
    assert (AuditAction.RECORD_RESTORED.value, str(note.id)) in actions


# --- rule 10: every read and write audited ------------------------------------------


def test_reads_and_writes_are_audited(team: dict[str, Session], family: Family) -> None:
    s = team["parent_officer"]
    note = add_note(s, family.case, "Audit me")
    assert family.case.id is not None
    cases.open_case_file(s, family.case.id)
    entries = [(e.actor, e.action, e.target_type, e.target_id)
               for e in audit_log.iter_entries(s.conn)]
    assert (OFFICER, AuditAction.RECORD_CREATED.value, "case", str(family.case.id)) in entries
    assert (OFFICER, AuditAction.RECORD_CREATED.value, "note", str(note.id)) in entries
    assert (OFFICER, AuditAction.RECORD_READ.value, "case", str(family.case.id)) in entries
    assert all("Audit me" not in e.detail for e in audit_log.iter_entries(s.conn))


# --- rule 1: consent gating -----------------------------------------------------------


def give(session: Session, family: Family, recipient: Recipient = Recipient.SCHOOL,
         at: datetime | None = None, expires: date | None = None) -> ConsentRecord:
    assert family.case.id is not None and family.parent.id is not None
    return consent.record_consent(session, ConsentRecord(
        family.case.id, family.parent.id, recipient, Purpose.SHARE_RECORDS, ConsentState.GIVEN,
        at or datetime.now() - timedelta(days=1), ConsentMethod.WRITTEN, "", expires_on=expires,
    ))


def decision(session: Session, family: Family, recipient: Recipient = Recipient.SCHOOL,
             at: datetime | None = None):  # type: ignore[no-untyped-def]
    assert family.case.id is not None and family.parent.id is not None
    return consent.can_share(session, family.case.id, family.parent.id, recipient,
                             Purpose.SHARE_RECORDS, at=at)


def test_no_consent_means_no_sharing_with_a_reason(team: dict[str, Session],
                                                   family: Family) -> None:
    d = decision(team["parent_officer"], family)
    assert not d.allowed and "No consent" in d.reason
    assert family.case.id is not None and family.parent.id is not None
    with pytest.raises(PermissionDenied, match="No consent"):
        consent.require_share(team["parent_officer"], family.case.id, family.parent.id,
                              Recipient.SCHOOL, Purpose.SHARE_RECORDS)
    refusals = [e for e in audit_log.iter_entries(team["admin"].conn)
                if e.action == AuditAction.PERMISSION_REFUSED.value]
    assert refusals and "no_consent" in refusals[-1].detail


def test_consent_given_then_withdrawn_is_honoured_from_that_moment(
        team: dict[str, Session], family: Family) -> None:
    s = team["parent_officer"]
    give(s, family)
    assert decision(s, family).allowed
    assert decision(s, family).basis is ShareBasis.CONSENT
    assert not decision(s, family, Recipient.HEALTH).allowed  # only the named recipient
    before = datetime.now()
    assert family.case.id is not None and family.parent.id is not None
    consent.withdraw_consent(s, family.case.id, family.parent.id, Recipient.SCHOOL,
                             Purpose.SHARE_RECORDS, ConsentMethod.EMAIL)
    after = decision(s, family)
    assert not after.allowed and "withdrawn" in after.reason
    assert decision(s, family, at=before - timedelta(seconds=1)).allowed  # history kept


def test_expired_consent_is_no_consent(team: dict[str, Session], family: Family) -> None:
    give(team["parent_officer"], family, at=datetime.now() - timedelta(days=60),
         expires=date.today() - timedelta(days=1))
    d = decision(team["parent_officer"], family)
    assert not d.allowed and "expired" in d.reason


def test_override_needs_a_manager_and_a_justification(team: dict[str, Session],
                                                      family: Family) -> None:
    assert family.case.id is not None and family.parent.id is not None
    args = (family.case.id, family.parent.id, Recipient.SOCIAL_CARE, Purpose.SHARE_RECORDS,
            OverrideGrounds.SAFEGUARDING)
    with pytest.raises(PermissionDenied):
        consent.record_override(team["parent_officer"], *args,
                                "Child disclosed harm at home; MASH referral needed today.")
    with pytest.raises(InvalidInput, match="justification"):
        consent.record_override(team["manager"], *args, "because")
    override = consent.record_override(team["manager"], *args,
                                       "Child disclosed harm at home; MASH referral needed today.")
    d = decision(team["parent_officer"], family, Recipient.SOCIAL_CARE)
    assert d.allowed and d.basis is ShareBasis.OVERRIDE and MANAGER in d.reason
    entry = [e for e in audit_log.iter_entries(team["admin"].conn)
             if e.action == AuditAction.OVERRIDE.value][-1]
    assert entry.actor == MANAGER and str(override.id) in entry.detail
    assert "MASH" not in entry.detail  # the justification stays in its record, not the log


# --- rule 2: safeguarding visible wherever the record is -----------------------------


def test_open_concern_flags_the_case_everywhere(team: dict[str, Session],
                                                family: Family) -> None:
    s = team["parent_officer"]
    flagged = add_note(s, family.case, "Bruise seen", safeguarding=True,
                       third_parties=("Mrs Patel (class teacher)",))
    assert family.case.id is not None and flagged.id is not None
    concern = safeguarding.raise_concern(s, SafeguardingConcern(
        family.case.id, date.today(), "Unexplained bruising", MANAGER,
        SafeguardingAction.CHILDRENS_SOCIAL_CARE, linked_note_ids=(flagged.id,)))
    assert cases.open_case_file(s, family.case.id).safeguarding_open
    summary = cases.list_cases(s, CaseFilter(safeguarding_open=True))
    assert [c.ref for c in summary] == [family.case.ref]
    with pytest.raises(InvalidInput, match="outcome"):
        safeguarding.close_concern(s, concern, "")
    safeguarding.close_concern(s, concern, "Social care visited; no further action.")
    assert not cases.open_case_file(s, family.case.id).safeguarding_open


# --- documents ---------------------------------------------------------------------------


def test_documents_are_type_checked_and_kept_inside_the_store(
        team: dict[str, Session], family: Family, store: StoreFixture) -> None:
    s = team["parent_officer"]
    assert family.case.id is not None
    pdf = b"%PDF-1.4\n% a tiny test document DOCMARKER\n%%EOF\n"
    info = documents.add_document(s, family.case.id, "letter.pdf", pdf)
    assert documents.read_document(s, info.id or 0)[1] == pdf
    with pytest.raises(InvalidInput, match="cannot be attached"):
        documents.add_document(s, family.case.id, "setup.exe", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(InvalidInput, match="too large"):
        documents.add_document(s, family.case.id, "big.txt", b"a" * (26 * 1024 * 1024))
    s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in store.path.parent.iterdir():
        if path.is_file():
            assert b"DOCMARKER" not in path.read_bytes(), path.name


def test_document_on_a_young_person_note_is_as_hidden_as_the_note(
        team: dict[str, Session], family: Family) -> None:
    secret = add_note(team["yp_officer"], family.case, "Tom's own statement",
                      Confidentiality.YOUNG_PERSON)
    assert family.case.id is not None
    info = documents.add_document(team["yp_officer"], family.case.id, "statement.txt",
                                  b"my statement", note_id=secret.id)
    assert info.id in {d.id for d in documents.documents_for_case(team["yp_officer"],
                                                                  family.case.id)}
    assert info.id not in {d.id for d in documents.documents_for_case(team["parent_officer"],
                                                                      family.case.id)}
    with pytest.raises(NotFound):
        documents.read_document(team["parent_officer"], info.id or 0)


# --- statutory clocks and My work ---------------------------------------------------------


def test_ehc_milestones_land_on_the_assigned_officers_work_list(
        team: dict[str, Session], family: Family) -> None:
    assert family.case.id is not None
    request = date.today() - timedelta(weeks=7)  # week 6 is now overdue
    made = deadlines.set_ehc_request(team["parent_officer"], family.case.id, request)
    assert [d.deadline.due for d in made][:1] == [request + timedelta(weeks=6)]
    overdue, upcoming = deadlines.my_work(team["parent_officer"], horizon_days=120)
    assert [w.stored.deadline.due for w in overdue] == [request + timedelta(weeks=6)]
    assert overdue[0].case_ref == family.case.ref
    assert len(upcoming) == 2  # weeks 16 and 20
    # Regenerating replaces the open milestones instead of duplicating them.
    deadlines.set_ehc_request(team["parent_officer"], family.case.id, request)
    assert len(deadlines.deadlines_for_case(team["parent_officer"], family.case.id)) == 3
    with pytest.raises(PermissionDenied):
        deadlines.my_work(team["yp_officer"], owner=OFFICER)
    assert deadlines.my_work(team["manager"], owner=OFFICER, horizon_days=120)[0]
    done = deadlines.mark_done(team["parent_officer"], overdue[0].stored)
    assert done.done and not deadlines.my_work(team["parent_officer"], horizon_days=120)[0]


def test_hidden_document_cannot_be_deleted_by_id(team: dict[str, Session],
                                                 family: Family) -> None:
    secret = add_note(team["yp_officer"], family.case, "Tom's own statement",
                      Confidentiality.YOUNG_PERSON)
    assert family.case.id is not None
    info = documents.add_document(team["yp_officer"], family.case.id, "statement.txt",
                                  b"my statement", note_id=secret.id)
    with pytest.raises(NotFound):
        documents.delete_document(team["parent_officer"], info.id or 0)
    assert documents.read_document(team["yp_officer"], info.id or 0)[1] == b"my statement"


def test_stale_deadline_change_is_refused(team: dict[str, Session], family: Family) -> None:
    assert family.case.id is not None
    task = deadlines.add_task(team["parent_officer"], family.case.id, "Ring the SENCO",
                              date.today())
    deadlines.mark_done(team["manager"], task)
    with pytest.raises(EditConflict):
        deadlines.mark_done(team["parent_officer"], task, done=False)


def test_backup_carries_no_words_of_deleted_notes(team: dict[str, Session], family: Family,
                                                  tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sendiass_desktop.services import store_admin
    from sendiass_desktop.store.connection import open_connection

    marker = "zebracrossingmarker"
    note = add_note(team["parent_officer"], family.case, f"Mentioned {marker} by mistake")
    notes.delete_note(team["parent_officer"], note)
    conn = team["admin"].conn
    # Deleted from the index, but its words are still in FTS5's pages until merged.
    assert conn.execute("SELECT count(*) FROM search_fts_data WHERE instr(block, ?) > 0",
                        (marker.encode(),)).fetchone()[0] > 0
    result = store_admin.backup(team["admin"], tmp_path / "copy.sendiass")
    copy = open_connection(result.path, team["admin"].data_key, read_only=True)
    try:
        assert copy.execute("SELECT count(*) FROM search_fts_data WHERE instr(block, ?) > 0",
                            (marker.encode(),)).fetchone()[0] == 0
    finally:
        copy.close()
