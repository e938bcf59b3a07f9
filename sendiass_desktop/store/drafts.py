"""Autosaved note drafts, kept inside the encrypted store so nothing typed is lost."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.rows import now_iso, required_dt


@dataclass(frozen=True)
class Draft:
    username: str
    case_id: int
    note_id: int | None  # None: a new note
    body: str
    fields: dict[str, Any]
    updated_at: datetime


def save(conn: Connection, username: str, case_id: int, note_id: int | None, body: str,
         fields: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO drafts (username, case_id, note_id, body, fields, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (username, case_id, ifnull(note_id, 0)) DO UPDATE SET "
        "body = excluded.body, fields = excluded.fields, updated_at = excluded.updated_at",
        (username, case_id, note_id, body, json.dumps(fields, sort_keys=True), now_iso()),
    )


def load(conn: Connection, username: str, case_id: int, note_id: int | None) -> Draft | None:
    row = conn.execute(
        "SELECT body, fields, updated_at FROM drafts WHERE username = ? AND case_id = ? "
        "AND ifnull(note_id, 0) = ifnull(?, 0)",
        (username, case_id, note_id),
    ).fetchone()
    if row is None:
        return None
    return Draft(username, case_id, note_id, row[0], json.loads(row[1]), required_dt(row[2]))


def for_user(conn: Connection, username: str) -> list[Draft]:
    rows = conn.execute(
        "SELECT case_id, note_id, body, fields, updated_at FROM drafts WHERE username = ? "
        "ORDER BY updated_at DESC", (username,),
    ).fetchall()
    return [Draft(username, r[0], r[1], r[2], json.loads(r[3]), required_dt(r[4])) for r in rows]


def discard(conn: Connection, username: str, case_id: int, note_id: int | None) -> None:
    conn.execute(
        "DELETE FROM drafts WHERE username = ? AND case_id = ? AND ifnull(note_id, 0) = "
        "ifnull(?, 0)", (username, case_id, note_id),
    )
