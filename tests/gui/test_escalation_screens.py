"""Raising an issue with the Local Authority, from the case window, on a real store.

The letter the officer checks must hold nothing that identifies the family
(rule 4) unless everyone whose consent is needed agreed to be named; the
exported file is a PDF, encrypted only when it names the family.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.cases import Case, ReferralSource
from sendiass_desktop.domain.consent import (
    ConsentMethod,
    ConsentRecord,
    ConsentState,
    Purpose,
    Recipient,
)
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.services import cases, consent, escalation, people
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.store.sar import DisclosureKind
from sendiass_desktop.ui.case_window import CaseWindow
from sendiass_desktop.ui.escalation_dialog import EscalationDialog
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.gui.fixtures_casework import settle
from tests.gui.helpers import click, hold_writing, visible_texts

pytestmark = pytest.mark.gui

LA = "Northshire County Council"
SCHOOL = "Kingsmead Vale Primary School"


@dataclass
class Family:
    parent: Person
    child: Person
    case: Case

    def issue(self) -> str:
        return (f"Re {self.case.ref} ({self.parent.ref}).\n\n"
                "Rhiannon Featherstone-Blake asked for an EHC needs assessment for Oluwaseun "
                "(born 09/03/2011) at Kingsmead Vale Primary School ten weeks ago and has had "
                "no decision. Her email is rhiannon.fb@example.org and her phone 07700 900461. "
                "We ask the Local Authority to make the decision within the legal time limit.")


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
def family(officer: Session) -> Family:
    parent = people.create_person(officer, Person(
        "", "Rhiannon", "Featherstone-Blake", PersonRole.PARENT_CARER,
        email="rhiannon.fb@example.org", phone="07700 900461", postcode="LH4 9QT"))
    child = people.create_person(officer, Person(
        "", "Oluwaseun", "Featherstone-Blake", PersonRole.CHILD_YOUNG_PERSON,
        date_of_birth=date(2011, 3, 9)))
    assert parent.id and child.id
    case = cases.create_case(officer, Case(
        "", date(2026, 9, 1), ReferralSource.SELF, OFFICER, parent.id, child.id,
        school_setting=SCHOOL, local_authority=LA))
    return Family(parent, child, case)


IDENTIFYING = ("Rhiannon", "Featherstone", "Blake", "Oluwaseun", "09/03/2011", "Kingsmead",
               "rhiannon.fb", "07700", "Re SEN", )


def open_dialog(qtbot: QtBot, session: Session, family: Family) -> EscalationDialog:
    assert family.case.id is not None
    window = CaseWindow(session, family.case.id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.escalation_action.isVisible() and window.escalation_action.isEnabled()
    window.escalation_action.trigger()
    dialog = next(d for d in window.findChildren(EscalationDialog) if d.isVisible())
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5_000)
    settle(qtbot)
    return dialog


def to_review(qtbot: QtBot, dialog: EscalationDialog, text: str) -> None:
    dialog.issue.setPlainText(text)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.REVIEW
                    or (bool(dialog.message.text()) and not dialog.busy), timeout=20_000)
    settle(qtbot)
    assert dialog.pages.currentIndex() == dialog.REVIEW, dialog.message.text()


def save(qtbot: QtBot, dialog: EscalationDialog) -> None:
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.SAVED
                    or (bool(dialog.message.text()) and not dialog.busy), timeout=20_000)
    settle(qtbot)


def export(qtbot: QtBot, dialog: EscalationDialog, out: Path) -> None:
    dialog.save_as.set_path(out)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.exported is not None
                    or (bool(dialog.message.text()) and not dialog.busy), timeout=30_000)
    settle(qtbot)


def pdf_text(path: Path, password: str | None = None) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()), password=password)
    return " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())


def test_the_preview_identifies_no_one_and_exports_a_pdf(qtbot: QtBot, officer: Session,
                                                         family: Family, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, officer, family)
    assert dialog.no_letters.isVisible() and not dialog.letters_table.isVisible()
    assert dialog.keep_school.isVisible()  # the case has a school
    to_review(qtbot, dialog, family.issue())
    letter = dialog.letter.toPlainText()
    for word in (*IDENTIFYING, family.case.ref, family.parent.ref, family.child.ref, "LH4"):
        assert word.lower() not in letter.lower(), word
    assert "[the parent]" in letter and "[the young person]" in letter
    assert "legal time limit" in letter
    assert "names" in dialog.replaced.text() and "date of birth" in dialog.replaced.text()
    # No consent to be named: said plainly, and naming is not on offer.
    assert "No consent from the parent or carer to be named" in dialog.consent.text()
    assert "anonymously" in dialog.consent.text()
    assert not dialog.named_choice.isVisible() and not dialog.identified

    save(qtbot, dialog)
    assert dialog.pages.currentIndex() == dialog.SAVED, dialog.message.text()
    assert dialog.saved is not None and not dialog.saved.identified
    assert dialog.saved_text.toPlainText() == letter
    assert "Saved" in dialog.message.text()
    assert dialog.issue.toPlainText() == ""  # kept in the store now, not in the form

    out = tmp_path / "letter.pdf"
    export(qtbot, dialog, out)
    assert dialog.exported is not None, dialog.message.text()
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    with pikepdf.open(out) as pdf:  # not encrypted: it names no one
        assert not pdf.is_encrypted
    text = pdf_text(out)
    assert "[the parent]" in text and "legal time limit" in text
    assert "Rhiannon" not in text and family.case.ref not in text
    assert not dialog.passphrase.isVisible()
    assert "not encrypted" in dialog.message.text()
    # Listed, as exported.
    qtbot.waitUntil(lambda: dialog.letters_model.rowCount() == 1, timeout=10_000)
    settle(qtbot)
    assert dialog.letters_model.index(0, 2).data() == "Anonymous"
    assert dialog.letters_model.index(0, 3).data() != "Not yet"
    stored = escalation.escalations_for_case(officer, family.case.id or 0)
    assert [e.letter for e in stored] == [letter] and stored[0].exported_at is not None
    dialog.reject()


def test_a_name_typed_back_in_is_refused_on_saving(qtbot: QtBot, officer: Session,
                                                   family: Family) -> None:
    dialog = open_dialog(qtbot, officer, family)
    to_review(qtbot, dialog, family.issue())
    dialog.letter.setPlainText(dialog.letter.toPlainText() + "\nSigned for Rhiannon.")
    save(qtbot, dialog)
    assert dialog.pages.currentIndex() == dialog.REVIEW
    assert "could identify the family" in dialog.message.text()
    assert "1 name" in dialog.message.text()
    assert escalation.escalations_for_case(officer, family.case.id or 0) == []
    dialog.reject()


def test_with_consent_the_family_may_be_named_and_the_file_is_encrypted(
        qtbot: QtBot, officer: Session, family: Family, tmp_path: Path) -> None:
    assert family.case.id and family.parent.id
    consent.record_consent(officer, ConsentRecord(
        family.case.id, family.parent.id, Recipient.LA_SEND_TEAM, Purpose.BE_IDENTIFIED,
        ConsentState.GIVEN, datetime.now().replace(microsecond=0), ConsentMethod.WRITTEN, ""))
    dialog = open_dialog(qtbot, officer, family)
    to_review(qtbot, dialog, family.issue())
    assert "Consent to be named to the Local Authority is recorded" in dialog.consent.text()
    assert dialog.named_choice.isVisible() and dialog.anonymous_choice.isChecked()
    anonymised = dialog.letter.toPlainText()
    click(qtbot, dialog.named_choice)
    assert dialog.identified
    assert "Rhiannon Featherstone-Blake" in dialog.letter.toPlainText()
    # Switching back keeps the anonymised version as it was.
    click(qtbot, dialog.anonymous_choice)
    assert dialog.letter.toPlainText() == anonymised
    click(qtbot, dialog.named_choice)
    save(qtbot, dialog)
    assert dialog.saved is not None and dialog.saved.identified, dialog.message.text()
    assert "encrypted PDF" in dialog.export_hint.text()

    out = tmp_path / "named.pdf"
    export(qtbot, dialog, out)
    result = dialog.exported
    assert result is not None and result.encrypted, dialog.message.text()
    passphrase = dialog.passphrase.passphrase()
    assert passphrase and dialog.passphrase.isVisible()
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(out)
    assert "Rhiannon Featherstone-Blake" in pdf_text(out, passphrase)
    assert result.disclosure_id is not None
    assert "logged as a disclosure" in dialog.message.text()
    from sendiass_desktop.services import disclosure

    logged = disclosure.extracts_for_case(officer, family.case.id)
    assert [d.kind for d in logged] == [DisclosureKind.EXTRACT]
    dialog.reject()
    assert dialog.passphrase.passphrase() == ""


def test_an_earlier_letter_can_be_opened_and_exported_again(
        qtbot: QtBot, officer: Session, family: Family, tmp_path: Path) -> None:
    assert family.case.id is not None
    saved = escalation.save_escalation(officer, family.case.id,
                                       "[the parent] has waited ten weeks for a decision.")
    dialog = open_dialog(qtbot, officer, family)
    qtbot.waitUntil(lambda: dialog.letters_model.rowCount() == 1, timeout=10_000)
    assert not dialog.open_button.isEnabled()
    dialog.letters_table.selectRow(0)
    click(qtbot, dialog.open_button)
    assert dialog.pages.currentIndex() == dialog.SAVED
    assert dialog.saved is not None and dialog.saved.id == saved.id
    assert "ten weeks" in dialog.saved_text.toPlainText()
    out = tmp_path / "again.txt"
    export(qtbot, dialog, out)
    assert dialog.exported is not None, dialog.message.text()
    assert "ten weeks" in out.read_text(encoding="utf-8-sig")
    dialog.reject()


def test_every_control_has_an_accessible_name(qtbot: QtBot, officer: Session,
                                              family: Family) -> None:
    from tests.gui.test_accessibility import _unnamed

    dialog = open_dialog(qtbot, officer, family)
    assert _unnamed(dialog) == []
    to_review(qtbot, dialog, family.issue())
    assert _unnamed(dialog) == []
    dialog.reject()


def test_checking_again_after_naming_starts_from_the_new_text(
        qtbot: QtBot, officer: Session, family: Family) -> None:
    assert family.case.id and family.parent.id
    consent.record_consent(officer, ConsentRecord(
        family.case.id, family.parent.id, Recipient.LA_SEND_TEAM, Purpose.BE_IDENTIFIED,
        ConsentState.GIVEN, datetime.now().replace(microsecond=0), ConsentMethod.WRITTEN, ""))
    dialog = open_dialog(qtbot, officer, family)
    to_review(qtbot, dialog, "Rhiannon has waited ten weeks.")
    click(qtbot, dialog.named_choice)
    assert dialog.letter.toPlainText() == "Rhiannon has waited ten weeks."
    click(qtbot, dialog.back_button)
    to_review(qtbot, dialog, "Rhiannon has now waited eleven weeks.")
    assert dialog.anonymous_choice.isChecked() and not dialog.identified
    assert dialog.letter.toPlainText() == "[the parent] has now waited eleven weeks."
    click(qtbot, dialog.named_choice)
    assert dialog.letter.toPlainText() == "Rhiannon has now waited eleven weeks."
    dialog.reject()


# --- locking, and Esc, while the letter naming the family is exported ---------------------------


def named_letter_saved(qtbot: QtBot, dialog: EscalationDialog, family: Family) -> None:
    to_review(qtbot, dialog, family.issue())
    click(qtbot, dialog.named_choice)
    save(qtbot, dialog)
    assert dialog.saved is not None and dialog.saved.identified, dialog.message.text()


def give_consent_to_be_named(officer: Session, family: Family) -> None:
    assert family.case.id and family.parent.id
    consent.record_consent(officer, ConsentRecord(
        family.case.id, family.parent.id, Recipient.LA_SEND_TEAM, Purpose.BE_IDENTIFIED,
        ConsentState.GIVEN, datetime.now().replace(microsecond=0), ConsentMethod.WRITTEN, ""))


def test_locking_hides_the_passphrase_and_unlocking_shows_it_again(
        qtbot: QtBot, officer: Session, family: Family, tmp_path: Path) -> None:
    give_consent_to_be_named(officer, family)
    dialog = open_dialog(qtbot, officer, family)
    window = dialog.parentWidget()
    assert isinstance(window, CaseWindow)
    named_letter_saved(qtbot, dialog, family)
    export(qtbot, dialog, tmp_path / "named.pdf")
    passphrase = dialog.passphrase.passphrase()
    assert passphrase and dialog.passphrase.isVisible()
    ended: list[int] = []
    dialog.finished.connect(ended.append)
    window.on_lock()
    # Hidden, not closed: the file is written and logged, its passphrase must not be lost.
    assert ended == [] and not dialog.isVisible()
    assert dialog.passphrase.passphrase() == ""
    assert not any(passphrase in text for text in visible_texts())

    again = unlock_with_password(officer.location, OFFICER, OFFICER_PASSWORD)
    try:
        window.set_session(again)
        assert dialog.isVisible() and dialog.passphrase.isVisible()
        assert dialog.passphrase.passphrase() == passphrase
        settle(qtbot)
        click(qtbot, dialog.close_button)
        assert ended and dialog.passphrase.passphrase() == ""
        window.close()
    finally:
        again.close()


def test_locking_while_the_letter_is_exported_loses_nothing(
        qtbot: QtBot, officer: Session, family: Family, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The main window locks (the idle lock, say) just as the letter is written."""
    from tests.gui.fixtures_casework import show_window
    from tests.gui.test_main_window import _unlock_again

    give_consent_to_be_named(officer, family)
    reached, go = hold_writing(monkeypatch, escalation)
    main = show_window(qtbot, officer)
    case_window = main.open_case(family.case.id or 0)
    assert isinstance(case_window, CaseWindow)
    qtbot.waitExposed(case_window)
    case_window.escalation_action.trigger()
    dialog = next(d for d in case_window.findChildren(EscalationDialog) if d.isVisible())
    settle(qtbot)
    named_letter_saved(qtbot, dialog, family)
    out = tmp_path / "named.pdf"
    dialog.save_as.set_path(out)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(reached.is_set, timeout=30_000)
    ended: list[int] = []
    dialog.finished.connect(ended.append)
    main.lock()
    assert not dialog.isVisible() and not case_window.isVisible() and ended == []
    go.set()  # written and logged while the app is locked
    qtbot.waitUntil(lambda: not dialog.lane.busy, timeout=30_000)
    settle(qtbot)
    assert out.exists()
    assert not dialog.isVisible() and dialog.exported is None  # waits for unlocking

    old = main.session
    _unlock_again(qtbot, main, OFFICER_PASSWORD)
    qtbot.waitUntil(lambda: main.session is not old and dialog.isVisible()
                    and dialog.exported is not None, timeout=20_000)
    settle(qtbot)
    passphrase = dialog.passphrase.passphrase()
    assert passphrase and dialog.passphrase.isVisible()
    assert dialog.message.text() == "The letter is written and logged as a disclosure."
    assert "Rhiannon Featherstone-Blake" in pdf_text(out, passphrase)
    assert ended == []
    click(qtbot, dialog.close_button)
    main.discard()


def test_esc_too_late_to_stop_shows_the_passphrase(
        qtbot: QtBot, officer: Session, family: Family, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    give_consent_to_be_named(officer, family)
    reached, go = hold_writing(monkeypatch, escalation)
    dialog = open_dialog(qtbot, officer, family)
    named_letter_saved(qtbot, dialog, family)
    out = tmp_path / "named.pdf"
    dialog.save_as.set_path(out)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(reached.is_set, timeout=30_000)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    dialog.close()
    assert dialog.isVisible() and dialog.message.text() == "Stopping…"
    go.set()
    qtbot.waitUntil(lambda: dialog.exported is not None, timeout=30_000)
    settle(qtbot)
    assert dialog.isVisible() and dialog.passphrase.isVisible()
    passphrase = dialog.passphrase.passphrase()
    assert passphrase and "Rhiannon Featherstone-Blake" in pdf_text(out, passphrase)
    assert dialog.message.text().startswith(
        "Too late to stop: the letter had already been written when you pressed Cancel")
    assert dialog.close_button.isEnabled()
    click(qtbot, dialog.close_button)
    assert not dialog.isVisible() and dialog.passphrase.passphrase() == ""
