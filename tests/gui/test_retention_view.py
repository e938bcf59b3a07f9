"""The retention view: the review queue, legal holds, and disposal through the dialog."""

from __future__ import annotations

import secrets
from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.cases import Case, Outcome, ReferralSource
from sendiass_desktop.domain.errors import NotFound
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.services import cases, people, retention
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.main_window import MainWindow
from sendiass_desktop.ui.retention_view import RetentionColumn, RetentionView
from tests.conftest import OFFICER
from tests.gui import fixtures_casework
from tests.gui.fixtures_casework import settle, show_window
from tests.gui.helpers import click, press_space

pytestmark = pytest.mark.gui

casework = fixtures_casework.casework
admin_session = fixtures_casework.admin_session

PAPER = "Grey cabinet, drawer 3"


def old_closed_case(session: Session, paper: str = PAPER) -> Case:
    """A case opened in 2010 and closed in 2011, its young person born in 1990: long due."""
    surname = "Oldcase" + secrets.token_hex(3)
    parent = people.create_person(session, Person("", "Ann", surname, PersonRole.PARENT_CARER))
    child = people.create_person(session, Person("", "Sam", surname,
                                                 PersonRole.CHILD_YOUNG_PERSON,
                                                 date_of_birth=date(1990, 4, 2)))
    assert parent.id is not None and child.id is not None
    case = cases.create_case(session, Case("", date(2010, 1, 5), ReferralSource.SELF, OFFICER,
                                           parent.id, child.id, paper_records=paper))
    closed = cases.close_case(session, case, date(2011, 3, 1),
                              frozenset({Outcome.ADVICE_GIVEN}))
    assert closed.closed_on == date(2011, 3, 1)
    return closed


def _open(qtbot: QtBot, session: Session) -> tuple[MainWindow, RetentionView]:
    window = show_window(qtbot, session)
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view_key() == "retention"
    view = window.view("retention")
    assert isinstance(view, RetentionView)
    _wait(qtbot, view)
    return window, view


def _wait(qtbot: QtBot, view: RetentionView) -> None:
    qtbot.waitUntil(lambda: not view.loading, timeout=30_000)
    settle(qtbot)


def test_an_old_closed_case_is_due_and_disposal_removes_it(
    qtbot: QtBot, admin_session: Session
) -> None:
    case = old_closed_case(admin_session)
    window, view = _open(qtbot, admin_session)
    assert "Closed case files are kept for" in view.schedule_label.text()
    assert case.ref in view.model.refs()
    assert view.select_ref(case.ref)
    row = view.model.refs().index(case.ref)
    assert view.model.index(row, RetentionColumn.STATUS).data() == "Due for disposal"
    assert view.model.index(row, RetentionColumn.CLOSED).data() == "01/03/2011"
    assert PAPER in view.model.index(row, RetentionColumn.PAPER).data()
    assert view.dispose_button.isEnabled() and view.hold_button.isEnabled()
    assert not view.release_button.isEnabled()

    click(qtbot, view.dispose_button)
    qtbot.waitUntil(lambda: view.dispose_dialog is not None, timeout=20_000)
    dialog = view.dispose_dialog
    assert dialog is not None and dialog.confirm_edit is not None
    text = dialog.details.toPlainText()
    assert case.ref in text and "Paper records must be shredded by hand" in text
    assert "Will delete:" in text
    assert dialog.paper_note.isVisibleTo(dialog) and PAPER in dialog.paper_note.label.text()
    assert not dialog.ok_button.isEnabled()
    dialog.confirm_edit.setText("SEN-WRONG")
    assert not dialog.ok_button.isEnabled()
    dialog.confirm_edit.setText(case.ref.lower())
    assert dialog.ok_button.isEnabled()
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: view.last_outcome is not None, timeout=30_000)
    _wait(qtbot, view)
    outcome = view.last_outcome
    assert outcome is not None and [d.ref for d in outcome.disposed] == [case.ref]
    assert view.done_bar.isVisible() and PAPER in view.done_bar.label.text()
    assert case.ref not in view.model.refs()
    with pytest.raises(NotFound):
        cases.get_case(admin_session, case.ref)
    window.discard()


def test_a_legal_hold_takes_a_case_out_of_the_queue(
    qtbot: QtBot, admin_session: Session
) -> None:
    case = old_closed_case(admin_session, paper="")
    window, view = _open(qtbot, admin_session)
    assert view.select_ref(case.ref)
    click(qtbot, view.hold_button)
    dialog = view.hold_dialog
    assert dialog is not None
    click(qtbot, dialog.ok_button)  # no reason: refused in the dialog
    assert "reason" in dialog.message.text().lower()
    dialog.reason.setText("Tribunal appeal 2026/114")
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: view.done_bar.isVisible(), timeout=20_000)
    _wait(qtbot, view)
    assert case.ref not in view.model.refs()
    assert all(item.ref != case.ref for item in retention.review_queue(admin_session))

    press_space(qtbot, view.include_held)
    _wait(qtbot, view)
    assert case.ref in view.model.refs()
    row = view.model.refs().index(case.ref)
    assert view.model.index(row, RetentionColumn.STATUS).data() == "On legal hold"
    assert view.select_ref(case.ref)
    assert not view.dispose_button.isEnabled() and view.release_button.isEnabled()

    click(qtbot, view.release_button)
    dialog = view.hold_dialog
    assert dialog is not None
    click(qtbot, dialog.ok_button)  # a reason is optional when releasing
    qtbot.waitUntil(lambda: "released" in view.done_bar.label.text(), timeout=20_000)
    _wait(qtbot, view)
    row = view.model.refs().index(case.ref)
    assert view.model.index(row, RetentionColumn.STATUS).data() == "Due for disposal"
    window.discard()
