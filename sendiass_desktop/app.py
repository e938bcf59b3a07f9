"""``sendiass-desktop``: the GUI entry point and its wiring.

Decides which store to open, sets up the Qt application, and hands over to
``ui.startup.StartupController`` (set-up wizard or sign-in, failure screens,
then the main window). ``--demo`` opens a separate demo store of synthetic
data instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from sendiass_desktop import APP_NAME, __version__

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from sendiass_desktop.services.session import StoreLocation
    from sendiass_desktop.store.device import CredentialStore
    from sendiass_desktop.ui.startup import StartupController

DESKTOP_FILE_NAME = "sendiass-desktop"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sendiass-desktop",
        description="Offline, encrypted case management for SENDIASS teams.",
    )
    parser.add_argument(
        "--store", metavar="PATH",
        help="the store file to open (default: $SENDIASS_STORE, the store used last, or "
             "service.sendiass in your data folder)")
    parser.add_argument(
        "--demo", action="store_true",
        help="open the demo store of synthetic data (created on first use)")
    parser.add_argument("--version", action="version", version=f"sendiass-desktop {__version__}")
    parser.add_argument(
        "--self-test", action="store_true",
        help="check this installation on a temporary store of synthetic data, then exit")
    return parser


def resolve_location(store: str | None) -> tuple[StoreLocation, bool]:
    """The store to open, and whether it is known to exist (so a missing one is a problem).

    An explicit ``--store`` or ``$SENDIASS_STORE`` that does not exist leads to the set-up
    wizard; the store used last that has gone missing leads to the "cannot be found"
    screen instead, because it is most likely a disconnected network drive.
    """
    from sendiass_desktop.services.session import StoreLocation
    from sendiass_desktop.services.store_paths import STORE_ENV, default_store_path
    from sendiass_desktop.ui.settings import remembered_store_path

    if store:
        return StoreLocation.of(store), False
    if os.environ.get(STORE_ENV):
        return StoreLocation.of(default_store_path()), False
    remembered = remembered_store_path()
    if remembered is not None:
        return StoreLocation.of(remembered), True
    return StoreLocation.of(default_store_path()), False


def configure_application(app: QApplication) -> None:
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("SENDIASS Desktop")
    app.setDesktopFileName(DESKTOP_FILE_NAME)
    from sendiass_desktop.ui.app_icon import app_icon

    app.setWindowIcon(app_icon())
    # Windows come and go during start-up; the controller decides when to quit.
    app.setQuitOnLastWindowClosed(False)


def launch(
    args: argparse.Namespace,
    *,
    creds: CredentialStore | None = None,
    out: TextIO | None = None,
) -> StartupController:
    """Show the first window for ``args`` and return the controller driving the app."""
    from PySide6.QtWidgets import QApplication

    from sendiass_desktop.services import demo as demo_service
    from sendiass_desktop.store.cancel import raise_if_stopped
    from sendiass_desktop.ui.busy_dialog import BusyDialog
    from sendiass_desktop.ui.progress import StopFlag
    from sendiass_desktop.ui.startup import StartupController
    from sendiass_desktop.ui.workers import run_task

    out = out or sys.stdout
    if not args.demo:
        location, expected = resolve_location(args.store)
        controller = StartupController(location, location_expected=expected, creds=creds)
        controller.start()
        return controller

    location = demo_service.default_demo_location()
    controller = StartupController(location, demo=True, creds=creds,
                                   username=demo_service.DEMO_ACCOUNTS[0].username)
    busy = BusyDialog("Preparing the demo store",
                      "Creating a store of synthetic data for practice. The first time "
                      "this takes a little while.", cancel_text="&Quit")
    stop = StopFlag()
    busy.cancelled.connect(stop.stop)
    controller.current = busy
    busy.show()

    def ready(_location: object) -> None:
        print(demo_service.describe_accounts(), file=out, flush=True)
        busy.done_working()
        controller.current = None
        controller.location_expected = True
        controller.start("DEMO store: synthetic data only. The demo accounts and passwords "
                         "were printed in the terminal.")

    def failed(exc: BaseException) -> None:
        busy.done_working()
        controller.current = None
        if stop.stopped:  # the user chose Quit; nothing half-made is kept
            QApplication.quit()
            return
        controller.show_failure(exc)

    def make_demo_store() -> object:
        location = demo_service.ensure_demo_store(should_stop=stop)
        # Quit pressed just as it finished: honour it all the same.
        raise_if_stopped(stop)
        return location

    run_task(make_demo_store, on_success=ready, on_failure=failed)
    return controller


def _show_broken_install(app: QApplication, exc: BaseException) -> int:
    """The encryption library is missing: say so on a screen rather than a traceback."""
    from sendiass_desktop.store.errors import SqlcipherMissing
    from sendiass_desktop.ui.startup_errors import StartupErrorDialog, screen_for

    dialog = StartupErrorDialog(screen_for(SqlcipherMissing()), None)
    dialog.chosen.connect(lambda _action: app.exit(1))
    dialog.show()
    print(f"{APP_NAME} cannot start: {exc}", file=sys.stderr)
    return app.exec()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        from sendiass_desktop import self_test

        return self_test.run()

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_NAME])
    assert isinstance(app, QApplication)
    configure_application(app)

    from sendiass_desktop.ui.theme import apply_theme

    apply_theme(app)
    try:
        import sendiass_desktop.ui.startup  # noqa: F401  (imports the encrypted store)
    except ImportError as exc:
        if "sqlcipher" in str(exc).lower():
            return _show_broken_install(app, exc)
        raise
    controller = launch(args)
    controller.finished.connect(app.exit)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
