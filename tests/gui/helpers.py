"""Small helpers for driving the real widgets."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit
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


def hold_writing(monkeypatch: pytest.MonkeyPatch, owner: object
                 ) -> tuple[threading.Event, threading.Event]:
    """Make ``owner.write_new_file`` wait: the build is then past its last check for
    Cancel, so its files will be written and logged whatever happens. Returns (reached,
    go): ``reached`` is set when the build gets there, and it carries on once ``go`` is
    set; later writes run at once."""
    real_write = owner.write_new_file  # type: ignore[attr-defined]
    reached, go = threading.Event(), threading.Event()

    def held(*args: object, **kwargs: object) -> object:
        reached.set()
        go.wait(20)
        return real_write(*args, **kwargs)

    monkeypatch.setattr(owner, "write_new_file", held)
    return reached, go


def visible_texts() -> list[str]:
    """The text of every line edit and label on screen, in every window."""
    return [w.text() for w in QApplication.allWidgets()
            if isinstance(w, QLineEdit | QLabel) and w.isVisible()]
