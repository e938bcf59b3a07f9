"""Every earlier schema version upgrades to the latest and ends identical to a new store."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendiass_desktop.store import migrations
from sendiass_desktop.store.connection import Connection, open_connection
from sendiass_desktop.store.errors import StoreTooNew
from sendiass_desktop.store.keywrap import random_key


def schema(conn: Connection) -> list[tuple[str, str, str]]:
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [(t, n, " ".join((s or "").split())) for t, n, s in rows]


def test_latest_is_the_last_migration() -> None:
    versions = [m.version for m in migrations.MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
    assert versions[-1] == migrations.LATEST_VERSION


@pytest.mark.parametrize("start", range(0, migrations.LATEST_VERSION + 1))
def test_upgrade_from_every_earlier_version(tmp_path: Path, start: int) -> None:
    key = random_key()
    fresh = open_connection(tmp_path / "fresh.sendiass", key, create=True)
    migrations.migrate(fresh)
    old = open_connection(tmp_path / "old.sendiass", key, create=True)
    migrations.migrate(old, target=start)
    assert migrations.current_version(old) == start
    old.close()
    reopened = open_connection(tmp_path / "old.sendiass", key)
    applied = migrations.migrate(reopened)
    assert applied == list(range(start + 1, migrations.LATEST_VERSION + 1))
    assert migrations.current_version(reopened) == migrations.LATEST_VERSION
    assert schema(reopened) == schema(fresh)
    assert migrations.migrate(reopened) == []  # idempotent


def test_store_from_a_newer_version_is_refused_clearly(tmp_path: Path) -> None:
    key = random_key()
    conn = open_connection(tmp_path / "new.sendiass", key, create=True)
    migrations.migrate(conn)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    with pytest.raises(StoreTooNew, match="newer version"):
        migrations.migrate(conn)
