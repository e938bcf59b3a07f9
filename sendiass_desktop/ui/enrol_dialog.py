"""Enrolling this computer with the recovery key.

The recovery key also unlocks the device secret; enrolling stores that
secret in this computer's credential store so passwords work here.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop import APP_NAME
from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.services.enrolment import enrol_with_recovery_key
from sendiass_desktop.services.session import StoreLocation
from sendiass_desktop.store.device import CredentialStore
from sendiass_desktop.ui.fields import ElidedLabel, HintLabel, RecoveryKeyEdit
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.sizing import fit_height
from sendiass_desktop.ui.theme import heading_font
from sendiass_desktop.ui.workers import run_task


class EnrolDialog(QDialog):
    enrolled = Signal(bool)  # False when the store needs no enrolment

    def __init__(self, location: StoreLocation, *, creds: CredentialStore | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location = location
        self._creds = creds
        self._busy = False
        self.setWindowTitle(f"{APP_NAME} — enrol this computer")
        self.setObjectName("enrolDialog")
        self.setAccessibleName("Enrol this computer")

        heading = QLabel("Enrol this computer", self)
        heading.setFont(heading_font(self))
        intro = HintLabel(
            "Type the recovery key from the store's recovery sheet. It is used once, to "
            "let this computer open the store; after that everyone signs in here with their "
            "own password. Using the recovery key is recorded in the audit log.",
            self,
        )
        store_row = QHBoxLayout()
        store_row.addWidget(QLabel("Store:", self))
        path = ElidedLabel(str(location.path), self)
        path.setAccessibleName("Store location")
        store_row.addWidget(path, 1)

        self.recovery_key = RecoveryKeyEdit(self)
        key_label = QLabel("&Recovery key:", self)
        key_label.setBuddy(self.recovery_key)
        self.message = InlineMessage(self, "Enrolment message")
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Enrolling")
        self.busy_bar.hide()

        self.enrol_button = QPushButton("&Enrol this computer", self)
        self.enrol_button.setAccessibleName("Enrol this computer")
        self.enrol_button.setDefault(True)
        self.enrol_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.enrol_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 22, 24, 18)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(store_row)
        layout.addWidget(key_label)
        layout.addWidget(self.recovery_key)
        layout.addWidget(self.message)
        layout.addWidget(self.busy_bar)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)
        self.recovery_key.setFocus()

    def fit_to_content(self) -> None:
        fit_height(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def submit(self) -> None:
        if self._busy:
            return
        self.message.clear()
        text = self.recovery_key.text()
        if not text.strip():
            self.message.show_message("Type the recovery key from the recovery sheet.")
            return
        self._set_busy(True)
        location, creds = self.location, self._creds
        run_task(
            lambda: enrol_with_recovery_key(location, text, creds),
            on_success=self._done,
            on_failure=self._failed,
            owner=self,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_bar.setVisible(busy)
        for widget in (self.recovery_key, self.enrol_button, self.cancel_button):
            widget.setEnabled(not busy)

    def _done(self, enrolled: bool) -> None:
        self._set_busy(False)
        self.recovery_key.clear()
        self.accept()
        self.enrolled.emit(bool(enrolled))

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.message.show_message(
            str(exc) if isinstance(exc, SendiassError) else
            "This computer could not be enrolled. Nothing was changed. Try again, or ask "
            "your administrator."
        )
        self.recovery_key.setFocus()

    def reject(self) -> None:
        if self._busy:
            return
        self.recovery_key.clear()
        super().reject()

    def dismiss(self) -> None:
        self.recovery_key.clear()
        self.hide()
        self.deleteLater()
