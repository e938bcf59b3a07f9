"""A small window that says what is happening while slow work runs.

With ``cancel_text`` it has a button (and Esc) that emits ``cancelled``; the
caller stops the work (a ``StopFlag``) and closes the dialog when the work
reports back.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
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
from sendiass_desktop.ui.sizing import fit_height
from sendiass_desktop.ui.theme import heading_font


class BusyDialog(QDialog):
    cancelled = Signal()

    def __init__(self, heading: str, text: str, parent: QWidget | None = None, *,
                 cancel_text: str | None = None) -> None:
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
        self.cancel_button: QPushButton | None = None
        if cancel_text is not None:
            self.cancel_button = QPushButton(cancel_text, self)
            self.cancel_button.setAccessibleName(cancel_text.replace("&", ""))
            self.cancel_button.setAutoDefault(False)
            self.cancel_button.clicked.connect(self._cancel)
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.cancel_button)
            layout.addLayout(row)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)
        self._finished = False

    def fit_to_content(self) -> None:
        fit_height(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def reject(self) -> None:
        """Esc cancels when the work can be cancelled; otherwise it does nothing."""
        if self.cancel_button is not None:
            self._cancel()

    def _cancel(self) -> None:
        if self.cancel_button is None or not self.cancel_button.isEnabled():
            return
        self.cancel_button.setEnabled(False)
        self.text.setText("Stopping…")
        self.cancelled.emit()

    def done_working(self) -> None:
        self._finished = True
        self.hide()
        self.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._finished:
            super().closeEvent(event)
        else:
            event.ignore()
