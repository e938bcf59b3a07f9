"""Raising an issue with the Local Authority, anonymously unless consented (rule 4).

An officer writes the issue from a case; the app takes out everything that
would identify the family (``domain.anonymise``) and shows what it replaced,
by category and count, for review. The identified version (the officer's own
text) is allowed only where consent to be identified to the Local Authority
is recorded for everyone whose consent is needed (``Purpose.BE_IDENTIFIED``;
an override does not count: rule 4 speaks of consent only). The approved
letter is kept in ``escalations`` and audited; it is exported as plain text
or a simple PDF. An anonymised letter holds no personal data and is written
unencrypted; an identified one is a disclosure: PDF only, encrypted with a
passphrase, and logged in the disclosure log. See
docs/decisions/0009-disclosures-and-inspection.md.

For the GUI:

* ``draft_escalation(session, case_id, issue, keep_school=False)`` ->
  ``EscalationDraft``: the anonymised text, what was replaced
  (``anonymised.replacements``; ``describe_replacements`` in words), and
  whether the identified version is allowed (with the reason);
* ``save_escalation(session, case_id, letter, identified=False,
  keep_school=False)`` -> ``Escalation``: an anonymised letter is checked
  again and refused if anything identifying is left in it;
* ``export_escalation(session, escalation_id, out)`` -> ``EscalationExport``
  (``.txt`` or ``.pdf``; an identified letter ``.pdf`` only, encrypted);
* ``escalations_for_case(session, case_id)``.
"""

from __future__ import annotations

import functools
import hashlib
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sendiass_desktop.domain import anonymise as anon
from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import Case, PartyRole
from sendiass_desktop.domain.consent import Purpose, Recipient, ShareBasis
from sendiass_desktop.domain.errors import InvalidInput, PermissionDenied
from sendiass_desktop.domain.passphrase import generate_passphrase
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.reports.pdf_encryption import encrypt_pdf
from sendiass_desktop.reports.recovery_sheet import format_uk_date
from sendiass_desktop.services import consent as consent_service
from sendiass_desktop.services.access import audit, now, require_read, require_write, today
from sendiass_desktop.services.disclosure import consent_subjects, recipient_text
from sendiass_desktop.services.sar_pack import count_pages, service_letterhead, write_new_file
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import escalations as escalations_repo
from sendiass_desktop.store import notes as notes_repo
from sendiass_desktop.store import people as people_repo
from sendiass_desktop.store import sar as sar_repo
from sendiass_desktop.store.connection import Connection, transaction
from sendiass_desktop.store.escalations import Escalation
from sendiass_desktop.store.sar import Disclosure, DisclosureKind

__all__ = [
    "Escalation",
    "EscalationDraft",
    "EscalationExport",
    "describe_replacements",
    "draft_escalation",
    "escalations_for_case",
    "export_escalation",
    "identifiers_for_case",
    "save_escalation",
]

MAX_LETTER = 20_000
RECIPIENT = Recipient.LA_SEND_TEAM
describe_replacements = anon.describe


# --- what identifies the people on a case ---------------------------------------------------


def _placeholder(role: PartyRole, person: Person) -> str:
    if role is PartyRole.CHILD or person.role is PersonRole.CHILD_YOUNG_PERSON:
        return anon.YOUNG_PERSON
    if role in (PartyRole.PRIMARY, PartyRole.OTHER_PARENT):
        return anon.PARENT
    if role is PartyRole.PROFESSIONAL or person.role is PersonRole.PROFESSIONAL:
        return anon.PROFESSIONAL
    return anon.OTHER_PERSON


def identifiers_for_case(conn: Connection, case: Case) -> anon.Identifiers:
    """Everyone on the case, what identifies them, and the case's school and reference."""
    assert case.id is not None
    people = people_repo.many(conn, sorted({p.person_id for p in case.parties}))
    details = []
    for party in case.parties:
        person = people.get(party.person_id)
        if person is None:
            continue
        details.append(anon.PersonDetails(
            names=tuple(n for n in (person.given_name, person.family_name) if n.strip()),
            placeholder=_placeholder(party.role, person),
            date_of_birth=person.date_of_birth, email=person.email, phone=person.phone,
            address=person.address, postcode=person.postcode, ref=person.ref))
    others = tuple(dict.fromkeys(
        name for n in notes_repo.for_case(conn, case.id, include_deleted=True)
        for name in n.third_parties))
    return anon.Identifiers(
        people=tuple(details), other_names=others, references=(case.ref,),
        schools=(case.school_setting,) if case.school_setting.strip() else (),
        keep=(case.local_authority,) if case.local_authority.strip() else ())


# --- consent to be identified -------------------------------------------------------------------


@dataclass(frozen=True)
class _Identified:
    allowed: bool
    reason: str
    consent_id: int | None = None


def _identified(session: Session, case: Case) -> _Identified:
    assert case.id is not None
    people = people_repo.many(session.conn, sorted({p.person_id for p in case.parties}))
    first: int | None = None
    for subject in consent_subjects(case, people, today()):
        share = consent_service.can_share(session, case.id, subject.person_id, RECIPIENT,
                                          Purpose.BE_IDENTIFIED)
        if not share.allowed or share.basis is not ShareBasis.CONSENT:
            return _Identified(False, f"No consent from {subject.role} to be named to the "
                                      "Local Authority: the issue must be raised anonymously.")
        first = first if first is not None else share.consent_id
    return _Identified(True, "Consent to be named to the Local Authority is recorded.", first)


# --- drafting and saving ------------------------------------------------------------------------


@dataclass(frozen=True)
class EscalationDraft:
    case_id: int
    anonymised: anon.Anonymised  # the text to review, and what was replaced (no values)
    identified_allowed: bool
    identified_reason: str
    keep_school: bool

    @property
    def replaced(self) -> str:
        """ "3 names, 1 date of birth" """
        return anon.describe(self.anonymised.replacements)


def _letter_text(text: str) -> str:
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not cleaned:
        raise InvalidInput("Write the issue you want to raise.")
    if len(cleaned) > MAX_LETTER:
        raise InvalidInput(f"The letter is too long (at most {MAX_LETTER:,} characters).")
    return cleaned


def draft_escalation(session: Session, case_id: int, issue: str, *,
                     keep_school: bool = False) -> EscalationDraft:
    """The issue with identifying details replaced, for review before it is saved."""
    require_write(session)
    text = _letter_text(issue)
    with transaction(session.conn) as conn:
        case = cases_repo.get(conn, case_id)
        result = anon.anonymise(text, identifiers_for_case(conn, case), keep_school=keep_school)
        audit(conn, session, AuditAction.RECORD_READ, "case", case_id,
              {"purpose": "escalation", "replaced": result.total})
    identified = _identified(session, case)
    return EscalationDraft(case_id, result, identified.allowed, identified.reason, keep_school)


def save_escalation(session: Session, case_id: int, letter: str, *, identified: bool = False,
                    keep_school: bool = False) -> Escalation:
    """Keep the approved letter. An anonymised letter must hold nothing identifying (it
    is checked again, as the officer may have edited it); an identified one needs the
    consent to be identified."""
    require_write(session)
    text = _letter_text(letter)
    case = cases_repo.get(session.conn, case_id)
    consent_id: int | None = None
    if identified:
        allowed = _identified(session, case)
        if not allowed.allowed:
            session.audit(AuditAction.PERMISSION_REFUSED, "case", str(case_id),
                          {"reason": "no_consent", "purpose": Purpose.BE_IDENTIFIED.value})
            raise PermissionDenied(allowed.reason)
        consent_id = allowed.consent_id
    with transaction(session.conn) as conn:
        if not identified:
            left = anon.remaining(text, identifiers_for_case(conn, case), keep_school=keep_school)
            if left:
                raise InvalidInput("The letter still contains details that could identify the "
                                   f"family ({anon.describe(left)}). Anonymise it again, or "
                                   "take them out.")
        saved = escalations_repo.insert(conn, Escalation(
            case_id=case_id, identified=identified, letter=text,
            created_by=session.user.username, created_at=now(), consent_id=consent_id))
        audit(conn, session, AuditAction.RECORD_CREATED, "escalation", saved.id,
              {"case_id": case_id, "identified": identified, "consent_id": consent_id,
               "keep_school": keep_school})
    return saved


def escalations_for_case(session: Session, case_id: int) -> list[Escalation]:
    require_read(session)
    with transaction(session.conn) as conn:
        rows = escalations_repo.for_case(conn, case_id)
        audit(conn, session, AuditAction.RECORD_READ, "case", case_id,
              {"purpose": "escalations", "rows": len(rows)})
    return rows


# --- exporting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EscalationExport:
    path: Path
    sha256: str
    encrypted: bool
    passphrase: str | None = field(default=None, repr=False)  # identified letters: show once
    disclosure_id: int | None = None  # identified letters are logged as disclosures


@dataclass(frozen=True)
class _Letter:
    service_name: str
    service_address: tuple[str, ...]
    to: str
    sent_on: str
    reference: str
    body: str
    signed_by: str
    signed_role: str


def _plain(letter: _Letter) -> str:
    lines = [letter.service_name, *letter.service_address, "", letter.sent_on, "",
             letter.to, "", f"Our reference: {letter.reference}", "",
             "An issue raised by our service", "", letter.body, "", "Yours faithfully,", "",
             letter.signed_by, letter.signed_role, letter.service_name]
    return "\n".join(lines).strip() + "\n"


_FONT_DIR = Path(__file__).resolve().parent.parent / "resources" / "fonts"


@functools.cache
def _font() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = _FONT_DIR / "DejaVuSans.ttf", _FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return "Helvetica", "Helvetica-Bold"
    pdfmetrics.registerFont(TTFont("SendiassLetter", str(regular)))
    pdfmetrics.registerFont(TTFont("SendiassLetter-Bold", str(bold)))
    return "SendiassLetter", "SendiassLetter-Bold"


def _markup(text: str) -> str:
    kept = "".join(c for c in text if c == "\n" or unicodedata.category(c) not in ("Cc", "Cs"))
    return escape(kept).replace("\n", "<br/>")


def _pdf(letter: _Letter) -> bytes:
    """A plain one- or two-page letter (reportlab), built in memory."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    regular, bold = _font()
    body = ParagraphStyle("body", fontName=regular, fontSize=11, leading=15, spaceAfter=8)
    tight = ParagraphStyle("tight", parent=body, spaceAfter=0)
    heading = ParagraphStyle("heading", parent=body, fontName=bold, spaceBefore=4)
    story: list[Any] = [Paragraph(_markup(letter.service_name), heading)]
    story += [Paragraph(_markup(line), tight) for line in letter.service_address]
    story += [Spacer(1, 8 * mm), Paragraph(_markup(letter.sent_on), tight), Spacer(1, 4 * mm),
              Paragraph(_markup(letter.to), tight), Spacer(1, 4 * mm),
              Paragraph(f"Our reference: {_markup(letter.reference)}", tight),
              Spacer(1, 6 * mm), Paragraph("An issue raised by our service", heading)]
    for paragraph in letter.body.split("\n\n"):
        if paragraph.strip():
            story.append(Paragraph(_markup(paragraph.strip()), body))
    story += [Spacer(1, 4 * mm), Paragraph("Yours faithfully,", tight), Spacer(1, 10 * mm),
              Paragraph(_markup(letter.signed_by), heading),
              Paragraph(_markup(letter.signed_role), tight),
              Paragraph(_markup(letter.service_name), tight)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm,
                            topMargin=20 * mm, bottomMargin=20 * mm,
                            title="Issue raised with the Local Authority",
                            author=letter.service_name[:120], subject="", creator="SENDIASS")
    doc.build(story)
    return buffer.getvalue()


def export_escalation(session: Session, escalation_id: int, out: Path | str
                      ) -> EscalationExport:
    """Write the letter to a new file: ``.txt`` or ``.pdf`` for an anonymised letter
    (unencrypted: it holds no personal data); ``.pdf`` only for an identified one,
    encrypted, with the passphrase returned once and the file logged as a disclosure."""
    require_write(session)
    target = Path(out).expanduser().absolute()
    suffix = target.suffix.lower()
    if suffix not in (".txt", ".pdf"):
        raise InvalidInput("Name the file with .txt or .pdf at the end; the ending chooses the "
                           "format.")
    if target.exists():
        raise InvalidInput(f"'{target.name}' already exists; choose a new file name.")
    if not target.parent.is_dir():
        raise InvalidInput(f"The folder '{target.parent}' does not exist.")
    conn = session.conn
    escalation = escalations_repo.get(conn, escalation_id)
    if escalation.identified and suffix != ".pdf":
        raise InvalidInput("A letter that names the family is exported as an encrypted PDF "
                           "only. Name the file with .pdf at the end.")
    case = cases_repo.get(conn, escalation.case_id) if escalation.case_id is not None else None
    service_name, service_address = service_letterhead(conn)
    la = case.local_authority.strip() if case is not None else ""
    letter = _Letter(
        service_name=service_name, service_address=service_address,
        to=f"{la} SEND team" if la else "The Local Authority SEND team",
        sent_on=format_uk_date(today()),
        reference=f"E{escalation_id:05d}", body=escalation.letter,
        signed_by=session.user.display_name or session.user.username,
        signed_role=session.user.role.label)
    passphrase: str | None = None
    pages = 1
    if suffix == ".txt":
        data = ("\ufeff" + _plain(letter)).encode("utf-8")
    else:
        data = _pdf(letter)
        pages = count_pages(data)
        if escalation.identified:
            passphrase = generate_passphrase()
            data = encrypt_pdf(data, passphrase)
    digest = hashlib.sha256(data).hexdigest()
    write_new_file(target, data)
    try:
        with transaction(conn) as tx:
            disclosure_id: int | None = None
            if escalation.identified and case is not None:
                logged = sar_repo.insert_disclosure(tx, Disclosure(
                    kind=DisclosureKind.EXTRACT, recipient=recipient_text(RECIPIENT, la),
                    sent_at=datetime.now(), made_by=session.user.username, sha256=digest,
                    page_count=pages, encrypted=True, other_ref=case.ref,
                    file_name=target.name,
                    subject_ids=tuple(p.person_id for p in case.parties
                                      if p.role in (PartyRole.PRIMARY, PartyRole.CHILD))))
                disclosure_id = logged.id
            escalations_repo.mark_exported(tx, escalation_id, now())
            audit(tx, session, AuditAction.EXPORTED, "escalation", escalation_id,
                  {"case_id": escalation.case_id, "format": suffix[1:],
                   "identified": escalation.identified, "encrypted": passphrase is not None,
                   "sha256": digest, "disclosure_id": disclosure_id})
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return EscalationExport(target, digest, passphrase is not None, passphrase, disclosure_id)
