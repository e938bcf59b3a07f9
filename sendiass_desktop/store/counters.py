"""Sequences for human-readable references (P-000123, ABC-2026-0142)."""

from __future__ import annotations

from sendiass_desktop.store.connection import Connection


def next_value(conn: Connection, name: str) -> int:
    """Next number in the named sequence; call inside a write transaction."""
    conn.execute(
        "INSERT INTO counters (name, value) VALUES (?, 1) "
        "ON CONFLICT (name) DO UPDATE SET value = value + 1",
        (name,),
    )
    return int(conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0])


def ensure_at_least(conn: Connection, name: str, value: int) -> None:
    """Imported references must not be handed out again."""
    conn.execute(
        "INSERT INTO counters (name, value) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)",
        (name, value),
    )
