"""Legal requests (rule 5): two different managers decide; the extract goes with a copy
to the family. The seeded family is the SAR tests' one (tests/integration/test_sar.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.consent import (
    ConsentMethod,
    ConsentRecord,
    ConsentState,
    OverrideGrounds,
    Purpose,
    Recipient,
    ShareBasis,
)
from sendiass_desktop.domain.errors import InvalidInput, PermissionDenied
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services import consent, disclosure, users
from sendiass_desktop.services import legal_requests as legal
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.services.session import unlock_with_recovery_key as recovery_unlock
from sendiass_desktop.store import audit_log
from sendiass_desktop.store import sar as sar_repo
from sendiass_desktop.store.legal_requests import LegalStatus
from tests.conftest import StoreFixture
from tests.integration import test_sar as base
from tests.integration.test_sar import Seeded
from tests.integration.test_sar_pack_e2e import extracted_text

team = base.team
seeded = base.seeded
SECOND_MANAGER, SECOND_PASSWORD = "erin", "second manager of the service"
BODY = "Northshire County Council, legal services"
JUSTIFICATION = ("The High Court ordered disclosure of these records for the judicial review "
                 "(order of 20 November 2026); we are legally obliged to comply.")


@pytest.fixture
def managers(team: dict[str, Session], store: StoreFixture) -> Iterator[dict[str, Session]]:
    users.add_user(team["admin"], SECOND_MANAGER, Role.MANAGER, password=SECOND_PASSWORD,
                   display_name="Erin Second")
    erin = unlock_with_password(store.location, SECOND_MANAGER, SECOND_PASSWORD)
    yield {"dave": team["manager"], "erin": erin}
    erin.close()


def register(session: Session, s: Seeded) -> int:
    assert s.case_a.id is not None
    request = legal.register_legal_request(
        session, s.case_a.id, BODY, "Judicial review: CPR Part 54 claim",
        "All records about the EHC needs assessment", date.today() - timedelta(days=2))
    assert request.id is not None
    return request.id


def actions(session: Session, target: str = "legal_request") -> list[tuple[str, dict[str, object]]]:
    return [(e.action, json.loads(e.detail)) for e in audit_log.iter_entries(session.conn)
            if e.target_type == target]


def test_two_different_managers_then_extract_with_family_copy(
        team: dict[str, Session], managers: dict[str, Session], seeded: Seeded,
        tmp_path: Path) -> None:
    officer, dave, erin, s = team["officer"], managers["dave"], managers["erin"], seeded
    request_id = register(officer, s)  # an officer may register it
    request = legal.get_legal_request(dave, request_id)
    assert request.status is LegalStatus.AWAITING_APPROVAL and not request.consent_recorded
    assert request.ref.startswith("LR-")

    # Nothing can be extracted before two approvals.
    with pytest.raises(PermissionDenied, match=r"two different managers.*it has 0"):
        legal.prepare_legal_extract(dave, request_id)
    with pytest.raises(PermissionDenied):
        legal.approve(officer, request_id)  # officers do not decide
    assert legal.approve(dave, request_id, "Proportionate.").status is (
        LegalStatus.AWAITING_APPROVAL)
    with pytest.raises(PermissionDenied, match="it has 1"):
        legal.prepare_legal_extract(dave, request_id)
    # The same manager twice counts once.
    with pytest.raises(PermissionDenied, match="already approved"):
        legal.approve(dave, request_id)
    request = legal.get_legal_request(dave, request_id)
    assert request.approved_by == ("dave",) and request.status is LegalStatus.AWAITING_APPROVAL
    with pytest.raises(PermissionDenied, match="it has 1"):
        legal.prepare_legal_extract(erin, request_id)
    # A second, different manager.
    assert legal.approve(erin, request_id).status is LegalStatus.APPROVED

    # No consent from the family: the legal basis must be recorded as an override first.
    with pytest.raises(PermissionDenied, match="legal basis"):
        legal.prepare_legal_extract(dave, request_id)
    assert all(not sub.share or not sub.share.allowed
               for sub in legal.sharing_basis(dave, request_id))
    with pytest.raises(PermissionDenied):
        legal.record_legal_basis(officer, request_id, JUSTIFICATION)
    with pytest.raises(InvalidInput, match="justification"):
        legal.record_legal_basis(dave, request_id, "court order")
    overrides = legal.record_legal_basis(dave, request_id, JUSTIFICATION)
    assert len(overrides) == 2  # Sarah, and Tom who is 16
    assert {o.grounds for o in overrides} == {OverrideGrounds.LEGAL_OBLIGATION}
    assert legal.record_legal_basis(dave, request_id, JUSTIFICATION) == []  # already covered

    # Only managers make the extract; the family's copy is required.
    with pytest.raises(PermissionDenied):
        legal.prepare_legal_extract(officer, request_id)
    draft = legal.prepare_legal_extract(dave, request_id)
    assert draft.reference == request.ref and draft.recipient_name == BODY
    assert [sub.share.basis for sub in draft.subjects if sub.share] == [ShareBasis.OVERRIDE] * 2
    with pytest.raises(InvalidInput, match="legal request"):
        disclosure.build_extract(dave, draft, [], tmp_path / "bypass.pdf")
    with pytest.raises(InvalidInput, match="family's copy"):
        legal.build_legal_extract(dave, request_id, draft, [], tmp_path / "x.pdf",
                                  None)  # type: ignore[arg-type]
    result = legal.build_legal_extract(dave, request_id, draft, [], tmp_path / "extract.pdf",
                                       tmp_path / "family.pdf")
    assert result.family_copy is not None
    done = legal.get_legal_request(dave, request_id)
    assert done.status is LegalStatus.EXTRACTED
    assert (done.disclosure_id, done.family_copy_id) == result.disclosure_ids
    assert not done.consent_recorded
    extract = sar_repo.get_disclosure(dave.conn, result.extract.disclosure_id)
    family = sar_repo.get_disclosure(dave.conn, result.family_copy.disclosure_id)
    assert extract.kind == family.kind == "extract"
    assert extract.recipient == f"Local Authority SEND team ({BODY})"
    assert family.recipient == "Sarah Jones"
    text = extracted_text(result.extract.path.read_bytes(), result.extract.passphrase)
    assert f"Our reference: {request.ref}" in text and base.YP_SECRET not in text
    # Nothing more for a request already answered.
    with pytest.raises(PermissionDenied, match="Extract sent"):
        legal.prepare_legal_extract(dave, request_id)
    with pytest.raises(InvalidInput, match="cannot change"):
        legal.refuse(erin, request_id, "Too late to refuse.")

    # Every step is in the audit log, with codes and ids only.
    steps = actions(dave)
    kinds = [a for a, _ in steps]
    assert kinds.count(AuditAction.RECORD_CREATED.value) == 1
    decisions = [d.get("decision") for a, d in steps if "decision" in d]
    assert decisions == ["approve", "approve"]  # the duplicate was not saved...
    refused = [d["reason"] for a, d in steps if a == AuditAction.PERMISSION_REFUSED.value]
    assert refused.count("same_manager") == 1  # ...but the attempt is logged
    assert refused.count("status_awaiting_approval") == 3
    assert "no_basis" in refused and "status_extracted" in refused
    assert any(d.get("change") == "legal_basis" for _, d in steps)
    assert any(d.get("status") == "extracted" for _, d in steps)
    exported = [d for a, d in actions(dave, "case") if a == AuditAction.EXPORTED.value]
    assert exported[0]["legal_request_id"] == request_id
    assert exported[0]["basis"] == ["override"]
    assert any(a == AuditAction.OVERRIDE.value for a, _ in actions(dave, "case"))
    for e in audit_log.iter_entries(dave.conn):
        assert "Northshire County" not in e.detail and "Judicial" not in e.detail


def test_a_refusal_by_either_manager_refuses(team: dict[str, Session],
                                             managers: dict[str, Session],
                                             seeded: Seeded) -> None:
    dave, erin = managers["dave"], managers["erin"]
    request_id = register(dave, seeded)  # the registering manager may be one of the two
    legal.approve(dave, request_id)
    with pytest.raises(InvalidInput, match="reason"):
        legal.refuse(erin, request_id, "   ")
    refused = legal.refuse(erin, request_id, "Not proportionate: ask the family first.")
    assert refused.status is LegalStatus.REFUSED
    assert refused.approved_by == ("dave",) and refused.refused_by == ("erin",)
    with pytest.raises(InvalidInput, match="Refused"):
        legal.approve(erin, request_id)
    with pytest.raises(PermissionDenied, match="Refused"):
        legal.prepare_legal_extract(dave, request_id)
    # A manager who approved may still refuse before the extract is made.
    second = register(dave, seeded)
    legal.approve(dave, second)
    assert legal.refuse(dave, second, "The claim was withdrawn.").status is LegalStatus.REFUSED
    rows = legal.legal_requests(dave, statuses=[LegalStatus.REFUSED])
    assert [r.id for r in rows] == [request_id, second]


def test_with_the_familys_consent_no_override_is_needed(
        team: dict[str, Session], managers: dict[str, Session], seeded: Seeded,
        tmp_path: Path) -> None:
    officer, dave, admin, s = team["officer"], managers["dave"], team["admin"], seeded
    assert s.case_a.id is not None
    for person in (s.parent.id, s.child.id):
        assert person is not None
        consent.record_consent(officer, ConsentRecord(
            s.case_a.id, person, Recipient.LA_SEND_TEAM, Purpose.SHARE_RECORDS,
            ConsentState.GIVEN, datetime.now().replace(microsecond=0), ConsentMethod.WRITTEN,
            ""))
    request_id = register(officer, s)
    assert legal.get_legal_request(dave, request_id).consent_recorded
    legal.approve(dave, request_id)
    legal.approve(admin, request_id)  # an administrator is a manager too
    draft = legal.prepare_legal_extract(dave, request_id)
    result = legal.build_legal_extract(dave, request_id, draft, [], tmp_path / "e.pdf",
                                       tmp_path / "f.pdf")
    done = legal.get_legal_request(dave, request_id)
    assert done.status is LegalStatus.EXTRACTED and done.consent_recorded
    assert result.family_copy is not None


def test_a_safeguarding_override_is_not_a_legal_basis(
        team: dict[str, Session], managers: dict[str, Session], seeded: Seeded) -> None:
    dave, erin, s = managers["dave"], managers["erin"], seeded
    assert s.case_a.id is not None
    request_id = register(dave, s)
    legal.approve(dave, request_id)
    legal.approve(erin, request_id)
    for person in (s.parent.id, s.child.id):
        assert person is not None
        consent.record_override(dave, s.case_a.id, person, Recipient.LA_SEND_TEAM,
                                Purpose.SHARE_RECORDS, OverrideGrounds.SAFEGUARDING,
                                "A child is at risk and the team must act on this today.",
                                recipient_detail=BODY)
    with pytest.raises(PermissionDenied, match="legal basis"):
        legal.prepare_legal_extract(dave, request_id)


def test_the_recovery_key_cannot_approve(team: dict[str, Session], seeded: Seeded,
                                         store: StoreFixture) -> None:
    request_id = register(team["manager"], seeded)
    session, _ = recovery_unlock(store.location, store.recovery_key)
    try:
        with pytest.raises(PermissionDenied, match="own manager account"):
            legal.approve(session, request_id)
    finally:
        session.close()
    assert legal.get_legal_request(team["manager"], request_id).approvals == ()
