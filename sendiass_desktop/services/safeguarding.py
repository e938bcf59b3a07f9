"""Safeguarding concerns: raise, update, close (rule 2: always visible, always audited)."""

from __future__ import annotations

from dataclasses import replace

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.errors import EditConflict, InvalidInput
from sendiass_desktop.domain.safeguarding import ConcernStatus, SafeguardingConcern
from sendiass_desktop.services.access import (
    audit,
    audit_inspector_read,
    require_read,
    require_write,
    today,
)
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import notes as notes_repo
from sendiass_desktop.store import safeguarding as safeguarding_repo
from sendiass_desktop.store.connection import Connection, transaction


def _check_links(conn: Connection, concern: SafeguardingConcern) -> None:
    notes = notes_repo.many(conn, list(concern.linked_note_ids))
    if len(notes) != len(set(concern.linked_note_ids)) or any(
        n.case_id != concern.case_id for n in notes.values()
    ):
        raise InvalidInput("A linked note is not on this case.")


def raise_concern(session: Session, concern: SafeguardingConcern) -> SafeguardingConcern:
    require_write(session)
    concern = replace(concern, raised_by=session.user.username, id=None, version=1)
    concern.validate(today())
    with transaction(session.conn) as conn:
        cases_repo.get(conn, concern.case_id)
        _check_links(conn, concern)
        saved = safeguarding_repo.insert(conn, concern)
        audit(conn, session, AuditAction.RECORD_CREATED, "safeguarding", saved.id,
              {"case_id": concern.case_id, "action": concern.action.value})
    return saved


def update_concern(session: Session, concern: SafeguardingConcern) -> SafeguardingConcern:
    require_write(session)
    concern.validate(today())
    assert concern.id is not None
    with transaction(session.conn) as conn:
        current = safeguarding_repo.get(conn, concern.id)
        if current.version != concern.version:
            raise EditConflict("Someone else changed this concern while you were editing.",
                               mine=concern, theirs=current)
        _check_links(conn, concern)
        saved = safeguarding_repo.update(conn, replace(concern, case_id=current.case_id))
        audit(conn, session, AuditAction.RECORD_UPDATED, "safeguarding", saved.id,
              {"case_id": saved.case_id, "status": saved.status.value})
    return saved


def close_concern(session: Session, concern: SafeguardingConcern, outcome: str
                  ) -> SafeguardingConcern:
    return update_concern(session, replace(concern, status=ConcernStatus.CLOSED, outcome=outcome))


def concerns_for_case(session: Session, case_id: int) -> list[SafeguardingConcern]:
    require_read(session)
    audit_inspector_read(session, "safeguarding", case_id)
    return safeguarding_repo.for_case(session.conn, case_id)
