"""The disclosure extract dialog, opened from the case window, on a real store.

Bob (an officer) and Alice (an administrator, so a manager too) work on the
Jones family's case: Sarah (the parent) and Tom, who is 16 or over and so
decides for himself. What the user sees is checked against the services and
the files written.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
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
from sendiass_desktop.domain.notes import Confidentiality
from sendiass_desktop.domain.redaction import Decision
from sendiass_desktop.services import consent, disclosure
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.ui.case_window import CaseWindow
from sendiass_desktop.ui.disclosure_dialog import DisclosureDialog
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.gui.fixtures_casework import settle
from tests.gui.helpers import click, type_into
from tests.support.casework import Family, add_note, make_family

pytestmark = pytest.mark.gui

SENT_NOTE = "The annual review meeting agreed extra speech and language therapy sessions."
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
        assert SENT_NOTE in text
        assert "housing worries" not in text
        assert "Bruise noticed" not in text

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


def test_locking_closes_the_dialog_and_forgets_the_passphrases(
        qtbot: QtBot, officer: Session, admin: Session, family: Family,
        tmp_path: Path) -> None:
    give_consent(admin, family, Recipient.SCHOOL)
    dialog = open_dialog(qtbot, officer, family)
    window = dialog.parentWidget()
    assert isinstance(window, CaseWindow)
    choose(qtbot, dialog, Recipient.SCHOOL)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.REVIEW, timeout=20_000)
    settle(qtbot)
    click(qtbot, dialog.next_button)
    dialog.save_as.set_path(tmp_path / "extract.pdf")
    dialog.family_copy.setChecked(False)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.extract_result is not None, timeout=60_000)
    settle(qtbot)
    assert dialog.extract_passphrase.passphrase()
    assert not dialog.family_passphrase.isVisible()  # no family copy was asked for
    left: list[str] = []
    dialog.finished.connect(lambda _r: left.append(dialog.extract_passphrase.passphrase()))
    window.on_lock()
    assert left == [""]
    assert not any(d.isVisible() for d in window.findChildren(DisclosureDialog))
    assert not window.extract_action.isEnabled() and not window.escalation_action.isEnabled()


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
    import threading

    give_consent(admin, family, Recipient.SCHOOL)
    real_build = disclosure.build_extract
    cancel_pressed = threading.Event()

    def build_after_cancel(*args: object, **kwargs: object) -> object:
        # The real build, started once Cancel has been pressed: its first progress
        # report then stops it, whatever the machine's speed.
        cancel_pressed.wait(20)
        return real_build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(disclosure, "build_extract", build_after_cancel)
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
