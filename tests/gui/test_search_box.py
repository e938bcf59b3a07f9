"""Searching as you type: debounced, off the UI thread, newest answer only, Esc clears."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
import sqlcipher3
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.cases import CaseFilter, CaseSort, CaseStatus
from sendiass_desktop.services import search as search_service
from sendiass_desktop.services.cases import list_cases
from sendiass_desktop.services.search import NO_MATCHES, NO_MATCHES_FILTERED, SearchResults
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import search as store_search
from sendiass_desktop.ui import search_box
from sendiass_desktop.ui.case_list import CaseListView, index_of
from sendiass_desktop.ui.main_window import MainWindow
from tests.gui import fixtures_casework
from tests.gui.fixtures_casework import (
    FAMILY_SURNAME,
    YP_WORD,
    CaseworkStore,
    settle,
    show_window,
)

pytestmark = pytest.mark.gui

# The shared store and sessions (fixtures defined in fixtures_casework).
casework = fixtures_casework.casework
admin_session = fixtures_casework.admin_session
officer_session = fixtures_casework.officer_session


def _open(qtbot: QtBot, session: Session) -> tuple[MainWindow, CaseListView]:
    window = show_window(qtbot, session)
    view = window.view("cases")
    assert isinstance(view, CaseListView)
    qtbot.waitUntil(lambda: view.model.total is not None and not view.lane.busy,
                    timeout=20_000)
    return window, view


def _type(qtbot: QtBot, window: MainWindow, view: CaseListView, text: str) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.search_box.hasFocus()
    qtbot.keyClicks(view.search_box, text)


def _results_for(qtbot: QtBot, view: CaseListView, text: str) -> None:
    qtbot.waitUntil(lambda: view.model.searching and view.runner.text == text
                    and not view.runner.pending, timeout=20_000)


def _rare_surname(session: Session) -> tuple[str, str]:
    """A generated service user's surname that few cases share, and that case's reference."""
    for summary in list_cases(session, CaseFilter(status=CaseStatus.OPEN),
                              CaseSort.OPENED_NEWEST, 0, 200):
        surname = summary.primary_name.split()[-1]
        hits = search_service.search_cases(session, surname, CaseFilter(status=CaseStatus.OPEN),
                                           limit=500).hits
        if 0 < len(hits) < 20 and summary.ref in {h.case.ref for h in hits}:
            return surname, summary.ref
    raise AssertionError("no rare surname in the generated data")


def test_search_as_you_type_finds_a_case_by_surname(
    qtbot: QtBot, admin_session: Session
) -> None:
    surname, ref = _rare_surname(admin_session)
    window, view = _open(qtbot, admin_session)
    listed = view.model.total
    _type(qtbot, window, view, surname)
    _results_for(qtbot, view, surname)
    refs = [s.ref for s in view.model.summaries()]
    assert ref in refs
    expected = search_service.search_cases(admin_session, surname,
                                           CaseFilter(status=CaseStatus.OPEN),
                                           limit=search_box.RESULT_LIMIT)
    assert refs == [h.case.ref for h in expected.hits]  # best match first
    assert view.search_bar.isVisible()
    noun = "result" if len(refs) == 1 else "results"
    assert f"{len(refs)} {noun} for your search “{surname}”" in view.search_bar.label.text()
    assert "Esc" in view.search_bar.label.text()
    assert view.sort_combo.currentText() == "Best match"
    assert not view.model.canFetchMore()

    # Esc clears it and the list comes back.
    qtbot.keyClick(view.search_box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not view.model.searching and not view.lane.busy, timeout=10_000)
    assert view.search_box.text() == ""
    assert not view.search_bar.isVisible()
    assert view.model.total == listed
    assert view.sort_combo.currentText() == "Newest first"
    window.discard()


def test_esc_in_the_table_also_clears_and_results_can_be_sorted(
    qtbot: QtBot, admin_session: Session
) -> None:
    window, view = _open(qtbot, admin_session)
    _type(qtbot, window, view, "Smith")
    _results_for(qtbot, view, "Smith")
    assert view.model.rowCount() > 1
    view.sort_by(CaseSort.REFERENCE)
    refs = [s.ref for s in view.model.summaries()]
    assert refs == sorted(refs, key=str.casefold)
    assert view.sort_combo.currentText() == "Reference"
    view.focus_table()
    qtbot.keyClick(view.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not view.model.searching and not view.lane.busy, timeout=10_000)
    assert view.search_box.text() == ""
    window.discard()


def test_typing_quickly_runs_one_search_and_never_shows_an_old_answer(
    qtbot: QtBot, admin_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    first_started = threading.Event()
    real: Callable[..., SearchResults] = search_service.search_cases

    def slow_first(session: Session, text: str, case_filter: CaseFilter,
                   limit: int = 50) -> SearchResults:
        calls.append(text)
        if len(calls) == 1:
            first_started.set()
            time.sleep(0.8)  # the answer to the first search arrives after the second starts
        return real(session, text, case_filter, limit)

    monkeypatch.setattr(search_box, "search_cases", slow_first)
    window, view = _open(qtbot, admin_session)
    shown: list[str] = []
    view.runner.finished.connect(lambda text, _results: shown.append(text))

    _type(qtbot, window, view, "Smi")
    qtbot.waitUntil(first_started.is_set, timeout=5_000)
    # The window keeps answering while the search runs.
    started = time.monotonic()
    qtbot.keyClicks(view.search_box, "th")
    assert time.monotonic() - started < 0.5
    assert view.search_box.text() == "Smith"
    _results_for(qtbot, view, "Smith")
    settle(qtbot)
    assert calls == ["Smi", "Smith"]  # one search per pause in typing, not per key
    assert shown == ["Smith"]  # the slow first answer was dropped
    assert view.runner.text == "Smith"
    window.discard()


def test_an_officer_on_the_parent_side_cannot_find_young_person_confidential_words(
    qtbot: QtBot, casework: CaseworkStore, officer_session: Session, admin_session: Session
) -> None:
    # The word is in the store: a manager finds the case by it.
    found = search_service.search_cases(admin_session, YP_WORD, CaseFilter())
    assert [h.case.primary_name for h in found.hits] == [f"Sarah {FAMILY_SURNAME}"]

    window, view = _open(qtbot, officer_session)
    _type(qtbot, window, view, YP_WORD)
    _results_for(qtbot, view, YP_WORD)
    assert view.model.rowCount() == 0
    assert view.message.text() == NO_MATCHES_FILTERED
    assert "0 results" in view.search_bar.label.text()
    # The same family is found by its name, so it is the note that is hidden.
    view.search_box.clear()
    qtbot.keyClicks(view.search_box, FAMILY_SURNAME)
    _results_for(qtbot, view, FAMILY_SURNAME)
    assert [s.primary_name for s in view.model.summaries()] == [f"Sarah {FAMILY_SURNAME}"]
    window.discard()


def test_search_uses_the_filters_and_shows_the_services_messages(
    qtbot: QtBot, admin_session: Session
) -> None:
    window, view = _open(qtbot, admin_session)
    _type(qtbot, window, view, FAMILY_SURNAME)
    _results_for(qtbot, view, FAMILY_SURNAME)
    assert view.model.rowCount() == 1
    # The family's case is open: with "closed cases" chosen the search finds nothing.
    view.status.setCurrentIndex(index_of(view.status, CaseStatus.CLOSED))
    qtbot.waitUntil(lambda: view.model.rowCount() == 0 and not view.runner.pending,
                    timeout=10_000)
    assert view.message.text() == NO_MATCHES_FILTERED
    view.status.setCurrentIndex(index_of(view.status, None))
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and not view.runner.pending,
                    timeout=10_000)
    assert view.message.text() == ""
    # Words that cannot be searched get the service's own explanation.
    view.search_box.clear()
    qtbot.keyClicks(view.search_box, "xqzvwk")
    _results_for(qtbot, view, "xqzvwk")
    assert view.message.text() == NO_MATCHES
    # Clearing the search lists the cases with the filters chosen meanwhile.
    qtbot.keyClick(view.search_box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not view.model.searching and not view.lane.busy, timeout=10_000)
    assert view.model.case_filter == CaseFilter()
    window.discard()


def test_a_search_overtaken_while_it_runs_is_interrupted_and_the_newer_one_shown(
    qtbot: QtBot, admin_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = store_search.candidates
    first_running = threading.Event()
    interrupted = threading.Event()

    def slow_first(conn, match, *args, **kwargs):  # type: ignore[no-untyped-def]
        if match.startswith('"smi"'):  # the first search: blocks until interrupted
            first_running.set()
            try:
                # Half a minute or more unless interrupted (bounded, so that a lost
                # interrupt fails the test rather than hanging it).
                conn.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                             "WHERE x < 200000000) SELECT count(*) FROM n").fetchone()
            except sqlcipher3.OperationalError:
                interrupted.set()
                raise
        yield from real(conn, match, *args, **kwargs)

    monkeypatch.setattr(store_search, "candidates", slow_first)
    window, view = _open(qtbot, admin_session)
    shown: list[str] = []
    failures: list[str] = []
    view.runner.finished.connect(lambda text, _results: shown.append(text))
    view.runner.failed.connect(lambda _text, message: failures.append(message))

    _type(qtbot, window, view, "Smi")
    qtbot.waitUntil(first_running.is_set, timeout=10_000)
    qtbot.keyClicks(view.search_box, "th")  # overtakes it once typing pauses
    qtbot.waitUntil(interrupted.is_set, timeout=10_000)
    _results_for(qtbot, view, "Smith")
    settle(qtbot)
    assert shown == ["Smith"]
    assert failures == []
    assert view.message.text() == ""
    expected = search_service.search_cases(admin_session, "Smith",
                                           CaseFilter(status=CaseStatus.OPEN),
                                           limit=search_box.RESULT_LIMIT)
    assert [s.ref for s in view.model.summaries()] == [h.case.ref for h in expected.hits]
    window.discard()


def test_clearing_the_box_interrupts_a_running_search(
    qtbot: QtBot, admin_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = store_search.candidates
    running = threading.Event()
    interrupted = threading.Event()

    def endless(conn, match, *args, **kwargs):  # type: ignore[no-untyped-def]
        running.set()
        try:
            conn.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                         "WHERE x < 200000000) SELECT count(*) FROM n").fetchone()
        except sqlcipher3.OperationalError:
            interrupted.set()
            raise
        yield from real(conn, match, *args, **kwargs)

    monkeypatch.setattr(store_search, "candidates", endless)
    window, view = _open(qtbot, admin_session)
    failures: list[str] = []
    view.runner.failed.connect(lambda _text, message: failures.append(message))
    _type(qtbot, window, view, "Smith")
    qtbot.waitUntil(running.is_set, timeout=10_000)
    qtbot.keyClick(view.search_box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: interrupted.is_set() and not view.lane.busy, timeout=10_000)
    assert failures == []
    assert not view.model.searching
    assert view.message.text() == ""
    window.discard()


def test_fewer_than_three_letters_give_a_hint_or_whole_names_only(
    qtbot: QtBot, admin_session: Session
) -> None:
    window, view = _open(qtbot, admin_session)
    _type(qtbot, window, view, "Q")
    _results_for(qtbot, view, "Q")
    assert view.model.rowCount() == 0
    assert view.message.text() == search_service.TOO_SHORT
    qtbot.keyClicks(view.search_box, "u")
    _results_for(qtbot, view, "Qu")
    assert view.model.rowCount() == 0  # nobody is called "Qu"
    assert search_service.NAMES_ONLY in view.message.text()
    qtbot.keyClicks(view.search_box, "illfeather")
    _results_for(qtbot, view, "Quillfeather")
    assert [s.primary_name for s in view.model.summaries()] == [f"Sarah {FAMILY_SURNAME}"]
    assert view.message.text() == ""
    window.discard()


def test_the_lane_interrupts_only_the_running_job_with_that_key(
    qtbot: QtBot, admin_session: Session
) -> None:
    from sendiass_desktop.ui.views import BackgroundLane

    lane = BackgroundLane(admin_session)
    assert not lane.interrupt("long")  # nothing running
    running = threading.Event()
    outcomes: list[object] = []

    def long(session: Session) -> int:
        running.set()
        return int(session.conn.execute(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
            "WHERE x < 200000000) SELECT count(*) FROM n").fetchone()[0])

    lane.submit(long, outcomes.append, outcomes.append, key="long")
    qtbot.waitUntil(running.is_set, timeout=10_000)
    assert not lane.interrupt("other")  # another key: left alone
    assert lane.interrupt("long")
    qtbot.waitUntil(lambda: bool(outcomes), timeout=10_000)
    assert isinstance(outcomes[0], sqlcipher3.OperationalError)
    assert str(outcomes[0]) == "interrupted"
    # The connection is fine, and the next job is not interrupted.
    lane.submit(lambda s: s.conn.execute("SELECT count(*) FROM cases").fetchone()[0],
                outcomes.append, outcomes.append)
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=10_000)
    assert isinstance(outcomes[1], int) and outcomes[1] > 0
    lane.shutdown()
    settle(qtbot)
    destroyed = threading.Event()
    lane.destroyed.connect(lambda _=None: destroyed.set())
    lane.deleteLater()  # not left for the interpreter's exit to destroy
    qtbot.waitUntil(destroyed.is_set, timeout=5_000)


def test_a_lane_destroyed_mid_job_leaves_its_connection_to_the_job(
    qtbot: QtBot, admin_session: Session
) -> None:
    """A dialog deleted while its file is being written takes its lane with it: the
    running job must still have its connection (closing it under a running statement
    crashes the process), and it is closed once the job is done."""
    from sendiass_desktop.ui.views import BackgroundLane

    lane = BackgroundLane(admin_session)
    started, go, done = threading.Event(), threading.Event(), threading.Event()
    used: list[object] = []

    def job(session: Session) -> None:
        started.set()
        go.wait(10)
        try:
            used.append(session.conn.execute("SELECT count(*) FROM cases").fetchone()[0])
        except Exception as exc:
            used.append(exc)
        used.append(session)
        done.set()

    lane.submit(job, lambda _r: None, lambda _e: None)
    qtbot.waitUntil(started.is_set, timeout=10_000)
    destroyed = threading.Event()
    lane.destroyed.connect(lambda _=None: destroyed.set())
    lane.deleteLater()
    qtbot.waitUntil(destroyed.is_set, timeout=5_000)
    go.set()
    qtbot.waitUntil(done.is_set, timeout=10_000)
    settle(qtbot)
    count, background = used
    assert isinstance(count, int) and count > 0
    assert isinstance(background, Session)
    qtbot.waitUntil(lambda: background.closed, timeout=5_000)


def test_a_common_word_shows_the_first_page_and_more_on_request(
    qtbot: QtBot, admin_session: Session
) -> None:
    word = "school"
    everything = search_service.search_cases(admin_session, word,
                                             CaseFilter(status=CaseStatus.OPEN),
                                             limit=search_box.MORE_LIMIT).hits
    assert len(everything) > search_box.RESULT_LIMIT  # the generated store is big enough
    window, view = _open(qtbot, admin_session)
    _type(qtbot, window, view, word)
    _results_for(qtbot, view, word)
    assert len(view.model.summaries()) == search_box.RESULT_LIMIT
    assert "Showing the first 50 results" in view.search_bar.label.text()
    assert view.more_button.isVisible()

    view.more_button.click()
    qtbot.waitUntil(lambda: not view.runner.pending
                    and len(view.model.summaries()) > search_box.RESULT_LIMIT, timeout=20_000)
    assert [s.ref for s in view.model.summaries()] == [h.case.ref for h in everything]
    assert not view.more_button.isVisible() or len(everything) == search_box.MORE_LIMIT
    # New words start again from the quick first page.
    qtbot.keyClicks(view.search_box, "s")
    _results_for(qtbot, view, word + "s")
    assert view.runner.limit == search_box.RESULT_LIMIT
    window.discard()


def test_lane_progress_reaches_the_ui_thread_and_stops_with_the_lane(
    qtbot: QtBot, admin_session: Session
) -> None:
    from PySide6.QtCore import QThread

    from sendiass_desktop.ui.views import BackgroundLane

    lane = BackgroundLane(admin_session)
    seen: list[tuple[float, bool]] = []
    results: list[object] = []
    ui_thread = QThread.currentThread()

    def counted(session: Session, progress: Callable[[float], None]) -> int:
        for step in range(1, 5):
            progress(step / 4)
        return int(session.conn.execute("SELECT count(*) FROM cases").fetchone()[0])

    lane.submit(counted, results.append, results.append,
                on_progress=lambda f: seen.append((f, QThread.currentThread() is ui_thread)))
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    assert isinstance(results[0], int)
    assert [f for f, _ in seen] == [0.25, 0.5, 0.75, 1.0]
    assert all(on_ui for _, on_ui in seen)

    # After the lane is given a new session, progress of older work is dropped.
    gate = threading.Event()
    late: list[float] = []

    def slow(session: Session, progress: Callable[[float], None]) -> None:
        gate.wait(10)
        progress(0.5)

    lane.submit(slow, results.append, results.append, on_progress=late.append)
    lane.set_session(admin_session)
    gate.set()
    settle(qtbot)
    assert late == [] and len(results) == 1
    lane.shutdown()
    settle(qtbot)
    lane.deleteLater()
