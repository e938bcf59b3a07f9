"""Run under ``dbus-run-session``: does the main window lock when the desktop says so?

Prints ``name: value`` lines for tests/gui/test_screen_lock.py to check.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from sendiass_desktop.services.session import StoreLocation, unlock_with_password
from sendiass_desktop.services.setup import create_store
from sendiass_desktop.ui.main_window import MainWindow

PASSWORD = "correct horse battery"


def signal(path: str, interface: str, active: bool) -> None:
    subprocess.run(["dbus-send", "--session", "--type=signal", path,
                    f"{interface}.ActiveChanged", f"boolean:{'true' if active else 'false'}"],
                   check=True)


def wait_for(app: QApplication, condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def main() -> int:
    workdir = Path(sys.argv[1])
    app = QApplication([])
    location = StoreLocation.of(workdir / "lock.sendiass")
    create_store(location, admin_username="alice", admin_password=PASSWORD,
                 device_binding=False)
    for path, interface in (("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
                            ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver")):
        session = unlock_with_password(location, "alice", PASSWORD)
        window = MainWindow(session)
        window.show()
        print(f"sources: {','.join(window.screen_lock.sources)}", flush=True)
        # The screen saver switching off must not lock anything.
        signal(path, interface, False)
        wait_for(app, lambda: False, 0.5)
        print(f"{interface} inactive locked: {window.locked}", flush=True)
        signal(path, interface, True)
        locked = wait_for(app, lambda w=window: w.locked, 10)
        print(f"{interface} active locked: {locked}", flush=True)
        window.discard()
        app.processEvents()
    print("result: OK", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
