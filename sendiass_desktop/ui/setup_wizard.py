"""The first-run set-up wizard: a step list, one page at a time, Back and Next.

A plain dialog with a stacked widget rather than ``QWizard``, so that Back
and Cancel can be refused while the store is being created, and the look is
the same on every platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop import APP_NAME
from sendiass_desktop.services.session import StoreLocation
from sendiass_desktop.services.setup import SetupResult
from sendiass_desktop.store.device import CredentialStore
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.recovery_key_page import RecoveryKeyPage
from sendiass_desktop.ui.setup_pages import (
    AdministratorPage,
    CreatingPage,
    DeviceBindingPage,
    LocationPage,
    SetupState,
    WelcomePage,
    WizardPage,
)
from sendiass_desktop.ui.theme import heading_font, scaled_font


@dataclass(frozen=True)
class SetupOutcome:
    location: StoreLocation
    admin_username: str
    result: SetupResult


class SetupWizard(QDialog):
    created = Signal(object)  # SetupOutcome, when Finish is pressed
    openExistingRequested = Signal()

    def __init__(self, default_path: Path, *, creds: CredentialStore | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} — set up")
        self.setObjectName("setupWizard")
        self.setAccessibleName("Set up SENDIASS Desktop")
        self.state = SetupState(location=StoreLocation.of(default_path))
        self._dismissed = False

        self.welcome = WelcomePage(self.state)
        self.location_page = LocationPage(self.state)
        self.admin = AdministratorPage(self.state)
        self.device = DeviceBindingPage(self.state, creds)
        self.creating = CreatingPage(self.state, creds)
        self.recovery = RecoveryKeyPage(self.state)
        self.pages: list[WizardPage] = [self.welcome, self.location_page, self.admin,
                                        self.device, self.creating, self.recovery]
        self.welcome.open_existing.connect(self.openExistingRequested)

        # Step list on the left, for orientation (not focusable: it is not a control).
        self.steps_panel = QFrame(self)
        self.steps_panel.setObjectName("wizardSteps")
        self.steps_panel.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.steps_panel.setAutoFillBackground(True)
        steps_layout = QVBoxLayout(self.steps_panel)
        steps_layout.setContentsMargins(18, 22, 18, 18)
        steps_layout.setSpacing(10)
        app_label = QLabel(APP_NAME, self.steps_panel)
        app_label.setFont(scaled_font(self.font(), 1.1, bold=True))
        steps_layout.addWidget(app_label)
        steps_layout.addSpacing(8)
        self.step_labels: list[QLabel] = []
        for number, page in enumerate(self.pages, start=1):
            label = QLabel(f"{number}.  {page.step}", self.steps_panel)
            self.step_labels.append(label)
            steps_layout.addWidget(label)
        steps_layout.addStretch(1)

        self.heading = QLabel(self)
        self.heading.setFont(heading_font(self))
        self.heading.setWordWrap(True)
        self.step_of = HintLabel("", self)

        self.stack = QStackedWidget(self)
        for page in self.pages:
            scroller = QScrollArea(self.stack)
            scroller.setWidgetResizable(True)
            scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroller.setFrameShape(QFrame.Shape.NoFrame)
            scroller.setWidget(page)
            self.stack.addWidget(scroller)
            page.changed.connect(self._update_buttons)
            page.advance.connect(self.go_next)

        self.back_button = QPushButton("&Back", self)
        self.back_button.setAccessibleName("Back")
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.go_back)
        self.next_button = QPushButton("&Next", self)
        self.next_button.setAccessibleName("Next")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.go_next)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel set-up")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)

        content = QVBoxLayout()
        content.setContentsMargins(24, 22, 24, 18)
        content.setSpacing(10)
        content.addWidget(self.step_of)
        content.addWidget(self.heading)
        content.addWidget(self.stack, 1)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        content.addWidget(line)
        content.addLayout(buttons)

        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.steps_panel)
        outer.addLayout(content, 1)

        # Wide enough for the widest page (the recovery key), tall enough for the
        # administrator form, in units of the font so it scales with the display.
        self.stack.setMinimumWidth(max(page.minimumSizeHint().width() for page in self.pages))
        chars = self.fontMetrics().averageCharWidth()
        lines = self.fontMetrics().lineSpacing()
        self.resize(max(chars * 124, self.minimumSizeHint().width()), lines * 42)
        self._show_page(0)

    # --- navigation ---------------------------------------------------------

    @property
    def index(self) -> int:
        return self.stack.currentIndex()

    def current_page(self) -> WizardPage:
        return self.pages[self.index]

    def _show_page(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        page = self.pages[index]
        self.heading.setText(page.title)
        self.heading.setAccessibleName(page.title)
        self.step_of.setText(f"Step {index + 1} of {len(self.pages)}")
        for number, label in enumerate(self.step_labels):
            label.setFont(scaled_font(self.font(), 1.0, bold=number == index))
            label.setEnabled(number <= index)
        page.enter()
        self._update_buttons()
        page.focus_first()

    def _update_buttons(self) -> None:
        page = self.current_page()
        self.back_button.setVisible(self.index > 0 and page.allows_back())
        self.back_button.setEnabled(not page.busy())
        self.cancel_button.setVisible(page.allows_cancel())
        self.cancel_button.setEnabled(not page.busy())
        self.next_button.setText(page.next_text())
        self.next_button.setAccessibleName(page.next_text().replace("&", ""))
        self.next_button.setEnabled(page.is_complete() and not page.busy())

    def go_next(self) -> None:
        page = self.current_page()
        if page.busy() or not page.validate():
            self._update_buttons()
            return
        if page is self.creating:
            self.admin.forget_password()
        if self.index == len(self.pages) - 1:
            self._finish()
            return
        self._show_page(self.index + 1)

    def go_back(self) -> None:
        page = self.current_page()
        if self.index == 0 or page.busy() or not page.allows_back():
            return
        self._show_page(self.index - 1)

    def _finish(self) -> None:
        result = self.state.result
        if result is None:
            return
        outcome = SetupOutcome(self.state.location, self.state.admin_username, result)
        self.state.result = None  # the recovery key is not kept in memory longer
        self._dismissed = True
        self.accept()
        self.created.emit(outcome)

    # --- closing ---------------------------------------------------------------

    def reject(self) -> None:
        page = self.current_page()
        if page.busy():
            return
        if self.state.result is not None and not self.recovery.confirmed.isChecked():
            answer = QMessageBox.warning(
                self, "Close without the recovery key?",
                "The store has been created, but the recovery key will not be shown again. "
                "Without it, the store cannot be recovered if every password is lost.\n\n"
                "Close anyway?",
                QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Close:
                return
        if self.state.result is not None:
            # The store exists: carry on to sign-in rather than quitting.
            self._finish()
            return
        self.state.admin_password = ""
        self.admin.forget_password()
        super().reject()

    def dismiss(self) -> None:
        self._dismissed = True
        self.state.admin_password = ""
        self.admin.forget_password()
        self.hide()
        self.deleteLater()
