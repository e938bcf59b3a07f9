"""Rows of ``notes`` <-> ``domain.notes.Note``."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sendiass_desktop.domain.errors import ConflictError, NotFound
from sendiass_desktop.domain.notes import Confidentiality, Note, NoteType
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.rows import dt_in, now_iso, required_dt

COLUMNS = (
    "id, case_id, occurred_at, type, author, body, confidentiality, safeguarding, "
    "third_parties, created_at, updated_at, deleted_at, deleted_by, version"
)


def from_row(row: tuple[Any, ...]) -> Note:
    return Note(
        id=row[0], case_id=row[1], occurred_at=required_dt(row[2]), type=NoteType(row[3]),
        author=row[4], body=row[5], confidentiality=Confidentiality(row[6]),
        safeguarding=bool(row[7]), third_parties=tuple(json.loads(row[8])),
        created_at=dt_in(row[9]), updated_at=dt_in(row[10]), deleted_at=dt_in(row[11]),
        deleted_by=row[12], version=row[13],
    )


def insert(conn: Connection, note: Note) -> Note:
    now = now_iso()
    created = note.created_at.isoformat(timespec="seconds") if note.created_at else now
    cur = conn.execute(
        "INSERT INTO notes (case_id, occurred_at, type, author, body, confidentiality, "
        "safeguarding, third_parties, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (note.case_id, note.occurred_at.isoformat(timespec="minutes"), note.type.value,
         note.author, note.body, note.confidentiality.value, int(note.safeguarding),
         json.dumps(list(note.third_parties)), created, now),
    )
    return replace(note, id=cur.lastrowid, version=1, created_at=datetime.fromisoformat(created))


def update(conn: Connection, note: Note) -> Note:
    cur = conn.execute(
        "UPDATE notes SET occurred_at = ?, type = ?, body = ?, confidentiality = ?, "
        "safeguarding = ?, third_parties = ?, updated_at = ?, version = version + 1 "
        "WHERE id = ? AND version = ? AND deleted_at IS NULL",
        (note.occurred_at.isoformat(timespec="minutes"), note.type.value, note.body,
         note.confidentiality.value, int(note.safeguarding),
         json.dumps(list(note.third_parties)), now_iso(), note.id, note.version),
    )
    if cur.rowcount != 1:
        raise ConflictError("Someone else changed or deleted this note first.")
    return replace(note, version=note.version + 1)


def set_deleted(conn: Connection, note: Note, by: str | None) -> Note:
    """Soft delete (``by`` given) or undo it (``by`` None); versioned like any edit."""
    deleted_at = datetime.now(UTC) if by is not None else None
    cur = conn.execute(
        "UPDATE notes SET deleted_at = ?, deleted_by = ?, version = version + 1 "
        "WHERE id = ? AND version = ?",
        (deleted_at.isoformat(timespec="seconds") if deleted_at else None, by or "", note.id,
         note.version),
    )
    if cur.rowcount != 1:
        raise ConflictError("Someone else changed this note first.")
    return replace(note, deleted_at=deleted_at, deleted_by=by or "", version=note.version + 1)


def get(conn: Connection, note_id: int) -> Note:
    row = conn.execute(f"SELECT {COLUMNS} FROM notes WHERE id = ?",  # noqa: S608
                       (note_id,)).fetchone()
    if row is None:
        raise NotFound("That note is not in the store.")
    return from_row(row)


def for_case(conn: Connection, case_id: int, include_deleted: bool = False) -> list[Note]:
    """Notes in time order (oldest first), as a timeline reads."""
    deleted = "" if include_deleted else "AND deleted_at IS NULL"
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM notes WHERE case_id = ? {deleted} "  # noqa: S608
        "ORDER BY occurred_at, id",
        (case_id,),
    ).fetchall()
    return [from_row(r) for r in rows]


def many(conn: Connection, ids: list[int]) -> dict[int, Note]:
    out: dict[int, Note] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {COLUMNS} FROM notes WHERE id IN ({marks})",  # noqa: S608
                                chunk):
            note = from_row(row)
            assert note.id is not None
            out[note.id] = note
    return out
