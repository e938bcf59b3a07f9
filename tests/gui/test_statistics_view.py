"""The statistics view: runs in the background, shows only published text, saves CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QFileDialog,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from sendiass_desktop.services.session import Session
from sendiass_desktop.services.statistics import CSV_HEADER, ChartBar
from sendiass_desktop.ui.bar_chart import STUB_WIDTH, BarChart
from sendiass_desktop.ui.main_window import MainWindow
from sendiass_desktop.ui.statistics_view import StatisticsView, last_full_quarter
from tests.gui import fixtures_casework
from tests.gui.fixtures_casework import settle, show_window
from tests.gui.helpers import click, type_into

pytestmark = pytest.mark.gui

casework = fixtures_casework.casework
admin_session = fixtures_casework.admin_session
officer_session = fixtures_casework.officer_session


def _open(qtbot: QtBot, session: Session) -> tuple[MainWindow, StatisticsView]:
    window = show_window(qtbot, session)
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view_key() == "statistics"
    view = window.view("statistics")
    assert isinstance(view, StatisticsView)
    return window, view


def _run(qtbot: QtBot, view: StatisticsView, start: str, end: str) -> None:
    type_into(qtbot, view.start_field, start)
    type_into(qtbot, view.end_field, end)
    click(qtbot, view.run_button)
    qtbot.waitUntil(lambda: view.report is not None and not view.busy, timeout=30_000)
    settle(qtbot)


def _small_number(text: str) -> bool:
    return text.strip().isdigit() and 1 <= int(text) <= 4


def test_the_default_period_is_the_last_full_quarter() -> None:
    assert last_full_quarter(date(2026, 11, 26)) == (date(2026, 7, 1), date(2026, 9, 30))
    assert last_full_quarter(date(2026, 1, 1)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert last_full_quarter(date(2026, 6, 30)) == (date(2026, 1, 1), date(2026, 3, 31))


def test_runs_on_a_demo_store_and_never_shows_a_small_number(
    qtbot: QtBot, admin_session: Session
) -> None:
    window, view = _open(qtbot, admin_session)
    start, end = last_full_quarter(date.today())
    assert view.start_field.text() == start.strftime("%d/%m/%Y")
    assert view.end_field.text() == end.strftime("%d/%m/%Y")
    view.by.setCurrentIndex(view.by.findText("Month"))
    # One month: few enough cases that some totals are hidden.
    _run(qtbot, view, "01/08/2026", "31/08/2026")
    report = view.report
    assert report is not None
    assert view.table_list.count() == len(report.tables) > 5
    assert view.csv_button.isEnabled() and view.pdf_button.isEnabled()
    hidden_seen = 0
    marks: set[str] = set()
    for row in range(view.table_list.count()):
        view.table_list.setCurrentRow(row)
        table = report.tables[row]
        model = view.model
        assert model.rowCount() == len(table.table.row_labels)
        assert model.columnCount() == len(table.table.column_labels)
        assert view.counts_what.text() == table.counts_what
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                shown = model.index(r, c).data(Qt.ItemDataRole.DisplayRole)
                assert shown == table.table.cells[r][c]
                assert not _small_number(shown), (table.title, r, c, shown)
                if shown in ("<5", "c"):
                    marks.add(shown)
        # The chart: hidden bars are fixed stubs with no value behind them.
        bars = view.chart.bars
        assert len(bars) == len(table.table.row_labels) - 1
        for drawn in view.chart.drawn_bars():
            if drawn.bar.shown in ("<5", "c"):
                hidden_seen += 1
                assert drawn.hidden and drawn.bar.value is None
                assert drawn.rect.width() == STUB_WIDTH
            else:
                assert drawn.bar.value == int(drawn.bar.shown)
    assert "<5" in marks, "a demo store has some small counts"
    assert hidden_seen > 0, "some table has a hidden total"
    assert "<5" in view.note.text() and "c" in view.note.text()
    window.discard()


def test_the_chart_draws_hidden_counts_as_equal_stubs(qtbot: QtBot) -> None:
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(500, 200)
    chart.set_bars([ChartBar("Calls", "40", 40), ChartBar("Letters", "<5", None),
                    ChartBar("Visits", "c", None), ChartBar("Emails", "20", 20)])
    chart.show()
    qtbot.waitExposed(chart)
    drawn = chart.drawn_bars()
    assert [d.hidden for d in drawn] == [False, True, True, False]
    assert drawn[1].rect.width() == drawn[2].rect.width() == STUB_WIDTH
    assert drawn[0].rect.width() == pytest.approx(2 * drawn[3].rect.width())
    assert "Letters: <5 (fewer than 5, hidden)" in chart.accessibleDescription()
    assert not chart.grab().isNull()


def test_save_csv_writes_the_published_table(
    qtbot: QtBot, admin_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, view = _open(qtbot, admin_session)
    _run(qtbot, view, "01/01/2025", "31/12/2025")
    target = tmp_path / "figures"  # no suffix: the view adds .csv
    asked: list[str] = []

    def fake_dialog(*args: object, **_kwargs: object) -> tuple[str, str]:
        asked.append(str(args[1]))
        return str(target), "CSV files (*.csv)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_dialog)
    click(qtbot, view.csv_button)
    saved = tmp_path / "figures.csv"
    qtbot.waitUntil(saved.exists, timeout=20_000)
    settle(qtbot)
    assert asked and "CSV" in asked[0]
    rows = list(csv.reader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) > 10
    assert not any(_small_number(row[3]) for row in rows[1:])
    assert view.saved_paths == [saved]

    # Cancelling the dialog writes nothing.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: ("", ""))
    click(qtbot, view.pdf_button)
    settle(qtbot)
    assert view.saved_paths == [saved]
    window.discard()


def test_a_bad_period_is_explained(qtbot: QtBot, admin_session: Session) -> None:
    window, view = _open(qtbot, admin_session)
    type_into(qtbot, view.start_field, "31/12/2025")
    type_into(qtbot, view.end_field, "01/01/2025")
    click(qtbot, view.run_button)
    assert "must not be before" in view.message.text()
    type_into(qtbot, view.end_field, "32/13/2025")
    click(qtbot, view.run_button)
    assert "not a real date" in view.message.text() or "day/month/year" in view.message.text()
    assert view.report is None
    window.discard()


def test_officers_get_neither_view(qtbot: QtBot, officer_session: Session) -> None:
    window = show_window(qtbot, officer_session)
    for key in ("statistics", "retention"):
        assert not window.view_allowed(key)
        window.show_view(key)
        assert window.current_view_key() != key
    window.discard()


def test_locking_drops_the_report(qtbot: QtBot, admin_session: Session) -> None:
    window, view = _open(qtbot, admin_session)
    _run(qtbot, view, "01/01/2025", "31/12/2025")
    window.lock()
    assert view.report is None and view.model.rowCount() == 0 and not view.chart.bars
    window.discard()


def _unnamed(root: QWidget) -> list[str]:
    return [f"{type(w).__name__} {w.objectName()!r}" for w in root.findChildren(QWidget)
            if isinstance(w, (QAbstractButton, QLineEdit, QAbstractItemView))
            and not w.accessibleName().strip() and not w.objectName().startswith("qt_")]


def test_every_control_in_both_views_has_an_accessible_name(
    qtbot: QtBot, admin_session: Session
) -> None:
    window, view = _open(qtbot, admin_session)
    _run(qtbot, view, "01/08/2026", "31/08/2026")
    assert _unnamed(view) == []
    window.show_view("retention")
    retention = window.view("retention")
    qtbot.waitUntil(lambda: not retention.loading, timeout=20_000)  # type: ignore[attr-defined]
    settle(qtbot)
    assert _unnamed(retention) == []
    assert view.chart.accessibleDescription()
    window.discard()
