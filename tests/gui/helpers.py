"""Small helpers for driving the real widgets."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit
from pytestqt.qtbot import QtBot

LEFT = Qt.MouseButton.LeftButton


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    assert button.isVisible(), f"{button.text()!r} is not visible"
    assert button.isEnabled(), f"{button.text()!r} is not enabled"
    qtbot.mouseClick(button, LEFT)


def press_space(qtbot: QtBot, button: QAbstractButton) -> None:
    """Toggle a check box from the keyboard, as a keyboard user would."""
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)


def hold_build(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> threading.Event:
    """Make the build ``owner.name`` wait for the event returned. Set it once Cancel (or
    closing) has happened: the real build's first progress report then stops it,
    whatever the machine's speed; later builds run at once."""
    real_build = getattr(owner, name)
    go = threading.Event()

    def held(*args: object, **kwargs: object) -> object:
        go.wait(20)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(owner, name, held)
    return go
