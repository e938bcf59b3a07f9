"""Unlocking the store and the signed-in session.

A ``Session`` is what every other service takes: the open connection, who
is signed in, and the data key (kept because administrators need it to add
key slots). Every login is audited, including how many wrong attempts came
before it on this machine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.errors import PermissionDenied
from sendiass_desktop.domain.recovery_key import parse_recovery_key
from sendiass_desktop.domain.roles import Permission, Role
from sendiass_desktop.domain.users import User, UserStatus, normalise_username
from sendiass_desktop.store import audit_log, keyslots, meta, migrations
from sendiass_desktop.store import users as users_repo
from sendiass_desktop.store.connection import (
    Connection,
    DatabaseError,
    open_connection,
    transaction,
    translate,
)
from sendiass_desktop.store.device import CredentialStore, KeyringCredentialStore
from sendiass_desktop.store.errors import (
    AccountDisabled,
    AccountExpired,
    LockedOut,
    MachineNotEnrolled,
    StoreDamaged,
    StoreMissing,
    WrongCredentials,
)
from sendiass_desktop.store.keyslots import Header, SlotKeys
from sendiass_desktop.store.keywrap import UnwrapFailed
from sendiass_desktop.store.lockout import LoginAttempts

RECOVERY_ACTOR = "recovery-key"


@dataclass(frozen=True)
class StoreLocation:
    """Where a store lives: the database file and its key file beside it."""

    path: Path

    @classmethod
    def of(cls, path: str | Path) -> StoreLocation:
        return cls(Path(path).expanduser().absolute())

    @property
    def header(self) -> Path:
        return keyslots.header_path(self.path)

    def exists(self) -> bool:
        return self.path.exists() or self.header.exists()


@dataclass
class Session:
    location: StoreLocation
    conn: Connection
    user: User
    user_uuid: str
    header: Header
    data_key: bytes = field(repr=False)
    via_recovery_key: bool = False
    # Read-only sessions (used by ``check``) write nothing, not even the login
    # entry, until ``make_writable`` is called, so a damaged store is never touched.
    read_only: bool = False
    closed: bool = False

    @property
    def actor(self) -> str:
        return RECOVERY_ACTOR if self.via_recovery_key else self.user.username

    @property
    def store_id(self) -> str:
        return self.header.store_id

    def can(self, permission: Permission) -> bool:
        return self.user.can(permission)

    def can_manage_others(self) -> bool:
        """Managers (and admins) may act on other officers' work."""
        return self.user.can(Permission.APPROVE_DISCLOSURES)

    def require(self, permission: Permission, what: str) -> None:
        """Refuse (and audit the refusal) unless the user's role allows ``permission``."""
        if self.can(permission):
            return
        self.audit(AuditAction.PERMISSION_REFUSED, "permission", permission.value)
        raise PermissionDenied(
            f"Your role ({self.user.role.label}) does not allow you to {what}. "
            "Ask a manager or administrator."
        )

    def audit(
        self,
        action: AuditAction,
        target_type: str = "",
        target_id: str = "",
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Write one audit entry in its own transaction."""
        with transaction(self.conn):
            audit_log.append(self.conn, self.actor, action, target_type, target_id, detail)

    def make_writable(self) -> None:
        """Reopen a read-only session for writing and record the deferred login."""
        if not self.read_only:
            return
        self.conn.close()
        self.conn, self.data_key, self.header = open_store_with_keys(
            self.location, self.header, SlotKeys(self.data_key)
        )
        self.read_only = False
        action = AuditAction.LOGIN_RECOVERY if self.via_recovery_key else AuditAction.LOGIN
        target = ("store", self.store_id) if self.via_recovery_key else ("user", self.actor)
        self.audit(action, *target)

    def replace_header(self, header: Header) -> None:
        keyslots.write(self.location.path, header)
        self.header = header

    def close(self) -> None:
        if self.closed:
            return
        if not self.read_only:
            with contextlib.suppress(Exception):
                self.audit(AuditAction.LOGOUT)
        with contextlib.suppress(Exception):
            self.conn.close()
        self.closed = True


def open_store_with_keys(
    location: StoreLocation, header: Header, keys: SlotKeys, read_only: bool = False
) -> tuple[Connection, bytes, Header]:
    """Open the database with the slot's key, finishing an interrupted rekey if needed."""
    if not location.path.is_file():
        raise StoreMissing()
    keyslots.verify(header, keys.current)
    try:
        conn = open_connection(location.path, keys.current, read_only=read_only)
        data_key = keys.current
        if keys.next is not None and not read_only:
            # Rekey staged but never applied: forget the staged key.
            header = keyslots.drop_next_data_key(header, keys.current)
            keyslots.write(location.path, header)
    except StoreDamaged:
        if keys.next is None:
            raise
        conn = open_connection(location.path, keys.next, read_only=read_only)
        data_key = keys.next
        if not read_only:
            # The store was rekeyed but the key file not finished: finish it now.
            header = keyslots.promote_next_data_key(header, keys.next)
            keyslots.write(location.path, header)
    try:
        stored_id = _store_id(conn)
        if stored_id != header.store_id:
            raise StoreDamaged("the key file belongs to a different store")
        applied = [] if read_only else migrations.migrate(conn)
        if applied:
            with transaction(conn):
                audit_log.append(conn, "system", AuditAction.STORE_MIGRATED, "store", "",
                                 {"to_version": applied[-1]})
    except BaseException:
        conn.close()
        raise
    return conn, data_key, header


def _store_id(conn: Connection) -> str | None:
    try:
        return meta.get(conn, meta.STORE_ID) if migrations.current_version(conn) else None
    except DatabaseError as exc:
        # A damaged page met while signing in is a damaged store, said plainly.
        raise translate(exc) from None


def _device_secret(header: Header, creds: CredentialStore) -> bytes:
    if not header.device_binding:
        return b""
    creds.check_available()
    secret = creds.get_device_secret(header.store_id)
    if secret is None:
        raise MachineNotEnrolled()
    return secret


def _now() -> datetime:
    return datetime.now(UTC)


def unlock_with_password(
    location: StoreLocation,
    username: str,
    password: str,
    *,
    creds: CredentialStore | None = None,
    attempts: LoginAttempts | None = None,
    read_only: bool = False,
) -> Session:
    creds = creds or KeyringCredentialStore()
    attempts = attempts or LoginAttempts()
    if not location.path.is_file():
        raise StoreMissing()
    header = keyslots.read(location.path)
    try:
        name = normalise_username(username)
    except Exception:
        raise WrongCredentials() from None
    wait = attempts.wait_seconds(header.store_id, name)
    if wait > 0:
        raise LockedOut(wait)
    slot = header.slot_for(name)
    secret = _device_secret(header, creds)
    if slot is None:
        attempts.record_failure(header.store_id, name)
        raise WrongCredentials()
    try:
        keys = keyslots.open_password_slot(header, slot, password, secret)
    except UnwrapFailed:
        attempts.record_failure(header.store_id, name)
        raise WrongCredentials() from None
    conn, data_key, header = open_store_with_keys(location, header, keys, read_only)
    try:
        try:
            user, user_uuid = users_repo.by_username(conn, name)
        except DatabaseError as exc:
            raise translate(exc) from None
        if user.status is UserStatus.DISABLED:
            raise AccountDisabled()
        if user.is_expired(_now()):
            raise AccountExpired()
        if read_only:
            return Session(location, conn, user, user_uuid, header, data_key, read_only=True)
        failures = attempts.clear(header.store_id, name)
        with transaction(conn):
            if failures:
                audit_log.append(conn, name, AuditAction.LOGIN_FAILURES, "user", name,
                                 {"failed_attempts": failures})
            audit_log.append(conn, name, AuditAction.LOGIN, "user", name)
    except BaseException:
        conn.close()
        raise
    return Session(location, conn, user, user_uuid, header, data_key)


def unlock_with_recovery_key(
    location: StoreLocation, recovery_key_text: str, read_only: bool = False
) -> tuple[Session, bytes | None]:
    """Unlock with the recovery key. Returns the session and the device secret.

    The recovery key acts with administrator rights: it exists for when every
    password is lost, and to enrol a new computer.
    """
    key = parse_recovery_key(recovery_key_text)  # format and checksum before any crypto
    if not location.path.is_file():
        raise StoreMissing()
    header = keyslots.read(location.path)
    keys, device_secret = keyslots.open_recovery_slot(header, key)
    conn, data_key, header = open_store_with_keys(location, header, keys, read_only)
    user = User(
        id=0,
        username=RECOVERY_ACTOR,
        display_name="Recovery key",
        role=Role.ADMIN,
        status=UserStatus.ACTIVE,
        must_change_password=False,
        created_at=_now(),
    )
    session = Session(location, conn, user, "", header, data_key, via_recovery_key=True,
                      read_only=read_only)
    if not read_only:
        session.audit(AuditAction.LOGIN_RECOVERY, "store", header.store_id)
    return session, device_secret
