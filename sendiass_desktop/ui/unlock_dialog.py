"""Signing in: username and password, or the recovery key.

Unlocking derives a key with Argon2id (about a second), so it runs on the
thread pool while the dialog shows a busy bar. Mistakes a person can fix
(wrong password, locked out for a while, disabled account) are said inline;
anything else (damaged store, computer not enrolled) is handed on through
``startupFailure`` for its own screen.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from enum import Enum

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop import APP_NAME
from sendiass_desktop.services.preflight import check_ready_to_unlock
from sendiass_desktop.services.session import (
    Session,
    StoreLocation,
    unlock_with_password,
    unlock_with_recovery_key,
)
from sendiass_desktop.store.device import CredentialStore
from sendiass_desktop.store.errors import LockedOut
from sendiass_desktop.store.lockout import LoginAttempts
from sendiass_desktop.ui.fields import ElidedLabel, HintLabel, PasswordEdit, RecoveryKeyEdit
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.sizing import fit_height
from sendiass_desktop.ui.startup_errors import is_startup_failure
from sendiass_desktop.ui.theme import Tone, heading_font
from sendiass_desktop.ui.workers import run_task


@dataclass
class UnlockOutcome:
    session: Session
    device_secret: bytes | None = field(default=None, repr=False)
    # Kept only so a temporary password can be changed without typing it again.
    password: str = field(default="", repr=False)


class UnlockMode(Enum):
    SIGN_IN = "sign-in"
    LOCKED = "locked"  # the same person unlocking again after Lock


STILL_WORKING = ("Still working. The first sign-in after an update also brings the store up "
                 "to date, which can take a minute on a large store. Please wait.")


class UnlockDialog(QDialog):
    SLOW_AFTER_MS = 4_000
    unlocked = Signal(object)  # UnlockOutcome
    startupFailure = Signal(object)  # an exception for startup_errors

    def __init__(
        self,
        location: StoreLocation,
        *,
        username: str = "",
        mode: UnlockMode = UnlockMode.SIGN_IN,
        recovery_only: bool = False,
        notice: str = "",
        creds: CredentialStore | None = None,
        attempts: LoginAttempts | None = None,
        check_first: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.location = location
        self.mode = mode
        self._creds = creds
        self._attempts = attempts
        self._check_first = check_first
        self._checked = False
        self._busy = False
        self._locked_until = 0.0
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        # Signing in normally takes about a second; the first sign-in after an
        # update also brings the store up to date, which can take a minute on a
        # large store. Say so rather than leave "Checking your password…" up.
        self._slow = QTimer(self)
        self._slow.setSingleShot(True)
        self._slow.setInterval(self.SLOW_AFTER_MS)
        self._slow.timeout.connect(self._still_working)

        locked = mode is UnlockMode.LOCKED
        self.setWindowTitle(f"{APP_NAME} — locked" if locked else f"{APP_NAME} — sign in")
        self.setObjectName("unlockDialog")
        self.setAccessibleName("Unlock" if locked else "Sign in")

        heading = QLabel("SENDIASS Desktop is locked" if locked else "Sign in", self)
        heading.setFont(heading_font(self))
        heading.setAccessibleName(heading.text())
        intro = HintLabel(
            "Type your password to carry on. Nothing you were doing has been lost."
            if locked
            else "Sign in with your own username and password to open the store.",
            self,
        )
        store_row = QHBoxLayout()
        store_caption = QLabel("Store:", self)
        self.store_label = ElidedLabel(str(location.path), self)
        self.store_label.setAccessibleName("Store location")
        store_row.addWidget(store_caption)
        store_row.addWidget(self.store_label, 1)

        self.notice = InlineMessage(self, "Notice")
        if notice:
            self.notice.show_message(notice, Tone.INFO)

        # Username and password.
        self.username = QLineEdit(username, self)
        self.username.setAccessibleName("Username")
        self.username.setMaxLength(64)
        self.username.setReadOnly(locked)
        self.password = PasswordEdit("Password", self)
        self.password_form = QWidget(self)
        form = QFormLayout(self.password_form)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        user_label = QLabel("&Username:", self.password_form)
        user_label.setBuddy(self.username)
        pass_label = QLabel("&Password:", self.password_form)
        pass_label.setBuddy(self.password)
        form.addRow(user_label, self.username)
        form.addRow(pass_label, self.password)

        # Recovery key.
        self.recovery_key = RecoveryKeyEdit(self)
        self.recovery_form = QWidget(self)
        rk_layout = QVBoxLayout(self.recovery_form)
        rk_layout.setContentsMargins(0, 0, 0, 0)
        rk_label = QLabel("&Recovery key:", self.recovery_form)
        rk_label.setBuddy(self.recovery_key)
        rk_layout.addWidget(rk_label)
        rk_layout.addWidget(self.recovery_key)
        rk_layout.addWidget(HintLabel(
            "Type the key from the store's recovery sheet. The recovery key has "
            "administrator rights, and using it is recorded in the audit log.",
            self.recovery_form,
        ))

        self.use_recovery = QCheckBox("Use the recovery &key instead", self)
        self.use_recovery.setAccessibleName("Use the recovery key instead of a password")
        self.use_recovery.toggled.connect(self._set_recovery_mode)
        self.use_recovery.setVisible(not locked)

        self.message = InlineMessage(self, "Sign-in message")

        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Working")
        self.busy_label = QLabel("", self)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy_label)
        busy_row.addWidget(self.busy_bar, 1)
        self.busy_row = QWidget(self)
        self.busy_row.setLayout(busy_row)
        busy_row.setContentsMargins(0, 0, 0, 0)
        self.busy_row.setVisible(False)

        self.unlock_button = QPushButton("Unlock" if locked else "&Sign in", self)
        self.unlock_button.setAccessibleName("Unlock" if locked else "Sign in")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Cancel" if locked else "&Quit", self)
        self.cancel_button.setAccessibleName(self.cancel_button.text().replace("&", ""))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.unlock_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 22, 24, 18)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(store_row)
        layout.addWidget(self.notice)
        layout.addWidget(self.password_form)
        layout.addWidget(self.recovery_form)
        layout.addWidget(self.use_recovery)
        layout.addWidget(self.message)
        layout.addWidget(self.busy_row)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.use_recovery)
        self.setTabOrder(self.use_recovery, self.recovery_key)
        self.setTabOrder(self.recovery_key, self.unlock_button)
        self.setTabOrder(self.unlock_button, self.cancel_button)

        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        self.use_recovery.setChecked(recovery_only)
        self._set_recovery_mode(recovery_only)
        if recovery_only:
            self.use_recovery.setVisible(False)
        self._focus_first_field()

    # --- state -----------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._busy

    def in_recovery_mode(self) -> bool:
        return self.use_recovery.isChecked()

    def _set_recovery_mode(self, on: bool) -> None:
        self.password_form.setVisible(not on)
        self.recovery_form.setVisible(on)
        self.message.clear()
        self.unlock_button.setText("Unlock with recovery key" if on else (
            "Unlock" if self.mode is UnlockMode.LOCKED else "&Sign in"))
        self._focus_first_field()
        if self.isVisible():
            fit_height(self)

    def _focus_first_field(self) -> None:
        if self.in_recovery_mode():
            self.recovery_key.setFocus()
        elif self.username.text():
            self.password.setFocus()
        else:
            self.username.setFocus()

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        if busy:
            self._slow.start()
        else:
            self._slow.stop()
        self.busy_label.setText(text)
        self.busy_bar.setAccessibleDescription(text)
        self.busy_row.setVisible(busy)
        for widget in (self.username, self.password, self.recovery_key, self.use_recovery):
            widget.setEnabled(not busy)
        self._update_button()
        if self.isVisible():
            fit_height(self)
        if not busy:
            self._focus_first_field()

    def _update_button(self) -> None:
        waiting = time.monotonic() < self._locked_until and not self.in_recovery_mode()
        self.unlock_button.setEnabled(not self._busy and not waiting)

    # --- start-up check ---------------------------------------------------

    def fit_to_content(self) -> None:
        fit_height(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)
        if self._check_first and not self._checked:
            self._checked = True
            self._set_busy(True, "Checking the store…")
            creds = self._creds
            run_task(
                lambda: check_ready_to_unlock(self.location, creds),
                on_success=lambda _ready: self._set_busy(False),
                on_failure=self._failed,
                owner=self,
            )

    # --- unlocking --------------------------------------------------------

    def submit(self) -> None:
        if self._busy or not self.unlock_button.isEnabled():
            return
        self.message.clear()
        if self.in_recovery_mode():
            text = self.recovery_key.text()
            if not text.strip():
                self._say("Type the recovery key from the recovery sheet.")
                self.recovery_key.setFocus()
                return
            self._set_busy(True, "Checking the recovery key…")
            location = self.location
            run_task(
                lambda: unlock_with_recovery_key(location, text),
                on_success=self._recovery_done,
                on_failure=self._failed,
                owner=self,
                on_orphan=lambda result: result[0].close(),
            )
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username:
            self._say("Type your username.")
            self.username.setFocus()
            return
        if not password:
            self._say("Type your password.")
            self.password.setFocus()
            return
        self._set_busy(True, "Checking your password…")
        location, creds, attempts = self.location, self._creds, self._attempts
        run_task(
            lambda: unlock_with_password(location, username, password, creds=creds,
                                         attempts=attempts),
            on_success=lambda session: self._finish(UnlockOutcome(session, None, password)),
            on_failure=self._failed,
            owner=self,
            on_orphan=lambda session: session.close(),
        )

    def _still_working(self) -> None:
        if self._busy:
            self.busy_label.setText(STILL_WORKING)
            self.busy_bar.setAccessibleDescription(STILL_WORKING)
            if self.isVisible():
                fit_height(self)

    def _recovery_done(self, result: tuple[Session, bytes | None]) -> None:
        session, secret = result
        self.recovery_key.clear()
        self._finish(UnlockOutcome(session, secret))

    def _finish(self, outcome: UnlockOutcome) -> None:
        self._set_busy(False)
        self.password.clear()
        self.accept()
        self.unlocked.emit(outcome)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if is_startup_failure(exc):
            self.startupFailure.emit(exc)
            return
        self._say(str(exc))
        if not self.in_recovery_mode():
            self.password.clear()
            self.password.setFocus()
        else:
            self.recovery_key.setFocus()
        if isinstance(exc, LockedOut):
            self._locked_until = time.monotonic() + exc.seconds
            self._countdown.start()
            self._update_button()

    def _say(self, text: str, tone: Tone = Tone.ERROR) -> None:
        self.message.show_message(text, tone)

    def _tick(self) -> None:
        remaining = self._locked_until - time.monotonic()
        if remaining > 0:
            self._say(str(LockedOut(math.ceil(remaining))))
        else:
            self._countdown.stop()
            self._say("You can try again now.", Tone.INFO)
        self._update_button()

    def reject(self) -> None:
        # Esc, Quit/Cancel or the title-bar button. While an unlock is running
        # it finishes first, so the session it opens is never left behind.
        if self._busy:
            return
        self._forget_secrets()
        super().reject()

    def dismiss(self) -> None:
        """Close because the app moves on (no ``rejected``, so not a Quit)."""
        self._forget_secrets()
        self._countdown.stop()
        self.hide()
        self.deleteLater()

    def _forget_secrets(self) -> None:
        self.password.clear()
        self.recovery_key.clear()
