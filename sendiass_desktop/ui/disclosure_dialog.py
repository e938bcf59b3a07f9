"""Preparing a disclosure extract: part of a case sent to another agency (rule 1).

Three steps in one dialog, opened from the case window ("Prepare disclosure
extract…"):

1. **Who it is for.** Recipient, who exactly, their address, the purpose and
   the date of the request. The app shows at once, person by person (by role,
   never by name), whether consent covers it (``services.consent.can_share``
   for each of ``services.disclosure.consent_subjects``). Without consent the
   officer sees why and cannot go on; a manager may record a safeguarding or
   legal override with a justification (``services.consent.record_override``).
   The extracts already made from the case are listed below
   (``services.disclosure.extracts_for_case``).
2. **What to send.** ``services.disclosure.prepare_extract`` checks consent again
   and gathers the items with the app's suggestions; the review reuses the SAR
   review's table model and redaction text view (``ui.sar_review``). Include in
   full (I), leave out (L), or black out selected words (R). Each choice is
   checked with ``check_extract_decision``: what the role may not send is not
   offered, and the reason is shown. Choices are kept in memory only.
3. **The encrypted file.** ``build_extract`` (off the UI thread, with a progress
   bar) writes the extract and, if asked, the family's copy; each passphrase is
   shown once (``ui.export_pieces.PassphraseBox``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QKeySequence, QShortcut, QTextCharFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.cases import Case
from sendiass_desktop.domain.consent import OverrideGrounds, Purpose, Recipient
from sendiass_desktop.domain.errors import InvalidInput, PermissionDenied, SendiassError
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.people import Person
from sendiass_desktop.domain.redaction import Decision, ItemDecision, Span
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services import consent as consent_service
from sendiass_desktop.services import disclosure
from sendiass_desktop.services import sar as sar_service
from sendiass_desktop.services.access import today
from sendiass_desktop.services.consent import MAX_OVERRIDE_DAYS
from sendiass_desktop.services.disclosure import ConsentSubject, ExtractDraft, ExtractResult
from sendiass_desktop.services.sar import DecisionState, ReviewItemView
from sendiass_desktop.services.sar_gather import ReviewItem
from sendiass_desktop.services.session import Session
from sendiass_desktop.store.cancel import OperationCancelled
from sendiass_desktop.store.sar import Disclosure
from sendiass_desktop.ui.export_pieces import (
    PassphraseBox,
    RowsModel,
    SaveAsRow,
    compact_table,
    free_path,
    scrolling,
    size_for_screen,
)
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import DateField, buddy, button, qdate, uk_datetime, user_message
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.progress import StopFlag, ask_to_stop
from sendiass_desktop.ui.sar_review import RedactionTextEdit, ReviewColumn, ReviewModel
from sendiass_desktop.ui.sizing import expand_horizontally
from sendiass_desktop.ui.theme import Tone, heading_font
from sendiass_desktop.ui.views import BackgroundLane
from sendiass_desktop.ui.workers import ProgressCallback

ModelIndex = QModelIndex | QPersistentModelIndex

# The consent purposes an extract can rest on ("be named" is for letters, not extracts).
EXTRACT_PURPOSES = tuple(p for p in Purpose if p is not Purpose.BE_IDENTIFIED)
NAMED = (Recipient.NAMED_PROFESSIONAL, Recipient.OTHER)


def extract_decision_text(d: ItemDecision) -> str:
    """What happens to an item in the extract, in plain words."""
    if d.decision is Decision.WITHHOLD:
        return "Left out"
    if d.decision is Decision.REDACT:
        n = len(d.spans)
        return f"Sent, {n} {'part' if n == 1 else 'parts'} blacked out"
    return "Sent in full"


def extract_summary(views: list[ReviewItemView]) -> str:
    full = sum(1 for v in views if v.decision.decision is Decision.DISCLOSE)
    parts = sum(1 for v in views if v.decision.decision is Decision.REDACT)
    out = sum(1 for v in views if v.decision.decision is Decision.WITHHOLD)
    chosen = sum(1 for v in views if v.state is DecisionState.CONFIRMED)
    return (f"{len(views):,} {'item' if len(views) == 1 else 'items'}: {full:,} sent in full, "
            f"{parts:,} with parts blacked out, {out:,} left out. You chose {chosen:,}; the "
            "rest follow the app's suggestion.")


# The consent service ends every refusal with this; said once, after the list, instead.
_NEEDS = "Sharing needs consent, or a manager's safeguarding or legal override."


def consent_lines(subjects: tuple[ConsentSubject, ...]) -> list[str]:
    lines = []
    for s in subjects:
        share = s.share
        if share is None:
            continue
        mark = "Covered" if share.allowed else "Not covered"
        reason = share.reason.replace(_NEEDS, "").strip()
        lines.append(f"• {s.role[0].upper()}{s.role[1:]} — {mark}. {reason}")
    return lines


def check_consent(session: Session, case: Case, people: Mapping[int, Person],
                  recipient: Recipient, detail: str, purpose: Purpose
                  ) -> tuple[ConsentSubject, ...]:
    """Whose consent the extract needs, each with the sharing decision (nothing refused
    or audited here: ``prepare_extract`` makes the check that counts)."""
    assert case.id is not None
    return tuple(
        replace(s, share=consent_service.can_share(session, case.id, s.person_id, recipient,
                                                   purpose, detail))
        for s in disclosure.consent_subjects(case, people, today()))


# --- step 2: the review --------------------------------------------------------------------


class ExtractReviewModel(ReviewModel):
    """The SAR review's model, with words for an extract ("Sent in full", "Left out")."""

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section == ReviewColumn.DECISION:
                return "In the extract"
            if section == ReviewColumn.STATE:
                return "Chosen by"
        return super().headerData(section, orientation, role)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and 0 <= index.row() < self.rowCount() and role in (
                Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            v = self.view_at(index.row())
            if index.column() == ReviewColumn.DECISION:
                return extract_decision_text(v.decision)
            if index.column() == ReviewColumn.STATE:
                return "You" if v.state is DecisionState.CONFIRMED else "The app"
        return super().data(index, role)


class ExtractReviewPanel(QWidget):
    """The draft's items: include, leave out, or black out words. Kept in memory."""

    changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Items in the extract")
        self._session = session
        self.draft: ExtractDraft | None = None
        self._chosen: dict[str, ItemDecision] = {}

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Extract summary")
        expand_horizontally(self.summary)
        self.message = InlineMessage(self, "Review message")
        self.model = ExtractReviewModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Items gathered from the case")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setAccessibleName("Item rows")
        header = self.table.horizontalHeader()
        header.setAccessibleName("Item columns")
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ReviewColumn.TITLE, QHeaderView.ResizeMode.Stretch)

        self.reason = HintLabel("", self)
        self.reason.setAccessibleName("What happens to this item, and why")
        self.text = RedactionTextEdit(self)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.exemption = QComboBox(self)
        self.exemption.setAccessibleName("Reason for blacking out")
        self.exemption.view().setAccessibleName("Reasons for blacking out")
        for e in Exemption:
            if e is not Exemption.NOT_PERSONAL_DATA:
                self.exemption.addItem(f"{e.code} — {e.label}", e)
        self.exemption.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.exemption.setMinimumContentsLength(24)
        exemption_label = QLabel("Reason for blac&king out:", self)
        exemption_label.setBuddy(self.exemption)
        self.redactions = QListWidget(self)
        self.redactions.setAccessibleName("Blacked-out parts of this item")
        self.redactions.setMaximumHeight(self.fontMetrics().height() * 4 + 12)

        self.include_button = button("&Include in full", "Include in full (I)", self)
        self.leave_out_button = button("&Leave out", "Leave out (L)", self)
        self.redact_button = button("&Black out selection", "Black out the selected words (R)",
                                    self, tip="Black out the selected words for the chosen "
                                              "reason (R)")
        self.remove_button = button("Remo&ve blacking out", "Remove the chosen blacked-out part",
                                    self)
        self.suggestion_button = button("Use the app's &suggestion", parent=self)
        self.include_button.clicked.connect(self.include)
        self.leave_out_button.clicked.connect(self.leave_out)
        self.redact_button.clicked.connect(self.redact_selection)
        self.remove_button.clicked.connect(self.remove_redaction)
        self.suggestion_button.clicked.connect(self.use_suggestion)
        for key, slot in (("I", self.include), ("L", self.leave_out),
                          ("R", self.redact_selection)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(6, 0, 0, 0)
        rl.addWidget(self.reason)
        rl.addWidget(self.text, 1)
        actions = QHBoxLayout()
        for b in (self.include_button, self.leave_out_button, self.suggestion_button):
            actions.addWidget(b)
        actions.addStretch(1)
        rl.addLayout(actions)
        ex_row = QHBoxLayout()
        ex_row.addWidget(exemption_label)
        ex_row.addWidget(self.exemption, 1)
        ex_row.addWidget(self.redact_button)
        rl.addLayout(ex_row)
        parts_label = QLabel("Blacked-out parts of this item:", self)
        parts_label.setBuddy(self.redactions)
        rl.addWidget(parts_label)
        rl.addWidget(self.redactions)
        rm_row = QHBoxLayout()
        rm_row.addWidget(self.remove_button)
        rm_row.addStretch(1)
        rl.addLayout(rm_row)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 6)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setSizes([660, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._show())

    def balance(self) -> None:
        """Give the list of items a little more room than the text (call once shown)."""
        total = sum(self.splitter.sizes())
        if total > 0:
            self.splitter.setSizes([total * 3 // 5, total - total * 3 // 5])

    # --- the draft ----------------------------------------------------------------------------

    def set_draft(self, draft: ExtractDraft | None) -> None:
        self.draft = draft
        self._chosen = {}
        self.message.clear()
        self._reload()
        if self.model.rowCount():
            self.table.selectRow(0)

    def decisions(self) -> dict[str, ItemDecision]:
        """The officer's own choices (items not here take the app's suggestion)."""
        return dict(self._chosen)

    def views(self) -> list[ReviewItemView]:
        return self.model.views()

    def _view(self, item: ReviewItem) -> ReviewItemView:
        chosen = self._chosen.get(item.key)
        if chosen is None:
            return ReviewItemView(item, item.suggestion, DecisionState.SUGGESTED)
        return ReviewItemView(item, chosen, DecisionState.CONFIRMED, chosen)

    def _reload(self) -> None:
        items = self.draft.items if self.draft is not None else ()
        self.model.set_views([self._view(it) for it in items])
        self.summary.setText(extract_summary(self.model.views()) if items else "")
        self._show()

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def current_view(self) -> ReviewItemView | None:
        row = self.current_row()
        return self.model.view_at(row) if 0 <= row < self.model.rowCount() else None

    def select_item(self, key: str) -> None:
        for row, v in enumerate(self.model.views()):
            if v.key == key:
                self.table.selectRow(row)
                return

    def _refusal(self, item: ReviewItem) -> str:
        """Why this user may not send the item (empty if they may)."""
        try:
            disclosure.check_extract_decision(self._session, item, sar_service.disclose(item.key))
        except SendiassError as exc:
            return str(exc)
        return ""

    def _show(self) -> None:
        v = self.current_view()
        self.redactions.clear()
        if v is None:
            self.text.setPlainText("")
            self.text.set_spans(())
            self.text.setExtraSelections([])
            self.reason.setText("")
            self._update_buttons(None, "")
            return
        if self.text.toPlainText() != v.item.text:
            self.text.setPlainText(v.item.text)
        refusal = self._refusal(v.item)
        reason = f"{extract_decision_text(v.decision)}"
        reason += " (your choice)." if v.state is DecisionState.CONFIRMED else \
            " (the app's suggestion)."
        if v.item.suggestion_reason:
            reason += (f" The app suggests: {extract_decision_text(v.item.suggestion).lower()}"
                       f" — {v.item.suggestion_reason}")
        if refusal:
            reason += f" {refusal}"
        self.reason.setText(reason)
        spans = v.decision.spans if v.decision.decision is Decision.REDACT else ()
        self._highlight(v.item, spans)
        for span in spans:
            words = v.item.text[span.start:span.end].replace("\n", " ")
            if len(words) > 60:
                words = words[:57] + "…"
            entry = QListWidgetItem(f"[{span.exemption.code}] “{words}”")
            entry.setToolTip(span.exemption.label)
            entry.setData(Qt.ItemDataRole.UserRole, span)
            self.redactions.addItem(entry)
        if self.redactions.count():
            self.redactions.setCurrentRow(0)
        self._update_buttons(v, refusal)

    def _highlight(self, item: ReviewItem, spans: tuple[Span, ...]) -> None:
        selections = []
        for span in spans:
            sel = QTextEdit.ExtraSelection()
            cursor = self.text.textCursor()
            cursor.setPosition(min(span.start, len(item.text)))
            cursor.setPosition(min(span.end, len(item.text)), cursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(QColor("black"))
            fmt.setForeground(QColor("white"))
            fmt.setToolTip(f"Blacked out: {span.exemption.code} — {span.exemption.label}")
            sel.format = fmt
            selections.append(sel)
        self.text.setExtraSelections(selections)
        self.text.set_spans(spans)

    def _update_buttons(self, v: ReviewItemView | None, refusal: str) -> None:
        has = v is not None
        may_send = has and not refusal
        self.include_button.setEnabled(may_send)
        self.redact_button.setEnabled(may_send and v is not None and v.item.redactable)
        self.exemption.setEnabled(may_send and v is not None and v.item.redactable)
        self.leave_out_button.setEnabled(has)
        self.suggestion_button.setEnabled(v is not None and v.state is DecisionState.CONFIRMED)
        self.remove_button.setEnabled(self.redactions.count() > 0)

    # --- choices --------------------------------------------------------------------------------

    def chosen_exemption(self) -> Exemption:
        value = self.exemption.currentData()
        return value if isinstance(value, Exemption) else Exemption.THIRD_PARTY

    def _choose(self, decision: ItemDecision | None) -> bool:
        v = self.current_view()
        if v is None:
            return False
        try:
            if decision is not None:
                decision = disclosure.check_extract_decision(self._session, v.item, decision)
        except SendiassError as exc:
            self.message.show_message(user_message(exc))
            return False
        self.message.clear()
        if decision is None:
            self._chosen.pop(v.key, None)
        else:
            self._chosen[v.key] = decision
        row = self.current_row()
        self.model.replace_view(row, self._view(v.item))
        self.summary.setText(extract_summary(self.model.views()))
        cursor = self.text.textCursor()
        cursor.clearSelection()
        self.text.setTextCursor(cursor)
        self._show()
        self.changed.emit()
        return True

    def include(self) -> None:
        v = self.current_view()
        if v is not None and self.include_button.isEnabled():
            self._choose(sar_service.disclose(v.key))

    def leave_out(self) -> None:
        v = self.current_view()
        if v is not None:
            self._choose(disclosure.leave_out(v.key))

    def use_suggestion(self) -> None:
        self._choose(None)

    def redact_selection(self) -> None:
        v = self.current_view()
        if v is None or not self.redact_button.isEnabled():
            return
        cursor = self.text.textCursor()
        if not cursor.hasSelection():
            self.message.show_message("Select the words to black out in the item's text first.")
            return
        try:
            span = sar_service.select_span(v.item, cursor.selectionStart(),
                                           cursor.selectionEnd(), self.chosen_exemption())
        except SendiassError as exc:
            self.message.show_message(user_message(exc))
            return
        current = v.decision if v.decision.decision is Decision.REDACT else None
        self._choose(sar_service.add_span(v.item, current, span))

    def remove_redaction(self) -> None:
        v = self.current_view()
        entry = self.redactions.currentItem()
        if v is None or entry is None:
            return
        span: Span = entry.data(Qt.ItemDataRole.UserRole)
        self._choose(sar_service.remove_span(v.item, v.decision, span))

    def clear(self) -> None:
        self.set_draft(None)


# --- the dialog ------------------------------------------------------------------------------


class DisclosureDialog(QDialog):
    """Who it is for and whether consent covers it; what to send; the encrypted file."""

    extractsChanged = Signal()
    overridesChanged = Signal()

    WHO, REVIEW, BUILD = range(3)

    def __init__(self, session: Session, case: Case, people: Mapping[int, Person],
                 names: Mapping[str, str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert case.id is not None
        self._session = session
        self._case = case
        self._case_id = case.id
        self._people = dict(people)
        self._names = dict(names or {})
        self._status: tuple[ConsentSubject, ...] = ()
        self._status_for: tuple[Any, ...] = ()
        self.draft: ExtractDraft | None = None
        self.extract_result: ExtractResult | None = None
        self.extracts: list[Disclosure] = []
        self.manager = session.can(Permission.APPROVE_DISCLOSURES)
        self.setWindowTitle(f"Disclosure extract — {case.ref}")
        self.setAccessibleName(f"Disclosure extract from case {case.ref}")
        self.setModal(True)
        self.lane = BackgroundLane(session, self)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(250)
        self._check_timer.timeout.connect(self.check_consent)

        self.heading = QLabel(f"Prepare a disclosure extract from {case.ref}", self)
        self.heading.setFont(heading_font(self, 1.25))
        self.heading.setWordWrap(True)
        self.step = HintLabel("", self)
        self.step.setAccessibleName("Step")
        self.pages = QStackedWidget(self)
        self._who_scroll = scrolling(self._who_page(), "Who the extract is for")
        self.pages.addWidget(self._who_scroll)
        self.pages.addWidget(self._review_page())
        self.pages.addWidget(scrolling(self._build_page(), "The encrypted file"))
        self.message = InlineMessage(self, "Extract message")

        self.back_button = button("&Back", "Back to the previous step", self)
        self.back_button.clicked.connect(self.back)
        self.close_button = button("Cancel", "Close", self)
        self.close_button.clicked.connect(self._cancel_or_close)
        self._stop: StopFlag | None = None
        self.next_button = button("&Continue", parent=self)
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.next_step)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.step)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 100)
        size_for_screen(self, 180, 56)
        self.finished.connect(lambda _r: self._forget())

        self._go(self.WHO)
        self._recipient_changed()
        self.load_extracts()

    # --- step 1: who, and consent ------------------------------------------------------------

    def _who_page(self) -> QWidget:
        page = QWidget(self)
        page.setAccessibleName("Who the extract is for")
        intro = HintLabel(
            "An extract is part of this case file, sent to another agency. It can be sent only "
            "with the family's consent for that recipient and purpose, or on a manager's "
            "recorded safeguarding or legal decision.", page)
        self.recipient = QComboBox(page)
        for rec in Recipient:
            self.recipient.addItem(rec.label, rec)
        self.recipient.setAccessibleName("Recipient")
        self.recipient.view().setAccessibleName("Recipients")
        self.detail = QLineEdit(page)
        self.detail.setMaxLength(disclosure.MAX_DETAIL)
        self.detail.setAccessibleName("Who exactly")
        self.address = QPlainTextEdit(page)
        self.address.setAccessibleName("Recipient's address")
        self.address.setTabChangesFocus(True)
        self.address.setPlaceholderText("Optional: printed on the covering letter")
        self.address.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.purpose = QComboBox(page)
        for p in EXTRACT_PURPOSES:
            self.purpose.addItem(p.label, p)
        self.purpose.setCurrentIndex(self.purpose.findData(Purpose.SHARE_RECORDS))
        self.purpose.setAccessibleName("Purpose")
        self.purpose.view().setAccessibleName("Purposes")
        self.requested_on = DateField("Date the request was received", page,
                                      value=date.today(), what="date of the request")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        form.addRow(buddy("&Recipient:", self.recipient, page), self.recipient)
        form.addRow(buddy("&Who exactly:", self.detail, page), self.detail)
        form.addRow(buddy("A&ddress:", self.address, page), self.address)
        form.addRow(buddy("&Purpose:", self.purpose, page), self.purpose)
        form.addRow(buddy("Request r&eceived:", self.requested_on, page), self.requested_on)
        self.recipient.currentIndexChanged.connect(self._recipient_changed)
        self.purpose.currentIndexChanged.connect(lambda _i: self._schedule_check())
        self.detail.textChanged.connect(lambda _t: self._schedule_check())

        self.consent = InlineMessage(page, "Consent for this extract")

        self.override_box = QGroupBox("Share without consent: a manager's decision", page)
        self.override_box.setAccessibleName("Share without consent")
        why = HintLabel(
            "Only when sharing is necessary and proportionate: a child or adult at risk, or a "
            "legal obligation. An override is recorded for each person whose consent is "
            "missing, with your name, the date and your justification, and it is kept in the "
            "audit trail.", self.override_box)
        self.grounds = QComboBox(self.override_box)
        for g in OverrideGrounds:
            self.grounds.addItem(g.label, g)
        self.grounds.setAccessibleName("Grounds")
        self.grounds.view().setAccessibleName("Grounds for sharing")
        self.justification = QPlainTextEdit(self.override_box)
        self.justification.setAccessibleName("Justification")
        self.justification.setTabChangesFocus(True)
        self.justification.setPlaceholderText(
            "Why sharing without consent is necessary and proportionate, and who agreed.")
        self.justification.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.until = QDateEdit(self.override_box)
        self.until.setDisplayFormat("dd/MM/yyyy")
        self.until.setCalendarPopup(True)
        self.until.setMinimumDate(qdate(date.today()))
        self.until.setMaximumDate(qdate(date.today() + timedelta(days=MAX_OVERRIDE_DAYS)))
        self.until.setDate(qdate(date.today()))
        self.until.setAccessibleName("Override lasts until")
        self.override_button = button("Record &override", "Record the override", self)
        self.override_button.clicked.connect(self.record_override)
        self.override_message = InlineMessage(self.override_box, "Override message")
        oform = QFormLayout()
        oform.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        oform.addRow(buddy("&Grounds:", self.grounds, self.override_box), self.grounds)
        oform.addRow(buddy("&Justification:", self.justification, self.override_box),
                     self.justification)
        until_row = QHBoxLayout()
        until_row.addWidget(self.until)
        until_row.addWidget(HintLabel(f"At most {MAX_OVERRIDE_DAYS} days from today.",
                                      self.override_box), 1)
        oform.addRow(buddy("&Lasts until:", self.until, self.override_box), until_row)
        o_buttons = QHBoxLayout()
        o_buttons.addStretch(1)
        o_buttons.addWidget(self.override_button)
        olayout = QVBoxLayout(self.override_box)
        olayout.addWidget(why)
        olayout.addLayout(oform)
        olayout.addWidget(self.override_message)
        olayout.addLayout(o_buttons)
        self.override_box.hide()

        past = QLabel("Extracts already made from this case:", page)
        past.setFont(heading_font(page, 1.0))
        self.extracts_model = RowsModel(("Sent", "To", "Made by", "Pages", "File"), page)
        self.extracts_table = compact_table(self.extracts_model, "Extracts already made", 5,
                                            page)
        past.setBuddy(self.extracts_table)
        self.no_extracts = HintLabel("None yet.", page)
        self.no_extracts.hide()

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 12, 0)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.consent)
        layout.addWidget(self.override_box)
        layout.addStretch(1)
        layout.addWidget(past)
        layout.addWidget(self.no_extracts)
        layout.addWidget(self.extracts_table)
        return page

    def _recipient_changed(self) -> None:
        named = self.recipient.currentData() in NAMED
        self.detail.setPlaceholderText(
            "Required: the professional or organisation" if named else
            "Optional: for example the school's name")
        self._schedule_check()

    def _choice(self) -> tuple[Recipient, str, Purpose]:
        recipient = self.recipient.currentData()
        purpose = self.purpose.currentData()
        assert isinstance(recipient, Recipient) and isinstance(purpose, Purpose)
        return recipient, " ".join(self.detail.text().split()), purpose

    def _schedule_check(self) -> None:
        self._status = ()
        self._status_for = ()
        self.consent.show_message("Checking consent…", Tone.INFO)
        self.override_box.hide()
        self._update_next()
        self._check_timer.start()

    @property
    def consent_checked(self) -> bool:
        """The consent shown is for the choice now on screen."""
        return bool(self._status) and self._status_for == self._choice()

    @property
    def covered(self) -> bool:
        """Consent (or an override) covers everyone, for the choice now on screen."""
        return (bool(self._status) and self._status_for == self._choice()
                and all(s.share is not None and s.share.allowed for s in self._status))

    def check_consent(self) -> None:
        recipient, detail, purpose = self._choice()
        if recipient in NAMED and not detail:
            self.consent.show_message(
                "Name the professional or organisation the extract is for, and the app "
                "will check consent.", Tone.INFO)
            self.override_box.hide()
            return
        case, people = self._case, self._people
        choice = (recipient, detail, purpose)

        def work(session: Session) -> tuple[ConsentSubject, ...]:
            return check_consent(session, case, people, recipient, detail, purpose)

        self.lane.submit(work, lambda status: self._checked(choice, status),
                         self._check_failed, key="consent")

    def _checked(self, choice: tuple[Any, ...], status: tuple[ConsentSubject, ...]) -> None:
        if choice != self._choice():
            return  # the choice changed meanwhile; a newer check is on its way
        self._status, self._status_for = status, choice
        recipient, detail, _purpose = choice
        who = disclosure.recipient_text(recipient, detail)
        lines = consent_lines(status)
        if self.covered:
            self.consent.show_message("\n".join(
                [f"Consent covers an extract for {who}:", *lines]), Tone.SUCCESS)
            self.override_box.hide()
        else:
            then = ("Sharing needs consent: record it in the Consent tab if it was given. "
                    "Without consent, you can record a manager's safeguarding or legal "
                    "override below." if self.manager else
                    "Sharing needs consent: record it in the Consent tab if it was given. "
                    "Without consent, only a manager can decide to share (safeguarding or a "
                    "legal obligation).")
            self.consent.show_message("\n".join(
                [f"The records cannot be shared with {who}:", *lines, then]), Tone.WARNING)
            self.override_box.setVisible(self.manager)
        self._update_next()

    def _check_failed(self, exc: BaseException) -> None:
        self.consent.show_message(user_message(exc, "Consent could not be checked. Try again "
                                                    "in a moment."), Tone.ERROR)
        self._update_next()

    def record_override(self) -> None:
        if not self.manager:
            return
        self.override_message.clear()
        text = self.justification.toPlainText().strip()
        if not text:
            self.override_message.show_message(
                "Write the justification: why sharing without consent is necessary and "
                "proportionate.")
            self._who_scroll.ensureWidgetVisible(self.override_message)
            self.justification.setFocus()
            return
        missing = [s for s in self._status if s.share is not None and not s.share.allowed]
        if not missing:
            return
        recipient, detail, purpose = self._choice()
        grounds = self.grounds.currentData()
        until = self.until.date().toPython()
        assert isinstance(grounds, OverrideGrounds) and isinstance(until, date)
        case_id = self._case_id
        self.override_button.setEnabled(False)

        def work(session: Session) -> int:
            for s in missing:
                consent_service.record_override(session, case_id, s.person_id, recipient,
                                                purpose, grounds, text, detail, until)
            return len(missing)

        def done(count: int) -> None:
            self.override_button.setEnabled(True)
            self.justification.clear()
            self.override_box.hide()
            self.overridesChanged.emit()
            self.check_consent()
            self.message.show_message(
                f"Override recorded for {count} {'person' if count == 1 else 'people'}.",
                Tone.SUCCESS)

        def failed(exc: BaseException) -> None:
            self.override_button.setEnabled(True)
            self.override_message.show_message(user_message(exc))
            self._who_scroll.ensureWidgetVisible(self.override_message)
            if isinstance(exc, InvalidInput) and "justification" in str(exc).lower():
                self.justification.setFocus()

        self.lane.submit(work, done, failed)

    def load_extracts(self) -> None:
        case_id = self._case_id

        def work(session: Session) -> list[Disclosure]:
            return disclosure.extracts_for_case(session, case_id)

        self.lane.submit(work, self._show_extracts,
                         lambda exc: self.no_extracts.setText(user_message(
                             exc, "The extracts already made could not be listed.")))

    def _show_extracts(self, rows: list[Disclosure]) -> None:
        self.extracts = list(rows)
        self.extracts_model.set_rows([
            (d.id, (uk_datetime(d.sent_at), d.recipient, self._names.get(d.made_by, d.made_by),
                    str(d.page_count), d.file_name))
            for d in reversed(rows)])
        self.no_extracts.setVisible(not rows)
        self.extracts_table.setVisible(bool(rows))

    # --- step 2: review ----------------------------------------------------------------------

    def _review_page(self) -> QWidget:
        page = QWidget(self)
        page.setAccessibleName("What to send")
        self.basis = HintLabel("", page)
        self.basis.setAccessibleName("Basis for sharing")
        self.review = ExtractReviewPanel(self._session, page)
        self.review.changed.connect(self._update_next)
        hint = HintLabel(
            "Up and Down move through the items. I includes an item in full, L leaves it "
            "out, R blacks out the selected words. Items you do not choose follow the app's "
            "suggestion. What a young person said in confidence is never sent; only a "
            "manager can send a restricted or safeguarding record.", page)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.basis)
        layout.addWidget(self.review, 1)
        layout.addWidget(hint)
        return page

    def prepare(self) -> None:
        """Check consent again (``prepare_extract``) and gather the items."""
        recipient, detail, purpose = self._choice()
        try:
            requested = self.requested_on.date_value()
        except InvalidInput as exc:
            self.message.show_message(user_message(exc))
            self.requested_on.setFocus()
            return
        address = self.address.toPlainText().strip()
        case_id = self._case_id
        self.message.show_message("Gathering the case's records…", Tone.INFO)
        self.next_button.setEnabled(False)

        def work(session: Session) -> ExtractDraft:
            return disclosure.prepare_extract(session, case_id, recipient, detail, purpose,
                                              recipient_address=address,
                                              requested_on=requested)

        self.lane.submit(work, self._prepared, self._prepare_failed)

    def _prepared(self, draft: ExtractDraft) -> None:
        self.draft = draft
        self.message.clear()
        who = disclosure.recipient_text(draft.recipient, draft.recipient_detail)
        self.basis.setText("\n".join([f"For {who}: {draft.purpose.label.lower()}.",
                                      *consent_lines(draft.subjects)]))
        self.review.set_draft(draft)
        self._go(self.REVIEW)
        self.review.balance()
        self.review.table.setFocus()

    def _prepare_failed(self, exc: BaseException) -> None:
        self.message.show_message(user_message(exc))
        if isinstance(exc, PermissionDenied):
            self.check_consent()  # show why, person by person
        self._update_next()

    # --- step 3: build ----------------------------------------------------------------------

    def _build_page(self) -> QWidget:
        page = QWidget(self)
        page.setAccessibleName("The encrypted file")
        self.build_intro = intro = HintLabel(
            "The extract is one PDF, encrypted with a passphrase that is shown once, when it is "
            "ready. Items left out are not in the file, and blacked-out words never reach it.",
            page)
        self.save_as = SaveAsRow("&Save as:", "Save the extract as", "C&hoose…",
                                 "PDF files (*.pdf)", page)
        self.save_as.chosen.connect(self._main_chosen)
        self.family_copy = QCheckBox(
            "Also make the &family's copy: exactly what is sent, addressed to the service user",
            page)
        self.family_copy.setAccessibleName("Also make the family's copy")
        self.family_copy.setChecked(True)
        self.family_save_as = SaveAsRow("Family's copy sa&ved as:", "Save the family's copy as",
                                        "Ch&oose…", "PDF files (*.pdf)", page)
        self.family_copy.toggled.connect(self.family_save_as.setEnabled)
        self.progress = QProgressBar(page)
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName("Building the extract")
        self.progress.hide()
        self.done_label = QLabel(page)
        self.done_label.setWordWrap(True)
        self.done_label.setAccessibleName("Extract made")
        expand_horizontally(self.done_label)
        self.done_label.hide()
        self.extract_passphrase = PassphraseBox("Passphrase for the extract", "&Copy", page)
        self.family_passphrase = PassphraseBox("Passphrase for the family's copy", "Cop&y",
                                               page)
        self._build_widgets: list[QWidget] = [intro, self.save_as, self.family_copy,
                                              self.family_save_as]
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 12, 0)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addWidget(self.save_as)
        layout.addWidget(self.family_copy)
        layout.addWidget(self.family_save_as)
        layout.addWidget(self.progress)
        layout.addWidget(self.done_label)
        layout.addWidget(self.extract_passphrase)
        layout.addWidget(self.family_passphrase)
        layout.addStretch(1)
        return page

    def _suggest_paths(self) -> None:
        folder = Path.home()
        main = free_path(folder, f"{self._case.ref}-extract")
        self.save_as.set_path(main)
        self.family_save_as.set_path(free_path(folder, f"{main.stem}-family-copy"))

    def _main_chosen(self, chosen: str) -> None:
        path = Path(chosen)
        self.family_save_as.set_path(free_path(path.parent, f"{path.stem}-family-copy"))

    def build(self) -> None:
        draft = self.draft
        if draft is None:
            return
        text = self.save_as.text()
        if not text:
            self.message.show_message("Choose where to save the extract.")
            self.save_as.path.setFocus()
            return
        out = Path(text).expanduser()
        family: Path | None = None
        if self.family_copy.isChecked():
            family_text = self.family_save_as.text()
            if not family_text:
                self.message.show_message("Choose where to save the family's copy.")
                self.family_save_as.path.setFocus()
                return
            family = Path(family_text).expanduser()
        decisions = self.review.decisions()
        stop = self._stop = StopFlag()
        self.message.clear()
        self.progress.setValue(0)
        self.progress.show()
        self.next_button.setEnabled(False)
        self.back_button.setEnabled(False)
        for w in self._build_widgets:
            w.setEnabled(False)

        def work(session: Session, progress: ProgressCallback) -> ExtractResult:
            return disclosure.build_extract(session, draft, decisions, out, family,
                                            progress=stop.checking(progress))

        self.lane.submit(work, self._built, self._build_failed, on_progress=self._on_progress)

    def _on_progress(self, fraction: float) -> None:
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * 100))

    def _cancel_or_close(self) -> None:
        """Cancel stops a build in progress (the dialog stays open to say so), else closes."""
        if not ask_to_stop(self.busy, self._stop, self.close_button, self.message):
            self.reject()

    def reject(self) -> None:
        if self._stop is not None:
            self._stop.stop()  # never write a file whose passphrase nobody will see
        super().reject()

    def _build_failed(self, exc: BaseException) -> None:
        self._stop = None
        self.close_button.setEnabled(True)
        self.progress.hide()
        self.next_button.setEnabled(True)
        self.back_button.setEnabled(True)
        for w in self._build_widgets:
            w.setEnabled(True)
        self.family_save_as.setEnabled(self.family_copy.isChecked())
        if isinstance(exc, OperationCancelled):
            self.message.show_message("Stopped. No file was written.", Tone.INFO)
        else:
            self.message.show_message(user_message(exc))

    def _built(self, result: ExtractResult) -> None:
        self._stop = None
        self.close_button.setEnabled(True)
        self.extract_result = result
        self.progress.setValue(100)
        self.progress.hide()
        for w in self._build_widgets:
            w.hide()
        self.next_button.hide()
        self.back_button.hide()
        self.close_button.setText("Done")
        self.close_button.setAccessibleName("Done")
        self.close_button.setDefault(True)
        ex = result.extract
        self.done_label.setText(
            f"{result.disclosed:,} sent in full, {result.redacted:,} with parts blacked out, "
            f"{result.left_out:,} left out. Both files are logged as disclosures."
            if result.family_copy else
            f"{result.disclosed:,} sent in full, {result.redacted:,} with parts blacked out, "
            f"{result.left_out:,} left out. The file is logged as a disclosure.")
        self.done_label.show()
        self.extract_passphrase.show_for(
            f"Extract saved: {ex.path.name} ({ex.page_count} pages)", ex.passphrase,
            ex.recipient)
        if result.family_copy is not None:
            fc = result.family_copy
            self.family_passphrase.show_for(
                f"Family's copy saved: {fc.path.name} ({fc.page_count} pages)", fc.passphrase,
                "the family")
        self.message.show_message("The extract is written and logged.", Tone.SUCCESS)
        self.step.setText("Done: give each passphrase by phone, separately from the file.")
        self.extract_passphrase.field.setFocus()
        self.extract_passphrase.field.selectAll()
        self.extractsChanged.emit()
        self.load_extracts()

    # --- moving between steps ----------------------------------------------------------------

    def _go(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.message.clear()
        steps = {self.WHO: "Step 1 of 3: who the extract is for, and consent",
                 self.REVIEW: "Step 2 of 3: choose what to send",
                 self.BUILD: "Step 3 of 3: make the encrypted file"}
        self.step.setText(steps[page])
        self.back_button.setVisible(page != self.WHO)
        self.back_button.setEnabled(True)
        texts = {self.WHO: ("&Continue", "Continue to choose what to send"),
                 self.REVIEW: ("Co&ntinue", "Continue to make the file"),
                 self.BUILD: ("&Build extract", "Build the extract")}
        text, name = texts[page]
        self.next_button.setText(text)
        self.next_button.setAccessibleName(name)
        self._update_next()

    def _update_next(self) -> None:
        page = self.pages.currentIndex()
        if page == self.WHO:
            self.next_button.setEnabled(self.covered)
        elif page == self.REVIEW:
            self.next_button.setEnabled(self.draft is not None and any(
                v.decision.decision is not Decision.WITHHOLD for v in self.review.views()))
        else:
            self.next_button.setEnabled(self.draft is not None and self.extract_result is None)

    def next_step(self) -> None:
        page = self.pages.currentIndex()
        if page == self.WHO:
            if self.covered:
                self.prepare()
        elif page == self.REVIEW:
            if self.draft is not None:
                self._suggest_paths()
                self._go(self.BUILD)
                self.save_as.path.setFocus()
        else:
            self.build()

    def back(self) -> None:
        page = self.pages.currentIndex()
        if page > self.WHO and self.extract_result is None:
            self._go(page - 1)

    @property
    def busy(self) -> bool:
        return self.lane.busy

    def _forget(self) -> None:
        self.extract_passphrase.forget()
        self.family_passphrase.forget()
        self.review.clear()
        self.draft = None
        self.lane.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.extract_passphrase.forget()
        self.family_passphrase.forget()
        super().closeEvent(event)

