"""Raising an issue with the Local Authority (rule 4): anonymous unless consented."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from sendiass_desktop.domain import anonymise as anon
from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import Case, CaseParty, PartyRole, ReferralSource
from sendiass_desktop.domain.consent import (
    ConsentMethod,
    ConsentRecord,
    ConsentState,
    OverrideGrounds,
    Purpose,
    Recipient,
)
from sendiass_desktop.domain.errors import InvalidInput, PermissionDenied
from sendiass_desktop.domain.notes import Note, NoteType
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services import cases, consent, escalation, notes, people, users
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.store import audit_log
from sendiass_desktop.store import sar as sar_repo
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture

MANAGER, MANAGER_PASSWORD = "dave", "manager of the service"
LA = "Northshire County Council"
SCHOOL = "Kingsmead Vale Primary School"
CHILD_DOB = date(2011, 3, 9)


@pytest.fixture
def team(store: StoreFixture) -> Iterator[dict[str, Session]]:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    users.add_user(admin, MANAGER, Role.MANAGER, password=MANAGER_PASSWORD)
    sessions = {
        "admin": admin,
        "officer": unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD),
        "manager": unlock_with_password(store.location, MANAGER, MANAGER_PASSWORD),
    }
    yield sessions
    for s in sessions.values():
        s.close()


@dataclass
class Family:
    parent: Person
    child: Person
    father: Person
    ep: Person
    case: Case


@pytest.fixture
def family(team: dict[str, Session]) -> Family:
    officer = team["officer"]
    parent = people.create_person(officer, Person(
        "", "Rhiannon", "Featherstone-Blake", PersonRole.PARENT_CARER,
        email="rhiannon.fb@example.org", phone="07700 900461",
        address="Flat 2, 47 Wisteria Gardens\nLittle Hambleton", postcode="LH4 9QT"))
    child = people.create_person(officer, Person(
        "", "Oluwaseun", "Featherstone-Blake", PersonRole.CHILD_YOUNG_PERSON,
        date_of_birth=CHILD_DOB))
    father = people.create_person(officer, Person("", "Declan", "O'Rourke",
                                                  PersonRole.PARENT_CARER))
    ep = people.create_person(officer, Person("", "Imogen", "Thistlewood",
                                              PersonRole.PROFESSIONAL, organisation=SCHOOL))
    assert parent.id and child.id and father.id and ep.id
    case = cases.create_case(officer, Case(
        "", date(2026, 9, 1), ReferralSource.SELF, OFFICER, parent.id, child.id,
        school_setting=SCHOOL, local_authority=LA,
        parties=(CaseParty(father.id, PartyRole.OTHER_PARENT),
                 CaseParty(ep.id, PartyRole.PROFESSIONAL))))
    assert case.id is not None
    notes.add_note(officer, Note(case.id, datetime(2026, 10, 1, 9, 0), NoteType.MEETING, "",
                                 "Met the EP.",
                                 third_parties=("Mr Bartholomew Quince (educational "
                                                "psychologist)",)))
    return Family(parent, child, father, ep, case)


def issue_text(f: Family) -> str:
    return (
        f"Re {f.case.ref} ({f.parent.ref}, {f.child.ref}).\n\n"
        "Rhiannon Featherstone-Blake contacted us about Oluwaseun's EHC needs assessment. "
        "Mrs Featherstone-Blake says FEATHERSTONE-BLAKE family letters went unanswered; "
        "rhiannon's partner Declan O\u2019Rourke agrees. Oluwaseun was born on 09/03/2011 "
        "(also written 9.3.11, 9 March 2011, March 9th 2011 and 2011-03-09).\n\n"
        "They live at Flat 2, 47 Wisteria Gardens, Little Hambleton, lh4 9qt. Phone "
        "07700 900 461 or +44 7700 900461; email RHIANNON.FB@example.org.\n\n"
        f"{SCHOOL} (Kingsmead Vale for short) told Ms Thistlewood and Mr Quince that the "
        f"timetable would not change. NHS number 485 777 3456, UPN H801200001001.\n\n"
        f"We ask {LA} to review its practice on part-time timetables."
    )


def identifiers(f: Family) -> list[str]:
    """Everything that must not reach the Local Authority, as plain strings."""
    names = ["Rhiannon", "Featherstone", "Blake", "Featherstone-Blake", "Oluwaseun", "Declan",
             "O'Rourke", "Rourke", "Imogen", "Thistlewood", "Bartholomew", "Quince"]
    dates = ["09/03/2011", "9.3.11", "9 March 2011", "March 9th 2011", "2011-03-09",
             "March 2011", "2011"]
    place = ["Flat 2", "47 Wisteria Gardens", "Wisteria", "Little Hambleton", "Hambleton",
             "LH4 9QT", "lh4 9qt"]
    contact = ["07700 900461", "07700 900 461", "900461", "+44 7700", "rhiannon.fb@example.org",
               "example.org"]
    refs = [f.case.ref, f.parent.ref, f.child.ref]
    other = [SCHOOL, "Kingsmead", "485 777 3456", "H801200001001"]
    return names + dates + place + contact + refs + other


def assert_no_identifier(text: str, f: Family) -> None:
    lowered = text.lower()
    for value in identifiers(f):
        assert value.lower() not in lowered, value


def test_the_letter_contains_no_identifier(team: dict[str, Session], family: Family,
                                           tmp_path: Path) -> None:
    officer, f = team["officer"], family
    assert f.case.id is not None
    draft = escalation.draft_escalation(officer, f.case.id, issue_text(f))
    text = draft.anonymised.text
    assert_no_identifier(text, f)
    # Placeholders, the Local Authority's name and the substance are kept.
    assert "[the young person]'s EHC needs assessment" in text
    assert "[the parent]" in text and "[date]" in text and "[address]" in text
    assert "[school]" in text and "[reference]" in text and "[phone number]" in text
    assert LA in text and "part-time timetables" in text
    # What was replaced is reported by category and count, never the values.
    counts = {r.category: r.count for r in draft.anonymised.replacements}
    assert counts[anon.Category.DATE_OF_BIRTH] == 5 and counts[anon.Category.NAME] >= 9
    assert counts[anon.Category.REFERENCE] == 3 and counts[anon.Category.SCHOOL] == 2
    assert counts[anon.Category.NHS_NUMBER] == 1 and counts[anon.Category.UPN] == 1
    assert "dates of birth" in draft.replaced and "Rhiannon" not in draft.replaced
    assert not draft.identified_allowed and "anonymously" in draft.identified_reason

    saved = escalation.save_escalation(officer, f.case.id, text)
    assert not saved.identified and saved.consent_id is None
    for suffix in ("txt", "pdf"):
        exported = escalation.export_escalation(officer, saved.id or 0,
                                                tmp_path / f"letter.{suffix}")
        assert not exported.encrypted and exported.passphrase is None
        assert exported.disclosure_id is None
        data = exported.path.read_bytes()
        if suffix == "txt":
            content = data.decode("utf-8-sig")
        else:
            with pdfplumber.open(io.BytesIO(data)) as doc:
                content = "\n".join(p.extract_text() or "" for p in doc.pages)
            with pikepdf.open(io.BytesIO(data)) as pdf:
                content += " ".join(str(v) for v in pdf.docinfo.values())
        assert_no_identifier(content, f)
        assert "part-time" in content and "[the young person]" in content
    assert escalation.escalations_for_case(officer, f.case.id)[0].exported_at is not None

    # Audited, without the letter or any name.
    log = [e for e in audit_log.iter_entries(officer.conn) if e.actor == officer.actor]
    assert any(e.action == AuditAction.RECORD_CREATED.value and e.target_type == "escalation"
               for e in log)
    assert sum(e.action == AuditAction.EXPORTED.value for e in log) == 2
    for e in log:
        assert_no_identifier(e.detail, f)


def test_edited_letter_is_checked_again(team: dict[str, Session], family: Family) -> None:
    officer, f = team["officer"], family
    assert f.case.id is not None
    draft = escalation.draft_escalation(officer, f.case.id, issue_text(f))
    edited = draft.anonymised.text + "\n\nPlease call Rhiannon on 07700 900461."
    with pytest.raises(InvalidInput, match=r"1 name, 1 phone number") as refused:
        escalation.save_escalation(officer, f.case.id, edited)
    assert "Rhiannon" not in str(refused.value)
    assert escalation.escalations_for_case(officer, f.case.id) == []
    # The school may stay when the officer says it would not identify the family.
    kept = escalation.draft_escalation(officer, f.case.id, f"Pupils at {SCHOOL} are affected.",
                                       keep_school=True)
    assert SCHOOL in kept.anonymised.text
    with pytest.raises(InvalidInput, match="school name"):
        escalation.save_escalation(officer, f.case.id, kept.anonymised.text)
    saved = escalation.save_escalation(officer, f.case.id, kept.anonymised.text,
                                       keep_school=True)
    assert SCHOOL in saved.letter


def test_identified_only_with_consent(team: dict[str, Session], family: Family,
                                      tmp_path: Path) -> None:
    officer, manager, f = team["officer"], team["manager"], family
    assert f.case.id is not None and f.parent.id is not None
    text = issue_text(f)
    with pytest.raises(PermissionDenied, match="anonymously"):
        escalation.save_escalation(officer, f.case.id, text, identified=True)
    refused = [json.loads(e.detail) for e in audit_log.iter_entries(officer.conn)
               if e.action == AuditAction.PERMISSION_REFUSED.value]
    assert refused[-1] == {"reason": "no_consent", "purpose": "be_identified"}
    # An override is not consent to be named (rule 4 speaks of consent only).
    consent.record_override(manager, f.case.id, f.parent.id, Recipient.LA_SEND_TEAM,
                            Purpose.BE_IDENTIFIED, OverrideGrounds.SAFEGUARDING,
                            "The Local Authority must act on this child's safety today.")
    assert not escalation.draft_escalation(officer, f.case.id, text).identified_allowed
    # Consent to be named to the Local Authority (Oluwaseun is 15: the parent decides).
    given = consent.record_consent(officer, ConsentRecord(
        f.case.id, f.parent.id, Recipient.LA_SEND_TEAM, Purpose.BE_IDENTIFIED,
        ConsentState.GIVEN, datetime.now().replace(microsecond=0), ConsentMethod.WRITTEN, ""))
    draft = escalation.draft_escalation(officer, f.case.id, text)
    assert draft.identified_allowed
    saved = escalation.save_escalation(officer, f.case.id, text, identified=True)
    assert saved.identified and saved.consent_id == given.id and saved.letter == text.strip()
    with pytest.raises(InvalidInput, match="encrypted PDF"):
        escalation.export_escalation(officer, saved.id or 0, tmp_path / "named.txt")
    exported = escalation.export_escalation(officer, saved.id or 0, tmp_path / "named.pdf")
    assert exported.encrypted and exported.passphrase and exported.disclosure_id
    data = exported.path.read_bytes()
    assert b"Rhiannon" not in data
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(data))
    with pdfplumber.open(io.BytesIO(data), password=exported.passphrase) as doc:
        content = "\n".join(p.extract_text() or "" for p in doc.pages)
    assert "Rhiannon Featherstone-Blake" in re.sub(r"\s+", " ", content)
    logged = sar_repo.get_disclosure(officer.conn, exported.disclosure_id)
    assert logged.kind == "extract" and logged.other_ref == f.case.ref
    assert logged.recipient == f"Local Authority SEND team ({LA})"
    assert set(logged.subject_ids) == {f.parent.id, f.child.id}
    # Consent withdrawn: no more identified letters.
    consent.withdraw_consent(officer, f.case.id, f.parent.id, Recipient.LA_SEND_TEAM,
                             Purpose.BE_IDENTIFIED, ConsentMethod.EMAIL)
    with pytest.raises(PermissionDenied):
        escalation.save_escalation(officer, f.case.id, text, identified=True)


def test_an_empty_issue_is_refused(team: dict[str, Session], family: Family) -> None:
    officer = team["officer"]
    assert family.case.id is not None
    with pytest.raises(InvalidInput, match="Write the issue"):
        escalation.draft_escalation(officer, family.case.id, "   ")
