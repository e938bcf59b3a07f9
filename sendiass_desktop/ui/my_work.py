"""'My work': the signed-in officer's overdue and upcoming deadlines and tasks.

Read from ``services.deadlines.my_work`` in the background. Overdue items
come first, with a red accent and how many days overdue in words; then what
is due in the next 14 days. Each list is a table on a model that reveals
rows a couple of hundred at a time as you scroll, so thousands of items cost
nothing. Enter opens the item's case; "Mark done" can be undone straight
away. Managers can look at another officer's list.
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.deadlines import DeadlineKind
from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services.deadlines import WorkItem, mark_done, my_work
from sendiass_desktop.services.officers import list_officers
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.case_list import CaseTable, index_of, request_open_case
from sendiass_desktop.ui.case_list_model import uk_date
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.notices import Banner, InlineMessage
from sendiass_desktop.ui.table_model import HeaderedTableModel, ModelIndex, marked_cell
from sendiass_desktop.ui.theme import Tone, heading_font
from sendiass_desktop.ui.views import BackgroundLane

HORIZON_DAYS = 14
BATCH = 200
LOAD_FAILED = "Your work list could not be loaded. Press F5 to try again."
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1

if TYPE_CHECKING:
    from sendiass_desktop.store.deadlines import StoredDeadline


class WorkColumn(IntEnum):
    DUE = 0
    WHEN = 1
    WHAT = 2
    TYPE = 3
    CASE = 4


def when_text(due: date, today: date) -> str:
    days = (due - today).days
    if days < 0:
        return "1 day overdue" if days == -1 else f"{-days} days overdue"
    if days == 0:
        return "Due today"
    if days == 1:
        return "Due tomorrow"
    return f"In {days} days"


class WorkModel(HeaderedTableModel):
    """One list of work items; all are in memory, shown ``BATCH`` at a time."""

    HEADERS = ("Due", "When", "What", "Type", "Case")  # in WorkColumn order

    def __init__(self, overdue: bool, parent: QObject | None = None, *,
                 batch: int = BATCH) -> None:
        super().__init__(parent)
        self.overdue = overdue
        self._items: list[WorkItem] = []
        self._shown = 0
        self._batch = batch
        self._today = date.today()

    def set_items(self, items: list[WorkItem], today: date) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._today = today
        self._shown = min(self._batch, len(self._items))
        self.endResetModel()

    def clear(self) -> None:
        self.set_items([], self._today)

    @property
    def total(self) -> int:
        return len(self._items)

    def item(self, row: int) -> WorkItem:
        return self._items[row]

    def remove(self, deadline_id: int) -> WorkItem | None:
        for row in range(self._shown):
            if self._items[row].stored.id == deadline_id:
                self.beginRemoveRows(QModelIndex(), row, row)
                removed = self._items.pop(row)
                self._shown -= 1
                self.endRemoveRows()
                return removed
        return None

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._shown < len(self._items)

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        more = min(self._batch, len(self._items) - self._shown)
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    def _row_count(self) -> int:
        return self._shown

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._shown:
            return None
        item = self._items[index.row()]
        column = WorkColumn(index.column())
        if role == ITEM_ROLE:
            return item
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(item, column)
        if role == Qt.ItemDataRole.ToolTipRole and column is WorkColumn.WHAT:
            return item.stored.deadline.label
        if self.overdue and column is WorkColumn.WHEN:
            return marked_cell(role, Tone.ERROR)
        return None

    def _text(self, item: WorkItem, column: WorkColumn) -> str:
        deadline = item.stored.deadline
        if column is WorkColumn.DUE:
            return uk_date(deadline.due)
        if column is WorkColumn.WHEN:
            return when_text(deadline.due, self._today)
        if column is WorkColumn.WHAT:
            return deadline.label
        if column is WorkColumn.TYPE:
            return "Task" if deadline.kind is DeadlineKind.TASK else "Statutory deadline"
        return item.case_ref or "No case"


class MyWorkView(QWidget):
    """Overdue and upcoming deadlines and tasks for one officer."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setAccessibleName("My work")
        self.lane = BackgroundLane(session, self)
        self._generation = 0
        self._last_done: StoredDeadline | None = None
        self._today = date.today()

        heading = QLabel("My work", self)
        heading.setFont(heading_font(self, 1.3))
        self.owner_label = QLabel("&Work for:", self)
        self.owner = QComboBox(self)
        self.owner.setAccessibleName("Whose work to show")
        self.owner.view().setAccessibleName("Officers")
        self.owner.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.owner_label.setBuddy(self.owner)
        head = QHBoxLayout()
        head.addWidget(heading)
        head.addStretch(1)
        head.addWidget(self.owner_label)
        head.addWidget(self.owner)

        self.summary = QLabel(self)
        self.summary.setAccessibleName("Summary")
        self.summary.setWordWrap(True)
        self.message = InlineMessage(self, "My work message")
        self.undo_bar = Banner(Tone.SUCCESS, "", self, name="Marked as done")
        self.undo_button = QPushButton("&Undo", self.undo_bar)
        self.undo_button.setAccessibleName("Undo mark as done")
        self.undo_button.setAutoDefault(False)
        self.undo_bar.add_button(self.undo_button)
        self.undo_bar.hide()

        self.overdue_model = WorkModel(True, self)
        self.upcoming_model = WorkModel(False, self)
        self.overdue_heading = Banner(Tone.ERROR, "Overdue", self, name="Overdue")
        self.overdue_table = self._table(self.overdue_model, "Overdue deadlines and tasks",
                                         "Nothing is overdue.")
        self.upcoming_heading = QLabel(f"Due in the next {HORIZON_DAYS} days", self)
        self.upcoming_heading.setFont(heading_font(self, 1.1))
        self.upcoming_table = self._table(
            self.upcoming_model, f"Deadlines and tasks due in the next {HORIZON_DAYS} days",
            f"Nothing is due in the next {HORIZON_DAYS} days.")
        self._active_table = self.overdue_table

        self.open_button = QPushButton("&Open case", self)
        self.open_button.setAccessibleName("Open the case")
        self.open_button.setAutoDefault(False)
        self.done_button = QPushButton("Mark &done", self)
        self.done_button.setAccessibleName("Mark as done")
        self.done_button.setAutoDefault(False)
        hint = HintLabel("Enter opens the case of the selected item.", self)
        buttons = QHBoxLayout()
        buttons.addWidget(hint, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.done_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.setSpacing(8)
        layout.addLayout(head)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.overdue_heading)
        layout.addWidget(self.overdue_table, 2)
        layout.addSpacing(4)
        layout.addWidget(self.upcoming_heading)
        layout.addWidget(self.upcoming_table, 3)
        layout.addLayout(buttons)

        for first, second in ((self.owner, self.overdue_table),
                              (self.overdue_table, self.upcoming_table),
                              (self.upcoming_table, self.open_button),
                              (self.open_button, self.done_button),
                              (self.done_button, self.undo_button)):
            QWidget.setTabOrder(first, second)

        self.owner.currentIndexChanged.connect(self._owner_changed)
        self.open_button.clicked.connect(self.open_selected)
        self.done_button.clicked.connect(self.mark_selected_done)
        self.undo_button.clicked.connect(self.undo)
        self._update_buttons()
        self.set_session(session)

    def _table(self, model: WorkModel, name: str, empty: str) -> CaseTable:
        table = CaseTable(self)
        table.setModel(model)
        table.setAccessibleName(name)
        table.set_empty_text(empty)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setTabKeyNavigation(False)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() + 10)
        table.verticalHeader().setAccessibleName(f"{name} rows")
        header = table.horizontalHeader()
        header.setAccessibleName(f"{name} columns")
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        metrics = self.fontMetrics()
        table.setColumnWidth(WorkColumn.DUE, metrics.horizontalAdvance("00/00/00000") + 30)
        table.setColumnWidth(WorkColumn.WHEN, metrics.horizontalAdvance("000 days overdue") + 50)
        table.setColumnWidth(WorkColumn.TYPE, metrics.horizontalAdvance("Statutory deadline") + 30)
        table.setColumnWidth(WorkColumn.CASE, metrics.horizontalAdvance("SEN-2026-00000") + 30)
        header.setSectionResizeMode(WorkColumn.WHAT, QHeaderView.ResizeMode.Stretch)
        table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        table.openRequested.connect(lambda index, m=model: self._open_row(m, index.row()))
        table.selectionModel().currentChanged.connect(
            lambda _cur, _prev, t=table: self._table_touched(t))
        for button in table.findChildren(QAbstractButton):
            button.setAccessibleName("Select all")
        return table

    # --- the session --------------------------------------------------------------------

    @property
    def session(self) -> Session:
        return self._session

    def set_session(self, session: Session) -> None:
        self._session = session
        self.lane.set_session(session)
        # Read-only roles (inspectors) cannot mark anything done; the service refuses too.
        self.done_button.setVisible(session.can(Permission.WRITE_CASES))
        self._load_owners()
        self.refresh()

    def on_lock(self) -> None:
        self._generation += 1
        self.lane.shutdown()
        self.overdue_model.clear()
        self.upcoming_model.clear()
        self.undo_bar.hide()
        self.message.clear()
        self._last_done = None
        self.summary.setText("")
        self._update_buttons()

    def _load_owners(self) -> None:
        session = self._session
        manager = session.can_manage_others() and not session.via_recovery_key
        self.owner.blockSignals(True)
        try:
            self.owner.clear()
            me = session.user.username
            self.owner.addItem(f"Me ({session.user.display_name})", me)
            if manager:
                try:
                    officers = list_officers(session)
                except SendiassError:
                    officers = []
                for officer in officers:
                    if officer.active and officer.username != me:
                        self.owner.addItem(officer.display_name, officer.username)
            self.owner.setCurrentIndex(0)
        finally:
            self.owner.blockSignals(False)
        self.owner.setVisible(manager)
        self.owner_label.setVisible(manager)

    @property
    def owner_username(self) -> str:
        value = self.owner.currentData()
        return str(value) if value else self._session.user.username

    def show_owner(self, username: str) -> None:
        index = index_of(self.owner, username)
        if index >= 0:
            self.owner.setCurrentIndex(index)

    def _owner_changed(self, _index: int) -> None:
        self.undo_bar.hide()
        self._last_done = None
        self.refresh()

    # --- loading ------------------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        return self.lane.busy

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        owner = self.owner_username
        mine = owner == self._session.user.username
        today = date.today()
        self.summary.setText("Loading…" if not self.overdue_model.total
                             and not self.upcoming_model.total else self.summary.text())

        def load(session: Session) -> tuple[list[WorkItem], list[WorkItem]]:
            return my_work(session, on=today, horizon_days=HORIZON_DAYS,
                           owner=None if mine else owner)

        self.lane.submit(load, lambda result: self._loaded(generation, today, result),
                         lambda exc: self._failed(generation, exc), key="my-work")

    def _loaded(self, generation: int, today: date,
                result: tuple[list[WorkItem], list[WorkItem]]) -> None:
        if generation != self._generation:
            return
        overdue, upcoming = result
        self._today = today
        self.overdue_model.set_items(overdue, today)
        self.upcoming_model.set_items(upcoming, today)
        self.message.clear()
        self._update_counts()
        self._update_buttons()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.message.show_message(str(exc) if isinstance(exc, SendiassError) else LOAD_FAILED)
        self.summary.setText("")

    def _update_counts(self) -> None:
        overdue, upcoming = self.overdue_model.total, self.upcoming_model.total
        whose = "You have" if self.owner_username == self._session.user.username else (
            f"{self.owner.currentText()} has")
        if not overdue and not upcoming:
            self.summary.setText(f"{whose} nothing overdue and nothing due in the next "
                                 f"{HORIZON_DAYS} days.")
        else:
            self.summary.setText(
                f"{whose} {overdue:,} overdue and {upcoming:,} due in the next "
                f"{HORIZON_DAYS} days.")
        noun = "item" if overdue == 1 else "items"
        text = (f"Overdue: {overdue:,} {noun} past their due date" if overdue
                else "Overdue: nothing")
        self.overdue_heading.label.setText(text)
        self.overdue_heading.label.setAccessibleName(text)
        self.overdue_heading.set_tone(Tone.ERROR if overdue else Tone.SUCCESS)
        self.upcoming_heading.setText(
            f"Due in the next {HORIZON_DAYS} days: {upcoming:,}")
        # An empty list needs no more than a line or two.
        line = self.fontMetrics().lineSpacing() + 10
        self.overdue_table.setMaximumHeight(line * 4 if not overdue else 16_777_215)
        self.upcoming_table.setMaximumHeight(line * 4 if not upcoming else 16_777_215)

    # --- acting on the selected item ------------------------------------------------------

    def _table_touched(self, table: CaseTable) -> None:
        self._active_table = table
        self._update_buttons()

    def selected_item(self) -> WorkItem | None:
        for table in (self._active_table, self.overdue_table, self.upcoming_table):
            index = table.currentIndex()
            if index.isValid():
                item = index.data(ITEM_ROLE)
                if isinstance(item, WorkItem):
                    return item
        return None

    def select(self, overdue: bool, row: int) -> None:
        table = self.overdue_table if overdue else self.upcoming_table
        model = table.model()
        table.setCurrentIndex(model.index(row, WorkColumn.WHAT))
        self._active_table = table
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.selected_item()
        self.open_button.setEnabled(item is not None and item.stored.case_id is not None)
        self.done_button.setEnabled(item is not None)

    def _open_row(self, model: WorkModel, row: int) -> None:
        if 0 <= row < model.rowCount():
            self._open(model.item(row))

    def open_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            self._open(item)

    def _open(self, item: WorkItem) -> None:
        if item.stored.case_id is None:
            self.message.show_message("This task is not about a particular case.", Tone.INFO)
            return
        request_open_case(self, self._session, item.stored.case_id)

    def mark_selected_done(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        self.done_button.setEnabled(False)
        stored = item.stored
        generation = self._generation

        def work(session: Session) -> StoredDeadline:
            return mark_done(session, stored, done=True)

        self.lane.submit(work, lambda saved: self._marked(generation, item, saved),
                         lambda exc: self._action_failed(exc))

    def _marked(self, generation: int, item: WorkItem, saved: StoredDeadline) -> None:
        if generation == self._generation and saved.id is not None:
            self.overdue_model.remove(saved.id)
            self.upcoming_model.remove(saved.id)
        self._last_done = saved
        ref = f" ({item.case_ref})" if item.case_ref else ""
        text = f"Marked as done: {saved.deadline.label}{ref}."
        self.undo_bar.label.setText(text)
        self.undo_bar.label.setAccessibleName(f"Done: {text}")
        self.undo_bar.show()
        self.message.clear()
        self._recount_after_change()
        self._update_buttons()

    def undo(self) -> None:
        saved = self._last_done
        if saved is None:
            return
        self.undo_button.setEnabled(False)

        def work(session: Session) -> StoredDeadline:
            return mark_done(session, saved, done=False)

        self.lane.submit(work, lambda _restored: self._undone(),
                         lambda exc: self._action_failed(exc))

    def _undone(self) -> None:
        self._last_done = None
        self.undo_button.setEnabled(True)
        self.undo_bar.hide()
        self.refresh()

    def _action_failed(self, exc: BaseException) -> None:
        self.undo_button.setEnabled(True)
        self.message.show_message(
            str(exc) if isinstance(exc, SendiassError) else
            "That could not be saved. Nothing was changed. Press F5 and try again.")
        self._update_buttons()

    def _recount_after_change(self) -> None:
        self._update_counts()
