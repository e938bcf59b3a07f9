"""The Safeguarding tab: concerns on the case, raising, updating and closing them.

An open concern puts the red safeguarding bar across the top of the case
window on every tab (``CaseWindow``); this panel tells the window whenever
the concerns change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.notes import Note
from sendiass_desktop.domain.safeguarding import (
    ConcernStatus,
    SafeguardingAction,
    SafeguardingConcern,
)
from sendiass_desktop.services import safeguarding as safeguarding_service
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import (
    ChipDelegate,
    ChipLook,
    FormDialog,
    GuardedTextEdit,
    buddy,
    button,
    qdate,
    safeguarding_colours,
    split_panel,
    uk_date,
    uk_datetime,
    user_message,
)
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.table_model import HeaderedTableModel, panel_table
from sendiass_desktop.ui.theme import heading_font

ConcernRole = Qt.ItemDataRole.UserRole + 1
STATUS_COLUMN = 1


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


class ConcernsModel(HeaderedTableModel):
    HEADERS = ("Raised", "Status", "Action", "Decided by", "What", "Outcome")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.concerns: list[SafeguardingConcern] = []

    def load(self, concerns: Sequence[SafeguardingConcern]) -> None:
        self.beginResetModel()
        # Open ones first, newest first within each.
        self.concerns = sorted(concerns, key=lambda c: (not c.is_open, -c.raised_on.toordinal(),
                                                        -(c.id or 0)))
        self.endResetModel()

    def _row_count(self) -> int:
        return len(self.concerns)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c = self.concerns[index.row()]
        if role == ConcernRole:
            return c
        values = (uk_date(c.raised_on), "Open" if c.is_open else "Closed", c.action.label,
                  c.decided_by, _first_line(c.description), _first_line(c.outcome))
        if role == Qt.ItemDataRole.DisplayRole:
            return values[index.column()]
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            if index.column() == STATUS_COLUMN:
                return "Open safeguarding concern" if c.is_open else "Closed concern"
            return values[index.column()]
        return None


class StatusDelegate(ChipDelegate):
    WIDEST = "Closed"

    def chip(self, index: QModelIndex | QPersistentModelIndex) -> ChipLook | None:
        concern = index.data(ConcernRole)
        if not isinstance(concern, SafeguardingConcern):
            return None
        if not concern.is_open:
            return ChipLook("Closed", None, "tick")
        # The safeguarding red, as on the bar across the case window.
        c = safeguarding_colours()
        return ChipLook("Open", None, "safeguarding",
                        (QColor(c.background), QColor(c.foreground), QColor(c.border)))


def _notes_model(notes: Sequence[Note], checked: Sequence[int], parent: QWidget) -> (
        QStandardItemModel):
    model = QStandardItemModel(parent)
    for note in sorted(notes, key=lambda n: n.occurred_at, reverse=True):
        first = _first_line(note.body)[:80]
        flag = " [safeguarding]" if note.safeguarding else ""
        item = QStandardItem(f"{uk_datetime(note.occurred_at)} — {note.type.label}{flag}: {first}")
        item.setCheckable(True)
        item.setEditable(False)
        item.setCheckState(Qt.CheckState.Checked if note.id in checked
                           else Qt.CheckState.Unchecked)
        item.setData(note.id, Qt.ItemDataRole.UserRole)
        model.appendRow(item)
    return model


class ConcernDialog(FormDialog):
    """Raise a new concern, or update one (what, who decided, action, links, outcome)."""

    def __init__(self, session: Session, case_id: int, notes: Sequence[Note],
                 concern: SafeguardingConcern | None = None,
                 parent: QWidget | None = None) -> None:
        title = "Raise a safeguarding concern" if concern is None else "Update the concern"
        intro = ("Record what was seen or heard, who decided what to do, and what was done. "
                 "Follow the safeguarding procedure first: recording comes after making "
                 "anyone safe." if concern is None else
                 "Changes are kept in the audit trail.")
        super().__init__(title, intro, "&Raise concern" if concern is None else "&Save changes",
                         parent, width_chars=84)
        self._session = session
        self._case_id = case_id
        self._concern = concern
        self.raised_on = QDateEdit(self)
        self.raised_on.setDisplayFormat("dd/MM/yyyy")
        self.raised_on.setCalendarPopup(True)
        self.raised_on.setMaximumDate(qdate(date.today()))
        self.raised_on.setDate(qdate(concern.raised_on if concern else date.today()))
        self.raised_on.setAccessibleName("Date raised")
        self.form.addRow(buddy("&Date raised:", self.raised_on, self), self.raised_on)
        self.description = QPlainTextEdit(self)
        self.description.setAccessibleName("What the concern is")
        self.description.setTabChangesFocus(True)
        self.description.setPlaceholderText("What was seen, heard or disclosed, and when.")
        self.description.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        self.description.setPlainText(concern.description if concern else "")
        self.form.addRow(buddy("&What:", self.description, self), self.description)
        self.decided_by = QLineEdit(self)
        self.decided_by.setMaxLength(200)
        self.decided_by.setAccessibleName("Who decided the action")
        self.decided_by.setText(concern.decided_by if concern else
                                session.user.display_name)
        self.form.addRow(buddy("Who &decided:", self.decided_by, self), self.decided_by)
        self.action = QComboBox(self)
        for action in SafeguardingAction:
            self.action.addItem(action.label, action)
        self.action.setAccessibleName("Action taken")
        if concern is not None:
            self.action.setCurrentIndex(max(0, self.action.findData(concern.action)))
        self.form.addRow(buddy("&Action taken:", self.action, self), self.action)
        self.links = QListView(self)
        self.links.setAccessibleName("Notes linked to this concern")
        self.links.setModel(_notes_model(notes, concern.linked_note_ids if concern else (), self))
        self.links.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.links.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        self.form.addRow(buddy("&Linked notes:", self.links, self), self.links)
        self.outcome: QPlainTextEdit | None = None
        if concern is not None:
            self.outcome = QPlainTextEdit(self)
            self.outcome.setAccessibleName("Outcome so far")
            self.outcome.setTabChangesFocus(True)
            self.outcome.setMaximumHeight(self.fontMetrics().lineSpacing() * 4)
            self.outcome.setPlainText(concern.outcome)
            self.form.addRow(buddy("&Outcome so far:", self.outcome, self), self.outcome)
        self.saved: SafeguardingConcern | None = None
        self.description.setFocus()

    def linked_ids(self) -> tuple[int, ...]:
        model = self.links.model()
        assert isinstance(model, QStandardItemModel)
        ids = []
        for row in range(model.rowCount()):
            item = model.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                ids.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return tuple(ids)

    def submit(self) -> None:
        self.message.clear()
        raised = self.raised_on.date().toPython()
        assert isinstance(raised, date)
        try:
            if self._concern is None:
                self.saved = safeguarding_service.raise_concern(self._session, SafeguardingConcern(
                    case_id=self._case_id, raised_on=raised,
                    description=self.description.toPlainText().strip(),
                    decided_by=self.decided_by.text().strip(),
                    action=self.action.currentData(), linked_note_ids=self.linked_ids()))
            else:
                self.saved = safeguarding_service.update_concern(self._session, replace(
                    self._concern, raised_on=raised,
                    description=self.description.toPlainText().strip(),
                    decided_by=self.decided_by.text().strip(),
                    action=self.action.currentData(), linked_note_ids=self.linked_ids(),
                    outcome=self.outcome.toPlainText().strip() if self.outcome else ""))
        except Exception as exc:
            text = str(exc)
            focus = (self.description if "Describe" in text else
                     self.decided_by if "decided" in text else None)
            self.fail(exc, focus)
            return
        self.accept()


class CloseConcernDialog(FormDialog):
    def __init__(self, session: Session, concern: SafeguardingConcern,
                 parent: QWidget | None = None) -> None:
        super().__init__("Close the concern",
                         "Record the outcome: what happened after the action was taken. The "
                         "red safeguarding bar goes when no concern on the case is open.",
                         "&Close concern", parent)
        self._session = session
        self._concern = concern
        self.outcome = QPlainTextEdit(self)
        self.outcome.setAccessibleName("Outcome")
        self.outcome.setTabChangesFocus(True)
        self.outcome.setPlainText(concern.outcome)
        self.outcome.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        self.form.addRow(buddy("&Outcome:", self.outcome, self), self.outcome)
        self.saved: SafeguardingConcern | None = None
        self.outcome.setFocus()

    def submit(self) -> None:
        self.message.clear()
        try:
            self.saved = safeguarding_service.close_concern(
                self._session, self._concern, self.outcome.toPlainText().strip())
        except Exception as exc:
            self.fail(exc, self.outcome)
            return
        self.accept()


class SafeguardingPanel(QWidget):
    concernsChanged = Signal(object)  # list[SafeguardingConcern]

    def __init__(self, session: Session, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Safeguarding")
        self._session = session
        self._case_id = case_id
        self._notes: list[Note] = []
        self._names: dict[str, str] = {}

        heading = QLabel("Safeguarding concerns", self)
        heading.setFont(heading_font(self, 1.15))
        intro = HintLabel(
            "Safeguarding overrides confidentiality. While a concern is open, every tab of "
            "this case shows the red safeguarding bar.", self)
        self.model = ConcernsModel(self)
        self.table = panel_table(self.model, "Safeguarding concerns, open first", 4, self)
        self.table.setItemDelegateForColumn(STATUS_COLUMN, StatusDelegate(self.table))
        self.table.selectionModel().currentChanged.connect(self._selected)
        self.table.doubleClicked.connect(lambda _i: self.update_concern())

        self.raise_button = button("&Raise a concern…", "Raise a safeguarding concern", self,
                                   icon_name="safeguarding")
        self.update_button = button("&Update…", "Update the selected concern", self)
        self.close_button = button("&Close with outcome…", "Close the selected concern", self)
        self.raise_button.clicked.connect(self.raise_concern)
        self.update_button.clicked.connect(self.update_concern)
        self.close_button.clicked.connect(self.close_concern)
        actions = QHBoxLayout()
        actions.addWidget(self.raise_button)
        actions.addStretch(1)
        actions.addWidget(self.update_button)
        actions.addWidget(self.close_button)

        self.detail = GuardedTextEdit("Selected concern in full", self, read_only=True)
        self.message = InlineMessage(self, "Safeguarding message")

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(heading)
        top_layout.addWidget(intro)
        top_layout.addLayout(actions)
        top_layout.addWidget(self.table, 1)
        split_panel(self, self.message, top, self.detail, (3, 2))
        self._selected()

    def set_session(self, session: Session) -> None:
        self._session = session

    def load(self, concerns: Sequence[SafeguardingConcern], notes: Sequence[Note],
             names: dict[str, str] | None = None) -> None:
        self._notes = list(notes)
        if names is not None:
            self._names = dict(names)
        self.model.load(concerns)
        if self.model.rowCount():
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        self._selected()

    def set_notes(self, notes: Sequence[Note]) -> None:
        self._notes = list(notes)

    def clear(self) -> None:
        self.model.load([])
        self._notes = []
        self.detail.clear()

    def refresh(self) -> None:
        try:
            concerns = safeguarding_service.concerns_for_case(self._session, self._case_id)
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return
        self.load(concerns, self._notes)
        self.concernsChanged.emit(concerns)

    def current(self) -> SafeguardingConcern | None:
        concern = self.table.currentIndex().data(ConcernRole)
        return concern if isinstance(concern, SafeguardingConcern) else None

    def _selected(self, *_args: object) -> None:
        concern = self.current()
        self.update_button.setEnabled(concern is not None)
        self.close_button.setEnabled(concern is not None and concern.is_open)
        if concern is None:
            self.detail.setPlainText("" if self.model.rowCount() else
                                     "No safeguarding concerns have been raised on this case.")
            return
        notes = {n.id: n for n in self._notes}
        linked = [f"  • {uk_datetime(notes[i].occurred_at)} {notes[i].type.label}"
                  for i in concern.linked_note_ids if i in notes]
        hidden = sum(1 for i in concern.linked_note_ids if i not in notes)
        if hidden:
            linked.append(f"  • {hidden} other note{'s' if hidden != 1 else ''}")
        status = "Open" if concern.status is ConcernStatus.OPEN else "Closed"
        parts = [
            f"{status} — raised {uk_date(concern.raised_on)}"
            + (f" by {self._names.get(concern.raised_by, concern.raised_by)}"
               if concern.raised_by else ""),
            f"Action: {concern.action.label} (decided by {concern.decided_by})",
            "",
            concern.description,
        ]
        if linked:
            parts += ["", "Linked notes:", *linked]
        if concern.outcome:
            parts += ["", "Outcome:", concern.outcome]
        self.detail.setPlainText("\n".join(parts))

    def raise_concern(self) -> None:
        dialog = ConcernDialog(self._session, self._case_id, self._notes, None, self)
        if dialog.exec():
            self.refresh()

    def update_concern(self) -> None:
        concern = self.current()
        if concern is None:
            return
        dialog = ConcernDialog(self._session, self._case_id, self._notes, concern, self)
        if dialog.exec():
            self.refresh()

    def close_concern(self) -> None:
        concern = self.current()
        if concern is None or not concern.is_open:
            return
        dialog = CloseConcernDialog(self._session, concern, self)
        if dialog.exec():
            self.refresh()
