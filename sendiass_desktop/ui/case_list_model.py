"""The case list's table model: loaded a page at a time, never all at once.

``CaseListModel`` asks ``services.cases`` for the number of matching cases
and the first page (``PAGE_SIZE`` rows) in the background; further pages come
when the view scrolls near the end (Qt's ``canFetchMore``/``fetchMore``), so
a store of 50,000 cases opens as fast as one of 50. Sorting re-queries the
store with the matching ``CaseSort``; columns the store cannot sort by are not
sortable. Search results (a fixed, short list) are shown by the same model,
sorted in memory.

A case with an open safeguarding concern says so in words, with an icon, in
its own column: never by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPointF,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from sendiass_desktop.domain.cases import CaseFilter, CaseSort, CaseStatus, CaseSummary
from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.services.cases import count_cases, list_cases
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.table_model import HeaderedTableModel, ModelIndex, marked_cell
from sendiass_desktop.ui.theme import Tone
from sendiass_desktop.ui.views import BackgroundLane

PAGE_SIZE = 200
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SAFEGUARDING_ROLE = Qt.ItemDataRole.UserRole + 2
SAFEGUARDING_TEXT = "Safeguarding"
SAFEGUARDING_DESCRIPTION = "Open safeguarding concern"
LOAD_FAILED = "The cases could not be loaded. Press F5 to try again."


class CaseColumn(IntEnum):
    SAFEGUARDING = 0
    REFERENCE = 1
    SERVICE_USER = 2
    CHILD = 3
    OFFICER = 4
    OPENED = 5
    STATUS = 6
    EHC_STAGE = 7
    ISSUES = 8


# Which store sort each column maps to, per direction. A column with one
# direction only always sorts that way; a column missing here is not sortable.
_SORTS: dict[CaseColumn, dict[Qt.SortOrder, CaseSort]] = {
    CaseColumn.REFERENCE: {Qt.SortOrder.AscendingOrder: CaseSort.REFERENCE},
    CaseColumn.SERVICE_USER: {Qt.SortOrder.AscendingOrder: CaseSort.SERVICE_USER},
    CaseColumn.OFFICER: {Qt.SortOrder.AscendingOrder: CaseSort.OFFICER},
    CaseColumn.OPENED: {Qt.SortOrder.DescendingOrder: CaseSort.OPENED_NEWEST,
                        Qt.SortOrder.AscendingOrder: CaseSort.OPENED_OLDEST},
}

# How each sort is offered in the "Sort by" list (for keyboard users).
SORT_LABELS: dict[CaseSort, str] = {
    CaseSort.OPENED_NEWEST: "Newest first",
    CaseSort.OPENED_OLDEST: "Oldest first",
    CaseSort.REFERENCE: "Reference",
    CaseSort.SERVICE_USER: "Service user's surname",
    CaseSort.OFFICER: "Officer",
}


def sortable(column: int) -> bool:
    return column in _SORTS


def sort_for(column: int, order: Qt.SortOrder) -> CaseSort | None:
    """The store sort for a header click, or None if that column cannot be sorted."""
    if column not in _SORTS:
        return None
    options = _SORTS[CaseColumn(column)]
    return options.get(order) or next(iter(options.values()))


def column_for(sort: CaseSort) -> tuple[CaseColumn, Qt.SortOrder]:
    for column, options in _SORTS.items():
        for order, candidate in options.items():
            if candidate is sort:
                return column, order
    raise ValueError(sort)


def uk_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else ""


def _local_key(sort: CaseSort, summary: CaseSummary) -> tuple[Any, ...]:
    if sort is CaseSort.REFERENCE:
        return (summary.ref.casefold(),)
    if sort is CaseSort.SERVICE_USER:
        parts = summary.primary_name.split()
        surname = parts[-1] if parts else ""
        return (surname.casefold(), summary.primary_name.casefold(), summary.id)
    if sort is CaseSort.OFFICER:
        return (summary.assigned_officer, -summary.opened_on.toordinal(), -summary.id)
    if sort is CaseSort.OPENED_OLDEST:
        return (summary.opened_on, summary.id)
    return (-summary.opened_on.toordinal(), -summary.id)


_ICONS: dict[int, QIcon] = {}


def safeguarding_icon(size: int = 16) -> QIcon:
    """A red warning triangle with a white exclamation mark, drawn (crisp at any scale).

    The same red reads on light and dark backgrounds; the word beside it says
    what it means.
    """
    if size in _ICONS:
        return _ICONS[size]
    icon = QIcon()
    for scale in (1, 2, 3):
        pixels = size * scale
        pixmap = QPixmap(pixels, pixels)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        s = float(pixels)
        path = QPainterPath()
        path.moveTo(QPointF(s / 2, s * 0.06))
        path.lineTo(QPointF(s * 0.97, s * 0.92))
        path.lineTo(QPointF(s * 0.03, s * 0.92))
        path.closeSubpath()
        painter.setPen(QPen(QColor("#8a1c22"), max(1.0, s / 16)))
        painter.setBrush(QColor("#c42b1c"))
        painter.drawPath(path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#ffffff"))
        painter.drawRoundedRect(QRectF(s * 0.45, s * 0.34, s * 0.10, s * 0.34), s * 0.04, s * 0.04)
        painter.drawEllipse(QRectF(s * 0.445, s * 0.73, s * 0.11, s * 0.11))
        painter.end()
        icon.addPixmap(pixmap)
    _ICONS[size] = icon
    return icon


class CaseListModel(HeaderedTableModel):
    """Case summaries for the table: lazily paged from the store, or a set of search results."""

    HEADERS = ("Alert", "Reference", "Service user", "Child or young person", "Officer",
               "Opened", "Status", "EHC stage", "Issues")  # in CaseColumn order

    loaded = Signal()  # a fresh first page (or a new set of search results) is in
    loadFailed = Signal(str)
    sortChanged = Signal(int, Qt.SortOrder)

    def __init__(self, lane: BackgroundLane, parent: QObject | None = None, *,
                 page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self._lane = lane
        self._page_size = page_size
        self._rows: list[CaseSummary] = []
        self._total: int | None = None
        self._filter = CaseFilter()
        self._sort = CaseSort.OPENED_NEWEST
        self._searching = False
        self._generation = 0  # bumped whenever what is shown changes; late pages are dropped
        self._reloading = False
        self._fetching = False
        self._officers: dict[str, str] = {}

    # --- what to show ------------------------------------------------------------------

    @property
    def case_filter(self) -> CaseFilter:
        return self._filter

    @property
    def case_sort(self) -> CaseSort:
        return self._sort

    @property
    def searching(self) -> bool:
        return self._searching

    @property
    def total(self) -> int | None:
        """How many cases match (None until known); in search mode, how many results."""
        return len(self._rows) if self._searching else self._total

    @property
    def loading(self) -> bool:
        return self._reloading or self._fetching

    def set_officer_names(self, names: dict[str, str]) -> None:
        self._officers = dict(names)
        if self._rows:
            self.dataChanged.emit(self.index(0, CaseColumn.OFFICER),
                                  self.index(len(self._rows) - 1, CaseColumn.OFFICER))

    def officer_name(self, username: str) -> str:
        return self._officers.get(username, username)

    def set_lane(self, lane: BackgroundLane) -> None:
        self._lane = lane

    def set_query(self, case_filter: CaseFilter, sort: CaseSort | None = None) -> None:
        """Show the cases matching ``case_filter`` (leaving search results, if shown)."""
        self._filter = case_filter
        if sort is not None:
            self._sort = sort
        self._searching = False
        self.reload()

    def set_sort(self, sort: CaseSort) -> None:
        self._sort = sort
        column, order = column_for(sort)
        if self._searching:
            self._sort_locally()
        else:
            self.reload()
        self.sortChanged.emit(int(column), order)

    def reload(self) -> None:
        """Ask the store again for the count and the first page (rows stay until they come)."""
        if self._searching:
            return
        self._generation += 1
        generation = self._generation
        self._reloading = True
        self._fetching = False
        case_filter, sort, size = self._filter, self._sort, self._page_size

        def first_page(session: Session) -> tuple[int, list[CaseSummary]]:
            return (count_cases(session, case_filter),
                    list_cases(session, case_filter, sort, 0, size))

        self._lane.submit(first_page, lambda result: self._first_page(generation, result),
                          lambda exc: self._failed(generation, exc), key="cases-page")

    def _first_page(self, generation: int, result: tuple[int, list[CaseSummary]]) -> None:
        if generation != self._generation:
            return
        total, rows = result
        self.beginResetModel()
        self._rows = list(rows)
        self._total = total
        self._reloading = False
        self.endResetModel()
        self.loaded.emit()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._reloading = self._fetching = False
        self.loadFailed.emit(str(exc) if isinstance(exc, SendiassError) else LOAD_FAILED)

    def show_results(self, summaries: Sequence[CaseSummary]) -> None:
        """Replace the rows with search results (already filtered and ranked by the service)."""
        self._generation += 1
        self._reloading = self._fetching = False
        self.beginResetModel()
        self._searching = True
        self._rows = list(summaries)
        self.endResetModel()
        self.loaded.emit()

    def sort_results(self) -> None:
        """Sort the search results shown by the current sort (they arrive by relevance)."""
        if self._searching:
            self._sort_locally()

    def _sort_locally(self) -> None:
        self.layoutAboutToBeChanged.emit()
        self._rows.sort(key=lambda s: _local_key(self._sort, s))
        self.layoutChanged.emit()

    def clear(self) -> None:
        """Forget every row (the app is locking); nothing is fetched until ``reload``."""
        self._generation += 1
        self._reloading = self._fetching = False
        self.beginResetModel()
        self._rows = []
        self._total = None
        self._searching = False
        self.endResetModel()

    # --- lazy loading --------------------------------------------------------------------

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._searching or self.loading or self._total is None:
            return False
        return len(self._rows) < self._total

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation = self._generation
        case_filter, sort, size, offset = self._filter, self._sort, self._page_size, len(self._rows)
        self._lane.submit(lambda session: list_cases(session, case_filter, sort, offset, size),
                          lambda rows: self._more(generation, offset, rows),
                          lambda exc: self._failed(generation, exc), key="cases-more")

    def _more(self, generation: int, offset: int, rows: list[CaseSummary]) -> None:
        if generation != self._generation or offset != len(self._rows):
            return
        self._fetching = False
        if not rows:
            # The store has fewer cases than counted (one was just disposed of, say).
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    # --- reading rows --------------------------------------------------------------------

    def summary(self, row: int) -> CaseSummary:
        return self._rows[row]

    def summaries(self) -> list[CaseSummary]:
        return list(self._rows)

    def row_of(self, case_id: int) -> int | None:
        for row, summary in enumerate(self._rows):
            if summary.id == case_id:
                return row
        return None

    # --- QAbstractTableModel -----------------------------------------------------------------

    def _row_count(self) -> int:
        return len(self._rows)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole
                and 0 <= section < len(CaseColumn)):
            if section == CaseColumn.SAFEGUARDING:
                return "Cases with an open safeguarding concern are marked here"
            return f"Sort by {self.HEADERS[section].lower()}" if sortable(section) else None
        return super().headerData(section, orientation, role)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        summary = self._rows[index.row()]
        column = CaseColumn(index.column())
        if role == CASE_ID_ROLE:
            return summary.id
        if role == SAFEGUARDING_ROLE:
            return summary.safeguarding_open
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(summary, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if column is CaseColumn.SAFEGUARDING:
                return SAFEGUARDING_DESCRIPTION if summary.safeguarding_open else "None"
            return self._text(summary, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is CaseColumn.SAFEGUARDING and summary.safeguarding_open:
                return ("This case has an open safeguarding concern. Open the case to see it "
                        "and who is dealing with it.")
            if column is CaseColumn.ISSUES:
                return self._text(summary, column) or None
            if column is CaseColumn.EHC_STAGE:
                return summary.ehc_stage.label
            return None
        if column is CaseColumn.SAFEGUARDING and summary.safeguarding_open:
            if role == Qt.ItemDataRole.DecorationRole:
                return safeguarding_icon()
            return marked_cell(role, Tone.ERROR)
        return None

    def _text(self, s: CaseSummary, column: CaseColumn) -> str:
        if column is CaseColumn.SAFEGUARDING:
            return SAFEGUARDING_TEXT if s.safeguarding_open else ""
        if column is CaseColumn.REFERENCE:
            return s.ref
        if column is CaseColumn.SERVICE_USER:
            return s.primary_name
        if column is CaseColumn.CHILD:
            return s.child_name
        if column is CaseColumn.OFFICER:
            return self.officer_name(s.assigned_officer)
        if column is CaseColumn.OPENED:
            return uk_date(s.opened_on)
        if column is CaseColumn.STATUS:
            return "Open" if s.status is CaseStatus.OPEN else f"Closed {uk_date(s.closed_on)}"
        if column is CaseColumn.EHC_STAGE:
            return s.ehc_stage.label
        return ", ".join(issue.label for issue in s.issue_types)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        chosen = sort_for(column, order)
        if chosen is not None:
            self.set_sort(chosen)
