"""Rows of ``consents`` and ``share_overrides``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sendiass_desktop.domain.consent import (
    ConsentMethod,
    ConsentRecord,
    ConsentState,
    OverrideGrounds,
    Purpose,
    Recipient,
    ShareOverride,
)
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.rows import date_in, date_out, required_date, required_dt

_CONSENT = (
    "id, case_id, person_id, recipient, recipient_detail, purpose, state, recorded_at, method, "
    "recorded_by, expires_on, notes"
)
_OVERRIDE = (
    "id, case_id, person_id, recipient, recipient_detail, purpose, grounds, justification, "
    "decided_by, decided_at, valid_until"
)


def _consent(row: tuple[Any, ...]) -> ConsentRecord:
    return ConsentRecord(
        id=row[0], case_id=row[1], person_id=row[2], recipient=Recipient(row[3]),
        recipient_detail=row[4], purpose=Purpose(row[5]), state=ConsentState(row[6]),
        recorded_at=required_dt(row[7]), method=ConsentMethod(row[8]), recorded_by=row[9],
        expires_on=date_in(row[10]), notes=row[11],
    )


def _override(row: tuple[Any, ...]) -> ShareOverride:
    return ShareOverride(
        id=row[0], case_id=row[1], person_id=row[2], recipient=Recipient(row[3]),
        recipient_detail=row[4], purpose=Purpose(row[5]), grounds=OverrideGrounds(row[6]),
        justification=row[7], decided_by=row[8], decided_at=required_dt(row[9]),
        valid_until=required_date(row[10]),
    )


def insert(conn: Connection, r: ConsentRecord) -> ConsentRecord:
    cur = conn.execute(
        "INSERT INTO consents (case_id, person_id, recipient, recipient_detail, purpose, state, "
        "recorded_at, method, recorded_by, expires_on, notes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (r.case_id, r.person_id, r.recipient.value, r.recipient_detail, r.purpose.value,
         r.state.value, r.recorded_at.isoformat(timespec="seconds"), r.method.value,
         r.recorded_by, date_out(r.expires_on), r.notes),
    )
    return replace(r, id=cur.lastrowid)


def for_case(conn: Connection, case_id: int) -> list[ConsentRecord]:
    rows = conn.execute(f"SELECT {_CONSENT} FROM consents WHERE case_id = ? "  # noqa: S608
                        "ORDER BY recorded_at, id", (case_id,)).fetchall()
    return [_consent(r) for r in rows]


def for_person(conn: Connection, person_id: int) -> list[ConsentRecord]:
    rows = conn.execute(f"SELECT {_CONSENT} FROM consents WHERE person_id = ? "  # noqa: S608
                        "ORDER BY recorded_at, id", (person_id,)).fetchall()
    return [_consent(r) for r in rows]


def insert_override(conn: Connection, o: ShareOverride) -> ShareOverride:
    cur = conn.execute(
        "INSERT INTO share_overrides (case_id, person_id, recipient, recipient_detail, purpose, "
        "grounds, justification, decided_by, decided_at, valid_until) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (o.case_id, o.person_id, o.recipient.value, o.recipient_detail, o.purpose.value,
         o.grounds.value, o.justification, o.decided_by,
         o.decided_at.isoformat(timespec="seconds"), o.valid_until.isoformat()),
    )
    return replace(o, id=cur.lastrowid)


def overrides_for_case(conn: Connection, case_id: int) -> list[ShareOverride]:
    rows = conn.execute(f"SELECT {_OVERRIDE} FROM share_overrides WHERE case_id = ? "  # noqa: S608
                        "ORDER BY decided_at, id", (case_id,)).fetchall()
    return [_override(r) for r in rows]
