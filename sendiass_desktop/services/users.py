"""Accounts: add, disable, enable, change password, reset password.

A user's key slot and their row in the store change together: the key file
is written first (atomically), then the row; a disabled user's slot is
removed so their password no longer opens anything on any machine.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.errors import InvalidInput, PermissionDenied
from sendiass_desktop.domain.roles import Permission, Role
from sendiass_desktop.domain.users import (
    User,
    UserStatus,
    check_new_password,
    normalise_username,
)
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import audit_log, kdf, keyslots
from sendiass_desktop.store import users as users_repo
from sendiass_desktop.store.connection import transaction
from sendiass_desktop.store.device import CredentialStore, KeyringCredentialStore
from sendiass_desktop.store.errors import MachineNotEnrolled, WrongCredentials
from sendiass_desktop.store.keywrap import UnwrapFailed

_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def generate_temporary_password() -> str:
    """Readable one-time password (no 0/O or 1/l confusion), changed at first login."""
    groups = ["".join(secrets.choice(_TEMP_ALPHABET) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


def _device_secret_for_new_slot(session: Session, creds: CredentialStore) -> bytes:
    if not session.header.device_binding:
        return b""
    creds.check_available()
    secret = creds.get_device_secret(session.store_id)
    if secret is None:
        raise MachineNotEnrolled()
    return secret


def _slot_params(session: Session) -> kdf.KdfParams:
    # New slots use the strongest parameters already calibrated for this store.
    slots = session.header.password_slots
    if not slots:
        return kdf.calibrate()
    return max((s.kdf for s in slots), key=lambda p: (p.memory_kib, p.time_cost))


def _put_slot(session: Session, username: str, user_uuid: str, password: str,
              creds: CredentialStore) -> None:
    secret = _device_secret_for_new_slot(session, creds)
    slot = keyslots.new_password_slot(
        store_id=session.store_id, user_uuid=user_uuid, username=username, password=password,
        data_key=session.data_key, device_secret=secret, params=_slot_params(session),
    )
    others = tuple(s for s in session.header.password_slots if s.username != username)
    header = keyslots.sign(replace(session.header, password_slots=(*others, slot)),
                           session.data_key)
    session.replace_header(header)


def _drop_slot(session: Session, username: str) -> None:
    slots = tuple(s for s in session.header.password_slots if s.username != username)
    session.replace_header(keyslots.sign(replace(session.header, password_slots=slots),
                                         session.data_key))


def list_users(session: Session) -> list[User]:
    session.require(Permission.MANAGE_USERS, "see the list of accounts")
    return users_repo.all_users(session.conn)


def add_user(
    session: Session,
    username: str,
    role: Role,
    *,
    display_name: str = "",
    password: str | None = None,
    expires_at: datetime | None = None,
    creds: CredentialStore | None = None,
) -> tuple[User, str]:
    """Create an account. Returns the user and the initial password to hand over.

    The initial password must be changed at first sign-in.
    """
    session.require(Permission.MANAGE_USERS, "add accounts")
    name = normalise_username(username)
    if name == "recovery-key":
        raise InvalidInput("That username is reserved.")
    if role is Role.INSPECTOR and expires_at is None:
        raise InvalidInput("An inspector account needs an end date and time.")
    expires_at = expires_at.astimezone() if expires_at is not None else None  # naive = local
    initial = password if password is not None else generate_temporary_password()
    if password is not None:
        check_new_password(password, name)
    creds = creds or KeyringCredentialStore()
    with transaction(session.conn):
        user, user_uuid = users_repo.insert(
            session.conn, name, display_name.strip() or name, role, True, expires_at
        )
        # Key file first: if writing it fails, the row is rolled back too.
        _put_slot(session, name, user_uuid, initial, creds)
        audit_log.append(session.conn, session.actor, AuditAction.USER_CREATED, "user", name,
                         {"role": role.value})
    return user, initial


def _set_status(session: Session, username: str, status: UserStatus) -> User:
    session.require(Permission.MANAGE_USERS, "disable or enable accounts")
    name = normalise_username(username)
    with transaction(session.conn):
        user, _ = users_repo.by_username(session.conn, name)
        if status is UserStatus.DISABLED:
            if name == session.user.username:
                raise InvalidInput("You cannot disable your own account.")
            if user.role is Role.ADMIN and users_repo.count_active_admins(session.conn) <= 1:
                raise InvalidInput("This is the last active administrator; it cannot be disabled.")
        updated = users_repo.update_flags(session.conn, user, status=status)
        action = (AuditAction.USER_DISABLED if status is UserStatus.DISABLED
                  else AuditAction.USER_ENABLED)
        audit_log.append(session.conn, session.actor, action, "user", name)
        if status is UserStatus.DISABLED:
            _drop_slot(session, name)
    return updated


def disable_user(session: Session, username: str) -> User:
    return _set_status(session, username, UserStatus.DISABLED)


def enable_user(session: Session, username: str, creds: CredentialStore | None = None
                ) -> tuple[User, str]:
    """Re-enable an account; its old slot is gone, so it gets a new temporary password."""
    user = _set_status(session, username, UserStatus.ACTIVE)
    return user, reset_password(session, user.username, creds=creds)


def reset_password(
    session: Session,
    username: str,
    *,
    new_password: str | None = None,
    creds: CredentialStore | None = None,
) -> str:
    """Administrator sets a new (temporary) password: a fresh key slot for that user."""
    session.require(Permission.MANAGE_USERS, "reset other people's passwords")
    name = normalise_username(username)
    temporary = new_password if new_password is not None else generate_temporary_password()
    if new_password is not None:
        check_new_password(new_password, name)
    creds = creds or KeyringCredentialStore()
    with transaction(session.conn):
        user, user_uuid = users_repo.by_username(session.conn, name)
        if user.status is UserStatus.DISABLED:
            raise InvalidInput("That account is disabled. Enable it first.")
        users_repo.update_flags(session.conn, user, must_change_password=True)
        _put_slot(session, name, user_uuid, temporary, creds)
        audit_log.append(session.conn, session.actor, AuditAction.PASSWORD_RESET, "user", name)
    return temporary


def change_own_password(
    session: Session,
    current_password: str,
    new_password: str,
    *,
    creds: CredentialStore | None = None,
) -> None:
    """Rewrap the user's own slot under a new password (the store is not re-encrypted)."""
    if session.via_recovery_key:
        raise PermissionDenied("The recovery key has no password to change.")
    name = session.user.username
    check_new_password(new_password, name)
    if new_password == current_password:
        raise InvalidInput("The new password must be different from the current one.")
    creds = creds or KeyringCredentialStore()
    slot = session.header.slot_for(name)
    secret = _device_secret_for_new_slot(session, creds)
    if slot is None:
        raise WrongCredentials()
    try:
        keyslots.open_password_slot(session.header, slot, current_password, secret)
    except UnwrapFailed:
        raise WrongCredentials() from None
    with transaction(session.conn):
        user, user_uuid = users_repo.by_username(session.conn, name)
        updated = users_repo.update_flags(session.conn, user, must_change_password=False)
        _put_slot(session, name, user_uuid, new_password, creds)
        audit_log.append(session.conn, session.actor, AuditAction.PASSWORD_CHANGED, "user", name)
    session.user = updated
