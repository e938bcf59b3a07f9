"""Append-only, hash-chained audit log rows.

Appends must run inside a write transaction (``transaction()`` takes the
lock with BEGIN IMMEDIATE), so reading the last hash and inserting the next
entry cannot interleave with another writer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sendiass_desktop.domain.audit import (
    GENESIS_HASH,
    AuditAction,
    AuditEntry,
    ChainBreak,
    canonical_detail,
    entry_hash,
    verify_chain,
)
from sendiass_desktop.store.cancel import StopCheck, raise_if_stopped
from sendiass_desktop.store.connection import Connection

_COLUMNS = "seq, at, actor, action, target_type, target_id, detail, prev_hash, hash"


def append(
    conn: Connection,
    actor: str,
    action: AuditAction,
    target_type: str = "",
    target_id: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    if not conn.in_transaction:
        raise RuntimeError("audit entries must be written inside a transaction")
    last = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    detail_json = canonical_detail(detail)
    digest = entry_hash(prev_hash, seq, at, actor, action.value, target_type, target_id,
                        detail_json)
    conn.execute(
        f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
        (seq, at, actor, action.value, target_type, target_id, detail_json, prev_hash, digest),
    )
    return AuditEntry(seq, at, actor, action.value, target_type, target_id, detail_json,
                      prev_hash, digest)


def _row(row: tuple[Any, ...]) -> AuditEntry:
    return AuditEntry(*row)


def iter_entries(conn: Connection, batch: int = 5000) -> Iterator[AuditEntry]:
    """All entries in order, fetched in batches so a long log is not held at once."""
    after = 0
    while True:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",  # noqa: S608
            (after, batch),
        ).fetchall()
        if not rows:
            return
        for row in rows:
            yield _row(row)
        after = rows[-1][0]


def entries_for(
    conn: Connection, target_type: str, target_id: str, limit: int = 500
) -> list[AuditEntry]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM audit_log WHERE target_type = ? AND target_id = ? "  # noqa: S608
        "ORDER BY seq DESC LIMIT ?",
        (target_type, target_id, limit),
    ).fetchall()
    return [_row(r) for r in rows]


def recent(conn: Connection, limit: int = 200) -> list[AuditEntry]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT ?",  # noqa: S608
        (limit,),
    ).fetchall()
    return [_row(r) for r in rows]


def highest_seq_issued(conn: Connection) -> int:
    # AUTOINCREMENT keeps the highest value ever used in sqlite_sequence, so
    # rows cut off the end still leave their number behind.
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    return int(row[0]) if row else 0


def count(conn: Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def verify(conn: Connection, should_stop: StopCheck | None = None
           ) -> tuple[ChainBreak | None, int]:
    """Return (first break or None, number of entries checked).

    ``should_stop`` is looked at before each entry (hashing, not SQL, is the
    slow part here) and ends the check with OperationCancelled.
    """
    checked = 0

    def counting() -> Iterator[AuditEntry]:
        nonlocal checked
        for entry in iter_entries(conn):
            raise_if_stopped(should_stop)
            checked += 1
            yield entry

    brk = verify_chain(counting(), expected_last_seq=highest_seq_issued(conn))
    return brk, checked
