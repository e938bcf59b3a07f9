"""My work: overdue and upcoming items, mark done with undo, another officer's list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.deadlines import Deadline, DeadlineKind
from sendiass_desktop.services.deadlines import WorkItem, my_work
from sendiass_desktop.services.session import Session
from sendiass_desktop.store.deadlines import StoredDeadline
from sendiass_desktop.ui import case_list
from sendiass_desktop.ui.main_window import MainWindow
from sendiass_desktop.ui.my_work import BATCH, MyWorkView, WorkColumn, WorkModel, when_text
from tests.gui import fixtures_casework
from tests.gui.fixtures_casework import (
    settle,
    show_window,
)
from tests.gui.helpers import click

pytestmark = pytest.mark.gui

# The shared store and sessions (fixtures defined in fixtures_casework).
casework = fixtures_casework.casework
admin_session = fixtures_casework.admin_session
officer_session = fixtures_casework.officer_session


@pytest.fixture
def opened_cases(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    opened: list[int] = []

    def fake(_session: Session, case_id: int) -> QWidget:
        opened.append(case_id)
        return QWidget()

    monkeypatch.setattr(case_list, "create_case_window", fake)
    yield opened


def _open(qtbot: QtBot, session: Session) -> tuple[MainWindow, MyWorkView]:
    window = show_window(qtbot, session)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view_key() == "my_work"
    view = window.view("my_work")
    assert isinstance(view, MyWorkView)
    qtbot.waitUntil(lambda: not view.loading, timeout=20_000)
    settle(qtbot)
    return window, view


def _ids(model: WorkModel) -> list[int | None]:
    return [model.item(row).stored.id for row in range(model.rowCount())]


def test_overdue_and_upcoming_for_the_signed_in_officer(
    qtbot: QtBot, officer_session: Session
) -> None:
    overdue, upcoming = my_work(officer_session)
    assert overdue and upcoming, "the generator gives every officer overdue and upcoming work"
    window, view = _open(qtbot, officer_session)
    assert view.overdue_model.total == len(overdue)
    assert view.upcoming_model.total == len(upcoming)
    assert _ids(view.overdue_model) == [w.stored.id for w in overdue][:BATCH]
    today = date.today()
    first = view.overdue_model.index(0, WorkColumn.WHEN)
    days = (today - overdue[0].stored.deadline.due).days
    assert first.data() == (f"{days} days overdue" if days > 1 else "1 day overdue")
    assert first.data(Qt.ItemDataRole.FontRole).bold()
    assert view.overdue_model.index(0, WorkColumn.DUE).data() == (
        overdue[0].stored.deadline.due.strftime("%d/%m/%Y"))
    assert view.overdue_model.index(0, WorkColumn.CASE).data() == overdue[0].case_ref
    assert view.upcoming_model.index(0, WorkColumn.WHEN).data(Qt.ItemDataRole.FontRole) is None
    assert f"{len(overdue):,} overdue" in view.summary.text()
    assert view.overdue_heading.isVisible()
    assert "Overdue" in view.overdue_heading.label.text()
    # An officer sees only their own list: no choice of officer.
    assert not view.owner.isVisible()
    window.discard()


def test_mark_done_and_undo(qtbot: QtBot, officer_session: Session) -> None:
    window, view = _open(qtbot, officer_session)
    view.select(True, 0)
    item = view.selected_item()
    assert item is not None and item.stored.id is not None
    before = view.overdue_model.total
    click(qtbot, view.done_button)
    qtbot.waitUntil(lambda: view.undo_bar.isVisible(), timeout=10_000)
    assert item.stored.id not in _ids(view.overdue_model)
    assert view.overdue_model.total == before - 1
    assert item.stored.deadline.label in view.undo_bar.label.text()
    overdue, _upcoming = my_work(officer_session)
    assert item.stored.id not in {w.stored.id for w in overdue}

    click(qtbot, view.undo_button)
    qtbot.waitUntil(lambda: not view.undo_bar.isVisible() and not view.loading, timeout=10_000)
    settle(qtbot)
    assert item.stored.id in _ids(view.overdue_model)
    overdue, _upcoming = my_work(officer_session)
    assert item.stored.id in {w.stored.id for w in overdue}
    window.discard()


def test_a_manager_can_look_at_another_officers_work(
    qtbot: QtBot, admin_session: Session
) -> None:
    window, view = _open(qtbot, admin_session)
    assert view.owner.isVisible()
    assert view.owner.currentText() == "Me (Alice Admin)"
    view.show_owner("bob")
    qtbot.waitUntil(lambda: not view.loading, timeout=10_000)
    settle(qtbot)
    overdue, upcoming = my_work(admin_session, owner="bob")
    assert view.overdue_model.total == len(overdue)
    assert view.upcoming_model.total == len(upcoming)
    assert "Bob Officer has" in view.summary.text()
    window.discard()


def test_enter_opens_the_case_of_the_item(
    qtbot: QtBot, officer_session: Session, opened_cases: list[int]
) -> None:
    window, view = _open(qtbot, officer_session)
    view.select(False, 0)
    view.upcoming_table.setFocus()
    item = view.selected_item()
    assert item is not None
    qtbot.keyClick(view.upcoming_table, Qt.Key.Key_Return)
    assert opened_cases == [item.stored.case_id]
    window.discard()


def test_thousands_of_items_are_shown_a_batch_at_a_time(qtbot: QtBot) -> None:
    today = date.today()
    items = [WorkItem(StoredDeadline(Deadline(DeadlineKind.TASK, f"Task {n}",
                                              today + timedelta(days=n % 14)),
                                     "bob", None, id=n), "", False) for n in range(5000)]
    model = WorkModel(False)
    model.set_items(items, today)
    assert model.rowCount() == BATCH and model.canFetchMore()
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * BATCH
    assert model.index(0, WorkColumn.CASE).data() == "No case"
    assert model.index(0, WorkColumn.TYPE).data() == "Task"
    assert when_text(today, today) == "Due today"
    assert when_text(today + timedelta(days=1), today) == "Due tomorrow"
    assert when_text(today - timedelta(days=1), today) == "1 day overdue"
    assert when_text(today + timedelta(days=9), today) == "In 9 days"


def test_locking_empties_my_work(qtbot: QtBot, officer_session: Session) -> None:
    window, view = _open(qtbot, officer_session)
    assert view.overdue_model.rowCount() > 0
    window.lock()
    assert view.overdue_model.rowCount() == 0 and view.upcoming_model.rowCount() == 0
    assert view.summary.text() == ""
    window.discard()
