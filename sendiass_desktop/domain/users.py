"""User accounts and the rules for names and passwords."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.roles import Permission, Role, role_allows

USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


class UserStatus(Enum):
    ACTIVE = "active"
    DISABLED = "disabled"


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    status: UserStatus
    must_change_password: bool
    created_at: datetime
    expires_at: datetime | None = None
    version: int = 1

    def can(self, permission: Permission) -> bool:
        return self.status is UserStatus.ACTIVE and role_allows(self.role, permission)

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


def normalise_username(text: str) -> str:
    """Usernames are case-insensitive; we keep them lower case."""
    name = text.strip().lower()
    if not USERNAME_RE.fullmatch(name):
        raise InvalidInput(
            "A username must be 2 to 32 characters: letters, digits, dots, hyphens "
            "or underscores, starting with a letter."
        )
    return name


def check_new_password(password: str, username: str) -> None:
    """Reject passwords that are too weak to protect a whole service's records."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long. "
            "A short sentence you can remember works well."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must be at most {MAX_PASSWORD_LENGTH} characters.")
    if password.strip() != password:
        raise InvalidInput("The password must not start or end with a space.")
    if username and username.lower() in password.lower():
        raise InvalidInput("The password must not contain the username.")
    if len(set(password)) < 4:
        raise InvalidInput("The password is too repetitive. Use a mix of words or characters.")
