"""Changing your own password (required after an administrator set it)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop import APP_NAME
from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.services.session import Session
from sendiass_desktop.services.users import change_own_password
from sendiass_desktop.store.device import CredentialStore
from sendiass_desktop.store.errors import WrongCredentials
from sendiass_desktop.ui.fields import HintLabel, PasswordEdit, PasswordRules
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.sizing import fit_height
from sendiass_desktop.ui.theme import heading_font
from sendiass_desktop.ui.workers import run_task


class ChangePasswordDialog(QDialog):
    changed = Signal()

    def __init__(
        self,
        session: Session,
        *,
        current_password: str = "",
        required: bool = False,
        creds: CredentialStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._known_current = current_password
        self._creds = creds
        self._busy = False
        self.setWindowTitle(f"{APP_NAME} — change password")
        self.setObjectName("changePasswordDialog")
        self.setAccessibleName("Change password")

        heading = QLabel("Choose a new password" if required else "Change your password", self)
        heading.setFont(heading_font(self))
        intro = HintLabel(
            "Your password was set by an administrator. Choose a new one that only you "
            "know before you carry on." if required else
            "Your new password replaces the old one on every computer.",
            self,
        )

        self.current = PasswordEdit("Current password", self)
        self.new = PasswordEdit("New password", self)
        self.confirm = PasswordEdit("Type the new password again", self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        if not current_password:
            label = QLabel("&Current password:", self)
            label.setBuddy(self.current)
            form.addRow(label, self.current)
        else:
            self.current.hide()
        new_label = QLabel("&New password:", self)
        new_label.setBuddy(self.new)
        confirm_label = QLabel("&Type it again:", self)
        confirm_label.setBuddy(self.confirm)
        form.addRow(new_label, self.new)
        form.addRow(confirm_label, self.confirm)

        self.message = InlineMessage(self, "Password message")
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Saving the new password")
        self.busy_bar.hide()

        self.ok_button = QPushButton("&Change password", self)
        self.ok_button.setAccessibleName("Change password")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Sign out" if required else "Cancel", self)
        self.cancel_button.setAccessibleName(self.cancel_button.text())
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 22, 24, 18)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(PasswordRules(self))
        layout.addWidget(self.message)
        layout.addWidget(self.busy_bar)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        (self.new if current_password else self.current).setFocus()

    def fit_to_content(self) -> None:
        fit_height(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def submit(self) -> None:
        if self._busy:
            return
        self.message.clear()
        current = self._known_current or self.current.text()
        new, again = self.new.text(), self.confirm.text()
        if not current:
            self.message.show_message("Type your current password.")
            self.current.setFocus()
            return
        if not new:
            self.message.show_message("Type a new password.")
            self.new.setFocus()
            return
        if new != again:
            self.message.show_message("The two new passwords do not match. Type them again.")
            self.confirm.clear()
            self.confirm.setFocus()
            return
        self._set_busy(True)
        session, creds = self._session, self._creds
        run_task(
            lambda: change_own_password(session, current, new, creds=creds),
            on_success=lambda _none: self._done(),
            on_failure=self._failed,
            owner=self,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_bar.setVisible(busy)
        for widget in (self.current, self.new, self.confirm, self.ok_button, self.cancel_button):
            widget.setEnabled(not busy)

    def _done(self) -> None:
        self._set_busy(False)
        self._forget()
        self.accept()
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, WrongCredentials):
            self.message.show_message("Your current password is not right. Type it again.")
            self.current.clear()
            self.current.setFocus()
            return
        self.message.show_message(
            str(exc) if isinstance(exc, SendiassError) else
            "The password could not be changed, and nothing was saved. Try again, or ask "
            "your administrator."
        )
        self.new.setFocus()
        self.new.selectAll()
        self.confirm.clear()

    def _forget(self) -> None:
        self._known_current = ""
        for edit in (self.current, self.new, self.confirm):
            edit.clear()

    def reject(self) -> None:
        if self._busy:
            return
        self._forget()
        super().reject()

    def dismiss(self) -> None:
        self._forget()
        self.hide()
        self.deleteLater()
