"""The last set-up page: the recovery key, shown once.

The key is laid out in its 14 numbered groups, large and monospaced, as on
the recovery sheet. It is never put on the clipboard unless the user presses
Copy, and then it is cleared after a minute and when the app quits.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.services.setup import SetupResult
from sendiass_desktop.ui.clipboard import CLEAR_AFTER_SECONDS, shared_guard
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.setup_pages import SetupState, WizardPage
from sendiass_desktop.ui.theme import Tone, monospace_font, scaled_font
from sendiass_desktop.ui.workers import run_task

GROUPS_PER_ROW = 7


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` readable only by this user (the sheet holds the key)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def save_recovery_sheet(result: SetupResult, path: Path) -> Path:
    write_private_file(path, result.recovery_sheet_pdf())
    return path


class RecoveryKeyGrid(QFrame):
    """The key in numbered groups of four, like the recovery sheet."""

    def __init__(self, formatted_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryKeyGrid")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.setAccessibleName("Recovery key")
        groups = formatted_key.split("-")
        self.group_labels: list[QLabel] = []
        grid = QGridLayout(self)
        grid.setContentsMargins(16, 12, 16, 12)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(2)
        grid.setRowMinimumHeight(2, 10)
        mono = self.key_font(self)
        for index, group in enumerate(groups):
            row, column = divmod(index, GROUPS_PER_ROW)
            number = HintLabel(str(index + 1), self)
            number.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            number.setAccessibleName(f"Group {index + 1}")
            value = QLabel(group, self)
            value.setFont(mono)
            value.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            value.setForegroundRole(QPalette.ColorRole.Text)
            value.setAccessibleName(f"Group {index + 1}: {' '.join(group)}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            # Rows: numbers, groups, a gap, numbers, groups.
            grid.addWidget(number, row * 3, column)
            grid.addWidget(value, row * 3 + 1, column)
            self.group_labels.append(value)

    @staticmethod
    def key_font(widget: QWidget) -> QFont:
        font = monospace_font(widget, 1.6)
        font.setBold(True)
        return font

    def groups(self) -> list[str]:
        return [label.text() for label in self.group_labels]


class RecoveryKeyPage(WizardPage):
    title = "Your recovery key"
    step = "Recovery key"

    def __init__(self, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._grid: RecoveryKeyGrid | None = None
        self._saving = False
        self.saved_to: Path | None = None
        intro = QLabel(
            "This key opens the store if every password is lost, and is needed to enrol "
            "other computers. It is shown only now.", self)
        intro.setWordWrap(True)
        intro.setFont(scaled_font(self.font(), 1.0, bold=True))
        advice = HintLabel(
            "Save the recovery sheet as a PDF and print it, or print it directly. Keep the "
            "paper somewhere locked and away from the computer, such as the office safe. If "
            "you keep the PDF, keep it as safely as the paper and never beside the store.",
            self)
        self.key_holder = QVBoxLayout()
        # Room for seven groups of the large monospaced key, so nothing is clipped.
        sample = QFontMetrics(RecoveryKeyGrid.key_font(self))
        self.setMinimumWidth(GROUPS_PER_ROW * (sample.horizontalAdvance("WWWW") + 18) + 40)
        self.save_button = QPushButton("&Save recovery sheet as PDF…", self)
        self.save_button.setAccessibleName("Save recovery sheet as PDF")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_pdf)
        self.print_button = QPushButton("&Print…", self)
        self.print_button.setAccessibleName("Print the recovery key")
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(self.print_key)
        self.copy_button = QPushButton("C&opy key", self)
        self.copy_button.setAccessibleName("Copy the recovery key to the clipboard")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy_key)
        try:
            import PySide6.QtPrintSupport  # noqa: F401
        except ImportError:
            self.print_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        self.message = InlineMessage(self, "Recovery key message")
        self.confirmed = QCheckBox(
            "I have saved or printed the recovery key and will keep it somewhere &safe", self)
        self.confirmed.setAccessibleName(
            "I have saved or printed the recovery key and will keep it somewhere safe")
        self.confirmed.toggled.connect(lambda _on: self.changed.emit())

        self.layout_.addWidget(intro)
        self.layout_.addLayout(self.key_holder)
        self.layout_.addWidget(advice)
        self.layout_.addLayout(buttons)
        self.layout_.addWidget(self.message)
        self.layout_.addSpacing(6)
        self.layout_.addWidget(self.confirmed)
        self.layout_.addStretch(1)

    @property
    def key_grid(self) -> RecoveryKeyGrid | None:
        return self._grid

    def enter(self) -> None:
        result = self.state.result
        if result is not None and self._grid is None:
            self._grid = RecoveryKeyGrid(result.recovery_key, self)
            self.key_holder.addWidget(self._grid)

    def focus_first(self) -> None:
        self.save_button.setFocus()

    def is_complete(self) -> bool:
        return self.confirmed.isChecked() and not self._saving

    def next_text(self) -> str:
        return "&Finish"

    def allows_back(self) -> bool:
        return False

    def allows_cancel(self) -> bool:
        return False

    def busy(self) -> bool:
        return self._saving

    def _default_sheet_path(self) -> str:
        result = self.state.result
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        short_id = result.store_id[:8] if result else "store"
        return str(Path(folder) / f"SENDIASS recovery sheet {short_id}.pdf")

    def save_pdf(self) -> None:
        result = self.state.result
        if result is None or self._saving:
            return
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save recovery sheet", self._default_sheet_path(), "PDF documents (*.pdf)")
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self._saving = True
        self.save_button.setEnabled(False)
        self.changed.emit()
        run_task(lambda: save_recovery_sheet(result, path), on_success=self._saved,
                 on_failure=self._save_failed, owner=self)

    def _saved(self, path: Path) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.saved_to = path
        self.message.show_message(
            f"The recovery sheet was saved to {path}. Print it, then keep the paper "
            "somewhere safe.", Tone.SUCCESS)
        self.changed.emit()

    def _save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        reason = str(exc) if isinstance(exc, SendiassError) else (
            exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__)
        self.message.show_message(
            f"The recovery sheet could not be saved there ({reason}). Choose another folder.")
        self.changed.emit()

    def copy_key(self) -> None:
        result = self.state.result
        if result is None:
            return
        shared_guard().copy_secret(result.recovery_key)
        self.message.show_message(
            "The recovery key is on the clipboard. Paste it where you need it now: it will "
            f"be cleared from the clipboard in {CLEAR_AFTER_SECONDS} seconds.", Tone.INFO)

    def print_key(self) -> None:
        result = self.state.result
        if result is None:
            return
        from sendiass_desktop.ui.recovery_print import print_recovery_key

        if print_recovery_key(self, result):
            self.message.show_message("The recovery key was sent to the printer.",
                                      Tone.SUCCESS)
