"""Roles and what each may do.

Permissions are checked in ``services/``; the UI may hide what a role cannot
do, but hiding is never the only protection.
"""

from __future__ import annotations

from enum import Enum


class Role(Enum):
    OFFICER = "officer"
    MANAGER = "manager"
    ADMIN = "admin"
    INSPECTOR = "inspector"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(r.value for r in cls)
            from sendiass_desktop.domain.errors import InvalidInput

            raise InvalidInput(f"Unknown role. Choose one of: {names}.") from None


_LABELS = {
    Role.OFFICER: "Officer",
    Role.MANAGER: "Manager",
    Role.ADMIN: "Administrator",
    Role.INSPECTOR: "Inspector (read-only)",
}


class Permission(Enum):
    READ_CASES = "read_cases"
    WRITE_CASES = "write_cases"
    MANAGE_SARS = "manage_sars"
    APPROVE_DISCLOSURES = "approve_disclosures"
    RUN_STATISTICS = "run_statistics"
    REVIEW_RETENTION = "review_retention"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"
    MANAGE_STORE = "manage_store"  # backup, restore, rekey, enrol, check


_OFFICER = frozenset({Permission.READ_CASES, Permission.WRITE_CASES})
_MANAGER = _OFFICER | {
    Permission.MANAGE_SARS,
    Permission.APPROVE_DISCLOSURES,
    Permission.RUN_STATISTICS,
    Permission.REVIEW_RETENTION,
    Permission.VIEW_AUDIT,
}
# An admin is a manager who also looks after accounts and the store: in a
# team of 3-15 the person who sets the store up is normally the manager.
_ADMIN = _MANAGER | {Permission.MANAGE_USERS, Permission.MANAGE_STORE}
_INSPECTOR = frozenset({Permission.READ_CASES})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: _OFFICER,
    Role.MANAGER: frozenset(_MANAGER),
    Role.ADMIN: frozenset(_ADMIN),
    Role.INSPECTOR: _INSPECTOR,
}


def role_allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
