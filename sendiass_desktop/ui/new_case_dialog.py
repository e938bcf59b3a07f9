"""Opening a new case: who it is for, about which child, and the case details.

Each person is either found among the people already known (by name,
reference or contact details: ``services.lookup.find_people``) or typed in
new. Everything is checked before anything is saved, so a mistake never
leaves half a case behind; the people are created first and then the case.
If the case itself is then refused, the people already created are kept and
reused when the user tries again (no duplicates).

``NewCaseDialog(session, parent).exec()`` returns Accepted with
``created_case_id`` set.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.cases import Case, EhcStage, IssueType, ReferralSource
from sendiass_desktop.domain.errors import InvalidInput, SendiassError
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.services import cases as cases_service
from sendiass_desktop.services import people as people_service
from sendiass_desktop.services.lookup import PersonHit, find_people
from sendiass_desktop.services.officers import Officer, list_officers
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import DateField, buddy, button, uk_date, user_message
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.theme import heading_font

PersonRoleData = Qt.ItemDataRole.UserRole + 1


class PersonForm(QWidget):
    """The details of a new (or changed) person, with labels and accessible names."""

    def __init__(self, who: str, parent: QWidget | None = None, *,
                 roles: tuple[PersonRole, ...] | None = None, full: bool = False) -> None:
        super().__init__(parent)
        self._who = who
        self.given = QLineEdit(self)
        self.family = QLineEdit(self)
        self.role: QComboBox | None = None
        self.dob = DateField(f"{who}: date of birth", self, what="date of birth")
        self.email = QLineEdit(self)
        self.phone = QLineEdit(self)
        self.address = QPlainTextEdit(self)
        self.postcode = QLineEdit(self)
        self.pronouns = QLineEdit(self)
        self.language = QLineEdit(self)
        self.access_needs = QLineEdit(self)
        self.organisation = QLineEdit(self)
        for edit, name, limit in (
            (self.given, "first name", 100), (self.family, "family name", 100),
            (self.email, "email", 200), (self.phone, "phone", 40), (self.postcode, "postcode", 10),
            (self.pronouns, "pronouns", 40), (self.language, "language", 100),
            (self.access_needs, "access needs", 500), (self.organisation, "organisation", 500),
        ):
            edit.setAccessibleName(f"{who}: {name}")
            edit.setMaxLength(limit)
        self.address.setAccessibleName(f"{who}: address")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.email.setPlaceholderText("name@example.org")
        self.postcode.setMaximumWidth(self.fontMetrics().averageCharWidth() * 14)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        names = QHBoxLayout()
        names.addWidget(self.given, 1)
        names.addWidget(buddy("Family &name:", self.family, self))
        names.addWidget(self.family, 1)
        form.addRow(buddy("&First name:", self.given, self), names)
        if roles:
            self.role = QComboBox(self)
            self.role.setAccessibleName(f"{who}: who they are")
            for role in roles:
                self.role.addItem(role.label, role)
            form.addRow(buddy("Who they &are:", self.role, self), self.role)
        form.addRow(buddy("Date of &birth:", self.dob, self), self.dob)
        contact = QHBoxLayout()
        contact.addWidget(self.email, 3)
        contact.addWidget(buddy("&Phone:", self.phone, self))
        contact.addWidget(self.phone, 2)
        form.addRow(buddy("&Email:", self.email, self), contact)
        form.addRow(buddy("Addre&ss:", self.address, self), self.address)
        form.addRow(buddy("Pos&tcode:", self.postcode, self), self.postcode)
        self._optional = [self.pronouns, self.language, self.access_needs, self.organisation]
        if full:
            form.addRow(buddy("Pronouns:", self.pronouns, self), self.pronouns)
            form.addRow(buddy("Language:", self.language, self), self.language)
            form.addRow(buddy("Access needs:", self.access_needs, self), self.access_needs)
            form.addRow(buddy("Organisation:", self.organisation, self), self.organisation)
        else:
            for edit in self._optional:
                edit.hide()

    def set_person(self, p: Person | None) -> None:
        p = p or Person("", "", "", PersonRole.OTHER)
        self.given.setText(p.given_name)
        self.family.setText(p.family_name)
        if self.role is not None:
            self.role.setCurrentIndex(max(0, self.role.findData(p.role)))
        self.dob.set_date(p.date_of_birth)
        self.email.setText(p.email)
        self.phone.setText(p.phone)
        self.address.setPlainText(p.address)
        self.postcode.setText(p.postcode)
        self.pronouns.setText(p.pronouns)
        self.language.setText(p.language)
        self.access_needs.setText(p.access_needs)
        self.organisation.setText(p.organisation)

    def is_blank(self) -> bool:
        return not any(e.text().strip() for e in (self.given, self.family, self.email,
                                                   self.phone, self.postcode, self.dob)) and \
            not self.address.toPlainText().strip()

    def person(self, base: Person | None = None, role: PersonRole | None = None) -> Person:
        """The person as typed; ``InvalidInput`` (naming who) if something is wrong."""
        try:
            dob = self.dob.date_value()
        except InvalidInput as exc:
            raise InvalidInput(f"{self._who}: {exc}") from None
        chosen = self.role.currentData() if self.role is not None else None
        person = replace(
            base or Person("", "", "", PersonRole.OTHER),
            given_name=" ".join(self.given.text().split()),
            family_name=" ".join(self.family.text().split()),
            role=role or chosen or (base.role if base else PersonRole.OTHER),
            date_of_birth=dob, email=self.email.text().strip(), phone=self.phone.text().strip(),
            address=self.address.toPlainText().strip(), postcode=self.postcode.text().strip()
            .upper(), pronouns=self.pronouns.text().strip(),
            language=self.language.text().strip(), access_needs=self.access_needs.text().strip(),
            organisation=self.organisation.text().strip(),
        )
        try:
            person.validate(date.today())
        except InvalidInput as exc:
            raise InvalidInput(f"{self._who}: {exc}") from None
        return person

    def focus_for(self, message: str) -> QWidget:
        text = message.lower()
        if "date of birth" in text:
            return self.dob
        if "email" in text:
            return self.email
        if "phone" in text:
            return self.phone
        if "postcode" in text:
            return self.postcode
        if "address" in text:
            return self.address
        if "family name" in text:
            return self.family
        return self.given


def _describe_hit(hit: PersonHit) -> str:
    p = hit.person
    bits = [p.display_name or "(no name)", p.role.label, p.ref]
    if p.date_of_birth:
        bits.append(f"born {uk_date(p.date_of_birth)}")
    if p.postcode:
        bits.append(p.postcode)
    cases = ", ".join(hit.case_refs[:3]) + ("…" if len(hit.case_refs) > 3 else "")
    if cases:
        bits.append(f"on {cases}")
    return " · ".join(bits)


class PersonPicker(QGroupBox):
    """Someone new (typed in) or someone already known (found by search)."""

    NEW, KNOWN, NONE, SAME = range(4)

    def __init__(self, session: Session, who: str, parent: QWidget | None = None, *,
                 roles: tuple[PersonRole, ...] | None = None, fixed_role: PersonRole | None = None,
                 allow_none: bool = False, allow_same: bool = False) -> None:
        super().__init__(who, parent)
        self.setAccessibleName(who)
        self._session = session
        self._who = who
        self._fixed_role = fixed_role
        self._chosen: Person | None = None
        self.created: Person | None = None  # kept after a failed case creation: no duplicates

        self.modes = QButtonGroup(self)
        self.new_radio = QRadioButton("Someone &new", self)
        self.known_radio = QRadioButton("Someone already &known", self)
        self.none_radio: QRadioButton | None = None
        self.same_radio: QRadioButton | None = None
        row = QGridLayout()
        row.setHorizontalSpacing(16)
        radios = [(self.new_radio, self.NEW), (self.known_radio, self.KNOWN)]
        if allow_same:
            self.same_radio = QRadioButton("The service user is the young person", self)
            radios.append((self.same_radio, self.SAME))
        if allow_none:
            self.none_radio = QRadioButton("Not recorded yet", self)
            radios.append((self.none_radio, self.NONE))
        for i, (radio, mode) in enumerate(radios):
            radio.setAccessibleName(f"{who}: {radio.text().replace('&', '')}")
            self.modes.addButton(radio, mode)
            row.addWidget(radio, i // 2, i % 2)
        row.setColumnStretch(2, 1)
        self.new_radio.setChecked(True)

        self.form = PersonForm(who, self, roles=roles)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Name, person reference (P-000123), email, phone or "
                                       "postcode")
        self.search.setAccessibleName(f"{who}: find someone already known")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.run_search)
        self.find_button = button("&Find", f"{who}: find", self)
        self.find_button.clicked.connect(self.run_search)
        self.results_model = QStandardItemModel(self)
        self.results = QListView(self)
        self.results.setModel(self.results_model)
        self.results.setAccessibleName(f"{who}: people found")
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        self.results.selectionModel().currentChanged.connect(self._picked)
        self.results_note = HintLabel("Type at least part of a name, then press Enter.", self)
        known = QWidget(self)
        known_layout = QVBoxLayout(known)
        known_layout.setContentsMargins(0, 0, 0, 0)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.find_button)
        known_layout.addLayout(search_row)
        known_layout.addWidget(self.results, 1)
        known_layout.addWidget(self.results_note)
        self.blank = HintLabel("", self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.form)
        self.stack.addWidget(known)
        self.stack.addWidget(self.blank)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.stack)
        self.modes.idToggled.connect(self._mode_changed)

    def mode(self) -> int:
        return self.modes.checkedId()

    def _mode_changed(self, mode: int, checked: bool) -> None:
        if not checked:
            return
        if mode == self.NEW:
            self.stack.setCurrentIndex(0)
        elif mode == self.KNOWN:
            self.stack.setCurrentIndex(1)
            self.search.setFocus()
        else:
            self.blank.setText("The young person is the service user: their details above are "
                               "used." if mode == self.SAME else
                               "You can add the child or young person later, on the People "
                               "tab.")
            self.stack.setCurrentIndex(2)

    def run_search(self) -> None:
        text = self.search.text()
        self.results_model.clear()
        self._chosen = None
        try:
            found = find_people(self._session, text)
        except SendiassError as exc:
            self.results_note.setText(str(exc))
            return
        for hit in found.hits:
            item = QStandardItem(_describe_hit(hit))
            item.setData(hit.person, PersonRoleData)
            item.setEditable(False)
            self.results_model.appendRow(item)
        self.results_note.setText(found.message or
                                  f"{len(found.hits)} found. Choose the right person.")
        if found.hits:
            self.results.setCurrentIndex(self.results_model.index(0, 0))
            self.results.setFocus()

    def _picked(self, current: QModelIndex, _previous: QModelIndex) -> None:
        person = current.data(PersonRoleData) if current.isValid() else None
        self._chosen = person if isinstance(person, Person) else None

    def choose(self, person: Person) -> None:
        """Pick an existing person (what choosing a search result does)."""
        self.known_radio.setChecked(True)
        self._chosen = person

    def resolve(self) -> Person | None:
        """The person to use: existing (with an id), new (without), or None."""
        mode = self.mode()
        if mode in (self.NONE, self.SAME):
            return None
        if mode == self.KNOWN:
            if self._chosen is None:
                raise InvalidInput(f"{self._who}: find and choose someone already known, or "
                                   "choose Someone new.")
            return self._chosen
        if self.form.is_blank():
            raise InvalidInput(f"{self._who}: type at least a first name or a family name.")
        return self.form.person(role=self._fixed_role)

    def focus_for(self, message: str) -> QWidget:
        if self.mode() == self.KNOWN:
            return self.search
        return self.form.focus_for(message)


class CheckGrid(QWidget):
    """A fixed set of choices as check boxes in columns (Tab and Space to use)."""

    def __init__(self, name: str, items: list[tuple[str, object]], parent: QWidget | None = None,
                 *, columns: int = 2, checked: set[object] | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.boxes: list[tuple[QCheckBox, object]] = []
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(16)
        self._grid.setVerticalSpacing(2)
        self._columns = columns
        for text, value in items:
            self.add(text, value)
        self._grid.setColumnStretch(columns, 1)  # keep the columns together on the left
        if checked:
            self.set_values(checked)

    def add(self, text: str, value: object) -> QCheckBox:
        box = QCheckBox(text, self)
        box.setAccessibleName(text)
        index = len(self.boxes)
        # Row by row, so reading order and Tab order agree.
        self._grid.addWidget(box, index // self._columns, index % self._columns)
        self.boxes.append((box, value))
        return box

    def values(self) -> list[object]:
        return [value for box, value in self.boxes if box.isChecked()]

    def set_values(self, values: set[object]) -> None:
        for box, value in self.boxes:
            box.setChecked(value in values)

    def has(self, value: object) -> bool:
        return any(v == value for _box, v in self.boxes)

    def first(self) -> QWidget:
        return self.boxes[0][0] if self.boxes else self


class CaseDetailsForm(QWidget):
    """Referral, issues, school, Local Authority, EHC stage, officers (new case and Summary)."""

    def __init__(self, officers: list[Officer], me: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.referral_date = DateField("Referral date", self, value=date.today(),
                                       what="referral date")
        self.source = QComboBox(self)
        self.source.setAccessibleName("Referral source")
        for s in ReferralSource:
            self.source.addItem(s.label, s)
        self.issues = CheckGrid("Issues (tick all that apply)",
                                [(i.label, i) for i in IssueType], self, columns=2)
        self.school = QLineEdit(self)
        self.school.setMaxLength(200)
        self.school.setAccessibleName("School or setting")
        self.la = QLineEdit(self)
        self.la.setMaxLength(200)
        self.la.setAccessibleName("Local Authority")
        self.ehc_stage = QComboBox(self)
        self.ehc_stage.setAccessibleName("EHC stage")
        for stage in EhcStage:
            self.ehc_stage.addItem(stage.label, stage)
        self.officer = QComboBox(self)
        self.officer.setAccessibleName("Assigned officer")
        active = [o for o in officers if o.active]
        for o in active:
            self.officer.addItem(o.display_name, o.username)
        if self.officer.findData(me) < 0:
            self.officer.addItem(me, me)
        self.officer.setCurrentIndex(self.officer.findData(me))
        self.yp_officers = CheckGrid("Officers working with the young person",
                                     [(o.display_name, o.username) for o in active], self,
                                     columns=2)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(buddy("Referral &date:", self.referral_date, self), self.referral_date)
        form.addRow(buddy("Referral &source:", self.source, self), self.source)
        form.addRow(buddy("&Issues:", self.issues.first(), self), self.issues)
        form.addRow(buddy("School or setti&ng:", self.school, self), self.school)
        form.addRow(buddy("&Local Authority:", self.la, self), self.la)
        form.addRow(buddy("EHC sta&ge:", self.ehc_stage, self), self.ehc_stage)
        form.addRow(buddy("Assigned &officer:", self.officer, self), self.officer)
        yp_box = QVBoxLayout()
        yp_box.setSpacing(2)
        yp_box.addWidget(self.yp_officers)
        yp_box.addWidget(HintLabel("They (with managers) see notes marked young person "
                                   "confidential.", self))
        yp_label = buddy("Working with the\n&young person:", self.yp_officers.first(), self)
        form.addRow(yp_label, yp_box)
        self.form = form

    def fill(self, case: Case) -> None:
        self.referral_date.set_date(case.referral_date)
        self.source.setCurrentIndex(max(0, self.source.findData(case.referral_source)))
        self.issues.set_values(set(case.issue_types))
        self.school.setText(case.school_setting)
        self.la.setText(case.local_authority)
        self.ehc_stage.setCurrentIndex(max(0, self.ehc_stage.findData(case.ehc_stage)))
        if self.officer.findData(case.assigned_officer) < 0:
            self.officer.addItem(case.assigned_officer, case.assigned_officer)
        self.officer.setCurrentIndex(self.officer.findData(case.assigned_officer))
        for name in sorted(case.young_person_officers):
            if not self.yp_officers.has(name):
                self.yp_officers.add(name, name)
        self.yp_officers.set_values(set(case.young_person_officers))

    def apply(self, case: Case) -> Case:
        """The case with the form's values; ``InvalidInput`` if a date is not a date."""
        referral = self.referral_date.date_value()
        if referral is not None and referral > date.today():
            raise InvalidInput("The referral date cannot be in the future.")
        return replace(
            case, referral_date=referral, referral_source=self.source.currentData(),
            issue_types=frozenset(v for v in self.issues.values() if isinstance(v, IssueType)),
            school_setting=self.school.text().strip(), local_authority=self.la.text().strip(),
            ehc_stage=self.ehc_stage.currentData(), assigned_officer=self.officer.currentData(),
            young_person_officers=frozenset(str(v) for v in self.yp_officers.values()),
        )

    def focus_for(self, message: str) -> QWidget:
        text = message.lower()
        if "referral" in text:
            return self.referral_date
        if "school" in text or "local authority" in text:
            return self.school
        if "officer" in text:
            return self.officer
        return self.issues.first()


class NewCaseDialog(QDialog):
    """Find or add the people, fill in the case details, create the case."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.created_case_id: int | None = None
        self.created_case: Case | None = None
        self.setWindowTitle("New case")
        self.setAccessibleName("New case")
        heading = QLabel("Open a new case", self)
        heading.setFont(heading_font(self, 1.3))
        intro = HintLabel(
            "Check whether the family is already known before adding anyone new: type a name "
            "under Someone already known. Nothing is saved until you choose Create case.", self)

        try:
            officers = list_officers(session)
        except SendiassError:
            officers = []
        self.primary = PersonPicker(
            session, "Service user", self,
            roles=(PersonRole.PARENT_CARER, PersonRole.CHILD_YOUNG_PERSON, PersonRole.OTHER))
        self.child = PersonPicker(session, "Child or young person", self,
                                  fixed_role=PersonRole.CHILD_YOUNG_PERSON, allow_none=True,
                                  allow_same=True)
        self.details = CaseDetailsForm(officers, session.user.username, self)
        self.summary = QPlainTextEdit(self)
        self.summary.setAccessibleName("What the family needs help with")
        self.summary.setTabChangesFocus(True)
        self.summary.setPlaceholderText("A line or two: what the family needs help with.")
        self.summary.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.details.form.addRow(buddy("Su&mmary:", self.summary, self), self.summary)
        details_box = QGroupBox("The case", self)
        details_box.setAccessibleName("The case")
        box_layout = QVBoxLayout(details_box)
        box_layout.addWidget(self.details)
        box_layout.addStretch(1)

        content = QWidget(self)
        columns = QHBoxLayout(content)
        columns.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        left.addWidget(self.primary)
        left.addWidget(self.child)
        left.addStretch(1)
        columns.addLayout(left, 1)
        columns.addWidget(details_box, 1)
        scroll = QScrollArea(self)
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setAccessibleName("New case form")
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

        self.message = InlineMessage(self, "New case message")
        self.create_button = button("&Create case", "Create case", self)
        self.create_button.setDefault(True)
        self.create_button.setAutoDefault(True)
        self.create_button.clicked.connect(self.submit)
        self.cancel_button = button("Cancel", "Cancel", self)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        chars = self.fontMetrics().averageCharWidth()
        self.resize(chars * 215, self.fontMetrics().lineSpacing() * 54)
        self.primary.form.given.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None and (self.width() > screen.width()
                                   or self.height() > screen.height()):
            self.resize(min(self.width(), screen.width() - 40),
                        min(self.height(), screen.height() - 60))

    def _fail(self, exc: BaseException, focus: QWidget | None) -> None:
        self.message.show_message(user_message(exc))
        if focus is not None:
            focus.setFocus()

    def _ensure(self, picker: PersonPicker, person: Person | None) -> Person | None:
        """The saved person: existing, created now, or created on an earlier try."""
        if person is None or person.id is not None:
            return person
        if picker.created is not None and picker.created.display_name == person.display_name:
            return picker.created
        picker.created = people_service.create_person(self._session, person)
        return picker.created

    def submit(self) -> None:
        self.message.clear()
        # 1. Check everything before saving anything.
        try:
            primary = self.primary.resolve()
        except InvalidInput as exc:
            self._fail(exc, self.primary.focus_for(str(exc)))
            return
        assert primary is not None
        try:
            child = self.child.resolve()
        except InvalidInput as exc:
            self._fail(exc, self.child.focus_for(str(exc)))
            return
        today = date.today()
        try:
            draft = self.details.apply(Case(
                "TMP-2000-0001", today, ReferralSource.SELF, self._session.user.username, 0,
                summary=self.summary.toPlainText().strip()))
            draft.validate(today)
        except InvalidInput as exc:
            self._fail(exc, self.details.focus_for(str(exc)))
            return
        # 2. Save: the people, then the case.
        try:
            saved_primary = self._ensure(self.primary, primary)
            saved_child = self._ensure(self.child, child)
            assert saved_primary is not None and saved_primary.id is not None
            child_id = (saved_child.id if saved_child is not None else
                        saved_primary.id if self.child.mode() == PersonPicker.SAME else None)
            case = cases_service.create_case(self._session, replace(
                draft, ref="", primary_person_id=saved_primary.id, child_person_id=child_id))
        except Exception as exc:
            self._fail(exc, None)
            return
        self.created_case = case
        self.created_case_id = case.id
        self.accept()
