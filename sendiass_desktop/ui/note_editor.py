"""Writing and changing a case note, with drafts that survive a lock or a crash.

While the user types, the text is saved as a draft inside the encrypted store
(``services.notes.save_draft``) a few seconds after typing pauses (and at
least every ``AUTOSAVE_MAX_MS`` while typing goes on), and again whenever the
editor closes, the window closes or the app locks. Nothing typed is lost: a
save that loses a race opens ``ConflictDialog`` with both versions side by
side, and the user's text stays in the draft until the merged note is saved.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.errors import EditConflict, InvalidInput
from sendiass_desktop.domain.notes import Confidentiality, Note, NoteType
from sendiass_desktop.services import notes as notes_service
from sendiass_desktop.services.session import Session
from sendiass_desktop.store.drafts import Draft
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import (
    GuardedTextEdit,
    buddy,
    button,
    uk_datetime,
    user_message,
)
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.theme import Tone, heading_font

AUTOSAVE_IDLE_MS = 3000  # after typing pauses this long
AUTOSAVE_MAX_MS = 20_000  # and at least this often while typing goes on

CONFIDENTIALITY_HELP = {
    Confidentiality.NORMAL: "Everyone in the service who works on cases can read it.",
    Confidentiality.YOUNG_PERSON: (
        "Only you, the officers working with the young person on this case, and managers. "
        "Never shown to the parent's side, nor in a parent's subject access pack."),
    Confidentiality.RESTRICTED: "Only you and managers can read it.",
}


def _note_to_fields(note: Note) -> dict[str, Any]:
    """The draft fields, in the same form ``services.notes`` keeps on a conflict."""
    return {
        "type": note.type.value,
        "occurred_at": note.occurred_at.isoformat(timespec="minutes"),
        "confidentiality": note.confidentiality.value,
        "safeguarding": note.safeguarding,
        "third_parties": list(note.third_parties),
        "version": note.version,
    }


class NoteEditor(QWidget):
    """The editor shown beside the timeline. ``saved(Note)``, ``closed()``."""

    saved = Signal(object)
    closed = Signal()
    status = Signal(str)

    def __init__(self, session: Session, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Note editor")
        self._session = session
        self._case_id = case_id
        self._note: Note | None = None  # the saved note being changed, if any
        self._version = 1
        self._loading = False
        self._dirty = False
        self._first_unsaved: float | None = None
        self.was_edit = False

        self.heading = QLabel("New note", self)
        self.heading.setFont(heading_font(self, 1.15))

        self.when = QDateTimeEdit(self)
        self.when.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.when.setCalendarPopup(True)
        self.when.setAccessibleName("Date and time of the contact")
        self.type = QComboBox(self)
        for kind in NoteType:
            self.type.addItem(kind.label, kind)
        self.type.setAccessibleName("Type of contact")
        self.confidentiality = QComboBox(self)
        for level in Confidentiality:
            label = {Confidentiality.NORMAL: "Normal",
                     Confidentiality.YOUNG_PERSON: "Young person confidential",
                     Confidentiality.RESTRICTED: "Restricted"}[level]
            self.confidentiality.addItem(label, level)
        self.confidentiality.setAccessibleName("Who can read this note")
        self.conf_help = HintLabel("", self)
        self.safeguarding = QCheckBox("Safeguarding: this note is about a child's or adult's "
                                      "safety", self)
        self.safeguarding.setAccessibleName("Safeguarding flag")
        self.safeguarding_help = HintLabel(
            "The note is then marked wherever it appears. If someone may be at risk, also "
            "raise a concern on the Safeguarding tab and follow the procedure.", self)

        self.party_edit = QLineEdit(self)
        self.party_edit.setPlaceholderText("Name, role or organisation")
        self.party_edit.setAccessibleName("Third party to add")
        self.party_edit.setMaxLength(200)
        self.party_edit.returnPressed.connect(self.add_party)
        self.party_add = button("&Add", "Add third party", self)
        self.party_add.clicked.connect(self.add_party)
        self.party_model = QStringListModel(self)
        self.party_list = QListView(self)
        self.party_list.setModel(self.party_model)
        self.party_list.setAccessibleName("Third parties mentioned")
        self.party_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.party_list.setFlow(QListView.Flow.LeftToRight)
        self.party_list.setWrapping(True)
        self.party_list.setSpacing(2)
        self.party_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 3 + 8)
        self.party_remove = button("Re&move", "Remove third party", self)
        self.party_remove.clicked.connect(self.remove_party)
        remove_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.party_list)
        remove_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove_key.activated.connect(self.remove_party)
        parties = QHBoxLayout()
        parties.addWidget(self.party_edit, 1)
        parties.addWidget(self.party_add)
        parties_row = QHBoxLayout()
        parties_row.addWidget(self.party_list, 1)
        parties_row.addWidget(self.party_remove, 0, Qt.AlignmentFlag.AlignTop)

        self.body = GuardedTextEdit("Note text", self)
        self.body.setPlaceholderText("What happened, what was said, what was agreed, what "
                                     "happens next…")
        self.body.setMinimumHeight(self.fontMetrics().lineSpacing() * 10)

        self.draft_status = HintLabel("", self)
        self.draft_status.setAccessibleName("Draft status")
        self.message = InlineMessage(self, "Note message")

        self.save_button = button("&Save note", "Save note", self, tip="Ctrl+S")
        self.save_button.setDefault(False)
        self.save_button.clicked.connect(self.save)
        self.close_button = button("Close", "Close editor, keeping a draft", self,
                                   tip="Esc. Unsaved text is kept as a draft.")
        self.close_button.clicked.connect(self.close_editor)
        self.discard_button = button("&Discard…", "Discard this text", self)
        self.discard_button.clicked.connect(self.discard)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        top = QHBoxLayout()
        top.addWidget(self.when)
        top.addWidget(buddy("&Type:", self.type, self))
        top.addWidget(self.type, 1)
        when_label = buddy("&When:", self.when, self)
        form.addRow(when_label, top)
        conf_box = QVBoxLayout()
        conf_box.setSpacing(2)
        conf_box.addWidget(self.confidentiality)
        conf_box.addWidget(self.conf_help)
        form.addRow(buddy("Who can &read it:", self.confidentiality, self), conf_box)
        safe_box = QVBoxLayout()
        safe_box.setSpacing(2)
        safe_box.addWidget(self.safeguarding)
        safe_box.addWidget(self.safeguarding_help)
        form.addRow("", safe_box)
        party_box = QVBoxLayout()
        party_box.setSpacing(4)
        party_box.addLayout(parties)
        party_box.addLayout(parties_row)
        form.addRow(buddy("Third &parties:", self.party_edit, self), party_box)

        buttons = QHBoxLayout()
        buttons.addWidget(self.draft_status, 1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(buddy("N&ote:", self.body, self))
        layout.addWidget(self.body, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(AUTOSAVE_IDLE_MS)
        self.autosave_timer.timeout.connect(self.autosave)

        for signal in (self.when.dateTimeChanged, self.type.currentIndexChanged,
                       self.safeguarding.toggled, self.body.textChanged):
            signal.connect(self._changed)
        self.confidentiality.currentIndexChanged.connect(self._confidentiality_changed)

        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.close_editor)

        QWidget.setTabOrder(self.when, self.type)
        QWidget.setTabOrder(self.type, self.confidentiality)
        QWidget.setTabOrder(self.confidentiality, self.safeguarding)
        QWidget.setTabOrder(self.safeguarding, self.party_edit)
        QWidget.setTabOrder(self.party_edit, self.party_add)
        QWidget.setTabOrder(self.party_add, self.party_list)
        QWidget.setTabOrder(self.party_list, self.party_remove)
        QWidget.setTabOrder(self.party_remove, self.body)
        QWidget.setTabOrder(self.body, self.discard_button)
        QWidget.setTabOrder(self.discard_button, self.close_button)
        QWidget.setTabOrder(self.close_button, self.save_button)
        self._reset()

    # --- state -------------------------------------------------------------------------------

    @property
    def note_id(self) -> int | None:
        return self._note.id if self._note is not None else None

    @property
    def dirty(self) -> bool:
        return self._dirty

    def set_session(self, session: Session) -> None:
        self._session = session

    def _reset(self, note: Note | None = None) -> None:
        self._loading = True
        try:
            self.autosave_timer.stop()
            self._note = note
            self.was_edit = note is not None
            self._version = note.version if note is not None else 1
            now = QDateTime.currentDateTime()
            # A day's leeway, as the editor may stay open for hours; the service refuses
            # a note dated in the future, in plain words.
            self.when.setMaximumDateTime(now.addDays(1))
            self.when.setDateTime(QDateTime(note.occurred_at) if note else now)
            self._select(self.type, note.type if note else NoteType.CALL)
            self._select(self.confidentiality,
                         note.confidentiality if note else Confidentiality.NORMAL)
            self.safeguarding.setChecked(note.safeguarding if note else False)
            self.party_model.setStringList(list(note.third_parties) if note else [])
            self.party_edit.clear()
            self.body.setPlainText(note.body if note else "")
            self.message.clear()
            self.draft_status.setText("")
            self.heading.setText(
                "New note" if note is None else
                f"Changing the {note.type.label.lower()} note of {uk_datetime(note.occurred_at)}")
            self._update_help()
        finally:
            self._loading = False
        self._dirty = False
        self._first_unsaved = None

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(max(0, index))

    def start_new(self) -> None:
        self._reset(None)

    def start_edit(self, note: Note) -> None:
        self._reset(note)

    def restore_draft(self, draft: Draft, note: Note | None) -> None:
        """Fill the editor from a draft (the note it changes, if still there)."""
        self._reset(note)
        fields = draft.fields
        self._loading = True
        try:
            with contextlib.suppress(ValueError):
                when = datetime.fromisoformat(str(fields.get("occurred_at", "")))
                self.when.setDateTime(QDateTime(when))
            with contextlib.suppress(ValueError):
                self._select(self.type, NoteType(str(fields.get("type"))))
            with contextlib.suppress(ValueError):
                self._select(self.confidentiality,
                             Confidentiality(str(fields.get("confidentiality"))))
            self.safeguarding.setChecked(bool(fields.get("safeguarding", False)))
            parties = fields.get("third_parties") or []
            self.party_model.setStringList([str(p) for p in parties])
            version = fields.get("version")
            if isinstance(version, int) and note is not None:
                # The version the user started from: if the note changed since, saving
                # shows both versions rather than overwriting.
                self._version = version
            self.body.setPlainText(draft.body)
            self._update_help()
        finally:
            self._loading = False
        if draft.note_id is not None and note is None:
            self.heading.setText("Unsaved text for a note that is no longer there")
        self.draft_status.setText(f"Restored your unsaved text from "
                                  f"{uk_datetime(draft.updated_at)}.")
        self._dirty = False

    def _confidentiality_changed(self) -> None:
        self._update_help()
        self._changed()

    def _update_help(self) -> None:
        level = self.confidentiality.currentData()
        if isinstance(level, Confidentiality):
            self.conf_help.setText(CONFIDENTIALITY_HELP[level])
            self.confidentiality.setAccessibleDescription(CONFIDENTIALITY_HELP[level])

    def _changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._dirty = True
        now = time.monotonic()
        if self._first_unsaved is None:
            self._first_unsaved = now
        self.draft_status.setText("Not saved yet.")
        if (now - self._first_unsaved) * 1000 >= AUTOSAVE_MAX_MS:
            self.autosave()
        else:
            self.autosave_timer.start()

    # --- third parties -----------------------------------------------------------------------

    def add_party(self) -> None:
        name = " ".join(self.party_edit.text().split())
        if not name:
            return
        names = self.party_model.stringList()
        if name.lower() not in (n.lower() for n in names):
            names.append(name)
            self.party_model.setStringList(names)
            self._changed()
        self.party_edit.clear()
        self.party_edit.setFocus()

    def remove_party(self) -> None:
        index = self.party_list.currentIndex()
        if index.isValid():
            self.party_model.removeRows(index.row(), 1)
            self._changed()

    # --- the note ----------------------------------------------------------------------------

    def current_note(self) -> Note:
        when = self.when.dateTime().toPython()
        assert isinstance(when, datetime)
        base = self._note
        return Note(
            case_id=self._case_id,
            occurred_at=when.replace(second=0, microsecond=0, tzinfo=None),
            type=self.type.currentData(),
            author=base.author if base else self._session.user.username,
            body=self.body.toPlainText(),
            confidentiality=self.confidentiality.currentData(),
            safeguarding=self.safeguarding.isChecked(),
            third_parties=tuple(self.party_model.stringList()),
            created_at=base.created_at if base else None,
            id=base.id if base else None,
            version=self._version,
        )

    def autosave(self) -> bool:
        """Save the draft now if anything changed; True when nothing unsaved remains."""
        self.autosave_timer.stop()
        if not self._dirty:
            return True
        note = self.current_note()
        try:
            if not note.body.strip() and note.id is None:
                notes_service.discard_draft(self._session, self._case_id, None)
            else:
                notes_service.save_draft(self._session, self._case_id, note.id, note.body,
                                         _note_to_fields(note))
        except Exception as exc:
            self.draft_status.setText("The draft could not be saved: "
                                      + user_message(exc, "try again in a moment."))
            return False
        self._dirty = False
        self._first_unsaved = None
        self.draft_status.setText(f"Draft saved at {datetime.now():%H:%M}.")
        return True

    def flush_draft(self) -> bool:
        """Before lock or close: keep whatever is unsaved. True if it is safe to clear."""
        return self.autosave()

    def clear_text(self) -> None:
        """Forget the fields (on lock, after the draft was saved)."""
        self._reset(None)

    def focus_body(self) -> None:
        self.body.setFocus()
        self.body.moveCursor(self.body.textCursor().MoveOperation.End)

    def save(self) -> None:
        self.message.clear()
        note = self.current_note()
        try:
            if note.id is None:
                saved = notes_service.add_note(self._session, note)
            else:
                saved = notes_service.update_note(self._session, note)
        except EditConflict as conflict:
            self._dirty = False  # the service kept the text as a draft
            self._resolve_conflict(conflict)
            return
        except InvalidInput as exc:
            self.message.show_message(str(exc))
            (self.body if "text" in str(exc) else self.when).setFocus()
            return
        except Exception as exc:
            self.autosave()
            self.message.show_message(user_message(
                exc, "The note could not be saved. Your text is kept as a draft; try again."))
            return
        self._finish(saved)

    def _finish(self, saved: Note) -> None:
        self._reset(None)
        self.saved.emit(saved)

    def _resolve_conflict(self, conflict: EditConflict) -> None:
        mine, theirs = conflict.mine, conflict.theirs
        assert isinstance(mine, Note) and isinstance(theirs, Note)
        if theirs.deleted:
            answer = QMessageBox.question(
                self, "This note was deleted",
                "Someone deleted this note while you were changing it. Your text is kept as "
                "a draft. Save your text as a new note?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Save)
            if answer == QMessageBox.StandardButton.Save:
                self._save_as_new(mine)
            return
        dialog = ConflictDialog(mine, theirs, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            self.draft_status.setText("Your text is kept as a draft.")
            return
        merged = replace(mine, body=dialog.merged_text(), version=theirs.version)
        self._version = theirs.version
        self._loading = True
        try:
            self.body.setPlainText(merged.body)
        finally:
            self._loading = False
        try:
            saved = notes_service.update_note(self._session, merged)
        except EditConflict as again:
            self._resolve_conflict(again)
            return
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return
        self._finish(saved)

    def _save_as_new(self, mine: Note) -> None:
        try:
            saved = notes_service.add_note(self._session, replace(mine, id=None, version=1))
            if mine.id is not None:
                notes_service.discard_draft(self._session, self._case_id, mine.id)
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return
        self._finish(saved)

    def close_editor(self) -> None:
        """Esc: close, keeping any unsaved text as a draft."""
        if not self.flush_draft():
            self.message.show_message(
                "The draft could not be saved, so the editor stays open. Try Save again in "
                "a moment.", Tone.WARNING)
            return
        had_text = bool(self.body.toPlainText().strip())
        changed_note = self._note is not None
        self._reset(None)
        if had_text and not changed_note:
            self.status.emit("The note was not saved yet; it is kept as a draft.")
        self.closed.emit()

    def discard(self) -> None:
        answer = QMessageBox.question(
            self, "Discard this text?",
            "What you typed here will be deleted for good. Discard it?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Discard:
            return
        self.discard_now()

    def discard_now(self) -> None:
        try:
            notes_service.discard_draft(self._session, self._case_id, self.note_id)
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return
        self._reset(None)
        self.closed.emit()



class ConflictDialog(QDialog):
    """Both versions side by side: theirs read-only, the user's editable for merging."""

    def __init__(self, mine: Note, theirs: Note, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Someone else changed this note")
        self.setAccessibleName("Someone else changed this note")
        heading = QLabel("Someone else changed this note while you were editing", self)
        heading.setFont(heading_font(self, 1.2))
        heading.setWordWrap(True)
        intro = HintLabel(
            "Your text is safe: it is kept as a draft. Their saved version is on the left. "
            "Change the text on the right so it holds everything that should stay, then save "
            "it. Nothing is overwritten until you do.", self)
        changed = uk_datetime(theirs.updated_at) or "recently"
        self.theirs = GuardedTextEdit("Saved version", self, read_only=True)
        self.theirs.setPlainText(theirs.body)
        self.mine = GuardedTextEdit("Your version, to merge", self)
        self.mine.setPlainText(mine.body)
        left = QVBoxLayout()
        left.addWidget(QLabel(f"Saved version (changed {changed})", self))
        left.addWidget(self.theirs, 1)
        right = QVBoxLayout()
        right.addWidget(buddy("&Your version — change this to merge:", self.mine, self))
        right.addWidget(self.mine, 1)
        sides = QHBoxLayout()
        sides.addLayout(left, 1)
        sides.addLayout(right, 1)
        self.later_button = button("Not now (keep my draft)", parent=self)
        self.later_button.clicked.connect(self.reject)
        self.save_button = button("&Save the merged note", parent=self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.later_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(sides, 1)
        layout.addLayout(buttons)
        chars = self.fontMetrics().averageCharWidth()
        self.resize(chars * 140, self.fontMetrics().lineSpacing() * 30)
        self.mine.setFocus()

    def merged_text(self) -> str:
        return self.mine.toPlainText()
