"""The disclosure extract dialog, opened from the case window, on a real store.

Bob (an officer) and Alice (an administrator, so a manager too) work on the
Jones family's case: Sarah (the parent) and Tom, who is 16 or over and so
decides for himself. What the user sees is checked against the services and
the files written.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QShortcut, QTextCursor
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.consent import (
    ConsentMethod,
    ConsentRecord,
    ConsentState,
    OverrideGrounds,
    Purpose,
    Recipient,
    ShareBasis,
)
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.notes import Confidentiality
from sendiass_desktop.domain.redaction import Decision
from sendiass_desktop.services import consent, disclosure
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.ui.case_window import CaseWindow
from sendiass_desktop.ui.disclosure_dialog import DisclosureDialog
from sendiass_desktop.ui.extract_review import ExtractReviewPanel
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.gui.fixtures_casework import settle
from tests.gui.helpers import click, hold_build, hold_writing, type_into, visible_texts
from tests.support.casework import Family, add_note, make_family

pytestmark = pytest.mark.gui

SENT_NOTE = "The annual review meeting agreed extra speech and language therapy sessions."
REDACTED_WORDS = "speech and language therapy sessions"
LEFT_OUT_NOTE = "Sarah mentioned the family's housing worries, not for the school."
SAFEGUARDING_NOTE = "Bruise noticed; discussed with the designated safeguarding lead."
SCHOOL = "Oak Academy"
JUSTIFICATION = "Child at risk: the health visitor needs the history to act today."


@pytest.fixture
def admin(store: StoreFixture) -> Iterator[Session]:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    yield session
    session.close()


@pytest.fixture
def officer(store: StoreFixture) -> Iterator[Session]:
    session = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    yield session
    session.close()


@pytest.fixture
def family(admin: Session) -> Family:
    family = make_family(admin, officer=OFFICER)
    add_note(admin, family.case, SENT_NOTE)
    add_note(admin, family.case, LEFT_OUT_NOTE)
    return family


def give_consent(session: Session, family: Family, recipient: Recipient) -> None:
    assert family.case.id is not None
    for person in (family.parent, family.child):
        assert person.id is not None
        consent.record_consent(session, ConsentRecord(
            family.case.id, person.id, recipient, Purpose.SHARE_RECORDS, ConsentState.GIVEN,
            datetime.now().replace(microsecond=0), ConsentMethod.WRITTEN, ""))


def open_dialog(qtbot: QtBot, session: Session, family: Family) -> DisclosureDialog:
    assert family.case.id is not None
    window = CaseWindow(session, family.case.id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.extract_action.isVisible() and window.extract_action.isEnabled()
    window.extract_action.trigger()
    dialog = next(d for d in window.findChildren(DisclosureDialog) if d.isVisible())
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5_000)
    return dialog


def choose(qtbot: QtBot, dialog: DisclosureDialog, recipient: Recipient,
           detail: str = "") -> None:
    dialog.recipient.setCurrentIndex(dialog.recipient.findData(recipient))
    type_into(qtbot, dialog.detail, detail) if detail else dialog.detail.clear()
    qtbot.waitUntil(lambda: dialog.consent_checked, timeout=10_000)
    settle(qtbot)


def row_of(dialog: DisclosureDialog, words: str) -> int:
    return next(i for i, v in enumerate(dialog.review.views()) if words in v.item.text)


def select_words(review: ExtractReviewPanel, words: str) -> None:
    """Select ``words`` in the current item's text, as a mouse drag would."""
    start = review.text.toPlainText().index(words)
    cursor = review.text.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(words), QTextCursor.MoveMode.KeepAnchor)
    review.text.setTextCursor(cursor)


def to_review(qtbot: QtBot, dialog: DisclosureDialog) -> ExtractReviewPanel:
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.REVIEW, timeout=20_000)
    settle(qtbot)
    return dialog.review


# --- consent ------------------------------------------------------------------------------------


def test_an_officer_without_consent_sees_why_and_cannot_go_on(
        qtbot: QtBot, officer: Session, family: Family) -> None:
    dialog = open_dialog(qtbot, officer, family)
    choose(qtbot, dialog, Recipient.SCHOOL, SCHOOL)
    said = dialog.consent.text()
    assert "cannot be shared with School or setting (Oak Academy)" in said
    assert "The parent or carer — Not covered. No consent has been recorded" in said
    assert "The young person — Not covered." in said
    assert "only a manager can decide" in said
    # By role, never by name.
    assert "Sarah" not in said and "Tom" not in said
    assert not dialog.covered
    assert not dialog.next_button.isEnabled()
    assert not dialog.override_box.isVisible()  # an officer is not offered the override
    assert dialog.pages.currentIndex() == dialog.WHO
    # Even asked directly, the service refuses and the reason is shown in plain words.
    dialog.prepare()
    qtbot.waitUntil(lambda: "cannot be shared" in dialog.message.text(), timeout=10_000)
    settle(qtbot)
    assert "for the parent or carer" in dialog.message.text()
    assert dialog.draft is None and dialog.pages.currentIndex() == dialog.WHO
    # With only Sarah's consent, Tom's is still missing.
    assert family.case.id and family.parent.id
    consent.record_consent(officer, ConsentRecord(
        family.case.id, family.parent.id, Recipient.SCHOOL, Purpose.SHARE_RECORDS,
        ConsentState.GIVEN, datetime.now().replace(microsecond=0), ConsentMethod.WRITTEN, ""))
    choose(qtbot, dialog, Recipient.HEALTH)
    choose(qtbot, dialog, Recipient.SCHOOL, SCHOOL)
    assert "The parent or carer — Covered." in dialog.consent.text()
    assert "The young person — Not covered." in dialog.consent.text()
    assert not dialog.next_button.isEnabled()
    dialog.reject()


def test_a_named_recipient_must_be_named_first(qtbot: QtBot, officer: Session,
                                               family: Family) -> None:
    dialog = open_dialog(qtbot, officer, family)
    dialog.recipient.setCurrentIndex(dialog.recipient.findData(Recipient.NAMED_PROFESSIONAL))
    dialog.detail.clear()
    qtbot.waitUntil(lambda: "Name the professional" in dialog.consent.text(), timeout=5_000)
    assert not dialog.next_button.isEnabled()
    dialog.reject()


def test_a_manager_override_needs_a_justification(qtbot: QtBot, admin: Session,
                                                  family: Family) -> None:
    assert family.case.id is not None
    dialog = open_dialog(qtbot, admin, family)
    choose(qtbot, dialog, Recipient.HEALTH)
    assert "record a manager's safeguarding or legal override below" in dialog.consent.text()
    assert dialog.override_box.isVisible()
    assert not dialog.next_button.isEnabled()
    dialog.grounds.setCurrentIndex(dialog.grounds.findData(OverrideGrounds.SAFEGUARDING))
    # No justification: not even sent to the service.
    click(qtbot, dialog.override_button)
    assert "Write the justification" in dialog.override_message.text()
    assert dialog.justification.hasFocus()
    assert consent.overrides_for_case(admin, family.case.id) == []
    # Too short: the service refuses, in plain words.
    dialog.justification.setPlainText("urgent")
    click(qtbot, dialog.override_button)
    qtbot.waitUntil(lambda: "at least a sentence" in dialog.override_message.text(),
                    timeout=10_000)
    settle(qtbot)
    assert consent.overrides_for_case(admin, family.case.id) == []
    # In full: one override per person, and the extract may go ahead.
    dialog.justification.setPlainText(JUSTIFICATION)
    click(qtbot, dialog.override_button)
    qtbot.waitUntil(lambda: dialog.covered, timeout=10_000)
    settle(qtbot)
    overrides = consent.overrides_for_case(admin, family.case.id)
    assert {o.person_id for o in overrides} == {family.parent.id, family.child.id}
    assert all(o.justification == JUSTIFICATION and o.decided_by == ADMIN for o in overrides)
    assert "Override recorded for 2 people" in dialog.message.text()
    assert "Covered. No consent, but alice recorded an override" in dialog.consent.text()
    assert not dialog.override_box.isVisible()
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=20_000)
    settle(qtbot)
    assert dialog.draft is not None
    assert {s.share.basis for s in dialog.draft.subjects if s.share} == {ShareBasis.OVERRIDE}
    assert "override" in dialog.basis.text()
    dialog.reject()


# --- review and build ---------------------------------------------------------------------------


def test_a_consented_extract_is_built_encrypted_with_what_was_chosen(
        qtbot: QtBot, officer: Session, admin: Session, family: Family,
        tmp_path: Path) -> None:
    give_consent(admin, family, Recipient.SCHOOL)
    add_note(admin, family.case, SAFEGUARDING_NOTE, safeguarding=True)
    dialog = open_dialog(qtbot, officer, family)
    choose(qtbot, dialog, Recipient.SCHOOL, SCHOOL)
    assert dialog.covered, dialog.consent.text()
    assert "Consent covers an extract for School or setting (Oak Academy)" in \
        dialog.consent.text()
    dialog.address.setPlainText("1 School Road\nNorthshire")
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.REVIEW, timeout=20_000)
    settle(qtbot)
    review = dialog.review
    assert "Consent to share records" in dialog.basis.text()

    # A safeguarding record: the officer sees why and is not offered to send it.
    review.table.selectRow(row_of(dialog, SAFEGUARDING_NOTE))
    view = review.current_view()
    assert view is not None and view.decision.decision is Decision.WITHHOLD
    assert not review.include_button.isEnabled()
    assert "Only a manager" in review.reason.text()
    assert review.reason.text().startswith(
        "Left out (the app's suggestion): Safeguarding record: left out unless a manager "
        "decides sending it would not put anyone at risk.")
    review.table.setFocus()
    qtbot.keyClick(review.table, Qt.Key.Key_I)
    assert review.current_view().decision.decision is Decision.WITHHOLD  # type: ignore[union-attr]

    # Leave one note out by keyboard (L); the other stays in (the suggestion, then I).
    review.table.selectRow(row_of(dialog, LEFT_OUT_NOTE))
    review.table.setFocus()
    qtbot.keyClick(review.table, Qt.Key.Key_L)
    left = review.current_view()
    assert left is not None and left.decision.decision is Decision.WITHHOLD
    assert review.model.index(review.current_row(), 3).data() == "Left out"
    assert review.model.index(review.current_row(), 4).data() == "You"
    review.table.selectRow(row_of(dialog, SENT_NOTE))
    click(qtbot, review.include_button)
    assert review.current_view().decision.decision is Decision.DISCLOSE  # type: ignore[union-attr]
    assert "left out" in review.summary.text()
    assert set(review.decisions()) == {left.key, review.current_view().key}  # type: ignore[union-attr]
    # Redact words by keyboard (R): a black bar over them, listed with the reason's code.
    select_words(review, REDACTED_WORDS)
    review.set_exemption(Exemption.THIRD_PARTY)
    review.table.setFocus()
    qtbot.keyClick(review.table, Qt.Key.Key_R)
    sent = review.current_view()
    assert sent is not None and sent.decision.decision is Decision.REDACT
    assert review.model.index(review.current_row(), 3).data() == "Included, 1 part redacted"
    assert len(review.text.extraSelections()) == 1
    assert review.redactions.count() == 1 and "S2P3" in review.redactions.item(0).text()
    assert "1 with parts redacted" in review.summary.text()
    # "Use the app's suggestion" undoes a choice.
    review.table.selectRow(row_of(dialog, LEFT_OUT_NOTE))
    click(qtbot, review.suggestion_button)
    assert left.key not in review.decisions()
    assert review.model.index(review.current_row(), 4).data() == "The app"
    review.table.setFocus()
    qtbot.keyClick(review.table, Qt.Key.Key_L)
    assert set(review.decisions()) == {left.key, sent.key}

    click(qtbot, dialog.next_button)
    assert dialog.pages.currentIndex() == dialog.BUILD
    out = tmp_path / "extract.pdf"
    family_out = tmp_path / "family-copy.pdf"
    dialog.save_as.set_path(out)
    assert dialog.family_copy.isChecked()
    dialog.family_save_as.set_path(family_out)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.extract_result is not None or
                    (bool(dialog.message.text()) and not dialog.busy), timeout=60_000)
    settle(qtbot)
    result = dialog.extract_result
    assert result is not None, dialog.message.text()
    assert out.exists() and family_out.exists()

    passphrase = dialog.extract_passphrase.passphrase()
    family_passphrase = dialog.family_passphrase.passphrase()
    assert passphrase and family_passphrase and passphrase != family_passphrase
    assert dialog.extract_passphrase.isVisible() and dialog.family_passphrase.isVisible()
    assert dialog.extract_passphrase.field.isReadOnly()
    assert not dialog.next_button.isVisible() and dialog.close_button.text() == "Done"

    # Opens only with the passphrase shown.
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(out)
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(out, password=family_passphrase)
    with pikepdf.open(out, password=passphrase) as pdf:
        assert len(pdf.pages) == result.extract.page_count
    for path, secret in ((out, passphrase), (family_out, family_passphrase)):
        reader = PdfReader(io.BytesIO(path.read_bytes()), password=secret)
        text = " ".join((page.extract_text() or "") for page in reader.pages)
        text = " ".join(text.split())
        assert SENT_NOTE.split(REDACTED_WORDS)[0].strip() in text
        assert REDACTED_WORDS not in text
        assert "housing worries" not in text
        assert "Bruise noticed" not in text
    assert (result.redacted, result.left_out) == (1, 2)
    assert "1 with parts redacted, 2 left out" in dialog.done_label.text()

    # Logged, and listed on the first page.
    logged = disclosure.extracts_for_case(officer, family.case.id or 0)
    assert {d.id for d in logged} == set(result.disclosure_ids)
    qtbot.waitUntil(lambda: dialog.extracts_model.rowCount() == 2, timeout=10_000)
    settle(qtbot)
    cells = [dialog.extracts_model.index(r, 1).data() for r in range(2)]
    assert "School or setting (Oak Academy)" in cells and "Sarah Jones" in cells
    assert dialog.extracts_model.index(0, 4).data() in {"extract.pdf", "family-copy.pdf"}

    # Closing forgets the passphrases.
    click(qtbot, dialog.close_button)
    assert dialog.extract_passphrase.passphrase() == ""
    assert dialog.family_passphrase.passphrase() == ""


def test_an_existing_file_is_refused_in_plain_words(qtbot: QtBot, officer: Session,
                                                    admin: Session, family: Family,
                                                    tmp_path: Path) -> None:
    give_consent(admin, family, Recipient.SCHOOL)
    dialog = open_dialog(qtbot, officer, family)
    choose(qtbot, dialog, Recipient.SCHOOL)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.REVIEW, timeout=20_000)
    settle(qtbot)
    click(qtbot, dialog.next_button)
    taken = tmp_path / "taken.pdf"
    taken.write_bytes(b"already here")
    dialog.save_as.set_path(taken)
    dialog.family_copy.setChecked(False)
    assert not dialog.family_save_as.isEnabled()
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: "already exists" in dialog.message.text(), timeout=30_000)
    settle(qtbot)
    assert taken.read_bytes() == b"already here"
    assert dialog.next_button.isEnabled() and dialog.save_as.isEnabled()
    assert disclosure.extracts_for_case(officer, family.case.id or 0) == []
    dialog.reject()


def test_a_young_persons_confidence_is_never_offered(qtbot: QtBot, admin: Session,
                                                     family: Family) -> None:
    give_consent(admin, family, Recipient.SCHOOL)
    add_note(admin, family.case, "Tom said in confidence he is being bullied.",
             Confidentiality.YOUNG_PERSON)
    dialog = open_dialog(qtbot, admin, family)
    choose(qtbot, dialog, Recipient.SCHOOL)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.REVIEW, timeout=20_000)
    settle(qtbot)
    review = dialog.review
    review.table.selectRow(row_of(dialog, "being bullied"))
    assert not review.include_button.isEnabled() and not review.redact_button.isEnabled()
    assert "never sent" in review.reason.text()
    dialog.reject()


def test_every_control_has_an_accessible_name(qtbot: QtBot, admin: Session,
                                              family: Family) -> None:
    from tests.gui.test_accessibility import _unnamed

    give_consent(admin, family, Recipient.SCHOOL)
    dialog = open_dialog(qtbot, admin, family)
    assert _unnamed(dialog) == []
    choose(qtbot, dialog, Recipient.SCHOOL)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.REVIEW, timeout=20_000)
    settle(qtbot)
    assert _unnamed(dialog) == []
    dialog.reject()


def to_build_step(qtbot: QtBot, dialog: DisclosureDialog, folder: Path,
                  family_copy: bool = True) -> tuple[Path, Path]:
    """From the first step (consent covered) to the third, saving into ``folder``."""
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.REVIEW, timeout=20_000)
    settle(qtbot)
    click(qtbot, dialog.next_button)
    assert dialog.pages.currentIndex() == dialog.BUILD
    folder.mkdir(exist_ok=True)
    out, family_out = folder / "extract.pdf", folder / "family.pdf"
    dialog.save_as.set_path(out)
    dialog.family_copy.setChecked(family_copy)
    dialog.family_save_as.set_path(family_out)
    return out, family_out


def test_locking_hides_the_finished_extract_and_unlocking_shows_its_passphrase_again(
        qtbot: QtBot, officer: Session, admin: Session, family: Family,
        tmp_path: Path) -> None:
    give_consent(admin, family, Recipient.SCHOOL)
    dialog = open_dialog(qtbot, officer, family)
    window = dialog.parentWidget()
    assert isinstance(window, CaseWindow)
    choose(qtbot, dialog, Recipient.SCHOOL)
    to_build_step(qtbot, dialog, tmp_path, family_copy=False)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.extract_result is not None, timeout=60_000)
    settle(qtbot)
    passphrase = dialog.extract_passphrase.passphrase()
    assert passphrase
    assert not dialog.family_passphrase.isVisible()  # no family copy was asked for
    left: list[str] = []
    dialog.finished.connect(lambda _r: left.append(dialog.extract_passphrase.passphrase()))
    window.on_lock()
    # Hidden, not closed: the file is written and logged, its passphrase must not be lost.
    assert left == [] and not dialog.isVisible()
    assert dialog.extract_passphrase.passphrase() == ""  # out of the field while locked
    assert not any(passphrase in text for text in visible_texts())
    assert not window.extract_action.isEnabled() and not window.escalation_action.isEnabled()

    again = unlock_with_password(officer.location, OFFICER, OFFICER_PASSWORD)
    try:
        window.set_session(again)
        assert dialog.isVisible()
        assert dialog.extract_passphrase.passphrase() == passphrase  # the same user
        click(qtbot, dialog.close_button)
        assert left == [""]
        window.close()
    finally:
        again.close()


def test_an_inspector_is_not_offered_either_action(qtbot: QtBot, admin: Session,
                                                   family: Family) -> None:
    from datetime import UTC, timedelta

    from sendiass_desktop.services import inspection

    inspection.create_inspector(admin, "ivy", datetime.now(UTC) + timedelta(days=3),
                                password="ofsted inspection week")
    ivy = unlock_with_password(admin.location, "ivy", "ofsted inspection week")
    try:
        assert family.case.id is not None
        window = CaseWindow(ivy, family.case.id)
        qtbot.addWidget(window)
        assert not window.extract_action.isVisible()
        assert not window.escalation_action.isVisible()
        assert window.prepare_extract() is None and window.raise_issue() is None
        window.close()
    finally:
        ivy.close()


def test_cancel_stops_the_build_and_no_file_is_written_or_logged(
        qtbot: QtBot, officer: Session, admin: Session, family: Family, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    give_consent(admin, family, Recipient.SCHOOL)
    cancel_pressed = hold_build(monkeypatch, disclosure, "build_extract")
    dialog = open_dialog(qtbot, officer, family)
    choose(qtbot, dialog, Recipient.SCHOOL)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.REVIEW, timeout=20_000)
    settle(qtbot)
    click(qtbot, dialog.next_button)
    folder = tmp_path / "extracts"
    folder.mkdir()
    dialog.save_as.set_path(folder / "for-school.pdf")
    dialog.family_save_as.set_path(folder / "family.pdf")
    click(qtbot, dialog.next_button)
    assert dialog.busy
    click(qtbot, dialog.close_button)
    cancel_pressed.set()
    assert dialog.isVisible()  # stays open to say what happened
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    assert dialog.message.text() == "Stopped. No file was written."
    assert list(folder.iterdir()) == []
    assert disclosure.extracts_for_case(officer, family.case.id or 0) == []
    assert dialog.next_button.isEnabled() and dialog.close_button.isEnabled()
    dialog.reject()


def test_esc_while_the_extract_is_laid_out_stops_it_and_the_dialog_says_so(
        qtbot: QtBot, officer: Session, admin: Session, family: Family, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    give_consent(admin, family, Recipient.SCHOOL)
    go = hold_build(monkeypatch, disclosure, "build_extract")
    dialog = open_dialog(qtbot, officer, family)
    choose(qtbot, dialog, Recipient.SCHOOL)
    folder = tmp_path / "extracts"
    to_build_step(qtbot, dialog, folder)
    assert dialog.close_button.text() == dialog.close_button.accessibleName() == "Cancel"
    click(qtbot, dialog.next_button)
    assert dialog.busy
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    dialog.close()  # the window's close button: Cancel too
    assert dialog.isVisible() and dialog.message.text() == "Stopping…"
    go.set()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    settle(qtbot)
    assert dialog.isVisible()
    assert dialog.message.text() == "Stopped. No file was written."
    assert list(folder.iterdir()) == []
    assert disclosure.extracts_for_case(officer, family.case.id or 0) == []
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing running: Esc closes
    assert not dialog.isVisible()


def test_esc_too_late_to_stop_shows_both_passphrases(
        qtbot: QtBot, officer: Session, admin: Session, family: Family, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    give_consent(admin, family, Recipient.SCHOOL)
    reached, go = hold_writing(monkeypatch, disclosure)
    dialog = open_dialog(qtbot, officer, family)
    choose(qtbot, dialog, Recipient.SCHOOL)
    out, family_out = to_build_step(qtbot, dialog, tmp_path / "extracts")
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(reached.is_set, timeout=60_000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    dialog.close()
    assert dialog.isVisible() and dialog.message.text() == "Stopping…"
    go.set()
    qtbot.waitUntil(lambda: dialog.extract_result is not None, timeout=60_000)
    settle(qtbot)
    assert dialog.isVisible()
    result = dialog.extract_result
    passphrase = dialog.extract_passphrase.passphrase()
    family_passphrase = dialog.family_passphrase.passphrase()
    assert passphrase and family_passphrase
    assert dialog.extract_passphrase.isVisible() and dialog.family_passphrase.isVisible()
    assert dialog.message.text().startswith(
        "Too late to stop: the extract and the family's copy had already been written when "
        "you pressed Cancel, so they were kept and logged as disclosures.")
    for path, secret in ((out, passphrase), (family_out, family_passphrase)):
        with pikepdf.open(path, password=secret):
            pass
    logged = disclosure.extracts_for_case(officer, family.case.id or 0)
    assert {d.id for d in logged} == set(result.disclosure_ids)
    assert dialog.close_button.text() == "Done"
    click(qtbot, dialog.close_button)
    assert dialog.extract_passphrase.passphrase() == ""


def test_locking_while_the_extract_is_made_loses_nothing(
        qtbot: QtBot, officer: Session, admin: Session, family: Family, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The main window locks (the idle lock, say) just as the files are written."""
    from tests.gui.fixtures_casework import show_window
    from tests.gui.test_main_window import _unlock_again

    give_consent(admin, family, Recipient.SCHOOL)
    reached, go = hold_writing(monkeypatch, disclosure)
    main = show_window(qtbot, officer)
    case_window = main.open_case(family.case.id or 0)
    assert isinstance(case_window, CaseWindow)
    qtbot.waitExposed(case_window)
    case_window.extract_action.trigger()
    dialog = next(d for d in case_window.findChildren(DisclosureDialog) if d.isVisible())
    choose(qtbot, dialog, Recipient.SCHOOL)
    out, family_out = to_build_step(qtbot, dialog, tmp_path / "extracts")
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(reached.is_set, timeout=60_000)
    ended: list[int] = []
    dialog.finished.connect(ended.append)
    main.lock()
    assert not dialog.isVisible() and not case_window.isVisible() and ended == []
    go.set()  # written and logged while the app is locked
    qtbot.waitUntil(lambda: not dialog.lane.busy, timeout=60_000)
    settle(qtbot)
    assert out.exists() and family_out.exists()
    assert len(disclosure.extracts_for_case(admin, family.case.id or 0)) == 2
    assert not dialog.isVisible() and dialog.extract_result is None  # waits for unlocking
    assert dialog.extract_passphrase.passphrase() == ""

    old = main.session
    _unlock_again(qtbot, main, OFFICER_PASSWORD)
    qtbot.waitUntil(lambda: main.session is not old and dialog.isVisible()
                    and dialog.extract_result is not None, timeout=20_000)
    settle(qtbot)
    passphrase = dialog.extract_passphrase.passphrase()
    family_passphrase = dialog.family_passphrase.passphrase()
    assert dialog.extract_passphrase.isVisible() and dialog.family_passphrase.isVisible()
    assert dialog.message.text() == "The extract is written and logged."
    for path, secret in ((out, passphrase), (family_out, family_passphrase)):
        with pikepdf.open(path, password=secret):
            pass
    assert ended == []
    click(qtbot, dialog.close_button)
    main.discard()


# --- one review, one set of words, for both extracts -------------------------------------------

# A subject access request's words; an extract's review must not use them.
SAR_WORDS = re.compile(r"\b(disclose|withhold|withheld|black(ed)?[- ]out|exemption)\b", re.I)


def panel_words(panel: ExtractReviewPanel) -> list[str]:
    """Every fixed word the review shows or says: buttons (with their tooltips and spoken
    names), labels, the hint, column headings and keyboard shortcuts."""
    words = [f"{b.text()} | {b.toolTip()} | {b.accessibleName()}"
             for b in panel.findChildren(QAbstractButton) if b.isVisibleTo(panel)]
    words += [label.text() for label in panel.findChildren(QLabel)
              if label.buddy() is not None or label is panel.hint]
    words += [str(panel.model.headerData(c, Qt.Orientation.Horizontal))
              for c in range(panel.model.columnCount())]
    words += [panel.exemption.accessibleName()]
    words += [s.key().toString() for s in panel.findChildren(QShortcut)]
    return sorted(words)


def cell(panel: ExtractReviewPanel, column: int) -> str:
    return str(panel.model.index(panel.current_row(), column).data())


def choose_by_keyboard(qtbot: QtBot, review: ExtractReviewPanel) -> tuple[object, ...]:
    """Leave the sent note out (L), include it (I), redact words in it (R); what the
    review says at each step."""
    review.select_item(next(v.key for v in review.views() if SENT_NOTE in v.item.text))
    review.table.setFocus()
    qtbot.keyClick(review.table, Qt.Key.Key_L)
    left = (cell(review, 3), cell(review, 4))
    qtbot.keyClick(review.table, Qt.Key.Key_I)
    included = (cell(review, 3), review.reason.text().split(".")[0])
    select_words(review, REDACTED_WORDS)
    qtbot.keyClick(review.table, Qt.Key.Key_R)
    view = review.current_view()
    assert view is not None
    assert review.decisions()[view.key].decision is Decision.REDACT
    said = (left, included, cell(review, 3), review.summary.text())
    # Everything left out: the extract cannot go on to be made.
    for row in range(review.model.rowCount()):
        review.table.selectRow(row)
        review.leave_out()
    assert not review.sends_anything()
    return said


def test_both_extracts_are_reviewed_on_one_screen_in_the_same_words(
        qtbot: QtBot, admin: Session, family: Family) -> None:
    from sendiass_desktop.domain.roles import Role
    from sendiass_desktop.services import legal_requests as legal
    from sendiass_desktop.services import users
    from sendiass_desktop.ui.legal_requests_view import ExtractReviewWindow

    assert family.case.id is not None
    # The legal request's extract: two managers approve, one records the legal basis.
    users.add_user(admin, "erin", Role.MANAGER, password="second manager of the service")
    erin = unlock_with_password(admin.location, "erin", "second manager of the service")
    request = legal.register_legal_request(admin, family.case.id, "Northshire County Council",
                                           "Judicial review", "All records", date.today())
    assert request.id is not None
    legal.approve(admin, request.id)
    legal.approve(erin, request.id)
    erin.close()
    legal.record_legal_basis(admin, request.id, "The High Court ordered disclosure of these "
                             "records; we are legally obliged to comply.")
    window = ExtractReviewWindow(admin, legal.prepare_legal_extract(admin, request.id),
                                 lambda *_a: None)  # type: ignore[arg-type,return-value]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    legal_review = window.review
    legal_words = panel_words(legal_review)
    # None of the SAR's words anywhere on the legal request's window.
    assert not [b.text() for b in window.findChildren(QAbstractButton)
                if b.isVisible() and SAR_WORDS.search(b.text())]
    assert not SAR_WORDS.search(window.windowTitle())
    legal_said = choose_by_keyboard(qtbot, legal_review)
    assert not window.build_button.isEnabled()
    window.close()

    # The disclosure extract, with the family's consent.
    give_consent(admin, family, Recipient.SCHOOL)
    dialog = open_dialog(qtbot, admin, family)
    choose(qtbot, dialog, Recipient.SCHOOL, SCHOOL)
    disclosed = to_review(qtbot, dialog)
    assert dialog.next_button.isEnabled()

    # The same widget, showing the same words, buttons, tooltips and shortcuts.
    assert type(disclosed) is type(legal_review) is ExtractReviewPanel
    words = panel_words(disclosed)
    assert words == legal_words
    assert "&Include in full | Include the whole item in the extract (I) | Include in full (I)" \
        in words
    assert "&Leave out | Leave the item out of the extract (L) | Leave out (L)" in words
    assert any(w.startswith("&Redact selection |") for w in words)
    assert {"I", "L", "R", "In the extract", "Chosen by"} <= set(words)
    assert not [w for w in words if SAR_WORDS.search(w)]

    # The same choices read the same in both.
    said = choose_by_keyboard(qtbot, disclosed)
    assert said == legal_said
    assert said[:3] == (("Left out", "You"), ("Included in full", "Included in full (your "
                                              "choice)"), "Included, 1 part redacted")
    assert "1 with parts redacted" in str(said[3])
    assert not dialog.next_button.isEnabled()
    # On another step, the review's keys do nothing.
    chosen = disclosed.decisions()
    click(qtbot, dialog.back_button)
    assert dialog.pages.currentIndex() == dialog.WHO
    dialog.close_button.setFocus()
    for key in (Qt.Key.Key_I, Qt.Key.Key_R):
        qtbot.keyClick(dialog.close_button, key)
    assert disclosed.decisions() == chosen
    dialog.reject()


def test_an_inspector_is_offered_no_choices_in_the_review(
        qtbot: QtBot, admin: Session, family: Family) -> None:
    """Inspectors never reach an extract; should the review be shown, it only reads."""
    from datetime import UTC, timedelta

    from sendiass_desktop.services import inspection

    give_consent(admin, family, Recipient.SCHOOL)
    assert family.case.id is not None
    draft = disclosure.prepare_extract(admin, family.case.id, Recipient.SCHOOL, SCHOOL)
    inspection.create_inspector(admin, "ivy", datetime.now(UTC) + timedelta(days=3),
                                password="ofsted inspection week")
    ivy = unlock_with_password(admin.location, "ivy", "ofsted inspection week")
    try:
        review = ExtractReviewPanel(ivy)
        qtbot.addWidget(review)
        review.show()
        review.set_draft(draft)
        assert review.current_view() is not None and review.text.toPlainText()
        for control in (review.include_button, review.leave_out_button,
                        review.redact_button, review.suggestion_button, review.exemption):
            assert not control.isVisible()
        review.table.setFocus()
        for key in (Qt.Key.Key_I, Qt.Key.Key_L, Qt.Key.Key_R):
            qtbot.keyClick(review.table, key)
        review.leave_out()
        assert review.decisions() == {}
        assert "You chose 0" in review.summary.text()
    finally:
        ivy.close()
