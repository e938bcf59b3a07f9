"""The case window's tabs one by one, the document viewer, and the two small
services behind them (the case audit trail, finding people already known)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import CaseParty, Outcome, PartyRole
from sendiass_desktop.domain.consent import Purpose, Recipient
from sendiass_desktop.domain.deadlines import DeadlineKind
from sendiass_desktop.domain.documents import DocumentInfo, DocumentType
from sendiass_desktop.domain.errors import PermissionDenied
from sendiass_desktop.domain.notes import Confidentiality
from sendiass_desktop.domain.people import PersonRole
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services import case_audit, cases, documents, lookup, people, users
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.store import audit_log
from sendiass_desktop.ui.case_window import CloseCaseDialog
from sendiass_desktop.ui.consent_panel import OverrideDialog
from sendiass_desktop.ui.deadlines_panel import TaskDialog, _DatesDialog, deadline_state
from sendiass_desktop.ui.document_viewer import DocumentViewer, render
from sendiass_desktop.ui.icons import SAFEGUARDING_COLOURS, parse_uk_date
from sendiass_desktop.ui.people_panel import AddPersonDialog
from sendiass_desktop.ui.theme import contrast_ratio
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.gui.test_case_window import open_window, when_dialog
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


def case_id(family: Family) -> int:
    assert family.case.id is not None
    return family.case.id


def docx(text: str) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", (
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
            f"{text}</w:t></w:r></w:p><w:p><w:r><w:t xml:space=\"preserve\">Second </w:t>"
            "<w:tab/><w:t>line &amp; more</w:t></w:r></w:p></w:body></w:document>"))
    return buffer.getvalue()


def odt(text: str) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", (
            '<office:document-content xmlns:text="urn:oasis:names:tc:opendocument:xmlns:'
            'text:1.0"><text:p text:style-name="P1">' + text + '<text:s text:c="2"/>end'
            "</text:p><text:h>Heading</text:h></office:document-content>"))
    return buffer.getvalue()


def png() -> bytes:
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("#2b88d8"))
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def info(kind: DocumentType, name: str = "file") -> DocumentInfo:
    return DocumentInfo(1, name, kind, 10, "0" * 64, "alice", datetime.now())


# --- small pure pieces ----------------------------------------------------------------------


def test_uk_dates_parse_and_explain_mistakes() -> None:
    from sendiass_desktop.domain.errors import InvalidInput

    assert parse_uk_date("17/05/2009") == date(2009, 5, 17)
    assert parse_uk_date("1.2.2010") == date(2010, 2, 1)
    assert parse_uk_date("2009-05-17") == date(2009, 5, 17)
    assert parse_uk_date("  ") is None
    with pytest.raises(InvalidInput, match="day/month/year"):
        parse_uk_date("May 2009")
    with pytest.raises(InvalidInput, match="not a real date"):
        parse_uk_date("30/02/2010")


def test_the_safeguarding_red_reads_clearly_in_both_palettes() -> None:
    for colours in SAFEGUARDING_COLOURS.values():
        assert contrast_ratio(colours.foreground, colours.background) >= 4.5


def test_deadline_states_are_in_words() -> None:
    from sendiass_desktop.domain.deadlines import Deadline
    from sendiass_desktop.store.deadlines import StoredDeadline

    today = date(2026, 3, 10)

    def stored(due: date, done: date | None = None) -> StoredDeadline:
        return StoredDeadline(Deadline(DeadlineKind.TASK, "x", due), "bob", 1, done_on=done)

    assert deadline_state(stored(date(2026, 3, 8)), today)[0] == "Overdue by 2 days"
    assert deadline_state(stored(today), today)[0] == "Due today"
    assert deadline_state(stored(date(2026, 3, 11)), today)[0] == "Due in 1 day"
    assert deadline_state(stored(date(2026, 6, 1)), today)[0] == "Coming up"
    assert deadline_state(stored(date(2026, 3, 1), today), today)[0] == "Done 10/03/2026"


# --- the document viewer --------------------------------------------------------------------


def test_render_shows_text_pictures_and_word_documents_from_memory() -> None:
    assert render(info(DocumentType.TEXT), "Plain £ text".encode()).text == "Plain £ text"
    picture = render(info(DocumentType.PNG), png())
    assert len(picture.images) == 1 and picture.images[0].width() == 40
    word = render(info(DocumentType.DOCX), docx("Dear parent"))
    assert word.text == "Dear parent\nSecond \tline & more"
    assert "layout" in word.note
    open_doc = render(info(DocumentType.ODT), odt("Hello"))
    assert open_doc.text == "Hello  end\nHeading"
    email = render(info(DocumentType.EMAIL),
                   b"From: school@example.org\r\nSubject: Meeting\r\n\r\nSee you Tuesday.\r\n")
    assert email.text is not None and "Subject: Meeting" in email.text
    assert "See you Tuesday." in email.text
    old_word = render(info(DocumentType.DOC), b"\xd0\xcf\x11\xe0" + bytes(50))
    assert old_word.text is None and not old_word.images
    assert "Save a copy" in old_word.problem
    broken = render(info(DocumentType.PNG), b"\x89PNG\r\n\x1a\nnot really")
    assert "could not be read" in broken.problem


def test_viewer_keeps_names_out_of_its_title_and_forgets_on_close(qtbot: QtBot) -> None:
    viewer = DocumentViewer(info(DocumentType.TEXT, "Tom Jones EHCP.txt"), b"Private text",
                            "SEN-2026-0001")
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitUntil(lambda: viewer.finished_rendering, timeout=10_000)
    assert viewer.windowTitle() == "Case SEN-2026-0001 — document"
    assert viewer.shown_kind() == "text"
    assert viewer.text.toPlainText() == "Private text"
    viewer.forget()
    assert viewer.text.toPlainText() == ""


def test_opening_and_saving_a_copy_of_a_document(qtbot: QtBot, admin: Session,
                                                 family: Family, tmp_path: Path) -> None:
    saved = documents.add_document(admin, case_id(family), "scan.png", png(), "A scan")
    window = open_window(qtbot, admin, case_id(family))
    window.show_tab("documents")
    panel = window.documents
    assert panel.current() is not None and panel.current().id == saved.id  # type: ignore[union-attr]
    with qtbot.waitSignal(panel.viewerOpened, timeout=10_000) as opened:
        panel.open_selected()
    viewer = opened.args[0]
    qtbot.waitUntil(lambda: viewer.finished_rendering, timeout=10_000)
    assert viewer.shown_kind() == "pictures"
    target = tmp_path / "copy.png"
    assert panel.save_copy(viewer.info, target)
    assert target.read_bytes() == png()
    entries = audit_log.entries_for(admin.conn, "document", str(saved.id))
    assert AuditAction.EXPORTED.value in [e.action for e in entries]
    window.on_lock()  # locking closes the viewer and forgets what it showed
    assert panel.viewers == []
    window.close()


def test_a_file_that_is_too_big_is_refused_without_reading_it(
    qtbot: QtBot, admin: Session, family: Family, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    from sendiass_desktop.ui import documents_panel

    monkeypatch.setattr(documents_panel, "MAX_DOCUMENT_BYTES", 10)
    big = tmp_path / "big.txt"
    big.write_text("more than ten bytes of text")
    window = open_window(qtbot, admin, case_id(family))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(big))])
    with qtbot.waitSignal(window.documents.addingFinished, timeout=15_000):
        window.documents.handle_drop(mime)
    assert "“big.txt” was not added: it is too large" in window.documents.message.text()
    assert window.documents.model.rowCount() == 0
    window.close()


def test_deleting_a_document_can_be_undone(qtbot: QtBot, admin: Session,
                                           family: Family) -> None:
    documents.add_document(admin, case_id(family), "letter.txt", b"Dear parent")
    window = open_window(qtbot, admin, case_id(family))
    window.show_tab("documents")
    panel = window.documents
    panel.delete_selected()
    assert panel.model.rowCount() == 0 and panel.undo_bar.isVisible()
    panel.undo_delete()
    assert panel.model.rowCount() == 1
    assert len(documents.documents_for_case(admin, case_id(family))) == 1
    window.close()


# --- consent overrides ----------------------------------------------------------------------


def test_override_is_for_managers_and_needs_a_justification(
    qtbot: QtBot, store: StoreFixture, admin: Session, family: Family
) -> None:
    parent_id = family.parent.id
    assert parent_id is not None
    window = open_window(qtbot, admin, case_id(family))
    window.show_tab("consent")
    assert window.consent.override_button.isVisible()
    messages: list[str] = []

    def short_then_full(dialog: OverrideDialog) -> None:
        dialog.preset(parent_id, Recipient.SOCIAL_CARE, "")
        dialog.purpose.setCurrentIndex(dialog.purpose.findData(Purpose.SHARE_RECORDS))
        dialog.justification.setPlainText("Because.")
        dialog.submit()
        messages.append(dialog.message.text())
        dialog.justification.setPlainText(
            "Child at immediate risk; strategy meeting today; consent would put him at risk.")
        dialog.submit()

    when_dialog(OverrideDialog, short_then_full)
    window.consent.record_override()
    assert "justification" in messages[0]
    assert window.consent.state_at(parent_id, Recipient.SOCIAL_CARE,
                                   Purpose.SHARE_RECORDS) == "Override"
    history = [window.consent.history_model.index(r, 4).data()
               for r in range(window.consent.history_model.rowCount())]
    assert any(h.startswith("Override until") for h in history)
    window.close()

    bob = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    try:
        officer_window = open_window(qtbot, bob, case_id(family))
        officer_window.show_tab("consent")
        assert not officer_window.consent.override_button.isVisible()
        officer_window.close()
    finally:
        bob.close()


# --- deadlines ------------------------------------------------------------------------------


def test_ehc_request_sets_the_milestones_and_tasks_can_be_done(
    qtbot: QtBot, admin: Session, family: Family
) -> None:
    window = open_window(qtbot, admin, case_id(family))
    window.show_tab("deadlines")
    panel = window.deadlines
    received = date.today() - timedelta(weeks=2)

    def fill(dialog: _DatesDialog) -> None:
        dialog.first.setDate(received)
        dialog.submit()

    when_dialog(_DatesDialog, fill)
    panel.set_ehc()
    labels = [d.deadline.label for d in panel.model.items]
    assert labels == ["Decision whether to assess (week 6)",
                      "Notice if no EHC plan will be issued (week 16)",
                      "Final EHC plan issued (week 20)"]
    assert panel.model.items[0].deadline.due == received + timedelta(weeks=6)

    def task(dialog: TaskDialog) -> None:
        dialog.label.setText("Chase the school")
        dialog.due.setDate(date.today() - timedelta(days=1))
        dialog.submit()

    when_dialog(TaskDialog, task)
    panel.add_task()
    first = panel.model.items[0]
    assert first.deadline.label == "Chase the school"
    assert panel.model.index(0, 0).data() == "Overdue by 1 day"
    panel.table.selectRow(0)
    assert panel.done_button.text() == "&Mark done"
    panel.toggle_done()
    done = next(d for d in panel.model.items if d.deadline.label == "Chase the school")
    assert done.done
    window.close()


def test_a_bad_optional_date_gets_a_plain_message(qtbot: QtBot, admin: Session,
                                                  family: Family) -> None:
    window = open_window(qtbot, admin, case_id(family))
    seen: list[str] = []

    def fill(dialog: _DatesDialog) -> None:
        assert dialog.second is not None
        dialog.second.setText("32/13/2026")
        dialog.submit()
        seen.append(dialog.message.text())
        dialog.reject()

    when_dialog(_DatesDialog, fill)
    window.deadlines.set_tribunal()
    assert "mediation certificate" in seen[0]
    window.close()


# --- people and the summary -----------------------------------------------------------------


def test_adding_changing_and_removing_people(qtbot: QtBot, admin: Session,
                                             family: Family) -> None:
    window = open_window(qtbot, admin, case_id(family))
    window.show_tab("people")
    panel = window.people

    def add(dialog: AddPersonDialog) -> None:
        dialog.party_role.setCurrentIndex(dialog.party_role.findData(PartyRole.PROFESSIONAL))
        dialog.picker.form.given.setText("Priya")
        dialog.picker.form.family.setText("Shah")
        dialog.picker.form.email.setText("p.shah@example.nhs.uk")
        dialog.submit()

    when_dialog(AddPersonDialog, add)
    panel.add_person()
    rows = [(p.role, person.display_name if person else "") for p, person in panel.model.rows]
    assert (PartyRole.PROFESSIONAL, "Priya Shah") in rows
    stored = cases.get_case(admin, case_id(family))
    professional = next(p for p in stored.parties if p.role is PartyRole.PROFESSIONAL)
    assert people.get_person_by_id(admin, professional.person_id).role is \
        PersonRole.PROFESSIONAL

    panel.table.selectRow(0)  # the service user
    assert not panel.remove_button.isEnabled()
    panel.form.phone.setText("07700 900999")
    panel.save_person()
    assert people.get_person_by_id(admin, family.parent.id).phone == "07700 900999"  # type: ignore[arg-type]
    assert panel.message.text() == "Details saved."

    panel.remove_party(CaseParty(professional.person_id, PartyRole.PROFESSIONAL))
    assert all(p.role is not PartyRole.PROFESSIONAL
               for p in cases.get_case(admin, case_id(family)).parties)
    window.close()


def test_summary_saves_and_closing_needs_an_outcome(qtbot: QtBot, admin: Session,
                                                    family: Family) -> None:
    window = open_window(qtbot, admin, case_id(family))
    summary = window.summary
    assert summary.details is not None
    summary.details.school.setText("Riverside Academy")
    summary.paper.setText("Cabinet 2")
    summary.save()
    stored = cases.get_case(admin, case_id(family))
    assert stored.school_setting == "Riverside Academy" and stored.paper_records == "Cabinet 2"
    assert summary.hold.text() == "No"

    messages: list[str] = []

    def close(dialog: CloseCaseDialog) -> None:
        dialog.submit()
        messages.append(dialog.message.text())
        dialog.outcomes.set_values({Outcome.ADVICE_GIVEN})
        dialog.submit()

    when_dialog(CloseCaseDialog, close)
    summary.close_case()
    assert messages == ["Record at least one outcome before closing the case."]
    assert window.header.status.text().startswith("Closed ")
    assert summary.reopen_button.isVisibleTo(summary)
    summary.reopen_case()
    assert window.header.status.text().startswith("Open since")
    assert cases.get_case(admin, case_id(family)).closed_on is None
    window.close()


def test_an_inspector_sees_a_read_only_case(qtbot: QtBot, store: StoreFixture,
                                            admin: Session, family: Family) -> None:
    users.add_user(admin, "ivy", Role.INSPECTOR, password="quiet meadow inspector",
                   expires_at=datetime.now(UTC) + timedelta(days=1))
    ivy = unlock_with_password(store.location, "ivy", "quiet meadow inspector")
    try:
        window = open_window(qtbot, ivy, case_id(family))
        assert window.read_only_bar.isVisible()
        assert not window.new_note_action.isEnabled()
        assert window.audit is None
        # Nothing on any tab offers a change the services would refuse anyway.
        edit_buttons = (
            window.summary.save_button, window.summary.close_button,
            window.summary.reopen_button, window.people.add_button,
            window.people.remove_button, window.people.save_button,
            window.consent.record_button, window.consent.withdraw_button,
            window.consent.override_button, window.safeguarding.raise_button,
            window.safeguarding.update_button, window.safeguarding.close_button,
            window.documents.add_button, window.documents.delete_button,
            window.deadlines.ehc_button, window.deadlines.tribunal_button,
            window.deadlines.review_button, window.deadlines.task_button,
            window.deadlines.done_button, window.notes.new_button,
        )
        for key in ("summary", "people", "notes", "consent", "safeguarding", "documents",
                    "deadlines"):
            window.show_tab(key)
            shown = [b.accessibleName() for b in edit_buttons if b.isVisible()]
            assert shown == [], (key, shown)
        assert window.summary.summary.isReadOnly() and window.summary.paper.isReadOnly()
        assert all(edit.isReadOnly() for edit in window.people.form.findChildren(QLineEdit))
        assert not window.documents.acceptDrops()
        # Reading stays possible: documents can be opened, note text copied.
        window.show_tab("documents")
        assert window.documents.open_button.isVisible()
        window.close()
    finally:
        ivy.close()

    # An officer on the same case has every control.
    bob = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    try:
        window = open_window(qtbot, bob, case_id(family))
        window.show_tab("people")
        assert window.people.add_button.isVisible()
        assert not window.people.form.findChildren(QLineEdit)[0].isReadOnly()
        window.show_tab("summary")
        assert window.summary.save_button.isVisible() and not window.summary.paper.isReadOnly()
        window.close()
    finally:
        ivy.close()


# --- the services behind the window ---------------------------------------------------------


def test_case_audit_trail_is_for_managers_and_is_itself_recorded(
    store: StoreFixture, admin: Session, family: Family
) -> None:
    note = add_note(admin, family.case, "A note", Confidentiality.RESTRICTED)
    document = documents.add_document(admin, case_id(family), "a.txt", b"text")
    cases.open_case_file(admin, case_id(family))
    trail = case_audit.case_audit_trail(admin, case_id(family))
    records = {(e.record_type, e.record_id) for e in trail}
    assert ("note", str(note.id)) in records
    assert ("document", str(document.id)) in records
    assert trail[0].seq > trail[-1].seq  # newest first
    assert all(e.actor_name == "Alice Admin" for e in trail)
    again = case_audit.case_audit_trail(admin, case_id(family))
    assert again[0].description == "Looked at this audit trail"

    bob = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    try:
        with pytest.raises(PermissionDenied):
            case_audit.case_audit_trail(bob, case_id(family))
    finally:
        bob.close()


def test_find_people_by_name_or_reference(admin: Session, family: Family) -> None:
    found = lookup.find_people(admin, "sarah jon")
    assert [h.person.id for h in found.hits] == [family.parent.id]
    assert found.hits[0].case_refs == (family.case.ref,)
    by_ref = lookup.find_people(admin, family.child.ref.lower())
    assert [h.person.id for h in by_ref.hits] == [family.child.id]
    nobody = lookup.find_people(admin, "zebedee")
    assert nobody.hits == () and nobody.message == lookup.NO_PEOPLE
    assert lookup.find_people(admin, "!!").message is not None
    searched = audit_log.recent(admin.conn, 5)
    assert any(e.action == AuditAction.SEARCHED.value and e.target_type == "people"
               for e in searched)
    assert all("sarah" not in e.detail for e in searched)


def test_dialogs_are_modal_form_dialogs(qtbot: QtBot, admin: Session, family: Family) -> None:
    window = open_window(qtbot, admin, case_id(family))
    dialog = TaskDialog(admin, case_id(family), [], window)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, QDialog) and dialog.isModal()
    assert dialog.owner.currentData() == ADMIN
    window.close()


def test_every_dialog_names_its_controls(qtbot: QtBot, admin: Session, family: Family) -> None:
    from sendiass_desktop.domain.notes import Note, NoteType
    from sendiass_desktop.ui.consent_panel import RecordConsentDialog, WithdrawConsentDialog
    from sendiass_desktop.ui.new_case_dialog import NewCaseDialog
    from sendiass_desktop.ui.note_editor import ConflictDialog
    from sendiass_desktop.ui.safeguarding_panel import ConcernDialog
    from tests.gui.test_case_window import unnamed_controls

    note = Note(case_id(family), datetime(2026, 10, 1, 9, 0), NoteType.CALL, "alice", "Text")
    people_choices = [(family.parent.id or 0, "Sarah Jones")]
    dialogs: list[QDialog] = [
        NewCaseDialog(admin),
        TaskDialog(admin, case_id(family), []),
        RecordConsentDialog(admin, case_id(family), people_choices),
        WithdrawConsentDialog(admin, case_id(family), people_choices),
        OverrideDialog(admin, case_id(family), people_choices),
        ConcernDialog(admin, case_id(family), [note]),
        CloseCaseDialog(admin, family.case),
        AddPersonDialog(admin, family.case),
        ConflictDialog(note, note),
        DocumentViewer(info(DocumentType.TEXT), b"text", "SEN-2026-0001"),
    ]
    problems = {}
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        missing = unnamed_controls(dialog)
        if missing:
            problems[type(dialog).__name__] = missing
    assert problems == {}
    qtbot.waitUntil(lambda: dialogs[-1].finished_rendering, timeout=10_000)  # type: ignore[attr-defined]


def test_the_case_file_leaves_out_documents_on_notes_the_user_may_not_see(
    store: StoreFixture, admin: Session, family: Family
) -> None:
    secret = add_note(admin, family.case, "Restricted supervision note",
                      Confidentiality.RESTRICTED)
    documents.add_document(admin, case_id(family), "supervision.txt", b"private",
                           note_id=secret.id)
    documents.add_document(admin, case_id(family), "letter.txt", b"for everyone")
    assert len(cases.open_case_file(admin, case_id(family)).documents) == 2
    bob = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    try:
        names = [d.filename for d in cases.open_case_file(bob, case_id(family)).documents]
        assert names == ["letter.txt"]
        assert [d.filename for d in documents.documents_for_case(bob, case_id(family))] == \
            ["letter.txt"]
    finally:
        bob.close()
