"""The ``sendiass-desktop`` entry point: arguments, which store, and --demo."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sendiass_desktop import __version__
from sendiass_desktop.app import build_parser, launch, main, resolve_location
from sendiass_desktop.services import demo
from sendiass_desktop.ui.main_window import MainWindow
from sendiass_desktop.ui.settings import remember_store_path
from sendiass_desktop.ui.setup_wizard import SetupWizard
from sendiass_desktop.ui.unlock_dialog import UnlockDialog
from tests.conftest import StoreFixture
from tests.gui.helpers import click, type_into
from tests.support.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.gui


def test_version_prints_and_exits(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_store_location_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SENDIASS_STORE", raising=False)
    default, expected = resolve_location(None)
    assert default.path.name == "service.sendiass"
    assert str(default.path).startswith(os.environ["XDG_DATA_HOME"])
    assert not expected

    remembered = tmp_path / "share" / "team.sendiass"
    remember_store_path(remembered)
    location, expected = resolve_location(None)
    assert location.path == remembered and expected  # missing => "cannot be found"

    monkeypatch.setenv("SENDIASS_STORE", str(tmp_path / "env.sendiass"))
    location, expected = resolve_location(None)
    assert location.path == tmp_path / "env.sendiass" and not expected

    location, expected = resolve_location(str(tmp_path / "arg.sendiass"))
    assert location.path == tmp_path / "arg.sendiass" and not expected


def test_no_store_starts_the_wizard(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    controller = launch(build_parser().parse_args(["--store", str(tmp_path / "new.sendiass")]))
    qtbot.waitUntil(lambda: isinstance(controller.current, SetupWizard), timeout=5_000)
    wizard = controller.current
    assert isinstance(wizard, SetupWizard)
    assert wizard.location_page.path.text() == str(tmp_path / "new.sendiass")
    with qtbot.waitSignal(controller.finished, timeout=2_000):
        wizard.reject()


def test_existing_store_starts_sign_in(qtbot: QtBot, store: StoreFixture) -> None:
    controller = launch(build_parser().parse_args(["--store", str(store.path)]))
    qtbot.waitUntil(lambda: isinstance(controller.current, UnlockDialog), timeout=5_000)


def test_demo_creates_the_demo_store_and_shows_the_banner(qtbot: QtBot) -> None:
    out = io.StringIO()
    controller = launch(build_parser().parse_args(["--demo"]), out=out)
    qtbot.waitUntil(lambda: isinstance(controller.current, UnlockDialog)
                    and not controller.current.busy, timeout=120_000)
    location = demo.default_demo_location()
    assert location.path.is_file()
    assert str(location.path).startswith(os.environ["XDG_DATA_HOME"])
    assert "demo-manager" in out.getvalue() and "synthetic" in out.getvalue()

    dialog = controller.current
    assert isinstance(dialog, UnlockDialog)
    manager = demo.DEMO_ACCOUNTS[0]
    assert dialog.username.text() == manager.username
    assert dialog.location == location
    type_into(qtbot, dialog.password, manager.password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: controller.window is not None, timeout=20_000)
    window = controller.window
    assert isinstance(window, MainWindow)
    assert window.demo_banner is not None and window.demo_banner.isVisible()
    assert window.demo_banner.label.text().startswith("DEMO — synthetic data")
    assert "DEMO" in window.windowTitle() and manager.display_name not in window.windowTitle()
    # The demo store is made without device binding, and says so.
    assert window.binding_banner.isVisible()
    window.discard()


def test_quit_while_the_demo_store_is_made_keeps_nothing(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QApplication

    from sendiass_desktop.ui.busy_dialog import BusyDialog

    quits: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", staticmethod(lambda: quits.append(True)))
    controller = launch(build_parser().parse_args(["--demo"]), out=io.StringIO())
    busy = controller.current
    assert isinstance(busy, BusyDialog) and busy.cancel_button is not None
    click(qtbot, busy.cancel_button)
    assert busy.text.text() == "Stopping…" and not busy.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: bool(quits), timeout=120_000)
    location = demo.default_demo_location()
    assert not location.path.exists() and not location.header.exists()
    assert [p.name for p in location.path.parent.iterdir()] == []  # no half-built folder
    assert controller.window is None
