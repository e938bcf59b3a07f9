"""Rows of ``deadlines``: statutory clocks and tasks, each with an owner."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sendiass_desktop.domain.deadlines import Deadline, DeadlineKind
from sendiass_desktop.domain.errors import ConflictError, NotFound
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.rows import date_in, now_iso, required_date


@dataclass(frozen=True)
class StoredDeadline:
    deadline: Deadline
    owner: str
    case_id: int | None
    done_on: date | None = None
    source: str = ""  # what generated it, e.g. "ehc:2026-01-05" (so it can be regenerated)
    created_by: str = ""
    id: int | None = None
    version: int = 1

    @property
    def done(self) -> bool:
        return self.done_on is not None


_COLUMNS = "id, case_id, kind, label, due_on, owner, done_on, source, created_by, version"


def _from_row(row: tuple[Any, ...]) -> StoredDeadline:
    return StoredDeadline(
        id=row[0], case_id=row[1],
        deadline=Deadline(DeadlineKind(row[2]), row[3], required_date(row[4])),
        owner=row[5], done_on=date_in(row[6]), source=row[7], created_by=row[8], version=row[9],
    )


def insert(conn: Connection, d: StoredDeadline) -> StoredDeadline:
    cur = conn.execute(
        "INSERT INTO deadlines (case_id, kind, label, due_on, owner, done_on, source, created_by, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (d.case_id, d.deadline.kind.value, d.deadline.label, d.deadline.due.isoformat(), d.owner,
         d.done_on.isoformat() if d.done_on else None, d.source, d.created_by, now_iso()),
    )
    return replace(d, id=cur.lastrowid, version=1)


def set_done(conn: Connection, d: StoredDeadline, done_on: date | None) -> StoredDeadline:
    cur = conn.execute(
        "UPDATE deadlines SET done_on = ?, version = version + 1 WHERE id = ? AND version = ?",
        (done_on.isoformat() if done_on else None, d.id, d.version),
    )
    if cur.rowcount != 1:
        raise ConflictError("Someone else changed this deadline first.")
    return replace(d, done_on=done_on, version=d.version + 1)


def get(conn: Connection, deadline_id: int) -> StoredDeadline:
    row = conn.execute(f"SELECT {_COLUMNS} FROM deadlines WHERE id = ?",  # noqa: S608
                       (deadline_id,)).fetchone()
    if row is None:
        raise NotFound("That deadline is not in the store.")
    return _from_row(row)


def for_case(conn: Connection, case_id: int) -> list[StoredDeadline]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM deadlines WHERE case_id = ? "  # noqa: S608
                        "ORDER BY due_on, id", (case_id,)).fetchall()
    return [_from_row(r) for r in rows]


def open_for_owner(conn: Connection, owner: str, until: date) -> list[StoredDeadline]:
    """Not-done deadlines of one owner due on or before ``until`` (includes overdue)."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM deadlines WHERE owner = ? AND done_on IS NULL "  # noqa: S608
        "AND due_on <= ? ORDER BY due_on, id",
        (owner, until.isoformat()),
    ).fetchall()
    return [_from_row(r) for r in rows]


def delete_by_source(conn: Connection, case_id: int | None, source: str) -> int:
    """Remove generated, not-yet-done deadlines before regenerating them."""
    # IS, not =, so deadlines without a case (case_id NULL) match too.
    cur = conn.execute("DELETE FROM deadlines WHERE case_id IS ? AND source = ? "
                       "AND done_on IS NULL", (case_id, source))
    return int(cur.rowcount)
