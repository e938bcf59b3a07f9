"""What to show when the store cannot be opened, and what the user can do next.

``screen_for`` is the one place that maps an exception to a screen; the
unlock dialog uses ``is_startup_failure`` to decide whether a failure is
said inline (a wrong password) or needs its own screen (a damaged store).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop import APP_NAME, __version__
from sendiass_desktop.domain.errors import InvalidInput, SendiassError
from sendiass_desktop.store.errors import (
    AccountDisabled,
    AccountExpired,
    DiskFull,
    HeaderDamaged,
    HeaderTampered,
    KeyFileUnreadable,
    LockedOut,
    MachineNotEnrolled,
    NoCredentialStore,
    SqlcipherMissing,
    StoreBusy,
    StoreDamaged,
    StoreMissing,
    StoreReadOnly,
    StoreTooNew,
    WrongCredentials,
    WrongRecoveryKey,
)
from sendiass_desktop.ui.fields import ElidedLabel, HintLabel
from sendiass_desktop.ui.sizing import fit_height
from sendiass_desktop.ui.theme import heading_font

# Failures a person can put right in the unlock dialog itself.
INLINE_ERRORS: tuple[type[BaseException], ...] = (
    WrongCredentials,
    WrongRecoveryKey,
    LockedOut,
    AccountDisabled,
    AccountExpired,
    InvalidInput,  # includes a badly typed recovery key
)


def is_startup_failure(exc: BaseException) -> bool:
    return not isinstance(exc, INLINE_ERRORS)


class Action(Enum):
    RETRY = "Try again"
    CHOOSE_STORE = "Choose another store…"
    ENROL = "Enrol with recovery key…"
    SET_UP = "Set up a new store…"
    QUIT = "Quit"


@dataclass(frozen=True)
class FailureScreen:
    key: str  # stable identifier, used by tests and screenshots
    title: str
    explanation: str
    next_steps: tuple[str, ...]
    actions: tuple[Action, ...]
    detail: str = ""  # the error's own message, when it adds something


_RESTORE_STEPS = (
    "Ask your administrator to restore the store and its key file from the latest "
    "backup. Each backup carries its own key file; keep the two files together.",
    "Do not delete or overwrite the damaged files: the administrator may need them.",
)


def _parenthetical(text: str) -> str:
    """The last bracketed part of a message (the specific cause), or nothing."""
    match = re.search(r"\(([^()]*)\)[^()]*$", text)
    return match.group(1) if match else ""


def screen_for(exc: BaseException) -> FailureScreen:
    """The screen for a start-up failure. The one place this mapping is made."""
    detail = str(exc) if isinstance(exc, SendiassError) else ""
    if isinstance(exc, HeaderDamaged | KeyFileUnreadable | StoreDamaged | StoreTooNew):
        # Their messages repeat the explanation; only the bracketed cause is new.
        detail = _parenthetical(detail)
    if isinstance(exc, NoCredentialStore):
        return FailureScreen(
            "no-credential-store",
            "This computer's credential store is not available",
            "This store only opens on enrolled computers. It needs a secret kept in the "
            "computer's credential store (Windows Credential Manager, the macOS Keychain, "
            "or GNOME Keyring or KWallet on Linux), and none could be reached.",
            (
                "Make sure you are signed in to your normal desktop session, then try again.",
                "If it still fails, ask IT to install or repair the credential store.",
            ),
            (Action.RETRY, Action.CHOOSE_STORE, Action.QUIT),
            detail,
        )
    if isinstance(exc, MachineNotEnrolled):
        return FailureScreen(
            "machine-not-enrolled",
            "This computer is not enrolled for this store",
            "The store only opens on computers that have been enrolled for it, so a "
            "password alone cannot open it here. This protects the records if a copy of "
            "the store is taken.",
            (
                "If you have the store's recovery sheet (usually kept by the manager or "
                "administrator), choose “Enrol with recovery key…” and type the key from "
                "the sheet. Each computer needs this only once.",
                "Otherwise, ask your administrator to enrol this computer.",
            ),
            (Action.ENROL, Action.CHOOSE_STORE, Action.QUIT),
        )
    if isinstance(exc, HeaderTampered):
        return FailureScreen(
            "header-tampered",
            "The store's key file has been changed",
            "The key file beside the store (ending in .keys) has been changed outside "
            "SENDIASS Desktop, so it cannot be trusted and the store has not been opened.",
            ("Tell your manager: someone may have tried to change who can open the store.",
             *_RESTORE_STEPS),
            (Action.RETRY, Action.CHOOSE_STORE, Action.QUIT),
            detail,
        )
    if isinstance(exc, HeaderDamaged):
        return FailureScreen(
            "header-damaged",
            "The store's key file is damaged",
            "The key file beside the store (ending in .keys) is missing, damaged or not a "
            "SENDIASS Desktop key file, so the store cannot be opened.",
            _RESTORE_STEPS,
            (Action.RETRY, Action.CHOOSE_STORE, Action.QUIT),
            detail,
        )
    if isinstance(exc, KeyFileUnreadable):
        return FailureScreen(
            "key-file-unreadable",
            "The store's key file cannot be read",
            "The key file beside the store (ending in .keys) is there, but this computer "
            "could not read it, so the store has not been opened. The file is not known to "
            "be damaged.",
            (
                "If the store is on a network drive or a removable disk, check that this "
                "computer is connected to it, then choose “Try again”.",
                "If it still fails, ask your administrator to check the drive and the "
                "folder's permissions.",
                "Do not restore a backup because of this: the files may be fine once the "
                "drive can be read again.",
            ),
            (Action.RETRY, Action.CHOOSE_STORE, Action.QUIT),
            detail,
        )
    if isinstance(exc, StoreDamaged):
        return FailureScreen(
            "store-damaged",
            "The store file is damaged",
            "The store file cannot be read, or it does not belong with the key file beside "
            "it. Nothing has been changed.",
            _RESTORE_STEPS,
            (Action.RETRY, Action.CHOOSE_STORE, Action.QUIT),
            detail,
        )
    if isinstance(exc, StoreTooNew):
        return FailureScreen(
            "store-too-new",
            "This store needs a newer version of SENDIASS Desktop",
            "The store was last opened by a newer version of SENDIASS Desktop, and this "
            f"version ({__version__}) cannot read it safely.",
            ("Ask IT to install the latest version of SENDIASS Desktop on this computer.",),
            (Action.CHOOSE_STORE, Action.QUIT),
            detail,
        )
    if isinstance(exc, StoreBusy):
        return FailureScreen(
            "store-busy",
            "The store is locked by another computer",
            "Another computer or window is saving a large change, or the store is being "
            "backed up or maintained.",
            ("Wait a minute, then choose “Try again”.",
             "If this keeps happening, ask your administrator whether maintenance is running."),
            (Action.RETRY, Action.QUIT),
        )
    if isinstance(exc, SqlcipherMissing):
        return FailureScreen(
            "sqlcipher-missing",
            "SENDIASS Desktop is not installed correctly",
            "The encryption library that protects the store is missing, so the store "
            "cannot be opened safely.",
            ("Ask IT to reinstall SENDIASS Desktop.",),
            (Action.QUIT,),
            detail,
        )
    if isinstance(exc, StoreMissing):
        return FailureScreen(
            "store-missing",
            "The store cannot be found",
            "There is no store file at the location below.",
            (
                "If the store is on a network drive, check that this computer is connected "
                "to it, then choose “Try again”.",
                "If the store has been moved, choose where it is now.",
                "If your service is starting afresh, set up a new store.",
            ),
            (Action.RETRY, Action.CHOOSE_STORE, Action.SET_UP, Action.QUIT),
        )
    if isinstance(exc, StoreReadOnly | DiskFull):
        return FailureScreen(
            "store-not-writable",
            "The store cannot be saved to",
            "SENDIASS Desktop needs to write to the store when you sign in, and it cannot.",
            ("Ask your administrator to check the folder's permissions and free space.",),
            (Action.RETRY, Action.QUIT),
            detail,
        )
    return FailureScreen(
        "unexpected",
        "SENDIASS Desktop could not open the store",
        "Something unexpected went wrong while opening the store. Nothing has been changed.",
        ("Try again. If it happens again, tell your administrator what you were doing.",),
        (Action.RETRY, Action.CHOOSE_STORE, Action.QUIT),
        detail or f"({type(exc).__name__})",
    )


class StartupErrorDialog(QDialog):
    """A calm screen that says what went wrong and offers the next steps."""

    chosen = Signal(object)  # Action

    def __init__(self, screen: FailureScreen, store_path: Path | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.failure = screen
        self.setWindowTitle(f"{APP_NAME} — cannot open the store")
        self.setObjectName(f"startupError-{screen.key}")
        self.setAccessibleName(screen.title)
        self.buttons: dict[Action, QPushButton] = {}
        self._dismissed = False

        icon = QLabel(self)
        pixmap = self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning
            if screen.actions != (Action.QUIT,)
            else QStyle.StandardPixmap.SP_MessageBoxCritical
        ).pixmap(48, 48)
        icon.setPixmap(pixmap)
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        icon.setAccessibleName("Warning")

        title = QLabel(screen.title, self)
        title.setFont(heading_font(self))
        title.setWordWrap(True)
        title.setAccessibleName(screen.title)

        explanation = QLabel(screen.explanation, self)
        explanation.setWordWrap(True)
        explanation.setAccessibleName(screen.explanation)

        text = QVBoxLayout()
        text.setSpacing(10)
        text.addWidget(title)
        text.addWidget(explanation)
        if store_path is not None:
            where = QHBoxLayout()
            where_label = QLabel("Store:", self)
            path = ElidedLabel(str(store_path), self)
            path.setAccessibleName("Store location")
            where.addWidget(where_label)
            where.addWidget(path, 1)
            text.addLayout(where)
        steps_heading = QLabel("What to do next", self)
        steps_heading.setFont(heading_font(self, 1.05))
        text.addWidget(steps_heading)
        for step in screen.next_steps:
            bullet = QLabel(f"•  {step}", self)
            bullet.setWordWrap(True)
            bullet.setAccessibleName(step)
            text.addWidget(bullet)
        if screen.detail:
            self.detail_label = HintLabel(f"Details: {screen.detail}", self)
            self.detail_label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
            self.detail_label.setAccessibleName("Details")
            self.detail_label.setAccessibleDescription(screen.detail)
            text.addWidget(self.detail_label)
        text.addStretch(1)

        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        body.addLayout(text, 1)

        row = QHBoxLayout()
        row.addStretch(1)
        for action in screen.actions:
            button = QPushButton(action.value, self)
            button.setAccessibleName(action.value.rstrip("…"))
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, a=action: self._choose(a))
            self.buttons[action] = button
            row.addWidget(button)
        first = self.buttons[screen.actions[0]]
        first.setDefault(True)
        first.setFocus()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 18)
        outer.setSpacing(18)
        outer.addLayout(body, 1)
        outer.addLayout(row)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 96)

    def fit_to_content(self) -> None:
        fit_height(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def _choose(self, action: Action) -> None:
        self.chosen.emit(action)

    def dismiss(self) -> None:
        """Close without it counting as Quit (the controller moves on)."""
        self._dismissed = True
        self.close()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._choose(Action.QUIT)
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._dismissed:
            super().closeEvent(event)
            return
        # Closing the window (title-bar button) means the same as Quit.
        event.ignore()
        self._choose(Action.QUIT)
