"""Shared fixtures: a fast-but-real key derivation, isolated state, test keyrings."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest

from tests.support.memory_keyring import FILE_ENV, MemoryKeyring

REPO = Path(__file__).resolve().parent.parent

# The floor of the allowed Argon2id cost (64 MiB, 3 passes), not below it.
os.environ.setdefault("SENDIASS_KDF_CALIBRATION", "minimum")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ADMIN = "alice"
ADMIN_PASSWORD = "correct horse battery"
OFFICER = "bob"
OFFICER_PASSWORD = "staple orange lantern"


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("SENDIASS_STATE_DIR", str(state))
    monkeypatch.setenv("XDG_DATA_HOME", str(state / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(state / "xdg-state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(state / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(state / "cache"))


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@dataclass
class StoreFixture:
    path: Path
    recovery_key: str
    store_id: str

    @property
    def location(self):  # type: ignore[no-untyped-def]
        from sendiass_desktop.services.session import StoreLocation

        return StoreLocation.of(self.path)


@pytest.fixture
def store(tmp_path: Path, memory_keyring: MemoryKeyring) -> StoreFixture:
    """A new device-bound store with an administrator (alice) and an officer (bob)."""
    from sendiass_desktop.domain.roles import Role
    from sendiass_desktop.services import users
    from sendiass_desktop.services.session import StoreLocation, unlock_with_password
    from sendiass_desktop.services.setup import create_store

    location = StoreLocation.of(tmp_path / "service.sendiass")
    result = create_store(location, admin_username=ADMIN, admin_password=ADMIN_PASSWORD,
                          admin_display_name="Alice Admin")
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    users.add_user(session, OFFICER, Role.OFFICER, password=OFFICER_PASSWORD)
    session.close()
    return StoreFixture(location.path, result.recovery_key, result.store_id)


def cli_env(tmp_path: Path) -> dict[str, str]:
    """Environment for running sendiass-admin as a real subprocess."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHON_KEYRING_BACKEND"] = "tests.support.memory_keyring.FileKeyring"
    env[FILE_ENV] = str(tmp_path / "test-keyring.json")
    return env


PYTHON = sys.executable
