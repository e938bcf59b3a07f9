"""The Deadlines tab: statutory clocks and tasks on the case.

Setting the date an EHC needs assessment was requested works out the
milestones (weeks 6, 16 and 20); a Tribunal decision letter gives the last
day to appeal; an EHC plan's issue or last review date gives the next
review. Each row says its state in words with an icon and a colour: Done,
Overdue, Due soon or Coming up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.deadlines import DeadlineKind
from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.services import deadlines as deadlines_service
from sendiass_desktop.services.officers import Officer
from sendiass_desktop.services.session import Session
from sendiass_desktop.store.deadlines import StoredDeadline
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import (
    ChipDelegate,
    ChipLook,
    DateField,
    FormDialog,
    buddy,
    button,
    qdate,
    uk_date,
    user_message,
)
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.table_model import HeaderedTableModel, panel_table
from sendiass_desktop.ui.theme import Tone, heading_font

DeadlineRole = Qt.ItemDataRole.UserRole + 1
STATE_COLUMN = 0
SOON_DAYS = 14

KIND_LABELS = {
    DeadlineKind.SAR_RESPONSE: "Subject access request",
    DeadlineKind.EHC_DECISION_TO_ASSESS: "EHC needs assessment",
    DeadlineKind.EHC_NO_PLAN_NOTICE: "EHC needs assessment",
    DeadlineKind.EHC_DRAFT_COMMENTS: "EHC needs assessment",
    DeadlineKind.EHC_FINAL_PLAN: "EHC needs assessment",
    DeadlineKind.TRIBUNAL_APPEAL: "SEND Tribunal",
    DeadlineKind.ANNUAL_REVIEW: "EHC plan review",
    DeadlineKind.ANNUAL_REVIEW_DECISION: "EHC plan review",
    DeadlineKind.TASK: "Task",
}


def deadline_state(d: StoredDeadline, today: date) -> tuple[str, Tone | None, str]:
    """(words, tone, icon) for a deadline's state."""
    if d.done:
        return f"Done {uk_date(d.done_on)}", Tone.SUCCESS, "done"
    due = d.deadline.due
    if due < today:
        days = (today - due).days
        return f"Overdue by {days} day{'s' if days != 1 else ''}", Tone.ERROR, "overdue"
    if due == today:
        return "Due today", Tone.WARNING, "due"
    if due <= today + timedelta(days=SOON_DAYS):
        days = (due - today).days
        return f"Due in {days} day{'s' if days != 1 else ''}", Tone.WARNING, "due"
    return "Coming up", None, "clock"


class DeadlinesModel(HeaderedTableModel):
    HEADERS = ("State", "Due", "What", "About", "Owner")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[StoredDeadline] = []
        self._names: dict[str, str] = {}
        self.today = date.today()

    def load(self, items: Sequence[StoredDeadline], names: dict[str, str]) -> None:
        self.beginResetModel()
        self.today = date.today()
        # Not done first, soonest first; done ones after, latest first.
        self.items = sorted(items, key=lambda d: (d.done, d.deadline.due.toordinal()
                                                  * (-1 if d.done else 1)))
        self._names = names
        self.endResetModel()

    def _row_count(self) -> int:
        return len(self.items)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        d = self.items[index.row()]
        if role == DeadlineRole:
            return d
        words, _tone, _icon = deadline_state(d, self.today)
        values = (words, uk_date(d.deadline.due), d.deadline.label,
                  KIND_LABELS.get(d.deadline.kind, ""), self._names.get(d.owner, d.owner))
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            return values[index.column()]
        return None


class StateDelegate(ChipDelegate):
    WIDEST = "Overdue by 100 days"

    def chip(self, index: QModelIndex | QPersistentModelIndex) -> ChipLook | None:
        d = index.data(DeadlineRole)
        if not isinstance(d, StoredDeadline):
            return None
        today = getattr(index.model(), "today", date.today())
        return ChipLook(*deadline_state(d, today))


def _date_edit(name: str, parent: QWidget, value: date | None = None) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    edit.setDate(qdate(value or date.today()))
    edit.setAccessibleName(name)
    return edit


def _py_date(edit: QDateEdit) -> date:
    value = edit.date().toPython()
    assert isinstance(value, date)
    return value


class _DatesDialog(FormDialog):
    """A dialog of one required date and one optional date, calling ``action``."""

    def __init__(self, title: str, intro: str, first: str, second: str | None,
                 action: Callable[[date, date | None], Any], parent: QWidget | None) -> None:
        super().__init__(title, intro, "&Work out the dates", parent)
        self._action = action
        self.first = _date_edit(first, self)
        self.first.setMaximumDate(qdate(date.today()))
        self.form.addRow(buddy(f"&{first}:", self.first, self), self.first)
        self.second: DateField | None = None
        if second is not None:
            self.second = DateField(second, self, what=second.lower())
            self.form.addRow(buddy(f"{second} (&if known):", self.second, self), self.second)

    def submit(self) -> None:
        self.message.clear()
        try:
            second = self.second.date_value() if self.second is not None else None
        except InvalidInput as exc:
            self.fail(exc, self.second)
            return
        try:
            self._action(_py_date(self.first), second)
        except Exception as exc:
            self.fail(exc)
            return
        self.accept()


class TaskDialog(FormDialog):
    def __init__(self, session: Session, case_id: int, staff: Sequence[Officer],
                 parent: QWidget | None = None) -> None:
        super().__init__("Add a task", "A reminder on this case; it appears in the owner's "
                         "\"My work\" list until it is marked done.", "&Add task", parent)
        self._session = session
        self._case_id = case_id
        self.label = QLineEdit(self)
        self.label.setMaxLength(200)
        self.label.setPlaceholderText("For example: chase the school for the SEN support plan")
        self.label.setAccessibleName("What needs doing")
        self.form.addRow(buddy("&What:", self.label, self), self.label)
        self.due = _date_edit("Due date", self, date.today() + timedelta(days=7))
        self.due.setMinimumDate(qdate(date.today() - timedelta(days=365)))
        self.form.addRow(buddy("&Due:", self.due, self), self.due)
        self.owner = QComboBox(self)
        self.owner.setAccessibleName("Owner")
        for member in staff:
            if member.active:
                self.owner.addItem(member.display_name, member.username)
        if self.owner.findData(session.user.username) < 0:
            self.owner.addItem(session.user.display_name, session.user.username)
        self.owner.setCurrentIndex(self.owner.findData(session.user.username))
        self.form.addRow(buddy("&Owner:", self.owner, self), self.owner)
        self.saved: StoredDeadline | None = None

    def submit(self) -> None:
        self.message.clear()
        try:
            self.saved = deadlines_service.add_task(self._session, self._case_id,
                                                    self.label.text(), _py_date(self.due),
                                                    self.owner.currentData())
        except Exception as exc:
            self.fail(exc, self.label)
            return
        self.accept()


class DeadlinesPanel(QWidget):
    changed = Signal()

    def __init__(self, session: Session, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Deadlines")
        self._session = session
        self._case_id = case_id
        self._names: dict[str, str] = {}
        self._staff: list[Officer] = []

        heading = QLabel("Deadlines and tasks", self)
        heading.setFont(heading_font(self, 1.15))
        intro = HintLabel(
            "Statutory dates are worked out from the dates you enter (calendar weeks for EHC "
            "needs assessments; Tribunal limits skip August and Christmas as the rules say). "
            "Entering new dates replaces the ones worked out before.", self)
        self.model = DeadlinesModel(self)
        self.table = panel_table(self.model, "Deadlines and tasks, soonest first", 2, self)
        self.table.setItemDelegateForColumn(STATE_COLUMN, StateDelegate(self.table))
        self.table.selectionModel().currentChanged.connect(self._selected)
        self.empty = HintLabel("No deadlines or tasks on this case yet.", self)

        self.ehc_button = button("&EHC request…", "Set the EHC request date", self,
                                 tip="The date the Local Authority received the request for an "
                                     "EHC needs assessment")
        self.tribunal_button = button("&Tribunal decision…", "Set the Tribunal decision date",
                                      self)
        self.review_button = button("Annual &review…", "Set the annual review", self)
        self.task_button = button("Add a &task…", "Add a task", self, icon_name="add")
        self.done_button = button("&Mark done", "Mark done", self, icon_name="done")
        self.ehc_button.clicked.connect(self.set_ehc)
        self.tribunal_button.clicked.connect(self.set_tribunal)
        self.review_button.clicked.connect(self.set_review)
        self.task_button.clicked.connect(self.add_task)
        self.done_button.clicked.connect(self.toggle_done)
        actions = QHBoxLayout()
        for b in (self.ehc_button, self.tribunal_button, self.review_button, self.task_button):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.done_button)
        self.message = InlineMessage(self, "Deadlines message")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.message)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self._selected()

    def set_session(self, session: Session) -> None:
        self._session = session

    def load(self, items: Sequence[StoredDeadline], names: dict[str, str],
             staff: Sequence[Officer]) -> None:
        self._names = names
        self._staff = list(staff)
        self.model.load(items, names)
        self.empty.setVisible(not items)
        self._selected()

    def refresh(self) -> None:
        try:
            items = deadlines_service.deadlines_for_case(self._session, self._case_id)
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return
        self.load(items, self._names, self._staff)
        self.changed.emit()

    def clear(self) -> None:
        self.model.load([], {})

    def current(self) -> StoredDeadline | None:
        d = self.table.currentIndex().data(DeadlineRole)
        return d if isinstance(d, StoredDeadline) else None

    def _selected(self, *_args: object) -> None:
        d = self.current()
        self.done_button.setEnabled(d is not None)
        self.done_button.setText("&Mark not done" if d is not None and d.done else "&Mark done")
        self.done_button.setAccessibleName(self.done_button.text().replace("&", ""))

    def _dialog(self, dialog: FormDialog) -> None:
        if dialog.exec():
            self.refresh()

    def set_ehc(self) -> None:
        session, case_id = self._session, self._case_id
        self._dialog(_DatesDialog(
            "EHC needs assessment request",
            "The date the Local Authority received the request. The decision whether to "
            "assess is due by week 6, notice of no plan by week 16 and the final plan by "
            "week 20. Add the date a draft plan was served to get the 15-day comment "
            "deadline.",
            "Request received", "Draft plan served",
            lambda first, second: deadlines_service.set_ehc_request(session, case_id, first,
                                                                    second), self))

    def set_tribunal(self) -> None:
        session, case_id = self._session, self._case_id
        self._dialog(_DatesDialog(
            "SEND Tribunal appeal",
            "The date on the Local Authority's decision letter. The last day to appeal is two "
            "months later, or one month after a mediation certificate if that is later.",
            "Decision letter dated", "Mediation certificate dated",
            lambda first, second: deadlines_service.set_tribunal_decision(session, case_id,
                                                                          first, second), self))

    def set_review(self) -> None:
        session, case_id = self._session, self._case_id
        self._dialog(_DatesDialog(
            "EHC plan review",
            "The date the plan was issued or last reviewed. Reviews are due within 12 months "
            "(6 months for children under 5). Add the review meeting date to get the Local "
            "Authority's 4-week decision deadline.",
            "Plan issued or last reviewed", "Review meeting held",
            lambda first, second: deadlines_service.set_annual_review(session, case_id, first,
                                                                      second), self))

    def add_task(self) -> None:
        self._dialog(TaskDialog(self._session, self._case_id, self._staff, self))

    def toggle_done(self) -> None:
        d = self.current()
        if d is None:
            return
        try:
            deadlines_service.mark_done(self._session, d, not d.done)
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return
        self.refresh()


