"""Raising an issue with the Local Authority, anonymously unless consented (rule 4).

Opened from the case window ("Raise an issue with the Local Authority…"):

1. **Write.** The officer writes the issue in their own words. The letters
   already raised from the case are listed below; any can be opened again to
   read or export.
2. **Check.** ``services.escalation.draft_escalation`` replaces everything that
   would identify the family; the letter is shown for review (and may be
   edited), with what was replaced by category and count. Whether the family
   consented to be named is said plainly; only then is "name the family" on
   offer (``save_escalation`` checks again either way, and refuses an
   anonymised letter that still identifies anyone).
3. **Export.** The saved letter is written to a PDF (or plain text) file with
   ``export_escalation``: unencrypted when anonymous (it holds no personal
   data), encrypted with a passphrase shown once when it names the family.

While the letter is being exported, Esc, closing and Close act as Cancel and the
dialog stays open until the export ends; when the app locks, the case window
hides the dialog (rather than closing it) if it is exporting or showing the
passphrase, and shows it again on unlocking (``ui.export_pieces.ShownOnceDialog``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.cases import Case
from sendiass_desktop.services import escalation as escalation_service
from sendiass_desktop.services.escalation import Escalation, EscalationDraft, EscalationExport
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.export_pieces import (
    PassphraseBox,
    SaveAsRow,
    ShownOnceDialog,
    compact_table,
    free_path,
    size_for_screen,
)
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import GuardedTextEdit, button, uk_datetime, user_message
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.progress import say_stopped_or_failed, too_late_text
from sendiass_desktop.ui.sizing import expand_horizontally
from sendiass_desktop.ui.table_model import RowsModel
from sendiass_desktop.ui.theme import Tone, heading_font

PDF_OR_TEXT = "PDF files (*.pdf);;Text files (*.txt)"
PDF_ONLY = "PDF files (*.pdf)"


def letter_ref(escalation_id: int) -> str:
    """The reference printed on the letter (``export_escalation`` uses the same)."""
    return f"E{escalation_id:05d}"


def kind_text(e: Escalation) -> str:
    return "Names the family" if e.identified else "Anonymous"


class EscalationDialog(ShownOnceDialog):
    """Write the issue; check the de-identified letter; save and export it (the export
    keeps the rules of ``ShownOnceDialog``)."""

    escalationsChanged = Signal()

    WRITE, REVIEW, SAVED = range(3)

    def __init__(self, session: Session, case: Case, names: dict[str, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        assert case.id is not None
        self._session = session
        self._case = case
        self._case_id = case.id
        self._names = dict(names or {})
        self.draft: EscalationDraft | None = None
        self.saved: Escalation | None = None
        self.exported: EscalationExport | None = None
        self.escalations: list[Escalation] = []
        self._anonymised_text = ""
        self._own_text = ""
        self.setWindowTitle(f"Raise an issue with the Local Authority — {case.ref}")
        self.setAccessibleName(f"Raise an issue with the Local Authority, case {case.ref}")
        self.setModal(True)

        self.heading = QLabel("Raise an issue with the Local Authority", self)
        self.heading.setFont(heading_font(self, 1.25))
        self.heading.setWordWrap(True)
        self.step = HintLabel("", self)
        self.step.setAccessibleName("Step")
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._write_page())
        self.pages.addWidget(self._review_page())
        self.pages.addWidget(self._saved_page())
        self.message = InlineMessage(self, "Letter message")

        self.back_button = button("&Back", "Back to the previous step", self)
        self.back_button.clicked.connect(self.back)
        self.close_button = button("Close", parent=self)
        self.close_button.clicked.connect(self.reject)
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
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 96)
        size_for_screen(self, 130, 50)
        self.finished.connect(lambda _r: self._forget())
        self._go(self.WRITE)
        self.load_escalations()
        self.issue.setFocus()

    # --- step 1: write ----------------------------------------------------------------------

    def _write_page(self) -> QWidget:
        page = QWidget(self)
        page.setAccessibleName("Write the issue")
        intro = HintLabel(
            "Write the issue as you would in a letter. Before anything is kept, the app takes "
            "out everything that could identify the family — names, dates of birth, addresses, "
            "phone numbers, email addresses, references and the school — and shows you the "
            "result to check. The family is named only if they consented to that.", page)
        label = QLabel("The &issue:", page)
        self.issue = GuardedTextEdit("The issue", page)
        self.issue.setPlaceholderText(
            "For example: the family asked for an EHC needs assessment 10 weeks ago and has "
            "had no decision…")
        label.setBuddy(self.issue)
        self.issue.textChanged.connect(self._update_next)
        self.keep_school = QCheckBox(
            "&Keep the school's name (only if naming it would not identify the family)", page)
        self.keep_school.setAccessibleName("Keep the school's name")
        self.keep_school.setVisible(bool(self._case.school_setting.strip()))

        past = QLabel("Issues already raised from this case:", page)
        past.setFont(heading_font(page, 1.0))
        self.letters_model = RowsModel(("Written", "By", "Kind", "Exported"), page)
        self.letters_table = compact_table(self.letters_model, "Issues already raised", 4, page)
        self.letters_table.doubleClicked.connect(lambda _i: self.open_selected())
        self.letters_table.activated.connect(lambda _i: self.open_selected())
        past.setBuddy(self.letters_table)
        self.no_letters = HintLabel("None yet.", page)
        self.no_letters.hide()
        self.open_button = button("&Open…", "Open the chosen letter", page)
        self.open_button.clicked.connect(self.open_selected)
        self.letters_table.selectionModel().selectionChanged.connect(
            lambda _s, _d: self.open_button.setEnabled(self._selected() is not None))
        self.open_button.setEnabled(False)
        open_row = QHBoxLayout()
        open_row.addWidget(self.no_letters, 1)
        open_row.addStretch(1)
        open_row.addWidget(self.open_button)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(intro)
        layout.addWidget(label)
        layout.addWidget(self.issue, 1)
        layout.addWidget(self.keep_school)
        layout.addSpacing(6)
        layout.addWidget(past)
        layout.addWidget(self.letters_table)
        layout.addLayout(open_row)
        return page

    def load_escalations(self, select: int | None = None) -> None:
        case_id = self._case_id

        def work(session: Session) -> list[Escalation]:
            return escalation_service.escalations_for_case(session, case_id)

        self.lane.submit(work, lambda rows: self._show_escalations(rows, select),
                         lambda exc: self.no_letters.setText(user_message(
                             exc, "The issues already raised could not be listed.")))

    def _show_escalations(self, rows: list[Escalation], select: int | None = None) -> None:
        self.escalations = list(rows)
        self.letters_model.set_rows([
            (e.id, (uk_datetime(e.created_at), self._names.get(e.created_by, e.created_by),
                    kind_text(e), uk_datetime(e.exported_at, "Not yet")))
            for e in reversed(rows)])
        self.no_letters.setVisible(not rows)
        self.letters_table.setVisible(bool(rows))
        if select is not None:
            for row in range(self.letters_model.rowCount()):
                if self.letters_model.key_at(row) == select:
                    self.letters_table.selectRow(row)

    def _selected(self) -> Escalation | None:
        index = self.letters_table.currentIndex()
        if not index.isValid() or not self.letters_table.selectionModel().hasSelection():
            return None
        key = self.letters_model.key_at(index.row())
        return next((e for e in self.escalations if e.id == key), None)

    def open_selected(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            self._show_saved(chosen, just_saved=False)

    def anonymise(self) -> None:
        text = self.issue.toPlainText()
        if not text.strip():
            self.message.show_message("Write the issue you want to raise.")
            self.issue.setFocus()
            return
        keep = self.keep_school.isChecked() and self.keep_school.isVisible()
        case_id = self._case_id
        self.next_button.setEnabled(False)
        self.message.show_message("Taking out what could identify the family…", Tone.INFO)

        def work(session: Session) -> EscalationDraft:
            return escalation_service.draft_escalation(session, case_id, text, keep_school=keep)

        self.lane.submit(work, lambda draft: self._drafted(draft, text), self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.message.show_message(user_message(exc))
        self._update_next()

    # --- step 2: check ----------------------------------------------------------------------

    def _review_page(self) -> QWidget:
        page = QWidget(self)
        page.setAccessibleName("Check the letter")
        self.replaced = QLabel(page)
        self.replaced.setWordWrap(True)
        self.replaced.setAccessibleName("What was taken out")
        expand_horizontally(self.replaced)
        self.consent = InlineMessage(page, "Consent to be named")
        self.anonymous_choice = QRadioButton("Send it &anonymously (recommended)", page)
        self.anonymous_choice.setAccessibleName("Send it anonymously")
        self.named_choice = QRadioButton(
            "&Name the family: send the letter as you wrote it", page)
        self.named_choice.setAccessibleName("Name the family")
        self.choice = QButtonGroup(page)
        self.choice.addButton(self.anonymous_choice)
        self.choice.addButton(self.named_choice)
        self.anonymous_choice.setChecked(True)
        self.named_choice.toggled.connect(self._named_toggled)
        choices = QHBoxLayout()
        choices.addWidget(self.anonymous_choice)
        choices.addWidget(self.named_choice)
        choices.addStretch(1)
        self._choice_widgets: list[QWidget] = [self.anonymous_choice, self.named_choice]
        label = QLabel("The &letter to the Local Authority:", page)
        self.letter = GuardedTextEdit("Letter to the Local Authority", page)
        label.setBuddy(self.letter)
        self.letter.textChanged.connect(self._update_next)
        hint = HintLabel(
            "You can change the letter. It is checked again when you save it: a letter sent "
            "anonymously is refused if anything in it could still identify the family. "
            "Placeholders such as [the young person] stand for what was taken out.", page)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.replaced)
        layout.addWidget(self.consent)
        layout.addLayout(choices)
        layout.addWidget(label)
        layout.addWidget(self.letter, 1)
        layout.addWidget(hint)
        return page

    def _drafted(self, draft: EscalationDraft, own_text: str) -> None:
        self.draft = draft
        self.message.clear()
        # Back to "anonymously" without swapping texts: both versions are new.
        self.named_choice.blockSignals(True)
        self.anonymous_choice.setChecked(True)
        self.named_choice.blockSignals(False)
        self._anonymised_text = draft.anonymised.text
        self._own_text = own_text
        replaced = draft.replaced
        self.replaced.setText(
            f"The app took out {replaced}." if replaced else
            "The app found nothing that identifies the family. Read the letter carefully "
            "before saving it: nicknames and initials are not recognised.")
        if draft.identified_allowed:
            self.consent.show_message(f"{draft.identified_reason} You may name the family, "
                                      "or still raise the issue anonymously.", Tone.SUCCESS)
        else:
            self.consent.show_message(draft.identified_reason, Tone.INFO)
        for w in self._choice_widgets:
            w.setVisible(draft.identified_allowed)
        self.letter.setPlainText(self._anonymised_text)
        self._go(self.REVIEW)
        self.letter.setFocus()

    @property
    def identified(self) -> bool:
        return (self.draft is not None and self.draft.identified_allowed
                and self.named_choice.isChecked())

    def _named_toggled(self, named: bool) -> None:
        # Keep each version's edits; show the one chosen.
        if named:
            self._anonymised_text = self.letter.toPlainText()
            self.letter.setPlainText(self._own_text)
        else:
            self._own_text = self.letter.toPlainText()
            self.letter.setPlainText(self._anonymised_text)

    def save(self) -> None:
        draft = self.draft
        if draft is None:
            return
        text = self.letter.toPlainText()
        if not text.strip():
            self.message.show_message("The letter is empty. Write the issue you want to raise.")
            self.letter.setFocus()
            return
        identified = self.identified
        keep = draft.keep_school
        case_id = self._case_id
        self.next_button.setEnabled(False)

        def work(session: Session) -> Escalation:
            return escalation_service.save_escalation(session, case_id, text,
                                                      identified=identified, keep_school=keep)

        def failed(exc: BaseException) -> None:
            self._failed(exc)
            self.letter.setFocus()

        self.lane.submit(work, self._saved, failed)

    def _saved(self, saved: Escalation) -> None:
        self.escalationsChanged.emit()
        self.issue.clear()
        self.letter.clear()
        self._anonymised_text = self._own_text = ""
        self.draft = None
        self.load_escalations()
        self._show_saved(saved, just_saved=True)

    # --- step 3: export ----------------------------------------------------------------------

    def _saved_page(self) -> QWidget:
        page = QWidget(self)
        page.setAccessibleName("Export the letter")
        self.saved_label = QLabel(page)
        self.saved_label.setWordWrap(True)
        self.saved_label.setFont(heading_font(page, 1.05))
        self.saved_label.setAccessibleName("The letter")
        expand_horizontally(self.saved_label)
        self.saved_text = GuardedTextEdit("The saved letter", page, read_only=True)
        self.export_hint = HintLabel("", page)
        self.save_as = SaveAsRow("&Save as:", "Export the letter as", "C&hoose…", PDF_OR_TEXT,
                                 page)
        self.passphrase = PassphraseBox("Passphrase for the letter", "&Copy", page)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.saved_label)
        layout.addWidget(self.saved_text, 1)
        layout.addWidget(self.export_hint)
        layout.addWidget(self.save_as)
        layout.addWidget(self.passphrase)
        return page

    def _show_saved(self, saved: Escalation, *, just_saved: bool) -> None:
        assert saved.id is not None
        self.saved = saved
        self.exported = None
        self.passphrase.forget()
        ref = letter_ref(saved.id)
        when = uk_datetime(saved.created_at)
        self.saved_label.setText(
            (f"Letter {ref} saved ({kind_text(saved).lower()})." if just_saved else
             f"Letter {ref}, written {when} ({kind_text(saved).lower()}).")
            + (f" Exported {uk_datetime(saved.exported_at)}." if saved.exported_at else ""))
        self.saved_text.setPlainText(saved.letter)
        if saved.identified:
            self.export_hint.setText(
                "This letter names the family, so it is exported as an encrypted PDF and "
                "logged as a disclosure. Its passphrase is shown once.")
        else:
            self.export_hint.setText(
                "This letter names no one, so the file is not encrypted. Choose .pdf or .txt "
                "at the end of the name.")
        self.save_as.set_filter(PDF_ONLY if saved.identified else PDF_OR_TEXT)
        self.save_as.set_path(free_path(Path.home(), f"issue-for-local-authority-{ref}"))
        self.save_as.setEnabled(True)
        self._go(self.SAVED)
        if just_saved:
            self.message.show_message(
                "Saved. Export it to send it to the Local Authority.", Tone.SUCCESS)
        self.save_as.path.setFocus()

    def export(self) -> None:
        saved = self.saved
        if saved is None or saved.id is None:
            return
        text = self.save_as.text()
        if not text:
            self.message.show_message("Choose where to save the letter.")
            self.save_as.path.setFocus()
            return
        self.export_to(Path(text).expanduser())

    def export_to(self, out: Path) -> None:
        saved = self.saved
        assert saved is not None and saved.id is not None
        escalation_id = saved.id
        stop = self.begin_build()
        self.message.clear()
        self.next_button.setEnabled(False)
        self.back_button.setEnabled(False)
        self.save_as.setEnabled(False)

        def work(session: Session) -> EscalationExport:
            stop.checking(lambda _f: None)(0.0)  # Cancel before it starts: nothing written
            return escalation_service.export_escalation(session, escalation_id, out)

        def failed(exc: BaseException) -> None:
            self.build_ended()
            self.back_button.setEnabled(True)
            self.save_as.setEnabled(True)
            say_stopped_or_failed(self.message, exc, "letter")
            self._update_next()

        self.lane.submit(work, self.delivered(self._exported), self.delivered(failed))

    def _exported(self, result: EscalationExport) -> None:
        too_late = self.build_ended()
        self.exported = result
        self.back_button.setEnabled(True)
        self.next_button.hide()
        if result.passphrase:
            self.passphrase.show_for(f"Written to {result.path.name} (encrypted)",
                                     result.passphrase, "the Local Authority")
            self.message.show_message(
                too_late_text("letter") if too_late else
                "The letter is written and logged as a disclosure.",
                Tone.WARNING if too_late else Tone.SUCCESS)
            self.passphrase.field.setFocus()
            self.passphrase.field.selectAll()
        else:
            self.message.show_message(
                ("Too late to stop: it was already written. " if too_late else "")
                + f"Written to {result.path}. It names no one, so it is not encrypted: send "
                "it to the Local Authority as it is.", Tone.SUCCESS)
        saved_id = self.saved.id if self.saved is not None else None
        self.load_escalations(select=saved_id)

    # --- moving between steps ----------------------------------------------------------------

    def _go(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.message.clear()
        steps = {self.WRITE: "Step 1 of 3: write the issue",
                 self.REVIEW: "Step 2 of 3: check the letter before it is kept",
                 self.SAVED: "Step 3 of 3: export the letter"}
        self.step.setText(steps[page])
        self.back_button.setVisible(page != self.WRITE)
        self.back_button.setEnabled(True)
        texts = {self.WRITE: ("&Take out identifying details", "Take out identifying details"),
                 self.REVIEW: ("Sa&ve letter", "Save the letter"),
                 self.SAVED: ("&Export", "Export the letter")}
        text, name = texts[page]
        self.next_button.setText(text)
        self.next_button.setAccessibleName(name)
        self.next_button.show()
        self._update_next()

    def _update_next(self) -> None:
        page = self.pages.currentIndex()
        if page == self.WRITE:
            self.next_button.setEnabled(bool(self.issue.toPlainText().strip()))
        elif page == self.REVIEW:
            self.next_button.setEnabled(bool(self.letter.toPlainText().strip()))
        else:
            self.next_button.setEnabled(self.saved is not None and self.exported is None)

    def next_step(self) -> None:
        page = self.pages.currentIndex()
        if page == self.WRITE:
            self.anonymise()
        elif page == self.REVIEW:
            self.save()
        else:
            self.export()

    def back(self) -> None:
        page = self.pages.currentIndex()
        if page == self.REVIEW:
            self._go(self.WRITE)
            self.issue.setFocus()
        elif page == self.SAVED:
            self.passphrase.forget()
            self._go(self.WRITE)
            self.issue.setFocus()

    @property
    def busy(self) -> bool:
        return self.lane.busy

    def set_session(self, session: Session) -> None:
        """After unlocking (see ``ShownOnceDialog.set_session``)."""
        if session.actor == self._actor:
            self._session = session
        super().set_session(session)

    def _forget(self) -> None:
        # The dialog closes only when no export is running (or when the session ends).
        self.forget_passphrases()
        for edit in (self.issue, self.letter, self.saved_text):
            edit.clear()
        self._anonymised_text = self._own_text = ""
        self.draft = None
        self.lane.shutdown()
