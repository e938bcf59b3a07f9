"""Consented disclosure extracts (rule 1), through the services, on a real store.

The seeded family is the SAR tests' one (tests/integration/test_sar.py): Sarah
Jones (parent), Tom Jones (16, so he decides for himself), Mark Jones (Tom's
father, a third party) and Priya Patel (the SENCO); notes of every
confidentiality, a safeguarding concern, a PDF and a PNG.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from sendiass_desktop.domain.audit import AuditAction, AuditEntry
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
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.redaction import Decision
from sendiass_desktop.services import consent, disclosure, notes
from sendiass_desktop.services import sar as sar_service
from sendiass_desktop.services.disclosure import ExtractDraft
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import audit_log
from sendiass_desktop.store import sar as sar_repo
from sendiass_desktop.store.cancel import OperationCancelled
from tests.integration import test_sar as base
from tests.integration.test_sar import (
    CONCERN_SECRET,
    RESTRICTED_SECRET,
    SAFEGUARDING_SECRET,
    YP_CASE_SECRET,
    YP_DOC_SECRET,
    YP_SECRET,
    Seeded,
)
from tests.integration.test_sar_pack_e2e import (
    assert_absent,
    extracted_text,
    raw_decrypted_bytes,
)
from tests.support.cancel_points import cancel_once_laid_out

team = base.team
seeded = base.seeded

SECRETS = (YP_SECRET, RESTRICTED_SECRET, SAFEGUARDING_SECRET, CONCERN_SECRET, YP_CASE_SECRET,
           YP_DOC_SECRET)
SCHOOL = "Northshire Academy"


def give_consent(session: Session, s: Seeded, person_id: int | None, recipient: Recipient,
                 purpose: Purpose = Purpose.SHARE_RECORDS, detail: str = "") -> None:
    assert s.case_a.id is not None and person_id is not None
    consent.record_consent(session, ConsentRecord(
        s.case_a.id, person_id, recipient, purpose, ConsentState.GIVEN,
        datetime.now().replace(microsecond=0), ConsentMethod.WRITTEN, "",
        recipient_detail=detail))


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """A folder for exported files only (the store lives in ``tmp_path``)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def entries(session: Session, action: AuditAction) -> list[AuditEntry]:
    return [e for e in audit_log.iter_entries(session.conn) if e.action == action.value]


def school_draft(session: Session, s: Seeded) -> ExtractDraft:
    assert s.case_a.id is not None
    return disclosure.prepare_extract(session, s.case_a.id, Recipient.SCHOOL, SCHOOL,
                                      recipient_address="1 School Road\nNorthshire")


# --- consent ------------------------------------------------------------------------------------


def test_extract_refused_without_consent_and_the_refusal_is_audited(
        team: dict[str, Session], seeded: Seeded) -> None:
    officer, s = team["officer"], seeded
    assert s.case_a.id is not None
    # Nobody consented to the Local Authority.
    with pytest.raises(PermissionDenied, match="No consent has been recorded") as refused:
        disclosure.prepare_extract(officer, s.case_a.id, Recipient.LA_SEND_TEAM)
    assert "Sarah" not in str(refused.value) and "parent or carer" in str(refused.value)
    # Sarah consented to the school, but Tom is 16 and has not.
    with pytest.raises(PermissionDenied, match="for the young person") as refused:
        school_draft(officer, s)
    assert "Tom" not in str(refused.value)
    refusals = [json.loads(e.detail) for e in entries(officer, AuditAction.PERMISSION_REFUSED)]
    assert [r["reason"] for r in refusals] == ["no_consent", "no_consent"]
    assert refusals[1]["person_id"] == s.child.id and refusals[1]["recipient"] == "school"
    # Withdrawn consent counts as none.
    give_consent(officer, s, s.child.id, Recipient.SCHOOL)
    assert school_draft(officer, s).items
    consent.withdraw_consent(officer, s.case_a.id, s.child.id or 0, Recipient.SCHOOL,
                             Purpose.SHARE_RECORDS, ConsentMethod.VERBAL)
    with pytest.raises(PermissionDenied, match="withdrawn"):
        school_draft(officer, s)


def test_override_needs_a_manager_and_a_reason_then_allows(team: dict[str, Session],
                                                            seeded: Seeded) -> None:
    officer, manager, s = team["officer"], team["manager"], seeded
    assert s.case_a.id and s.parent.id and s.child.id
    why = "Child at risk: the health visitor needs the history to act today."
    with pytest.raises(PermissionDenied):
        consent.record_override(officer, s.case_a.id, s.parent.id, Recipient.HEALTH,
                                Purpose.SHARE_RECORDS, OverrideGrounds.SAFEGUARDING, why)
    with pytest.raises(InvalidInput, match="justification"):
        consent.record_override(manager, s.case_a.id, s.parent.id, Recipient.HEALTH,
                                Purpose.SHARE_RECORDS, OverrideGrounds.SAFEGUARDING, "urgent")
    with pytest.raises(PermissionDenied):
        disclosure.prepare_extract(officer, s.case_a.id, Recipient.HEALTH)
    for person in (s.parent.id, s.child.id):
        consent.record_override(manager, s.case_a.id, person, Recipient.HEALTH,
                                Purpose.SHARE_RECORDS, OverrideGrounds.SAFEGUARDING, why)
    draft = disclosure.prepare_extract(officer, s.case_a.id, Recipient.HEALTH)
    assert [sub.share.basis for sub in draft.subjects if sub.share] == [ShareBasis.OVERRIDE] * 2
    assert {sub.role for sub in draft.subjects} == {"the parent or carer", "the young person"}


def test_a_named_recipient_needs_a_name(team: dict[str, Session], seeded: Seeded) -> None:
    officer, s = team["officer"], seeded
    assert s.case_a.id
    with pytest.raises(InvalidInput, match="Name the professional"):
        disclosure.prepare_extract(officer, s.case_a.id, Recipient.NAMED_PROFESSIONAL, "  ")


# --- the review -----------------------------------------------------------------------------------


def test_suggestions_for_another_agency(team: dict[str, Session], seeded: Seeded) -> None:
    officer, yp_officer, s = team["officer"], team["yp_officer"], seeded
    give_consent(officer, s, s.child.id, Recipient.SCHOOL)
    draft = school_draft(officer, s)
    by_key = {it.key: it for it in draft.items}
    # Bob cannot see the young person's note (nor its document): it is not even listed.
    assert s.note_key("yp") not in by_key and f"document:{s.yp_doc.id}" not in by_key
    # Tom's own case is not part of an extract of his mother's case.
    assert s.note_key("yp_case") not in by_key
    assert by_key[s.note_key("restricted")].suggestion.exemption is Exemption.THIRD_PARTY
    assert by_key[s.note_key("restricted")].suggestion.decision is Decision.WITHHOLD
    assert by_key[s.note_key("safeguarding")].suggestion.decision is Decision.WITHHOLD
    assert by_key[f"concern:{s.concern.id}"].suggestion.decision is Decision.WITHHOLD
    normal = by_key[s.note_key("normal")]
    redacted = {normal.text[sp.start:sp.end] for sp in normal.suggestion.spans}
    assert redacted == {"Mark Jones", "Priya Patel"}  # Sarah's and Tom's names stay
    # The young person's officer sees the note, but it can never be sent.
    draft_yp = school_draft(yp_officer, s)
    yp_item = draft_yp.item(s.note_key("yp"))
    assert yp_item is not None and yp_item.suggestion.exemption is (
        Exemption.YOUNG_PERSON_CONFIDENCE)
    with pytest.raises(InvalidInput, match="never sent"):
        disclosure.check_extract_decision(yp_officer, yp_item, sar_service.disclose(yp_item.key))
    # An officer may not send a restricted or safeguarding record; a manager may.
    restricted = by_key[s.note_key("restricted")]
    with pytest.raises(PermissionDenied, match="Only a manager"):
        disclosure.check_extract_decision(officer, restricted,
                                          sar_service.disclose(restricted.key))
    assert disclosure.check_extract_decision(
        team["manager"], restricted, sar_service.disclose(restricted.key)).decision is (
        Decision.DISCLOSE)
    # The read was audited, without names.
    reads = [e for e in entries(officer, AuditAction.RECORD_READ)
             if '"purpose":"extract"' in e.detail]
    assert reads and all("Jones" not in e.detail for e in reads)


def test_officer_cannot_send_a_restricted_note_even_by_building(
        team: dict[str, Session], seeded: Seeded, out_dir: Path) -> None:
    officer, s = team["officer"], seeded
    give_consent(officer, s, s.child.id, Recipient.SCHOOL)
    draft = school_draft(officer, s)
    with pytest.raises(PermissionDenied, match="Only a manager"):
        disclosure.build_extract(officer, draft,
                                 [sar_service.disclose(s.note_key("restricted"))],
                                 out_dir / "extract.pdf")
    assert list(out_dir.iterdir()) == []
    refused = [json.loads(e.detail) for e in entries(officer, AuditAction.PERMISSION_REFUSED)]
    assert refused[-1] == {"reason": "manager_only", "item": s.note_key("restricted")}


# --- the files ----------------------------------------------------------------------------------


@pytest.mark.e2e
def test_extract_and_family_copy_end_to_end(team: dict[str, Session], seeded: Seeded,
                                            out_dir: Path) -> None:
    officer, s = team["officer"], seeded
    give_consent(officer, s, s.child.id, Recipient.SCHOOL)
    draft = school_draft(officer, s)
    normal = draft.item(s.note_key("normal"))
    assert normal is not None
    extra = normal.text.index("disagrees with the plan")
    span = sar_service.select_span(normal, extra, extra + len("disagrees with the plan"),
                                   Exemption.SERIOUS_HARM)
    decisions = [
        sar_service.add_span(normal, normal.suggestion, span),
        disclosure.leave_out(f"document:{s.png.id}"),
    ]
    out, family = out_dir / "extract.pdf", out_dir / "family-copy.pdf"
    result = disclosure.build_extract(officer, draft, decisions, out, family)
    assert sorted(p.name for p in out_dir.iterdir()) == ["extract.pdf", "family-copy.pdf"]
    assert result.family_copy is not None and result.extract.passphrase
    assert result.extract.passphrase != result.family_copy.passphrase
    assert result.left_out >= 4 and result.redacted >= 2

    for exported, addressee in ((result.extract, SCHOOL), (result.family_copy, "Sarah Jones")):
        data = exported.path.read_bytes()
        with pytest.raises(pikepdf.PasswordError):
            pikepdf.open(io.BytesIO(data))
        with pikepdf.open(io.BytesIO(data), password=exported.passphrase) as pdf:
            assert pdf.encryption.R == 6
        assert b"Jones" not in data and b"KINGFISHER" not in data
        text = extracted_text(data, exported.passphrase)
        raw = raw_decrypted_bytes(data, exported.passphrase)
        assert f"Dear {addressee}," in text
        for secret in SECRETS:
            assert_absent(secret, text, raw)
        for hidden in ("Mark Jones", "Priya", "Patel", "Okafor", "disagrees with the plan"):
            assert_absent(hidden, text, raw)
        assert "Sarah Jones called about Tom's assessment." in text
        assert "S2P3" in text and "S3-HARM" in text  # the bars and their key
        assert "PDFDOCMARKER" in text  # the PDF document was disclosed
        assert "drawing.png" not in text  # the image was left out
        assert "Article 15" not in text and "your rights" not in text
        assert "Information Commissioner" not in text
        logged = sar_repo.get_disclosure(officer.conn, exported.disclosure_id)
        assert logged.kind == "extract" and logged.other_ref == s.case_a.ref
        assert logged.sha256 == hashlib.sha256(data).hexdigest() == exported.sha256
        assert logged.page_count == len(PdfReader(io.BytesIO(data),
                                                  password=exported.passphrase).pages)
        assert logged.encrypted and logged.made_by == "bob"
        assert set(logged.subject_ids) == {s.parent.id, s.child.id}
    assert sar_repo.get_disclosure(officer.conn, result.extract.disclosure_id).recipient == (
        f"School or setting ({SCHOOL})")
    assert sar_repo.get_disclosure(officer.conn,
                                   result.family_copy.disclosure_id).recipient == "Sarah Jones"
    # The same records went to both (the letters differ).
    text_a = extracted_text(result.extract.path.read_bytes(), result.extract.passphrase)
    text_b = extracted_text(result.family_copy.path.read_bytes(), result.family_copy.passphrase)
    for phrase in ("Spoke to", "the school will help", "EHC needs assessment"):
        assert (phrase in text_a) == (phrase in text_b), phrase
    flat_a, flat_b = " ".join(text_a.split()), " ".join(text_b.split())
    assert "Please keep it confidential" in flat_a and "exactly what was shared" not in flat_a
    assert "exactly what was shared" in flat_b and "Please keep it confidential" not in flat_b

    # The log and the audit trail.
    assert s.case_a.id is not None
    logged_rows = disclosure.extracts_for_case(officer, s.case_a.id)
    assert [d.id for d in logged_rows] == list(result.disclosure_ids)
    exported_entries = entries(officer, AuditAction.EXPORTED)
    assert len(exported_entries) == 1 and exported_entries[0].target_id == str(s.case_a.id)
    detail = json.loads(exported_entries[0].detail)
    assert detail["disclosure_id"] == result.extract.disclosure_id
    assert detail["family_copy_id"] == result.family_copy.disclosure_id
    assert detail["basis"] == ["consent"] and len(detail["consent_ids"]) == 2
    assert detail["recipient"] == "school" and detail["encrypted"] is True
    for e in audit_log.iter_entries(officer.conn):
        assert "Jones" not in e.detail and SCHOOL not in e.detail
        assert result.extract.passphrase not in e.detail
    tables = [r[0] for r in officer.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'")]
    for table in tables:
        rows = officer.conn.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608
        assert result.extract.passphrase not in repr(rows), table
    # A later SAR lists the extract among the disclosures.
    sar_id = base.parent_request(team["manager"], s)
    keys = {v.key for v in sar_service.review_items(team["manager"], sar_id)}
    assert f"disclosure:{result.extract.disclosure_id}" in keys


@pytest.mark.e2e
def test_build_checks_consent_and_changes_again(team: dict[str, Session], seeded: Seeded,
                                                out_dir: Path) -> None:
    officer, s = team["officer"], seeded
    assert s.case_a.id and s.child.id
    give_consent(officer, s, s.child.id, Recipient.SCHOOL)
    draft = school_draft(officer, s)
    # A note edited after the draft: its old text must not go.
    note = notes.get_note(officer, s.notes["named"].id or 0)
    notes.update_note(officer, replace(note, body=note.body + " Updated later."))
    with pytest.raises(InvalidInput, match="changed after the extract was prepared"):
        disclosure.build_extract(officer, draft, [], out_dir / "a.pdf")
    # Leaving the changed note out is fine; withdrawing consent is not.
    fresh = school_draft(officer, s)
    consent.withdraw_consent(officer, s.case_a.id, s.child.id, Recipient.SCHOOL,
                             Purpose.SHARE_RECORDS, ConsentMethod.EMAIL)
    with pytest.raises(PermissionDenied, match="withdrawn"):
        disclosure.build_extract(officer, fresh, [], out_dir / "b.pdf")
    # Nothing chosen, or the same file twice, is refused; no file is left behind.
    give_consent(officer, s, s.child.id, Recipient.SCHOOL)
    fresh = school_draft(officer, s)
    with pytest.raises(InvalidInput, match="Nothing is chosen"):
        disclosure.build_extract(officer, fresh,
                                 [disclosure.leave_out(it.key) for it in fresh.items],
                                 out_dir / "c.pdf")
    with pytest.raises(InvalidInput, match="different file names"):
        disclosure.build_extract(officer, fresh, [], out_dir / "d.pdf", out_dir / "d.pdf")
    assert list(out_dir.iterdir()) == []
    assert not entries(officer, AuditAction.EXPORTED)


def test_cancel_while_the_extract_is_encrypted_writes_and_logs_nothing(
        team: dict[str, Session], seeded: Seeded, out_dir: Path) -> None:
    officer, s = team["officer"], seeded
    give_consent(officer, s, s.child.id, Recipient.SCHOOL)
    draft = school_draft(officer, s)
    seen: list[float] = []
    with pytest.raises(OperationCancelled):
        disclosure.build_extract(officer, draft, [], out_dir / "extract.pdf",
                                 out_dir / "family-copy.pdf",
                                 progress=cancel_once_laid_out(seen))
    assert seen[-1] == 1.0
    assert list(out_dir.iterdir()) == []
    assert not entries(officer, AuditAction.EXPORTED)


def test_cancel_while_the_family_copy_is_laid_out_stops_it(
        team: dict[str, Session], seeded: Seeded, out_dir: Path) -> None:
    officer, s = team["officer"], seeded
    give_consent(officer, s, s.child.id, Recipient.SCHOOL)
    draft = school_draft(officer, s)
    seen: list[float] = []

    def cancel_in_second_half(fraction: float) -> None:
        if seen and seen[-1] > 0.5:
            raise OperationCancelled()  # Cancel pressed while the family's copy is laid out
        seen.append(fraction)

    with pytest.raises(OperationCancelled):
        disclosure.build_extract(officer, draft, [], out_dir / "extract.pdf",
                                 out_dir / "family-copy.pdf", progress=cancel_in_second_half)
    assert seen == sorted(seen) and 0.5 < seen[-1] < 1.0  # the bar only moves on
    assert list(out_dir.iterdir()) == []
    assert not entries(officer, AuditAction.EXPORTED)
    # Uninterrupted, both files share the bar: it reaches 1.0 once, at the end.
    done: list[float] = []
    disclosure.build_extract(officer, school_draft(officer, s), [], out_dir / "extract.pdf",
                             out_dir / "family-copy.pdf", progress=done.append)
    assert done == sorted(done) and done.count(1.0) >= 1 and done[0] == 0.0
    assert any(0.4 < f < 0.6 for f in done)
