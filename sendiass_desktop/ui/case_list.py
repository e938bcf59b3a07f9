"""The case list: the main view, with its filters, sorting and search results.

Everything shown comes from ``services.cases`` and ``services.search`` on a
``BackgroundLane``, a page at a time (``CaseListModel``), so the window
never waits for the store. Enter or a double-click opens a case in its own
window (``ui.case_window``, built lazily through ``create_case_window``);
"New case…" opens ``ui.new_case_dialog``.

The view owns the toolbar's search box (the main window places it): what is
typed there replaces the table's contents with search results, using the
same filters; Esc clears it.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import re
from datetime import date

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop import APP_NAME
from sendiass_desktop.domain.cases import CaseFilter, CaseSort, CaseStatus, EhcStage, IssueType
from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services.officers import Officer, list_officers
from sendiass_desktop.services.search import SearchResults
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.case_list_model import (
    CASE_ID_ROLE,
    SAFEGUARDING_TEXT,
    SORT_LABELS,
    CaseColumn,
    CaseListModel,
    column_for,
    sort_for,
)
from sendiass_desktop.ui.notices import Banner, InlineMessage
from sendiass_desktop.ui.search_box import MORE_LIMIT, SearchBox, SearchRunner
from sendiass_desktop.ui.theme import Tone, heading_font, secondary_text_colour
from sendiass_desktop.ui.views import BackgroundLane

CASE_WINDOW_MISSING = (
    "Case windows are not available in this version yet, so the case cannot be opened here."
)
NEW_CASE_MISSING = "Adding a case is not available in this version yet."
DATE_HINT = "Type the date as dd/mm/yyyy, for example 05/09/2025."
_DATE_RE = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")
_ISO_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def parse_uk_date(text: str) -> date | None:
    """dd/mm/yyyy (also with dots or hyphens, or yyyy-mm-dd); raises ValueError if not a date."""
    if not text.strip():
        return None
    match = _DATE_RE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    match = _ISO_RE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    raise ValueError(text)


# --- opening case windows ----------------------------------------------------------------


def create_case_window(session: Session, case_id: int) -> QWidget:
    """A case window for ``case_id`` (raises ImportError if this build has none).

    Imported when first needed: the case window lives in its own module.
    """
    module = importlib.import_module("sendiass_desktop.ui.case_window")
    window = module.CaseWindow(session, case_id)
    if not isinstance(window, QWidget):
        raise ImportError("the case window is not a window")
    return window


_standalone_windows: list[QWidget] = []


def show_notice(parent: QWidget, text: str) -> QMessageBox:
    """A plain, non-blocking message box."""
    box = QMessageBox(QMessageBox.Icon.Information, APP_NAME, text,
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("caseNotice")
    box.setAccessibleName("Message")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def request_open_case(source: QWidget, session: Session, case_id: int) -> QWidget | None:
    """Open (or bring forward) the case's window, through the main window if there is one."""
    opener = getattr(source.window(), "open_case", None)
    if callable(opener):
        result = opener(case_id)
        return result if isinstance(result, QWidget) else None
    try:
        window = create_case_window(session, case_id)
    except ImportError:
        show_notice(source, CASE_WINDOW_MISSING)
        return None
    _standalone_windows.append(window)
    window.destroyed.connect(lambda _=None, w=window: _forget_standalone(w))
    window.show()
    return window


def _forget_standalone(window: QWidget) -> None:
    with contextlib.suppress(ValueError):
        _standalone_windows.remove(window)


# --- small widgets --------------------------------------------------------------------------


def name_clear_button(edit: QLineEdit, name: str) -> None:
    """Give the line edit's own clear button a name screen readers can say."""
    for button in edit.findChildren(QToolButton):
        button.setAccessibleName(name)


class DateField(QLineEdit):
    """An optional date typed as dd/mm/yyyy (empty means "any")."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("dd/mm/yyyy")
        self.setAccessibleName(name)
        self.setAccessibleDescription(f"Optional. {DATE_HINT}")
        self.setToolTip(DATE_HINT)
        self.setMaxLength(12)
        self.setClearButtonEnabled(True)
        name_clear_button(self, f"Clear {name.lower()}")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 40)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def value(self) -> date | None:
        """The date typed, None if empty; raises ValueError if it is not a date."""
        return parse_uk_date(self.text())

    def set_value(self, value: date | None) -> None:
        self.setText(value.strftime("%d/%m/%Y") if value else "")


class CaseTable(QTableView):
    """The table of cases: Enter or a double-click asks to open the current case."""

    openRequested = Signal(QModelIndex)
    escapePressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._empty_text = ""

    def set_empty_text(self, text: str) -> None:
        if text != self._empty_text:
            self._empty_text = text
            self.viewport().update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.currentIndex().isValid():
                self.openRequested.emit(self.currentIndex())
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.escapePressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and event.button() == Qt.MouseButton.LeftButton:
            self.setCurrentIndex(index)
            self.openRequested.emit(index)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is None or model.rowCount() > 0 or not self._empty_text:
            return
        painter = QPainter(self.viewport())
        painter.setPen(secondary_text_colour(self.palette()))
        margin = self.fontMetrics().lineSpacing()
        rect = self.viewport().rect().adjusted(margin, margin, -margin, -margin)
        painter.drawText(rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                         | Qt.TextFlag.TextWordWrap, self._empty_text)
        painter.end()


def _combo(name: str, parent: QWidget, min_chars: int = 12) -> QComboBox:
    combo = QComboBox(parent)
    combo.setAccessibleName(name)
    combo.view().setAccessibleName(f"{name} choices")
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(min_chars)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return combo


def index_of(combo: QComboBox, value: object) -> int:
    """The row whose data is ``value`` (-1 if none); enum members compare by identity."""
    for row in range(combo.count()):
        if combo.itemData(row) == value:
            return row
    return -1


def _label(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label


# --- the view ---------------------------------------------------------------------------------


class CaseListView(QWidget):
    """The list of cases with filters, sorting and search."""

    caseOpened = Signal(int)  # a case window was asked for

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setAccessibleName("Cases")
        self._officers: list[Officer] = []
        self._applying = False  # filter widgets being set from code

        self.lane = BackgroundLane(session, self)
        self.model = CaseListModel(self.lane, self)
        self.runner = SearchRunner(self.lane, self)
        self.search_box = SearchBox(self)

        heading = QLabel("Cases", self)
        heading.setFont(heading_font(self, 1.3))
        heading.setAccessibleName("Cases")
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName("How many cases are shown")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head = QHBoxLayout()
        head.addWidget(heading)
        head.addStretch(1)
        head.addWidget(self.count_label)

        # Filters.
        self.officer = _combo("Officer", self, 14)
        self.status = _combo("Status", self, 10)
        self.status.addItem("Open cases", CaseStatus.OPEN)
        self.status.addItem("Closed cases", CaseStatus.CLOSED)
        self.status.addItem("All cases", None)
        self.issue = _combo("Issue", self, 14)
        self.issue.addItem("Any issue", None)
        for issue in IssueType:
            self.issue.addItem(issue.label, issue)
        self.ehc_stage = _combo("EHC stage", self, 14)
        self.ehc_stage.addItem("Any stage", None)
        for stage in EhcStage:
            self.ehc_stage.addItem(stage.label, stage)
        self.opened_from = DateField("Opened from", self)
        self.opened_to = DateField("Opened to", self)
        self.safeguarding_only = QCheckBox("Open safe&guarding concerns only", self)
        self.safeguarding_only.setAccessibleName("Open safeguarding concerns only")
        self.sort_combo = _combo("Sort by", self, 12)
        self.sort_combo.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        for sort, text in SORT_LABELS.items():
            self.sort_combo.addItem(text, sort)
        self.clear_filters_button = QPushButton("&Clear filters", self)
        self.clear_filters_button.setAccessibleName("Clear filters")
        self.clear_filters_button.setAutoDefault(False)

        row1 = QHBoxLayout()
        row1.setSpacing(6)
        for text, widget in (("&Officer:", self.officer), ("&Status:", self.status),
                             ("&Issue:", self.issue), ("&EHC stage:", self.ehc_stage)):
            if row1.count():
                row1.addSpacing(10)
            row1.addWidget(_label(text, widget, self))
            row1.addWidget(widget, 1)
        row2 = QHBoxLayout()
        row2.setSpacing(6)
        row2.addWidget(_label("Opened fro&m:", self.opened_from, self))
        row2.addWidget(self.opened_from)
        row2.addWidget(_label("&to:", self.opened_to, self))
        row2.addWidget(self.opened_to)
        row2.addSpacing(14)
        row2.addWidget(self.safeguarding_only)
        row2.addStretch(1)
        row2.addWidget(_label("So&rt by:", self.sort_combo, self))
        row2.addWidget(self.sort_combo)
        row2.addSpacing(10)
        row2.addWidget(self.clear_filters_button)

        # Search results bar and messages.
        self.search_bar = Banner(Tone.INFO, "", self, name="Search results")
        self.clear_search_button = QPushButton("Clear search", self.search_bar)
        self.clear_search_button.setAccessibleName("Clear search")
        self.clear_search_button.setAutoDefault(False)
        self.more_button = QPushButton("Show &more results", self.search_bar)
        self.more_button.setAccessibleName("Show more results")
        self.more_button.setAutoDefault(False)
        self.search_bar.add_button(self.more_button)
        self.more_button.hide()
        self.search_bar.add_button(self.clear_search_button)
        self.search_bar.hide()
        self.message = InlineMessage(self, "Case list message")

        # The table.
        self.table = CaseTable(self)
        self.table.setObjectName("caseTable")
        self.table.setAccessibleName("Case list")
        self.table.setAccessibleDescription(
            "Press Enter to open the selected case. Cases with an open safeguarding concern "
            "say Safeguarding in the first column.")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().hide()
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().lineSpacing() + 10)
        header = self.table.horizontalHeader()
        header.setAccessibleName("Case list columns")
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        rows.setAccessibleName("Case list rows")
        for button in self.table.findChildren(QAbstractButton):
            if not button.accessibleName():
                button.setAccessibleName("Select all")
        self._size_columns()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.setSpacing(8)
        layout.addLayout(head)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(self.search_bar)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)

        chain: list[QWidget] = [self.officer, self.status, self.issue, self.ehc_stage,
                                self.opened_from, self.opened_to, self.safeguarding_only,
                                self.sort_combo, self.clear_filters_button,
                                self.clear_search_button, self.table]
        for control in chain:
            control.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

        # Wiring.
        for choice in (self.officer, self.status, self.issue, self.ehc_stage):
            choice.currentIndexChanged.connect(self._filters_changed)
        self.safeguarding_only.toggled.connect(self._filters_changed)
        for field in (self.opened_from, self.opened_to):
            field.editingFinished.connect(self._filters_changed)
            field.textChanged.connect(self._date_cleared)
        self.sort_combo.currentIndexChanged.connect(self._sort_chosen)
        self.clear_filters_button.clicked.connect(self.clear_filters)
        header.sortIndicatorChanged.connect(self._header_sort)
        self.model.sortChanged.connect(self._show_sort)
        self.model.loaded.connect(self._update_count)
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        self.model.loadFailed.connect(self._load_failed)
        self.table.openRequested.connect(self._open_index)
        self.table.escapePressed.connect(self._escape_in_table)
        self.search_box.textChanged.connect(self._search_text_changed)
        self.search_box.escaped.connect(self.clear_search)
        self.search_box.leaveDown.connect(self.focus_table)
        self.search_box.returnPressed.connect(self._search_return)
        self.clear_search_button.clicked.connect(self.clear_search)
        self.more_button.clicked.connect(self.runner.show_more)
        self.runner.started.connect(self._search_started)
        self.runner.finished.connect(self._search_finished)
        self.runner.failed.connect(self._search_failed)
        self.runner.cleared.connect(self._search_cleared)

        self._show_sort(*column_for(self.model.case_sort))
        self._load_officers()
        self.model.set_query(self._current_filter() or CaseFilter())
        self._update_count()

    # --- the session and locking ------------------------------------------------------------

    @property
    def session(self) -> Session:
        return self._session

    def set_session(self, session: Session) -> None:
        self._session = session
        self.lane.set_session(session)
        self._load_officers()
        self.model.set_query(self._current_filter() or CaseFilter())

    def on_lock(self) -> None:
        """Drop every case (and the words searched for) until the window is unlocked."""
        self.runner.clear()
        self.search_box.blockSignals(True)
        self.search_box.clear()
        self.search_box.blockSignals(False)
        self.search_bar.hide()
        self.message.clear()
        self.model.clear()
        self.lane.shutdown()
        self._update_count()

    def refresh(self) -> None:
        """F5: ask the store again (the list, or the search shown)."""
        self.message.clear()
        self._load_officers()
        case_filter = self._current_filter()
        if case_filter is None:
            return
        if self.runner.active:
            self.runner.rerun(case_filter)
        else:
            self.model.set_query(case_filter)

    # --- search -------------------------------------------------------------------------------

    def search_widget(self) -> QWidget:
        return self.search_box

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def set_search_text(self, text: str) -> None:
        self.search_box.setText(text)

    def clear_search(self) -> None:
        if self.search_box.text():
            self.search_box.clear()  # textChanged clears the search
        else:
            self.runner.clear()

    def _search_text_changed(self, text: str) -> None:
        case_filter = self._current_filter(report=False) or self.model.case_filter
        self.runner.request(text, case_filter)

    def _search_return(self) -> None:
        self.focus_table()

    def _search_started(self, text: str) -> None:
        self.more_button.hide()
        self.search_bar.label.setText(f"Searching for “{text}”…")
        self.search_bar.setAccessibleDescription(self.search_bar.label.text())
        self.search_bar.show()

    def _search_finished(self, text: str, results: SearchResults) -> None:
        self.model.show_results([hit.case for hit in results.hits])
        if self._results_sorted:
            self.model.sort_results()
        self._show_best_match(not self._results_sorted)
        count = len(results.hits)
        more = count >= self.runner.limit and self.runner.limit < MORE_LIMIT
        self.more_button.setVisible(more)
        if count >= self.runner.limit:
            text_shown = (f"Showing the first {count:,} results for “{text}”. Add more words to "
                          "narrow the search — press Esc to clear it.")
        else:
            noun = "result" if count == 1 else "results"
            text_shown = f"{count:,} {noun} for your search “{text}” — press Esc to clear it."
        self.search_bar.label.setText(text_shown)
        self.search_bar.label.setAccessibleName(f"Search results: {text_shown}")
        self.search_bar.setAccessibleDescription(text_shown)
        self.search_bar.show()
        if results.message:
            self.message.show_message(results.message, Tone.INFO)
        else:
            self.message.clear()
        self._update_count()

    def _search_failed(self, text: str, message: str) -> None:
        self.model.show_results([])
        self.search_bar.label.setText(f"No results for “{text}” — press Esc to clear the search.")
        self.search_bar.show()
        self.message.show_message(message)
        self._update_count()

    def _search_cleared(self) -> None:
        self.search_bar.hide()
        self.message.clear()
        self._results_sorted = False
        self._show_best_match(False)
        self.model.set_query(self._current_filter(report=False) or self.model.case_filter)

    def _escape_in_table(self) -> None:
        if self.runner.active or self.search_box.text():
            self.clear_search()

    # --- filters -------------------------------------------------------------------------------

    def _load_officers(self) -> None:
        try:
            officers = list_officers(self._session)
        except SendiassError:
            officers = []
        self._officers = officers
        chosen = self.officer.currentData()
        self._applying = True
        try:
            self.officer.clear()
            self.officer.addItem("All officers", None)
            for officer in officers:
                suffix = "" if officer.active else " (account disabled)"
                self.officer.addItem(f"{officer.display_name}{suffix}", officer.username)
            index = index_of(self.officer, chosen) if chosen else 0
            self.officer.setCurrentIndex(max(index, 0))
        finally:
            self._applying = False
        self.model.set_officer_names({o.username: o.display_name for o in officers})

    def _current_filter(self, report: bool = True) -> CaseFilter | None:
        """The filter the widgets describe, or None (with a message) if a date is wrong."""
        dates: list[date | None] = []
        for field, name in ((self.opened_from, "Opened from"), (self.opened_to, "Opened to")):
            try:
                dates.append(field.value())
            except ValueError:
                if report:
                    self.message.show_message(f"{name}: {DATE_HINT}")
                return None
        opened_from, opened_to = dates
        if opened_from and opened_to and opened_from > opened_to:
            if report:
                self.message.show_message(
                    "The “opened from” date is after the “to” date. Change one of them.")
            return None
        return CaseFilter(
            officer=self.officer.currentData(),
            status=self.status.currentData(),
            issue_type=self.issue.currentData(),
            opened_from=opened_from,
            opened_to=opened_to,
            safeguarding_open=True if self.safeguarding_only.isChecked() else None,
            ehc_stage=self.ehc_stage.currentData(),
        )

    def _filters_changed(self) -> None:
        if self._applying:
            return
        case_filter = self._current_filter()
        if case_filter is None:
            return
        if self.message.text().startswith(("Opened", "The “opened")):
            self.message.clear()
        if case_filter == self.model.case_filter and not self.runner.active:
            return
        if self.runner.active:
            self.runner.rerun(case_filter)  # the list itself is re-read when the search ends
        else:
            self.model.set_query(case_filter)

    def _date_cleared(self, text: str) -> None:
        # The clear button (or deleting everything) applies at once; typing waits for Enter.
        if not text:
            self._filters_changed()

    def set_filter(self, case_filter: CaseFilter) -> None:
        """Show ``case_filter`` in the widgets and apply it (used by tests and other views)."""
        self._applying = True
        try:
            self.officer.setCurrentIndex(max(0, index_of(self.officer, case_filter.officer))
                                         if case_filter.officer else 0)
            self.status.setCurrentIndex(max(0, index_of(self.status, case_filter.status)))
            self.issue.setCurrentIndex(max(0, index_of(self.issue, case_filter.issue_type))
                                       if case_filter.issue_type else 0)
            self.ehc_stage.setCurrentIndex(max(0, index_of(self.ehc_stage, case_filter.ehc_stage))
                                           if case_filter.ehc_stage else 0)
            self.opened_from.set_value(case_filter.opened_from)
            self.opened_to.set_value(case_filter.opened_to)
            self.safeguarding_only.setChecked(bool(case_filter.safeguarding_open))
        finally:
            self._applying = False
        self._filters_changed()

    def clear_filters(self) -> None:
        self.set_filter(CaseFilter(status=CaseStatus.OPEN))
        self.message.clear()

    # --- sorting ---------------------------------------------------------------------------------

    # Search results arrive best match first; they are re-sorted only once someone
    # asks for another order while they are shown.
    _results_sorted = False

    def _header_sort(self, section: int, order: Qt.SortOrder) -> None:
        chosen = sort_for(section, order)
        if chosen is None:
            # Not a column the store can sort by: put the indicator back.
            self._show_sort(*column_for(self.model.case_sort))
            return
        self._apply_sort(chosen)

    def _sort_chosen(self, index: int) -> None:
        if self._applying:
            return
        sort = self.sort_combo.itemData(index)
        if isinstance(sort, CaseSort):
            self._apply_sort(sort)

    def _apply_sort(self, sort: CaseSort) -> None:
        if self.model.searching:
            self._results_sorted = True
            self._show_best_match(False)
            self.model.set_sort(sort)
        elif sort is not self.model.case_sort:
            self.model.set_sort(sort)
        else:
            self._show_sort(*column_for(sort))

    def _show_best_match(self, best_match: bool) -> None:
        """While unsorted search results are shown, say so in the sort list and header."""
        has_item = self.sort_combo.count() > 0 and self.sort_combo.itemData(0) is None
        self._applying = True
        try:
            if best_match and not has_item:
                self.sort_combo.insertItem(0, "Best match", None)
            if best_match:
                self.sort_combo.setCurrentIndex(0)
            elif has_item:
                self.sort_combo.removeItem(0)
        finally:
            self._applying = False
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(not best_match)
        if not best_match:
            self._show_sort(*column_for(self.model.case_sort))

    def _show_sort(self, column: int, order: Qt.SortOrder) -> None:
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)
        header.viewport().update()
        if self.sort_combo.count() and self.sort_combo.itemData(0) is None:
            return  # "Best match" is showing
        self._applying = True
        try:
            self.sort_combo.setCurrentIndex(max(0, index_of(self.sort_combo, self.model.case_sort)))
        finally:
            self._applying = False

    def sort_by(self, sort: CaseSort) -> None:
        self._apply_sort(sort)

    # --- the table ---------------------------------------------------------------------------

    def _size_columns(self) -> None:
        metrics = self.fontMetrics()
        chars = metrics.averageCharWidth()
        pad = chars * 3
        widths = {
            CaseColumn.SAFEGUARDING: metrics.horizontalAdvance(SAFEGUARDING_TEXT) + 24 + pad,
            CaseColumn.REFERENCE: metrics.horizontalAdvance("SEN-2026-00000") + pad,
            CaseColumn.SERVICE_USER: chars * 19,
            CaseColumn.CHILD: chars * 19,
            CaseColumn.OFFICER: chars * 17,
            CaseColumn.OPENED: metrics.horizontalAdvance("00/00/00000") + pad,
            CaseColumn.STATUS: metrics.horizontalAdvance("Closed") + pad,
            CaseColumn.EHC_STAGE: chars * 21,
        }
        header = self.table.horizontalHeader()
        bold = QFont(header.font())
        bold.setBold(True)
        header_metrics = QFontMetrics(bold)
        for column, width in widths.items():
            # Never narrower than the column's heading (with room for the sort arrow).
            title = self.model.HEADERS[column]
            self.table.setColumnWidth(column, max(width, header_metrics.horizontalAdvance(title)
                                                  + pad + 16))
        header.setMinimumSectionSize(chars * 6)

    def _update_count(self, *_args: object) -> None:
        model = self.model
        shown = model.rowCount()
        if model.searching:
            self.count_label.setText(f"{shown:,} found")
            self.table.set_empty_text("No cases match your search.")
            return
        total = model.total
        if total is None:
            self.count_label.setText("Loading cases…" if model.loading else "")
            self.table.set_empty_text("Loading cases…" if model.loading else "")
            return
        if total == 0:
            self.count_label.setText("No cases")
            self.table.set_empty_text("No cases match these filters.")
            return
        noun = "case" if total == 1 else "cases"
        if shown < total:
            self.count_label.setText(f"{total:,} {noun} — showing {shown:,}; scroll for more")
        else:
            self.count_label.setText(f"{total:,} {noun}")
        self.table.set_empty_text("")

    def _load_failed(self, message: str) -> None:
        self.message.show_message(message)
        self._update_count()

    def focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, CaseColumn.REFERENCE))

    def current_case_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        value = index.data(CASE_ID_ROLE)
        return int(value) if value is not None else None

    def _open_index(self, index: QModelIndex) -> None:
        value = index.data(CASE_ID_ROLE)
        if value is not None:
            self.open_case(int(value))

    def open_current(self) -> None:
        case_id = self.current_case_id()
        if case_id is not None:
            self.open_case(case_id)

    def open_case(self, case_id: int) -> QWidget | None:
        self.caseOpened.emit(case_id)
        return request_open_case(self, self._session, case_id)

    # --- new case ----------------------------------------------------------------------------

    def new_case(self) -> QDialog | None:
        """Open the "new case" dialog; when it is saved, open the new case's window."""
        if not self._session.can(Permission.WRITE_CASES):
            self.message.show_message(
                f"Your role ({self._session.user.role.label}) cannot add cases.")
            return None
        try:
            module = importlib.import_module("sendiass_desktop.ui.new_case_dialog")
        except ImportError:
            show_notice(self, NEW_CASE_MISSING)
            return None
        dialog = module.NewCaseDialog(self._session, parent=self)
        if not isinstance(dialog, QDialog):
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        track = getattr(self.window(), "track_window", None)
        if callable(track):
            track(dialog)
        dialog.finished.connect(lambda result, d=dialog: self._new_case_done(d, result))
        dialog.open()
        return dialog

    def _new_case_done(self, dialog: QDialog, result: int) -> None:
        case_id = getattr(dialog, "created_case_id", None)
        if result != QDialog.DialogCode.Accepted or case_id is None:
            return
        self.refresh()
        self.open_case(int(case_id))
