"""The People tab: who is on the case, their details, adding and removing people.

The service user and the child or young person are always on the case; other
parents or carers, professionals and other parties can be added (someone new
or someone already known) and removed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.cases import Case, CaseParty, PartyRole
from sendiass_desktop.domain.deadlines import age_on
from sendiass_desktop.domain.errors import EditConflict, InvalidInput
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.services import cases as cases_service
from sendiass_desktop.services import people as people_service
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import FormDialog, buddy, button, split_panel, uk_date, user_message
from sendiass_desktop.ui.new_case_dialog import PersonForm, PersonPicker
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.table_model import HeaderedTableModel, panel_table
from sendiass_desktop.ui.theme import Tone, heading_font

PartyRoleData = Qt.ItemDataRole.UserRole + 1
ADDABLE = (PartyRole.OTHER_PARENT, PartyRole.PROFESSIONAL, PartyRole.OTHER)
_PERSON_ROLE_FOR = {
    PartyRole.OTHER_PARENT: PersonRole.PARENT_CARER,
    PartyRole.PROFESSIONAL: PersonRole.PROFESSIONAL,
    PartyRole.OTHER: PersonRole.OTHER,
}


def describe_age(dob: date | None) -> str:
    if dob is None:
        return ""
    return f"{uk_date(dob)} (age {age_on(dob, date.today())})"


class PartiesModel(HeaderedTableModel):
    HEADERS = ("Name", "On this case", "Date of birth", "Contact", "Reference")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[CaseParty, Person | None]] = []

    def load(self, case: Case | None, people: dict[int, Person]) -> None:
        self.beginResetModel()
        self.rows = [(p, people.get(p.person_id)) for p in case.parties] if case else []
        self.endResetModel()

    def _row_count(self) -> int:
        return len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        party, person = self.rows[index.row()]
        if role == PartyRoleData:
            return party
        if person is None:
            values: tuple[str, ...] = (f"Person {party.person_id}", party.role.label, "", "", "")
        else:
            contact = " · ".join(x for x in (person.email, person.phone) if x)
            if person.organisation:
                contact = " · ".join(x for x in (person.organisation, contact) if x)
            values = (person.display_name, party.role.label, describe_age(person.date_of_birth),
                      contact, person.ref)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            return values[index.column()]
        return None


class AddPersonDialog(FormDialog):
    def __init__(self, session: Session, case: Case, parent: QWidget | None = None) -> None:
        super().__init__("Add someone to the case",
                         "Another parent or carer, a professional working with the family, or "
                         "anyone else involved. Check whether they are already known first.",
                         "&Add to the case", parent, width_chars=90)
        self._session = session
        self._case = case
        self.party_role = QComboBox(self)
        self.party_role.setAccessibleName("Their part in the case")
        for role in ADDABLE:
            self.party_role.addItem(role.label, role)
        self.form.addRow(buddy("Their &part:", self.party_role, self), self.party_role)
        self.picker = PersonPicker(session, "Person", self)
        self.extra.addWidget(self.picker)
        self.saved_case: Case | None = None
        self.saved_person: Person | None = None

    def submit(self) -> None:
        self.message.clear()
        party_role: PartyRole = self.party_role.currentData()
        try:
            person = self.picker.resolve()
        except InvalidInput as exc:
            self.fail(exc, self.picker.focus_for(str(exc)))
            return
        if person is None:
            return
        if person.id is None:
            person = replace(person, role=_PERSON_ROLE_FOR[party_role])
        try:
            if person.id is None:
                person = self.picker.created or people_service.create_person(self._session,
                                                                             person)
                self.picker.created = person
            assert person.id is not None
            party = CaseParty(person.id, party_role)
            if party in self._case.parties:
                raise InvalidInput("They are already on the case in that part.")
            self.saved_case = cases_service.update_case(
                self._session, replace(self._case, parties=(*self._case.parties, party)))
        except Exception as exc:
            self.fail(exc)
            return
        self.saved_person = person
        self.accept()


class PeoplePanel(QWidget):
    caseChanged = Signal(object)  # Case
    peopleChanged = Signal(object)  # dict[int, Person]

    def __init__(self, session: Session, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("People")
        self._session = session
        self._case_id = case_id
        self._case: Case | None = None
        self._people: dict[int, Person] = {}

        heading = QLabel("People on the case", self)
        heading.setFont(heading_font(self, 1.15))
        self.model = PartiesModel(self)
        self.table = panel_table(self.model, "People on the case", 3, self)
        self.table.selectionModel().currentChanged.connect(self._selected)
        self.add_button = button("&Add someone…", "Add someone to the case", self,
                                 icon_name="add")
        self.remove_button = button("&Remove from the case", "Remove from the case", self)
        self.add_button.clicked.connect(self.add_person)
        self.remove_button.clicked.connect(self.remove_person)
        actions = QHBoxLayout()
        actions.addWidget(self.add_button)
        actions.addStretch(1)
        actions.addWidget(self.remove_button)

        self.details_heading = QLabel("Details", self)
        self.details_heading.setFont(heading_font(self, 1.05))
        self.form = PersonForm("Selected person", self, full=True,
                               roles=tuple(PersonRole))
        self.save_button = button("&Save details", "Save the person's details", self)
        self.save_button.clicked.connect(self.save_person)
        self.message = InlineMessage(self, "People message")
        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 8, 0)
        detail_layout.addWidget(self.details_heading)
        detail_layout.addWidget(self.form)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        detail_layout.addLayout(save_row)
        detail_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(detail)
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName("Selected person's details")

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(heading)
        top_layout.addWidget(HintLabel(
            "The service user and the child or young person are always on the case. Changing "
            "someone's details changes them on every case they are on.", self))
        top_layout.addWidget(self.table, 1)
        top_layout.addLayout(actions)
        split_panel(self, self.message, top, scroll, (2, 3))
        self._selected()

    def set_session(self, session: Session) -> None:
        self._session = session

    def load(self, case: Case, people: dict[int, Person]) -> None:
        current = self.current()
        self._case = case
        self._people = dict(people)
        self.model.load(case, self._people)
        row = 0
        if current is not None:
            for r, (party, _person) in enumerate(self.model.rows):
                if party == current[0]:
                    row = r
        if self.model.rowCount():
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        self._selected()

    def clear(self) -> None:
        self._case = None
        self._people = {}
        self.model.load(None, {})
        self.form.set_person(None)

    def current(self) -> tuple[CaseParty, Person | None] | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.rows[index.row()]

    def _selected(self, *_args: object) -> None:
        current = self.current()
        person = current[1] if current else None
        self.form.setEnabled(person is not None)
        self.save_button.setEnabled(person is not None)
        self.remove_button.setEnabled(current is not None
                                      and current[0].role not in (PartyRole.PRIMARY,
                                                                  PartyRole.CHILD))
        self.form.set_person(person)
        self.details_heading.setText(f"Details: {person.display_name}" if person else "Details")

    def save_person(self) -> None:
        current = self.current()
        if current is None or current[1] is None:
            return
        self.message.clear()
        try:
            person = self.form.person(current[1])
            saved = people_service.update_person(self._session, person)
        except EditConflict:
            self.message.show_message(
                "Someone else changed this person's details while you were editing. Your "
                "changes are still in the form: press F5 to see theirs, then type yours again.")
            return
        except Exception as exc:
            self.message.show_message(user_message(exc))
            self.form.focus_for(str(exc)).setFocus()
            return
        assert saved.id is not None
        self._people[saved.id] = saved
        self.peopleChanged.emit(dict(self._people))
        if self._case is not None:
            self.load(self._case, self._people)
        self.message.show_message("Details saved.", Tone.SUCCESS)

    def add_person(self) -> None:
        if self._case is None:
            return
        dialog = AddPersonDialog(self._session, self._case, self)
        if dialog.exec() and dialog.saved_case is not None and dialog.saved_person is not None:
            person = dialog.saved_person
            assert person.id is not None
            self._people[person.id] = person
            self.peopleChanged.emit(dict(self._people))
            self.caseChanged.emit(dialog.saved_case)

    def remove_person(self) -> None:
        current = self.current()
        if current is None or self._case is None:
            return
        party, person = current
        if party.role in (PartyRole.PRIMARY, PartyRole.CHILD):
            return
        name = person.display_name if person else "this person"
        answer = QMessageBox.question(
            self, "Remove from the case?",
            f"Remove {name} ({party.role.label.lower()}) from this case? Their details stay "
            "in the store; notes that mention them are not changed.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.remove_party(party)

    def remove_party(self, party: CaseParty) -> None:
        if self._case is None:
            return
        try:
            saved = cases_service.update_case(self._session, replace(
                self._case, parties=tuple(p for p in self._case.parties if p != party)))
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return
        self.caseChanged.emit(saved)


def people_names(people: dict[int, Person], ids: Sequence[int]) -> list[str]:
    return [people[i].display_name for i in ids if i in people]
