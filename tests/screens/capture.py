"""Save screenshots of the start-up screens and the main window shell.

    python tests/screens/capture.py OUTPUT_FOLDER [--theme light|dark]

Run it under a real X server (``xvfb-run -a`` with ``QT_QPA_PLATFORM=xcb``) to
see what people will see. Everything it makes (stores, key files, the keyring,
settings) lives in a temporary folder that is removed afterwards; the keyring
is the test suite's in-memory one, so nothing touches the real credential store.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

# Screens, in the order they are captured.
EXPECTED = (
    "wizard-1-welcome.png",
    "wizard-2-location.png",
    "wizard-3-administrator.png",
    "wizard-4-device-binding.png",
    "wizard-4-device-binding-none.png",
    "wizard-5-creating.png",
    "wizard-6-recovery-key.png",
    "unlock.png",
    "unlock-error.png",
    "unlock-recovery-key.png",
    "change-password.png",
    "error-machine-not-enrolled.png",
    "error-header-damaged.png",
    "error-store-busy.png",
    "enrol.png",
    "main-window-demo.png",
    "main-window-locked.png",
    "case-list.png",
    "case-list-search.png",
    "my-work.png",
    "admin-users.png",
    "admin-temporary-password.png",
    "admin-store.png",
)

# The case window, its tabs and dialogs (``_capture_case_window``).
CASE_SCREENS = (
    "case-summary.png",
    "case-people.png",
    "case-notes.png",
    "case-note-editor.png",
    "case-note-conflict.png",
    "case-consent.png",
    "case-safeguarding.png",
    "case-documents.png",
    "case-document-viewer.png",
    "case-deadlines.png",
    "case-audit.png",
    "new-case.png",
)
EXPECTED = (*EXPECTED, *CASE_SCREENS)

ADMIN_PASSWORD = "kettle on the windowsill"


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(REPO))
    from tests.screens.capture_common import run_capture

    return run_capture(__doc__, "sendiass-screens-",
                       lambda out, root, args: _capture(out, root, args.theme), argv)


def _capture(out: Path, root: Path, theme: str) -> int:
    import keyring
    from keyring.backends import fail
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QWidget

    from sendiass_desktop.services import demo
    from sendiass_desktop.services.session import StoreLocation, unlock_with_password
    from sendiass_desktop.services.setup import SetupResult
    from sendiass_desktop.store.errors import HeaderDamaged, MachineNotEnrolled, StoreBusy
    from sendiass_desktop.ui import setup_pages
    from sendiass_desktop.ui.change_password_dialog import ChangePasswordDialog
    from sendiass_desktop.ui.enrol_dialog import EnrolDialog
    from sendiass_desktop.ui.main_window import MainWindow
    from sendiass_desktop.ui.setup_wizard import SetupWizard
    from sendiass_desktop.ui.startup_errors import StartupErrorDialog, screen_for
    from sendiass_desktop.ui.unlock_dialog import UnlockDialog
    from sendiass_desktop.ui.workers import tasks_running
    from tests.screens.capture_common import camera, start_app

    app = start_app(theme)
    memory = keyring.get_keyring()
    pump, shoot = camera(app, out, EXPECTED, settle=5)

    def close(widget: QWidget) -> None:
        dismiss = getattr(widget, "dismiss", None)
        if callable(dismiss):
            dismiss()
        else:
            widget.hide()
            widget.deleteLater()
        pump(lambda: tasks_running() == 0)

    # --- the set-up wizard -------------------------------------------------------------
    store_path = root / "office" / "northshire.sendiass"
    wizard = SetupWizard(root / "data" / "sendiass-desktop" / "service.sendiass")
    wizard.welcome.service_name.setText("Northshire SENDIASS")
    shoot(wizard, "wizard-1-welcome.png")
    wizard.go_next()
    wizard.location_page.path.setText(str(store_path))
    shoot(wizard, "wizard-2-location.png")
    wizard.go_next()
    wizard.admin.username.setText("jsmith")
    wizard.admin.display_name.setText("Jo Smith")
    wizard.admin.password.setText(ADMIN_PASSWORD)
    wizard.admin.confirm.setText(ADMIN_PASSWORD + "x")
    wizard.go_next()  # shows the "do not match" message
    shoot(wizard, "wizard-3-administrator.png")
    wizard.admin.confirm.setText(ADMIN_PASSWORD)
    wizard.go_next()
    pump(lambda: wizard.device.probe is not None)
    shoot(wizard, "wizard-4-device-binding.png")

    keyring.set_keyring(fail.Keyring())
    wizard.device.start_check()
    pump(lambda: wizard.device.probe is not None)
    shoot(wizard, "wizard-4-device-binding-none.png")
    keyring.set_keyring(memory)
    wizard.device.start_check()
    pump(lambda: wizard.device.probe is not None and wizard.device.probe.available)

    # Hold creation half-way so the progress page can be seen.
    release = threading.Event()
    real_create = setup_pages.create_store

    def held_create(*args: Any, **kwargs: Any) -> SetupResult:
        kwargs["progress"](0.45)
        release.wait(30)
        return real_create(*args, **kwargs)

    setup_pages.create_store = held_create
    wizard.go_next()
    pump(lambda: wizard.creating.bar.value() > 0)
    shoot(wizard, "wizard-5-creating.png")
    release.set()
    pump(lambda: wizard.current_page() is wizard.recovery)
    setup_pages.create_store = real_create
    shoot(wizard, "wizard-6-recovery-key.png")
    wizard.recovery.confirmed.setChecked(True)
    wizard.go_next()
    close(wizard)
    location = StoreLocation.of(store_path)

    # --- signing in -----------------------------------------------------------------------
    unlock = UnlockDialog(location, username="jsmith")
    unlock.show()
    pump(lambda: not unlock.busy)
    shoot(unlock, "unlock.png")
    unlock.password.setText("not the password")
    unlock.submit()
    pump(lambda: not unlock.busy and unlock.message.text() != "")
    shoot(unlock, "unlock-error.png")
    close(unlock)

    unlock = UnlockDialog(location)
    unlock.show()
    pump(lambda: not unlock.busy)
    unlock.use_recovery.setChecked(True)
    unlock.recovery_key.setText("7K2M-9QXD-")
    shoot(unlock, "unlock-recovery-key.png")
    close(unlock)

    session = unlock_with_password(location, "jsmith", ADMIN_PASSWORD)
    change = ChangePasswordDialog(session, current_password=ADMIN_PASSWORD, required=True)
    change.new.setText("kettle")
    change.confirm.setText("kettle")
    change.submit()
    pump(lambda: change.message.text() != "" and change.ok_button.isEnabled())
    shoot(change, "change-password.png")
    close(change)
    session.close()

    # --- start-up failures ------------------------------------------------------------------
    for exc, name in ((MachineNotEnrolled(), "error-machine-not-enrolled.png"),
                      (HeaderDamaged("it is not readable"), "error-header-damaged.png"),
                      (StoreBusy(), "error-store-busy.png")):
        screen = StartupErrorDialog(screen_for(exc), location.path)
        shoot(screen, name)
        close(screen)

    enrol = EnrolDialog(location)
    enrol.recovery_key.setText("7K2M-9QXD-AB")
    enrol.submit()
    pump(lambda: enrol.message.text() != "" and enrol.enrol_button.isEnabled())
    shoot(enrol, "enrol.png")
    close(enrol)

    # --- the main window in demo mode ----------------------------------------------------------
    demo_location = demo.ensure_demo_store()
    manager = demo.DEMO_ACCOUNTS[0]
    session = unlock_with_password(demo_location, manager.username, manager.password)
    window = MainWindow(session, demo=True)
    shoot(window, "main-window-demo.png")
    window.lock()
    pump(lambda: window.unlock_dialog is not None and not window.unlock_dialog.busy)
    assert window.unlock_dialog is not None
    window.unlock_dialog.hide()
    shoot(window, "main-window-locked.png")
    window.discard()
    pump(lambda: tasks_running() == 0)
    QThreadPool.globalInstance().waitForDone(10_000)

    # --- casework: the case list, search, My work and the admin screens ---------------------
    _capture_casework(demo_location, manager, shoot, pump, close)

    # --- the case window: every tab, the note editor, the new case dialog ---------------------
    _capture_case_window(demo_location, manager, shoot, pump, out)

    missing = [name for name in EXPECTED if not (out / name).is_file()]
    if missing:
        print("missing: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


def _capture_casework(location: Any, manager: Any, shoot: Callable[[Any, str], None],
                      pump: Callable[..., None], close: Callable[[Any], None]) -> None:
    from sendiass_desktop.services.session import unlock_with_password
    from sendiass_desktop.ui.admin_store import StoreAdminView
    from sendiass_desktop.ui.admin_users import UsersAdminView
    from sendiass_desktop.ui.case_list import CaseListView
    from sendiass_desktop.ui.main_window import MainWindow
    from sendiass_desktop.ui.my_work import MyWorkView
    from sendiass_desktop.ui.workers import tasks_running

    session = unlock_with_password(location, manager.username, manager.password)
    window = MainWindow(session, demo=True)
    window.show()
    cases = window.view("cases")
    assert isinstance(cases, CaseListView)
    pump(lambda: cases.model.total is not None and not cases.model.loading)
    cases.table.setFocus()
    cases.table.selectRow(2)
    shoot(window, "case-list.png")

    # A search with results (a surname from the list itself, so it always matches).
    surname = cases.model.summary(0).primary_name.split()[-1]
    cases.focus_search()
    cases.set_search_text(surname)
    pump(lambda: cases.model.searching and not cases.runner.pending)
    shoot(window, "case-list-search.png")
    cases.clear_search()
    pump(lambda: not cases.model.searching and not cases.model.loading)

    window.show_view("my_work")
    work = window.view("my_work")
    assert isinstance(work, MyWorkView)
    pump(lambda: not work.loading and work.overdue_model.total + work.upcoming_model.total > 0)
    work.select(True, 0)
    work.overdue_table.setFocus()
    shoot(window, "my-work.png")

    window.show_view("users")
    users_view = window.view("users")
    assert isinstance(users_view, UsersAdminView)
    users_view.select("demo-officer")
    shoot(window, "admin-users.png")
    dialog = users_view.show_password("Priya Patel (demo) (demo-officer2) can now sign in",
                                      "Priya Patel (demo)", "k7mq-2xpd-9hcw-r4tn")
    dialog.copy()
    shoot(dialog, "admin-temporary-password.png")
    dialog.accept()

    window.show_view("store")
    store_view = window.view("store")
    assert isinstance(store_view, StoreAdminView)
    store_view.verify()
    pump(lambda: not store_view.busy)
    shoot(window, "admin-store.png")
    window.discard()
    pump(lambda: tasks_running() == 0)



def _enrich_demo_case(session: Any) -> int:
    """The demo case with an open safeguarding concern, with one of everything added."""
    from datetime import date, datetime, timedelta

    from sendiass_desktop.domain.cases import CaseFilter
    from sendiass_desktop.domain.consent import (
        ConsentMethod,
        ConsentRecord,
        ConsentState,
        Purpose,
        Recipient,
    )
    from sendiass_desktop.domain.notes import Confidentiality, Note, NoteType
    from sendiass_desktop.services import cases, consent, deadlines, documents, notes

    found = cases.list_cases(session, CaseFilter(safeguarding_open=True), limit=1)
    summary = found[0] if found else cases.list_cases(session, CaseFilter(), limit=1)[0]
    case = cases.get_case(session, summary.id)
    assert case.id is not None
    now = datetime.now().replace(second=0, microsecond=0)
    notes.add_note(session, Note(
        case.id, now - timedelta(days=1, hours=2), NoteType.MEETING, "",
        "Met the young person at the youth centre, without a parent present.\n"
        "They want to talk about college options themselves and asked that we do not share "
        "what they said about home with their mother yet.",
        Confidentiality.YOUNG_PERSON, False, ("Youth worker",)))
    notes.add_note(session, Note(
        case.id, now - timedelta(hours=3), NoteType.CALL, "",
        "Call from the school's SENCo about the annual review paperwork. Agreed to send the "
        "family's views by Friday.", third_parties=("SENCo",)))
    notes.add_note(session, Note(
        case.id, now - timedelta(days=3), NoteType.EMAIL, "",
        "Supervision: restricted record of the manager's advice on the referral.",
        Confidentiality.RESTRICTED))
    parent_id = case.primary_person_id
    child_id = case.child_person_id or parent_id
    base = datetime.now().replace(microsecond=0) - timedelta(days=20)
    for person, recipient, purpose, state, days, expires in (
        (parent_id, Recipient.SCHOOL, Purpose.DISCUSS_CASE, ConsentState.GIVEN, 0, None),
        (parent_id, Recipient.LA_SEND_TEAM, Purpose.DISCUSS_CASE, ConsentState.GIVEN, 1, None),
        (parent_id, Recipient.LA_SEND_TEAM, Purpose.SHARE_RECORDS, ConsentState.GIVEN, 2,
         date.today() - timedelta(days=2)),
        (parent_id, Recipient.HEALTH, Purpose.DISCUSS_CASE, ConsentState.GIVEN, 3, None),
        (parent_id, Recipient.HEALTH, Purpose.DISCUSS_CASE, ConsentState.WITHDRAWN, 12, None),
        (child_id, Recipient.SCHOOL, Purpose.ATTEND_MEETINGS, ConsentState.GIVEN, 5, None),
    ):
        consent.record_consent(session, ConsentRecord(
            case.id, person, recipient, purpose, state, base + timedelta(days=days),
            ConsentMethod.VERBAL, ""
        ) if state is ConsentState.WITHDRAWN else ConsentRecord(
            case.id, person, recipient, purpose, state, base + timedelta(days=days),
            ConsentMethod.WRITTEN, "", expires_on=expires))
    deadlines.set_ehc_request(session, case.id, date.today() - timedelta(weeks=5))
    deadlines.add_task(session, case.id, "Send the family's views to the SENCo",
                       date.today() + timedelta(days=3))
    letter = (b"Dear parent,\n\nThank you for your request for an EHC needs assessment. The "
              b"Local Authority will tell you whether it will assess within six weeks.\n\n"
              b"Yours sincerely,\nSEND Assessment Team\n")
    documents.add_document(session, case.id, "LA acknowledgement letter.txt", letter,
                           "Acknowledgement of the EHC request")
    documents.add_document(session, case.id, "Speech and language report.pdf", _demo_pdf(),
                           "NHS speech and language therapy report")
    documents.add_document(session, case.id, "Photo of the homework diary.png", _demo_png(),
                           "Photographed by the parent")
    return case.id


def _demo_pdf() -> bytes:
    from io import BytesIO

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(72, 770, "Speech and language therapy report (DEMO)")
    pdf.setFont("Helvetica", 11)
    for i, line in enumerate((
        "Name: (synthetic demo person)",
        "Recommendation: 1 hour a week of direct therapy, delivered by a therapist,",
        "plus daily practice led by a trained teaching assistant.",
        "This provision should be specified and quantified in section F.",
    )):
        pdf.drawString(72, 730 - 18 * i, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _demo_png() -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage, QPainter

    image = QImage(480, 320, QImage.Format.Format_RGB32)
    image.fill(QColor("#fdf6e3"))
    painter = QPainter(image)
    painter.setPen(QColor("#586e75"))
    for y in range(40, 320, 28):
        painter.drawLine(20, y, 460, y)
    painter.setPen(QColor("#073642"))
    painter.drawText(30, 34, "Homework diary — week 3 (demo picture)")
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def _capture_case_window(location: Any, manager: Any, shoot: Callable[[Any, str], None],
                         pump: Callable[..., None], out: Path) -> None:
    from dataclasses import replace

    from PySide6.QtWidgets import QApplication

    from sendiass_desktop.domain.cases import IssueType
    from sendiass_desktop.domain.errors import EditConflict
    from sendiass_desktop.services import notes as notes_service
    from sendiass_desktop.services.session import unlock_with_password
    from sendiass_desktop.ui.case_window import CaseWindow
    from sendiass_desktop.ui.new_case_dialog import NewCaseDialog
    from sendiass_desktop.ui.note_editor import ConflictDialog
    from sendiass_desktop.ui.workers import tasks_running

    session = unlock_with_password(location, manager.username, manager.password)
    case_id = _enrich_demo_case(session)
    window = CaseWindow(session, case_id)
    window.resize(1280, 860)
    idle = lambda: not window.lane.busy and tasks_running() == 0  # noqa: E731

    window.show_tab("summary")
    shoot(window, "case-summary.png")
    window.show_tab("people")
    shoot(window, "case-people.png")
    window.show_tab("notes")
    yp = next(n for n in window.notes.model.notes() if n.confidentiality.value == "young_person")
    assert yp.id is not None
    window.notes.select_note(yp.id)
    shoot(window, "case-notes.png")

    window.new_note()
    editor = window.notes.editor
    editor.body.setPlainText("Phoned Mum back about the draft plan. She is worried that "
                             "section F does not name the speech and language therapy hours "
                             "the report recommended.\n\nAgreed: I will send her the "
                             "checklist for responding to a draft plan, and we will go through "
                             "it together on Thursday.")
    editor.party_model.setStringList(["Speech and language therapist"])
    editor.autosave()
    shoot(window, "case-note-editor.png")
    editor.discard_now()

    mine = replace(yp, body=yp.body + "\n\nAdded: they would like a follow-up next week.")
    theirs = notes_service.update_note(session, replace(
        yp, body=yp.body + "\n\nManager's note: agreed, keep this confidential."))
    try:
        notes_service.update_note(session, mine)
    except EditConflict as conflict:
        dialog = ConflictDialog(conflict.mine, conflict.theirs, window)  # type: ignore[arg-type]
        shoot(dialog, "case-note-conflict.png")
        dialog.reject()
        notes_service.discard_draft(session, case_id, theirs.id)

    window.show_tab("consent")
    shoot(window, "case-consent.png")
    window.show_tab("safeguarding")
    shoot(window, "case-safeguarding.png")
    window.show_tab("documents")
    shoot(window, "case-documents.png")
    rows = window.documents.model.documents
    window.documents.table.selectRow(next(i for i, d in enumerate(rows)
                                          if d.filename.endswith(".pdf")))
    window.documents.open_selected()
    pump(lambda: bool(window.documents.viewers) and window.documents.viewers[0]
         .finished_rendering)
    viewer = window.documents.viewers[0]
    shoot(viewer, "case-document-viewer.png")
    viewer.close()
    window.show_tab("deadlines")
    shoot(window, "case-deadlines.png")
    window.show_tab("audit")
    pump(lambda: window.audit is not None and window.audit.loaded and idle())
    shoot(window, "case-audit.png")
    window.on_lock()
    pump()
    # Mostly empty on purpose, so it is saved beside the checked screens, not among them.
    window.grab().save(str(out / "case-locked.png"))
    window.set_session(session)
    window.close()
    window.deleteLater()

    dialog = NewCaseDialog(session)
    dialog.primary.form.given.setText("Amira")
    dialog.primary.form.family.setText("Hussain")
    dialog.primary.form.email.setText("amira.h@example.org")
    dialog.primary.form.phone.setText("07700 900123")
    dialog.child.form.given.setText("Yusuf")
    dialog.child.form.family.setText("Hussain")
    dialog.child.form.dob.setText("14/03/2015")
    dialog.details.school.setText("Northshire Primary School")
    dialog.details.la.setText("Northshire County Council")
    dialog.details.issues.set_values({IssueType.EHC_NEEDS_ASSESSMENT, IssueType.SEN_SUPPORT})
    shoot(dialog, "new-case.png")
    dialog.reject()
    dialog.deleteLater()
    QApplication.processEvents()
    pump(idle)
    session.close()


if __name__ == "__main__":
    raise SystemExit(main())
