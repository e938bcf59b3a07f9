"""One case's audit trail for managers, and recording a saved copy of a document.

The audit log is keyed by record (``target_type``, ``target_id``), so a
case's trail is the entries for the case itself and for every record that
belongs to it: notes (deleted ones too), documents, safeguarding concerns,
consent records and deadlines. Reading the trail is itself audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sendiass_desktop.domain.audit import AuditAction, AuditEntry
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services.access import audit, require_read, require_write
from sendiass_desktop.services.session import RECOVERY_ACTOR, Session
from sendiass_desktop.store import audit_log
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import consent as consent_repo
from sendiass_desktop.store import deadlines as deadlines_repo
from sendiass_desktop.store import documents as documents_repo
from sendiass_desktop.store import notes as notes_repo
from sendiass_desktop.store import safeguarding as safeguarding_repo
from sendiass_desktop.store import users as users_repo
from sendiass_desktop.store.connection import transaction

MAX_ENTRIES = 5000

_RECORD_NAMES = {
    "case": "the case",
    "note": "a note",
    "document": "a document",
    "safeguarding": "a safeguarding concern",
    "consent": "a consent record",
    "deadline": "a deadline or task",
    "deadlines": "the statutory deadlines",
}

_VERBS = {
    AuditAction.RECORD_READ.value: "Opened",
    AuditAction.RECORD_CREATED.value: "Added",
    AuditAction.RECORD_UPDATED.value: "Changed",
    AuditAction.RECORD_DELETED.value: "Deleted",
    AuditAction.RECORD_RESTORED.value: "Restored",
    AuditAction.EXPORTED.value: "Saved a copy of",
    AuditAction.OVERRIDE.value: "Recorded a sharing override on",
    AuditAction.PERMISSION_REFUSED.value: "Was refused access to",
}


@dataclass(frozen=True)
class CaseAuditEntry:
    """One line of a case's audit trail, in words a manager can read."""

    seq: int
    at: datetime  # local time
    actor: str  # username (or "recovery-key")
    actor_name: str
    action: str  # the stored AuditAction value
    record_type: str  # "case", "note", …
    record_id: str
    description: str  # e.g. "Changed a note"


def _describe(entry: AuditEntry) -> str:
    verb = _VERBS.get(entry.action, entry.action)
    record = _RECORD_NAMES.get(entry.target_type, entry.target_type)
    if entry.action == AuditAction.RECORD_CREATED.value and entry.target_type == "deadlines":
        return "Set the statutory deadlines"
    text = f"{verb} {record}"
    try:
        detail: dict[str, Any] = json.loads(entry.detail or "{}")
    except ValueError:
        detail = {}
    if entry.target_type == "case" and entry.action == AuditAction.RECORD_READ.value:
        shown = detail.get("notes_shown")
        if isinstance(shown, int):
            text += f" ({shown} note{'s' if shown != 1 else ''} shown)"
    if entry.target_type == "case_audit":
        text = "Looked at this audit trail"
    return text


def _local(at: str) -> datetime:
    moment = datetime.fromisoformat(at)
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def case_audit_trail(session: Session, case_id: int,
                     limit: int = MAX_ENTRIES) -> list[CaseAuditEntry]:
    """Who opened or changed this case and its records, and when; newest first."""
    require_read(session)
    session.require(Permission.VIEW_AUDIT, "see the audit trail")
    conn = session.conn
    cases_repo.get(conn, case_id)  # NotFound for a case that is not there
    targets: list[tuple[str, int]] = [("case", case_id), ("deadlines", case_id),
                                      ("case_audit", case_id)]
    targets += [("note", n.id) for n in notes_repo.for_case(conn, case_id, include_deleted=True)
                if n.id is not None]
    targets += [("document", d.id) for d in documents_repo.for_case(conn, case_id, True)
                if d.id is not None]
    targets += [("safeguarding", c.id) for c in safeguarding_repo.for_case(conn, case_id)
                if c.id is not None]
    targets += [("consent", r.id) for r in consent_repo.for_case(conn, case_id)
                if r.id is not None]
    targets += [("deadline", d.id) for d in deadlines_repo.for_case(conn, case_id)
                if d.id is not None]
    seen: dict[int, AuditEntry] = {}
    for kind, ident in targets:
        for entry in audit_log.entries_for(conn, kind, str(ident), limit):
            seen[entry.seq] = entry
    names = {u.username: u.display_name for u in users_repo.all_users(conn)}
    names[RECOVERY_ACTOR] = "Recovery key"
    ordered = sorted(seen.values(), key=lambda e: e.seq, reverse=True)[:limit]
    trail = [
        CaseAuditEntry(
            seq=e.seq, at=_local(e.at), actor=e.actor, actor_name=names.get(e.actor, e.actor),
            action=e.action, record_type=e.target_type, record_id=e.target_id,
            description=_describe(e),
        )
        for e in ordered
    ]
    with transaction(conn) as tx:
        audit(tx, session, AuditAction.RECORD_READ, "case_audit", case_id,
              {"entries": len(trail)})
    return trail


def record_saved_copy(session: Session, document_id: int) -> None:
    """Log that the user is about to save a decrypted copy of a document outside the store.

    Called before the file is written, so a refusal writes nothing. Inspectors
    (read-only) may look at documents but not take copies away.
    """
    require_write(session)
    with transaction(session.conn) as conn:
        info = documents_repo.get(conn, document_id)
        audit(conn, session, AuditAction.EXPORTED, "document", document_id,
              {"case_id": info.case_id, "kind": "saved_copy"})
