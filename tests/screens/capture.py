"""Save screenshots of the start-up screens and the main window shell.

    python tests/screens/capture.py OUTPUT_FOLDER [--theme light|dark]

Run it under a real X server (``xvfb-run -a`` with ``QT_QPA_PLATFORM=xcb``) to
see what people will see. Everything it makes (stores, key files, the keyring,
settings) lives in a temporary folder that is removed afterwards; the keyring
is the test suite's in-memory one, so nothing touches the real credential store.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

# Screens, in the order they are captured.
EXPECTED = (
    "wizard-1-welcome.png",
    "wizard-2-location.png",
    "wizard-3-administrator.png",
    "wizard-4-device-binding.png",
    "wizard-4-device-binding-none.png",
    "wizard-5-creating.png",
    "wizard-6-recovery-key.png",
    "unlock.png",
    "unlock-error.png",
    "unlock-recovery-key.png",
    "change-password.png",
    "error-machine-not-enrolled.png",
    "error-header-damaged.png",
    "error-store-busy.png",
    "enrol.png",
    "main-window-demo.png",
    "main-window-locked.png",
)

ADMIN_PASSWORD = "kettle on the windowsill"


def _isolate(root: Path) -> None:
    os.environ["SENDIASS_STATE_DIR"] = str(root / "state")
    os.environ["SENDIASS_KDF_CALIBRATION"] = "minimum"
    for name in ("DATA", "STATE", "CONFIG", "CACHE"):
        os.environ[f"XDG_{name}_HOME"] = str(root / name.lower())
    os.environ.pop("SENDIASS_STORE", None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    parser.add_argument("--theme", choices=("system", "light", "dark"), default="light")
    args = parser.parse_args(argv)
    out: Path = args.output
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(REPO))

    with tempfile.TemporaryDirectory(prefix="sendiass-screens-") as tmp:
        root = Path(tmp)
        _isolate(root)
        return _capture(out, root, args.theme)


def _capture(out: Path, root: Path, theme: str) -> int:
    import keyring
    from keyring.backends import fail
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication, QWidget

    from sendiass_desktop.app import configure_application
    from sendiass_desktop.services import demo
    from sendiass_desktop.services.session import StoreLocation, unlock_with_password
    from sendiass_desktop.services.setup import SetupResult
    from sendiass_desktop.store.errors import HeaderDamaged, MachineNotEnrolled, StoreBusy
    from sendiass_desktop.ui import setup_pages
    from sendiass_desktop.ui.change_password_dialog import ChangePasswordDialog
    from sendiass_desktop.ui.enrol_dialog import EnrolDialog
    from sendiass_desktop.ui.main_window import MainWindow
    from sendiass_desktop.ui.setup_wizard import SetupWizard
    from sendiass_desktop.ui.startup_errors import StartupErrorDialog, screen_for
    from sendiass_desktop.ui.theme import apply_theme
    from sendiass_desktop.ui.unlock_dialog import UnlockDialog
    from sendiass_desktop.ui.workers import tasks_running
    from tests.support.memory_keyring import MemoryKeyring

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    configure_application(app)
    apply_theme(app, theme)
    memory = MemoryKeyring()
    keyring.set_keyring(memory)

    def pump(predicate: Callable[[], bool] = lambda: True, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            app.processEvents()
            if predicate():
                break
            if time.monotonic() > deadline:
                raise TimeoutError("the screen did not reach the expected state")
            time.sleep(0.01)
        for _ in range(5):
            app.processEvents()
            time.sleep(0.01)

    def shoot(widget: QWidget, name: str) -> None:
        assert name in EXPECTED, name
        widget.show()
        widget.raise_()
        widget.activateWindow()
        pump()
        if not widget.grab().save(str(out / name)):
            raise OSError(f"could not save {name}")
        print(f"saved {out / name}")

    def close(widget: QWidget) -> None:
        dismiss = getattr(widget, "dismiss", None)
        if callable(dismiss):
            dismiss()
        else:
            widget.hide()
            widget.deleteLater()
        pump(lambda: tasks_running() == 0)

    # --- the set-up wizard -------------------------------------------------------------
    store_path = root / "office" / "northshire.sendiass"
    wizard = SetupWizard(root / "data" / "sendiass-desktop" / "service.sendiass")
    wizard.welcome.service_name.setText("Northshire SENDIASS")
    shoot(wizard, "wizard-1-welcome.png")
    wizard.go_next()
    wizard.location_page.path.setText(str(store_path))
    shoot(wizard, "wizard-2-location.png")
    wizard.go_next()
    wizard.admin.username.setText("jsmith")
    wizard.admin.display_name.setText("Jo Smith")
    wizard.admin.password.setText(ADMIN_PASSWORD)
    wizard.admin.confirm.setText(ADMIN_PASSWORD + "x")
    wizard.go_next()  # shows the "do not match" message
    shoot(wizard, "wizard-3-administrator.png")
    wizard.admin.confirm.setText(ADMIN_PASSWORD)
    wizard.go_next()
    pump(lambda: wizard.device.probe is not None)
    shoot(wizard, "wizard-4-device-binding.png")

    keyring.set_keyring(fail.Keyring())
    wizard.device.start_check()
    pump(lambda: wizard.device.probe is not None)
    shoot(wizard, "wizard-4-device-binding-none.png")
    keyring.set_keyring(memory)
    wizard.device.start_check()
    pump(lambda: wizard.device.probe is not None and wizard.device.probe.available)

    # Hold creation half-way so the progress page can be seen.
    release = threading.Event()
    real_create = setup_pages.create_store

    def held_create(*args: Any, **kwargs: Any) -> SetupResult:
        kwargs["progress"](0.45)
        release.wait(30)
        return real_create(*args, **kwargs)

    setup_pages.create_store = held_create
    wizard.go_next()
    pump(lambda: wizard.creating.bar.value() > 0)
    shoot(wizard, "wizard-5-creating.png")
    release.set()
    pump(lambda: wizard.current_page() is wizard.recovery)
    setup_pages.create_store = real_create
    shoot(wizard, "wizard-6-recovery-key.png")
    wizard.recovery.confirmed.setChecked(True)
    wizard.go_next()
    close(wizard)
    location = StoreLocation.of(store_path)

    # --- signing in -----------------------------------------------------------------------
    unlock = UnlockDialog(location, username="jsmith")
    unlock.show()
    pump(lambda: not unlock.busy)
    shoot(unlock, "unlock.png")
    unlock.password.setText("not the password")
    unlock.submit()
    pump(lambda: not unlock.busy and unlock.message.text() != "")
    shoot(unlock, "unlock-error.png")
    close(unlock)

    unlock = UnlockDialog(location)
    unlock.show()
    pump(lambda: not unlock.busy)
    unlock.use_recovery.setChecked(True)
    unlock.recovery_key.setText("7K2M-9QXD-")
    shoot(unlock, "unlock-recovery-key.png")
    close(unlock)

    session = unlock_with_password(location, "jsmith", ADMIN_PASSWORD)
    change = ChangePasswordDialog(session, current_password=ADMIN_PASSWORD, required=True)
    change.new.setText("kettle")
    change.confirm.setText("kettle")
    change.submit()
    pump(lambda: change.message.text() != "" and change.ok_button.isEnabled())
    shoot(change, "change-password.png")
    close(change)
    session.close()

    # --- start-up failures ------------------------------------------------------------------
    for exc, name in ((MachineNotEnrolled(), "error-machine-not-enrolled.png"),
                      (HeaderDamaged("it is not readable"), "error-header-damaged.png"),
                      (StoreBusy(), "error-store-busy.png")):
        screen = StartupErrorDialog(screen_for(exc), location.path)
        shoot(screen, name)
        close(screen)

    enrol = EnrolDialog(location)
    enrol.recovery_key.setText("7K2M-9QXD-AB")
    enrol.submit()
    pump(lambda: enrol.message.text() != "" and enrol.enrol_button.isEnabled())
    shoot(enrol, "enrol.png")
    close(enrol)

    # --- the main window in demo mode ----------------------------------------------------------
    demo_location = demo.ensure_demo_store()
    manager = demo.DEMO_ACCOUNTS[0]
    session = unlock_with_password(demo_location, manager.username, manager.password)
    window = MainWindow(session, demo=True)
    shoot(window, "main-window-demo.png")
    window.lock()
    pump(lambda: window.unlock_dialog is not None and not window.unlock_dialog.busy)
    assert window.unlock_dialog is not None
    window.unlock_dialog.hide()
    shoot(window, "main-window-locked.png")
    window.discard()
    pump(lambda: tasks_running() == 0)
    QThreadPool.globalInstance().waitForDone(10_000)

    missing = [name for name in EXPECTED if not (out / name).is_file()]
    if missing:
        print("missing: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
