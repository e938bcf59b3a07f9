"""Run inside a private D-Bus session with gnome-keyring: the real Secret Service.

Usage: python secret_service_child.py WORKDIR

PYTHON_KEYRING_BACKEND must not be set: ``keyring`` picks its backend the
way it does on a user's machine. Prints one ``key: value`` line per check
and ``OK`` at the end; any failure raises (non-zero exit, traceback on stderr).
"""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path

import keyring
import secretstorage

from sendiass_desktop.services import store_admin
from sendiass_desktop.services.session import (
    StoreLocation,
    unlock_with_password,
    unlock_with_recovery_key,
)
from sendiass_desktop.services.setup import create_store
from sendiass_desktop.store.device import SERVICE, KeyringCredentialStore
from sendiass_desktop.store.errors import MachineNotEnrolled

PASSWORD = "correct horse battery"


def say(key: str, value: object) -> None:
    print(f"{key}: {value}", flush=True)


def main(workdir: Path) -> int:
    assert "PYTHON_KEYRING_BACKEND" not in os.environ
    creds = KeyringCredentialStore()
    say("backend", creds.describe())
    creds.check_available()

    location = StoreLocation.of(workdir / "real-keyring.sendiass")
    result = create_store(location, admin_username="alice", admin_password=PASSWORD)
    account = f"device-secret:{result.store_id}"
    session = unlock_with_password(location, "alice", PASSWORD)
    say("unlocked", session.user.username)
    session.close()

    value = keyring.get_password(SERVICE, account)
    assert value is not None, "the device secret is not in the Secret Service"
    say("device-secret-bytes", len(base64.b64decode(value)))

    # Look for it with secretstorage directly, not through keyring.
    bus = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(bus)
        items = list(collection.search_items({"service": SERVICE, "username": account}))
        say("secret-service-items", len(items))
        assert items and items[0].get_secret().decode() == value
    finally:
        bus.close()

    # Without the secret in the Secret Service the password alone opens nothing.
    keyring.delete_password(SERVICE, account)
    try:
        unlock_with_password(location, "alice", PASSWORD).close()
    except MachineNotEnrolled:
        say("without-secret", "MachineNotEnrolled")
    else:
        raise AssertionError("the store opened without the device secret")

    # Enrolling with the recovery key puts it back.
    session, device_secret = unlock_with_recovery_key(location, result.recovery_key)
    store_admin.enrol_this_machine(session, device_secret)
    session.close()
    unlock_with_password(location, "alice", PASSWORD).close()
    say("re-enrolled", keyring.get_password(SERVICE, account) is not None)
    say("result", "OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
