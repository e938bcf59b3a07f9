"""Documents on a case, stored encrypted inside the store."""

from __future__ import annotations

import hashlib

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.documents import DocumentInfo, check_document
from sendiass_desktop.domain.errors import InvalidInput, NotFound
from sendiass_desktop.domain.visibility import can_see_note
from sendiass_desktop.services.access import (
    audit,
    audit_inspector_read,
    now,
    require_read,
    require_write,
    viewer,
)
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import documents as documents_repo
from sendiass_desktop.store import notes as notes_repo
from sendiass_desktop.store.connection import transaction


def add_document(session: Session, case_id: int, filename: str, data: bytes,
                 description: str = "", note_id: int | None = None) -> DocumentInfo:
    require_write(session)
    kind = check_document(filename, data)
    if len(description) > 1000:
        raise InvalidInput("The description is too long (at most 1,000 characters).")
    info = DocumentInfo(
        case_id=case_id, filename=filename.strip(), media_type=kind, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), added_by=session.user.username,
        added_at=now(), description=description.strip(), note_id=note_id,
    )
    with transaction(session.conn) as conn:
        cases_repo.get(conn, case_id)
        if note_id is not None and notes_repo.get(conn, note_id).case_id != case_id:
            raise InvalidInput("That note is not on this case.")
        saved = documents_repo.insert(conn, info, data)
        audit(conn, session, AuditAction.RECORD_CREATED, "document", saved.id,
              {"case_id": case_id, "size": len(data), "type": kind.value})
    return saved


def _visible(session: Session, info: DocumentInfo) -> bool:
    """A document attached to a note is as confidential as the note."""
    if info.note_id is None:
        return True
    note = notes_repo.get(session.conn, info.note_id)
    return can_see_note(viewer(session), note, cases_repo.get(session.conn, info.case_id))


def documents_for_case(session: Session, case_id: int) -> list[DocumentInfo]:
    require_read(session)
    audit_inspector_read(session, "documents", case_id)
    return [d for d in documents_repo.for_case(session.conn, case_id) if _visible(session, d)]


def read_document(session: Session, document_id: int) -> tuple[DocumentInfo, bytes]:
    """The decrypted bytes, in memory only; the caller decides how to show them."""
    require_read(session)
    with transaction(session.conn) as conn:
        info = documents_repo.get(conn, document_id)
        if info.deleted_at is not None or not _visible(session, info):
            raise NotFound("That document is not in the store.")
        data = documents_repo.content(conn, document_id)
        audit(conn, session, AuditAction.RECORD_READ, "document", document_id,
              {"case_id": info.case_id})
    if hashlib.sha256(data).hexdigest() != info.sha256:
        raise InvalidInput("The document's content does not match its checksum; the store may "
                           "be damaged. Run a store check.")
    return info, data


def delete_document(session: Session, document_id: int, deleted: bool = True) -> None:
    """Soft delete (or undo), audited."""
    require_write(session)
    with transaction(session.conn) as conn:
        info = documents_repo.get(conn, document_id)
        if not _visible(session, info):
            # Same answer as a missing document: hidden ones do not admit they exist.
            raise NotFound("That document is not in the store.")
        documents_repo.set_deleted(conn, document_id, deleted)
        audit(conn, session,
              AuditAction.RECORD_DELETED if deleted else AuditAction.RECORD_RESTORED,
              "document", document_id, {"case_id": info.case_id})
