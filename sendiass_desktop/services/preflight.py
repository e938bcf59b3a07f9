"""Checks made before anyone is asked for a password.

They find the problems a password cannot fix (no store, a damaged key file,
no credential store, a computer that is not enrolled) so the user is told
straight away instead of after typing. Nothing is written and no key is
derived; the same errors are still raised by unlocking itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sendiass_desktop.services.session import StoreLocation
from sendiass_desktop.store import keyslots
from sendiass_desktop.store.device import CredentialStore, KeyringCredentialStore
from sendiass_desktop.store.errors import MachineNotEnrolled, SqlcipherMissing, StoreMissing


@dataclass(frozen=True)
class StoreReadiness:
    store_id: str
    device_binding: bool


def check_sqlcipher() -> None:
    """Raise ``SqlcipherMissing`` unless the SQLite library really is SQLCipher."""
    try:
        import sqlcipher3
    except ImportError:
        raise SqlcipherMissing() from None
    conn = sqlcipher3.connect(":memory:")
    try:
        row = conn.execute("PRAGMA cipher_version").fetchone()
    finally:
        conn.close()
    if not row or not row[0]:
        raise SqlcipherMissing()


def check_ready_to_unlock(
    location: StoreLocation, creds: CredentialStore | None = None
) -> StoreReadiness:
    """Raise the start-up error a password could not fix, or say the store is ready."""
    check_sqlcipher()
    if not location.path.is_file():
        raise StoreMissing()
    header = keyslots.read(location.path)
    if header.device_binding:
        creds = creds or KeyringCredentialStore()
        creds.check_available()
        if creds.get_device_secret(header.store_id) is None:
            raise MachineNotEnrolled()
    return StoreReadiness(header.store_id, header.device_binding)
