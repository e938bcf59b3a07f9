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
   and gathers the items with the app's suggestions; they are reviewed in the
   extract review shared with legal requests (``ui.extract_review``): include
   in full (I), leave out (L), or redact selected words (R). Each choice is
   checked with ``check_extract_decision``: what the role may not send is not
   offered, and the reason is shown. Choices are kept in memory only.
3. **The encrypted file.** ``build_extract`` (off the UI thread, with a progress
   bar) writes the extract and, if asked, the family's copy; each passphrase is
   shown once (``ui.export_pieces.PassphraseBox``).

While the files are being made, Esc and closing act as Cancel and the dialog
stays open until the build ends: either nothing was written, or it was too
late to stop and the passphrases are shown, with a note saying so. When the
app locks, the case window hides the dialog (rather than closing it) if it is
making the files or showing their passphrases, and shows it again on
unlocking (``ui.export_pieces.ShownOnceDialog``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.cases import Case
from sendiass_desktop.domain.consent import OverrideGrounds, Purpose, Recipient
from sendiass_desktop.domain.errors import InvalidInput, PermissionDenied
from sendiass_desktop.domain.people import Person
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services import consent as consent_service
from sendiass_desktop.services import disclosure
from sendiass_desktop.services.access import today
from sendiass_desktop.services.consent import MAX_OVERRIDE_DAYS
from sendiass_desktop.services.disclosure import ConsentSubject, ExtractDraft, ExtractResult
from sendiass_desktop.services.session import Session
from sendiass_desktop.store.sar import Disclosure
from sendiass_desktop.ui.export_pieces import (
    PassphraseBox,
    SaveAsRow,
    ShownOnceDialog,
    compact_table,
    free_path,
    scrolling,
    size_for_screen,
)
from sendiass_desktop.ui.extract_review import ExtractReviewPanel, result_text
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import DateField, buddy, button, qdate, uk_datetime, user_message
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.progress import say_stopped_or_failed, too_late_text
from sendiass_desktop.ui.sizing import expand_horizontally
from sendiass_desktop.ui.table_model import RowsModel
from sendiass_desktop.ui.theme import Tone, heading_font
from sendiass_desktop.ui.workers import ProgressCallback

# The consent purposes an extract can rest on ("be named" is for letters, not extracts).
EXTRACT_PURPOSES = tuple(p for p in Purpose if p is not Purpose.BE_IDENTIFIED)
NAMED = (Recipient.NAMED_PROFESSIONAL, Recipient.OTHER)


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


# --- the dialog ------------------------------------------------------------------------------


class DisclosureDialog(ShownOnceDialog):
    """Who it is for and whether consent covers it; what to send; the encrypted file."""

    extractsChanged = Signal()
    overridesChanged = Signal()

    WHO, REVIEW, BUILD = range(3)

    def __init__(self, session: Session, case: Case, people: Mapping[int, Person],
                 names: Mapping[str, str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
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
        self.close_button = button("Cancel", parent=self)
        self.close_button.clicked.connect(self._cancel_or_close)
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
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.basis)
        layout.addWidget(self.review, 1)
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
            "ready. Items left out are not in the file, and redacted words never reach it.",
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
        stop = self.begin_build()
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

        self.lane.submit(work, self.delivered(self._built), self.delivered(self._build_failed),
                         on_progress=self._on_progress)

    def _on_progress(self, fraction: float) -> None:
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * 100))

    def _cancel_or_close(self) -> None:
        """Cancel stops a build in progress (the dialog stays open to say so), else closes."""
        self.reject()

    def _build_failed(self, exc: BaseException) -> None:
        self.build_ended()
        self.progress.hide()
        self.next_button.setEnabled(True)
        self.back_button.setEnabled(True)
        for w in self._build_widgets:
            w.setEnabled(True)
        self.family_save_as.setEnabled(self.family_copy.isChecked())
        say_stopped_or_failed(self.message, exc)

    def _built(self, result: ExtractResult) -> None:
        too_late = self.build_ended()
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
        self.done_label.setText(result_text(result) + (
            " Both files are logged as disclosures." if result.family_copy else
            " The file is logged as a disclosure."))
        self.done_label.show()
        self.extract_passphrase.show_for(
            f"Extract saved: {ex.path.name} ({ex.page_count} pages)", ex.passphrase,
            ex.recipient)
        if result.family_copy is not None:
            fc = result.family_copy
            self.family_passphrase.show_for(
                f"Family's copy saved: {fc.path.name} ({fc.page_count} pages)", fc.passphrase,
                "the family")
        if too_late:
            self.message.show_message(
                too_late_text("extract and the family's copy", plural=True)
                if result.family_copy is not None else too_late_text("extract"), Tone.WARNING)
        else:
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
            self.next_button.setEnabled(self.draft is not None
                                        and self.review.sends_anything())
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

    def set_session(self, session: Session) -> None:
        """After unlocking (see ``ShownOnceDialog.set_session``)."""
        if session.actor == self._actor:
            self._session = session
            self.review.set_session(session)
        super().set_session(session)

    def _forget(self) -> None:
        # The dialog closes only when no build is running (or when the session ends).
        self.forget_passphrases()
        self.review.clear()
        self.draft = None
        self.lane.shutdown()

