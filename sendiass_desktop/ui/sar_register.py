"""The register of subject access requests (managers and administrators only).

A table of every request with its due date (or "Paused") and how many days
are left, overdue ones in red *and* with the word "overdue". Actions on the
selected request: verify identity, pause or restart the clock, extend,
refuse, review the gathered records (``ui.sar_review``), build the pack
(``ui.sar_pack_dialog``) and mark it sent. Every action goes through
``services.sar``, which checks the permission again and audits it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.errors import InvalidInput, SendiassError
from sendiass_desktop.domain.people import Person
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.domain.sar import IdentityCheck, IdentityMethod, Relationship, SarRequest
from sendiass_desktop.services import lookup
from sendiass_desktop.services import sar as sar_service
from sendiass_desktop.services.sar import RegisterRow
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.icons import DateField, FormDialog, button, uk_date, user_message
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.search_picker import SearchPicker
from sendiass_desktop.ui.table_model import HeaderedTableModel, ModelIndex, marked_cell
from sendiass_desktop.ui.theme import Tone, heading_font

ROW_ROLE = Qt.ItemDataRole.UserRole + 1


class SarColumn(IntEnum):
    REF = 0
    REQUESTER = 1
    FOR = 2
    RECEIVED = 3
    DUE = 4
    STATUS = 5
    LEFT = 6


def days_left_text(row: RegisterRow, today: date) -> str:
    if not row.open:
        return "Closed"
    if row.due is None:
        return "Clock paused"
    days = (row.due - today).days
    if days < 0:
        return "1 day overdue" if days == -1 else f"{-days} days overdue"
    if days == 0:
        return "Due today"
    return "1 day left" if days == 1 else f"{days} days left"


class SarRegisterModel(HeaderedTableModel):
    HEADERS = ("Reference", "Requester", "On behalf of", "Received", "Due", "Status",
               "Days left")  # in SarColumn order

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RegisterRow] = []
        self._today = date.today()

    def set_rows(self, rows: list[RegisterRow], today: date) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._today = today
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([], self._today)

    def row_at(self, row: int) -> RegisterRow:
        return self._rows[row]

    def row_of(self, sar_id: int) -> int:
        for n, r in enumerate(self._rows):
            if r.sar.id == sar_id:
                return n
        return -1

    def _row_count(self) -> int:
        return len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = SarColumn(index.column())
        if role == ROW_ROLE:
            return row
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(row, column)
        if row.overdue and column in (SarColumn.LEFT, SarColumn.DUE):
            return marked_cell(role, Tone.ERROR)
        return None

    def _text(self, row: RegisterRow, column: SarColumn) -> str:
        sar = row.sar
        if column is SarColumn.REF:
            return sar.ref
        if column is SarColumn.REQUESTER:
            return row.requester_name
        if column is SarColumn.FOR:
            return row.for_name or "—"
        if column is SarColumn.RECEIVED:
            return uk_date(sar.received_on)
        if column is SarColumn.DUE:
            if row.open and row.paused:
                return "Paused"
            return uk_date(row.due, "—")
        if column is SarColumn.STATUS:
            return sar.status.label + (" (extended)" if sar.extension_months else "")
        return days_left_text(row, self._today)


# --- choosing a person ---------------------------------------------------------------------


class PersonPicker(SearchPicker):
    """Type some words, press Find, choose from the people already known."""

    def __init__(self, session: Session, name: str, parent: QWidget | None = None) -> None:
        super().__init__(placeholder="Name, P-reference, email or phone",
                         search_name=f"Search for the {name}", find_text="Find",
                         find_tip=f"Find the {name}",
                         results_name=f"People matching the search for the {name}",
                         parent=parent)
        self._session = session
        self.find_button.clicked.connect(self.search_people)
        self.search.returnPressed.connect(self.search_people)

    def search_people(self) -> None:
        self.results.clear()
        try:
            found = lookup.find_people(self._session, self.search.text())
        except SendiassError as exc:
            self.say(user_message(exc))
            return
        matches: list[tuple[str, object]] = []
        for hit in found.hits:
            p = hit.person
            where = f" — {', '.join(hit.case_refs[:3])}" if hit.case_refs else ""
            matches.append((f"{p.display_name} ({p.ref}, {p.role.label}){where}", p))
        self.show_matches(matches, found.message or lookup.NO_PEOPLE)

    def person(self) -> Person | None:
        value = self.chosen()
        return value if isinstance(value, Person) else None


# --- dialogs -----------------------------------------------------------------------------


class NewSarDialog(FormDialog):
    """Add a request to the register."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__("New subject access request",
                         "Find the person making the request. For a parent or representative, "
                         "also find the person the records are about.", "Add request", parent)
        self._session = session
        self.saved: SarRequest | None = None
        self.requester = PersonPicker(session, "requester", self)
        self.relationship = QComboBox(self)
        self.relationship.setAccessibleName("Relationship to the data subject")
        self.relationship.view().setAccessibleName("Relationships")
        for r in Relationship:
            self.relationship.addItem(r.label, r)
        self.for_person = PersonPicker(session, "person the request is for", self)
        self.for_label = QLabel("&On behalf of:", self)
        self.for_label.setBuddy(self.for_person.search)
        self.received = DateField("Date received", self, optional=False, value=date.today(),
                                  what="date the request was received")
        self.identity_checked = QCheckBox("Identity already checked", self)
        self.identity_checked.setAccessibleName("Identity already checked")
        self.identity_method = QComboBox(self)
        self.identity_method.setAccessibleName("How the identity was checked")
        self.identity_method.view().setAccessibleName("Ways of checking identity")
        for m in IdentityMethod:
            self.identity_method.addItem(m.label, m)
        self.identity_on = DateField("Date identity checked", self, value=date.today())
        self.form.addRow("&Requester:", self.requester)
        self.form.addRow("Re&lationship:", self.relationship)
        self.form.addRow(self.for_label, self.for_person)
        self.form.addRow("Recei&ved:", self.received)
        self.form.addRow("", self.identity_checked)
        self.form.addRow("Checked by:", self.identity_method)
        self.form.addRow("Checked on:", self.identity_on)
        self.relationship.currentIndexChanged.connect(self._relationship_changed)
        self.identity_checked.toggled.connect(self._identity_toggled)
        self._relationship_changed()
        self._identity_toggled(False)

    def _relationship_changed(self, _index: int = 0) -> None:
        behalf = self.relationship.currentData() is not Relationship.SELF
        self.for_person.setVisible(behalf)
        self.for_label.setVisible(behalf)

    def _identity_toggled(self, on: bool) -> None:
        self.identity_method.setEnabled(on)
        self.identity_on.setEnabled(on)

    def submit(self) -> None:
        try:
            requester = self.requester.person()
            if requester is None or requester.id is None:
                raise InvalidInput("Find and choose the person making the request.")
            relationship: Relationship = self.relationship.currentData()
            for_id = None
            if relationship is not Relationship.SELF:
                other = self.for_person.person()
                if other is None or other.id is None:
                    raise InvalidInput("Find and choose the person the request is for.")
                for_id = other.id
            received = self.received.date_value()
            assert received is not None
            identity = None
            if self.identity_checked.isChecked():
                identity = IdentityCheck(self.identity_method.currentData(),
                                         self.identity_on.date_value() or date.today(), "")
            self.saved = sar_service.create_sar(self._session, SarRequest(
                "", requester.id, relationship, received, "", for_person_id=for_id,
                identity=identity))
        except SendiassError as exc:
            self.fail(exc)
            return
        self.accept()


class _ActionDialog(FormDialog):
    """A small form whose OK calls ``self.action()``; the service's refusal shows inline."""

    def __init__(self, title: str, intro: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(title, intro, ok_text, parent, width_chars=60)

    def action(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def submit(self) -> None:
        try:
            self.action()
        except SendiassError as exc:
            self.fail(exc)
            return
        self.accept()


def _reason_box(parent: QWidget, name: str) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setAccessibleName(name)
    box.setTabChangesFocus(True)
    box.setMaximumHeight(box.fontMetrics().height() * 4 + 16)
    return box


class VerifyIdentityDialog(_ActionDialog):
    def __init__(self, session: Session, sar_id: int, parent: QWidget | None = None) -> None:
        super().__init__("Verify identity", "Record how the requester's identity (and "
                         "authority, for a parent or representative) was checked.",
                         "Record check", parent)
        self._session, self._sar_id = session, sar_id
        self.method = QComboBox(self)
        self.method.setAccessibleName("How the identity was checked")
        self.method.view().setAccessibleName("Ways of checking identity")
        for m in IdentityMethod:
            self.method.addItem(m.label, m)
        self.on = DateField("Date checked", self, optional=False, value=date.today())
        self.notes = _reason_box(self, "Notes on the check")
        self.form.addRow("&Method:", self.method)
        self.form.addRow("&Checked on:", self.on)
        self.form.addRow("&Notes:", self.notes)

    def action(self) -> None:
        on = self.on.date_value()
        assert on is not None
        sar_service.verify_identity(self._session, self._sar_id, self.method.currentData(), on,
                                    self.notes.toPlainText())


class PauseDialog(_ActionDialog):
    def __init__(self, session: Session, sar_id: int, parent: QWidget | None = None) -> None:
        super().__init__("Pause the clock", "The clock stops while you wait for proof of "
                         "identity or for the requester to clarify what they want.",
                         "Pause clock", parent)
        self._session, self._sar_id = session, sar_id
        self.start = DateField("Paused from", self, optional=False, value=date.today())
        self.reason = _reason_box(self, "Reason for pausing")
        self.form.addRow("Paused &from:", self.start)
        self.form.addRow("&Reason:", self.reason)

    def action(self) -> None:
        start = self.start.date_value()
        assert start is not None
        sar_service.pause_clock(self._session, self._sar_id, start, self.reason.toPlainText())


class RestartDialog(_ActionDialog):
    def __init__(self, session: Session, sar_id: int, parent: QWidget | None = None) -> None:
        super().__init__("Restart the clock", "The clock starts again from the day the "
                         "answer arrived.", "Restart clock", parent)
        self._session, self._sar_id = session, sar_id
        self.end = DateField("Restarted on", self, optional=False, value=date.today())
        self.form.addRow("&Restarted on:", self.end)

    def action(self) -> None:
        end = self.end.date_value()
        assert end is not None
        sar_service.restart_clock(self._session, self._sar_id, end)


class ExtendDialog(_ActionDialog):
    def __init__(self, session: Session, sar_id: int, parent: QWidget | None = None) -> None:
        super().__init__("Extend the time limit", "For complex or numerous requests only. "
                         "The requester must be told within the first month.", "Extend",
                         parent)
        self._session, self._sar_id = session, sar_id
        self.months = QComboBox(self)
        self.months.setAccessibleName("Extend by")
        self.months.view().setAccessibleName("Months")
        self.months.addItem("1 further month", 1)
        self.months.addItem("2 further months", 2)
        self.reason = _reason_box(self, "Reason for extending")
        self.told_on = DateField("Requester told on", self, optional=False, value=date.today(),
                                 what="date the requester was told")
        self.form.addRow("Extend &by:", self.months)
        self.form.addRow("&Reason:", self.reason)
        self.form.addRow("Requester &told on:", self.told_on)

    def action(self) -> None:
        told = self.told_on.date_value()
        assert told is not None
        sar_service.extend(self._session, self._sar_id, int(self.months.currentData()),
                           self.reason.toPlainText(), told)


class RefuseDialog(_ActionDialog):
    def __init__(self, session: Session, sar_id: int, parent: QWidget | None = None) -> None:
        super().__init__("Refuse the request", "Refusing closes the request. Give the reason "
                         "you will tell the requester.", "Refuse request", parent)
        self._session, self._sar_id = session, sar_id
        self.reason = _reason_box(self, "Reason for refusing")
        self.form.addRow("&Reason:", self.reason)

    def action(self) -> None:
        sar_service.refuse(self._session, self._sar_id, self.reason.toPlainText())


ActionDialogType = Callable[[Session, int, QWidget], _ActionDialog]


# --- the view ------------------------------------------------------------------------------


class SarRegisterView(QWidget):
    """The register of subject access requests."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setAccessibleName("Subject access requests")
        self.review_windows: list[QWidget] = []
        heading = QLabel("Subject access requests", self)
        heading.setFont(heading_font(self, 1.3))
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Summary")
        self.summary.setWordWrap(True)
        self.message = InlineMessage(self, "Subject access requests message")
        self.model = SarRegisterModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Register of subject access requests")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setAccessibleName("Request rows")
        header = self.table.horizontalHeader()
        header.setAccessibleName("Register columns")
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SarColumn.REQUESTER, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SarColumn.FOR, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._update_buttons())
        self.table.doubleClicked.connect(lambda _i: self.review())

        self.new_button = button("&New request…", "New request", self, icon_name="add")
        self.verify_button = button("&Verify identity…", parent=self)
        self.pause_button = button("&Pause clock…", parent=self)
        self.restart_button = button("Re&start clock…", parent=self)
        self.extend_button = button("E&xtend…", parent=self)
        self.refuse_button = button("Re&fuse…", parent=self)
        self.review_button = button("&Review…", parent=self)
        self.pack_button = button("&Build pack…", parent=self)
        self.sent_button = button("&Mark sent", parent=self)
        self.new_button.clicked.connect(self.new_request)
        self.verify_button.clicked.connect(lambda: self._act(VerifyIdentityDialog))
        self.pause_button.clicked.connect(lambda: self._act(PauseDialog))
        self.restart_button.clicked.connect(lambda: self._act(RestartDialog))
        self.extend_button.clicked.connect(lambda: self._act(ExtendDialog))
        self.refuse_button.clicked.connect(lambda: self._act(RefuseDialog))
        self.review_button.clicked.connect(self.review)
        self.pack_button.clicked.connect(self.build_pack)
        self.sent_button.clicked.connect(self.mark_sent)

        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.new_button)
        row1 = QHBoxLayout()
        for b in (self.verify_button, self.pause_button, self.restart_button,
                  self.extend_button, self.refuse_button):
            row1.addWidget(b)
        row1.addStretch(1)
        for b in (self.review_button, self.pack_button, self.sent_button):
            row1.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(row1)
        self.refresh()

    # --- session -----------------------------------------------------------------------

    @property
    def session(self) -> Session:
        return self._session

    def set_session(self, session: Session) -> None:
        self._session = session
        self.refresh()

    def on_lock(self) -> None:
        self.model.clear()
        self.summary.setText("")
        self.message.clear()
        for w in self.review_windows:
            w.close()
        self.review_windows.clear()
        self._update_buttons()

    # --- loading -------------------------------------------------------------------------

    @property
    def allowed(self) -> bool:
        return self._session.can(Permission.MANAGE_SARS)

    def refresh(self) -> None:
        if not self.allowed:
            # Never ask the service (it would refuse, and log the refusal).
            self.model.clear()
            self.summary.setText("Your role does not include subject access requests.")
            self.new_button.setEnabled(False)
            self._update_buttons()
            return
        self.new_button.setEnabled(True)
        current = self.selected_row()
        keep = current.sar.id if current else None
        today = date.today()
        try:
            rows = sar_service.register(self._session, on=today)
        except SendiassError as exc:
            self.message.show_message(user_message(exc))
            self.model.clear()
            self._update_buttons()
            return
        self.model.set_rows(rows, today)
        open_rows = [r for r in rows if r.open]
        overdue = sum(r.overdue for r in rows)
        self.summary.setText(f"{len(rows):,} requests: {len(open_rows):,} open"
                             + (f", {overdue:,} overdue" if overdue else "") + ".")
        if keep is not None:
            self.select(keep)
        self._update_buttons()

    def select(self, sar_id: int) -> None:
        row = self.model.row_of(sar_id)
        if row >= 0:
            self.table.selectRow(row)

    def selected_row(self) -> RegisterRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row_at(index.row())

    def _update_buttons(self) -> None:
        row = self.selected_row()
        is_open = row is not None and row.open
        self.verify_button.setEnabled(is_open)
        self.pause_button.setEnabled(is_open and row is not None and not row.paused)
        self.restart_button.setEnabled(is_open and row is not None and row.paused)
        self.extend_button.setEnabled(is_open and row is not None
                                      and not row.sar.extension_months)
        self.refuse_button.setEnabled(is_open)
        has_identity = row is not None and row.sar.identity is not None
        self.review_button.setEnabled(is_open and has_identity)
        self.pack_button.setEnabled(is_open and has_identity)
        self.sent_button.setEnabled(is_open and row is not None
                                    and row.sar.status.code in ("gathering", "review"))

    # --- actions ----------------------------------------------------------------------------

    def new_request(self) -> NewSarDialog:
        dialog = NewSarDialog(self._session, self)
        dialog.accepted.connect(lambda: self._added(dialog))
        dialog.open()
        return dialog

    def _added(self, dialog: NewSarDialog) -> None:
        self.refresh()
        if dialog.saved is not None and dialog.saved.id is not None:
            self.select(dialog.saved.id)
            self.message.show_message(f"{dialog.saved.ref} added to the register.",
                                      Tone.SUCCESS)

    def _act(self, dialog_type: ActionDialogType) -> _ActionDialog | None:
        row = self.selected_row()
        if row is None or row.sar.id is None:
            return None
        dialog = dialog_type(self._session, row.sar.id, self)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        return dialog

    def review(self) -> QWidget | None:
        from sendiass_desktop.ui.sar_review import SarReviewWindow

        row = self.selected_row()
        if row is None or row.sar.id is None:
            return None
        try:
            window = SarReviewWindow(self._session, row.sar.id, row.sar.ref)
        except SendiassError as exc:
            self.message.show_message(user_message(exc))
            return None
        window.closed.connect(self.refresh)
        self.review_windows.append(window)
        window.show()
        self.refresh()
        return window

    def build_pack(self) -> QWidget | None:
        from sendiass_desktop.ui.sar_pack_dialog import BuildPackDialog

        row = self.selected_row()
        if row is None or row.sar.id is None:
            return None
        dialog = BuildPackDialog(self._session, row.sar.id, row.sar.ref, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self.refresh())
        # The main window hides it when the app locks (its passphrase out of the field)
        # and shows it again on unlocking; a build running meanwhile is not lost.
        track = getattr(self.window(), "track_window", None)
        if callable(track):
            track(dialog)
        dialog.open()
        return dialog

    def mark_sent(self) -> None:
        row = self.selected_row()
        if row is None or row.sar.id is None:
            return
        try:
            sar_service.mark_sent(self._session, row.sar.id)
        except SendiassError as exc:
            self.message.show_message(user_message(exc))
            return
        self.message.show_message(f"{row.sar.ref} marked as sent.", Tone.SUCCESS)
        self.refresh()
