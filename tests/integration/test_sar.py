"""Subject access requests through the services, on a real SQLCipher store.

The seeded family (also used by the end-to-end pack tests): Sarah Jones (parent),
Tom Jones (16), Mark Jones (Tom's father, a third party) and Priya Patel (the
SENCO, staff of another agency). Case A is Sarah's case about Tom; case B is
Tom's own. Notes of every confidentiality, named third parties, consent, a
safeguarding concern, EHC deadlines, a PDF and a PNG.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import Case, CaseParty, PartyRole, ReferralSource
from sendiass_desktop.domain.consent import ConsentMethod, ConsentRecord, ConsentState, Purpose
from sendiass_desktop.domain.consent import Recipient as ConsentRecipient
from sendiass_desktop.domain.deadlines import DeadlineKind
from sendiass_desktop.domain.documents import DocumentInfo
from sendiass_desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.notes import Confidentiality, Note, NoteType
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.domain.redaction import Decision, ItemDecision, Span
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.domain.safeguarding import SafeguardingAction, SafeguardingConcern
from sendiass_desktop.domain.sar import (
    IdentityCheck,
    IdentityMethod,
    Relationship,
    SarRequest,
    SarStatus,
)
from sendiass_desktop.services import (
    cases,
    consent,
    deadlines,
    documents,
    notes,
    people,
    safeguarding,
    users,
)
from sendiass_desktop.services import sar as sar_service
from sendiass_desktop.services.sar import DecisionState, ReviewItemView
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.store import audit_log
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture

YP_OFFICER, YP_PASSWORD = "carol", "the young person's officer"
MANAGER, MANAGER_PASSWORD = "dave", "manager of the service"

# Words that must never reach a parent's pack unless a manager decides otherwise.
YP_SECRET = "KINGFISHER"
RESTRICTED_SECRET = "MARMALADE"
SAFEGUARDING_SECRET = "OBSIDIAN"
CONCERN_SECRET = "TOURMALINE"
YP_CASE_SECRET = "PERIWINKLE"
YP_DOC_SECRET = "YPDOCSECRET"
PDF_MARKER = "PDFDOCMARKER"
THIRD_PARTY_NAMES = ("Mark Jones", "Priya", "Patel", "Okafor")


@pytest.fixture
def team(store: StoreFixture) -> Iterator[dict[str, Session]]:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    users.add_user(admin, YP_OFFICER, Role.OFFICER, password=YP_PASSWORD,
                   display_name="Carol Young")
    users.add_user(admin, MANAGER, Role.MANAGER, password=MANAGER_PASSWORD,
                   display_name="Dave Manager")
    sessions = {
        "admin": admin,
        "officer": unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD),
        "yp_officer": unlock_with_password(store.location, YP_OFFICER, YP_PASSWORD),
        "manager": unlock_with_password(store.location, MANAGER, MANAGER_PASSWORD),
    }
    yield sessions
    for s in sessions.values():
        s.close()


def make_pdf(text: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("Helvetica", 14)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def make_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buf, format="PNG")
    return buf.getvalue()


@dataclass
class Seeded:
    parent: Person
    child: Person
    father: Person
    senco: Person
    case_a: Case
    case_b: Case
    notes: dict[str, Note]
    concern: SafeguardingConcern
    pdf: DocumentInfo
    png: DocumentInfo
    yp_doc: DocumentInfo

    def note_key(self, name: str) -> str:
        return f"note:{self.notes[name].id}"


def _note(session: Session, case: Case, when: datetime, body: str,
          confidentiality: Confidentiality = Confidentiality.NORMAL, safeguarding: bool = False,
          third_parties: tuple[str, ...] = ()) -> Note:
    assert case.id is not None
    return notes.add_note(session, Note(case.id, when, NoteType.CALL, "", body, confidentiality,
                                        safeguarding, third_parties))


def seed(team: dict[str, Session]) -> Seeded:
    officer, yp = team["officer"], team["yp_officer"]
    parent = people.create_person(officer, Person(
        "", "Sarah", "Jones", PersonRole.PARENT_CARER, email="sarah@example.org",
        address="12 Mill Lane\nNorthshire", postcode="NS1 2AB"))
    child = people.create_person(officer, Person(
        "", "Tom", "Jones", PersonRole.CHILD_YOUNG_PERSON, date_of_birth=date(2010, 5, 17)))
    father = people.create_person(officer, Person("", "Mark", "Jones", PersonRole.PARENT_CARER))
    senco = people.create_person(officer, Person("", "Priya", "Patel", PersonRole.PROFESSIONAL,
                                                 organisation="Northshire Academy"))
    assert parent.id and child.id and father.id and senco.id
    case_a = cases.create_case(officer, Case(
        "", date(2026, 9, 1), ReferralSource.SELF, OFFICER, parent.id, child.id,
        school_setting="Northshire Academy", summary="Sarah asked for help with an EHC needs "
        "assessment for Tom. Mark Jones is Tom's father.",
        young_person_officers=frozenset({YP_OFFICER}),
        parties=(CaseParty(father.id, PartyRole.OTHER_PARENT),
                 CaseParty(senco.id, PartyRole.PROFESSIONAL)),
    ))
    case_b = cases.create_case(yp, Case("", date(2026, 10, 5), ReferralSource.SELF, YP_OFFICER,
                                        child.id, summary="Tom's own enquiry."))
    t = datetime(2026, 10, 1, 10, 0)
    made = {
        "normal": _note(officer, case_a, t, "Sarah Jones called about Tom's assessment. Mark "
                        "Jones disagrees with the plan. Priya Patel said the school will help."),
        "named": _note(officer, case_a, t + timedelta(days=1), "Spoke to Mrs Okafor about the "
                       "assessment; Sarah agreed.", third_parties=("Mrs Okafor (social worker)",)),
        "yp": _note(yp, case_a, t + timedelta(days=2), f"Tom said in confidence {YP_SECRET} that "
                    "he does not want his mum told.", Confidentiality.YOUNG_PERSON),
        "restricted": _note(officer, case_a, t + timedelta(days=3),
                            f"Restricted {RESTRICTED_SECRET}: about a member of staff.",
                            Confidentiality.RESTRICTED),
        "safeguarding": _note(officer, case_a, t + timedelta(days=4),
                              f"Bruise seen {SAFEGUARDING_SECRET}.", safeguarding=True),
        "yp_case": _note(yp, case_b, t + timedelta(days=10),
                         f"Tom asked about college {YP_CASE_SECRET}."),
    }
    assert case_a.id and case_b.id
    consent.record_consent(officer, ConsentRecord(
        case_a.id, parent.id, ConsentRecipient.SCHOOL, Purpose.SHARE_RECORDS, ConsentState.GIVEN,
        datetime(2026, 9, 2, 9, 0), ConsentMethod.WRITTEN, "", notes="Signed form."))
    concern = safeguarding.raise_concern(officer, SafeguardingConcern(
        case_a.id, date(2026, 10, 5), f"Unexplained bruising {CONCERN_SECRET}", MANAGER,
        SafeguardingAction.MASH, linked_note_ids=(made["safeguarding"].id or 0,)))
    deadlines.set_ehc_request(officer, case_a.id, date(2026, 9, 10))
    pdf = documents.add_document(officer, case_a.id, "la-letter.pdf",
                                 make_pdf(f"{PDF_MARKER} letter from the local authority"))
    png = documents.add_document(officer, case_a.id, "drawing.png", make_png())
    yp_doc = documents.add_document(yp, case_a.id, "statement.txt",
                                    f"My statement {YP_DOC_SECRET}".encode(),
                                    note_id=made["yp"].id)
    return Seeded(parent, child, father, senco, case_a, case_b, made, concern, pdf, png, yp_doc)


@pytest.fixture
def seeded(team: dict[str, Session]) -> Seeded:
    return seed(team)


def parent_request(session: Session, s: Seeded, received: date | None = None,
                   verified: bool = True) -> int:
    assert s.parent.id and s.child.id
    day = received or date.today() - timedelta(days=20)
    sar = sar_service.create_sar(session, SarRequest(
        "", s.parent.id, Relationship.PARENT, day, "", for_person_id=s.child.id,
        identity=IdentityCheck(IdentityMethod.PHOTO_ID, day, "") if verified else None))
    assert sar.id is not None
    return sar.id


def views_by_key(views: list[ReviewItemView]) -> dict[str, ReviewItemView]:
    return {v.key: v for v in views}


def details(session: Session) -> str:
    return "\n".join(e.detail for e in audit_log.iter_entries(session.conn))


# --- permissions ---------------------------------------------------------------------------


def test_officers_are_refused_and_the_refusal_is_audited(team: dict[str, Session],
                                                         seeded: Seeded) -> None:
    officer = team["officer"]
    assert seeded.parent.id is not None
    with pytest.raises(PermissionDenied, match="subject access"):
        sar_service.create_sar(officer, SarRequest(
            "", seeded.parent.id, Relationship.SELF, date.today(), ""))
    sar_id = parent_request(team["manager"], seeded)
    for call in (lambda: sar_service.register(officer),
                 lambda: sar_service.get_sar(officer, sar_id),
                 lambda: sar_service.review_items(officer, sar_id),
                 lambda: sar_service.accept_suggested(officer, sar_id),
                 lambda: sar_service.save_decision(officer, sar_id,
                                                   sar_service.disclose("access-log")),
                 lambda: sar_service.build_pack(officer, sar_id, Path("never.pdf"))):
        with pytest.raises(PermissionDenied):
            call()
    refusals = [e for e in audit_log.iter_entries(officer.conn)
                if e.action == AuditAction.PERMISSION_REFUSED.value and e.actor == OFFICER]
    assert len(refusals) == 7 and all("manage_sars" in e.target_id for e in refusals)
    # The young person's officer is an officer too.
    with pytest.raises(PermissionDenied):
        sar_service.review_items(team["yp_officer"], sar_id)


# --- the register ---------------------------------------------------------------------------


def test_register_create_change_and_audit(team: dict[str, Session], seeded: Seeded) -> None:
    m = team["manager"]
    received = date.today() - timedelta(days=20)
    sar_id = parent_request(m, seeded, received, verified=False)
    sar = sar_service.get_sar(m, sar_id)
    assert sar.ref == f"SAR-{received.year}-0001" and sar.status is SarStatus.RECEIVED
    assert sar.created_by == MANAGER and sar.data_subject_ids == (seeded.parent.id,
                                                                  seeded.child.id)
    assert sar_service.get_sar(m, sar.ref.lower()).id == sar_id
    # No gathering before the identity check.
    with pytest.raises(InvalidInput, match="identity"):
        sar_service.review_items(m, sar_id)
    sar = sar_service.verify_identity(m, sar_id, IdentityMethod.DOCUMENTS, received,
                                      "Birth certificate seen")
    assert sar.identity is not None and sar.identity.verified_by == MANAGER
    # Pause and restart: the due date moves by the days paused.
    before = sar.clock().due
    assert before is not None
    sar = sar_service.pause_clock(m, sar_id, received + timedelta(days=1),
                                  "Waiting for the father's signed authority")
    assert sar.clock().paused and sar.clock().due is None
    with pytest.raises(InvalidInput, match="already paused"):
        sar_service.pause_clock(m, sar_id, received + timedelta(days=2), "again")
    sar = sar_service.restart_clock(m, sar_id, received + timedelta(days=4))
    assert sar.clock().paused_days == 3
    [pause] = sar_service.pauses(m, sar_id)
    assert pause.reason == "Waiting for the father's signed authority"
    # Extend within the first month.
    sar = sar_service.extend(m, sar_id, 2, "Two cases and many documents", date.today())
    assert sar.clock().extended and sar.extension_months == 2
    with pytest.raises(InvalidInput, match="one or two"):
        sar_service.extend(m, sar_id, 3, "too long", date.today())
    rows = sar_service.register(m)
    assert [r.sar.ref for r in rows] == [sar.ref]
    assert rows[0].requester_name == "Sarah Jones" and rows[0].for_name == "Tom Jones"
    assert rows[0].due == sar.clock().due and not rows[0].overdue
    # Status moves follow the domain's rules.
    with pytest.raises(InvalidInput, match="cannot move"):
        sar_service.move_status(m, sar_id, SarStatus.SENT)
    with pytest.raises(InvalidInput, match="refusing"):
        sar_service.refuse(m, sar_id, " ")
    sar = sar_service.refuse(m, sar_id, "Manifestly excessive: the same request last week")
    assert sar.status is SarStatus.REFUSED
    assert sar_service.register(m, include_closed=False) == []
    with pytest.raises(InvalidInput, match="cannot change"):
        sar_service.extend(m, sar_id, 1, "again", date.today())
    # Audit: every change, with ids and codes only.
    entries = [e for e in audit_log.iter_entries(m.conn) if e.target_type == "sar"]
    assert {e.action for e in entries} >= {AuditAction.RECORD_CREATED.value,
                                           AuditAction.RECORD_READ.value,
                                           AuditAction.RECORD_UPDATED.value}
    text = details(m)
    for private in ("Sarah", "Jones", "father", "Birth certificate", "Manifestly",
                    "many documents"):
        assert private not in text


def test_sar_for_refs_and_bad_input(team: dict[str, Session], seeded: Seeded) -> None:
    m = team["manager"]
    sar = sar_service.create_sar_for_refs(m, seeded.child.ref.lower(), Relationship.SELF,
                                          date.today(), identity_method=IdentityMethod.PHOTO_ID)
    assert sar.identity is not None and sar.identity.verified_on == date.today()
    with pytest.raises(NotFound):
        sar_service.create_sar_for_refs(m, "P-999999", Relationship.SELF, date.today())
    with pytest.raises(InvalidInput, match="behalf"):
        sar_service.create_sar_for_refs(m, seeded.parent.ref, Relationship.PARENT, date.today())
    with pytest.raises(InvalidInput, match="future"):
        sar_service.create_sar_for_refs(m, seeded.parent.ref, Relationship.SELF,
                                        date.today() + timedelta(days=1))
    with pytest.raises(InvalidInput, match="someone other"):
        sar_service.create_sar_for_refs(m, seeded.parent.ref, Relationship.PARENT, date.today(),
                                        for_person_ref=seeded.parent.ref)


# --- "My work" ------------------------------------------------------------------------------


def test_my_work_shows_the_sar_deadline_for_the_manager(team: dict[str, Session],
                                                        seeded: Seeded) -> None:
    m = team["manager"]
    received = date.today() - timedelta(days=20)
    sar_id = parent_request(m, seeded, received)
    sar = sar_service.get_sar(m, sar_id)
    due = sar.clock().due
    assert due is not None

    def mine() -> list[tuple[DeadlineKind, date, str]]:
        overdue, upcoming = deadlines.my_work(m, horizon_days=60)
        return [(w.stored.deadline.kind, w.stored.deadline.due, w.stored.deadline.label)
                for w in (*overdue, *upcoming)]

    assert mine() == [(DeadlineKind.TASK, due - timedelta(days=7),
                       f"SAR {sar.ref} due in a week"),
                      (DeadlineKind.SAR_RESPONSE, due,
                       f"Reply to subject access request {sar.ref} (one month)")]
    # Nobody else's list; a manager can look at it on the owner's behalf.
    officer_items = [w for part in deadlines.my_work(team["officer"], horizon_days=60)
                     for w in part]
    assert all(w.stored.source != f"sar:{sar_id}" for w in officer_items)
    assert deadlines.my_work(team["admin"], owner=MANAGER, horizon_days=60)[1]
    # Paused with no end: no due date, so nothing to show.
    sar_service.pause_clock(m, sar_id, received + timedelta(days=2), "Clarification asked for")
    assert mine() == []
    sar_service.restart_clock(m, sar_id, received + timedelta(days=5))
    moved = sar_service.get_sar(m, sar_id).clock().due
    assert moved is not None and moved > due
    assert [d for _, d, _ in mine()] == [moved - timedelta(days=7), moved]
    sar_service.extend(m, sar_id, 1, "Complex", date.today())
    extended = sar_service.get_sar(m, sar_id).clock().due
    assert extended is not None
    assert mine()[-1] == (DeadlineKind.SAR_RESPONSE, extended,
                          f"Reply to subject access request {sar.ref} (extended)")
    assert len(sar_service.sar_deadlines(m, sar_id)) == 2  # regenerated, never duplicated
    # Answered: the deadlines are done.
    sar_service.accept_suggested(m, sar_id)
    sar_service.mark_sent(m, sar_id)
    assert mine() == []
    assert all(d.done for d in sar_service.sar_deadlines(m, sar_id))


# --- gathering -------------------------------------------------------------------------------


def test_gathering_finds_everything_across_both_cases(team: dict[str, Session],
                                                      seeded: Seeded) -> None:
    m = team["manager"]
    sar_id = parent_request(m, seeded)
    views = views_by_key(sar_service.review_items(m, sar_id))
    s = seeded
    expected = {
        f"person:{s.parent.id}", f"person:{s.child.id}", f"case:{s.case_a.id}",
        f"case:{s.case_b.id}", *(s.note_key(n) for n in s.notes), f"concern:{s.concern.id}",
        f"document:{s.pdf.id}", f"document:{s.png.id}", f"document:{s.yp_doc.id}",
        "access-log",
    }
    assert expected <= set(views)
    kinds = {k.split(":")[0] for k in views}
    assert {"consent", "deadline"} <= kinds
    assert len([k for k in views if k.startswith("deadline:")]) == 3
    # Third parties' own records are not gathered.
    assert f"person:{s.father.id}" not in views and f"person:{s.senco.id}" not in views
    assert sar_service.get_sar(m, sar_id).status is SarStatus.GATHERING
    # The access record says who did what, without the notes withheld by default.
    log = views["access-log"].item.text
    assert "created a case note" in log and "created the case file" in log
    yp_note_created = [e for e in audit_log.iter_entries(m.conn)
                       if e.target_type == "note" and e.target_id == str(s.notes["yp"].id)]
    assert yp_note_created and "Carol Young" not in log  # Carol only wrote withheld things
    # Reading for a SAR is audited, with ids and counts only.
    reads = [e for e in audit_log.iter_entries(m.conn) if e.target_type == "sar"
             and e.action == AuditAction.RECORD_READ.value and '"items":' in e.detail]
    assert len(reads) == 1 and f'"cases":[{s.case_a.id},{s.case_b.id}]' in reads[0].detail
    assert "Jones" not in details(m)


def test_suggestions_for_a_parents_request(team: dict[str, Session], seeded: Seeded) -> None:
    m = team["manager"]
    views = views_by_key(sar_service.review_items(m, parent_request(m, seeded)))
    s = seeded

    def suggestion(key: str) -> tuple[Decision, Exemption | None]:
        d = views[key].decision
        assert views[key].state is DecisionState.SUGGESTED and d.suggested
        return d.decision, d.exemption

    assert suggestion(s.note_key("yp")) == (Decision.WITHHOLD, Exemption.YOUNG_PERSON_CONFIDENCE)
    assert suggestion(f"document:{s.yp_doc.id}") == (Decision.WITHHOLD,
                                                     Exemption.YOUNG_PERSON_CONFIDENCE)
    assert suggestion(s.note_key("yp_case")) == (Decision.WITHHOLD,
                                                 Exemption.YOUNG_PERSON_CONFIDENCE)
    assert suggestion(f"case:{s.case_b.id}")[0] is Decision.WITHHOLD
    assert suggestion(s.note_key("restricted")) == (Decision.WITHHOLD, Exemption.THIRD_PARTY)
    assert suggestion(s.note_key("safeguarding")) == (Decision.WITHHOLD, Exemption.CHILD_ABUSE)
    assert suggestion(f"concern:{s.concern.id}") == (Decision.WITHHOLD, Exemption.CHILD_ABUSE)
    assert suggestion(f"document:{s.pdf.id}") == (Decision.DISCLOSE, None)
    assert suggestion(f"person:{s.parent.id}") == (Decision.DISCLOSE, None)
    # Third parties redacted; the data subjects' own names never.
    normal = views[s.note_key("normal")]
    assert normal.decision.decision is Decision.REDACT
    hidden = [normal.item.text[sp.start:sp.end] for sp in normal.decision.spans]
    assert hidden == ["Mark Jones", "Priya Patel"]
    assert all(sp.exemption is Exemption.THIRD_PARTY for sp in normal.decision.spans)
    named = views[s.note_key("named")]
    assert [named.item.text[sp.start:sp.end] for sp in named.decision.spans] == ["Okafor"]
    summary = views[f"case:{s.case_a.id}"]
    assert [summary.item.text[sp.start:sp.end] for sp in summary.decision.spans] == [
        "Mark Jones"]
    for v in views.values():
        covered = " ".join(v.item.text[sp.start:sp.end] for sp in v.decision.spans)
        assert "Sarah" not in covered and "Tom" not in covered


def test_suggestions_for_the_young_persons_own_request(team: dict[str, Session],
                                                       seeded: Seeded) -> None:
    m = team["manager"]
    sar = sar_service.create_sar_for_refs(m, seeded.child.ref, Relationship.SELF, date.today(),
                                          identity_method=IdentityMethod.KNOWN_TO_SERVICE)
    assert sar.id is not None
    views = views_by_key(sar_service.review_items(m, sar.id))
    s = seeded
    assert f"person:{s.parent.id}" not in views  # only Tom is the data subject
    yp = views[s.note_key("yp")]
    assert yp.decision.decision is not Decision.WITHHOLD  # it is Tom's own confidence
    assert views[s.note_key("yp_case")].decision.decision is Decision.DISCLOSE
    assert views[s.note_key("safeguarding")].decision.exemption is Exemption.SERIOUS_HARM
    # For Tom, his mother is a third party; he is not.
    normal = views[s.note_key("normal")]
    hidden = [normal.item.text[sp.start:sp.end] for sp in normal.decision.spans]
    assert "Sarah Jones" in hidden and not any("Tom" in h for h in hidden)


# --- review: decisions persist and resume ------------------------------------------------


def test_decisions_persist_and_resume(team: dict[str, Session], seeded: Seeded,
                                      store: StoreFixture) -> None:
    m = team["manager"]
    sar_id = parent_request(m, seeded)
    views = views_by_key(sar_service.review_items(m, sar_id))
    s = seeded
    normal = views[s.note_key("normal")].item
    start = normal.text.index("Priya Patel")
    span = sar_service.select_span(normal, start + len("Priya Patel") + 1, start - 1)
    assert normal.text[span.start:span.end] == "Priya Patel"  # spaces trimmed, either way round
    decision = sar_service.add_span(normal, None, span)
    saved = sar_service.save_decision(m, sar_id, replace(decision, note="only the SENCO"))
    assert saved.confirmed and saved.decision.decided_by == MANAGER
    sar_service.save_decision(m, sar_id, sar_service.withhold(
        s.note_key("named"), Exemption.SERIOUS_HARM, note="risk to the social worker"))
    assert sar_service.get_sar(m, sar_id).status is SarStatus.REVIEW
    # Another session (a later day) resumes where the review stopped.
    admin = team["admin"]
    again = views_by_key(sar_service.review_items(admin, sar_id))
    assert again[s.note_key("normal")].state is DecisionState.CONFIRMED
    assert again[s.note_key("normal")].decision.spans == (span,)
    assert again[s.note_key("normal")].decision.note == "only the SENCO"
    assert again[s.note_key("named")].decision.exemption is Exemption.SERIOUS_HARM
    assert again[s.note_key("yp")].state is DecisionState.SUGGESTED
    # Accepting the suggestions fills only the rest, marked as suggestions.
    filled = sar_service.accept_suggested(admin, sar_id)
    assert filled == len(again) - 2
    after = views_by_key(sar_service.review_items(m, sar_id))
    assert after[s.note_key("normal")].state is DecisionState.CONFIRMED
    assert after[s.note_key("yp")].state is DecisionState.ACCEPTED
    assert all(v.decided for v in after.values())
    assert sar_service.accept_suggested(m, sar_id) == 0
    # Editing a note after its review makes the decision stale: reviewed again.
    note = notes.get_note(team["officer"], s.notes["normal"].id or 0)
    notes.update_note(team["officer"], replace(note, body=note.body + " Priya rang back."))
    stale = views_by_key(sar_service.review_items(m, sar_id))[s.note_key("normal")]
    assert stale.state is DecisionState.STALE and not stale.decided
    assert stale.saved is not None and stale.saved.spans == (span,)
    # Undo a decision.
    sar_service.clear_decision(m, sar_id, s.note_key("named"))
    cleared = views_by_key(sar_service.review_items(m, sar_id))[s.note_key("named")]
    assert cleared.state is DecisionState.SUGGESTED
    # Internal notes and reasons stay out of the audit log.
    assert "SENCO" not in details(m) and "social worker" not in details(m)


def test_bad_decisions_are_refused(team: dict[str, Session], seeded: Seeded) -> None:
    m = team["manager"]
    sar_id = parent_request(m, seeded)
    views = views_by_key(sar_service.review_items(m, sar_id))
    s = seeded
    doc = views[f"document:{s.pdf.id}"].item
    with pytest.raises(InvalidInput, match="partly redacted"):
        sar_service.save_decision(m, sar_id, sar_service.redact(doc.key, [Span(0, 3,
                                                                     Exemption.THIRD_PARTY)]))
    with pytest.raises(InvalidInput, match="partly redacted"):
        sar_service.select_span(doc, 0, 3)
    with pytest.raises(InvalidInput, match="exemption"):
        sar_service.save_decision(m, sar_id, ItemDecision(
            s.note_key("normal"), Decision.WITHHOLD))
    note = views[s.note_key("normal")].item
    with pytest.raises(InvalidInput, match="past the end"):
        sar_service.save_decision(m, sar_id, sar_service.redact(
            note.key, [Span(0, len(note.text) + 1, Exemption.THIRD_PARTY)]))
    with pytest.raises(InvalidInput, match="outside"):
        sar_service.select_span(note, 0, len(note.text) + 5)
    with pytest.raises(InvalidInput):
        sar_service.select_span(note, 5, 5)
    with pytest.raises(NotFound, match="no longer"):
        sar_service.save_decision(m, sar_id, sar_service.disclose("note:99999"))


def test_pack_refuses_without_decisions_or_identity(team: dict[str, Session], seeded: Seeded,
                                                    tmp_path: Path) -> None:
    m = team["manager"]
    out = tmp_path / "out"
    out.mkdir()
    sar_id = parent_request(m, seeded)
    with pytest.raises(InvalidInput, match="no decision yet"):
        sar_service.build_pack(m, sar_id, out / "pack.pdf")
    assert not (out / "pack.pdf").exists()
    unverified = parent_request(m, seeded, verified=False)
    with pytest.raises(InvalidInput, match="identity"):
        sar_service.build_pack(m, unverified, out / "pack.pdf", accept_suggested=True)
    (out / "taken.pdf").write_bytes(b"keep me")
    with pytest.raises(InvalidInput, match="already exists"):
        sar_service.build_pack(m, sar_id, out / "taken.pdf", accept_suggested=True)
    assert (out / "taken.pdf").read_bytes() == b"keep me"
    assert sorted(p.name for p in out.iterdir()) == ["taken.pdf"]
