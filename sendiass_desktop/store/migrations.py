"""Numbered schema migrations, tracked in ``PRAGMA user_version``.

Each migration runs in one transaction with the version bump, so a crash
leaves the store at the old version or the new, never in between. Never edit
a released migration: add a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sendiass_desktop.store.connection import Connection, transaction
from sendiass_desktop.store.errors import StoreTooNew


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _script(*statements: str) -> Callable[[Connection], None]:
    def run(conn: Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return run


_V1 = _script(
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE users (
        id                   INTEGER PRIMARY KEY,
        uuid                 TEXT NOT NULL UNIQUE,
        username             TEXT NOT NULL UNIQUE,
        display_name         TEXT NOT NULL,
        role                 TEXT NOT NULL
                             CHECK (role IN ('officer', 'manager', 'admin', 'inspector')),
        status               TEXT NOT NULL DEFAULT 'active'
                             CHECK (status IN ('active', 'disabled')),
        must_change_password INTEGER NOT NULL DEFAULT 0,
        created_at           TEXT NOT NULL,
        expires_at           TEXT,
        version              INTEGER NOT NULL DEFAULT 1
    )
    """,
    """
    CREATE TABLE audit_log (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        at          TEXT NOT NULL,
        actor       TEXT NOT NULL,
        action      TEXT NOT NULL,
        target_type TEXT NOT NULL DEFAULT '',
        target_id   TEXT NOT NULL DEFAULT '',
        detail      TEXT NOT NULL DEFAULT '{}',
        prev_hash   TEXT NOT NULL,
        hash        TEXT NOT NULL UNIQUE
    )
    """,
    # Append-only: the application never updates or deletes audit rows.
    """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """,
    """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """,
    "CREATE INDEX audit_log_target ON audit_log (target_type, target_id)",
    "CREATE INDEX audit_log_actor ON audit_log (actor, at)",
)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "users, store metadata and the audit log", _V1),
)

LATEST_VERSION = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def pending(conn: Connection) -> list[Migration]:
    version = current_version(conn)
    if version > LATEST_VERSION:
        raise StoreTooNew(version, LATEST_VERSION)
    return [m for m in MIGRATIONS if m.version > version]


def migrate(conn: Connection, target: int | None = None) -> list[int]:
    """Bring the schema up to ``target`` (default: latest). Returns versions applied."""
    applied: list[int] = []
    goal = LATEST_VERSION if target is None else target
    for migration in pending(conn):
        if migration.version > goal:
            break
        with transaction(conn):
            # Re-check inside the write lock: another process may have migrated.
            if current_version(conn) >= migration.version:
                continue
            migration.apply(conn)
            # PRAGMA takes no parameters; the version is our own integer.
            conn.execute(f"PRAGMA user_version = {int(migration.version)}")
        applied.append(migration.version)
    return applied
