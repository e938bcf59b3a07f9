"""The case window: new case, notes, safeguarding bar, consent, confidentiality,
drafts across a lock and a crash, conflicts, delete and undo, documents, audit.

Each test drives the real widgets and checks the result through the services
as well, so what the user sees and what is stored agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, Qt, QTimer, QUrl
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.consent import ConsentState, Purpose, Recipient
from sendiass_desktop.domain.notes import Confidentiality, Note, NoteType
from sendiass_desktop.domain.people import PersonRole
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.domain.safeguarding import SafeguardingAction
from sendiass_desktop.services import cases, consent, notes, users
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.ui.case_window import CaseWindow
from sendiass_desktop.ui.clipboard import shared_guard
from sendiass_desktop.ui.consent_panel import RecordConsentDialog, WithdrawConsentDialog
from sendiass_desktop.ui.new_case_dialog import NewCaseDialog
from sendiass_desktop.ui.note_editor import ConflictDialog
from sendiass_desktop.ui.notes_timeline import YP_MARK
from sendiass_desktop.ui.safeguarding_panel import CloseConcernDialog, ConcernDialog
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.support.casework import Family, add_note, make_family

pytestmark = pytest.mark.gui

YP_OFFICER = "carol"
YP_OFFICER_PASSWORD = "willow ferry lantern"

CONTROLS = (QAbstractButton, QLineEdit, QAbstractItemView, QComboBox, QPlainTextEdit,
            QAbstractSpinBox)


# --- helpers --------------------------------------------------------------------------------


@pytest.fixture
def admin(store: StoreFixture) -> Iterator[Session]:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    yield session
    session.close()


def sign_in(store: StoreFixture, username: str, password: str) -> Session:
    return unlock_with_password(store.location, username, password)


def open_window(qtbot: QtBot, session: Session, case_id: int) -> CaseWindow:
    window = CaseWindow(session, case_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    return window


def when_dialog(cls: type, act: Callable[[Any], None], tries: int = 250) -> None:
    """Act on the next visible dialog of ``cls`` once it is open (exec() is blocking).

    Gives up after ``tries`` × 20 ms, so a dialog that never opens cannot be
    answered by accident in a later test.
    """
    def handle(left: int) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, cls) and widget.isVisible():
                act(widget)
                return
        if left > 0:
            QTimer.singleShot(20, lambda: handle(left - 1))
    QTimer.singleShot(0, lambda: handle(tries))


def _qt_part(widget: QWidget) -> bool:
    """Parts Qt builds and names itself: table headers, combo pop-ups, clear buttons."""
    if widget.objectName().startswith("qt_") or isinstance(widget, QHeaderView):
        return True
    parent = widget.parent()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parent()
    return isinstance(widget, QToolButton) and isinstance(widget.parent(), QLineEdit)


def unnamed_controls(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if isinstance(widget, CONTROLS) and not widget.accessibleName().strip():
            if _qt_part(widget):
                continue
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} "
                           f"{getattr(widget, 'text', lambda: '')()!r}")
    return missing


def case_id_of(family: Family) -> int:
    assert family.case.id is not None
    return family.case.id


def lock_and_unlock(window: CaseWindow, store: StoreFixture, username: str,
                    password: str) -> Session:
    """What the main window does: on_lock, a new session from the unlock, set_session."""
    old = window.session
    window.on_lock()
    new = sign_in(store, username, password)
    old.close()
    window.set_session(new)
    return new


# --- a new case -----------------------------------------------------------------------------


def test_new_case_dialog_creates_the_people_and_the_case(qtbot: QtBot, admin: Session) -> None:
    dialog = NewCaseDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    # Nothing typed: a plain message, and nothing is created.
    dialog.submit()
    assert "type at least a first name" in dialog.message.text()
    assert dialog.created_case_id is None

    dialog.primary.form.given.setText("Amira")
    dialog.primary.form.family.setText("Hussain")
    dialog.primary.form.email.setText("not-an-email")
    dialog.child.form.given.setText("Yusuf")
    dialog.child.form.family.setText("Hussain")
    dialog.child.form.dob.setText("14/03/2015")
    dialog.submit()
    assert "Service user: The email address does not look right" in dialog.message.text()
    assert dialog.primary.form.email.hasFocus() or not dialog.isActiveWindow()
    dialog.primary.form.email.setText("amira@example.org")
    dialog.child.form.dob.setText("31/02/2015")
    dialog.submit()
    assert "not a real date" in dialog.message.text()
    dialog.child.form.dob.setText("14/03/2015")
    dialog.details.school.setText("Northshire Primary")
    dialog.details.la.setText("Northshire County Council")
    dialog.details.issues.boxes[0][0].setChecked(True)
    dialog.details.yp_officers.set_values({OFFICER})
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.created_case_id is not None
    case = cases.get_case(admin, dialog.created_case_id)
    assert case.assigned_officer == ADMIN  # "me" by default
    assert case.school_setting == "Northshire Primary"
    assert case.young_person_officers == frozenset({OFFICER})
    case_file = cases.open_case_file(admin, dialog.created_case_id)
    primary = case_file.people[case.primary_person_id]
    assert primary.display_name == "Amira Hussain" and primary.email == "amira@example.org"
    assert primary.role is PersonRole.PARENT_CARER
    assert case.child_person_id is not None
    child = case_file.people[case.child_person_id]
    assert child.role is PersonRole.CHILD_YOUNG_PERSON
    assert child.date_of_birth is not None and child.date_of_birth.year == 2015


def test_new_case_reuses_someone_already_known(qtbot: QtBot, admin: Session) -> None:
    family = make_family(admin, surname="Okafor")
    dialog = NewCaseDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.primary.known_radio.setChecked(True)
    dialog.primary.search.setText("Sarah Okafor")
    dialog.primary.run_search()
    assert dialog.primary.results_model.rowCount() == 1
    assert family.case.ref in dialog.primary.results_model.item(0).text()
    dialog.child.none_radio.setChecked(True)  # type: ignore[union-attr]
    dialog.submit()
    assert dialog.created_case_id is not None
    case = cases.get_case(admin, dialog.created_case_id)
    assert case.primary_person_id == family.parent.id
    assert case.child_person_id is None


# --- the window -----------------------------------------------------------------------------


def test_window_title_header_and_accessible_names(qtbot: QtBot, admin: Session) -> None:
    family = make_family(admin)
    window = open_window(qtbot, admin, case_id_of(family))
    assert window.windowTitle() == f"Case {family.case.ref}"
    assert "Sarah" not in window.windowTitle() and "Jones" not in window.windowTitle()
    assert window.header.values["Service user"].text() == "Sarah Jones (parent or carer)"
    assert window.header.values["Child or young person"].text().startswith("Tom Jones, age")
    assert window.header.values["Issues"].text() == "EHC needs assessment"
    for key in ("summary", "people", "notes", "consent", "safeguarding", "documents",
                "deadlines", "audit"):
        window.show_tab(key)
        assert window.current_tab() == key
    assert unnamed_controls(window) == []
    window.close()


def test_adding_a_note_shows_in_the_timeline_and_the_store(qtbot: QtBot, admin: Session) -> None:
    family = make_family(admin)
    case_id = case_id_of(family)
    window = open_window(qtbot, admin, case_id)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.current_tab() == "notes" and window.notes.editor_open()
    editor = window.notes.editor
    qtbot.waitUntil(editor.body.hasFocus, timeout=3_000)
    qtbot.keyClicks(editor.body, "Rang Mum about the school's reply.")
    editor.type.setCurrentIndex(editor.type.findData(NoteType.CALL))
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not window.notes.editor_open()
    assert window.notes.model.rowCount() == 1
    shown = window.notes.view.current_note()
    assert shown is not None and shown.body == "Rang Mum about the school's reply."
    stored = notes.notes_for_case(admin, case_id)
    assert [n.body for n in stored] == ["Rang Mum about the school's reply."]
    assert stored[0].type is NoteType.CALL and stored[0].author == ADMIN
    assert window.tabs.tabText(window.tabs.indexOf(window.notes)) == "Notes (1)"
    # The draft went when the note was saved.
    assert notes.load_draft(admin, case_id, None) is None
    window.close()


def test_keyboard_tabs_and_escape_keep_a_draft(qtbot: QtBot, admin: Session) -> None:
    family = make_family(admin)
    case_id = case_id_of(family)
    window = open_window(qtbot, admin, case_id)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert window.current_tab() == "notes"
    qtbot.keyClick(window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.current_tab() == "consent"
    qtbot.keyClick(window, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert window.current_tab() == "summary"
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = window.notes.editor
    qtbot.waitUntil(editor.body.hasFocus, timeout=3_000)
    qtbot.keyClicks(editor.body, "Half a thought")
    qtbot.keyClick(editor.body, Qt.Key.Key_Escape)
    assert not window.notes.editor_open()
    draft = notes.load_draft(admin, case_id, None)
    assert draft is not None and draft.body == "Half a thought"
    assert window.notes.draft_bar.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def test_copying_note_text_goes_through_the_clipboard_guard(qtbot: QtBot,
                                                           admin: Session) -> None:
    family = make_family(admin)
    add_note(admin, family.case, "Private words")
    window = open_window(qtbot, admin, case_id_of(family))
    window.show_tab("notes")
    window.notes.view.setCurrentIndex(window.notes.proxy.index(0, 0))
    window.notes.detail.copy_button.click()
    assert shared_guard().holds_secret
    assert QApplication.clipboard().text() == "Private words"
    shared_guard().clear_now()
    assert QApplication.clipboard().text() == ""
    window.close()


# --- safeguarding ---------------------------------------------------------------------------


def test_raising_and_closing_a_concern_shows_and_removes_the_red_bar(
    qtbot: QtBot, admin: Session
) -> None:
    family = make_family(admin)
    flagged = add_note(admin, family.case, "Tom said he is scared to go home.", safeguarding=True)
    window = open_window(qtbot, admin, case_id_of(family))
    assert not window.safeguarding_bar.isVisible()
    window.show_tab("safeguarding")

    def fill(dialog: ConcernDialog) -> None:
        dialog.description.setPlainText("Disclosure of fear of going home.")
        dialog.decided_by.setText("Alice Admin (DSL)")
        dialog.action.setCurrentIndex(dialog.action.findData(SafeguardingAction.MASH))
        model = dialog.links.model()
        for row in range(model.rowCount()):
            item = model.item(row)  # type: ignore[attr-defined]
            if item.data(Qt.ItemDataRole.UserRole) == flagged.id:
                item.setCheckState(Qt.CheckState.Checked)
        dialog.submit()

    when_dialog(ConcernDialog, fill)
    window.safeguarding.raise_concern()
    assert window.safeguarding_bar.isVisible()
    assert "SAFEGUARDING — 1 open concern" in window.safeguarding_bar.label.text()
    assert "Referral to the MASH" in window.safeguarding_bar.label.text()
    # Visible on every tab: the bar sits above the tabs.
    for key in ("summary", "notes", "documents"):
        window.show_tab(key)
        assert window.safeguarding_bar.isVisible()
    tab_text = window.tabs.tabText(window.tabs.indexOf(window.safeguarding))
    assert tab_text == "Safeguarding (1 open)"
    concern = window.safeguarding.current()
    assert concern is not None and concern.linked_note_ids == (flagged.id,)
    # The flagged note is marked in the timeline.
    window.show_tab("notes")
    assert "Safeguarding." in window.notes.model.describe(flagged)

    window.show_tab("safeguarding")
    when_dialog(CloseConcernDialog, lambda d: (d.outcome.setPlainText(
        "MASH took no further action; family supported."), d.submit()))
    window.safeguarding.close_concern()
    assert not window.safeguarding_bar.isVisible()
    assert window.tabs.tabText(window.tabs.indexOf(window.safeguarding)) == "Safeguarding"
    window.close()


def test_closing_a_concern_needs_an_outcome(qtbot: QtBot, admin: Session) -> None:
    family = make_family(admin)
    window = open_window(qtbot, admin, case_id_of(family))
    when_dialog(ConcernDialog, lambda d: (d.description.setPlainText("Bruise seen."),
                                          d.submit()))
    window.safeguarding.raise_concern()
    concern = window.safeguarding.current()
    assert concern is not None
    dialog = CloseConcernDialog(admin, concern, window)
    qtbot.addWidget(dialog)
    dialog.submit()
    assert "Record the outcome" in dialog.message.text()
    assert window.safeguarding_bar.isVisible()
    window.close()


# --- consent --------------------------------------------------------------------------------


def test_recording_then_withdrawing_consent_updates_the_grid(qtbot: QtBot,
                                                              admin: Session) -> None:
    family = make_family(admin)
    case_id = case_id_of(family)
    parent_id = family.parent.id
    assert parent_id is not None
    window = open_window(qtbot, admin, case_id)
    window.show_tab("consent")
    grid = window.consent
    assert grid.state_at(parent_id, Recipient.SCHOOL, Purpose.DISCUSS_CASE) == "None"

    def give(dialog: RecordConsentDialog) -> None:
        dialog.preset(parent_id, Recipient.SCHOOL, "")
        dialog.purpose_boxes[Purpose.DISCUSS_CASE].setChecked(True)
        dialog.submit()

    when_dialog(RecordConsentDialog, give)
    grid.record_consent()
    assert grid.state_at(parent_id, Recipient.SCHOOL, Purpose.DISCUSS_CASE) == "Given"
    assert consent.can_share(admin, case_id, parent_id, Recipient.SCHOOL,
                             Purpose.DISCUSS_CASE).allowed

    def withdraw(dialog: WithdrawConsentDialog) -> None:
        dialog.preset(parent_id, Recipient.SCHOOL, "")
        dialog.purpose.setCurrentIndex(dialog.purpose.findData(Purpose.DISCUSS_CASE))
        dialog.submit()

    when_dialog(WithdrawConsentDialog, withdraw)
    grid.withdraw_consent()
    assert grid.state_at(parent_id, Recipient.SCHOOL, Purpose.DISCUSS_CASE) == "Withdrawn"
    decision = consent.can_share(admin, case_id, parent_id, Recipient.SCHOOL,
                                 Purpose.DISCUSS_CASE)
    assert not decision.allowed
    states = [r.state for r in consent.consents_for_case(admin, case_id)]
    assert states == [ConsentState.GIVEN, ConsentState.WITHDRAWN]
    assert grid.history_model.rowCount() == 2
    window.close()


# --- confidentiality ------------------------------------------------------------------------


def test_young_person_note_is_marked_for_the_yp_officer_and_absent_for_the_parent_side(
    qtbot: QtBot, store: StoreFixture, admin: Session
) -> None:
    users.add_user(admin, YP_OFFICER, Role.OFFICER, password=YP_OFFICER_PASSWORD,
                   display_name="Carol Young")
    family = make_family(admin, officer=OFFICER, yp_officers=frozenset({YP_OFFICER}))
    case_id = case_id_of(family)
    carol = sign_in(store, YP_OFFICER, YP_OFFICER_PASSWORD)
    bob = sign_in(store, OFFICER, OFFICER_PASSWORD)
    try:
        add_note(bob, family.case, "Spoke to Mum about the school meeting.")
        secret = add_note(carol, family.case, "Tom told me about the bullying, privately.",
                          Confidentiality.YOUNG_PERSON)

        yp_window = open_window(qtbot, carol, case_id)
        yp_window.show_tab("notes")
        shown = {n.id: n for n in yp_window.notes.model.notes()}
        assert secret.id in shown
        assert YP_MARK in yp_window.notes.model.describe(shown[secret.id])
        assert yp_window.notes.select_note(secret.id)  # type: ignore[arg-type]
        chips = [yp_window.notes.detail.marks.itemAt(i).widget()
                 for i in range(yp_window.notes.detail.marks.count())]
        assert any(c is not None and c.accessibleName() == YP_MARK for c in chips)
        yp_window.close()

        parent_window = open_window(qtbot, bob, case_id)
        parent_window.show_tab("notes")
        bodies = [n.body for n in parent_window.notes.model.notes()]
        assert bodies == ["Spoke to Mum about the school meeting."]
        assert parent_window.notes.count_label.text() == "1 note."
        parent_window.notes.filter.setText("bullying")
        assert parent_window.notes.proxy.rowCount() == 0
        parent_window.close()
    finally:
        carol.close()
        bob.close()


# --- drafts: a lock and a crash -------------------------------------------------------------


def test_autosave_then_lock_and_unlock_restores_the_unsaved_text(
    qtbot: QtBot, store: StoreFixture
) -> None:
    session = sign_in(store, ADMIN, ADMIN_PASSWORD)
    family = make_family(session)
    case_id = case_id_of(family)
    window = open_window(qtbot, session, case_id)
    window.new_note()
    editor = window.notes.editor
    qtbot.keyClicks(editor.body, "Notes from the visit: ")
    assert editor.autosave_timer.isActive()
    with qtbot.waitSignal(editor.autosave_timer.timeout, timeout=10_000):
        pass  # the idle timer fires by itself
    draft = notes.load_draft(session, case_id, None)
    assert draft is not None and draft.body == "Notes from the visit: "
    qtbot.keyClicks(editor.body, "Tom was calm")  # typed after the autosave

    session = lock_and_unlock(window, store, ADMIN, ADMIN_PASSWORD)
    try:
        assert window.notes.editor_open()
        assert editor.body.toPlainText() == "Notes from the visit: Tom was calm"
        assert window.current_tab() == "notes"
        assert window.pages.currentWidget() is window.content
    finally:
        window.close()
        session.close()


def test_locking_hides_the_case_and_drops_what_is_shown(qtbot: QtBot,
                                                        store: StoreFixture) -> None:
    session = sign_in(store, ADMIN, ADMIN_PASSWORD)
    family = make_family(session)
    add_note(session, family.case, "Something private")
    window = open_window(qtbot, session, case_id_of(family))
    window.show_tab("notes")
    window.new_note()
    qtbot.keyClicks(window.notes.editor.body, "Typed just before the lock")
    window.on_lock()
    assert window.pages.currentWidget() is window.locked_page
    assert window.notes.model.rowCount() == 0
    assert window.notes.editor.body.toPlainText() == ""  # it is in the draft instead
    assert window.header.ref.text() == ""
    assert not window.new_note_action.isEnabled()
    draft = notes.load_draft(session, case_id_of(family), None)
    assert draft is not None and draft.body == "Typed just before the lock"
    new = sign_in(store, ADMIN, ADMIN_PASSWORD)
    session.close()
    window.set_session(new)
    assert window.notes.editor.body.toPlainText() == "Typed just before the lock"
    assert window.notes.model.rowCount() == 1
    window.close()
    new.close()


def test_a_crash_keeps_the_draft_and_the_next_window_offers_it(
    qtbot: QtBot, admin: Session
) -> None:
    family = make_family(admin)
    case_id = case_id_of(family)
    window = CaseWindow(admin, case_id)
    window.show()
    window.new_note()
    qtbot.keyClicks(window.notes.editor.body, "Do not lose this")
    window.notes.editor.autosave_timer.timeout.emit()  # the idle autosave
    # The "crash": the window goes without closeEvent, Save or Close.
    window.hide()
    window.deleteLater()
    qtbot.waitUntil(lambda: not window.isVisible())

    again = open_window(qtbot, admin, case_id)
    panel = again.notes
    assert panel.draft_bar.isVisible()
    assert "unsaved text for a new note" in panel.draft_bar.label.text()
    panel.restore_button.click()
    assert panel.editor_open()
    assert panel.editor.body.toPlainText() == "Do not lose this"
    panel.editor.save()
    assert [n.body for n in notes.notes_for_case(admin, case_id)] == ["Do not lose this"]
    assert notes.load_draft(admin, case_id, None) is None
    again.close()


# --- conflicts, delete and undo -------------------------------------------------------------


def test_edit_conflict_shows_both_versions_and_saves_the_merge(
    qtbot: QtBot, store: StoreFixture, admin: Session
) -> None:
    family = make_family(admin)
    case_id = case_id_of(family)
    note = add_note(admin, family.case, "Original text.")
    window = open_window(qtbot, admin, case_id)
    window.show_tab("notes")
    window.notes.edit_note(note)
    editor = window.notes.editor
    editor.body.setPlainText("Original text. My addition.")
    # Someone else saves first.
    other = sign_in(store, ADMIN, ADMIN_PASSWORD)
    try:
        theirs = notes.update_note(other, Note(
            case_id, note.occurred_at, note.type, note.author, "Original text. Their addition.",
            id=note.id, version=note.version))
    finally:
        other.close()
    seen: dict[str, str] = {}

    def merge(dialog: ConflictDialog) -> None:
        seen["theirs"] = dialog.theirs.toPlainText()
        seen["mine"] = dialog.mine.toPlainText()
        dialog.mine.setPlainText("Original text. Their addition. My addition.")
        dialog.save_button.click()

    when_dialog(ConflictDialog, merge)
    editor.save()
    assert seen == {"theirs": "Original text. Their addition.",
                    "mine": "Original text. My addition."}
    stored = notes.get_note(admin, note.id)  # type: ignore[arg-type]
    assert stored.body == "Original text. Their addition. My addition."
    assert stored.version == theirs.version + 1
    assert notes.load_draft(admin, case_id, note.id) is None
    assert window.notes.view.current_note() is not None
    window.close()


def test_not_now_in_a_conflict_keeps_the_text_as_a_draft(qtbot: QtBot, admin: Session) -> None:
    family = make_family(admin)
    case_id = case_id_of(family)
    note = add_note(admin, family.case, "Version one.")
    window = open_window(qtbot, admin, case_id)
    window.notes.edit_note(note)
    window.notes.editor.body.setPlainText("Mine, not lost.")
    notes.update_note(admin, Note(case_id, note.occurred_at, note.type, note.author,
                                  "Theirs.", id=note.id, version=note.version))
    when_dialog(ConflictDialog, lambda d: d.later_button.click())
    window.notes.editor.save()
    draft = notes.load_draft(admin, case_id, note.id)
    assert draft is not None and draft.body == "Mine, not lost."
    assert window.notes.editor_open()
    window.close()


def test_delete_then_undo(qtbot: QtBot, admin: Session) -> None:
    family = make_family(admin)
    case_id = case_id_of(family)
    add_note(admin, family.case, "Keep me")
    window = open_window(qtbot, admin, case_id)
    window.show_tab("notes")
    window.notes.view.setCurrentIndex(window.notes.proxy.index(0, 0))
    window.notes.view.setFocus()
    qtbot.keyClick(window.notes.view, Qt.Key.Key_Delete)
    assert window.notes.model.rowCount() == 0
    assert window.notes.undo_bar.isVisible()
    assert notes.notes_for_case(admin, case_id) == []
    window.notes.undo_button.click()
    assert not window.notes.undo_bar.isVisible()
    assert window.notes.model.rowCount() == 1
    assert [n.body for n in notes.notes_for_case(admin, case_id)] == ["Keep me"]
    window.close()


def test_the_undo_offer_goes_after_ten_seconds(qtbot: QtBot, admin: Session) -> None:
    family = make_family(admin)
    add_note(admin, family.case, "Gone")
    window = open_window(qtbot, admin, case_id_of(family))
    window.notes.view.setCurrentIndex(window.notes.proxy.index(0, 0))
    window.notes.delete_current()
    assert window.notes.undo_timer.interval() == 10_000
    window.notes.undo_timer.timeout.emit()
    assert not window.notes.undo_bar.isVisible()
    window.close()


# --- documents and the audit trail ----------------------------------------------------------


def test_dropping_files_adds_a_document_and_refuses_a_program(
    qtbot: QtBot, admin: Session, tmp_path: Path
) -> None:
    family = make_family(admin)
    window = open_window(qtbot, admin, case_id_of(family))
    window.show_tab("documents")
    letter = tmp_path / "LA letter.txt"
    letter.write_text("Dear Ms Jones,\nThe Local Authority has agreed to assess.\n")
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(letter)), QUrl.fromLocalFile(str(program))])
    with qtbot.waitSignal(window.documents.addingFinished, timeout=15_000):
        assert window.documents.handle_drop(mime)
    assert [d.filename for d in window.documents.model.documents] == ["LA letter.txt"]
    message = window.documents.message.text()
    assert "“setup.exe” was not added: This kind of file cannot be attached" in message
    assert "Added “LA letter.txt”" in message
    window.close()


def test_audit_trail_is_there_for_a_manager_only(qtbot: QtBot, store: StoreFixture,
                                                 admin: Session) -> None:
    family = make_family(admin)
    case_id = case_id_of(family)
    window = open_window(qtbot, admin, case_id)
    assert window.audit is not None
    window.show_tab("audit")
    qtbot.waitUntil(lambda: window.audit is not None and window.audit.loaded, timeout=10_000)
    descriptions = [e.description for e in window.audit.model.entries]
    assert any(d.startswith("Opened the case") for d in descriptions)
    assert "Added the case" in descriptions
    window.close()

    bob = sign_in(store, OFFICER, OFFICER_PASSWORD)
    try:
        officer_window = open_window(qtbot, bob, case_id)
        assert officer_window.audit is None
        titles = [officer_window.tabs.tabText(i) for i in range(officer_window.tabs.count())]
        assert "Audit trail" not in titles
        officer_window.close()
    finally:
        bob.close()


def test_a_case_that_is_not_there_raises_a_plain_error(qtbot: QtBot, admin: Session) -> None:
    from sendiass_desktop.domain.errors import NotFound

    with pytest.raises(NotFound):
        CaseWindow(admin, 9999)


def test_note_dates_are_shown_the_uk_way(qtbot: QtBot, admin: Session) -> None:
    family = make_family(admin)
    when = datetime.now().replace(second=0, microsecond=0) - timedelta(days=1)
    notes.add_note(admin, Note(case_id_of(family), when, NoteType.VISIT, "", "Home visit."))
    window = open_window(qtbot, admin, case_id_of(family))
    text = window.notes.model.describe(window.notes.model.notes()[0])
    assert text.startswith(f"Visit, {when:%d/%m/%Y %H:%M}, by Alice Admin.")
    window.close()
