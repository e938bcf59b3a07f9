"""Putting a secret on the clipboard only when asked, and taking it off again.

Nothing is ever copied automatically. When the user presses a Copy button,
the text is cleared from the clipboard after a minute, when the app locks,
and when it quits, unless something else has been copied over it since.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication

CLEAR_AFTER_SECONDS = 60


class ClipboardGuard(QObject):
    def __init__(self, parent: QObject | None = None,
                 clear_after_seconds: float = CLEAR_AFTER_SECONDS) -> None:
        super().__init__(parent)
        self._secret: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(round(clear_after_seconds * 1000))
        self._timer.timeout.connect(self.clear_now)
        app = QGuiApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.clear_now)

    @property
    def holds_secret(self) -> bool:
        return self._secret is not None

    def copy_secret(self, text: str) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(text, QClipboard.Mode.Clipboard)
        self._secret = text
        self._timer.start()

    def clear_now(self) -> None:
        self._timer.stop()
        if self._secret is None:
            return
        clipboard = QGuiApplication.clipboard()
        if clipboard.text(QClipboard.Mode.Clipboard) == self._secret:
            clipboard.clear(QClipboard.Mode.Clipboard)
        self._secret = None


_shared: ClipboardGuard | None = None


def shared_guard() -> ClipboardGuard:
    """One guard for the whole app, so locking clears whatever any window copied."""
    global _shared
    if _shared is None:
        _shared = ClipboardGuard(QGuiApplication.instance())
    return _shared
