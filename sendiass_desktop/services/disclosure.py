"""Disclosure extracts: part of a case sent to another agency (rule 1), with a copy
for the family of exactly what was sent.

The extract is made with the SAR machinery: the case's records become review
items (``services.sar_gather.gather_case``) with the app's suggestion for an
outside agency (``Audience.EXTERNAL``: young-person confidential, restricted
and safeguarding records withheld, other people's names suggested for
redaction); the decisions are applied before rendering
(``services.sar_pack.assemble_items``), the PDF is made in memory
(``reports.pack_pdf.render_pack``), encrypted (``reports.pdf_encryption``) and
written atomically to a new file; each file goes in the disclosure log
(``disclosures``, kind ``extract``, ``other_ref`` = the case reference) and the
audit log. See docs/decisions/0009-disclosures-and-inspection.md.

For the GUI:

* ``prepare_extract(session, case_id, recipient, recipient_detail, purpose)``
  -> ``ExtractDraft``: refuses (with the reason, audited) unless consent, or a
  manager's override (``services.consent.record_override``), covers every
  person whose consent is needed (``consent_subjects``); otherwise the items
  with their suggested decisions. The draft is kept in memory only.
* The decisions are built with ``services.sar``'s ``select_span``,
  ``add_span``, ``remove_span``, ``disclose``, ``redact`` and ``withhold``, or
  ``leave_out`` here; ``check_extract_decision`` validates one as it is made.
* ``build_extract(session, draft, decisions, out, family_copy_out)`` ->
  ``ExtractResult``: the encrypted extract (and the family's copy), their
  passphrases (shown once, never stored) and disclosure ids. Items without a
  decision take the suggestion shown in the draft.
* ``extracts_for_case(session, case_id)``: the disclosure log for the case.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import Case
from sendiass_desktop.domain.consent import Purpose, Recipient, ShareDecision
from sendiass_desktop.domain.errors import InvalidInput, PermissionDenied
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.notes import Confidentiality
from sendiass_desktop.domain.pack import CoverLetter, Pack, PackKind
from sendiass_desktop.domain.passphrase import generate_passphrase
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.domain.redaction import Decision, ItemDecision
from sendiass_desktop.domain.visibility import Audience, can_see_note
from sendiass_desktop.reports.pack_pdf import ProgressCallback, render_pack
from sendiass_desktop.reports.pdf_encryption import encrypt_pdf
from sendiass_desktop.services import consent as consent_service
from sendiass_desktop.services.access import audit, now, require_read, require_write, today, viewer
from sendiass_desktop.services.sar import check_decision
from sendiass_desktop.services.sar_gather import ReviewItem, gather_case
from sendiass_desktop.services.sar_pack import (
    Assembled,
    address_lines,
    assemble_items,
    count_pages,
    last_chance_to_stop,
    service_letterhead,
    write_new_file,
)
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import people as people_repo
from sendiass_desktop.store import sar as sar_repo
from sendiass_desktop.store.connection import Connection, transaction
from sendiass_desktop.store.sar import Disclosure, DisclosureKind

__all__ = [
    "YOUNG_PERSON_AGE",
    "ConsentSubject",
    "ExportedFile",
    "ExtractDraft",
    "ExtractResult",
    "build_extract",
    "check_extract_decision",
    "consent_subjects",
    "extracts_for_case",
    "leave_out",
    "prepare_extract",
    "recipient_text",
]

# From the end of compulsory school age a young person makes their own decisions
# (Children and Families Act 2014, s.67 onwards); we take 16 as that age.
YOUNG_PERSON_AGE = 16
MAX_DETAIL = 200
MAX_ADDRESS = 500

_ROLE_WORDS = {
    PersonRole.PARENT_CARER: "the parent or carer",
    PersonRole.CHILD_YOUNG_PERSON: "the young person",
}


# --- whose consent is needed ------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentSubject:
    """Someone whose consent (or an override) a disclosure needs, and the answer."""

    person_id: int
    role: str  # "the parent or carer", "the young person": used in messages instead of a name
    share: ShareDecision | None = None


def age_on(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def consent_subjects(case: Case, people: Mapping[int, Person], on: date
                     ) -> tuple[ConsentSubject, ...]:
    """Whose consent a disclosure from ``case`` needs: the primary service user always, and
    the child too once they are a young person (16 or over on ``on``), who then decides
    for themselves. A younger child's parent consents for them."""
    subjects = [ConsentSubject(case.primary_person_id, _role_words(people.get(
        case.primary_person_id)))]
    child_id = case.child_person_id
    if child_id is not None and child_id != case.primary_person_id:
        child = people.get(child_id)
        if child is not None and child.date_of_birth is not None and (
                age_on(child.date_of_birth, on) >= YOUNG_PERSON_AGE):
            subjects.append(ConsentSubject(child_id, "the young person"))
    return tuple(subjects)


def _role_words(person: Person | None) -> str:
    if person is None:
        return "the service user"
    return _ROLE_WORDS.get(person.role, "the service user")


def recipient_text(recipient: Recipient, detail: str) -> str:
    """How the recipient is named in the disclosure log: "School or setting (Oak Academy)"."""
    return f"{recipient.label} ({detail})" if detail else recipient.label


def _case_subject_ids(case: Case) -> tuple[int, ...]:
    """Whose personal data an extract of the case carries (for a later SAR's list)."""
    ids = [case.primary_person_id]
    if case.child_person_id is not None and case.child_person_id not in ids:
        ids.append(case.child_person_id)
    return tuple(ids)


class _Refused(Exception):
    """Raised inside a transaction so it rolls back; audited and re-raised outside."""

    def __init__(self, message: str, detail: dict[str, Any]) -> None:
        super().__init__(message)
        self.detail = detail


def check_share(session: Session, case: Case, people: Mapping[int, Person],
                recipient: Recipient, detail: str, purpose: Purpose,
                subjects: Iterable[ConsentSubject] | None = None
                ) -> tuple[ConsentSubject, ...]:
    """Rule 1 for every subject: consent or an override, else refuse (audited) with the
    reason in plain words (who by role, never by name)."""
    assert case.id is not None
    checked: list[ConsentSubject] = []
    for subject in subjects or consent_subjects(case, people, today()):
        decision = consent_service.can_share(session, case.id, subject.person_id, recipient,
                                             purpose, detail)
        if not decision.allowed:
            session.audit(AuditAction.PERMISSION_REFUSED, "case", str(case.id),
                          {"reason": "no_consent", "recipient": recipient.value,
                           "purpose": purpose.value, "person_id": subject.person_id})
            raise PermissionDenied(f"The records cannot be shared for {subject.role}. "
                                   f"{decision.reason}")
        checked.append(replace(subject, share=decision))
    return tuple(checked)


# --- the draft --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtractDraft:
    """An extract being prepared: what would be sent, to whom, and on what basis."""

    case_id: int
    case_ref: str
    recipient: Recipient
    recipient_detail: str
    recipient_address: tuple[str, ...]
    purpose: Purpose
    requested_on: date
    reference: str  # printed on every page: the case reference, or a legal request's
    subjects: tuple[ConsentSubject, ...]  # with the consent or override that allows sharing
    items: tuple[ReviewItem, ...]
    prepared_by: str
    prepared_at: datetime
    legal_request_id: int | None = None

    @property
    def recipient_name(self) -> str:
        return self.recipient_detail or self.recipient.label

    def item(self, key: str) -> ReviewItem | None:
        for it in self.items:
            if it.key == key:
                return it
        return None

    def suggested_decisions(self) -> dict[str, ItemDecision]:
        return {it.key: it.suggestion for it in self.items}


def leave_out(item_key: str, note: str = "") -> ItemDecision:
    """Not part of this extract (it is simply not sent; no reason is printed)."""
    return ItemDecision(item_key, Decision.WITHHOLD, exemption=Exemption.NOT_PERSONAL_DATA,
                        note=note)


def _clean_detail(recipient: Recipient, detail: str, address: str) -> tuple[str, tuple[str, ...]]:
    detail = " ".join(detail.split())
    if recipient in (Recipient.NAMED_PROFESSIONAL, Recipient.OTHER) and not detail:
        raise InvalidInput("Name the professional or organisation the extract is for.")
    if len(detail) > MAX_DETAIL:
        raise InvalidInput(f"The recipient's name is too long (at most {MAX_DETAIL} "
                           "characters).")
    if len(address) > MAX_ADDRESS:
        raise InvalidInput(f"The recipient's address is too long (at most {MAX_ADDRESS} "
                           "characters).")
    return detail, address_lines(address, "")


def _items(conn: Connection, session: Session, case: Case, subject_ids: tuple[int, ...]
           ) -> tuple[dict[int, Person], tuple[ReviewItem, ...]]:
    """The case as review items for an outside agency, as far as this user may see it."""
    who = viewer(session)
    return gather_case(conn, case, Audience.EXTERNAL, subject_ids,
                       include_note=lambda n: can_see_note(who, n, case))


def prepare_extract(session: Session, case_id: int, recipient: Recipient,
                    recipient_detail: str = "", purpose: Purpose = Purpose.SHARE_RECORDS, *,
                    recipient_address: str = "", requested_on: date | None = None
                    ) -> ExtractDraft:
    """Check consent (rule 1) and gather the case's items with suggested decisions.

    Officers and managers may prepare extracts; the refusal when neither consent nor
    an override covers everyone is audited and says why.
    """
    require_write(session)
    return prepare(session, case_id, recipient, recipient_detail, purpose,
                   recipient_address=recipient_address, requested_on=requested_on)


def prepare(session: Session, case_id: int, recipient: Recipient, recipient_detail: str,
            purpose: Purpose, *, recipient_address: str = "", requested_on: date | None = None,
            reference: str = "", legal_request_id: int | None = None,
            subjects: Iterable[ConsentSubject] | None = None) -> ExtractDraft:
    """``prepare_extract`` without its permission check (``services.legal_requests``
    makes its own)."""
    detail, address = _clean_detail(recipient, recipient_detail, recipient_address)
    day = requested_on or today()
    if day > today():
        raise InvalidInput("The date of the request cannot be in the future.")
    case = cases_repo.get(session.conn, case_id)
    people = people_repo.many(session.conn, sorted({p.person_id for p in case.parties}))
    checked = check_share(session, case, people, recipient, detail, purpose, subjects)
    with transaction(session.conn) as conn:
        _subjects, items = _items(conn, session, case, _case_subject_ids(case))
        audit(conn, session, AuditAction.RECORD_READ, "case", case_id,
              {"purpose": "extract", "items": len(items), "recipient": recipient.value,
               **({"legal_request_id": legal_request_id} if legal_request_id else {})})
    return ExtractDraft(
        case_id=case_id, case_ref=case.ref, recipient=recipient, recipient_detail=detail,
        recipient_address=address, purpose=purpose, requested_on=day,
        reference=reference or case.ref, subjects=checked, items=items,
        prepared_by=session.user.username, prepared_at=now(),
        legal_request_id=legal_request_id,
    )


def check_extract_decision(session: Session, item: ReviewItem, decision: ItemDecision
                           ) -> ItemDecision:
    """Validate a decision for an extract; returns it with its spans merged.

    Beyond a SAR's checks: a young person's confidences never go to another agency
    (rule 3), and only a manager may send a restricted or safeguarding record.
    """
    decision = check_decision(item, decision)
    if decision.decision is Decision.WITHHOLD:
        return decision
    if item.confidentiality is Confidentiality.YOUNG_PERSON:
        raise InvalidInput("What a young person told the service in confidence is never sent "
                           "to another agency. Leave this item out.")
    if item.deleted:
        raise InvalidInput("A deleted record cannot be sent. Leave this item out.")
    if (item.confidentiality is Confidentiality.RESTRICTED or item.safeguarding) and (
            not session.can_manage_others()):
        raise PermissionDenied("Only a manager can decide to send a restricted or "
                               "safeguarding record. Leave this item out, or ask a manager.")
    return decision


# --- building the files -----------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedFile:
    path: Path
    sha256: str
    page_count: int
    passphrase: str = field(repr=False)  # show once, give by another channel; never stored
    disclosure_id: int
    recipient: str  # as in the disclosure log


@dataclass(frozen=True)
class ExtractResult:
    extract: ExportedFile
    family_copy: ExportedFile | None
    disclosed: int  # items in full
    redacted: int  # items with redactions
    left_out: int  # items not sent
    subjects: tuple[ConsentSubject, ...]  # the basis for sharing, person by person

    @property
    def disclosure_ids(self) -> tuple[int, ...]:
        ids = [self.extract.disclosure_id]
        if self.family_copy is not None:
            ids.append(self.family_copy.disclosure_id)
        return tuple(ids)


def _target(path: Path | str) -> Path:
    out = Path(path).expanduser().absolute()
    if out.exists():
        raise InvalidInput(f"'{out.name}' already exists; choose a new file name.")
    if not out.parent.is_dir():
        raise InvalidInput(f"The folder '{out.parent}' does not exist.")
    return out


def _decision_map(decisions: Mapping[str, ItemDecision] | Iterable[ItemDecision]
                  ) -> dict[str, ItemDecision]:
    if isinstance(decisions, Mapping):
        given = dict(decisions)
        for key, d in given.items():
            if d.item_key != key:
                raise InvalidInput("A decision is filed under a different item; review it again.")
        return given
    return {d.item_key: d for d in decisions}


@dataclass(frozen=True)
class _Prepared:
    case: Case
    people: dict[int, Person]
    assembled: Assembled
    items: int


def _letters(session: Session, conn: Connection, draft: ExtractDraft, case: Case,
             people: Mapping[int, Person], some_withheld: bool) -> tuple[CoverLetter,
                                                                         CoverLetter]:
    service_name, service_address = service_letterhead(conn)
    user = session.user
    primary = people[case.primary_person_id]
    child = (people.get(case.child_person_id) if case.child_person_id is not None
             and case.child_person_id != case.primary_person_id else None)
    about_family = primary.display_name + (f" and {child.display_name}" if child else "")
    if child is None:
        about_you = "you"
    elif primary.role is PersonRole.PARENT_CARER:
        about_you = f"you and your child, {child.display_name}"
    else:
        about_you = f"you and {child.display_name}"
    common: dict[str, Any] = {
        "service_name": service_name, "service_address": service_address,
        "reference": draft.reference, "received_on": draft.requested_on, "sent_on": today(),
        "signed_by": user.display_name or user.username, "signed_role": user.role.label,
        "some_withheld": some_withheld,
    }
    to_recipient = CoverLetter(requester_name=draft.recipient_name,
                               requester_address=draft.recipient_address,
                               about_whom=about_family, to_recipient=True, **common)
    to_family = CoverLetter(requester_name=primary.display_name,
                            requester_address=address_lines(primary.address, primary.postcode),
                            about_whom=about_you, **common)
    return to_recipient, to_family


def _assemble(session: Session, draft: ExtractDraft, given: dict[str, ItemDecision]
              ) -> _Prepared:
    """Inside a transaction: the case as it is now, checked against the draft."""
    conn = session.conn
    case = cases_repo.get(conn, draft.case_id)
    _subjects, items = _items(conn, session, case, _case_subject_ids(case))
    current = {it.key: it for it in items}
    unknown = set(given) - {it.key for it in draft.items}
    if unknown:
        raise InvalidInput("A decision is for an item that is not in this extract; prepare "
                           "the extract again.")
    use: list[ReviewItem] = []
    final: dict[str, ItemDecision] = {}
    for drafted in draft.items:
        decision = given.get(drafted.key, drafted.suggestion)
        item = current.get(drafted.key)
        if item is None or item.text_sha256 != drafted.text_sha256:
            if decision.decision is Decision.WITHHOLD:
                continue  # changed or gone, but not being sent: nothing to check
            raise InvalidInput("The case changed after the extract was prepared (a record "
                               "was edited or removed). Prepare the extract again.")
        try:
            final[item.key] = check_extract_decision(session, item, decision)
        except PermissionDenied as exc:
            raise _Refused(str(exc), {"reason": "manager_only", "item": item.key}) from None
        use.append(item)
    assembled = assemble_items(conn, use, final)
    if not assembled.records and not assembled.attachments:
        raise InvalidInput("Nothing is chosen to send. Choose at least one item to disclose.")
    people = people_repo.many(conn, sorted({p.person_id for p in case.parties}))
    return _Prepared(case, people, assembled, len(use))


OnLogged = Callable[[Connection, ExportedFile, ExportedFile | None], None]


def build_extract(session: Session, draft: ExtractDraft,
                  decisions: Mapping[str, ItemDecision] | Iterable[ItemDecision],
                  out: Path | str, family_copy_out: Path | str | None = None, *,
                  progress: ProgressCallback | None = None) -> ExtractResult:
    """Make the encrypted extract (and the family's copy) and log both.

    Consent is checked again, and every item to be sent must be unchanged since
    the draft was prepared. Both files are written before either is logged; if
    logging fails, neither is left behind.
    """
    require_write(session)
    if draft.legal_request_id is not None:
        raise InvalidInput("This extract answers a legal request: make it from the request, "
                           "once two managers have approved it.")
    return build(session, draft, decisions, out, family_copy_out, progress=progress)


def _share_of(progress: ProgressCallback | None, part: int, parts: int
              ) -> ProgressCallback | None:
    """``progress`` for one of ``parts`` files laid out in turn: each moves the bar its
    share of the way, and Cancel (a callback that raises) is heard during every one."""
    if progress is None:
        return None
    report = progress

    def share(fraction: float) -> None:
        report((part + fraction) / parts)

    return share


def build(session: Session, draft: ExtractDraft,
          decisions: Mapping[str, ItemDecision] | Iterable[ItemDecision],
          out: Path | str, family_copy_out: Path | str | None, *,
          progress: ProgressCallback | None = None, on_logged: OnLogged | None = None,
          subjects: Iterable[ConsentSubject] | None = None) -> ExtractResult:
    """``build_extract`` without its permission check; ``on_logged`` runs inside the
    transaction that logs the files (``services.legal_requests`` marks its request)."""
    target = _target(out)
    family_target = _target(family_copy_out) if family_copy_out is not None else None
    if family_target is not None and family_target == target:
        raise InvalidInput("The extract and the family's copy need different file names.")
    given = _decision_map(decisions)
    case = cases_repo.get(session.conn, draft.case_id)
    people = people_repo.many(session.conn, sorted({p.person_id for p in case.parties}))
    checked = check_share(session, case, people, draft.recipient, draft.recipient_detail,
                          draft.purpose, subjects)
    try:
        with transaction(session.conn) as conn:
            prepared = _assemble(session, draft, given)
            done = prepared.assembled
            audit(conn, session, AuditAction.RECORD_READ, "case", draft.case_id,
                  {"purpose": "extract", "items": prepared.items,
                   "documents": list(done.documents)})
            letter, family_letter = _letters(session, conn, draft, prepared.case,
                                             prepared.people,
                                             some_withheld=bool(done.withheld or done.redacted))
    except _Refused as refused:
        session.audit(AuditAction.PERMISSION_REFUSED, "case", str(draft.case_id),
                      refused.detail)
        raise PermissionDenied(str(refused)) from None

    def pack(to: CoverLetter) -> Pack:
        return Pack(kind=PackKind.DISCLOSURE, letter=to, article15=None, records=done.records,
                    attachments=done.attachments, exemptions_used=done.exemptions_used)

    files = [(target, pack(letter), recipient_text(draft.recipient, draft.recipient_detail))]
    if family_target is not None:
        files.append((family_target, pack(family_letter), family_letter.requester_name))
    rendered: list[tuple[Path, bytes, int, str, str]] = []
    for i, (path, p, who) in enumerate(files):
        pdf = render_pack(p, progress=_share_of(progress, i, len(files)))
        pages = count_pages(pdf)
        passphrase = generate_passphrase()
        rendered.append((path, encrypt_pdf(pdf, passphrase), pages, passphrase, who))
        del pdf
    last_chance_to_stop(progress)
    written: list[Path] = []
    try:
        for path, data, _pages, _pw, _who in rendered:
            write_new_file(path, data)
            written.append(path)
            if hashlib.sha256(path.read_bytes()).hexdigest() != hashlib.sha256(
                    data).hexdigest():
                raise InvalidInput("The extract did not read back as written; the disk may be "
                                   "faulty. It was removed; try another folder.")
        subject_ids = _case_subject_ids(prepared.case)
        with transaction(session.conn) as conn:
            exported: list[ExportedFile] = []
            for path, data, pages, passphrase, who in rendered:
                digest = hashlib.sha256(data).hexdigest()
                logged = sar_repo.insert_disclosure(conn, Disclosure(
                    kind=DisclosureKind.EXTRACT, recipient=who, sent_at=datetime.now(),
                    made_by=session.user.username, sha256=digest, page_count=pages,
                    encrypted=True, other_ref=prepared.case.ref, file_name=path.name,
                    subject_ids=subject_ids,
                ))
                assert logged.id is not None
                exported.append(ExportedFile(path, digest, pages, passphrase, logged.id, who))
            main = exported[0]
            family = exported[1] if len(exported) > 1 else None
            audit(conn, session, AuditAction.EXPORTED, "case", draft.case_id, {
                "kind": "extract", "disclosure_id": main.disclosure_id,
                "family_copy_id": family.disclosure_id if family else None,
                "recipient": draft.recipient.value, "purpose": draft.purpose.value,
                "basis": sorted({s.share.basis.value for s in checked if s.share}),
                "consent_ids": sorted(s.share.consent_id for s in checked
                                      if s.share and s.share.consent_id is not None),
                "override_ids": sorted(s.share.override_id for s in checked
                                       if s.share and s.share.override_id is not None),
                "pages": main.page_count, "sha256": main.sha256, "encrypted": True,
                "disclosed": done.disclosed, "redacted": done.redacted,
                "left_out": done.withheld,
                "legal_request_id": draft.legal_request_id,
            })
            if on_logged is not None:
                on_logged(conn, main, family)
    except BaseException:
        # A file that is not in the disclosure log must not be left behind.
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return ExtractResult(extract=main, family_copy=family, disclosed=done.disclosed,
                         redacted=done.redacted, left_out=done.withheld, subjects=checked)


def extracts_for_case(session: Session, case_id: int) -> list[Disclosure]:
    """Extracts of this case in the disclosure log (with the family's copies), oldest first."""
    require_read(session)
    with transaction(session.conn) as conn:
        case = cases_repo.get(conn, case_id)
        rows = [d for d in sar_repo.disclosures_about(conn, _case_subject_ids(case))
                if d.kind == DisclosureKind.EXTRACT and d.other_ref == case.ref]
        audit(conn, session, AuditAction.RECORD_READ, "case", case_id,
              {"purpose": "disclosure_log", "rows": len(rows)})
    return rows
