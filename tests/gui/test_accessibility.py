"""Every control on every start-up screen has a name for screen readers."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QLineEdit,
    QProgressBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from sendiass_desktop.services.session import unlock_with_password
from sendiass_desktop.store.errors import MachineNotEnrolled
from sendiass_desktop.ui.change_password_dialog import ChangePasswordDialog
from sendiass_desktop.ui.enrol_dialog import EnrolDialog
from sendiass_desktop.ui.main_window import MainWindow
from sendiass_desktop.ui.setup_wizard import SetupWizard
from sendiass_desktop.ui.startup_errors import StartupErrorDialog, screen_for
from sendiass_desktop.ui.unlock_dialog import UnlockDialog
from tests.conftest import ADMIN, ADMIN_PASSWORD, StoreFixture

pytestmark = pytest.mark.gui

CONTROLS = (QAbstractButton, QLineEdit, QProgressBar, QAbstractItemView)


def _unnamed(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if isinstance(widget, CONTROLS) and not widget.accessibleName().strip():
            # Qt's own parts (scroll bar buttons, the list's viewport) are named by Qt.
            if widget.objectName().startswith("qt_"):
                continue
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_every_control_has_an_accessible_name(
    qtbot: QtBot, tmp_path: Path, store: StoreFixture
) -> None:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    screens: list[QWidget] = [
        SetupWizard(tmp_path / "new.sendiass"),
        UnlockDialog(store.location, check_first=False),
        ChangePasswordDialog(session),
        EnrolDialog(store.location),
        StartupErrorDialog(screen_for(MachineNotEnrolled()), store.path),
        MainWindow(session),
    ]
    problems: dict[str, list[str]] = {}
    for screen in screens:
        qtbot.addWidget(screen)
        missing = _unnamed(screen)
        if missing:
            problems[type(screen).__name__] = missing
    session.close()
    assert problems == {}
