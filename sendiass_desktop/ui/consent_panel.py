"""The Consent tab: who may receive what, at a glance, and recording changes.

The grid has a row per person and recipient and a column per purpose. Each
cell says the state in words, with an icon and a colour: Given, Withdrawn,
Expired, None, or Override (a manager's recorded decision to share without
consent). Choosing a cell shows the sharing decision in plain words, worked
out by ``services.consent.can_share``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.cases import Case, PartyRole
from sendiass_desktop.domain.consent import (
    ConsentMethod,
    ConsentRecord,
    ConsentState,
    OverrideGrounds,
    Purpose,
    Recipient,
    ShareOverride,
    current_consent,
)
from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.people import Person
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services import consent as consent_service
from sendiass_desktop.services.consent import MAX_OVERRIDE_DAYS
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import (
    ChipDelegate,
    ChipLook,
    DateField,
    FormDialog,
    buddy,
    button,
    qdate,
    split_panel,
    uk_date,
    uk_datetime,
    user_message,
)
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.table_model import HeaderedTableModel, RowsModel, read_only_table
from sendiass_desktop.ui.theme import Tone, heading_font

CellRole = Qt.ItemDataRole.UserRole + 1

# Recipients every person's rows show even before anything is recorded. Named
# professionals and "other" appear once a record names them.
BASE_RECIPIENTS = (Recipient.LA_SEND_TEAM, Recipient.SCHOOL, Recipient.HEALTH,
                   Recipient.SOCIAL_CARE)
SHORT_PURPOSE = {
    Purpose.DISCUSS_CASE: "Discuss the case",
    Purpose.SHARE_RECORDS: "Share records",
    Purpose.BE_IDENTIFIED: "Be named in issues",
    Purpose.ATTEND_MEETINGS: "Attend meetings",
}
CONSENTING_ROLES = (PartyRole.PRIMARY, PartyRole.CHILD, PartyRole.OTHER_PARENT, PartyRole.OTHER)


@dataclass(frozen=True)
class CellState:
    kind: str  # given, withdrawn, expired, none, override
    words: str
    detail: str
    record: ConsentRecord | None = None

    @property
    def tone(self) -> Tone | None:
        return {"given": Tone.SUCCESS, "withdrawn": Tone.ERROR, "expired": Tone.WARNING,
                "override": Tone.INFO}.get(self.kind)

    @property
    def icon_name(self) -> str:
        return {"given": "given", "withdrawn": "withdrawn", "expired": "expired",
                "override": "override"}.get(self.kind, "none")


@dataclass(frozen=True)
class GridRow:
    person_id: int
    person_name: str
    recipient: Recipient
    detail: str = ""

    @property
    def recipient_text(self) -> str:
        return f"{self.recipient.label}: {self.detail}" if self.detail else self.recipient.label


def cell_state(records: Sequence[ConsentRecord], overrides: Sequence[ShareOverride],
               row: GridRow, purpose: Purpose, at: datetime) -> CellState:
    record = current_consent(records, row.person_id, row.recipient, purpose, row.detail, at)
    if record is not None and record.state is ConsentState.GIVEN:
        if record.expires_on is not None and at.date() > record.expires_on:
            return CellState("expired", "Expired", f"Expired on {uk_date(record.expires_on)}",
                             record)
        until = f", until {uk_date(record.expires_on)}" if record.expires_on else ""
        return CellState("given", "Given",
                         f"Given on {uk_date(record.recorded_at.date())}{until}", record)
    for override in overrides:
        if override.covers(row.person_id, row.recipient, purpose, row.detail, at.date()):
            return CellState("override", "Override",
                             f"Override until {uk_date(override.valid_until)}")
    if record is not None:
        return CellState("withdrawn", "Withdrawn",
                         f"Withdrawn on {uk_date(record.recorded_at.date())}", record)
    return CellState("none", "None", "No consent recorded")


class ConsentGridModel(HeaderedTableModel):
    FIXED = 2  # person, recipient

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[GridRow] = []
        self._cells: dict[tuple[int, int], CellState] = {}
        self.purposes = list(Purpose)

    def load(self, case: Case | None, people: dict[int, Person],
             records: Sequence[ConsentRecord], overrides: Sequence[ShareOverride]) -> None:
        self.beginResetModel()
        self.rows = []
        self._cells = {}
        if case is not None:
            person_ids: list[int] = [p.person_id for p in case.parties
                                     if p.role in CONSENTING_ROLES]
            for r in records:
                if r.person_id not in person_ids:
                    person_ids.append(r.person_id)
            now = datetime.now()
            for pid in person_ids:
                person = people.get(pid)
                name = person.display_name if person else f"Person {pid}"
                rows = [GridRow(pid, name, rec) for rec in BASE_RECIPIENTS]
                named = [(r.person_id, r.recipient, r.recipient_detail.strip())
                         for r in records] + [(o.person_id, o.recipient,
                                               o.recipient_detail.strip()) for o in overrides]
                extra = {(rec, detail) for who, rec, detail in named
                         if who == pid and (rec not in BASE_RECIPIENTS or detail)}
                rows += [GridRow(pid, name, rec, detail)
                         for rec, detail in sorted(extra, key=lambda x: (x[0].code, x[1]))]
                for row in rows:
                    r_index = len(self.rows)
                    self.rows.append(row)
                    for c, purpose in enumerate(self.purposes):
                        self._cells[(r_index, c)] = cell_state(records, overrides, row,
                                                               purpose, now)
        self.endResetModel()

    def headers(self) -> tuple[str, ...]:
        return ("Person", "May share with", *(SHORT_PURPOSE[p] for p in self.purposes))

    def _row_count(self) -> int:
        return len(self.rows)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole
                and self.FIXED <= section < self.columnCount()):
            return self.purposes[section - self.FIXED].label
        return super().headerData(section, orientation, role)

    def cell(self, row: int, column: int) -> CellState | None:
        return self._cells.get((row, column - self.FIXED))

    def purpose_at(self, column: int) -> Purpose | None:
        return self.purposes[column - self.FIXED] if column >= self.FIXED else None

    def first_row_of(self, row: int) -> bool:
        return row == 0 or self.rows[row - 1].person_id != self.rows[row].person_id

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        grid_row = self.rows[row]
        if col == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return grid_row.person_name if self.first_row_of(row) else ""
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return grid_row.person_name
            return None
        if col == 1:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return grid_row.recipient_text
            return None
        state = self.cell(row, col)
        purpose = self.purpose_at(col)
        if state is None or purpose is None:
            return None
        if role == CellRole:
            return state
        if role == Qt.ItemDataRole.DisplayRole:
            return state.words
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{purpose.label}: {state.detail}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (f"{grid_row.person_name}, {grid_row.recipient_text}, {purpose.label}: "
                    f"{state.words}. {state.detail}.")
        return None


class ConsentCellDelegate(ChipDelegate):
    """State cells as chips; the person and recipient columns as plain text."""

    WIDEST = "Withdrawn"

    def chip(self, index: QModelIndex | QPersistentModelIndex) -> ChipLook | None:
        state = index.data(CellRole)
        if not isinstance(state, CellState):
            return None
        return ChipLook(state.words, state.tone, state.icon_name)

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        # Draws every column, so room for the text cells' words as well as for a chip.
        return super().sizeHint(option, index).expandedTo(
            QStyledItemDelegate.sizeHint(self, option, index))


class HistoryModel(RowsModel):
    """Consent records and overrides, newest first, each row keyed by when it was made."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(("When", "Person", "Recipient", "Purpose", "State", "How",
                          "Recorded by"), parent)

    def load(self, people: dict[int, Person], records: Sequence[ConsentRecord],
             overrides: Sequence[ShareOverride], names: dict[str, str]) -> None:
        rows: list[tuple[datetime, tuple[str, ...]]] = []
        for r in records:
            person = people.get(r.person_id)
            who = r.recipient.label + (f": {r.recipient_detail}" if r.recipient_detail else "")
            state = "Given" if r.state is ConsentState.GIVEN else "Withdrawn"
            if r.state is ConsentState.GIVEN and r.expires_on:
                state += f" (until {uk_date(r.expires_on)})"
            rows.append((r.recorded_at, (
                uk_datetime(r.recorded_at), person.display_name if person else "", who,
                r.purpose.label, state, r.method.label, names.get(r.recorded_by, r.recorded_by))))
        for o in overrides:
            person = people.get(o.person_id)
            who = o.recipient.label + (f": {o.recipient_detail}" if o.recipient_detail else "")
            rows.append((o.decided_at, (
                uk_datetime(o.decided_at), person.display_name if person else "", who,
                o.purpose.label, f"Override until {uk_date(o.valid_until)} — {o.grounds.label}",
                f"Justification: {o.justification}", names.get(o.decided_by, o.decided_by))))
        rows.sort(key=lambda r: r[0], reverse=True)
        self.set_rows(rows)


# --- dialogs --------------------------------------------------------------------------------


class _ChoiceDialog(FormDialog):
    """Person, recipient (and who, for named ones) — shared by the three dialogs."""

    def __init__(self, title: str, intro: str, ok_text: str, people: list[tuple[int, str]],
                 parent: QWidget | None) -> None:
        super().__init__(title, intro, ok_text, parent)
        self.person = QComboBox(self)
        for pid, name in people:
            self.person.addItem(name, pid)
        self.recipient = QComboBox(self)
        for rec in Recipient:
            self.recipient.addItem(rec.label, rec)
        self.detail = QLineEdit(self)
        self.detail.setMaxLength(200)
        self.detail.setPlaceholderText("For example: Dr A Patel, educational psychologist")
        self.detail.setAccessibleName("Name of the professional or organisation")
        self.recipient.currentIndexChanged.connect(self._recipient_changed)
        self.form.addRow(buddy("&Person:", self.person, self), self.person)
        self.form.addRow(buddy("&Recipient:", self.recipient, self), self.recipient)
        self.form.addRow(buddy("&Who exactly:", self.detail, self), self.detail)
        self._recipient_changed()

    def _recipient_changed(self) -> None:
        named = self.recipient.currentData() in (Recipient.NAMED_PROFESSIONAL, Recipient.OTHER)
        self.detail.setPlaceholderText(
            "Required: the professional or organisation" if named else
            "Optional: for example the school's name")

    def preset(self, person_id: int | None, recipient: Recipient | None, detail: str) -> None:
        if person_id is not None:
            self.person.setCurrentIndex(max(0, self.person.findData(person_id)))
        if recipient is not None:
            self.recipient.setCurrentIndex(max(0, self.recipient.findData(recipient)))
        self.detail.setText(detail)


class RecordConsentDialog(_ChoiceDialog):
    def __init__(self, session: Session, case_id: int, people: list[tuple[int, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__("Record consent given",
                         "Consent is recorded from now. Tick each thing the person agreed to.",
                         "&Record consent", people, parent)
        self._session = session
        self._case_id = case_id
        self.purpose_boxes: dict[Purpose, QCheckBox] = {}
        box = QVBoxLayout()
        box.setSpacing(2)
        for purpose in Purpose:
            check = QCheckBox(purpose.label, self)
            check.setAccessibleName(purpose.label)
            self.purpose_boxes[purpose] = check
            box.addWidget(check)
        self.form.addRow(QLabel("They agreed to:", self), box)
        self.method = QComboBox(self)
        for m in ConsentMethod:
            self.method.addItem(m.label, m)
        self.form.addRow(buddy("&How:", self.method, self), self.method)
        self.expires = DateField("Expiry date", self, what="expiry date")
        self.form.addRow(buddy("&Expires on:", self.expires, self), self.expires)
        self.notes = QPlainTextEdit(self)
        self.notes.setAccessibleName("Notes about this consent")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(self.fontMetrics().lineSpacing() * 4)
        self.form.addRow(buddy("N&otes:", self.notes, self), self.notes)
        self.saved: list[ConsentRecord] = []

    def preset_purpose(self, purpose: Purpose | None) -> None:
        if purpose is not None:
            self.purpose_boxes[purpose].setChecked(True)

    def submit(self) -> None:
        self.message.clear()
        purposes = [p for p, box in self.purpose_boxes.items() if box.isChecked()]
        if not purposes:
            self.message.show_message("Tick at least one thing the person agreed to.")
            self.purpose_boxes[Purpose.DISCUSS_CASE].setFocus()
            return
        try:
            expires = self.expires.date_value()
        except InvalidInput as exc:
            self.fail(exc, self.expires)
            return
        now = datetime.now().replace(microsecond=0)
        for purpose in purposes:
            record = ConsentRecord(
                case_id=self._case_id, person_id=self.person.currentData(),
                recipient=self.recipient.currentData(), purpose=purpose,
                state=ConsentState.GIVEN, recorded_at=now, method=self.method.currentData(),
                recorded_by=self._session.user.username,
                recipient_detail=self.detail.text().strip(), expires_on=expires,
                notes=self.notes.toPlainText().strip())
            try:
                self.saved.append(consent_service.record_consent(self._session, record))
            except Exception as exc:
                self.fail(exc, self.detail if "Name the" in str(exc) else None)
                return
        self.accept()


class WithdrawConsentDialog(_ChoiceDialog):
    def __init__(self, session: Session, case_id: int, people: list[tuple[int, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__("Record consent withdrawn",
                         "Withdrawal takes effect from now. Nothing more may be shared on "
                         "the basis of this consent.", "&Record withdrawal", people, parent)
        self._session = session
        self._case_id = case_id
        self.purpose = QComboBox(self)
        for purpose in Purpose:
            self.purpose.addItem(purpose.label, purpose)
        self.form.addRow(buddy("&Purpose:", self.purpose, self), self.purpose)
        self.method = QComboBox(self)
        for m in ConsentMethod:
            self.method.addItem(m.label, m)
        self.form.addRow(buddy("&How:", self.method, self), self.method)
        self.notes = QLineEdit(self)
        self.notes.setMaxLength(2000)
        self.notes.setAccessibleName("Notes about the withdrawal")
        self.form.addRow(buddy("N&otes:", self.notes, self), self.notes)
        self.saved: ConsentRecord | None = None

    def submit(self) -> None:
        self.message.clear()
        try:
            self.saved = consent_service.withdraw_consent(
                self._session, self._case_id, self.person.currentData(),
                self.recipient.currentData(), self.purpose.currentData(),
                self.method.currentData(), self.detail.text().strip(),
                self.notes.text().strip())
        except Exception as exc:
            self.fail(exc)
            return
        self.accept()


class OverrideDialog(_ChoiceDialog):
    def __init__(self, session: Session, case_id: int, people: list[tuple[int, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(
            "Record a decision to share without consent",
            "Only when sharing is necessary and proportionate: a child or adult at risk, or a "
            "legal obligation. Your name, the date and the justification are kept with the "
            "record and in the audit trail.", "&Record override", people, parent)
        self._session = session
        self._case_id = case_id
        self.purpose = QComboBox(self)
        for purpose in Purpose:
            self.purpose.addItem(purpose.label, purpose)
        self.form.addRow(buddy("&Purpose:", self.purpose, self), self.purpose)
        self.grounds = QComboBox(self)
        for g in OverrideGrounds:
            self.grounds.addItem(g.label, g)
        self.form.addRow(buddy("&Grounds:", self.grounds, self), self.grounds)
        self.justification = QPlainTextEdit(self)
        self.justification.setAccessibleName("Justification")
        self.justification.setTabChangesFocus(True)
        self.justification.setPlaceholderText(
            "Why sharing without consent is necessary and proportionate, and who agreed.")
        self.justification.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        self.form.addRow(buddy("&Justification:", self.justification, self), self.justification)
        self.until = QDateEdit(self)
        self.until.setDisplayFormat("dd/MM/yyyy")
        self.until.setCalendarPopup(True)
        today = date.today()
        self.until.setMinimumDate(qdate(today))
        self.until.setMaximumDate(qdate(today + timedelta(days=MAX_OVERRIDE_DAYS)))
        self.until.setDate(qdate(today + timedelta(days=7)))
        self.until.setAccessibleName("Override lasts until")
        self.form.addRow(buddy("&Lasts until:", self.until, self), self.until)
        self.form.addRow("", HintLabel(f"At most {MAX_OVERRIDE_DAYS} days from today.", self))
        self.saved: ShareOverride | None = None

    def submit(self) -> None:
        self.message.clear()
        until = self.until.date().toPython()
        assert isinstance(until, date)
        try:
            self.saved = consent_service.record_override(
                self._session, self._case_id, self.person.currentData(),
                self.recipient.currentData(), self.purpose.currentData(),
                self.grounds.currentData(), self.justification.toPlainText(),
                self.detail.text().strip(), until)
        except Exception as exc:
            self.fail(exc, self.justification if "justification" in str(exc).lower() else None)
            return
        self.accept()


# --- the panel ------------------------------------------------------------------------------


class ConsentPanel(QWidget):
    changed = Signal()

    def __init__(self, session: Session, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Consent")
        self._session = session
        self._case_id = case_id
        self._case: Case | None = None
        self._people: dict[int, Person] = {}
        self._names: dict[str, str] = {}

        heading = QLabel("Who may receive what", self)
        heading.setFont(heading_font(self, 1.15))
        intro = HintLabel(
            "Information leaves the service only with consent for that recipient and purpose, "
            "or a manager's recorded safeguarding or legal override. Choose a cell to see "
            "the decision.", self)
        self.model = ConsentGridModel(self)
        self.grid = read_only_table(self.model, "Consent grid: people and recipients by purpose",
                                    self, whole_rows=False)
        self.grid.setItemDelegate(ConsentCellDelegate(self.grid))
        header = self.grid.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.grid.selectionModel().currentChanged.connect(self._cell_changed)

        self.decision = QLabel(self)
        self.decision.setWordWrap(True)
        self.decision.setAccessibleName("Sharing decision")
        self.decision.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.record_button = button("&Record consent…", "Record consent", self,
                                    icon_name="given")
        self.withdraw_button = button("&Withdraw consent…", "Withdraw consent", self,
                                      icon_name="withdrawn")
        self.override_button = button("Record an &override…", "Record an override", self,
                                      icon_name="override",
                                      tip="Managers: share without consent on safeguarding or "
                                          "legal grounds, with a justification")
        self.record_button.clicked.connect(self.record_consent)
        self.withdraw_button.clicked.connect(self.withdraw_consent)
        self.override_button.clicked.connect(self.record_override)
        actions = QHBoxLayout()
        actions.addWidget(self.record_button)
        actions.addWidget(self.withdraw_button)
        actions.addStretch(1)
        actions.addWidget(self.override_button)

        self.history_model = HistoryModel(self)
        self.history = QTableView(self)
        self.history.setModel(self.history_model)
        self.history.setAccessibleName("Consent history, newest first")
        self.history.verticalHeader().hide()
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setAlternatingRowColors(True)
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.message = InlineMessage(self, "Consent message")

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(heading)
        top_layout.addWidget(intro)
        top_layout.addWidget(self.grid, 1)
        top_layout.addWidget(self.decision)
        top_layout.addLayout(actions)
        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        history_label = QLabel("History", self)
        history_label.setFont(heading_font(self, 1.0))
        bottom_layout.addWidget(history_label)
        bottom_layout.addWidget(self.history, 1)
        split_panel(self, self.message, top, bottom, (3, 2))
        self._apply_role()

    def _apply_role(self) -> None:
        # Hiding only: services.consent.record_override checks the role again.
        self.override_button.setVisible(self._session.can(Permission.APPROVE_DISCLOSURES))

    def set_session(self, session: Session) -> None:
        self._session = session
        self._apply_role()

    def load(self, case: Case, people: dict[int, Person], names: dict[str, str]) -> None:
        self._case = case
        self._people = dict(people)
        self._names = names
        self.refresh()

    def refresh(self) -> None:
        if self._case is None:
            return
        try:
            records = consent_service.consents_for_case(self._session, self._case_id)
            overrides = consent_service.overrides_for_case(self._session, self._case_id)
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return
        current = self.grid.currentIndex()
        position = (current.row(), current.column()) if current.isValid() else (0, 2)
        self.model.load(self._case, self._people, records, overrides)
        self.history_model.load(self._people, records, overrides, self._names)
        self.grid.clearSpans()
        start = 0
        for row in range(1, self.model.rowCount() + 1):
            if row == self.model.rowCount() or self.model.first_row_of(row):
                if row - start > 1:
                    self.grid.setSpan(start, 0, row - start, 1)
                start = row
        if self.model.rowCount():
            r = min(position[0], self.model.rowCount() - 1)
            index = self.model.index(r, max(2, position[1]))
            self.grid.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._cell_changed()

    def clear(self) -> None:
        self._case = None
        self.model.load(None, {}, [], [])
        self.history_model.load({}, [], [], {})
        self.decision.clear()

    def _selection(self) -> tuple[GridRow | None, Purpose | None, CellState | None]:
        index = self.grid.currentIndex()
        if not index.isValid():
            return None, None, None
        row = self.model.rows[index.row()]
        return row, self.model.purpose_at(index.column()), self.model.cell(index.row(),
                                                                             index.column())

    def _cell_changed(self, *_args: object) -> None:
        row, purpose, state = self._selection()
        self.withdraw_button.setEnabled(state is not None and state.kind in ("given", "expired"))
        if row is None or purpose is None:
            self.decision.setText("Choose a cell to see whether sharing is allowed.")
            return
        try:
            decision = consent_service.can_share(self._session, self._case_id, row.person_id,
                                                 row.recipient, purpose, row.detail)
        except Exception as exc:
            self.decision.setText(user_message(exc))
            return
        answer = "Yes, sharing is allowed." if decision.allowed else "No, do not share."
        self.decision.setText(f"{row.person_name} — {row.recipient_text} — {purpose.label}: "
                              f"{answer} {decision.reason}")

    def _people_choices(self) -> list[tuple[int, str]]:
        seen: list[int] = []
        for r in self.model.rows:
            if r.person_id not in seen:
                seen.append(r.person_id)
        return [(pid, self._people[pid].display_name if pid in self._people else str(pid))
                for pid in seen]

    def record_consent(self) -> None:
        row, purpose, _state = self._selection()
        dialog = RecordConsentDialog(self._session, self._case_id, self._people_choices(), self)
        if row is not None:
            dialog.preset(row.person_id, row.recipient, row.detail)
        dialog.preset_purpose(purpose)
        if dialog.exec():
            self.refresh()
            self.changed.emit()

    def withdraw_consent(self) -> None:
        row, purpose, _state = self._selection()
        dialog = WithdrawConsentDialog(self._session, self._case_id, self._people_choices(),
                                       self)
        if row is not None:
            dialog.preset(row.person_id, row.recipient, row.detail)
        if purpose is not None:
            dialog.purpose.setCurrentIndex(max(0, dialog.purpose.findData(purpose)))
        if dialog.exec():
            self.refresh()
            self.changed.emit()

    def record_override(self) -> None:
        row, purpose, _state = self._selection()
        dialog = OverrideDialog(self._session, self._case_id, self._people_choices(), self)
        if row is not None:
            dialog.preset(row.person_id, row.recipient, row.detail)
        if purpose is not None:
            dialog.purpose.setCurrentIndex(max(0, dialog.purpose.findData(purpose)))
        if dialog.exec():
            self.refresh()
            self.changed.emit()

    def state_at(self, person_id: int, recipient: Recipient, purpose: Purpose,
                 detail: str = "") -> str | None:
        """The words shown for one cell (for tests and screen readers)."""
        for r, row in enumerate(self.model.rows):
            if (row.person_id, row.recipient, row.detail) == (person_id, recipient, detail):
                state = self.model.cell(r, self.model.FIXED + self.model.purposes.index(purpose))
                return state.words if state else None
        return None


