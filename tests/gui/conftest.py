"""GUI test helpers: every test leaves no worker running and no window open."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sendiass_desktop.ui.workers import tasks_running


@pytest.fixture(autouse=True)
def _no_leftovers(qapp: QApplication, qtbot: QtBot) -> Iterator[None]:
    yield
    # Let background work report back before the next test changes the keyring.
    qtbot.waitUntil(lambda: tasks_running() == 0, timeout=30_000)
    QThreadPool.globalInstance().waitForDone(30_000)
    from sendiass_desktop.ui.main_window import MainWindow

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.discard()
        elif widget.isVisible():
            widget.hide()
            widget.deleteLater()
    qapp.processEvents()
