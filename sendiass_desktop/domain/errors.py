"""Errors whose message is safe to show to a user.

Messages are plain British English, say what to do next, and never contain
personal data (names, dates of birth, note text), because they can end up in
a terminal, a dialog or a bug report.
"""

from __future__ import annotations


class SendiassError(Exception):
    """Base class: ``str(error)`` is a complete sentence a user can act on."""


class InvalidInput(SendiassError):
    """Something the user typed or supplied is not acceptable."""


class PermissionDenied(SendiassError):
    """The signed-in user's role does not allow this action."""


class NotFound(SendiassError):
    """The record asked for does not exist (or is not visible to this user)."""


class ConflictError(SendiassError):
    """Someone else saved a newer version of the record first."""


class EditConflict(ConflictError):
    """A save lost the race: both versions are kept so the user can merge them.

    ``mine`` is what the user tried to save (already kept as a draft where
    that applies); ``theirs`` is the newer saved version.
    """

    def __init__(self, message: str, mine: object, theirs: object) -> None:
        super().__init__(message)
        self.mine = mine
        self.theirs = theirs
