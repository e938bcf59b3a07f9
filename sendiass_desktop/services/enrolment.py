"""Enrolling this computer with the recovery key, in one step (for the GUI)."""

from __future__ import annotations

from sendiass_desktop.services import store_admin
from sendiass_desktop.services.session import StoreLocation, unlock_with_recovery_key
from sendiass_desktop.store.device import CredentialStore


def enrol_with_recovery_key(
    location: StoreLocation, recovery_key_text: str, creds: CredentialStore | None = None
) -> bool:
    """Unlock with the recovery key, enrol this computer, and close that session.

    Returns False when the store does not use device binding (nothing to do).
    """
    session, device_secret = unlock_with_recovery_key(location, recovery_key_text)
    try:
        return store_admin.enrol_this_machine(session, device_secret, creds)
    finally:
        session.close()
