"""The case list: lazy loading, sorting, filters, the safeguarding marker, opening cases."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from datetime import date
from typing import ClassVar

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.cases import CaseFilter, CaseSort, CaseStatus, EhcStage, IssueType
from sendiass_desktop.services.cases import count_cases, list_cases
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui import case_list
from sendiass_desktop.ui.case_list import CaseListView, parse_uk_date
from sendiass_desktop.ui.case_list_model import (
    CASE_ID_ROLE,
    PAGE_SIZE,
    SAFEGUARDING_ROLE,
    SAFEGUARDING_TEXT,
    CaseColumn,
)
from sendiass_desktop.ui.main_window import MainWindow
from tests.gui import fixtures_casework
from tests.gui.fixtures_casework import (
    CaseworkStore,
    settle,
    show_window,
)
from tests.gui.helpers import click, type_into

pytestmark = pytest.mark.gui

# The shared store and sessions (fixtures defined in fixtures_casework).
casework = fixtures_casework.casework
admin_session = fixtures_casework.admin_session
officer_session = fixtures_casework.officer_session


class FakeCaseWindow(QWidget):
    opened: ClassVar[list[int]] = []

    def __init__(self, session: Session, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        self.locks = 0
        self.sessions = [session]
        FakeCaseWindow.opened.append(case_id)

    def on_lock(self) -> None:
        self.locks += 1

    def set_session(self, session: Session) -> None:
        self.sessions.append(session)


@pytest.fixture
def fake_case_windows(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    FakeCaseWindow.opened = []
    monkeypatch.setattr(case_list, "create_case_window",
                        lambda session, case_id: FakeCaseWindow(session, case_id))
    yield FakeCaseWindow.opened


def _cases_view(window: MainWindow) -> CaseListView:
    view = window.view("cases")
    assert isinstance(view, CaseListView)
    return view


def _loaded(qtbot: QtBot, view: CaseListView) -> None:
    qtbot.waitUntil(lambda: view.model.total is not None and not view.model.loading
                    and not view.lane.busy, timeout=20_000)


def _open_window(qtbot: QtBot, session: Session) -> tuple[MainWindow, CaseListView]:
    window = show_window(qtbot, session)
    view = _cases_view(window)
    _loaded(qtbot, view)
    return window, view


def _choose(view: CaseListView, combo_name: str, value: object) -> None:
    combo = getattr(view, combo_name)
    index = case_list.index_of(combo, value)
    assert index >= 0, (combo_name, value)
    combo.setCurrentIndex(index)


def test_the_case_list_is_the_main_view_and_loads_lazily(
    qtbot: QtBot, casework: CaseworkStore, admin_session: Session
) -> None:
    window, view = _open_window(qtbot, admin_session)
    assert window.current_view_key() == "cases"
    assert window.windowTitle() == "SENDIASS Desktop — DEMO"  # the store holds demo data
    _choose(view, "status", None)  # all cases
    _loaded(qtbot, view)
    model = view.model
    assert model.total == casework.cases
    # Only the first page is held, and the count says there is more.
    assert model.rowCount() == PAGE_SIZE < model.total
    assert model.canFetchMore()
    assert "showing 200" in view.count_label.text()

    # Scrolling to the end fetches the next page, and only that.
    view.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > PAGE_SIZE, timeout=20_000)
    settle(qtbot)
    assert model.rowCount() <= 3 * PAGE_SIZE < model.total
    while model.canFetchMore():
        model.fetchMore()
        settle(qtbot)
    assert model.rowCount() == model.total
    assert not model.canFetchMore()
    refs = [s.ref for s in model.summaries()]
    assert len(set(refs)) == len(refs)  # no page loaded twice
    expected = list_cases(admin_session, CaseFilter(), CaseSort.OPENED_NEWEST, 0, 1000)
    assert refs[:1000] == [s.ref for s in expected]
    window.discard()


def test_columns_show_the_case_in_words_with_uk_dates(
    qtbot: QtBot, admin_session: Session
) -> None:
    _window, view = _open_window(qtbot, admin_session)
    model = view.model
    first = model.summary(0)
    row = [model.index(0, c).data() for c in CaseColumn]
    assert row[CaseColumn.REFERENCE] == first.ref
    assert row[CaseColumn.SERVICE_USER] == first.primary_name
    assert row[CaseColumn.CHILD] == first.child_name
    assert row[CaseColumn.OPENED] == first.opened_on.strftime("%d/%m/%Y")
    assert row[CaseColumn.STATUS] == "Open"
    assert row[CaseColumn.EHC_STAGE] == first.ehc_stage.label
    assert row[CaseColumn.ISSUES] == ", ".join(i.label for i in first.issue_types)
    # Officers are shown by name, not username.
    assert row[CaseColumn.OFFICER] in {"Alice Admin", "Bob Officer"}
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in CaseColumn]
    assert headers[1:] == ["Reference", "Service user", "Child or young person", "Officer",
                           "Opened", "Status", "EHC stage", "Issues"]


def test_sorting_by_clicking_headers_and_from_the_keyboard(
    qtbot: QtBot, admin_session: Session
) -> None:
    _window, view = _open_window(qtbot, admin_session)
    model = view.model
    header = view.table.horizontalHeader()
    assert model.case_sort is CaseSort.OPENED_NEWEST

    def sorted_by(sort: CaseSort) -> list[str]:
        rows = list_cases(admin_session, model.case_filter, sort, 0, PAGE_SIZE)
        return [s.ref for s in rows]

    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(CaseColumn.REFERENCE) + 5, 5))
    qtbot.waitUntil(lambda: model.case_sort is CaseSort.REFERENCE, timeout=5_000)
    _loaded(qtbot, view)
    assert [s.ref for s in model.summaries()] == sorted_by(CaseSort.REFERENCE)
    assert header.sortIndicatorSection() == CaseColumn.REFERENCE

    # Opened: newest first, then oldest first.
    view.table.horizontalHeader().sortIndicatorChanged.emit(CaseColumn.OPENED,
                                                            Qt.SortOrder.AscendingOrder)
    _loaded(qtbot, view)
    assert model.case_sort is CaseSort.OPENED_OLDEST
    assert [s.ref for s in model.summaries()] == sorted_by(CaseSort.OPENED_OLDEST)
    header.sortIndicatorChanged.emit(CaseColumn.OPENED, Qt.SortOrder.DescendingOrder)
    _loaded(qtbot, view)
    assert model.case_sort is CaseSort.OPENED_NEWEST

    # A column the store cannot sort by is not sortable: nothing changes.
    header.sortIndicatorChanged.emit(CaseColumn.STATUS, Qt.SortOrder.AscendingOrder)
    settle(qtbot)
    assert model.case_sort is CaseSort.OPENED_NEWEST
    assert header.sortIndicatorSection() == CaseColumn.OPENED

    # The "Sort by" list does the same for keyboard users.
    view.sort_combo.setFocus()
    _choose(view, "sort_combo", CaseSort.SERVICE_USER)
    _loaded(qtbot, view)
    assert model.case_sort is CaseSort.SERVICE_USER
    assert [s.ref for s in model.summaries()] == sorted_by(CaseSort.SERVICE_USER)
    assert header.sortIndicatorSection() == CaseColumn.SERVICE_USER
    _choose(view, "sort_combo", CaseSort.OFFICER)
    _loaded(qtbot, view)
    assert [s.ref for s in model.summaries()] == sorted_by(CaseSort.OFFICER)


@pytest.mark.parametrize("name", ["officer", "status", "issue", "ehc_stage", "dates",
                                  "safeguarding"])
def test_each_filter_matches_the_service(
    qtbot: QtBot, admin_session: Session, name: str
) -> None:
    _window, view = _open_window(qtbot, admin_session)
    expected = CaseFilter(status=CaseStatus.OPEN)
    assert view.model.case_filter == expected
    if name == "officer":
        _choose(view, "officer", "bob")
        expected = CaseFilter(officer="bob", status=CaseStatus.OPEN)
    elif name == "status":
        _choose(view, "status", CaseStatus.CLOSED)
        expected = CaseFilter(status=CaseStatus.CLOSED)
    elif name == "issue":
        _choose(view, "issue", IssueType.EXCLUSION)
        expected = CaseFilter(status=CaseStatus.OPEN, issue_type=IssueType.EXCLUSION)
    elif name == "ehc_stage":
        _choose(view, "ehc_stage", EhcStage.DRAFT_PLAN)
        expected = CaseFilter(status=CaseStatus.OPEN, ehc_stage=EhcStage.DRAFT_PLAN)
    elif name == "dates":
        this_year = date.today().year
        type_into(qtbot, view.opened_from, f"1/1/{this_year - 1}")
        qtbot.keyClick(view.opened_from, Qt.Key.Key_Return)
        type_into(qtbot, view.opened_to, f"30/06/{this_year - 1}")
        qtbot.keyClick(view.opened_to, Qt.Key.Key_Tab)
        expected = CaseFilter(status=CaseStatus.OPEN, opened_from=date(this_year - 1, 1, 1),
                              opened_to=date(this_year - 1, 6, 30))
    else:
        view.safeguarding_only.setFocus()
        qtbot.keyClick(view.safeguarding_only, Qt.Key.Key_Space)
        expected = CaseFilter(status=CaseStatus.OPEN, safeguarding_open=True)
    qtbot.waitUntil(lambda: view.model.case_filter == expected, timeout=5_000)
    _loaded(qtbot, view)
    total = count_cases(admin_session, expected)
    assert view.model.total == total
    assert 0 < total < 1500
    shown = view.model.summaries()
    assert [s.ref for s in shown] == [s.ref for s in list_cases(
        admin_session, expected, CaseSort.OPENED_NEWEST, 0, PAGE_SIZE)]
    for s in shown:
        if expected.officer:
            assert s.assigned_officer == expected.officer
        if expected.status is CaseStatus.CLOSED:
            assert s.closed_on is not None
        elif expected.status is CaseStatus.OPEN:
            assert s.closed_on is None
        if expected.issue_type:
            assert expected.issue_type in s.issue_types
        if expected.ehc_stage:
            assert s.ehc_stage is expected.ehc_stage
        if expected.opened_from and expected.opened_to:
            assert expected.opened_from <= s.opened_on <= expected.opened_to
        if expected.safeguarding_open:
            assert s.safeguarding_open

    # "Clear filters" goes back to all open cases.
    click(qtbot, view.clear_filters_button)
    qtbot.waitUntil(lambda: view.model.case_filter == CaseFilter(status=CaseStatus.OPEN),
                    timeout=5_000)


def test_a_wrong_date_is_explained_and_not_applied(qtbot: QtBot, admin_session: Session) -> None:
    _window, view = _open_window(qtbot, admin_session)
    type_into(qtbot, view.opened_from, "31/02/2025")
    qtbot.keyClick(view.opened_from, Qt.Key.Key_Return)
    assert "dd/mm/yyyy" in view.message.text()
    assert view.model.case_filter == CaseFilter(status=CaseStatus.OPEN)
    type_into(qtbot, view.opened_from, "01/06/2025")
    type_into(qtbot, view.opened_to, "01/01/2025")
    qtbot.keyClick(view.opened_to, Qt.Key.Key_Return)
    assert "after" in view.message.text()
    assert parse_uk_date("5.9.2025") == date(2025, 9, 5)
    assert parse_uk_date("") is None


def test_safeguarding_marker_in_words_and_icon(qtbot: QtBot, admin_session: Session) -> None:
    _window, view = _open_window(qtbot, admin_session)
    _choose(view, "status", None)
    _loaded(qtbot, view)
    model = view.model
    while model.canFetchMore():
        model.fetchMore()
        settle(qtbot)
    flagged = [row for row in range(model.rowCount())
               if model.index(row, 0).data(SAFEGUARDING_ROLE)]
    assert flagged, "the generated store should have open safeguarding concerns"
    assert len(flagged) == count_cases(admin_session, CaseFilter(safeguarding_open=True))
    for row in range(model.rowCount()):
        cell = model.index(row, CaseColumn.SAFEGUARDING)
        if row in flagged:
            assert cell.data() == SAFEGUARDING_TEXT
            assert not cell.data(Qt.ItemDataRole.DecorationRole).isNull()
            assert cell.data(Qt.ItemDataRole.AccessibleTextRole) == "Open safeguarding concern"
            assert cell.data(Qt.ItemDataRole.FontRole).bold()
        else:
            assert cell.data() == ""
            assert cell.data(Qt.ItemDataRole.DecorationRole) is None


def test_enter_and_double_click_open_the_case_once(
    qtbot: QtBot, admin_session: Session, fake_case_windows: list[int]
) -> None:
    window, view = _open_window(qtbot, admin_session)
    view.focus_table()
    view.table.setCurrentIndex(view.model.index(3, CaseColumn.REFERENCE))
    case_id = view.model.index(3, 0).data(CASE_ID_ROLE)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert fake_case_windows == [case_id]
    opened = window.open_case(case_id)
    assert isinstance(opened, FakeCaseWindow) and opened.isVisible()
    # The same case again brings the same window forward.
    qtbot.keyClick(view.table, Qt.Key.Key_Enter)
    assert fake_case_windows == [case_id]

    rect = view.table.visualRect(view.model.index(5, CaseColumn.SERVICE_USER))
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    other = view.model.index(5, 0).data(CASE_ID_ROLE)
    assert fake_case_windows == [case_id, other]

    # Locking hides case windows (after telling them), unlocking is handled by the window.
    window.lock()
    assert not opened.isVisible() and opened.locks == 1
    window.discard()


def test_without_a_case_window_a_plain_message_is_shown(
    qtbot: QtBot, admin_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sendiass_desktop.ui.case_window", None)
    window, view = _open_window(qtbot, admin_session)
    view.table.setCurrentIndex(view.model.index(0, CaseColumn.REFERENCE))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    box = window.last_notice
    assert isinstance(box, QMessageBox)
    assert box.text() == case_list.CASE_WINDOW_MISSING
    box.close()


class _FakeNewCaseDialog(QDialog):
    instances: ClassVar[list[_FakeNewCaseDialog]] = []

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.created_case_id: int | None = None
        _FakeNewCaseDialog.instances.append(self)


def test_new_case_opens_the_dialog_then_the_new_case(
    qtbot: QtBot, admin_session: Session, fake_case_windows: list[int],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    module = types.ModuleType("sendiass_desktop.ui.new_case_dialog")
    module.NewCaseDialog = _FakeNewCaseDialog  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sendiass_desktop.ui.new_case_dialog", module)
    _FakeNewCaseDialog.instances = []
    window, view = _open_window(qtbot, admin_session)
    window.show_view("my_work")
    assert window.new_case_action.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert window.current_view_key() == "cases"
    assert len(_FakeNewCaseDialog.instances) == 1
    dialog = _FakeNewCaseDialog.instances[0]
    assert dialog.isVisible()
    case_id = view.model.index(0, 0).data(CASE_ID_ROLE)
    dialog.created_case_id = case_id
    dialog.accept()
    assert fake_case_windows == [case_id]

    # Cancelling opens nothing.
    window.new_case()
    second = _FakeNewCaseDialog.instances[-1]
    second.reject()
    assert fake_case_windows == [case_id]


def test_locking_drops_the_cases_and_unlocking_reloads(
    qtbot: QtBot, casework: CaseworkStore, officer_session: Session
) -> None:
    window, view = _open_window(qtbot, officer_session)
    assert view.model.rowCount() > 0
    view.set_search_text("Quillfeather")
    qtbot.waitUntil(lambda: view.model.searching, timeout=10_000)
    window.lock()
    assert view.model.rowCount() == 0 and view.model.total is None
    assert view.search_box.text() == ""
    assert not window.toolbar.isVisible()
    assert not view.isVisible()

    from tests.conftest import OFFICER_PASSWORD
    dialog = window.unlock_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    type_into(qtbot, dialog.password, OFFICER_PASSWORD)
    with qtbot.waitSignal(window.sessionChanged, timeout=20_000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert window.toolbar.isVisible()
    _loaded(qtbot, view)
    assert view.model.rowCount() > 0
    assert view.session is window.session
    window.discard()


def test_keyboard_only_use(qtbot: QtBot, admin_session: Session,
                           fake_case_windows: list[int]) -> None:
    window, view = _open_window(qtbot, admin_session)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view_key() == "my_work"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view_key() == "cases"
    # Tab goes through the filters to the table, never trapped in the table.
    view.officer.setFocus()
    seen = []
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert view.status in seen and view.table in seen and view.sort_combo in seen
    assert seen.index(view.status) < seen.index(view.table)
    window.show_view("my_work")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view_key() == "cases"
    assert QApplication.focusWidget() is view.search_box
    qtbot.keyClick(view.search_box, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is view.table
    assert view.table.currentIndex().row() == 0
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert fake_case_windows == [view.model.index(1, 0).data(CASE_ID_ROLE)]
    # F5 reads the list again.
    qtbot.keyClick(window, Qt.Key.Key_F5)
    _loaded(qtbot, view)
    assert view.model.rowCount() > 0
