"""Rows of ``safeguarding_concerns`` (and their links to notes)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sendiass_desktop.domain.errors import ConflictError, NotFound
from sendiass_desktop.domain.safeguarding import (
    ConcernStatus,
    SafeguardingAction,
    SafeguardingConcern,
)
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.rows import now_iso, required_date

_COLUMNS = (
    "id, case_id, raised_on, description, decided_by, action, status, outcome, raised_by, version"
)


def _from_row(conn: Connection, row: tuple[Any, ...]) -> SafeguardingConcern:
    links = tuple(r[0] for r in conn.execute(
        "SELECT note_id FROM safeguarding_note_links WHERE concern_id = ? ORDER BY note_id",
        (row[0],)))
    return SafeguardingConcern(
        id=row[0], case_id=row[1], raised_on=required_date(row[2]), description=row[3],
        decided_by=row[4], action=SafeguardingAction(row[5]), status=ConcernStatus(row[6]),
        outcome=row[7], raised_by=row[8], version=row[9], linked_note_ids=links,
    )


def _write_links(conn: Connection, concern: SafeguardingConcern) -> None:
    conn.execute("DELETE FROM safeguarding_note_links WHERE concern_id = ?", (concern.id,))
    conn.executemany(
        "INSERT OR IGNORE INTO safeguarding_note_links (concern_id, note_id) VALUES (?, ?)",
        [(concern.id, n) for n in concern.linked_note_ids],
    )


def insert(conn: Connection, c: SafeguardingConcern) -> SafeguardingConcern:
    now = now_iso()
    cur = conn.execute(
        "INSERT INTO safeguarding_concerns (case_id, raised_on, description, decided_by, action, "
        "status, outcome, raised_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (c.case_id, c.raised_on.isoformat(), c.description, c.decided_by, c.action.value,
         c.status.value, c.outcome, c.raised_by, now, now),
    )
    saved = replace(c, id=cur.lastrowid, version=1)
    _write_links(conn, saved)
    return saved


def update(conn: Connection, c: SafeguardingConcern) -> SafeguardingConcern:
    cur = conn.execute(
        "UPDATE safeguarding_concerns SET raised_on = ?, description = ?, decided_by = ?, "
        "action = ?, status = ?, outcome = ?, updated_at = ?, version = version + 1 "
        "WHERE id = ? AND version = ?",
        (c.raised_on.isoformat(), c.description, c.decided_by, c.action.value, c.status.value,
         c.outcome, now_iso(), c.id, c.version),
    )
    if cur.rowcount != 1:
        raise ConflictError("Someone else changed this safeguarding concern first.")
    saved = replace(c, version=c.version + 1)
    _write_links(conn, saved)
    return saved


def get(conn: Connection, concern_id: int) -> SafeguardingConcern:
    row = conn.execute(f"SELECT {_COLUMNS} FROM safeguarding_concerns WHERE id = ?",  # noqa: S608
                       (concern_id,)).fetchone()
    if row is None:
        raise NotFound("That safeguarding concern is not in the store.")
    return _from_row(conn, row)


def for_case(conn: Connection, case_id: int) -> list[SafeguardingConcern]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM safeguarding_concerns "  # noqa: S608
                        "WHERE case_id = ? ORDER BY raised_on, id", (case_id,)).fetchall()
    return [_from_row(conn, r) for r in rows]
