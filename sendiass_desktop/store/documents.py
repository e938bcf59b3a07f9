"""Documents kept inside the encrypted store (never as loose files)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sendiass_desktop.domain.documents import DocumentInfo, DocumentType
from sendiass_desktop.domain.errors import NotFound
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.rows import dt_in, required_dt

_COLUMNS = (
    "id, case_id, note_id, filename, media_type, size, sha256, description, added_by, added_at, "
    "deleted_at"
)


def _info(row: tuple[Any, ...]) -> DocumentInfo:
    return DocumentInfo(
        id=row[0], case_id=row[1], note_id=row[2], filename=row[3],
        media_type=DocumentType(row[4]), size=row[5], sha256=row[6], description=row[7],
        added_by=row[8], added_at=required_dt(row[9]), deleted_at=dt_in(row[10]),
    )


def insert(conn: Connection, info: DocumentInfo, content: bytes) -> DocumentInfo:
    cur = conn.execute(
        "INSERT INTO documents (case_id, note_id, filename, media_type, size, sha256, "
        "description, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (info.case_id, info.note_id, info.filename, info.media_type.value, info.size,
         info.sha256, info.description, info.added_by,
         info.added_at.isoformat(timespec="seconds")),
    )
    doc_id = cur.lastrowid
    conn.execute("INSERT INTO document_content (document_id, content) VALUES (?, ?)",
                 (doc_id, content))
    return replace(info, id=doc_id)


def get(conn: Connection, document_id: int) -> DocumentInfo:
    row = conn.execute(f"SELECT {_COLUMNS} FROM documents WHERE id = ?",  # noqa: S608
                       (document_id,)).fetchone()
    if row is None:
        raise NotFound("That document is not in the store.")
    return _info(row)


def content(conn: Connection, document_id: int) -> bytes:
    row = conn.execute("SELECT content FROM document_content WHERE document_id = ?",
                       (document_id,)).fetchone()
    if row is None:
        raise NotFound("That document's content is not in the store.")
    return bytes(row[0])


def for_case(conn: Connection, case_id: int, include_deleted: bool = False) -> list[DocumentInfo]:
    deleted = "" if include_deleted else "AND deleted_at IS NULL"
    rows = conn.execute(f"SELECT {_COLUMNS} FROM documents WHERE case_id = ? "  # noqa: S608
                        f"{deleted} ORDER BY added_at, id", (case_id,)).fetchall()
    return [_info(r) for r in rows]


def set_deleted(conn: Connection, document_id: int, deleted: bool) -> None:
    stamp = datetime.now(UTC).isoformat(timespec="seconds") if deleted else None
    conn.execute("UPDATE documents SET deleted_at = ? WHERE id = ?", (stamp, document_id))
