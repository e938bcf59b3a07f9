"""The device secret in the operating system's credential store (``keyring``).

Only backends that keep secrets in a real OS credential store are accepted:
Windows Credential Manager, macOS Keychain, the Secret Service (GNOME
Keyring, KWallet) on Linux. File-based and "null" backends are refused,
because a secret in a plain file next to the store would defeat the point.
"""

from __future__ import annotations

import base64
import binascii
import sys
from typing import Protocol

import keyring
import keyring.backend
import keyring.errors

from sendiass_desktop.store.errors import NoCredentialStore

SERVICE = "SENDIASS Desktop"
_REFUSED_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")
# The test suite's in-memory backend lives under tests/; it is never shipped.
_TEST_MODULE_PREFIX = "tests."


def _what_to_install() -> str:
    if sys.platform == "win32":
        return "Windows Credential Manager should always be present; ask IT to check it."
    if sys.platform == "darwin":
        return "The macOS Keychain should always be present; ask IT to check it."
    return (
        "Install and unlock a Secret Service provider: GNOME Keyring (Debian/Ubuntu package "
        "'gnome-keyring') or KWallet, and sign in to a desktop session. If this store is meant "
        "to work without device binding it must be created with --no-device-binding."
    )


class CredentialStore(Protocol):
    def check_available(self) -> None: ...
    def get_device_secret(self, store_id: str) -> bytes | None: ...
    def set_device_secret(self, store_id: str, secret: bytes) -> None: ...
    def describe(self) -> str: ...


def _account(store_id: str) -> str:
    return f"device-secret:{store_id}"


class KeyringCredentialStore:
    """The OS credential store, through whichever ``keyring`` backend is active."""

    def _backend(self) -> keyring.backend.KeyringBackend:
        backend = keyring.get_keyring()
        module = type(backend).__module__
        inner = getattr(backend, "backends", None)
        if inner is not None:  # ChainerBackend: usable only if it has a real member
            real = [b for b in inner if not type(b).__module__.startswith(_REFUSED_MODULES)]
            if not real:
                raise NoCredentialStore(_what_to_install())
            return backend
        if module.startswith(_REFUSED_MODULES):
            raise NoCredentialStore(_what_to_install())
        return backend

    def describe(self) -> str:
        try:
            backend = self._backend()
        except NoCredentialStore:
            return "none"
        return str(getattr(backend, "name", type(backend).__name__))

    def check_available(self) -> None:
        backend = self._backend()
        try:
            # A read proves the backend answers (e.g. the Secret Service is running).
            backend.get_password(SERVICE, "availability-check")
        except keyring.errors.KeyringError as exc:
            raise NoCredentialStore(_what_to_install()) from exc
        except Exception as exc:  # D-Bus errors and the like surface as plain exceptions
            raise NoCredentialStore(_what_to_install()) from exc

    def get_device_secret(self, store_id: str) -> bytes | None:
        backend = self._backend()
        try:
            value = backend.get_password(SERVICE, _account(store_id))
        except Exception as exc:
            raise NoCredentialStore(_what_to_install()) from exc
        if value is None:
            return None
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return None

    def set_device_secret(self, store_id: str, secret: bytes) -> None:
        backend = self._backend()
        try:
            backend.set_password(SERVICE, _account(store_id), base64.b64encode(secret).decode())
        except Exception as exc:
            raise NoCredentialStore(_what_to_install()) from exc
