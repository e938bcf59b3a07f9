"""The ``meta`` table: store identity and small settings."""

from __future__ import annotations

from sendiass_desktop.store.connection import Connection

STORE_ID = "store_id"
SERVICE_NAME = "service_name"
CREATED_AT = "created_at"
LAST_BACKUP_AT = "last_backup_at"


def get(conn: Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def put(conn: Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
CASE_REF_PREFIX = "case_ref_prefix"
DEFAULT_CASE_REF_PREFIX = "SEN"
HOLDS_DEMO_DATA = "holds_demo_data"
