"""Rows of the ``users`` table <-> ``domain.users.User``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sendiass_desktop.domain.errors import ConflictError, InvalidInput, NotFound
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.domain.users import User, UserStatus
from sendiass_desktop.store.connection import Connection

_COLUMNS = (
    "id, uuid, username, display_name, role, status, must_change_password, created_at, "
    "expires_at, version"
)


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text)
    # Older rows may hold a time without a zone: it was meant as local time.
    return value if value.tzinfo is not None else value.astimezone()


def _user(row: tuple[Any, ...]) -> tuple[User, str]:
    created = _parse_time(row[7])
    assert created is not None
    user = User(
        id=row[0],
        username=row[2],
        display_name=row[3],
        role=Role(row[4]),
        status=UserStatus(row[5]),
        must_change_password=bool(row[6]),
        created_at=created,
        expires_at=_parse_time(row[8]),
        version=row[9],
    )
    return user, row[1]


def insert(
    conn: Connection,
    username: str,
    display_name: str,
    role: Role,
    must_change_password: bool,
    expires_at: datetime | None = None,
) -> tuple[User, str]:
    """Insert a user; returns the user and its UUID (used to bind its key slot)."""
    if conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
        raise InvalidInput("There is already an account with that username.")
    user_uuid = str(uuid.uuid4())
    now = datetime.now(UTC).isoformat(timespec="seconds")
    conn.execute(
        "INSERT INTO users (uuid, username, display_name, role, status, must_change_password, "
        "created_at, expires_at) VALUES (?, ?, ?, ?, 'active', ?, ?, ?)",
        (
            user_uuid,
            username,
            display_name,
            role.value,
            int(must_change_password),
            now,
            expires_at.isoformat(timespec="seconds") if expires_at else None,
        ),
    )
    return by_username(conn, username)


def by_username(conn: Connection, username: str) -> tuple[User, str]:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM users WHERE username = ?", (username,)  # noqa: S608
    ).fetchone()
    if row is None:
        raise NotFound("There is no account with that username.")
    return _user(row)


def all_users(conn: Connection) -> list[User]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY username").fetchall()  # noqa: S608
    return [_user(r)[0] for r in rows]


def count_active_admins(conn: Connection) -> int:
    row = conn.execute(
        "SELECT count(*) FROM users WHERE role = 'admin' AND status = 'active'"
    ).fetchone()
    return int(row[0])


def update_flags(
    conn: Connection,
    user: User,
    *,
    status: UserStatus | None = None,
    must_change_password: bool | None = None,
) -> User:
    """Optimistic update: refused if someone changed the row since ``user`` was read."""
    new_status = status if status is not None else user.status
    new_flag = must_change_password if must_change_password is not None else (
        user.must_change_password
    )
    cursor = conn.execute(
        "UPDATE users SET status = ?, must_change_password = ?, version = version + 1 "
        "WHERE id = ? AND version = ?",
        (new_status.value, int(new_flag), user.id, user.version),
    )
    if cursor.rowcount != 1:
        raise ConflictError(
            "Someone else changed this account at the same time. Reload and try again."
        )
    return by_username(conn, user.username)[0]
