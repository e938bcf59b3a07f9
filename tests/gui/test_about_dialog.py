"""Help › About: versions, the font licence, and "Copy details" without personal data."""

from __future__ import annotations

import os

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QLabel, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from sendiass_desktop import APP_NAME, __version__
from sendiass_desktop.ui.about_dialog import AboutDialog, show_about
from sendiass_desktop.ui.app_icon import SIZES, app_icon, icon_files
from sendiass_desktop.versions import UNKNOWN, Versions, collect, sqlcipher_versions

pytestmark = pytest.mark.gui


def _texts(widget: QWidget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def test_versions_come_from_the_libraries_in_use() -> None:
    import sqlcipher3
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    versions = collect()
    assert versions.app == __version__
    assert versions.sqlcipher.startswith("4.")
    assert versions.sqlite == sqlcipher3.sqlite_version
    assert versions.qt == qVersion() and versions.pyside == pyside_version
    assert versions.python.split()[0].count(".") == 2
    assert versions.platform and not versions.frozen
    assert sqlcipher_versions() == (versions.sqlcipher, versions.sqlite)
    without_qt = collect(qt=False)
    assert without_qt.qt == UNKNOWN and without_qt.sqlcipher == versions.sqlcipher


def test_about_shows_name_version_versions_and_font_licence(qtbot: QtBot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    text = _texts(dialog)
    assert dialog.windowTitle() == f"About {APP_NAME}"
    assert APP_NAME in text and f"Version {__version__}" in text
    versions = dialog.versions
    for value in (versions.sqlcipher, versions.sqlite, versions.qt, versions.pyside,
                  versions.python, versions.platform):
        assert value in text
    assert "DejaVu" in text and "Bitstream Vera" in text
    assert "licence" in text and "license" not in text  # British English
    assert not dialog.findChild(QLabel, "aboutIcon").pixmap().isNull()

    licence = dialog.show_font_licence()  # a child of the dialog, closed with it
    body = licence.findChild(QPlainTextEdit).toPlainText()
    assert "Bitstream Vera" in body and "Permission is hereby granted" in body


def test_copy_details_has_versions_and_nothing_personal(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDIASS_STORE", "/srv/share/Secret Service Name.sendiass")
    versions = Versions(app=__version__, python="3.11.7 (CPython)", platform="Linux test",
                        sqlcipher="4.6.1 community", sqlite="3.46.1", qt="6.7.0",
                        pyside="6.7.0")
    dialog = AboutDialog(versions=versions)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.copy_button, _left())
    copied = QGuiApplication.clipboard().text()
    assert copied == dialog.details_text()
    assert copied.splitlines() == [
        f"{APP_NAME} {__version__} (run from Python)",
        "SQLCipher: 4.6.1 community",
        "SQLite: 3.46.1",
        "Qt: 6.7.0",
        "PySide6: 6.7.0",
        "Python: 3.11.7 (CPython)",
        "Operating system: Linux test",
    ]
    for private in ("Secret Service Name", "/srv/share", os.path.expanduser("~")):
        assert private not in copied
    assert dialog.copied.text() == "Copied."


def test_every_control_has_an_accessible_name(qtbot: QtBot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    licence = dialog.show_font_licence()
    for root in (dialog, licence):
        assert root.accessibleName()
        controls = [*root.findChildren(QAbstractButton), *root.findChildren(QPlainTextEdit)]
        assert controls
        for widget in controls:
            assert widget.accessibleName().strip(), widget.objectName()
    for label in dialog.value_labels.values():
        assert label.accessibleName()


def test_show_about_opens_without_blocking_and_closes(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = show_about(parent)
    qtbot.waitExposed(dialog)
    assert dialog.isVisible() and dialog.isModal()
    qtbot.mouseClick(dialog.close_button, _left())
    assert not dialog.isVisible()


def test_the_app_icon_has_every_size() -> None:
    assert [p.name for p in icon_files()] == [f"app-{s}.png" for s in SIZES]
    icon = app_icon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} >= {16, 32, 48, 256}


def _left():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
