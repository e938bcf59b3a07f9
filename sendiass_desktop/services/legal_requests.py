"""Requests for records for legal reasons (rule 5): two managers decide.

A Local Authority officer asks for a family's records, say for a judicial
review. The request is registered (by an officer or a manager), then two
*different* managers must approve it before anything can be extracted; a
refusal by any manager refuses it. The extract goes to the requesting body
with a copy to the family, made with the consented-extract machinery
(``services/disclosure.py``). See docs/decisions/0009-disclosures-and-inspection.md.

For the GUI:

* ``register_legal_request(session, case_id, requesting_body, legal_basis,
  description, received_on)`` -> ``LegalRequest`` (awaiting approval; whether
  the family has consented is worked out from the consent records);
* ``approve(session, request_id, reason)`` / ``refuse(session, request_id,
  reason)``: one decision per manager; the same manager twice counts once;
* ``sharing_basis(session, request_id)``: for each person whose consent is
  needed, consent or the override in force (or neither);
* ``record_legal_basis(session, request_id, justification)``: where the family
  has not consented, a manager records the legal obligation as an override
  (``services.consent.record_override``, ``OverrideGrounds.LEGAL_OBLIGATION``);
* ``prepare_legal_extract(session, request_id)`` -> ``ExtractDraft`` and
  ``build_legal_extract(session, request_id, draft, decisions, out,
  family_copy_out)`` -> ``ExtractResult``: only once approved, by a manager;
  the family's copy is required; the request becomes "extracted";
* ``legal_requests(session, ...)`` and ``get_legal_request(session, id)``.

Every step is audited with ids and codes only (never the body's name or the
reasons in words, which stay in the register).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import NoReturn

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import Case
from sendiass_desktop.domain.consent import (
    OverrideGrounds,
    Purpose,
    Recipient,
    ShareBasis,
    ShareOverride,
)
from sendiass_desktop.domain.errors import ConflictError, InvalidInput, PermissionDenied
from sendiass_desktop.domain.redaction import ItemDecision
from sendiass_desktop.reports.pack_pdf import ProgressCallback
from sendiass_desktop.services import consent as consent_service
from sendiass_desktop.services import disclosure
from sendiass_desktop.services.access import (
    audit,
    now,
    require_manager,
    require_read,
    require_write,
    today,
)
from sendiass_desktop.services.disclosure import (
    ConsentSubject,
    ExportedFile,
    ExtractDraft,
    ExtractResult,
)
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import legal_requests as legal_repo
from sendiass_desktop.store import people as people_repo
from sendiass_desktop.store.connection import Connection, transaction
from sendiass_desktop.store.legal_requests import (
    Approval,
    ApprovalDecision,
    LegalRequest,
    LegalStatus,
)

__all__ = [
    "REQUIRED_APPROVALS",
    "LegalRequest",
    "LegalStatus",
    "approve",
    "build_legal_extract",
    "get_legal_request",
    "legal_requests",
    "prepare_legal_extract",
    "record_legal_basis",
    "refuse",
    "register_legal_request",
    "sharing_basis",
]

REQUIRED_APPROVALS = 2  # rule 5; the refusal message says "two" in words
MAX_TEXT = 2000
MAX_BODY = 200
# Rule 5 is about requests from the Local Authority: consent to share records
# with the Local Authority covers them, and overrides are recorded for it.
RECIPIENT = Recipient.LA_SEND_TEAM
PURPOSE = Purpose.SHARE_RECORDS
CLOSED = frozenset({LegalStatus.EXTRACTED, LegalStatus.REFUSED})


def _text(value: str, what: str, limit: int = MAX_TEXT, required: bool = True) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput(f"Give the {what}.")
    if len(cleaned) > limit:
        raise InvalidInput(f"The {what} is too long (at most {limit:,} characters).")
    return cleaned


def _case(conn: Connection, request: LegalRequest) -> Case:
    if request.case_id is None:
        raise InvalidInput("The case this request was about is no longer held, so nothing "
                           "can be extracted.")
    return cases_repo.get(conn, request.case_id)


def _subjects(session: Session, case: Case) -> tuple[ConsentSubject, ...]:
    """Each person whose consent is needed, with the consent or override in force."""
    assert case.id is not None
    people = people_repo.many(session.conn, sorted({p.person_id for p in case.parties}))
    return tuple(
        ConsentSubject(s.person_id, s.role, consent_service.can_share(
            session, case.id, s.person_id, RECIPIENT, PURPOSE, ""))
        for s in disclosure.consent_subjects(case, people, today()))


def _with_body(session: Session, case: Case, request: LegalRequest
               ) -> tuple[ConsentSubject, ...]:
    """As ``_subjects``, for the requesting body by name (consent to the Local Authority
    in general covers it; an override is recorded for it by name)."""
    assert case.id is not None
    return tuple(
        ConsentSubject(s.person_id, s.role, consent_service.can_share(
            session, case.id, s.person_id, RECIPIENT, PURPOSE, request.requesting_body))
        for s in _subjects(session, case))


def _all_consented(subjects: Iterable[ConsentSubject]) -> bool:
    return all(s.share is not None and s.share.basis is ShareBasis.CONSENT for s in subjects)


# --- the register -------------------------------------------------------------------------------


def register_legal_request(session: Session, case_id: int, requesting_body: str,
                           legal_basis: str, description: str, received_on: date
                           ) -> LegalRequest:
    """Add a request to the register; it waits for two managers' approval."""
    require_write(session)
    body = " ".join(_text(requesting_body, "name of the body making the request",
                          MAX_BODY).split())
    basis = _text(legal_basis, "legal basis given for the request")
    what = _text(description, "description of the records asked for")
    if received_on > today():
        raise InvalidInput("A request cannot be received in the future.")
    case = cases_repo.get(session.conn, case_id)
    request = LegalRequest(ref="", case_id=case_id, requesting_body=body, legal_basis=basis,
                           description=what, received_on=received_on,
                           created_by=session.user.username)
    consented = _all_consented(_with_body(session, case, request))
    with transaction(session.conn) as conn:
        cases_repo.get(conn, case_id)
        saved = legal_repo.insert(conn, LegalRequest(
            ref="", case_id=case_id, requesting_body=body, legal_basis=basis, description=what,
            received_on=received_on, created_by=session.user.username,
            consent_recorded=consented))
        audit(conn, session, AuditAction.RECORD_CREATED, "legal_request", saved.id,
              {"case_id": case_id, "consent_recorded": consented})
    return saved


def get_legal_request(session: Session, request_id: int) -> LegalRequest:
    require_read(session)
    with transaction(session.conn) as conn:
        request = legal_repo.get(conn, request_id)
        audit(conn, session, AuditAction.RECORD_READ, "legal_request", request_id)
    return request


def legal_requests(session: Session, statuses: Iterable[LegalStatus] | None = None,
                   case_id: int | None = None) -> list[LegalRequest]:
    """The register (optionally some statuses or one case), oldest first."""
    require_read(session)
    with transaction(session.conn) as conn:
        rows = legal_repo.all_requests(conn, statuses, case_id)
        audit(conn, session, AuditAction.RECORD_READ, "legal_request", "",
              {"register_rows": len(rows)})
    return rows


# --- two managers decide -------------------------------------------------------------------------


def _refuse_attempt(session: Session, request_id: int, reason: str, message: str) -> NoReturn:
    session.audit(AuditAction.PERMISSION_REFUSED, "legal_request", str(request_id),
                  {"reason": reason})
    raise PermissionDenied(message)


def _decide(session: Session, request_id: int, decision: ApprovalDecision,
            reason: str) -> LegalRequest:
    require_manager(session, "approve or refuse a legal request")
    if session.via_recovery_key:
        _refuse_attempt(session, request_id, "recovery_key",
                        "Sign in with your own manager account to decide a legal request: "
                        "the decision is recorded under your name.")
    reason = _text(reason, "reason for refusing" if decision is ApprovalDecision.REFUSE
                   else "note on the approval", required=decision is ApprovalDecision.REFUSE)
    me = session.user.username
    with transaction(session.conn) as conn:
        request = legal_repo.get(conn, request_id)
        if request.status in CLOSED:
            raise InvalidInput(f"This request is already '{request.status.label}'; it cannot "
                               "change.")
        mine = {a.manager: a for a in request.approvals}.get(me)
        duplicate = (decision is ApprovalDecision.APPROVE and mine is not None
                     and mine.decision is ApprovalDecision.APPROVE)
        if not duplicate:
            legal_repo.save_approval(conn, request_id, Approval(me, decision, reason, now()))
            request = replace(request, approvals=legal_repo.approvals_for(conn, request_id))
            approvals = len(request.approved_by)
            if decision is ApprovalDecision.REFUSE:
                status = LegalStatus.REFUSED
            elif approvals >= REQUIRED_APPROVALS:
                status = LegalStatus.APPROVED
            else:
                status = LegalStatus.AWAITING_APPROVAL
            request = legal_repo.update(conn, replace(request, status=status))
            audit(conn, session, AuditAction.RECORD_UPDATED, "legal_request", request_id,
                  {"decision": decision.code, "approvals": approvals,
                   "status": request.status.code})
    if duplicate:
        # The same manager twice counts once: nothing is saved, and the attempt is logged.
        _refuse_attempt(session, request_id, "same_manager",
                        "You have already approved this request. A second manager, other "
                        "than you, must approve it too.")
    return request


def approve(session: Session, request_id: int, reason: str = "") -> LegalRequest:
    """This manager approves. Approvals from two different managers make it approved."""
    return _decide(session, request_id, ApprovalDecision.APPROVE, reason)


def refuse(session: Session, request_id: int, reason: str) -> LegalRequest:
    """This manager refuses (even after approving earlier): the request is refused."""
    return _decide(session, request_id, ApprovalDecision.REFUSE, reason)


# --- the basis for sharing -----------------------------------------------------------------------


def sharing_basis(session: Session, request_id: int) -> tuple[ConsentSubject, ...]:
    """For each person whose consent is needed: the consent or override in force, if any."""
    require_read(session)
    request = legal_repo.get(session.conn, request_id)
    return _with_body(session, _case(session.conn, request), request)


def _overrides_by_id(session: Session, case_id: int) -> dict[int, ShareOverride]:
    return {o.id: o for o in consent_service.overrides_for_case(session, case_id)
            if o.id is not None}


def _missing_basis(session: Session, case: Case, subjects: Iterable[ConsentSubject]
                   ) -> list[ConsentSubject]:
    """Subjects with neither consent nor a legal-obligation override (a safeguarding
    override is for a different purpose and does not count here)."""
    assert case.id is not None
    overrides = _overrides_by_id(session, case.id)
    missing = []
    for s in subjects:
        share = s.share
        if share is None or not share.allowed:
            missing.append(s)
        elif share.basis is ShareBasis.OVERRIDE:
            found = overrides.get(share.override_id or 0)
            if found is None or found.grounds is not OverrideGrounds.LEGAL_OBLIGATION:
                missing.append(s)
    return missing


def record_legal_basis(session: Session, request_id: int, justification: str,
                       valid_until: date | None = None) -> list[ShareOverride]:
    """Where the family has not consented: a manager records the legal obligation to
    disclose as an override, for each person without consent. Returns the overrides."""
    require_manager(session, "record the legal basis for a disclosure without consent")
    request = legal_repo.get(session.conn, request_id)
    if request.status in CLOSED:
        raise InvalidInput(f"This request is already '{request.status.label}'.")
    case = _case(session.conn, request)
    assert case.id is not None
    saved = [
        consent_service.record_override(
            session, case.id, s.person_id, RECIPIENT, PURPOSE, OverrideGrounds.LEGAL_OBLIGATION,
            justification, recipient_detail=request.requesting_body, valid_until=valid_until)
        for s in _missing_basis(session, case, _with_body(session, case, request))
    ]
    if saved:
        with transaction(session.conn) as conn:
            audit(conn, session, AuditAction.RECORD_UPDATED, "legal_request", request_id,
                  {"change": "legal_basis", "override_ids": [o.id for o in saved]})
    return saved


# --- the extract ------------------------------------------------------------------------------


def _ready(session: Session, request_id: int) -> tuple[LegalRequest, Case,
                                                       tuple[ConsentSubject, ...]]:
    """The request, its case and the basis for sharing; refuses (audited) unless two
    different managers approved it and consent or a legal override covers everyone."""
    request = legal_repo.get(session.conn, request_id)
    if request.status is not LegalStatus.APPROVED:
        if request.status is LegalStatus.AWAITING_APPROVAL:
            count = len(request.approved_by)
            message = ("This request needs approval from two different managers before "
                       f"anything can be extracted; it has {count}.")
        else:
            message = (f"This request is '{request.status.label}'; nothing more can be "
                       "extracted for it.")
        _refuse_attempt(session, request_id, f"status_{request.status.code}", message)
    case = _case(session.conn, request)
    subjects = _with_body(session, case, request)
    missing = _missing_basis(session, case, subjects)
    if missing:
        who = " and ".join(dict.fromkeys(s.role for s in missing))
        _refuse_attempt(session, request_id, "no_basis",
                        f"There is no consent from {who} to share records with the Local "
                        "Authority. A manager must record the legal basis for disclosing "
                        "without consent first.")
    return request, case, subjects


def prepare_legal_extract(session: Session, request_id: int, *, recipient_address: str = ""
                          ) -> ExtractDraft:
    """The case's items for the extract, once two managers have approved the request."""
    require_manager(session, "make the extract for a legal request")
    request, case, subjects = _ready(session, request_id)
    assert case.id is not None
    return disclosure.prepare(
        session, case.id, RECIPIENT, request.requesting_body, PURPOSE,
        recipient_address=recipient_address, requested_on=request.received_on,
        reference=request.ref, legal_request_id=request_id, subjects=subjects)


def build_legal_extract(session: Session, request_id: int, draft: ExtractDraft,
                        decisions: Mapping[str, ItemDecision] | Iterable[ItemDecision],
                        out: Path | str, family_copy_out: Path | str, *,
                        progress: ProgressCallback | None = None) -> ExtractResult:
    """Make the extract and the family's copy (both required, both logged); the request
    becomes "extracted"."""
    require_manager(session, "make the extract for a legal request")
    if draft.legal_request_id != request_id:
        raise InvalidInput("That extract was prepared for a different request; prepare it "
                           "again from this request.")
    if family_copy_out is None:
        raise InvalidInput("Choose where to save the family's copy: it is sent with every "
                           "extract for a legal request.")
    request, case, subjects = _ready(session, request_id)
    if draft.case_id != case.id:
        raise InvalidInput("That extract is of a different case; prepare it again from this "
                           "request.")
    consented = _all_consented(subjects)

    def mark(conn: Connection, main: ExportedFile, family: ExportedFile | None) -> None:
        current = legal_repo.get(conn, request_id)
        if current.status is not LegalStatus.APPROVED or current.version != request.version:
            raise ConflictError("The request changed while the extract was being made (a "
                                "manager may have refused it). Nothing was sent; reload it.")
        assert family is not None
        saved = legal_repo.update(conn, replace(
            current, status=LegalStatus.EXTRACTED, consent_recorded=consented,
            disclosure_id=main.disclosure_id, family_copy_id=family.disclosure_id))
        audit(conn, session, AuditAction.RECORD_UPDATED, "legal_request", request_id,
              {"status": saved.status.code, "disclosure_id": main.disclosure_id,
               "family_copy_id": family.disclosure_id, "consent_recorded": consented})

    return disclosure.build(session, draft, decisions, out, family_copy_out, progress=progress,
                            on_logged=mark, subjects=subjects)
