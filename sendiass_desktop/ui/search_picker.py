"""A search box with a Find button, a short list of matches and a line saying why none.

Used to choose the person making a subject access request (ui/sar_register.py)
and the case a legal request is about (ui/legal_requests_view.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import button


class SearchPicker(QWidget):
    """The widgets and the list; a subclass searches and calls :meth:`show_matches`."""

    def __init__(self, *, placeholder: str, search_name: str, find_text: str, find_tip: str,
                 results_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(placeholder)
        self.search.setAccessibleName(search_name)
        self.find_button = button(find_text, find_tip, self)
        self.results = QListWidget(self)
        self.results.setAccessibleName(results_name)
        self.results.setMaximumHeight(self.fontMetrics().height() * 5 + 12)
        self.status = HintLabel("", self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.search, 1)
        row.addWidget(self.find_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.results)
        layout.addWidget(self.status)
        self.status.hide()

    def say(self, text: str) -> None:
        """Show ``text`` under the list (hidden when empty)."""
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def show_matches(self, matches: Sequence[tuple[str, object]], none_found: str) -> None:
        """List ``(label, value)`` pairs with the first chosen, or say ``none_found``."""
        self.results.clear()
        for label, value in matches:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, value)
            self.results.addItem(item)
        if matches:
            self.results.setCurrentRow(0)
        self.say("" if matches else none_found)

    def chosen(self) -> object | None:
        item = self.results.currentItem()
        value: object = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return value
