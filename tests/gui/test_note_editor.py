"""The note editor on its own: fields, autosave, drafts, checks, conflicts."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.notes import Confidentiality, Note, NoteType
from sendiass_desktop.services import notes
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.ui.clipboard import shared_guard
from sendiass_desktop.ui.note_editor import CONFIDENTIALITY_HELP, NoteEditor
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.gui.test_case_window import open_window
from tests.support.casework import Family, add_note, make_family

pytestmark = pytest.mark.gui


@pytest.fixture
def admin(store: StoreFixture) -> Iterator[Session]:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    yield session
    session.close()


@pytest.fixture
def family(admin: Session) -> Family:
    return make_family(admin)


def editor_for(qtbot: QtBot, session: Session, family: Family) -> NoteEditor:
    assert family.case.id is not None
    editor = NoteEditor(session, family.case.id)
    qtbot.addWidget(editor)
    editor.show()
    editor.start_new()
    return editor


def test_the_explanation_follows_who_can_read_it(qtbot: QtBot, admin: Session,
                                                 family: Family) -> None:
    editor = editor_for(qtbot, admin, family)
    for level in Confidentiality:
        editor.confidentiality.setCurrentIndex(editor.confidentiality.findData(level))
        assert editor.conf_help.text() == CONFIDENTIALITY_HELP[level]
    editor.confidentiality.setCurrentIndex(
        editor.confidentiality.findData(Confidentiality.YOUNG_PERSON))
    assert "Never shown to the parent's side" in editor.conf_help.text()


def test_autosave_keeps_every_field_and_a_new_editor_restores_them(
    qtbot: QtBot, admin: Session, family: Family
) -> None:
    assert family.case.id is not None
    editor = editor_for(qtbot, admin, family)
    when = datetime.now().replace(second=0, microsecond=0) - timedelta(days=2, hours=1)
    editor.when.setDateTime(QDateTime(when))
    editor.type.setCurrentIndex(editor.type.findData(NoteType.VISIT))
    editor.confidentiality.setCurrentIndex(
        editor.confidentiality.findData(Confidentiality.YOUNG_PERSON))
    editor.safeguarding.setChecked(True)
    editor.party_edit.setText("  Youth   worker ")
    qtbot.keyClick(editor.party_edit, Qt.Key.Key_Return)
    editor.party_edit.setText("youth worker")  # the same name again is not added twice
    editor.add_party()
    editor.party_edit.setText("School nurse")
    editor.add_party()
    editor.body.setPlainText("Visited at home.")
    assert editor.dirty and editor.autosave_timer.isActive()
    editor.autosave_timer.timeout.emit()
    assert not editor.dirty
    assert editor.draft_status.text().startswith("Draft saved at")

    draft = notes.load_draft(admin, family.case.id, None)
    assert draft is not None and draft.body == "Visited at home."
    assert draft.fields["type"] == "visit"
    assert draft.fields["confidentiality"] == "young_person"
    assert draft.fields["safeguarding"] is True
    assert draft.fields["third_parties"] == ["Youth worker", "School nurse"]

    fresh = editor_for(qtbot, admin, family)
    fresh.restore_draft(draft, None)
    note = fresh.current_note()
    assert note.body == "Visited at home."
    assert note.type is NoteType.VISIT
    assert note.confidentiality is Confidentiality.YOUNG_PERSON
    assert note.safeguarding
    assert note.third_parties == ("Youth worker", "School nurse")
    assert note.occurred_at == when
    assert "Restored your unsaved text" in fresh.draft_status.text()


def test_long_typing_is_saved_even_without_a_pause(qtbot: QtBot, admin: Session,
                                                   family: Family) -> None:
    assert family.case.id is not None
    editor = editor_for(qtbot, admin, family)
    qtbot.keyClicks(editor.body, "a")
    editor._first_unsaved = time.monotonic() - 60  # typing has gone on for a minute
    qtbot.keyClicks(editor.body, "b")
    assert not editor.dirty
    draft = notes.load_draft(admin, family.case.id, None)
    assert draft is not None and draft.body == "ab"


def test_an_emptied_new_note_leaves_no_draft(qtbot: QtBot, admin: Session,
                                             family: Family) -> None:
    assert family.case.id is not None
    editor = editor_for(qtbot, admin, family)
    editor.body.setPlainText("Something")
    editor.autosave()
    editor.body.setPlainText("   ")
    editor.autosave()
    assert notes.load_draft(admin, family.case.id, None) is None


def test_plain_messages_for_an_empty_or_future_note(qtbot: QtBot, admin: Session,
                                                    family: Family) -> None:
    editor = editor_for(qtbot, admin, family)
    saved: list[Note] = []
    editor.saved.connect(saved.append)
    editor.save()
    assert editor.message.text() == "A note needs some text."
    editor.body.setPlainText("Tomorrow's meeting")
    editor.when.setMaximumDateTime(QDateTime.currentDateTime().addDays(5))
    editor.when.setDateTime(QDateTime.currentDateTime().addDays(2))
    editor.save()
    assert editor.message.text() == "A note cannot be dated in the future."
    assert saved == []


def test_discarding_deletes_the_draft(qtbot: QtBot, admin: Session, family: Family,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert family.case.id is not None
    editor = editor_for(qtbot, admin, family)
    editor.body.setPlainText("Not wanted")
    editor.autosave()
    closed: list[bool] = []
    editor.closed.connect(lambda: closed.append(True))
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Cancel))
    editor.discard()
    assert notes.load_draft(admin, family.case.id, None) is not None  # Cancel: kept
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))
    editor.discard()
    assert notes.load_draft(admin, family.case.id, None) is None
    assert closed == [True]


def test_copy_and_cut_in_the_editor_go_through_the_guard(qtbot: QtBot, admin: Session,
                                                         family: Family) -> None:
    editor = editor_for(qtbot, admin, family)
    editor.body.setPlainText("Sensitive words")
    editor.body.setFocus()
    editor.body.selectAll()
    qtbot.keyClick(editor.body, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert shared_guard().holds_secret
    assert QApplication.clipboard().text() == "Sensitive words"
    qtbot.keyClick(editor.body, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
    assert editor.body.toPlainText() == ""
    assert editor.body.createMimeDataFromSelection().text() == ""  # nothing to drag out
    shared_guard().clear_now()
    assert QApplication.clipboard().text() == ""


def test_a_note_deleted_by_someone_else_can_be_saved_as_new(
    qtbot: QtBot, admin: Session, family: Family, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert family.case.id is not None
    note = add_note(admin, family.case, "Before.")
    editor = editor_for(qtbot, admin, family)
    editor.start_edit(note)
    editor.body.setPlainText("After, with my changes.")
    notes.delete_note(admin, note)
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Save))
    saved: list[Note] = []
    editor.saved.connect(saved.append)
    editor.save()
    assert [n.body for n in saved] == ["After, with my changes."]
    bodies = [n.body for n in notes.notes_for_case(admin, family.case.id)]
    assert bodies == ["After, with my changes."]
    assert notes.load_draft(admin, family.case.id, note.id) is None


def test_officers_cannot_start_editing_someone_elses_note(
    qtbot: QtBot, store: StoreFixture, admin: Session, family: Family
) -> None:
    assert family.case.id is not None
    add_note(admin, family.case, "Alice's note")
    bob = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    try:
        window = open_window(qtbot, bob, family.case.id)
        window.show_tab("notes")
        window.notes.view.setCurrentIndex(window.notes.proxy.index(0, 0))
        assert window.notes.detail.copy_button.isVisible()
        assert not window.notes.detail.edit_button.isVisible()
        assert not window.notes.detail.delete_button.isVisible()
        window.close()
    finally:
        bob.close()


def test_tab_order_runs_through_the_fields_to_save(qtbot: QtBot, admin: Session,
                                                   family: Family) -> None:
    editor = editor_for(qtbot, admin, family)
    order = [editor.when, editor.type, editor.confidentiality, editor.safeguarding,
             editor.party_edit, editor.party_add, editor.party_list, editor.party_remove,
             editor.body, editor.discard_button, editor.close_button, editor.save_button]
    for first, second in itertools.pairwise(order):
        assert first.nextInFocusChain() is second or _reaches(first, second)


def _reaches(first: object, second: object) -> bool:
    widget = first.nextInFocusChain()  # type: ignore[attr-defined]
    for _ in range(6):  # inner parts of composite widgets (the date's line edit…)
        if widget is second:
            return True
        widget = widget.nextInFocusChain()
    return False
