"""The SAR register, the review screen and the pack dialog, driven as a manager would."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pikepdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QAbstractButton, QApplication
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.redaction import Decision
from sendiass_desktop.domain.sar import IdentityCheck, IdentityMethod, Relationship, SarRequest
from sendiass_desktop.services import sar as sar_service
from sendiass_desktop.services.sar import DecisionState
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.ui.main_window import MainWindow
from sendiass_desktop.ui.sar_pack_dialog import BuildPackDialog
from sendiass_desktop.ui.sar_register import ExtendDialog, SarColumn, SarRegisterView
from sendiass_desktop.ui.sar_review import SarReviewWindow
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.gui.fixtures_casework import settle, show_window
from tests.gui.helpers import click, hold_build, hold_writing, visible_texts
from tests.support.casework import add_note, make_family

pytestmark = pytest.mark.gui

NOTE_TEXT = "Sarah Jones rang about the plan. Her neighbour Gwendolyn said the bus was late."
SECRET_WORD = "Gwendolyn"


@dataclass
class Seeded:
    sar_id: int
    ref: str
    received: date
    note_key: str


@pytest.fixture
def admin(store: StoreFixture) -> Iterator[Session]:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    yield session
    session.close()


@pytest.fixture
def seeded(admin: Session) -> Seeded:
    family = make_family(admin, officer=OFFICER)
    note = add_note(admin, family.case, NOTE_TEXT)
    received = date.today() - timedelta(days=10)
    assert family.parent.id and family.child.id
    sar = sar_service.create_sar(admin, SarRequest(
        "", family.parent.id, Relationship.PARENT, received, "",
        for_person_id=family.child.id,
        identity=IdentityCheck(IdentityMethod.PHOTO_ID, received, "")))
    assert sar.id is not None
    return Seeded(sar.id, sar.ref, received, f"note:{note.id}")


def _register(qtbot: QtBot, session: Session) -> SarRegisterView:
    window = show_window(qtbot, session)
    window.show_view("sars")
    assert window.current_view_key() == "sars"
    view = window.view("sars")
    assert isinstance(view, SarRegisterView)
    return view


def _review(qtbot: QtBot, session: Session, seeded: Seeded) -> SarReviewWindow:
    window = SarReviewWindow(session, seeded.sar_id, seeded.ref)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    window.select_item(seeded.note_key)
    current = window.current_view()
    assert current is not None and current.key == seeded.note_key
    return window


def _saved(session: Session, seeded: Seeded, key: str) -> sar_service.ReviewItemView:
    return next(v for v in sar_service.review_items(session, seeded.sar_id) if v.key == key)


def test_register_lists_the_request_with_its_due_date(qtbot: QtBot, admin: Session,
                                                      seeded: Seeded) -> None:
    view = _register(qtbot, admin)
    assert view.model.rowCount() == 1
    row = view.model.row_at(0)
    due = row.due
    assert due is not None
    cells = [view.model.index(0, c).data() for c in range(view.model.columnCount())]
    assert cells[SarColumn.REF] == seeded.ref
    assert cells[SarColumn.REQUESTER] == "Sarah Jones"
    assert cells[SarColumn.FOR] == "Tom Jones"
    assert cells[SarColumn.RECEIVED] == seeded.received.strftime("%d/%m/%Y")
    assert cells[SarColumn.DUE] == due.strftime("%d/%m/%Y")
    assert cells[SarColumn.LEFT] == f"{(due - date.today()).days} days left"
    assert "1 requests: 1 open" in view.summary.text() or "1 open" in view.summary.text()
    view.table.selectRow(0)
    assert view.review_button.isEnabled() and view.pack_button.isEnabled()
    # Pausing shows "Paused" in the due column.
    sar_service.pause_clock(admin, seeded.sar_id, date.today(), "Waiting for ID")
    view.refresh()
    assert view.model.index(0, SarColumn.DUE).data() == "Paused"
    assert view.restart_button.isEnabled() and not view.pause_button.isEnabled()


def test_an_officer_does_not_get_the_register(qtbot: QtBot, store: StoreFixture,
                                              admin: Session, seeded: Seeded) -> None:
    officer = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    try:
        window = show_window(qtbot, officer)
        keys = window.view_keys()
        assert window.nav.isRowHidden(keys.index("sars"))
        assert not window.view_allowed("sars")
        window.show_view("sars")
        assert window.current_view_key() != "sars"
        view = window.view("sars")
        assert isinstance(view, SarRegisterView)
        assert view.model.rowCount() == 0
        window.discard()
    finally:
        officer.close()


def test_redact_a_selected_span_is_saved(qtbot: QtBot, admin: Session, seeded: Seeded) -> None:
    window = _review(qtbot, admin, seeded)
    start = NOTE_TEXT.index(SECRET_WORD)
    text = window.current_view().item.text  # type: ignore[union-attr]
    offset = text.index(NOTE_TEXT) + start
    cursor = window.text.textCursor()
    cursor.setPosition(offset)
    cursor.setPosition(offset + len(SECRET_WORD), QTextCursor.MoveMode.KeepAnchor)
    window.text.setTextCursor(cursor)
    window.set_exemption(Exemption.THIRD_PARTY)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_R)
    saved = _saved(admin, seeded, seeded.note_key)
    assert saved.state is DecisionState.CONFIRMED
    assert saved.decision.decision is Decision.REDACT
    spans = [(s.start, s.end, s.exemption) for s in saved.decision.spans]
    assert (offset, offset + len(SECRET_WORD), Exemption.THIRD_PARTY) in spans
    # Shown highlighted and listed with its code; it can be removed again.
    assert len(window.text.extraSelections()) == len(spans)
    labels = [window.redactions.item(i).text() for i in range(window.redactions.count())]
    assert any(SECRET_WORD in t and "S2P3" in t for t in labels)
    row = next(i for i, t in enumerate(labels) if SECRET_WORD in t)
    window.redactions.setCurrentRow(row)
    click(qtbot, window.remove_button)
    saved = _saved(admin, seeded, seeded.note_key)
    assert all(s.start != offset for s in saved.decision.spans)
    window.close()


def test_withhold_with_exemption_and_disclose_by_keyboard(qtbot: QtBot, admin: Session,
                                                          seeded: Seeded) -> None:
    window = _review(qtbot, admin, seeded)
    window.set_exemption(Exemption.SERIOUS_HARM)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_W)
    saved = _saved(admin, seeded, seeded.note_key)
    assert saved.state is DecisionState.CONFIRMED
    assert saved.decision.decision is Decision.WITHHOLD
    assert saved.decision.exemption is Exemption.SERIOUS_HARM
    assert "Withhold (S3-HARM)" in window.model.index(window.current_row(), 3).data()
    # Down moves to the next item; D discloses it.
    row = window.current_row()
    if row + 1 < window.model.rowCount():
        qtbot.keyClick(window.table, Qt.Key.Key_Down)
        assert window.current_row() == row + 1
        key = window.current_view().key  # type: ignore[union-attr]
        qtbot.keyClick(window.table, Qt.Key.Key_D)
        disclosed = _saved(admin, seeded, key)
        assert disclosed.state is DecisionState.CONFIRMED
        assert disclosed.decision.decision is Decision.DISCLOSE
    window.close()


def test_the_sar_review_keeps_its_own_words(qtbot: QtBot, admin: Session,
                                            seeded: Seeded) -> None:
    """Extracts share a review in their own words; a SAR's stay disclose/withhold/redact."""
    from sendiass_desktop.ui.extract_review import ExtractReviewModel

    window = _review(qtbot, admin, seeded)
    model = window.model
    assert not isinstance(model, ExtractReviewModel)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Category", "Title", "Date", "Decision", "Review"]
    assert [b.text() for b in (window.disclose_button, window.withhold_button,
                               window.redact_button)] == ["&Disclose", "&Withhold",
                                                          "&Redact selection"]
    assert window.exemption.accessibleName() == "Exemption"
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_D)
    assert model.index(window.current_row(), 3).data() == "Disclose"
    assert model.index(window.current_row(), 4).data() == "Confirmed"
    assert ". Disclose " in window.summary.text() and ", withhold " in window.summary.text()
    for widget in window.findChildren(QAbstractButton):
        assert "Include" not in widget.text() and "Leave out" not in widget.text()
    window.close()


def test_accept_suggestions(qtbot: QtBot, admin: Session, seeded: Seeded) -> None:
    window = _review(qtbot, admin, seeded)
    click(qtbot, window.accept_button)
    assert _saved(admin, seeded, seeded.note_key).state is DecisionState.CONFIRMED
    assert "1 confirmed" in window.summary.text()
    click(qtbot, window.accept_all_button)
    views = sar_service.review_items(admin, seeded.sar_id)
    assert all(v.decided for v in views)
    assert not window.accept_all_button.isEnabled()
    assert "0 not yet reviewed" in window.summary.text()
    window.close()


def test_build_pack_shows_the_passphrase_once(qtbot: QtBot, admin: Session, seeded: Seeded,
                                              tmp_path: Path) -> None:
    sar_service.accept_suggested(admin, seeded.sar_id)
    dialog = BuildPackDialog(admin, seeded.sar_id, seeded.ref)
    qtbot.addWidget(dialog)
    dialog.show()
    out = tmp_path / "reply.pdf"
    dialog.path.setText(str(out))
    assert not hasattr(dialog, "encrypt")  # no unencrypted option in the GUI
    click(qtbot, dialog.build_button)
    qtbot.waitUntil(lambda: dialog.pack_result is not None or bool(dialog.message.text()),
                    timeout=60_000)
    settle(qtbot)
    assert dialog.pack_result is not None, dialog.message.text()
    assert out.exists()
    passphrase = dialog.passphrase.text()
    assert passphrase and dialog.passphrase.isVisible() and dialog.passphrase.isReadOnly()
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(out)
    with pikepdf.open(out, password=passphrase) as pdf:
        assert len(pdf.pages) == dialog.pack_result.page_count
    click(qtbot, dialog.copy_button)
    assert "cleared" in dialog.copied.text()
    dialog.accept()
    assert dialog.passphrase.text() == ""


def _building_pack(qtbot: QtBot, admin: Session, seeded: Seeded, tmp_path: Path
                   ) -> tuple[BuildPackDialog, Path]:
    """The pack dialog with its build started, saving into an empty folder."""
    dialog = BuildPackDialog(admin, seeded.sar_id, seeded.ref)
    qtbot.addWidget(dialog)
    dialog.show()
    out = tmp_path / "replies" / "reply.pdf"
    out.parent.mkdir()
    dialog.path.setText(str(out))
    dialog.accept_remaining.setChecked(True)
    click(qtbot, dialog.build_button)
    assert dialog.busy and dialog.close_button.text() == "Cancel"
    return dialog, out


def test_cancel_stops_the_pack_build_and_nothing_is_written(
    qtbot: QtBot, admin: Session, seeded: Seeded, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    go = hold_build(monkeypatch, sar_service, "build_pack")
    before = len(sar_service.disclosures_for_sar(admin, seeded.sar_id))
    dialog, out = _building_pack(qtbot, admin, seeded, tmp_path)
    click(qtbot, dialog.close_button)
    go.set()
    assert dialog.isVisible()  # stays open to say what happened
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    assert dialog.message.text() == "Stopped. No pack was written."
    assert dialog.pack_result is None and not out.exists()
    assert list(out.parent.iterdir()) == []
    assert len(sar_service.disclosures_for_sar(admin, seeded.sar_id)) == before
    assert dialog.build_button.isEnabled()  # and it can be built after all
    click(qtbot, dialog.build_button)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    assert dialog.pack_result is not None, dialog.message.text()
    assert out.exists()


def test_esc_while_the_pack_is_laid_out_stops_it_and_the_dialog_says_so(
    qtbot: QtBot, admin: Session, seeded: Seeded, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    go = hold_build(monkeypatch, sar_service, "build_pack")
    before = len(sar_service.disclosures_for_sar(admin, seeded.sar_id))
    dialog, out = _building_pack(qtbot, admin, seeded, tmp_path)
    assert dialog.close_button.accessibleName() == "Cancel"  # as it reads
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.message.text() == "Stopping…"
    go.set()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    settle(qtbot)
    assert dialog.isVisible()  # open until it could say what happened
    assert dialog.message.text() == "Stopped. No pack was written."
    assert dialog.pack_result is None and dialog.passphrase.text() == ""
    assert list(out.parent.iterdir()) == []
    assert len(sar_service.disclosures_for_sar(admin, seeded.sar_id)) == before
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing running: Esc closes
    assert not dialog.isVisible()


def test_esc_or_closing_too_late_to_stop_shows_the_passphrase(
    qtbot: QtBot, admin: Session, seeded: Seeded, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the last check for Cancel the pack is written and logged whatever happens:
    the dialog must stay open to show its passphrase."""
    from sendiass_desktop.services import sar_pack

    reached, go = hold_writing(monkeypatch, sar_pack)
    before = len(sar_service.disclosures_for_sar(admin, seeded.sar_id))
    dialog, out = _building_pack(qtbot, admin, seeded, tmp_path)
    qtbot.waitUntil(reached.is_set, timeout=60_000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.message.text() == "Stopping…"
    assert not dialog.close_button.isEnabled()
    dialog.close()  # the window's close button
    assert dialog.isVisible()
    go.set()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    settle(qtbot)
    assert dialog.isVisible()
    assert dialog.pack_result is not None, dialog.message.text()
    passphrase = dialog.passphrase.text()
    assert passphrase and dialog.passphrase.isVisible()
    assert dialog.message.text().startswith(
        "Too late to stop: the pack had already been written when you pressed Cancel, so it "
        "was kept and logged as a disclosure.")
    assert out.exists()
    with pikepdf.open(out, password=passphrase) as pdf:
        assert len(pdf.pages) == dialog.pack_result.page_count
    logged = sar_service.disclosures_for_sar(admin, seeded.sar_id)
    assert len(logged) == before + 1
    assert dialog.close_button.text() == "Done" and dialog.close_button.isEnabled()
    click(qtbot, dialog.close_button)
    assert not dialog.isVisible() and dialog.passphrase.text() == ""


def _pack_dialog_of(qtbot: QtBot, session: Session, seeded: Seeded, out: Path
                    ) -> tuple[MainWindow, BuildPackDialog]:
    """The main window, and the pack dialog opened from the register for ``seeded``."""
    view = _register(qtbot, session)
    window = view.window()
    assert isinstance(window, MainWindow)
    view.select(seeded.sar_id)
    dialog = view.build_pack()
    assert isinstance(dialog, BuildPackDialog)
    qtbot.waitExposed(dialog)
    dialog.path.setText(str(out))
    dialog.accept_remaining.setChecked(True)
    return window, dialog


def test_locking_hides_the_pack_dialog_and_its_passphrase_until_unlocked(
    qtbot: QtBot, admin: Session, seeded: Seeded, tmp_path: Path
) -> None:
    from tests.gui.test_main_window import _unlock_again

    window, dialog = _pack_dialog_of(qtbot, admin, seeded, tmp_path / "reply.pdf")
    click(qtbot, dialog.build_button)
    qtbot.waitUntil(lambda: dialog.pack_result is not None or bool(dialog.message.text()),
                    timeout=60_000)
    settle(qtbot)
    passphrase = dialog.passphrase.text()
    assert passphrase and passphrase in visible_texts()

    window.lock()
    assert not dialog.isVisible()
    assert not any(passphrase in text for text in visible_texts())
    assert dialog.passphrase.text() == ""  # not even in the hidden field
    assert dialog.message.text() == "The pack is written and logged as a disclosure."

    old = window.session
    _unlock_again(qtbot, window, ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: window.session is not old and dialog.isVisible(), timeout=20_000)
    assert dialog.passphrase.text() == passphrase  # the same user, shown again
    click(qtbot, dialog.close_button)
    assert dialog.passphrase.text() == ""
    window.discard()


def test_locking_while_the_pack_is_built_loses_nothing(
    qtbot: QtBot, admin: Session, seeded: Seeded, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    from sendiass_desktop.services import sar_pack
    from tests.gui.test_main_window import _unlock_again

    reached, go = hold_writing(monkeypatch, sar_pack)
    out = tmp_path / "reply.pdf"
    window, dialog = _pack_dialog_of(qtbot, admin, seeded, out)
    before = len(sar_service.disclosures_for_sar(admin, seeded.sar_id))
    click(qtbot, dialog.build_button)
    qtbot.waitUntil(reached.is_set, timeout=60_000)
    window.lock()
    assert not dialog.isVisible()
    go.set()  # the pack is finished while the app is locked
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    settle(qtbot)
    assert out.exists()
    assert len(sar_service.disclosures_for_sar(admin, seeded.sar_id)) == before + 1
    assert not dialog.isVisible() and dialog.passphrase.text() == ""

    old = window.session
    _unlock_again(qtbot, window, ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: window.session is not old and dialog.isVisible()
                    and dialog.pack_result is not None, timeout=20_000)
    passphrase = dialog.passphrase.text()
    assert passphrase and dialog.passphrase.isVisible()
    assert dialog.message.text() == "The pack is written and logged as a disclosure."
    with pikepdf.open(out, password=passphrase):
        pass
    click(qtbot, dialog.close_button)
    window.discard()


def test_signing_out_from_the_lock_screen_stops_the_pack(
    qtbot: QtBot, admin: Session, seeded: Seeded, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signing out is not unlocking: nobody may see a passphrase after it, so the build is
    stopped (before anything is written, here) and the dialog goes."""
    go = hold_build(monkeypatch, sar_service, "build_pack")
    out = tmp_path / "reply.pdf"
    window, dialog = _pack_dialog_of(qtbot, admin, seeded, out)
    before = len(sar_service.disclosures_for_sar(admin, seeded.sar_id))
    click(qtbot, dialog.build_button)
    window.lock()
    finished: list[int] = []
    dialog.finished.connect(finished.append)
    window.end_session()  # what "Sign out" on the lock screen does first
    assert finished == [0]
    go.set()
    settle(qtbot)
    assert not out.exists()
    again = unlock_with_password(admin.location, ADMIN, ADMIN_PASSWORD)
    try:
        assert len(sar_service.disclosures_for_sar(again, seeded.sar_id)) == before
    finally:
        again.close()


def test_every_control_has_an_accessible_name(qtbot: QtBot, admin: Session,
                                              seeded: Seeded) -> None:
    from tests.gui.test_accessibility import _unnamed

    view = SarRegisterView(admin)
    review = SarReviewWindow(admin, seeded.sar_id, seeded.ref)
    pack = BuildPackDialog(admin, seeded.sar_id, seeded.ref)
    view.table.selectRow(0)
    dialogs = [view.new_request(), view._act(ExtendDialog)]
    for widget in (view, review, pack, *dialogs):
        assert widget is not None
        qtbot.addWidget(widget)
        assert _unnamed(widget) == [], type(widget).__name__
    for widget in dialogs:
        widget.reject()  # type: ignore[union-attr]


def test_new_request_found_by_searching_people(qtbot: QtBot, admin: Session,
                                               seeded: Seeded) -> None:
    view = _register(qtbot, admin)
    dialog = view.new_request()
    dialog.requester.search.setText("Sarah Jones")
    click(qtbot, dialog.requester.find_button)
    person = dialog.requester.person()
    assert person is not None and person.display_name == "Sarah Jones"
    dialog.relationship.setCurrentIndex(dialog.relationship.findData(Relationship.SELF))
    assert not dialog.for_person.isVisible()
    dialog.identity_checked.setChecked(True)
    click(qtbot, dialog.ok_button)
    assert dialog.saved is not None, dialog.message.text()
    assert view.model.rowCount() == 2
    assert view.selected_row() is not None
    assert view.selected_row().sar.id == dialog.saved.id  # type: ignore[union-attr]
    assert dialog.saved.identity is not None
