"""Showing a case to someone who may read but not change it (inspectors).

Hiding is never the protection — every service checks the role again — but
buttons that can only ever answer "you cannot do that" are noise, and
editable-looking fields invite typing that cannot be saved.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)


def show_edit_controls(writable: bool, controls: Iterable[QWidget]) -> None:
    """Hide the buttons that change things when the user may not change anything."""
    if writable:
        return  # each panel decides which of its buttons apply right now
    for control in controls:
        control.setVisible(False)


def make_fields_read_only(writable: bool, containers: Iterable[QWidget]) -> None:
    """Text stays selectable (and readable by screen readers); choices cannot be changed."""
    for container in containers:
        for edit in container.findChildren(QLineEdit):
            edit.setReadOnly(not writable)
        for text in container.findChildren(QPlainTextEdit):
            text.setReadOnly(not writable)
        for rich in container.findChildren(QTextEdit):
            rich.setReadOnly(not writable)
        for spin in container.findChildren(QAbstractSpinBox):  # dates too
            spin.setReadOnly(not writable)
        for choice in container.findChildren(QComboBox):
            choice.setEnabled(writable)
        for toggle in container.findChildren(QAbstractButton):
            if toggle.isCheckable():
                toggle.setEnabled(writable)
