"""The legal requests register (rule 5), driven as an officer and two managers would.

Alice (administrator, so a manager too) and Erin (a second manager) decide;
Bob (officer) registers. Nothing can be extracted before two *different*
managers approve; the extract is two encrypted PDFs, one for the requesting
body and a copy for the family.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.errors import PermissionDenied
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.notes import Confidentiality
from sendiass_desktop.domain.redaction import Decision
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services import legal_requests as legal
from sendiass_desktop.services import users
from sendiass_desktop.services.legal_requests import LegalStatus
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.store import sar as sar_repo
from sendiass_desktop.ui.legal_requests_view import (
    ApproveDialog,
    BuildExtractDialog,
    ExtractReviewWindow,
    LegalRequestsModel,
    LegalRequestsView,
    RecordLegalBasisDialog,
    RefuseDialog,
    RegisterLegalRequestDialog,
)
from sendiass_desktop.ui.main_window import MainWindow
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.gui.fixtures_casework import settle, show_window
from tests.gui.helpers import click, hold_build, hold_writing, type_into
from tests.support.casework import Family, add_note, make_family

pytestmark = pytest.mark.gui

MANAGER, MANAGER_PASSWORD = "erin", "second manager of the service"
BODY = "Northshire County Council, legal services"
BASIS = "Judicial review: CPR Part 54 claim"
WHAT = "All records about the EHC needs assessment"
JUSTIFICATION = ("The High Court ordered disclosure of these records for the judicial review "
                 "(order of 20 November 2026); we are legally obliged to comply.")
NOTE_TEXT = "Sarah Jones rang about the plan. Her neighbour Gwendolyn said the bus was late."
YP_TEXT = "Tom told me in confidence that he hates the new school."


@dataclass
class Team:
    admin: Session
    erin: Session
    officer: Session
    family: Family


@pytest.fixture
def team(store: StoreFixture) -> Iterator[Team]:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    users.add_user(admin, MANAGER, Role.MANAGER, password=MANAGER_PASSWORD,
                   display_name="Erin Second")
    erin = unlock_with_password(store.location, MANAGER, MANAGER_PASSWORD)
    officer = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    family = make_family(admin, officer=OFFICER)
    add_note(admin, family.case, NOTE_TEXT)
    add_note(admin, family.case, YP_TEXT, Confidentiality.YOUNG_PERSON)
    yield Team(admin, erin, officer, family)
    for session in (officer, erin, admin):
        session.close()


def _register_directly(team: Team) -> int:
    assert team.family.case.id is not None
    request = legal.register_legal_request(team.officer, team.family.case.id, BODY, BASIS, WHAT,
                                           date.today() - timedelta(days=2))
    assert request.id is not None
    return request.id


def _window_and_view(qtbot: QtBot, session: Session) -> tuple[MainWindow, LegalRequestsView]:
    window = show_window(qtbot, session)
    qtbot.keyClick(window, Qt.Key.Key_8, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view_key() == "legal"
    view = window.view("legal")
    assert isinstance(view, LegalRequestsView)
    settle(qtbot)
    return window, view


def _cells(view: LegalRequestsView, row: int = 0) -> list[str]:
    return [view.model.index(row, c).data() for c in range(view.model.columnCount())]


def _approve(qtbot: QtBot, view: LegalRequestsView, note: str = "") -> ApproveDialog:
    click(qtbot, view.approve_button)
    dialog = view.dialog
    assert isinstance(dialog, ApproveDialog)
    if note:
        dialog.note.setPlainText(note)
    click(qtbot, dialog.ok_button)
    settle(qtbot)
    return dialog


def test_an_officer_registers_a_request_found_by_case_reference(
        qtbot: QtBot, team: Team) -> None:
    window, view = _window_and_view(qtbot, team.officer)
    assert view.model.rowCount() == 0
    assert view.role_hint.isVisible()  # officers register; managers decide
    click(qtbot, view.register_button)
    dialog = view.dialog
    assert isinstance(dialog, RegisterLegalRequestDialog)
    # Nothing chosen yet: said plainly, nothing saved.
    click(qtbot, dialog.ok_button)
    assert "choose the case" in dialog.message.text()
    type_into(qtbot, dialog.case.search, team.family.case.ref)
    click(qtbot, dialog.case.find_button)
    assert dialog.case.case_ref() == team.family.case.ref
    type_into(qtbot, dialog.body, BODY)
    dialog.basis.setPlainText(BASIS)
    dialog.description.setPlainText(WHAT)
    click(qtbot, dialog.ok_button)
    assert dialog.saved is not None, dialog.message.text()
    settle(qtbot)
    assert view.model.rowCount() == 1
    cells = _cells(view)
    assert cells[LegalRequestsModel.REF] == dialog.saved.ref
    assert cells[LegalRequestsModel.REF].startswith("LR-")
    assert cells[LegalRequestsModel.CASE] == team.family.case.ref
    assert cells[LegalRequestsModel.BODY] == BODY
    assert cells[LegalRequestsModel.RECEIVED] == date.today().strftime("%d/%m/%Y")
    assert cells[LegalRequestsModel.STATUS] == "Awaiting approval by two managers"
    assert cells[LegalRequestsModel.APPROVALS] == "0 of 2"
    assert view.selected_request() is not None
    assert "added to the register" in view.message.text()
    assert "two different managers" in view.next_step.text()
    # An officer cannot decide or extract.
    for b in (view.approve_button, view.refuse_button, view.basis_button,
              view.prepare_button):
        assert not b.isEnabled()
    window.discard()


def test_a_person_search_finds_their_cases(qtbot: QtBot, team: Team) -> None:
    dialog = RegisterLegalRequestDialog(team.officer)
    qtbot.addWidget(dialog)
    dialog.show()
    type_into(qtbot, dialog.case.search, "Sarah Jones")
    click(qtbot, dialog.case.find_button)
    assert dialog.case.case_ref() == team.family.case.ref
    assert "Sarah Jones" in dialog.case.results.currentItem().text()
    type_into(qtbot, dialog.case.search, "Nobody Atall")
    click(qtbot, dialog.case.find_button)
    assert dialog.case.case_ref() is None and dialog.case.status.isVisible()
    dialog.reject()


def test_one_approval_is_not_enough_and_the_same_manager_cannot_approve_twice(
        qtbot: QtBot, team: Team) -> None:
    request_id = _register_directly(team)
    window, view = _window_and_view(qtbot, team.admin)
    view.select(request_id)
    assert view.approve_button.isEnabled() and not view.prepare_button.isEnabled()
    first = _approve(qtbot, view, "Proportionate: limited to the assessment.")
    assert not first.isVisible()
    assert legal.get_legal_request(team.admin, request_id).status is (
        LegalStatus.AWAITING_APPROVAL)
    cells = _cells(view)
    assert cells[LegalRequestsModel.STATUS] == "Awaiting a second manager's approval"
    assert cells[LegalRequestsModel.APPROVALS] == "1 of 2: Alice Admin"
    assert "second manager, other than you" in view.message.text()
    # Who approved is shown, and that someone else must approve.
    assert "from a manager other than Alice Admin" in view.next_step.text()
    assert "You have approved it already" in view.next_step.text()
    assert "Approved by Alice Admin" in view.decisions_value.text()
    assert "Proportionate" in view.decisions_value.text()
    # The extract is not available after one approval.
    assert not view.prepare_button.isEnabled()
    with pytest.raises(PermissionDenied, match="it has 1"):
        legal.prepare_legal_extract(team.admin, request_id)

    # The same manager again: the service's message is shown as it is, nothing changes.
    click(qtbot, view.approve_button)
    again = view.dialog
    assert isinstance(again, ApproveDialog)
    assert "Approved so far by Alice Admin" in again.intro.text()
    click(qtbot, again.ok_button)
    assert again.isVisible()
    assert again.message.text() == ("You have already approved this request. A second "
                                    "manager, other than you, must approve it too.")
    again.reject()
    request = legal.get_legal_request(team.admin, request_id)
    assert request.approved_by == (ADMIN,) and request.status is LegalStatus.AWAITING_APPROVAL
    window.discard()


def test_refusing_needs_a_reason(qtbot: QtBot, team: Team) -> None:
    request_id = _register_directly(team)
    window, view = _window_and_view(qtbot, team.erin)
    view.select(request_id)
    click(qtbot, view.refuse_button)
    dialog = view.dialog
    assert isinstance(dialog, RefuseDialog)
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible()
    assert dialog.message.text() == "Give the reason for refusing."
    assert legal.get_legal_request(team.erin, request_id).status is (
        LegalStatus.AWAITING_APPROVAL)
    dialog.reason.setPlainText("The request is not limited to what the claim needs.")
    click(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    settle(qtbot)
    assert legal.get_legal_request(team.erin, request_id).status is LegalStatus.REFUSED
    assert _cells(view)[LegalRequestsModel.STATUS] == "Refused"
    assert "refused by Erin Second" in _cells(view)[LegalRequestsModel.APPROVALS]
    assert "not limited" in view.decisions_value.text()
    for b in (view.approve_button, view.refuse_button, view.basis_button,
              view.prepare_button):
        assert not b.isEnabled()
    window.discard()


def _select_item(window: ExtractReviewWindow, text: str) -> None:
    for row, v in enumerate(window.review.views()):
        if text in v.item.text:
            window.review.table.selectRow(row)
            return
    raise AssertionError(f"no item with {text!r}")


def _pdf_text(path: Path, passphrase: str) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()), password=passphrase)
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def _select_words(window: ExtractReviewWindow, words: str) -> None:
    """Select ``words`` in the current item's text, as a mouse drag would."""
    text = window.review.text
    start = text.toPlainText().index(words)
    cursor = text.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(words), QTextCursor.MoveMode.KeepAnchor)
    text.setTextCursor(cursor)


def test_two_managers_approve_then_the_extract_and_family_copy_are_built(
        qtbot: QtBot, team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    request_id = _register_directly(team)
    alice_window, alice = _window_and_view(qtbot, team.admin)
    alice.select(request_id)
    _approve(qtbot, alice)
    erin_window, erin = _window_and_view(qtbot, team.erin)
    erin.select(request_id)
    assert "from a manager other than Alice Admin" in erin.next_step.text()
    _approve(qtbot, erin)
    assert legal.get_legal_request(team.erin, request_id).status is LegalStatus.APPROVED
    assert _cells(erin)[LegalRequestsModel.APPROVALS] == "2 of 2: Alice Admin, Erin Second"
    assert "is approved by two managers" in erin.message.text()

    # No consent from the family: the legal basis comes first.
    assert "no consent" in erin.consent_value.text().lower()
    assert "record the legal basis" in erin.next_step.text()
    assert erin.basis_button.isEnabled() and not erin.prepare_button.isEnabled()
    click(qtbot, erin.basis_button)
    basis = erin.dialog
    assert isinstance(basis, RecordLegalBasisDialog)
    assert "the parent or carer and the young person" in basis.intro.text()
    basis.justification.setPlainText("court order")
    click(qtbot, basis.ok_button)
    assert "justification" in basis.message.text()  # the service's rule, in its words
    basis.justification.setPlainText(JUSTIFICATION)
    click(qtbot, basis.ok_button)
    assert not basis.isVisible()
    settle(qtbot)
    assert "legal basis recorded by Erin Second" in erin.consent_value.text()
    assert not erin.basis_button.isEnabled() and erin.prepare_button.isEnabled()

    # Prepare: the records are gathered off the UI thread, then reviewed.
    click(qtbot, erin.prepare_button)
    qtbot.waitUntil(lambda: bool(erin.review_windows), timeout=30_000)
    review = erin.review_windows[0]
    assert isinstance(review, ExtractReviewWindow)
    qtbot.waitExposed(review)
    assert review.windowTitle().startswith("Extract for LR-")
    panel = review.review
    # A young person's confidences are never sent: not offered, and the reason shown.
    _select_item(review, YP_TEXT)
    assert panel.current_view().decision.decision is Decision.WITHHOLD  # type: ignore[union-attr]
    assert not panel.include_button.isEnabled() and not panel.redact_button.isEnabled()
    assert "never sent to another agency" in panel.reason.text()
    assert "disclosed" not in panel.reason.text()  # the app's reason, in an extract's words
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_I)
    assert review.decisions == {}
    # Include the parent's note in full (I), then redact the neighbour's name (R); the
    # rest take the app's suggestion.
    _select_item(review, NOTE_TEXT)
    review.close_button.setFocus()  # the keys work anywhere in the window
    qtbot.keyClick(review.close_button, Qt.Key.Key_I)
    key = panel.current_view().key  # type: ignore[union-attr]
    assert review.decisions[key].decision is Decision.DISCLOSE
    assert panel.model.index(panel.current_row(), 3).data() == "Included in full"
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_R)  # nothing selected yet: says what to do
    assert panel.message.text() == "Select the words to redact in the item's text first."
    _select_words(review, "Gwendolyn")
    panel.set_exemption(Exemption.THIRD_PARTY)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_R)
    assert review.decisions[key].decision is Decision.REDACT
    assert panel.model.index(panel.current_row(), 3).data() == "Included, 1 part redacted"
    assert [s.exemption for s in review.decisions[key].spans] == [Exemption.THIRD_PARTY]
    assert len(panel.text.extraSelections()) == 1  # the redaction bar

    click(qtbot, review.build_button)
    dialog = review.build_dialog
    assert isinstance(dialog, BuildExtractDialog)
    out, family = tmp_path / "extract.pdf", tmp_path / "family.pdf"
    dialog.save_as.set_path(out)
    dialog.family_save_as.set_path(family)
    # Cancel first: the build stops before any file is written or logged.
    cancel_pressed = hold_build(monkeypatch, legal, "build_legal_extract")
    click(qtbot, dialog.build_button)
    assert dialog.busy
    click(qtbot, dialog.close_button)
    cancel_pressed.set()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    assert dialog.isVisible() and dialog.message.text() == "Stopped. No file was written."
    assert not out.exists() and not family.exists()
    assert legal.get_legal_request(team.erin, request_id).status is LegalStatus.APPROVED

    click(qtbot, dialog.build_button)
    qtbot.waitUntil(lambda: dialog.extract_result is not None or bool(dialog.message.text()),
                    timeout=60_000)
    settle(qtbot)
    result = dialog.extract_result
    assert result is not None, dialog.message.text()
    assert result.family_copy is not None
    assert out.exists() and family.exists()
    passphrase = dialog.passphrase.passphrase()
    family_passphrase = dialog.family_passphrase.passphrase()
    assert passphrase and family_passphrase and passphrase != family_passphrase
    assert dialog.passphrase.isVisible() and dialog.family_passphrase.isVisible()
    assert dialog.passphrase.field.isReadOnly()
    for path, secret in ((out, passphrase), (family, family_passphrase)):
        with pytest.raises(pikepdf.PasswordError):
            pikepdf.open(path)
        with pikepdf.open(path, password=secret) as pdf:
            assert len(pdf.pages) >= 1
        # What was chosen in the review is what was sent.
        sent = _pdf_text(path, secret)
        assert "rang about the plan" in sent and "the bus was late" in sent
        assert "Gwendolyn" not in sent
        assert "hates the new school" not in sent
    assert result.redacted == 1 and result.left_out == 1  # the note; the confidence
    assert "with parts redacted" in dialog.done_label.text()
    logged = sar_repo.get_disclosure(team.erin.conn, result.family_copy.disclosure_id)
    assert logged.recipient == "Sarah Jones"
    assert legal.get_legal_request(team.erin, request_id).status is LegalStatus.EXTRACTED
    assert _cells(erin)[LegalRequestsModel.STATUS] == "Extract sent"
    assert not erin.prepare_button.isEnabled()
    # Done forgets the passphrases, and the used-up draft's window closes.
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: not review.isVisible(), timeout=5_000)
    assert erin.review_windows == []
    erin_window.discard()
    alice_window.discard()


def test_every_control_has_an_accessible_name(qtbot: QtBot, team: Team) -> None:
    from tests.gui.test_accessibility import _unnamed

    request_id = _register_directly(team)
    legal.approve(team.admin, request_id)
    legal.approve(team.erin, request_id)
    legal.record_legal_basis(team.admin, request_id, JUSTIFICATION)
    view = LegalRequestsView(team.admin)
    qtbot.addWidget(view)
    view.show()
    settle(qtbot)
    view.select(request_id)
    request = view.selected_request()
    assert request is not None
    draft = legal.prepare_legal_extract(team.admin, request_id)
    review = ExtractReviewWindow(team.admin, draft, lambda *_a: None)  # type: ignore[arg-type,return-value]
    build = BuildExtractDialog(team.admin, draft, {}, lambda *_a: None)  # type: ignore[arg-type,return-value]
    dialogs = [view.register_request(), ApproveDialog(team.admin, request, {}),
               RefuseDialog(team.admin, request), RecordLegalBasisDialog(team.admin, request, ())]
    for widget in (view, review, build, *dialogs):
        qtbot.addWidget(widget)
        assert _unnamed(widget) == [], type(widget).__name__
    for widget in dialogs:
        widget.reject()
    review.close()


def test_inspectors_do_not_get_the_register(qtbot: QtBot, team: Team) -> None:
    from datetime import UTC, datetime

    from sendiass_desktop.services import inspection

    inspection.create_inspector(team.admin, "ivy", datetime.now(UTC) + timedelta(days=3),
                                password="ofsted inspection week")
    ivy = unlock_with_password(team.admin.location, "ivy", "ofsted inspection week")
    try:
        window = show_window(qtbot, ivy)
        assert window.nav.isRowHidden(window.view_keys().index("legal"))
        window.show_view("legal")
        assert window.current_view_key() != "legal"
        view = window.view("legal")
        assert isinstance(view, LegalRequestsView) and view.model.rowCount() == 0
        window.discard()
    finally:
        ivy.close()
    QApplication.processEvents()


def test_locking_hides_the_extract_review_and_keeps_its_decisions(
        qtbot: QtBot, team: Team) -> None:
    """The draft lives in memory only: the idle lock must not throw the review away."""
    from tests.gui.test_main_window import _unlock_again

    request_id = _register_directly(team)
    legal.approve(team.admin, request_id)
    legal.approve(team.erin, request_id)
    legal.record_legal_basis(team.erin, request_id, JUSTIFICATION)
    window, view = _window_and_view(qtbot, team.erin)
    view.select(request_id)
    click(qtbot, view.prepare_button)
    qtbot.waitUntil(lambda: bool(view.review_windows), timeout=30_000)
    review = view.review_windows[0]
    qtbot.waitExposed(review)
    _select_item(review, NOTE_TEXT)
    review.review.include()
    chosen = dict(review.decisions)
    assert chosen
    old = window.session
    window.lock()
    assert not review.isVisible()
    _unlock_again(qtbot, window, MANAGER_PASSWORD)
    qtbot.waitUntil(lambda: window.session is not old and review.isVisible(), timeout=20_000)
    assert review.decisions == chosen
    assert review.review.session is window.session
    settle(qtbot)
    review.close()
    window.discard()


def _making_extract(qtbot: QtBot, team: Team, folder: Path
                    ) -> tuple[MainWindow, ExtractReviewWindow, BuildExtractDialog]:
    """Erin's window, the review of an approved request and its "Make the extract"
    dialog, saving into ``folder``."""
    request_id = _register_directly(team)
    legal.approve(team.admin, request_id)
    legal.approve(team.erin, request_id)
    legal.record_legal_basis(team.erin, request_id, JUSTIFICATION)
    window, view = _window_and_view(qtbot, team.erin)
    view.select(request_id)
    click(qtbot, view.prepare_button)
    qtbot.waitUntil(lambda: bool(view.review_windows), timeout=30_000)
    review = view.review_windows[0]
    qtbot.waitExposed(review)
    dialog = review.make_extract()
    qtbot.waitExposed(dialog)
    folder.mkdir()
    dialog.save_as.set_path(folder / "extract.pdf")
    dialog.family_save_as.set_path(folder / "family.pdf")
    return window, review, dialog


def test_esc_too_late_to_stop_the_extract_shows_both_passphrases(
        qtbot: QtBot, team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sendiass_desktop.services import disclosure

    reached, go = hold_writing(monkeypatch, disclosure)
    folder = tmp_path / "extracts"
    window, review, dialog = _making_extract(qtbot, team, folder)
    assert dialog.close_button.text() == dialog.close_button.accessibleName() == "Cancel"
    click(qtbot, dialog.build_button)
    qtbot.waitUntil(reached.is_set, timeout=60_000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    dialog.close()  # the window's close button
    review.close()  # and the review behind it: both wait for the passphrases
    assert dialog.isVisible() and review.isVisible()
    assert dialog.message.text() == "Stopping…"
    go.set()
    qtbot.waitUntil(lambda: dialog.extract_result is not None, timeout=60_000)
    settle(qtbot)
    assert dialog.isVisible()
    assert dialog.message.text().startswith(
        "Too late to stop: the extract and the family's copy had already been written when "
        "you pressed Cancel, so they were kept and logged as disclosures.")
    for box, name in ((dialog.passphrase, "extract.pdf"),
                      (dialog.family_passphrase, "family.pdf")):
        assert box.isVisible() and box.passphrase()
        with pikepdf.open(folder / name, password=box.passphrase()):
            pass
    result = dialog.extract_result
    assert result is not None and result.family_copy is not None
    assert sar_repo.get_disclosure(team.erin.conn, result.family_copy.disclosure_id)
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: not review.isVisible(), timeout=5_000)
    window.discard()


def test_locking_while_the_extract_is_made_loses_nothing(
        qtbot: QtBot, team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sendiass_desktop.services import disclosure
    from tests.gui.test_main_window import _unlock_again

    reached, go = hold_writing(monkeypatch, disclosure)
    folder = tmp_path / "extracts"
    window, review, dialog = _making_extract(qtbot, team, folder)
    click(qtbot, dialog.build_button)
    qtbot.waitUntil(reached.is_set, timeout=60_000)
    window.lock()
    assert not dialog.isVisible() and not review.isVisible()
    go.set()  # written and logged while the app is locked
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    settle(qtbot)
    assert (folder / "extract.pdf").exists() and (folder / "family.pdf").exists()
    # Nothing shown while locked, not even in a hidden field.
    assert dialog.passphrase.passphrase() == dialog.family_passphrase.passphrase() == ""
    assert not dialog.isVisible()

    old = window.session
    _unlock_again(qtbot, window, MANAGER_PASSWORD)
    qtbot.waitUntil(lambda: window.session is not old and dialog.isVisible()
                    and dialog.extract_result is not None, timeout=20_000)
    settle(qtbot)
    assert dialog.message.text() == "Both files are written and logged as disclosures."
    for box, name in ((dialog.passphrase, "extract.pdf"),
                      (dialog.family_passphrase, "family.pdf")):
        assert box.isVisible() and box.passphrase()
        with pikepdf.open(folder / name, password=box.passphrase()):
            pass
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: not review.isVisible(), timeout=5_000)
    window.discard()
