"""Turn a new store back into an older schema version, for migration tests."""

from __future__ import annotations

from sendiass_desktop.store.connection import Connection


def undo_migration_6(conn: Connection) -> None:
    """Drop the case totals and their triggers (inside the caller's transaction)."""
    for trigger in ("insert", "delete", "update"):
        conn.execute(f"DROP TRIGGER case_counts_{trigger}")
    conn.execute("DROP TABLE case_counts")
    conn.execute("PRAGMA user_version = 5")
