"""Consent records and the sharing decision (rule 1), with audited overrides."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.consent import (
    ConsentMethod,
    ConsentRecord,
    ConsentState,
    OverrideGrounds,
    Purpose,
    Recipient,
    ShareDecision,
    ShareOverride,
    check_justification,
    current_consent,
    decide_share,
)
from sendiass_desktop.domain.errors import InvalidInput, PermissionDenied
from sendiass_desktop.services.access import (
    audit,
    audit_inspector_read,
    now,
    require_manager,
    require_read,
    require_write,
    today,
)
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import consent as consent_repo
from sendiass_desktop.store.connection import transaction

MAX_OVERRIDE_DAYS = 28


def _person_on_case(session: Session, case_id: int, person_id: int) -> None:
    case = cases_repo.get(session.conn, case_id)
    if person_id not in {p.person_id for p in case.parties}:
        raise InvalidInput("That person is not on this case.")


def record_consent(session: Session, record: ConsentRecord) -> ConsentRecord:
    """Record consent given (or withdrawn), from now; the latest record decides."""
    require_write(session)
    record = replace(record, recorded_by=session.user.username, id=None,
                     recorded_at=record.recorded_at or now())
    record.validate()
    if record.recorded_at > now() + timedelta(minutes=1):
        raise InvalidInput("Consent cannot be recorded for a future time.")
    with transaction(session.conn) as conn:
        _person_on_case(session, record.case_id, record.person_id)
        saved = consent_repo.insert(conn, record)
        audit(conn, session, AuditAction.RECORD_CREATED, "consent", saved.id,
              {"case_id": record.case_id, "state": record.state.value,
               "recipient": record.recipient.value, "purpose": record.purpose.value})
    return saved


def withdraw_consent(session: Session, case_id: int, person_id: int, recipient: Recipient,
                     purpose: Purpose, method: ConsentMethod, recipient_detail: str = "",
                     notes: str = "") -> ConsentRecord:
    """Withdrawal takes effect from this moment."""
    return record_consent(session, ConsentRecord(
        case_id=case_id, person_id=person_id, recipient=recipient, purpose=purpose,
        state=ConsentState.WITHDRAWN, recorded_at=now(), method=method,
        recorded_by=session.user.username, recipient_detail=recipient_detail, notes=notes,
    ))


def consents_for_case(session: Session, case_id: int) -> list[ConsentRecord]:
    require_read(session)
    audit_inspector_read(session, "consents", case_id)
    return consent_repo.for_case(session.conn, case_id)


def consent_in_force(session: Session, case_id: int, person_id: int, recipient: Recipient,
                     purpose: Purpose, recipient_detail: str = "",
                     at: datetime | None = None) -> ConsentRecord | None:
    require_read(session)
    records = consent_repo.for_case(session.conn, case_id)
    return current_consent(records, person_id, recipient, purpose, recipient_detail, at or now())


def can_share(session: Session, case_id: int, person_id: int, recipient: Recipient,
              purpose: Purpose, recipient_detail: str = "",
              at: datetime | None = None) -> ShareDecision:
    """Yes or no, with the reason in plain words."""
    require_read(session)
    records = consent_repo.for_case(session.conn, case_id)
    overrides = consent_repo.overrides_for_case(session.conn, case_id)
    return decide_share(records, overrides, person_id, recipient, purpose, recipient_detail,
                        at or now())


def require_share(session: Session, case_id: int, person_id: int, recipient: Recipient,
                  purpose: Purpose, recipient_detail: str = "") -> ShareDecision:
    """For exports: refuse (and audit the refusal) unless sharing is allowed."""
    decision = can_share(session, case_id, person_id, recipient, purpose, recipient_detail)
    if not decision.allowed:
        session.audit(AuditAction.PERMISSION_REFUSED, "case", str(case_id),
                      {"reason": "no_consent", "recipient": recipient.value,
                       "purpose": purpose.value})
        raise PermissionDenied(decision.reason)
    return decision


def record_override(session: Session, case_id: int, person_id: int, recipient: Recipient,
                    purpose: Purpose, grounds: OverrideGrounds, justification: str,
                    recipient_detail: str = "", valid_until: date | None = None) -> ShareOverride:
    """A manager's decision to share without consent (rule 2), with its justification."""
    require_manager(session, "record a safeguarding or legal override")
    text = check_justification(justification)
    until = valid_until or today()
    if until < today() or until > today() + timedelta(days=MAX_OVERRIDE_DAYS):
        raise InvalidInput(f"An override can last from today up to {MAX_OVERRIDE_DAYS} days.")
    override = ShareOverride(
        case_id=case_id, person_id=person_id, recipient=recipient, purpose=purpose,
        grounds=grounds, justification=text, decided_by=session.user.username,
        decided_at=now(), valid_until=until, recipient_detail=recipient_detail,
    )
    with transaction(session.conn) as conn:
        _person_on_case(session, case_id, person_id)
        saved = consent_repo.insert_override(conn, override)
        audit(conn, session, AuditAction.OVERRIDE, "case", case_id,
              {"override_id": saved.id, "grounds": grounds.value, "recipient": recipient.value,
               "purpose": purpose.value})
    return saved


def overrides_for_case(session: Session, case_id: int) -> list[ShareOverride]:
    require_read(session)
    audit_inspector_read(session, "overrides", case_id)
    return consent_repo.overrides_for_case(session.conn, case_id)
