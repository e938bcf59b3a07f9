"""Messages shown inside forms and bars across the top of a window.

Both use the semantic accents from ``theme`` and restyle themselves when the
palette changes (for example when the OS switches to dark mode).
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from sendiass_desktop.ui.sizing import expand_horizontally, refit_window_of
from sendiass_desktop.ui.theme import Tone, scaled_font, tone_stylesheet

_PREFIX = {
    Tone.ERROR: "Problem",
    Tone.WARNING: "Warning",
    Tone.INFO: "Information",
    Tone.SUCCESS: "Done",
    Tone.DEMO: "Demo",
}


class _ToneFrame(QFrame):
    _name = "toneFrame"

    def __init__(self, tone: Tone, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(self._name)
        self._tone = tone
        self._restyling = False
        self._restyle()

    @property
    def tone(self) -> Tone:
        return self._tone

    def set_tone(self, tone: Tone) -> None:
        self._tone = tone
        self._restyle()

    def _restyle(self) -> None:
        self._restyling = True
        try:
            self.setStyleSheet(tone_stylesheet(self._tone, self._name))
        finally:
            self._restyling = False

    def changeEvent(self, event: QEvent) -> None:
        if not self._restyling and event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.ApplicationPaletteChange,
        ):
            self._restyle()
        super().changeEvent(event)


class InlineMessage(_ToneFrame):
    """A message inside a form: hidden until there is something to say."""

    _name = "inlineMessage"

    def __init__(self, parent: QWidget | None = None, name: str = "Message") -> None:
        super().__init__(Tone.ERROR, parent)
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        expand_horizontally(self._label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self._label)
        self.setAccessibleName(name)
        self.hide()

    def text(self) -> str:
        return "" if self.isHidden() else self._label.text()

    def show_message(self, text: str, tone: Tone = Tone.ERROR) -> None:
        self.set_tone(tone)
        self._label.setText(text)
        self._label.setAccessibleName(f"{_PREFIX[tone]}: {text}")
        self.setAccessibleDescription(text)
        self.show()
        refit_window_of(self)
        # Screen readers announce alerts without the user moving focus.
        with contextlib.suppress(Exception):
            QAccessible.updateAccessibility(QAccessibleEvent(self._label, QAccessible.Event.Alert))

    def clear(self) -> None:
        was_shown = not self.isHidden()
        self._label.clear()
        self.setAccessibleDescription("")
        self.hide()
        if was_shown:
            refit_window_of(self)


class Banner(_ToneFrame):
    """A full-width bar at the top of a window: demo mode, no device binding."""

    _name = "banner"

    def __init__(
        self,
        tone: Tone,
        text: str,
        parent: QWidget | None = None,
        *,
        bold: bool = False,
        name: str = "Notice",
    ) -> None:
        super().__init__(tone, parent)
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        expand_horizontally(self.label)
        if bold:
            self.label.setFont(scaled_font(self.label.font(), 1.1, bold=True))
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(12, 8, 12, 8)
        self._layout.addWidget(self.label, 1)
        self.setAccessibleName(name)
        self.setAccessibleDescription(text)
        self.label.setAccessibleName(f"{name}: {text}")

    def add_button(self, button: QPushButton) -> None:
        self._layout.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
