"""Case notes: add, edit (optimistic concurrency), soft delete with undo, drafts.

Nothing typed is lost: when a save loses a race, the user's text is kept
as a draft and both versions are returned for merging.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.errors import EditConflict, NotFound, PermissionDenied
from sendiass_desktop.domain.notes import Confidentiality, Note, clean_third_parties
from sendiass_desktop.domain.visibility import can_see_note
from sendiass_desktop.services.access import audit, now, require_read, require_write, viewer
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import drafts as drafts_repo
from sendiass_desktop.store import notes as notes_repo
from sendiass_desktop.store import search_index
from sendiass_desktop.store.connection import transaction
from sendiass_desktop.store.drafts import Draft


def _may_edit(session: Session, note: Note) -> bool:
    return note.author == session.user.username or viewer(session).is_manager


def add_note(session: Session, note: Note) -> Note:
    """Save a new note as the signed-in user; its draft (if any) is discarded."""
    require_write(session)
    note = replace(note, author=session.user.username, id=None, version=1, deleted_at=None,
                   third_parties=clean_third_parties(note.third_parties))
    note.validate(now())
    with transaction(session.conn) as conn:
        cases_repo.get(conn, note.case_id)  # the case must exist
        saved = notes_repo.insert(conn, note)
        search_index.index_note(conn, saved)
        drafts_repo.discard(conn, session.user.username, note.case_id, None)
        audit(conn, session, AuditAction.RECORD_CREATED, "note", saved.id,
              {"case_id": note.case_id, "confidentiality": note.confidentiality.value,
               "safeguarding": note.safeguarding})
    return saved


def _visible_note(session: Session, note_id: int) -> Note:
    note = notes_repo.get(session.conn, note_id)
    case = cases_repo.get(session.conn, note.case_id)
    if not can_see_note(viewer(session), note, case):
        # The same answer as a missing note: hidden notes do not admit they exist.
        raise NotFound("That note is not in the store.")
    return note


def get_note(session: Session, note_id: int) -> Note:
    require_read(session)
    with transaction(session.conn) as conn:
        note = _visible_note(session, note_id)
        audit(conn, session, AuditAction.RECORD_READ, "note", note_id)
    return note


def update_note(session: Session, note: Note) -> Note:
    require_write(session)
    note = replace(note, third_parties=clean_third_parties(note.third_parties))
    assert note.id is not None
    note.validate(now())
    with transaction(session.conn) as conn:
        current = _visible_note(session, note.id)
        if not _may_edit(session, current):
            raise PermissionDenied("Only the note's author or a manager can change it.")
        if current.version != note.version or current.deleted:
            drafts_repo.save(conn, session.user.username, note.case_id, note.id, note.body,
                             _fields(note))
            conflict = EditConflict(
                "Someone else changed this note while you were editing. Your text is kept as "
                "a draft; both versions are shown so you can merge them.",
                mine=note, theirs=current)
        else:
            conflict = None
            note = replace(note, author=current.author, case_id=current.case_id)
            saved = notes_repo.update(conn, note)
            search_index.index_note(conn, saved)
            drafts_repo.discard(conn, session.user.username, note.case_id, note.id)
            audit(conn, session, AuditAction.RECORD_UPDATED, "note", saved.id,
                  {"case_id": note.case_id})
    if conflict is not None:  # raised after commit so the draft is kept
        raise conflict
    return saved


def delete_note(session: Session, note: Note) -> Note:
    """Soft delete: hidden everywhere, kept for undo and audit."""
    return _set_deleted(session, note, deleted=True)


def undo_delete_note(session: Session, note: Note) -> Note:
    return _set_deleted(session, note, deleted=False)


def _set_deleted(session: Session, note: Note, deleted: bool) -> Note:
    require_write(session)
    assert note.id is not None
    with transaction(session.conn) as conn:
        current = notes_repo.get(conn, note.id)
        case = cases_repo.get(conn, current.case_id)
        if not can_see_note(viewer(session), current, case):
            raise NotFound("That note is not in the store.")
        if not _may_edit(session, current):
            raise PermissionDenied("Only the note's author or a manager can delete it.")
        if current.version != note.version:
            raise EditConflict("Someone else changed this note first. Reload it and try again.",
                               mine=note, theirs=current)
        saved = notes_repo.set_deleted(conn, current, session.user.username if deleted else None)
        if deleted:
            search_index.remove(conn, search_index.DocKind.NOTE, note.id)
        else:
            search_index.index_note(conn, saved)
        audit(conn, session, AuditAction.RECORD_DELETED if deleted else AuditAction.RECORD_RESTORED,
              "note", note.id, {"case_id": current.case_id})
    return saved


def notes_for_case(session: Session, case_id: int) -> list[Note]:
    require_read(session)
    with transaction(session.conn) as conn:
        case = cases_repo.get(conn, case_id)
        who = viewer(session)
        notes = [n for n in notes_repo.for_case(conn, case_id) if can_see_note(who, n, case)]
        audit(conn, session, AuditAction.RECORD_READ, "case", case_id, {"notes_shown": len(notes)})
    return notes


# --- drafts -----------------------------------------------------------------------


def _fields(note: Note) -> dict[str, Any]:
    return {
        "type": note.type.value,
        "occurred_at": note.occurred_at.isoformat(timespec="minutes"),
        "confidentiality": note.confidentiality.value,
        "safeguarding": note.safeguarding,
        "third_parties": list(note.third_parties),
        "version": note.version,
    }


def save_draft(session: Session, case_id: int, note_id: int | None, body: str,
               fields: dict[str, Any]) -> None:
    """Autosave: cheap, not audited per keystroke, kept inside the encrypted store."""
    require_write(session)
    with transaction(session.conn) as conn:
        drafts_repo.save(conn, session.user.username, case_id, note_id, body, fields)


def load_draft(session: Session, case_id: int, note_id: int | None) -> Draft | None:
    require_read(session)
    return drafts_repo.load(session.conn, session.user.username, case_id, note_id)


def my_drafts(session: Session) -> list[Draft]:
    require_read(session)
    return drafts_repo.for_user(session.conn, session.user.username)


def discard_draft(session: Session, case_id: int, note_id: int | None) -> None:
    require_write(session)
    with transaction(session.conn) as conn:
        drafts_repo.discard(conn, session.user.username, case_id, note_id)


__all__ = [
    "Confidentiality",
    "add_note",
    "delete_note",
    "discard_draft",
    "get_note",
    "load_draft",
    "my_drafts",
    "notes_for_case",
    "save_draft",
    "undo_delete_note",
    "update_note",
]
