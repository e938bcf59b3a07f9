"""What the read-only tables share.

* ``HeaderedTableModel``: a flat model under fixed column headings; a subclass
  says how many rows there are (``_row_count``) and what each cell holds
  (``data``). ``RowsModel`` is one whose rows are plain text.
* ``marked_cell`` and ``bold_font``: how a cell that needs attention looks (an
  overdue date, an open safeguarding concern). Its words say the same, so
  nothing rests on colour alone.
* ``read_only_table`` and ``panel_table``: the plain table view under the
  case window's panels and the registers (``export_pieces.register_table``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from sendiass_desktop.ui.theme import Tone, is_dark, tone_colours

ModelIndex = QModelIndex | QPersistentModelIndex


class HeaderedTableModel(QAbstractTableModel):
    """Rows from ``_row_count()``, columns from ``HEADERS``; subclasses supply ``data``."""

    HEADERS: ClassVar[tuple[str, ...]] = ()

    def headers(self) -> tuple[str, ...]:
        """The column headings: ``HEADERS``, unless a model is given its own."""
        return self.HEADERS

    def _row_count(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._row_count()

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        headers = self.headers()
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(headers)):
            return headers[section]
        return None


class RowsModel(HeaderedTableModel):
    """Rows of text under ``headers`` (read-only); a cell's tooltip and accessible text are
    its words."""

    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = tuple(headers)
        self._rows: list[tuple[str, ...]] = []
        self._keys: list[Any] = []

    def headers(self) -> tuple[str, ...]:
        return self._headers

    def _row_count(self) -> int:
        return len(self._rows)

    def set_rows(self, rows: Sequence[tuple[Any, tuple[str, ...]]]) -> None:
        """``rows`` are (key, cells): the key comes back from ``key_at``."""
        self.beginResetModel()
        self._keys = [k for k, _ in rows]
        self._rows = [cells for _, cells in rows]
        self.endResetModel()

    def key_at(self, row: int) -> Any:
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            return self._rows[index.row()][index.column()]
        return None


def bold_font() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


def marked_cell(role: int, tone: Tone, *, bold: bool = True) -> Any:
    """A marked cell's colours in ``tone`` (and, with ``bold``, its font) for ``role``;
    None for any other role."""
    if role == Qt.ItemDataRole.ForegroundRole:
        return QBrush(QColor(tone_colours(tone, is_dark()).foreground))
    if role == Qt.ItemDataRole.BackgroundRole:
        return QBrush(QColor(tone_colours(tone, is_dark()).background))
    if role == Qt.ItemDataRole.FontRole and bold:
        return bold_font()
    return None


def read_only_table(model: QAbstractItemModel, name: str, parent: QWidget, *,
                    whole_rows: bool = True) -> QTableView:
    """A read-only table of ``model``, without row numbers or wrapped words, that selects
    one whole row (or, without ``whole_rows``, one cell) at a time."""
    table = QTableView(parent)
    table.setModel(model)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows if whole_rows
                               else QAbstractItemView.SelectionBehavior.SelectItems)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    return table


def panel_table(model: QAbstractItemModel, name: str, stretch: int,
                parent: QWidget) -> QTableView:
    """A case panel's table: ``read_only_table`` with the columns fitted to their contents
    and column ``stretch`` taking the spare width."""
    table = read_only_table(model, name, parent)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table
