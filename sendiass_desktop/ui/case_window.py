"""One window per case: header, the red safeguarding bar, and the case's tabs.

``CaseWindow(session, case_id)`` opens the case file (``services.cases.
open_case_file``: one audited read; notes this user may not see are simply
absent). The title names the case by reference only: names never go in a
window title, which shows in task bars and window lists.

Locking: ``on_lock()`` saves any note being written as a draft, closes
dialogs and document viewers, drops what the tabs show and puts a "locked"
page in their place. A disclosure extract or a letter to the Local Authority
being made, or showing its passphrases, is hidden instead of closed
(``ShownOnceDialog``): closing it would lose the passphrases of files already
written and logged.
``set_session(session)`` (after unlocking) reads the case again and returns to
the same tab, with the note being written restored from its draft, and shows
that dialog again.

Keys: Ctrl+N new note, Ctrl+S save the note, Esc close the editor (keeping a
draft), Ctrl+W close the window, F5 read the case again, Alt+1…8 and
Ctrl+PgUp/PgDn for the tabs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QColor, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.cases import Case, CaseStatus, Outcome
from sendiass_desktop.domain.deadlines import age_on
from sendiass_desktop.domain.errors import EditConflict
from sendiass_desktop.domain.people import Person
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.domain.safeguarding import SafeguardingConcern
from sendiass_desktop.services import cases as cases_service
from sendiass_desktop.services.cases import CaseFile
from sendiass_desktop.services.officers import Officer, list_officers
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.audit_panel import AuditPanel
from sendiass_desktop.ui.consent_panel import ConsentPanel
from sendiass_desktop.ui.deadlines_panel import DeadlinesPanel
from sendiass_desktop.ui.documents_panel import DocumentsPanel
from sendiass_desktop.ui.export_pieces import ShownOnceDialog
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import (
    Chip,
    FormDialog,
    buddy,
    button,
    icon,
    qdate,
    safeguarding_colours,
    uk_date,
    user_message,
)
from sendiass_desktop.ui.new_case_dialog import CaseDetailsForm, CheckGrid
from sendiass_desktop.ui.notes_timeline import NotesPanel
from sendiass_desktop.ui.notices import Banner, InlineMessage
from sendiass_desktop.ui.people_panel import PeoplePanel
from sendiass_desktop.ui.read_only import make_fields_read_only, show_edit_controls
from sendiass_desktop.ui.safeguarding_panel import SafeguardingPanel
from sendiass_desktop.ui.sizing import expand_horizontally
from sendiass_desktop.ui.theme import Tone, heading_font, is_dark, scaled_font
from sendiass_desktop.ui.views import BackgroundLane

TAB_KEYS = ("summary", "people", "notes", "consent", "safeguarding", "documents", "deadlines",
            "audit")


class SafeguardingBar(QFrame):
    """Solid red, white words and a warning sign: never colour alone, never missable."""

    viewRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("safeguardingBar")
        self.setAccessibleName("Safeguarding")
        self.icon = QLabel(self)
        self.icon.setAccessibleName("Safeguarding warning sign")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setFont(scaled_font(self.label.font(), 1.05, bold=True))
        self.view_button = button("View concerns", "View safeguarding concerns", self)
        self.view_button.clicked.connect(self.viewRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.icon)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.view_button)
        self._restyle()
        self.hide()

    def _restyle(self) -> None:
        if getattr(self, "_restyling", False):
            return
        self._restyling = True
        try:
            self._apply_style()
        finally:
            self._restyling = False

    def _apply_style(self) -> None:
        c = safeguarding_colours()
        self.setStyleSheet(
            f"QFrame#safeguardingBar {{ background-color: {c.background}; "
            f"border: 2px solid {c.border}; border-radius: 4px; }}"
            f"QFrame#safeguardingBar QLabel {{ color: {c.foreground}; background: transparent; "
            "border: none; }")
        side = self.label.fontMetrics().height() + 6
        self.icon.setPixmap(icon("safeguarding", QColor(c.foreground)).pixmap(QSize(side, side)))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._restyle()
        super().changeEvent(event)

    def show_concerns(self, concerns: list[SafeguardingConcern]) -> None:
        open_ones = sorted((c for c in concerns if c.is_open), key=lambda c: c.raised_on,
                           reverse=True)
        if not open_ones:
            self.label.clear()
            self.hide()
            return
        latest = open_ones[0]
        count = len(open_ones)
        text = (f"SAFEGUARDING — {count} open concern{'s' if count != 1 else ''}. Latest: "
                f"{latest.action.label} (raised {uk_date(latest.raised_on)}). Safeguarding "
                "overrides confidentiality: follow the safeguarding procedure.")
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.label.setAccessibleName(text)
        self.show()


class CaseHeader(QWidget):
    """Reference, status, who, officer, EHC stage, issues: the case at a glance."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Case summary")
        self.ref = QLabel(self)
        self.ref.setFont(heading_font(self, 1.5))
        self.ref.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = Chip("", None, None, self)
        self.hold = Chip("Legal hold — do not dispose", Tone.WARNING, "locked", self)
        self.hold.hide()
        top = QHBoxLayout()
        top.addWidget(self.ref)
        top.addSpacing(8)
        top.addWidget(self.status)
        top.addWidget(self.hold)
        top.addStretch(1)
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        fields = (("Service user", 0, 0), ("Child or young person", 1, 0),
                  ("Officer", 0, 2), ("EHC stage", 1, 2), ("Issues", 2, 0))
        for name, row, col in fields:
            label = HintLabel(f"{name}:", self)
            label.setWordWrap(False)
            label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
            value = QLabel(self)
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(name)
            grid.addWidget(label, row, col, Qt.AlignmentFlag.AlignTop)
            span = 3 if name == "Issues" else 1
            grid.addWidget(value, row, col + 1, 1, span)
            self.values[name] = value
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(grid)

    def show_case(self, case: Case | None, people: dict[int, Person],
                  names: dict[str, str]) -> None:
        if case is None:
            self.ref.clear()
            self.status.set_chip("")
            for value in self.values.values():
                value.clear()
            self.hold.hide()
            return
        self.ref.setText(case.ref)
        if case.status is CaseStatus.OPEN:
            self.status.set_chip(f"Open since {uk_date(case.opened_on)}", Tone.SUCCESS, "tick")
        else:
            self.status.set_chip(f"Closed {uk_date(case.closed_on)}", None, "locked")
        self.hold.setVisible(case.legal_hold)
        primary = people.get(case.primary_person_id)
        child = people.get(case.child_person_id) if case.child_person_id else None
        self.values["Service user"].setText(
            f"{primary.display_name} ({primary.role.label.lower()})" if primary else "")
        if child is None:
            self.values["Child or young person"].setText("Not recorded yet")
        else:
            age = (f", age {age_on(child.date_of_birth, date.today())}"
                   if child.date_of_birth else "")
            same = " — the service user" if child.id == case.primary_person_id else ""
            self.values["Child or young person"].setText(f"{child.display_name}{age}{same}")
        self.values["Officer"].setText(names.get(case.assigned_officer, case.assigned_officer))
        self.values["EHC stage"].setText(case.ehc_stage.label)
        issues = sorted(i.label for i in case.issue_types)
        self.values["Issues"].setText(", ".join(issues) or "None recorded")


class CloseCaseDialog(FormDialog):
    def __init__(self, session: Session, case: Case, parent: QWidget | None = None) -> None:
        super().__init__("Close the case", "Record how the case ended: tick every outcome that "
                         "applies. A closed case can be reopened.", "&Close case", parent)
        self._session = session
        self._case = case
        self.closed_on = QDateEdit(self)
        self.closed_on.setDisplayFormat("dd/MM/yyyy")
        self.closed_on.setCalendarPopup(True)
        self.closed_on.setMinimumDate(qdate(case.opened_on))
        self.closed_on.setMaximumDate(qdate(date.today()))
        self.closed_on.setDate(qdate(date.today()))
        self.closed_on.setAccessibleName("Date closed")
        self.form.addRow(buddy("&Date closed:", self.closed_on, self), self.closed_on)
        self.outcomes = CheckGrid("Outcomes", [(o.label, o) for o in Outcome], self, columns=2,
                                  checked=set(case.outcomes))
        self.form.addRow(buddy("&Outcomes:", self.outcomes.first(), self), self.outcomes)
        self.saved: Case | None = None

    def submit(self) -> None:
        self.message.clear()
        closed = self.closed_on.date().toPython()
        assert isinstance(closed, date)
        outcomes = frozenset(v for v in self.outcomes.values() if isinstance(v, Outcome))
        try:
            self.saved = cases_service.close_case(self._session, self._case, closed, outcomes)
        except Exception as exc:
            self.fail(exc, self.outcomes.first())
            return
        self.accept()


class SummaryPanel(QWidget):
    """The case's own details: editable, with close/reopen, paper records and legal hold."""

    caseChanged = Signal(object)  # Case

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Summary")
        self._session = session
        self._case: Case | None = None
        self._officers: list[Officer] = []
        self.details: CaseDetailsForm | None = None

        heading = QLabel("Case details", self)
        heading.setFont(heading_font(self, 1.15))
        self.state = HintLabel("", self)
        self.summary = QPlainTextEdit(self)
        self.summary.setAccessibleName("Case summary")
        self.summary.setTabChangesFocus(True)
        self.summary.setPlaceholderText("What the family needs help with, in a few lines.")
        self.summary.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.paper = QLineEdit(self)
        self.paper.setMaxLength(1000)
        self.paper.setAccessibleName("Where paper records are kept")
        self.paper.setPlaceholderText("For example: grey cabinet, drawer 2 (leave blank if none)")
        self.hold = QLabel(self)
        self.hold.setWordWrap(True)
        self.hold.setAccessibleName("Legal hold")
        self.outcomes = QLabel(self)
        self.outcomes.setWordWrap(True)
        self.outcomes.setAccessibleName("Outcomes")
        expand_horizontally(self.outcomes)
        expand_horizontally(self.hold)
        self.save_button = button("&Save changes", "Save case details", self)
        self.save_button.clicked.connect(self.save)
        self.close_button = button("Close the case…", "Close the case", self)
        self.close_button.clicked.connect(self.close_case)
        self.reopen_button = button("Reopen the case", "Reopen the case", self)
        self.reopen_button.clicked.connect(self.reopen_case)
        self.message = InlineMessage(self, "Case details message")
        self.form_holder = QVBoxLayout()
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.reopen_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        inner = QWidget(self)
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(8, 8, 16, 8)
        inner_layout.addWidget(heading)
        inner_layout.addWidget(self.state)
        inner_layout.addLayout(self.form_holder)
        inner_layout.addWidget(self.message)
        inner_layout.addLayout(buttons)
        inner_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setAccessibleName("Case details")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self._inner = inner

    def set_session(self, session: Session) -> None:
        self._session = session

    def load(self, case: Case, officers: list[Officer]) -> None:
        if self.details is None:
            # Built once: the officers' list is read when the window opens.
            self._officers = list(officers)
            self.details = CaseDetailsForm(officers, case.assigned_officer, self._inner)
            form = self.details.form
            form.addRow(buddy("Su&mmary:", self.summary, self), self.summary)
            form.addRow(buddy("&Paper records:", self.paper, self), self.paper)
            form.addRow(QLabel("Legal hold:", self), self.hold)
            form.addRow(QLabel("Outcomes:", self), self.outcomes)
            self.form_holder.addWidget(self.details)
        self._case = case
        self.details.fill(case)
        self.summary.setPlainText(case.summary)
        self.paper.setText(case.paper_records)
        self.hold.setText("Yes — this case must not be destroyed while the hold is in place."
                          if case.legal_hold else "No")
        self.outcomes.setText(", ".join(sorted(o.label for o in case.outcomes)) or
                              ("None recorded" if case.status is CaseStatus.CLOSED else
                               "Recorded when the case is closed"))
        closed = case.status is CaseStatus.CLOSED
        self.state.setText(
            f"Opened {uk_date(case.opened_on)}"
            + (f" · closed {uk_date(case.closed_on)}" if closed else " · open")
            + (f" · referred {uk_date(case.referral_date)}" if case.referral_date else ""))
        self.close_button.setVisible(not closed)
        self.reopen_button.setVisible(closed)
        self.message.clear()

    def clear(self) -> None:
        self._case = None
        self.summary.clear()
        self.paper.clear()

    def save(self) -> None:
        if self._case is None or self.details is None:
            return
        self.message.clear()
        try:
            changed = replace(self.details.apply(self._case),
                              summary=self.summary.toPlainText().strip(),
                              paper_records=self.paper.text().strip())
            saved = cases_service.update_case(self._session, changed)
        except EditConflict:
            self.message.show_message(
                "Someone else changed this case while you were editing. Your changes are "
                "still in the form: press F5 to see theirs, then make yours again.")
            return
        except Exception as exc:
            self.message.show_message(user_message(exc))
            if self.details is not None:
                self.details.focus_for(str(exc)).setFocus()
            return
        self.caseChanged.emit(saved)
        self.message.show_message("Saved.", Tone.SUCCESS)

    def close_case(self) -> None:
        if self._case is None:
            return
        dialog = CloseCaseDialog(self._session, self._case, self)
        if dialog.exec() and dialog.saved is not None:
            self.caseChanged.emit(dialog.saved)

    def reopen_case(self) -> None:
        if self._case is None:
            return
        try:
            saved = cases_service.reopen_case(self._session, self._case)
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return
        self.caseChanged.emit(saved)


class LockedCasePage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Case hidden while locked")
        self.icon = QLabel(self)
        self.icon.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.icon.setAccessibleName("Locked")
        side = self.fontMetrics().height() * 4
        self.icon.setPixmap(icon("locked").pixmap(QSize(side, side)))
        heading = QLabel("This case is hidden while SENDIASS Desktop is locked", self)
        heading.setFont(heading_font(self, 1.3))
        heading.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        heading.setWordWrap(True)
        text = HintLabel("Unlock in the main window. Anything you were writing was kept as a "
                         "draft and comes back when you unlock.", self)
        text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.icon)
        layout.addSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addStretch(3)


class CaseWindow(QMainWindow):
    """A case's window. Raises ``SendiassError`` if the case cannot be opened."""

    caseUpdated = Signal(object)  # Case (for lists that show it)

    def __init__(self, session: Session, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._case_id = case_id
        self._case: Case | None = None
        self._people: dict[int, Person] = {}
        self._names: dict[str, str] = {}
        self._officers: list[Officer] = []
        self._locked = False
        self._resume: dict[str, Any] = {}
        self.setWindowTitle("Case")
        self.setObjectName("caseWindow")
        self.lane = BackgroundLane(session, self)

        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(10, 8, 10, 6)
        outer.setSpacing(8)
        self.safeguarding_bar = SafeguardingBar(central)
        self.safeguarding_bar.viewRequested.connect(lambda: self.show_tab("safeguarding"))
        self.read_only_bar = Banner(Tone.INFO, "Read-only access: you can read this case but "
                                    "not change it.", central, name="Read-only")
        self.read_only_bar.hide()
        self.header = CaseHeader(central)
        self.message = InlineMessage(central, "Case message")
        self.tabs = QTabWidget(central)
        self.tabs.setAccessibleName("Parts of the case")
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(True)

        self.summary = SummaryPanel(session, self)
        self.people = PeoplePanel(session, case_id, self)
        self.notes = NotesPanel(session, case_id, self)
        self.consent = ConsentPanel(session, case_id, self)
        self.safeguarding = SafeguardingPanel(session, case_id, self)
        self.documents = DocumentsPanel(session, case_id, "", self.lane, self)
        self.deadlines = DeadlinesPanel(session, case_id, self)
        self.audit: AuditPanel | None = None
        self._tab_widgets: dict[str, QWidget] = {
            "summary": self.summary, "people": self.people, "notes": self.notes,
            "consent": self.consent, "safeguarding": self.safeguarding,
            "documents": self.documents, "deadlines": self.deadlines,
        }
        titles = {"summary": "Summary", "people": "People", "notes": "Notes",
                  "consent": "Consent", "safeguarding": "Safeguarding",
                  "documents": "Documents", "deadlines": "Deadlines", "audit": "Audit trail"}
        self._titles = titles
        for key in TAB_KEYS[:-1]:
            self.tabs.addTab(self._tab_widgets[key], titles[key])
        if session.can(Permission.VIEW_AUDIT):
            self._add_audit_tab()
        for i in range(self.tabs.count()):
            self.tabs.setTabToolTip(i, f"Alt+{i + 1}")
        self.tabs.currentChanged.connect(self._tab_changed)

        content = QWidget(central)
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(8)
        content_layout.addWidget(self.safeguarding_bar)
        content_layout.addWidget(self.read_only_bar)
        content_layout.addWidget(self.header)
        # Unsaved note text kept from before (a lock, a crash): offered whatever tab is shown.
        content_layout.addWidget(self.notes.draft_bar)
        content_layout.addWidget(self.message)
        content_layout.addWidget(self.tabs, 1)
        self.locked_page = LockedCasePage(central)
        self.pages = QStackedWidget(central)
        self.pages.addWidget(content)
        self.pages.addWidget(self.locked_page)
        self.content = content
        outer.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.notes.status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.notes.notesChanged.connect(self._notes_changed)
        self.notes.showMe.connect(lambda: self.show_tab("notes"))
        self.safeguarding.concernsChanged.connect(self._concerns_changed)
        self.summary.caseChanged.connect(self._case_changed)
        self.people.caseChanged.connect(self._case_changed)
        self.people.peopleChanged.connect(self._people_changed)
        self._build_actions()
        chars = self.fontMetrics().averageCharWidth()
        self.resize(chars * 150, self.fontMetrics().lineSpacing() * 46)
        self.load()  # raises SendiassError if the case cannot be opened

    # --- building ----------------------------------------------------------------------------

    def _add_audit_tab(self) -> None:
        self.audit = AuditPanel(self._session, self._case_id, self.lane, self)
        self._tab_widgets["audit"] = self.audit
        self.tabs.addTab(self.audit, self._titles["audit"])

    def _build_actions(self) -> None:
        self.new_note_action = QAction("&New note", self)
        self.new_note_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_note_action.triggered.connect(self.new_note)
        self.save_note_action = QAction("&Save note", self)
        self.save_note_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_note_action.triggered.connect(self.save_note)
        self.refresh_action = QAction("&Read the case again", self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        if self.refresh_action.shortcut().isEmpty():
            self.refresh_action.setShortcut(QKeySequence("F5"))
        self.refresh_action.triggered.connect(self.refresh)
        self.close_action = QAction("&Close window", self)
        self.close_action.setShortcut(QKeySequence("Ctrl+W"))
        self.close_action.triggered.connect(self.close)
        # Sharing outside the service (services check the role again; hidden if read-only).
        writable = self._session.can(Permission.WRITE_CASES)
        self.extract_action = QAction("Prepare &disclosure extract…", self)
        self.extract_action.triggered.connect(self.prepare_extract)
        self.extract_action.setVisible(writable)
        self.escalation_action = QAction("Raise an &issue with the Local Authority…", self)
        self.escalation_action.triggered.connect(self.raise_issue)
        self.escalation_action.setVisible(writable)
        case_menu = self.menuBar().addMenu("&Case")
        for action in (self.new_note_action, self.save_note_action, self.refresh_action):
            case_menu.addAction(action)
        case_menu.addSeparator()
        case_menu.addAction(self.extract_action)
        case_menu.addAction(self.escalation_action)
        case_menu.addSeparator()
        case_menu.addAction(self.close_action)
        view_menu = self.menuBar().addMenu("&View")
        self.tab_actions: list[QAction] = []
        for i in range(8):
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Alt+{i + 1}"))
            action.triggered.connect(lambda _=False, n=i: self._go_to_tab(n))
            self.addAction(action)
            self.tab_actions.append(action)
        self._refresh_view_menu(view_menu)
        self.view_menu = view_menu
        for keys, step in (("Ctrl+PgDown", 1), ("Ctrl+PgUp", -1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(lambda s=step: self._step_tab(s))
        self._session_actions = [self.new_note_action, self.save_note_action,
                                 self.extract_action, self.escalation_action,
                                 self.refresh_action, *self.tab_actions]

    def _refresh_view_menu(self, menu: Any) -> None:
        menu.clear()
        for i in range(self.tabs.count()):
            action = self.tab_actions[i]
            action.setText(f"&{i + 1} {self.tabs.tabText(i).split(' (')[0]}")
            menu.addAction(action)

    def _go_to_tab(self, number: int) -> None:
        if not self._locked and 0 <= number < self.tabs.count():
            self.tabs.setCurrentIndex(number)
            self.tabs.currentWidget().setFocus()

    def _step_tab(self, step: int) -> None:
        if not self._locked and self.tabs.count():
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    # --- reading the case --------------------------------------------------------------------

    @property
    def session(self) -> Session:
        return self._session

    @property
    def case(self) -> Case | None:
        return self._case

    @property
    def case_id(self) -> int:
        return self._case_id

    @property
    def locked(self) -> bool:
        return self._locked

    def load(self) -> None:
        """Read the whole case file (one audited read) and show it."""
        case_file = cases_service.open_case_file(self._session, self._case_id)
        try:
            self._officers = list_officers(self._session)
        except Exception:
            self._officers = []
        self._names = {o.username: o.display_name for o in self._officers}
        self._apply(case_file)

    def _apply(self, case_file: CaseFile) -> None:
        case = case_file.case
        self._case = case
        self._people = dict(case_file.people)
        self.setWindowTitle(f"Case {case.ref}")
        self.documents.set_case_ref(case.ref)
        self.header.show_case(case, self._people, self._names)
        self.summary.load(case, self._officers)
        self.people.load(case, self._people)
        self.notes.load(case_file.notes, self._names)
        self.consent.load(case, self._people, self._names)
        self.safeguarding.load(case_file.concerns, case_file.notes, self._names)
        self.documents.load(case_file.documents, self._names)
        self.deadlines.load(case_file.deadlines, self._names, self._officers)
        self._concerns_changed(list(case_file.concerns))
        self._notes_changed()
        self._apply_role()
        if self.audit is not None and self.tabs.currentWidget() is self.audit:
            self.audit.refresh()

    def _apply_role(self) -> None:
        """Read-only roles (inspectors) see the case without the controls that change it."""
        writable = self._session.can(Permission.WRITE_CASES)
        self.read_only_bar.setVisible(not writable)
        self.new_note_action.setEnabled(writable)
        self.save_note_action.setEnabled(writable)
        self.notes.new_button.setVisible(writable)
        show_edit_controls(writable, (
            self.summary.save_button, self.summary.close_button, self.summary.reopen_button,
            self.people.add_button, self.people.remove_button, self.people.save_button,
            self.consent.record_button, self.consent.withdraw_button,
            self.consent.override_button,
            self.safeguarding.raise_button, self.safeguarding.update_button,
            self.safeguarding.close_button,
            self.documents.add_button, self.documents.delete_button,
            self.deadlines.ehc_button, self.deadlines.tribunal_button,
            self.deadlines.review_button, self.deadlines.task_button,
            self.deadlines.done_button,
        ))
        make_fields_read_only(writable, (self.summary, self.people.form))
        self.documents.setAcceptDrops(writable)

    def refresh(self) -> None:
        if self._locked:
            return
        self.message.clear()
        try:
            self.load()
        except Exception as exc:
            self.message.show_message(user_message(exc, "The case could not be read again. "
                                                        "Try again in a moment."))
            return
        self.statusBar().showMessage("Case read again.", 5000)

    def _case_changed(self, case: Case) -> None:
        self._case = case
        self.header.show_case(case, self._people, self._names)
        self.summary.load(case, self._officers)
        self.people.load(case, self._people)
        self.consent.load(case, self._people, self._names)
        self.caseUpdated.emit(case)

    def _people_changed(self, people: dict[int, Person]) -> None:
        self._people.update(people)
        if self._case is not None:
            self.header.show_case(self._case, self._people, self._names)

    def _notes_changed(self) -> None:
        notes = self.notes.model.notes()
        self.safeguarding.set_notes(notes)
        index = self.tabs.indexOf(self.notes)
        self.tabs.setTabText(index, f"Notes ({len(notes)})")

    def _concerns_changed(self, concerns: list[SafeguardingConcern]) -> None:
        self.safeguarding_bar.show_concerns(concerns)
        open_count = sum(1 for c in concerns if c.is_open)
        index = self.tabs.indexOf(self.safeguarding)
        if open_count:
            self.tabs.setTabText(index, f"Safeguarding ({open_count} open)")
            self.tabs.setTabIcon(index, icon("safeguarding", safeguarding_colours().border
                                             if is_dark() else safeguarding_colours().background))
        else:
            self.tabs.setTabText(index, "Safeguarding")
            self.tabs.setTabIcon(index, QIcon())

    def _tab_changed(self, index: int) -> None:
        if self.audit is not None and self.tabs.widget(index) is self.audit and \
                not self.audit.loaded and not self._locked:
            self.audit.refresh()

    def show_tab(self, key: str) -> None:
        widget = self._tab_widgets.get(key)
        if widget is not None:
            self.tabs.setCurrentWidget(widget)

    def current_tab(self) -> str:
        widget = self.tabs.currentWidget()
        for key, w in self._tab_widgets.items():
            if w is widget:
                return key
        return ""

    # --- notes -------------------------------------------------------------------------------

    def new_note(self) -> None:
        if self._locked or not self._session.can(Permission.WRITE_CASES):
            return
        self.show_tab("notes")
        self.notes.new_note()

    def save_note(self) -> None:
        if self._locked:
            return
        if self.notes.editor_open():
            self.show_tab("notes")
            self.notes.editor.save()
        elif self.current_tab() == "summary":
            self.summary.save()

    # --- sharing outside the service ---------------------------------------------------------

    def prepare_extract(self) -> QDialog | None:
        """Open "Prepare disclosure extract" (``ui.disclosure_dialog``); returns the dialog."""
        if self._locked or self._case is None or not self._session.can(Permission.WRITE_CASES):
            return None
        from sendiass_desktop.ui.disclosure_dialog import DisclosureDialog

        dialog = DisclosureDialog(self._session, self._case, self._people, self._names, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.overridesChanged.connect(self.consent.refresh)
        dialog.open()
        return dialog

    def raise_issue(self) -> QDialog | None:
        """Open "Raise an issue with the Local Authority" (``ui.escalation_dialog``)."""
        if self._locked or self._case is None or not self._session.can(Permission.WRITE_CASES):
            return None
        from sendiass_desktop.ui.escalation_dialog import EscalationDialog

        dialog = EscalationDialog(self._session, self._case, self._names, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # --- locking and sessions ----------------------------------------------------------------

    def _close_dialogs(self, *, locking: bool = False) -> None:
        """Close every dialog and document viewer. When ``locking``, a dialog making files
        or showing their passphrases is hidden instead, to be shown again on unlocking; a
        window that closes closes it at once (a build still running is asked to stop)."""
        for dialog in self.findChildren(QDialog):
            if isinstance(dialog, ShownOnceDialog):
                if locking and dialog.isVisible() and dialog.keeps_over_lock():
                    dialog.on_lock()
                elif dialog.isVisible() or dialog.locked:
                    dialog.close_now()
            elif dialog.isVisible():
                dialog.reject()
        self.documents.close_viewers()

    def on_lock(self) -> None:
        """Keep what is being written as a draft, and hide and forget everything shown."""
        if self._locked:
            return
        editor_open = self.notes.editor_open()
        kept = self.notes.editor.flush_draft() if editor_open else True
        self._resume = {"tab": self.current_tab(), "editor": editor_open,
                        "note_id": self.notes.editor.note_id, "kept": kept}
        self._locked = True
        self._close_dialogs(locking=True)
        self.lane.shutdown()
        if editor_open and kept:
            self.notes.editor.clear_text()  # it is in the draft now, and comes back from it
            self.notes.right.setCurrentWidget(self.notes.detail)
        for action in self._session_actions:
            action.setEnabled(False)
        self.header.show_case(None, {}, {})
        self.safeguarding_bar.show_concerns([])
        for panel in (self.summary, self.people, self.notes, self.consent, self.safeguarding,
                      self.documents, self.deadlines, self.audit):
            if panel is not None:
                panel.clear()
        self.statusBar().clearMessage()
        self.message.clear()
        self.pages.setCurrentWidget(self.locked_page)

    def set_session(self, session: Session) -> None:
        """A new session after unlocking: read the case again and carry on where we were."""
        if session.user.username != self._session.user.username:
            # Someone else unlocked: this window belonged to the previous person.
            self._session = session
            self.close()
            return
        self._session = session
        self.lane.set_session(session)
        for panel in (self.summary, self.people, self.notes, self.consent, self.safeguarding,
                      self.documents, self.deadlines, self.audit):
            if panel is not None:
                panel.set_session(session)
        if not self._locked:
            self.refresh()
            return
        self._locked = False
        for action in self._session_actions:
            action.setEnabled(True)
        self.pages.setCurrentWidget(self.content)
        try:
            self.load()
        except Exception as exc:
            self.message.show_message(user_message(exc, "The case could not be read again. "
                                                        "Press F5 to try again."))
        resume, self._resume = self._resume, {}
        if resume.get("tab"):
            self.show_tab(str(resume["tab"]))
        if resume.get("editor"):
            self._resume_editor(resume)
        for dialog in self.findChildren(ShownOnceDialog):
            if dialog.locked:  # hidden by the lock while making files or showing passphrases
                dialog.set_session(session)
                dialog.show()

    def _resume_editor(self, resume: dict[str, Any]) -> None:
        note_id = resume.get("note_id")
        if not resume.get("kept"):
            # The draft could not be saved at lock: the text stayed in the editor.
            self.notes.right.setCurrentWidget(self.notes.editor)
            self.notes.editor.focus_body()
            return
        draft = next((d for d in self.notes._drafts if d.note_id == note_id), None)
        if draft is not None:
            self.notes._open_draft(draft)
        elif note_id is None:
            self.notes.new_note()
        else:
            row = self.notes.model.row_of(note_id)
            if row >= 0:
                self.notes.edit_note(self.notes.model.notes()[row])

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.notes.editor_open() and not self._locked and not self.notes.editor.flush_draft():
            answer = QMessageBox.question(
                self, "The note could not be kept",
                "The note you are writing could not be saved as a draft. Close anyway and "
                "lose it?", QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Close:
                event.ignore()
                return
        self._close_dialogs()
        self.lane.shutdown()
        super().closeEvent(event)

