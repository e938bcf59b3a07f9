"""The register of legal requests (rule 5): two different managers decide.

A Local Authority officer asks for a family's records for a legal reason, such
as a judicial review. Anyone who works on cases can register the request
(it often reaches an officer first); only managers approve, refuse, record
the legal basis for sharing without consent, and make the extract.

The table lists every request with its approvals so far ("1 of 2: Dave
Manager"); the panel below says what the selected request needs next, in
words: a second manager other than the one who approved, the legal basis,
or the extract. Nothing can be extracted until two *different* managers have
approved; the service refuses a second approval from the same manager and
its message is shown as it is.

The extract is reviewed item by item in ``ExtractReviewWindow``, a window
round the review the disclosure extract uses too
(``ui.extract_review.ExtractReviewPanel``: the same screen and the same
words; the choices are kept in memory because an extract draft is not
stored), and made with ``BuildExtractDialog``: two encrypted PDFs, the
extract and the family's copy, each with its own passphrase shown once. Both
are generic over the build function, so other extracts can reuse them. Every
action goes through ``services.legal_requests``, which checks the role again
and audits it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from sendiass_desktop.domain.cases import CASE_REF_RE
from sendiass_desktop.domain.consent import OverrideGrounds, ShareBasis
from sendiass_desktop.domain.errors import InvalidInput, NotFound, SendiassError
from sendiass_desktop.domain.redaction import ItemDecision
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services import cases as cases_service
from sendiass_desktop.services import consent as consent_service
from sendiass_desktop.services import legal_requests as legal
from sendiass_desktop.services import lookup
from sendiass_desktop.services.consent import MAX_OVERRIDE_DAYS
from sendiass_desktop.services.disclosure import ExtractDraft, ExtractResult
from sendiass_desktop.services.legal_requests import (
    REQUIRED_APPROVALS,
    LegalRequest,
    LegalStatus,
)
from sendiass_desktop.services.officers import list_officers
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.export_pieces import (
    FileBuildDialog,
    PassphraseBox,
    SaveAsRow,
    free_path,
    register_table,
)
from sendiass_desktop.ui.extract_review import ExtractReviewPanel, result_text
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import (
    DateField,
    FormDialog,
    button,
    uk_date,
    uk_datetime,
    user_message,
)
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.progress import too_late_text
from sendiass_desktop.ui.search_picker import SearchPicker
from sendiass_desktop.ui.sizing import expand_horizontally, fit_height
from sendiass_desktop.ui.table_model import HeaderedTableModel
from sendiass_desktop.ui.theme import Tone, heading_font
from sendiass_desktop.ui.views import BackgroundLane
from sendiass_desktop.ui.workers import ProgressCallback

ModelIndex = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
OPEN_STATUSES = (LegalStatus.AWAITING_APPROVAL, LegalStatus.APPROVED)
NOT_ALLOWED = "Your role does not include legal requests."
MANAGERS_ONLY = ("Only a manager can approve or refuse a request, record the legal basis "
                 "for sharing without consent, or make the extract. You can register "
                 "requests, and see how each one stands.")
NUMBER_WORDS = {1: "one", 2: "two", 3: "three"}


def _number(n: int) -> str:
    return NUMBER_WORDS.get(n, str(n))


# --- what the register shows ----------------------------------------------------------------


@dataclass(frozen=True)
class SubjectBasis:
    """One person whose consent the disclosure needs, and what allows it (if anything)."""

    role: str  # "the parent or carer", "the young person": never a name
    text: str  # "consent recorded", "no consent to share records with the Local Authority"
    missing: bool  # neither consent nor a legal-obligation override


@dataclass(frozen=True)
class RegisterData:
    """Everything the register shows, read in one go off the UI thread."""

    rows: list[LegalRequest]
    case_refs: dict[int, str]
    names: dict[str, str]  # username -> display name
    basis: dict[int, tuple[SubjectBasis, ...] | None] = field(default_factory=dict)
    basis_errors: dict[int, str] = field(default_factory=dict)


def _basis_for(session: Session, request: LegalRequest, names: Mapping[str, str]
               ) -> tuple[SubjectBasis, ...]:
    assert request.id is not None and request.case_id is not None
    overrides = {o.id: o for o in consent_service.overrides_for_case(session, request.case_id)}
    out = []
    for subject in legal.sharing_basis(session, request.id):
        share = subject.share
        if share is None or not share.allowed:
            out.append(SubjectBasis(subject.role, "no consent to share records with the Local "
                                    "Authority", True))
        elif share.basis is ShareBasis.CONSENT:
            out.append(SubjectBasis(subject.role, "consent recorded", False))
        else:
            found = overrides.get(share.override_id)
            if found is not None and found.grounds is OverrideGrounds.LEGAL_OBLIGATION:
                who = names.get(found.decided_by, found.decided_by)
                out.append(SubjectBasis(
                    subject.role, f"no consent; legal basis recorded by {who} on "
                    f"{uk_date(found.decided_at.date())}, until {uk_date(found.valid_until)}",
                    False))
            else:
                out.append(SubjectBasis(
                    subject.role, "no consent; only a safeguarding override, which does not "
                    "count for a legal request", True))
    return tuple(out)


def load_register(session: Session, known_refs: Mapping[int, str]) -> RegisterData:
    """The register with case references, managers' names and, for open requests, the
    basis for sharing. Runs on the background connection."""
    rows = legal.legal_requests(session)
    names = {o.username: o.display_name for o in list_officers(session)}
    refs: dict[int, str] = {}
    for case_id in sorted({r.case_id for r in rows if r.case_id is not None}):
        if case_id in known_refs:
            refs[case_id] = known_refs[case_id]
            continue
        try:
            refs[case_id] = cases_service.get_case(session, case_id).ref
        except NotFound:
            refs[case_id] = "(no longer held)"
    data = RegisterData(rows, refs, names)
    for r in rows:
        if r.id is None or r.status not in OPEN_STATUSES:
            continue
        if r.case_id is None:
            data.basis[r.id] = None
            data.basis_errors[r.id] = "The case is no longer held."
            continue
        try:
            data.basis[r.id] = _basis_for(session, r, names)
        except SendiassError as exc:
            data.basis[r.id] = None
            data.basis_errors[r.id] = user_message(exc)
    return data


def _name(names: Mapping[str, str], username: str) -> str:
    return names.get(username, username)


def _names(names: Mapping[str, str], usernames: tuple[str, ...]) -> str:
    return " and ".join(_name(names, u) for u in usernames)


def status_text(request: LegalRequest) -> str:
    if request.status is LegalStatus.AWAITING_APPROVAL:
        if len(request.approved_by) >= 1:
            return "Awaiting a second manager's approval"
        return "Awaiting approval by two managers"
    return request.status.label


def approvals_text(request: LegalRequest, names: Mapping[str, str]) -> str:
    """"1 of 2: Dave Manager"; refusals are named too."""
    approved = request.approved_by
    text = f"{len(approved)} of {REQUIRED_APPROVALS}"
    if approved:
        text += ": " + ", ".join(_name(names, u) for u in approved)
    if request.refused_by:
        text += "; refused by " + ", ".join(_name(names, u) for u in request.refused_by)
    return text


def last_decision(request: LegalRequest) -> datetime | None:
    return max((a.decided_at for a in request.approvals), default=None)


def next_step(request: LegalRequest, names: Mapping[str, str], me: str,
              basis: tuple[SubjectBasis, ...] | None) -> str:
    """What the request needs next, in plain words."""
    approved = request.approved_by
    if request.status is LegalStatus.REFUSED:
        return ("Refused. Nothing will be extracted for this request; a refused request "
                "cannot be reopened.")
    if request.status is LegalStatus.EXTRACTED:
        how = ("with the family's consent" if request.consent_recorded
               else "on the legal basis recorded, without the family's consent")
        return (f"The extract and the family's copy were made and logged, {how}. Nothing "
                "more is needed.")
    missing = [s.role for s in basis or () if s.missing]
    basis_line = ""
    if missing:
        basis_line = (f" There is no consent from {' and '.join(missing)}: a manager must "
                      "also record the legal basis for sharing without consent.")
    if request.status is LegalStatus.AWAITING_APPROVAL:
        if not approved:
            return ("Needs approval from two different managers before anything can be "
                    "extracted." + basis_line)
        others = len(approved)
        still = REQUIRED_APPROVALS - others
        who = _names(names, approved)
        line = (f"Approved by {who}. Needs {_number(still)} more approval"
                f"{'' if still == 1 else 's'}, from a manager other than {who}.")
        if me in approved:
            line += " You have approved it already, so another manager must approve it."
        return line + basis_line
    # Approved by two managers.
    if missing:
        return ("Approved by two managers. Before the extract can be made, record the legal "
                f"basis for sharing without consent: there is no consent from "
                f"{' and '.join(missing)}.")
    return ("Approved by two managers. A manager can now prepare the extract; a copy of "
            "exactly what is sent goes to the family.")


class LegalRequestsModel(HeaderedTableModel):
    HEADERS: ClassVar[tuple[str, ...]] = (
        "Reference", "Case", "Requesting body", "Received", "Status", "Approvals",
        "Last decision")
    REF, CASE, BODY, RECEIVED, STATUS, APPROVALS, DECIDED = range(7)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[LegalRequest] = []
        self._refs: dict[int, str] = {}
        self._names: dict[str, str] = {}

    def set_rows(self, rows: list[LegalRequest], refs: Mapping[int, str],
                 names: Mapping[str, str]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._refs = dict(refs)
        self._names = dict(names)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([], {}, {})

    def _row_count(self) -> int:
        return len(self._rows)

    def row_at(self, row: int) -> LegalRequest:
        return self._rows[row]

    def row_of(self, request_id: int) -> int:
        for n, r in enumerate(self._rows):
            if r.id == request_id:
                return n
        return -1

    def case_ref(self, request: LegalRequest) -> str:
        if request.case_id is None:
            return "(no longer held)"
        return self._refs.get(request.case_id, "")

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        request = self._rows[index.row()]
        if role == ROW_ROLE:
            return request
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == self.BODY:
            return request.requesting_body
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        column = index.column()
        if column == self.REF:
            return request.ref
        if column == self.CASE:
            return self.case_ref(request)
        if column == self.BODY:
            return request.requesting_body
        if column == self.RECEIVED:
            return uk_date(request.received_on)
        if column == self.STATUS:
            return status_text(request)
        if column == self.APPROVALS:
            return approvals_text(request, self._names)
        decided = last_decision(request)
        return uk_date(decided.date() if decided else None, "—")


# --- choosing the case ---------------------------------------------------------------------


def _looks_like_case_ref(text: str) -> bool:
    return bool(CASE_REF_RE.fullmatch(text.strip()))


class CasePicker(SearchPicker):
    """Type a case reference (or a person's name), press Find, choose the case."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(placeholder="Case reference, or a person's name or P-reference",
                         search_name="Search for the case", find_text="F&ind",
                         find_tip="Find the case", results_name="Cases matching the search",
                         parent=parent)
        self._session = session
        self.find_button.clicked.connect(self.search_cases)
        self.search.returnPressed.connect(self.search_cases)

    def search_cases(self) -> None:
        self.results.clear()
        text = self.search.text().strip()
        if not text:
            self.say("Type a case reference, such as SEN-2026-0142, or a person's name.")
            return
        hits: list[tuple[str, object]] = []
        try:
            if _looks_like_case_ref(text):
                try:
                    case = cases_service.get_case(self._session, text)
                    hits.append((f"{case.ref} (opened {uk_date(case.opened_on)})", case.ref))
                except NotFound:
                    pass
            message = ""
            if not hits:
                found = lookup.find_people(self._session, text)
                message = found.message or ""
                for hit in found.hits:
                    p = hit.person
                    for ref in hit.case_refs:
                        hits.append((f"{ref} — {p.display_name}, {p.role.label} ({p.ref})",
                                     ref))
        except SendiassError as exc:
            self.say(user_message(exc))
            return
        self.show_matches(hits, message or "No case matches. Check the reference, or search "
                                           "by a person's name.")

    def case_ref(self) -> str | None:
        value = self.chosen()
        return value if isinstance(value, str) else None


# --- dialogs ---------------------------------------------------------------------------------


def _text_box(parent: QWidget, name: str, lines: int = 3, placeholder: str = ""
              ) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setAccessibleName(name)
    box.setTabChangesFocus(True)
    box.setPlaceholderText(placeholder)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 16)
    return box


class RegisterLegalRequestDialog(FormDialog):
    """Add a request to the register: the case, who asks, on what legal basis, for what."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(
            "Register a legal request",
            "For a request for a family's records for a legal reason, such as a judicial "
            "review. Two different managers must approve it before anything is extracted; "
            "a copy of what is sent goes to the family.", "Register request", parent,
            width_chars=100)
        self._session = session
        self.saved: LegalRequest | None = None
        self.case = CasePicker(session, self)
        self.body = QLineEdit(self)
        self.body.setAccessibleName("Requesting body")
        self.body.setMaxLength(legal.MAX_BODY)
        self.body.setPlaceholderText("for example Northshire County Council, legal services")
        self.basis = _text_box(self, "Legal basis given for the request", 3,
                               "for example Judicial review claim; CPR Part 31 disclosure")
        self.description = _text_box(self, "Records asked for", 3,
                                     "for example All records about the EHC needs "
                                     "assessment since January 2025")
        self.received = DateField("Date received", self, optional=False, value=date.today(),
                                  what="date the request was received")
        case_label = QLabel("&Case:", self)
        case_label.setBuddy(self.case.search)
        self.form.addRow(case_label, self.case)
        self.form.addRow(self._label("Requesting &body:", self.body), self.body)
        self.form.addRow(self._label("&Legal basis:", self.basis), self.basis)
        self.form.addRow(self._label("Records &asked for:", self.description),
                         self.description)
        self.form.addRow(self._label("Recei&ved on:", self.received), self.received)

    def _label(self, text: str, field: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(field)
        return label

    def submit(self) -> None:
        try:
            ref = self.case.case_ref()
            if ref is None:
                raise InvalidInput("Find and choose the case the request is about.")
            received = self.received.date_value()
            assert received is not None
            case = cases_service.get_case(self._session, ref)
            assert case.id is not None
            self.saved = legal.register_legal_request(
                self._session, case.id, self.body.text(), self.basis.toPlainText(),
                self.description.toPlainText(), received)
        except SendiassError as exc:
            self.fail(exc)
            return
        self.accept()


class _RequestDialog(FormDialog):
    """A decision on one request; the service's refusal shows inline, in its words."""

    def __init__(self, title: str, intro: str, ok_text: str, session: Session,
                 request: LegalRequest, parent: QWidget | None) -> None:
        super().__init__(title, intro, ok_text, parent, width_chars=80)
        assert request.id is not None
        self._session = session
        self.request = request
        self.request_id = request.id
        self.saved: Any = None

    def action(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def submit(self) -> None:
        self.message.clear()
        try:
            self.saved = self.action()
        except SendiassError as exc:
            self.fail(exc)
            return
        self.accept()


class ApproveDialog(_RequestDialog):
    def __init__(self, session: Session, request: LegalRequest, names: Mapping[str, str],
                 parent: QWidget | None = None) -> None:
        approved = request.approved_by
        so_far = (f"Approved so far by {_names(names, approved)}." if approved
                  else "Nobody has approved it yet.")
        if session.user.username in approved:
            so_far += " You have approved it already: another manager must approve it."
        else:
            so_far += " Your approval is recorded under your name."
        super().__init__(
            f"Approve {request.ref}",
            f"Two different managers must approve a legal request before anything is "
            f"extracted. {so_far}", "Approve request", session, request, parent)
        self.note = _text_box(self, "Note on the approval (optional)", 3,
                              "for example Proportionate: limited to the EHC assessment")
        label = QLabel("&Note:", self)
        label.setBuddy(self.note)
        self.form.addRow(label, self.note)
        self.form.addRow("", HintLabel("Optional. Kept in the register, never sent.", self))

    def action(self) -> LegalRequest:
        return legal.approve(self._session, self.request_id, self.note.toPlainText())


class RefuseDialog(_RequestDialog):
    def __init__(self, session: Session, request: LegalRequest,
                 parent: QWidget | None = None) -> None:
        super().__init__(
            f"Refuse {request.ref}",
            "A refusal by any one manager refuses the request, even after approvals. It "
            "cannot be undone. Give the reason, to be kept in the register.",
            "Refuse request", session, request, parent)
        self.reason = _text_box(self, "Reason for refusing", 4)
        label = QLabel("&Reason:", self)
        label.setBuddy(self.reason)
        self.form.addRow(label, self.reason)

    def action(self) -> LegalRequest:
        return legal.refuse(self._session, self.request_id, self.reason.toPlainText())


class RecordLegalBasisDialog(_RequestDialog):
    """Where the family has not consented: the legal obligation to disclose, as an override."""

    def __init__(self, session: Session, request: LegalRequest,
                 basis: tuple[SubjectBasis, ...] | None,
                 parent: QWidget | None = None) -> None:
        missing = [s.role for s in basis or () if s.missing]
        who = " and ".join(missing) if missing else "the family"
        super().__init__(
            "Record the legal basis",
            f"There is no consent from {who} to share records with the Local Authority. "
            "If the law requires the disclosure (a court order, for example), record that "
            "here. Your name, the date and the justification are kept with the case's "
            "consent records and in the audit trail.",
            "Record legal basis", session, request, parent)
        self.justification = _text_box(
            self, "Justification", 5,
            "Which order or law requires the disclosure, and why it is necessary and "
            "proportionate.")
        label = QLabel("&Justification:", self)
        label.setBuddy(self.justification)
        self.until = DateField("Legal basis lasts until", self, optional=False,
                               value=date.today() + timedelta(days=MAX_OVERRIDE_DAYS),
                               what="date the legal basis lasts until")
        until_label = QLabel("&Lasts until:", self)
        until_label.setBuddy(self.until)
        self.form.addRow(label, self.justification)
        self.form.addRow(until_label, self.until)
        self.form.addRow("", HintLabel(
            f"At most {MAX_OVERRIDE_DAYS} days from today. The extract must be made "
            "before then.", self))

    def action(self) -> list[Any]:
        until = self.until.date_value()
        return legal.record_legal_basis(self._session, self.request_id,
                                        self.justification.toPlainText(), until)


# --- reviewing and making an extract -----------------------------------------------------


# (background session, decisions, extract path, family copy path, progress) -> result
ExtractWork = Callable[[Session, Mapping[str, ItemDecision], Path, Path, ProgressCallback],
                       ExtractResult]


class ExtractReviewWindow(QWidget):
    """A window of its own: the extract review shared with the disclosure extract
    (``ui.extract_review.ExtractReviewPanel``) over a request's draft, and "Make the
    extract…".

    The choices stay in memory (an extract draft is not stored): the idle lock
    hides this window rather than closing it, and closing it forgets them.
    """

    closed = Signal()
    extracted = Signal(object)  # the ExtractResult

    def __init__(self, session: Session, draft: ExtractDraft, build: ExtractWork,
                 parent: QWidget | None = None,
                 track: Callable[[QWidget], None] | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.draft = draft
        self._build = build
        self._track = track
        self.build_dialog: BuildExtractDialog | None = None
        self.extract_result: ExtractResult | None = None
        ref = draft.reference
        self.setWindowTitle(f"Extract for {ref}")
        self.setAccessibleName(f"Review of the extract for {ref}")
        heading = QLabel(f"Choose what to send for {ref}", self)
        heading.setFont(heading_font(self, 1.3))
        intro = HintLabel(
            f"For {draft.recipient_name}; the family gets a copy of exactly what is sent. "
            "Your choices are kept until you close this window.", self)
        intro.setAccessibleName("About this extract")
        self.review = ExtractReviewPanel(session, self)
        self.review.changed.connect(self._update_build)
        self.build_button = button("&Make the extract…", "Make the extract", self,
                                   tip="Make the extract and the family's copy from these "
                                       "choices")
        self.build_button.clicked.connect(self.make_extract)
        self.close_button = button("Close", parent=self)
        self.close_button.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.build_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.review, 1)
        layout.addLayout(bottom)
        self.resize(1200, 720)
        self.review.set_draft(draft)
        self._update_build()
        self.review.table.setFocus()

    @property
    def decisions(self) -> dict[str, ItemDecision]:
        """The manager's own choices (items not here take the app's suggestion)."""
        return self.review.decisions()

    def set_session(self, session: Session) -> None:
        self.review.set_session(session)
        if self.build_dialog is not None:
            self.build_dialog.set_session(session)

    def _update_build(self) -> None:
        self.build_button.setEnabled(self.extract_result is None
                                     and self.review.sends_anything())

    def make_extract(self) -> BuildExtractDialog:
        dialog = BuildExtractDialog(self.review.session, self.draft, self.decisions,
                                    self._build, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.built.connect(self._built)
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        self.build_dialog = dialog
        if self._track is not None:
            self._track(dialog)
        dialog.open()
        return dialog

    def _built(self, result: ExtractResult) -> None:
        self.extract_result = result
        self._update_build()
        self.extracted.emit(result)

    def _dialog_closed(self, dialog: BuildExtractDialog) -> None:
        if self.build_dialog is dialog:
            self.build_dialog = None
        if self.extract_result is not None:
            self.close()  # the draft is used up: the request is answered

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.build_dialog is not None and self.build_dialog.busy:
            event.ignore()  # the files are being written: wait for the passphrases
            return
        self.review.clear()
        super().closeEvent(event)
        self.closed.emit()


class BuildExtractDialog(FileBuildDialog):
    """Two files, progress, then each file's passphrase, shown once.

    Generic over ``build``: it writes the extract and the family's copy and
    returns the ``ExtractResult``. The frame, passphrase boxes and save-as rows
    are the shared ``ui.export_pieces`` ones, as in the SAR pack dialog: Esc or
    closing while the files are being made is Cancel, and the dialog stays open
    until the build ends; locking hides it and unlocking shows it again.
    """

    built = Signal(object)  # the ExtractResult

    def __init__(self, session: Session, draft: ExtractDraft,
                 decisions: Mapping[str, ItemDecision], build: ExtractWork,
                 parent: QWidget | None = None) -> None:
        ref = draft.reference
        super().__init__(
            session, f"Make the extract for {ref}", f"Make the extract for {ref}",
            f"Two PDF files are made from the same choices: the extract for "
            f"{draft.recipient_name}, and the family's copy of exactly what was sent. Each "
            "is encrypted with its own passphrase, shown once when the files are ready. "
            "Items left out and redacted words never reach either file.",
            build_text="&Make extract", what="file", progress_name="Making the extract",
            message_name="Extract message", width_chars=110, parent=parent)
        self.draft = draft
        self._decisions = dict(decisions)
        self._build = build
        self.extract_result: ExtractResult | None = None
        self.save_as = SaveAsRow("&Extract:", "Save the extract as", "&Choose…",
                                 "PDF files (*.pdf)", self)
        self.family_save_as = SaveAsRow("&Family's copy:", "Save the family's copy as",
                                        "C&hoose…", "PDF files (*.pdf)", self)
        main = free_path(Path.home(), f"{ref}-extract")
        self.save_as.set_path(main)
        self.family_save_as.set_path(free_path(main.parent, f"{main.stem}-family-copy"))
        width = max(self.save_as.label.sizeHint().width(),
                    self.family_save_as.label.sizeHint().width())
        for row in (self.save_as, self.family_save_as):
            row.label.setMinimumWidth(width)
        self.add_inputs(self.save_as, self.family_save_as)
        self.done_label = QLabel(self)
        self.done_label.setWordWrap(True)
        self.done_label.setAccessibleName("Files made")
        self.done_label.hide()
        self.passphrase = PassphraseBox("Passphrase for the extract", "C&opy", self)
        self.family_passphrase = PassphraseBox("Passphrase for the family's copy", "Cop&y",
                                               self)
        self.add_results(self.done_label, self.passphrase, self.family_passphrase)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def build(self) -> None:
        if self.busy or self.extract_result is not None:
            return
        out_text, family_text = self.save_as.text(), self.family_save_as.text()
        if not out_text or not family_text:
            self.message.show_message(user_message(InvalidInput(
                "Choose where to save the extract and the family's copy.")))
            return
        out, family = Path(out_text).expanduser(), Path(family_text).expanduser()
        decisions, work = self._decisions, self._build
        self.start(lambda session, progress: work(session, decisions, out, family, progress))

    def show_result(self, result: ExtractResult) -> None:
        self.extract_result = result
        self._decisions.clear()
        extract, family = result.extract, result.family_copy
        pages = "page" if extract.page_count == 1 else "pages"
        self.done_label.setText(
            f"Saved {extract.path.name} ({extract.page_count} {pages})"
            + (f" and {family.path.name}" if family is not None else "")
            + f" in {extract.path.parent}. {result_text(result)}")
        self.done_label.show()
        whom = self.draft.recipient_name
        self.passphrase.show_for(f"The extract, for {whom}", extract.passphrase, whom)
        if family is not None:
            self.family_passphrase.show_for(f"The family's copy, for {family.recipient}",
                                            family.passphrase, family.recipient)
        self.message.show_message("Both files are written and logged as disclosures.",
                                  Tone.SUCCESS)
        self.passphrase.field.setFocus()
        self.passphrase.field.selectAll()
        self.built.emit(result)

    def too_late_text(self, result: ExtractResult) -> str:
        if result.family_copy is None:
            return too_late_text("extract")
        return too_late_text("extract and the family's copy", plural=True)

    def _forget(self) -> None:
        self._decisions.clear()
        super()._forget()


# --- the view ------------------------------------------------------------------------------


def _value_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.setAccessibleName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    expand_horizontally(label)  # wrapped text takes the width on offer, not a narrow column
    return label


class LegalRequestsView(QWidget):
    """The register of legal requests, with the decisions and the extract."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._data = RegisterData([], {}, {})
        self._refs: dict[int, str] = {}
        self._generation = 0
        self._stale = True
        self._select_next: int | None = None
        self._preparing = False
        self.review_windows: list[ExtractReviewWindow] = []
        self.dialog: QDialog | None = None  # the last dialog opened (tests look at it)
        self.setAccessibleName("Legal requests")
        self.lane = BackgroundLane(session, self)

        heading = QLabel("Legal requests", self)
        heading.setFont(heading_font(self, 1.3))
        self.intro = HintLabel(
            "Requests for a family's records for a legal reason, such as a judicial review. "
            "Two different managers must approve each one before anything is extracted, and "
            "a copy of what is sent goes to the family.", self)
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Summary")
        self.summary.setWordWrap(True)
        self.message = InlineMessage(self, "Legal requests message")
        self.model = LegalRequestsModel(self)
        self.table = register_table(self.model, "Register of legal requests", "Request rows",
                                    "Register columns", LegalRequestsModel.BODY, self)
        self.table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._show_selected())

        # What the selected request is, and what it needs next.
        self.details = QFrame(self)
        self.details.setFrameShape(QFrame.Shape.StyledPanel)
        self.details.setAccessibleName("The selected request")
        self.details_heading = QLabel(self.details)
        self.details_heading.setFont(heading_font(self, 1.1))
        self.details_heading.setAccessibleName("Selected request")
        self.next_step = QLabel(self.details)
        self.next_step.setWordWrap(True)
        expand_horizontally(self.next_step)
        self.next_step.setAccessibleName("What happens next")
        bold = QFont(self.next_step.font())
        bold.setBold(True)
        self.next_step.setFont(bold)
        self.case_value = _value_label(self.details, "Case")
        self.basis_value = _value_label(self.details, "Legal basis given")
        self.description_value = _value_label(self.details, "Records asked for")
        self.registered_value = _value_label(self.details, "Registered")
        self.decisions_value = _value_label(self.details, "Decisions")
        self.consent_value = _value_label(self.details, "Consent")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        for text, value in (("Case:", self.case_value),
                            ("Legal basis given:", self.basis_value),
                            ("Records asked for:", self.description_value),
                            ("Registered:", self.registered_value),
                            ("Decisions:", self.decisions_value),
                            ("Consent:", self.consent_value)):
            form.addRow(text, value)
        self.empty_details = HintLabel("Choose a request in the register to see how it "
                                       "stands.", self.details)
        details_layout = QVBoxLayout(self.details)
        details_layout.setContentsMargins(12, 10, 12, 10)
        details_layout.setSpacing(6)
        details_layout.addWidget(self.details_heading)
        details_layout.addWidget(self.next_step)
        details_layout.addLayout(form)
        details_layout.addWidget(self.empty_details)
        self._detail_widgets: list[QWidget] = [self.details_heading, self.next_step]
        self._form = form

        self.register_button = button("Re&gister legal request…", "Register legal request",
                                      self, icon_name="add")
        self.approve_button = button("&Approve…", "Approve the selected request", self,
                                     tip="Two different managers must approve")
        self.refuse_button = button("Refu&se…", "Refuse the selected request", self)
        self.basis_button = button("Record legal &basis…", "Record the legal basis", self,
                                   tip="Where the family has not consented")
        self.prepare_button = button("&Prepare extract…", "Prepare the extract", self,
                                     tip="Once two managers have approved")
        self.role_hint = HintLabel(MANAGERS_ONLY, self)
        self.register_button.clicked.connect(self.register_request)
        self.approve_button.clicked.connect(self.approve_selected)
        self.refuse_button.clicked.connect(self.refuse_selected)
        self.basis_button.clicked.connect(self.record_basis_selected)
        self.prepare_button.clicked.connect(self.prepare_extract)
        self.table.doubleClicked.connect(lambda _i: self._default_action())

        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.register_button)
        actions = QHBoxLayout()
        for b in (self.approve_button, self.refuse_button, self.basis_button):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.prepare_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.intro)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.role_hint)
        layout.addWidget(self.details)
        self._apply_role()
        self._show_selected()
        self._request_load()

    # --- session ------------------------------------------------------------------------------

    @property
    def session(self) -> Session:
        return self._session

    @property
    def allowed(self) -> bool:
        return self._session.can(Permission.WRITE_CASES)

    @property
    def manager(self) -> bool:
        return self._session.can(Permission.APPROVE_DISCLOSURES)

    @property
    def loading(self) -> bool:
        return self.lane.busy

    def set_session(self, session: Session) -> None:
        self._session = session
        self.lane.set_session(session)
        for window in self.review_windows:
            window.set_session(session)
        self._apply_role()
        self._stale = True
        self._request_load()

    def on_lock(self) -> None:
        self._generation += 1
        self._preparing = False
        self.lane.shutdown()
        self.model.clear()
        self._data = RegisterData([], {}, {})
        self.summary.setText("")
        self.message.clear()
        self._stale = True
        self._show_selected()

    def _apply_role(self) -> None:
        self.register_button.setEnabled(self.allowed)
        self.role_hint.setVisible(self.allowed and not self.manager)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _request_load(self) -> None:
        # Read the register when it is first shown, not whenever the window opens.
        if self.isVisible():
            self.refresh()

    # --- loading --------------------------------------------------------------------------

    def refresh(self) -> None:
        self._stale = False
        if not self.allowed:
            # Never ask the service for a register this role does not get.
            self.model.clear()
            self.summary.setText(NOT_ALLOWED)
            self._show_selected()
            return
        self._generation += 1
        generation = self._generation
        known = dict(self._refs)
        if not self.model.rowCount():
            self.summary.setText("Loading…")
        self.lane.submit(lambda session: load_register(session, known),
                         lambda data: self._loaded(generation, data),
                         lambda exc: self._failed(generation, exc), key="register")

    def _loaded(self, generation: int, data: RegisterData) -> None:
        if generation != self._generation:
            return
        current = self.selected_request()
        keep = self._select_next or (current.id if current is not None else None)
        self._select_next = None
        self._data = data
        self._refs.update(data.case_refs)
        self.model.set_rows(data.rows, data.case_refs, data.names)
        counts = {s: sum(r.status is s for r in data.rows) for s in LegalStatus}
        parts = [f"{counts[LegalStatus.AWAITING_APPROVAL]:,} awaiting approval",
                 f"{counts[LegalStatus.APPROVED]:,} approved",
                 f"{counts[LegalStatus.EXTRACTED]:,} extract sent",
                 f"{counts[LegalStatus.REFUSED]:,} refused"]
        total = len(data.rows)
        self.summary.setText(f"{total:,} {'request' if total == 1 else 'requests'}: "
                             + ", ".join(parts) + ".")
        if keep is not None:
            self.select(keep)
        elif data.rows and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        self._show_selected()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.summary.setText("")
        self.message.show_message(user_message(exc))

    def select(self, request_id: int) -> None:
        row = self.model.row_of(request_id)
        if row >= 0:
            self.table.selectRow(row)

    def selected_request(self) -> LegalRequest | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row_at(index.row())

    def basis(self, request: LegalRequest) -> tuple[SubjectBasis, ...] | None:
        return self._data.basis.get(request.id or -1)

    def basis_missing(self, request: LegalRequest) -> bool:
        return any(s.missing for s in self.basis(request) or ())

    # --- the selected request -------------------------------------------------------------

    def _show_selected(self) -> None:
        request = self.selected_request()
        shown = request is not None
        for w in (*self._detail_widgets, *self._form_widgets()):
            w.setVisible(shown)
        self.empty_details.setVisible(not shown)
        self._update_buttons()
        if request is None:
            return
        names = self._data.names
        self.details_heading.setText(f"{request.ref} — {request.requesting_body}")
        self.next_step.setText(next_step(request, names, self._session.user.username,
                                         self.basis(request)))
        self.case_value.setText(self.model.case_ref(request))
        self.basis_value.setText(request.legal_basis)
        self.description_value.setText(request.description)
        registered = (f"Received {uk_date(request.received_on)}; registered by "
                      f"{_name(names, request.created_by)}")
        if request.created_at is not None:
            registered += f" on {uk_date(request.created_at.date())}"
        self.registered_value.setText(registered + ".")
        lines = []
        for a in request.approvals:
            line = (f"{a.decision.label} by {_name(names, a.manager)} on "
                    f"{uk_datetime(a.decided_at)}")
            if a.reason:
                line += f": “{a.reason}”"
            lines.append(line)
        count = len(request.approved_by)
        lines.append(f"{count} of the {REQUIRED_APPROVALS} approvals needed, from different "
                     "managers." if request.status is not LegalStatus.REFUSED
                     else "Refused: no more approvals can be given.")
        self.decisions_value.setText("\n".join(lines))
        self.consent_value.setText(self._consent_text(request))

    def _form_widgets(self) -> list[QWidget]:
        widgets: list[QWidget] = []
        for row in range(self._form.rowCount()):
            for role in (QFormLayout.ItemRole.LabelRole, QFormLayout.ItemRole.FieldRole):
                item = self._form.itemAt(row, role)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widgets.append(widget)
        return widgets

    def _consent_text(self, request: LegalRequest) -> str:
        if request.status is LegalStatus.EXTRACTED:
            return ("The family had consented." if request.consent_recorded
                    else "Sent on the legal basis recorded, without the family's consent.")
        if request.status is LegalStatus.REFUSED:
            return "Not needed: the request was refused."
        error = self._data.basis_errors.get(request.id or -1)
        if error:
            return error
        basis = self.basis(request)
        if not basis:
            return "Not known yet."
        return "\n".join(f"{s.role[0].upper()}{s.role[1:]}: {s.text}." for s in basis)

    def _update_buttons(self) -> None:
        request = self.selected_request()
        manager = self.allowed and self.manager
        status = request.status if request is not None else None
        open_ = status in OPEN_STATUSES
        self.approve_button.setEnabled(manager and status is LegalStatus.AWAITING_APPROVAL)
        self.refuse_button.setEnabled(manager and open_)
        self.basis_button.setEnabled(manager and open_ and request is not None
                                     and self.basis_missing(request))
        self.prepare_button.setEnabled(manager and status is LegalStatus.APPROVED
                                       and request is not None
                                       and not self.basis_missing(request)
                                       and request.id not in self._data.basis_errors
                                       and not self._preparing)

    def _default_action(self) -> None:
        if self.prepare_button.isEnabled():
            self.prepare_extract()
        elif self.approve_button.isEnabled():
            self.approve_selected()

    # --- actions ----------------------------------------------------------------------------

    def _open(self, dialog: QDialog, done: Callable[[Any], None]) -> QDialog:
        previous = self.dialog
        if previous is not None and isValid(previous) and not previous.isVisible():
            previous.deleteLater()  # closed dialogs do not pile up under the view
        dialog.accepted.connect(lambda: done(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def register_request(self) -> RegisterLegalRequestDialog:
        self.message.clear()
        dialog = RegisterLegalRequestDialog(self._session, self)

        def registered(d: RegisterLegalRequestDialog) -> None:
            if d.saved is not None:
                self._changed(d.saved, f"{d.saved.ref} added to the register. It needs "
                              "approval from two different managers before anything is "
                              "extracted.")

        self._open(dialog, registered)
        return dialog

    def approve_selected(self) -> ApproveDialog | None:
        request = self.selected_request()
        if request is None:
            return None
        self.message.clear()
        dialog = ApproveDialog(self._session, request, self._data.names, self)

        def approved(d: ApproveDialog) -> None:
            saved: LegalRequest | None = d.saved
            if saved is None:
                return
            if saved.status is LegalStatus.APPROVED:
                text = f"{saved.ref} is approved by two managers."
            else:
                text = (f"Your approval of {saved.ref} is recorded. A second manager, other "
                        "than you, must approve it too.")
            self._changed(saved, text)

        self._open(dialog, approved)
        return dialog

    def refuse_selected(self) -> RefuseDialog | None:
        request = self.selected_request()
        if request is None:
            return None
        self.message.clear()
        dialog = RefuseDialog(self._session, request, self)
        self._open(dialog, lambda d: self._changed(
            d.saved, f"{request.ref} is refused. Nothing will be extracted for it."))
        return dialog

    def record_basis_selected(self) -> RecordLegalBasisDialog | None:
        request = self.selected_request()
        if request is None:
            return None
        self.message.clear()
        dialog = RecordLegalBasisDialog(self._session, request, self.basis(request), self)
        self._open(dialog, lambda d: self._changed(
            request, "The legal basis for sharing without consent is recorded."
            if d.saved else "Consent or the legal basis was already recorded for everyone."))
        return dialog

    def _changed(self, request: LegalRequest | None, text: str) -> None:
        if request is not None and request.id is not None:
            self._select_next = request.id  # once the register is read again
        self.refresh()
        if text:
            self.message.show_message(text, Tone.SUCCESS)

    def prepare_extract(self) -> None:
        request = self.selected_request()
        if request is None or request.id is None:
            return
        request_id = request.id
        self.message.show_message(f"Gathering the records of {self.model.case_ref(request)} "
                                  "for the extract…", Tone.INFO)
        self._preparing = True
        self._update_buttons()
        self.lane.submit(lambda session: legal.prepare_legal_extract(session, request_id),
                         lambda draft: self._prepared(request_id, draft),
                         self._prepare_failed, key="prepare")

    def _prepare_failed(self, exc: BaseException) -> None:
        self._preparing = False
        self.message.show_message(user_message(exc))
        self._update_buttons()

    def _prepared(self, request_id: int, draft: ExtractDraft) -> None:
        self._preparing = False
        self.message.clear()
        self._update_buttons()

        def build(session: Session, decisions: Mapping[str, ItemDecision], out: Path,
                  family: Path, progress: ProgressCallback) -> ExtractResult:
            return legal.build_legal_extract(session, request_id, draft, decisions, out,
                                             family, progress=progress)

        track = getattr(self.window(), "track_window", None)
        window = ExtractReviewWindow(self._session, draft, build,
                                     track=track if callable(track) else None)
        window.extracted.connect(lambda _result: self._extracted(request_id, draft))
        window.closed.connect(lambda: self._forget(window))
        if callable(track):
            track(window)
        self.review_windows.append(window)
        window.show()

    def _extracted(self, request_id: int, draft: ExtractDraft) -> None:
        self.refresh()
        self.message.show_message(f"The extract for {draft.reference} and the family's copy "
                                  "are saved and logged.", Tone.SUCCESS)

    def _forget(self, window: ExtractReviewWindow) -> None:
        if window in self.review_windows:
            self.review_windows.remove(window)
