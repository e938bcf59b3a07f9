"""Locking the app when the computer's own screen locks (or it goes to sleep).

An officer who presses Win+L or Ctrl+Alt+L expects case data to be locked
away too, not left open behind the desktop lock until the idle timer runs
out. What the platform tells us:

* Linux and other freedesktop systems: the session bus signal
  ``ActiveChanged(true)`` from ``org.freedesktop.ScreenSaver`` (KDE, Xfce,
  Cinnamon, MATE…) or ``org.gnome.ScreenSaver`` (GNOME), and on the system
  bus logind's ``Lock`` for this login session and ``PrepareForSleep(true)``
  before suspend.
* Windows: ``WM_WTSSESSION_CHANGE`` with ``WTS_SESSION_LOCK`` (also sent on
  "Switch user"), after registering the main window with
  ``WTSRegisterSessionNotification``.

Anything else (or a bus that is not there) means the idle timer is the only
lock, which is what ``available`` reports.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from PySide6.QtCore import SLOT, QAbstractNativeEventFilter, QByteArray, QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

# (path, interface) pairs whose ActiveChanged(bool) says the screen saver / lock is on.
_SCREEN_SAVERS = (
    ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/ScreenSaver", "org.freedesktop.ScreenSaver"),  # KDE also emits it here
    ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
    ("/org/mate/ScreenSaver", "org.mate.ScreenSaver"),
    ("/org/cinnamon/ScreenSaver", "org.cinnamon.ScreenSaver"),
)
_LOGIN1 = "org.freedesktop.login1"

# Windows constants (winuser.h / wtsapi32.h).
_WM_WTSSESSION_CHANGE = 0x02B1
_WTS_SESSION_LOCK = 0x7
_NOTIFY_FOR_THIS_SESSION = 0


def login1_session_path(session_id: str) -> str:
    """logind's object path for a session id (systemd's bus path escaping)."""
    escaped = []
    for index, char in enumerate(session_id):
        if char.isascii() and (char.isalpha() or (char.isdigit() and index > 0)):
            escaped.append(char)
        else:
            escaped.append(f"_{ord(char):02x}")
    return "/org/freedesktop/login1/session/" + "".join(escaped)


class ScreenLockWatcher(QObject):
    """Emits ``screenLocked`` when the operating system locks the screen or is about to sleep."""

    screenLocked = Signal()

    def __init__(self, window: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sources: list[str] = []  # what we listen to, for the About box and tests
        self._filter: _WindowsSessionFilter | None = None
        if sys.platform == "win32":
            self._watch_windows(window)
        else:
            self._watch_dbus()

    @property
    def available(self) -> bool:
        return bool(self.sources)

    # --- freedesktop (D-Bus) -----------------------------------------------------------------

    def _watch_dbus(self) -> None:
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:  # Qt built without D-Bus
            return
        session_bus = QDBusConnection.sessionBus()
        if session_bus.isConnected():
            for path, interface in _SCREEN_SAVERS:
                if session_bus.connect("", path, interface, "ActiveChanged", self,
                                       SLOT("_active_changed(QDBusMessage)")):
                    self.sources.append(interface)
        system_bus = QDBusConnection.systemBus()
        if system_bus.isConnected():
            session_id = os.environ.get("XDG_SESSION_ID", "")
            if session_id and system_bus.connect(
                    _LOGIN1, login1_session_path(session_id), f"{_LOGIN1}.Session", "Lock",
                    self, SLOT("_lock_requested(QDBusMessage)")):
                self.sources.append("logind session lock")
            if system_bus.connect(_LOGIN1, "/org/freedesktop/login1", f"{_LOGIN1}.Manager",
                                  "PrepareForSleep", self,
                                  SLOT("_active_changed(QDBusMessage)")):
                self.sources.append("logind sleep")

    @Slot("QDBusMessage")
    def _active_changed(self, message: Any) -> None:
        arguments = message.arguments()
        if arguments and arguments[0] is True:
            self.screenLocked.emit()

    @Slot("QDBusMessage")
    def _lock_requested(self, _message: Any) -> None:
        self.screenLocked.emit()

    # --- Windows -------------------------------------------------------------------------------

    def _watch_windows(self, window: QWidget) -> None:  # pragma: no cover - Windows only
        import ctypes

        try:
            wtsapi32 = ctypes.WinDLL("wtsapi32")  # type: ignore[attr-defined]
            registered = wtsapi32.WTSRegisterSessionNotification(
                ctypes.c_void_p(int(window.winId())), _NOTIFY_FOR_THIS_SESSION)
        except (OSError, AttributeError):
            return
        if not registered:
            return
        app = QApplication.instance()
        if app is None:
            return
        self._filter = _WindowsSessionFilter(self.screenLocked.emit)
        app.installNativeEventFilter(self._filter)
        self.sources.append("Windows session lock")

    def detach(self) -> None:
        app = QApplication.instance()
        if self._filter is not None and app is not None:
            app.removeNativeEventFilter(self._filter)
            self._filter = None


class _WindowsSessionFilter(QAbstractNativeEventFilter):  # pragma: no cover - Windows only
    def __init__(self, on_lock: Any) -> None:
        super().__init__()
        self._on_lock = on_lock

    def nativeEventFilter(self, event_type: QByteArray | bytes, message: int) -> object:
        if bytes(event_type) == b"windows_generic_MSG":
            from ctypes import wintypes

            msg = wintypes.MSG.from_address(int(message))
            if msg.message == _WM_WTSSESSION_CHANGE and msg.wParam == _WTS_SESSION_LOCK:
                self._on_lock()
        return False, 0
