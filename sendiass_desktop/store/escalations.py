"""Rows of ``escalations`` (migration 4): issues raised with the Local Authority.

The letter kept is the one that was approved: anonymised, unless the service
user consented to be identified (``identified`` with the ``consent_id`` that
allowed it). The rules live in ``services/escalation.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sendiass_desktop.domain.errors import NotFound
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.rows import dt_in, required_dt


@dataclass(frozen=True)
class Escalation:
    case_id: int | None  # None once the case has been disposed of
    identified: bool
    letter: str
    created_by: str
    created_at: datetime
    consent_id: int | None = None  # the consent to be identified, for an identified letter
    exported_at: datetime | None = None
    id: int | None = None


_COLUMNS = "id, case_id, identified, consent_id, letter, created_by, created_at, exported_at"


def _from_row(row: tuple[Any, ...]) -> Escalation:
    return Escalation(id=row[0], case_id=row[1], identified=bool(row[2]), consent_id=row[3],
                      letter=row[4], created_by=row[5], created_at=required_dt(row[6]),
                      exported_at=dt_in(row[7]))


def insert(conn: Connection, e: Escalation) -> Escalation:
    cur = conn.execute(
        "INSERT INTO escalations (case_id, identified, consent_id, letter, created_by, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (e.case_id, int(e.identified), e.consent_id, e.letter, e.created_by,
         e.created_at.isoformat(timespec="seconds")),
    )
    return replace(e, id=cur.lastrowid, exported_at=None)


def get(conn: Connection, escalation_id: int) -> Escalation:
    row = conn.execute(f"SELECT {_COLUMNS} FROM escalations WHERE id = ?",  # noqa: S608
                       (escalation_id,)).fetchone()
    if row is None:
        raise NotFound("That letter is not in the store.")
    return _from_row(row)


def for_case(conn: Connection, case_id: int) -> list[Escalation]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM escalations WHERE case_id = ? "  # noqa: S608
                        "ORDER BY created_at, id", (case_id,)).fetchall()
    return [_from_row(r) for r in rows]


def mark_exported(conn: Connection, escalation_id: int, at: datetime) -> None:
    conn.execute("UPDATE escalations SET exported_at = ? WHERE id = ?",
                 (at.isoformat(timespec="seconds"), escalation_id))
