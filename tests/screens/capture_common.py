"""What the screenshot scripts in this folder share: the command line, the throwaway
folder every run lives in, the application and the helpers that wait for a screen and
save it.

Each script's ``main`` puts the repository on ``sys.path`` and hands over to
:func:`run_capture`; its capture function then calls :func:`start_app` and
:func:`camera`, and most make their store with :func:`office_store`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

ADMIN_PASSWORD = "kettle on the windowsill"
OFFICER_PASSWORD = "a long officer password"

Pump = Callable[..., None]
Shoot = Callable[[Any, str], None]


def isolate(root: Path) -> None:
    """Point every place the application keeps things at folders under ``root``."""
    os.environ["SENDIASS_STATE_DIR"] = str(root / "state")
    os.environ["SENDIASS_KDF_CALIBRATION"] = "minimum"
    for name in ("DATA", "STATE", "CONFIG", "CACHE"):
        os.environ[f"XDG_{name}_HOME"] = str(root / name.lower())
    os.environ.pop("SENDIASS_STORE", None)


def run_capture(description: str | None, prefix: str,
                capture: Callable[[Path, Path, argparse.Namespace], int],
                argv: list[str] | None = None,
                add_arguments: Callable[[argparse.ArgumentParser], None] | None = None) -> int:
    """Parse ``OUTPUT_FOLDER [--theme ...]``, make the output folder and run ``capture``
    with it, a temporary folder (named with ``prefix``, removed afterwards) that the
    application has been isolated in, and the parsed arguments."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("output", type=Path)
    parser.add_argument("--theme", choices=("system", "light", "dark"), default="light")
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args(argv)
    out: Path = args.output
    out.mkdir(parents=True, exist_ok=True)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        root = Path(tmp)
        isolate(root)
        return capture(out, root, args)


def office_store(root: Path) -> tuple[Any, Any]:
    """A new store in ``root / "office"`` with two accounts: Jo Smith (``jsmith``,
    ``ADMIN_PASSWORD``), the manager who made it, and Priya Shah (``priya``,
    ``OFFICER_PASSWORD``), an officer. Returns its location and Jo's session."""
    from sendiass_desktop.domain.roles import Role
    from sendiass_desktop.services import users
    from sendiass_desktop.services.session import StoreLocation, unlock_with_password
    from sendiass_desktop.services.setup import create_store

    location = StoreLocation.of(root / "office" / "northshire.sendiass")
    create_store(location, admin_username="jsmith", admin_password=ADMIN_PASSWORD,
                 admin_display_name="Jo Smith", device_binding=False)
    manager = unlock_with_password(location, "jsmith", ADMIN_PASSWORD)
    users.add_user(manager, "priya", Role.OFFICER, display_name="Priya Shah",
                   password=OFFICER_PASSWORD)
    return location, manager


def start_app(theme: str, *, memory_keyring: bool = True) -> Any:
    """The configured, themed ``QApplication``; with the test suite's in-memory keyring
    unless ``memory_keyring`` is false."""
    from PySide6.QtWidgets import QApplication

    from sendiass_desktop.app import configure_application
    from sendiass_desktop.ui.theme import apply_theme

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    configure_application(app)
    apply_theme(app, theme)
    if memory_keyring:
        import keyring

        from tests.support.memory_keyring import MemoryKeyring

        keyring.set_keyring(MemoryKeyring())
    return app


def camera(app: Any, out: Path, names: Collection[str], *, settle: int = 10,
           timeout: float = 60.0, wait_for_tasks: bool = False) -> tuple[Pump, Shoot]:
    """``pump(predicate, timeout)`` runs the event loop until ``predicate`` holds (and,
    with ``wait_for_tasks``, no background task is running), then ``settle`` more rounds;
    ``shoot(widget, name)`` shows the widget and saves it as ``out / name``, which must
    be one of ``names``."""
    from sendiass_desktop.ui.workers import tasks_running

    default_timeout = timeout

    def pump(predicate: Callable[[], bool] = lambda: True,
             timeout: float = default_timeout) -> None:
        deadline = time.monotonic() + timeout
        while True:
            app.processEvents()
            if predicate() and (not wait_for_tasks or tasks_running() == 0):
                break
            if time.monotonic() > deadline:
                raise TimeoutError("the screen did not reach the expected state")
            time.sleep(0.01)
        for _ in range(settle):
            app.processEvents()
            time.sleep(0.01)

    def shoot(widget: Any, name: str) -> None:
        assert name in names, name
        widget.show()
        widget.raise_()
        widget.activateWindow()
        pump()
        if not widget.grab().save(str(out / name)):
            raise OSError(f"could not save {name}")
        print(f"saved {out / name}")

    return pump, shoot
