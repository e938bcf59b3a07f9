"""Who may see which note: rules 3 (young people) and restricted notes.

* Normal notes: anyone who may read cases.
* Young-person confidential: the author, the officers working with the
  young person on that case, and managers (who supervise and answer SARs).
  Never anyone on the parent's side; never inspectors.
* Restricted: the author and managers only.

A "manager" here is anyone whose role may manage SARs (manager, admin).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sendiass_desktop.domain.cases import Case
from sendiass_desktop.domain.notes import Confidentiality, Note
from sendiass_desktop.domain.roles import Permission, Role, role_allows


@dataclass(frozen=True)
class Viewer:
    username: str
    role: Role

    @property
    def is_manager(self) -> bool:
        return role_allows(self.role, Permission.MANAGE_SARS)


class Audience(Enum):
    """Who an export or view is *for*, whoever is producing it."""

    INTERNAL = "internal"  # the service's own use (migration, supervision)
    PARENT = "parent"  # anything going to, or shown on behalf of, a parent/carer
    YOUNG_PERSON = "young_person"
    EXTERNAL = "external"  # another agency (with consent)


def can_see_note(viewer: Viewer, note: Note, case: Case) -> bool:
    if not role_allows(viewer.role, Permission.READ_CASES):
        return False
    if note.confidentiality is Confidentiality.NORMAL:
        return True
    if viewer.role is Role.INSPECTOR:
        return False
    if note.author == viewer.username or viewer.is_manager:
        return True
    if note.confidentiality is Confidentiality.YOUNG_PERSON:
        return viewer.username in case.young_person_officers
    return False


def note_goes_to(audience: Audience, note: Note) -> bool:
    """Whether a note may leave the service for ``audience`` at all.

    Young-person confidential notes never go to a parent or another agency;
    restricted notes never leave the service except by a manager's explicit
    decision (the SAR review), so they are excluded by default here too.
    """
    if audience is Audience.INTERNAL:
        return True
    if note.confidentiality is Confidentiality.NORMAL:
        return True
    if note.confidentiality is Confidentiality.YOUNG_PERSON:
        return audience is Audience.YOUNG_PERSON
    return False
