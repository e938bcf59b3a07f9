"""Who can hold cases: the names behind the case list's officer filter.

``users.list_users`` is for administrators (it shows roles, status and
expiry). Everyone who reads cases needs a smaller answer: the accounts a
case can be assigned to, with the names people know them by. Disabled
accounts are included (their old cases still need finding), marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass

from sendiass_desktop.domain.roles import Permission, role_allows
from sendiass_desktop.domain.users import UserStatus
from sendiass_desktop.services.access import require_read
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import users as users_repo


@dataclass(frozen=True)
class Officer:
    username: str
    display_name: str
    active: bool


def list_officers(session: Session) -> list[Officer]:
    """Accounts whose role can hold cases (officers, managers, administrators), by name."""
    require_read(session)
    officers = [
        Officer(u.username, u.display_name or u.username, u.status is UserStatus.ACTIVE)
        for u in users_repo.all_users(session.conn)
        if role_allows(u.role, Permission.WRITE_CASES)
    ]
    return sorted(officers, key=lambda o: (not o.active, o.display_name.casefold(), o.username))
