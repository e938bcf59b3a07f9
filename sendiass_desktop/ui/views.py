"""The views the main window shows, and how new ones are registered.

A view is any ``QWidget`` built from the signed-in ``Session`` by a factory.
To add one (the case list, "My work", statistics…), add a ``ViewSpec`` to
``default_views()`` — or call ``MainWindow.add_view(spec)`` — and, if the
view holds on to the session, implement ``SessionAware.set_session`` so it
picks up the new session after the window is unlocked again. Views that show
personal data may implement ``LockAware.on_lock`` to drop it when the window
locks (the window hides them either way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.theme import heading_font

ViewFactory = Callable[[Session], QWidget]


@runtime_checkable
class SessionAware(Protocol):
    def set_session(self, session: Session) -> None: ...


@runtime_checkable
class LockAware(Protocol):
    def on_lock(self) -> None: ...


@dataclass(frozen=True)
class ViewSpec:
    key: str  # stable identifier, e.g. "cases"
    title: str  # shown in the navigation list
    factory: ViewFactory
    shortcut: str | None = None  # e.g. "Ctrl+1"
    # Hides the view from roles without this permission. The service still
    # checks every action: hiding is never the only protection.
    requires: Permission | None = None


def signed_in_text(session: Session) -> str:
    if session.via_recovery_key:
        return "Signed in with the recovery key (administrator rights)"
    user = session.user
    return f"Signed in as {user.display_name} ({user.role.label})"


class HomeView(QWidget):
    """Placeholder start page until the case list and "My work" arrive."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Home")
        self.heading = QLabel(self)
        self.heading.setFont(heading_font(self, 1.5))
        self.heading.setWordWrap(True)
        intro = HintLabel(
            "Your cases, your work for today and the service's statistics will appear here.",
            self)
        self.details = QFormLayout()
        self.details.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.who = QLabel(self)
        self.role = QLabel(self)
        self.store = QLabel(self)
        self.store.setWordWrap(True)
        self.store.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.addRow("Signed in:", self.who)
        self.details.addRow("Role:", self.role)
        self.details.addRow("Store:", self.store)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(14)
        layout.addWidget(self.heading)
        layout.addWidget(intro)
        layout.addLayout(self.details)
        layout.addStretch(1)
        self.set_session(session)

    def set_session(self, session: Session) -> None:
        user = session.user
        first = user.display_name.split(" ")[0] if not session.via_recovery_key else ""
        self.heading.setText(f"Welcome, {first}" if first else "Welcome")
        self.who.setText(
            "the recovery key" if session.via_recovery_key else
            f"{user.display_name} ({user.username})")
        self.role.setText(user.role.label)
        self.store.setText(str(session.location.path))


def default_views() -> list[ViewSpec]:
    """The views every main window starts with. Register new views here."""
    return [ViewSpec("home", "Home", HomeView, "Ctrl+1")]
