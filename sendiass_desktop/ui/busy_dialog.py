"""A small window that says what is happening while slow work runs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QVBoxLayout, QWidget

from sendiass_desktop import APP_NAME
from sendiass_desktop.ui.sizing import fit_height
from sendiass_desktop.ui.theme import heading_font


class BusyDialog(QDialog):
    def __init__(self, heading: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.setObjectName("busyDialog")
        self.setAccessibleName(heading)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        title = QLabel(heading, self)
        title.setFont(heading_font(self, 1.2))
        self.text = QLabel(text, self)
        self.text.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(heading)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 22, 24, 22)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(self.text)
        layout.addWidget(self.bar)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)
        self._finished = False

    def fit_to_content(self) -> None:
        fit_height(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def reject(self) -> None:
        """Esc does nothing: the work cannot be stopped half-way."""

    def done_working(self) -> None:
        self._finished = True
        self.hide()
        self.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._finished:
            super().closeEvent(event)
        else:
            event.ignore()
