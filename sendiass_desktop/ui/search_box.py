"""The search box in the main window's toolbar, and the search that runs as you type.

``SearchBox`` is only the field: Esc clears it, Down moves to the results.
``SearchRunner`` waits until typing pauses (``DEBOUNCE_MS``), then runs
``services.search.search_cases`` on a ``BackgroundLane`` with the case list's
current filters. Only the newest search is ever shown: one still waiting is
replaced by the next keystroke, and one overtaken while it runs (by a newer
search, new filters or clearing the box) is interrupted on the background
connection, so the worker is free for the newer one at once. Its answer, or
its ``SearchCancelled``, is dropped: the window never freezes and never shows
an old answer. (Text under three letters is answered by the service with a
hint, or names and references only; see ``services.search``.)
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QSizePolicy, QToolButton, QWidget

from sendiass_desktop.domain.cases import CaseFilter
from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.services.search import SearchCancelled, SearchResults, search_cases
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.views import BackgroundLane

DEBOUNCE_MS = 250
# As you type, the first 50 (the benchmark budget is measured at this size);
# "Show more results" asks once for up to MORE_LIMIT.
RESULT_LIMIT = 50
MORE_LIMIT = 500
SEARCH_FAILED = "The search could not be run. Try again, or try different words."
MAX_SEARCH_LENGTH = 200


class SearchBox(QLineEdit):
    """Where people type what they are looking for."""

    escaped = Signal()  # Esc pressed (the text has been cleared)
    leaveDown = Signal()  # Down arrow: go to the results

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchBox")
        self.setPlaceholderText("Search cases, people and notes (Ctrl+F)")
        self.setAccessibleName("Search cases")
        self.setAccessibleDescription(
            "Type a name, a case reference or words from a note. Results replace the case "
            "list as you type. Press Escape to clear the search.")
        self.setToolTip("Search cases, people and notes. Esc clears the search.")
        self.setClearButtonEnabled(True)
        for button in self.findChildren(QToolButton):
            button.setAccessibleName("Clear the search")
        self.setMaxLength(MAX_SEARCH_LENGTH)
        self.setInputMethodHints(Qt.InputMethodHint.ImhNoPredictiveText)
        chars = self.fontMetrics().averageCharWidth()
        self.setMinimumWidth(chars * 30)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.clear()
            self.escaped.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Down:
            self.leaveDown.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class SearchRunner(QObject):
    """Debounced, off-thread searching; only the newest answer is reported."""

    started = Signal(str)  # the words being searched for
    finished = Signal(str, object)  # the words, and the SearchResults
    failed = Signal(str, str)  # the words, and a message for the user
    cleared = Signal()

    def __init__(self, lane: BackgroundLane, parent: QObject | None = None, *,
                 delay_ms: int = DEBOUNCE_MS, limit: int = RESULT_LIMIT) -> None:
        super().__init__(parent)
        self._lane = lane
        self._base_limit = limit
        self._limit = limit
        self._text = ""
        self._filter = CaseFilter()
        self._latest = 0
        self._running = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._run)

    @property
    def text(self) -> str:
        return self._text

    @property
    def active(self) -> bool:
        """A search is typed (results are, or will be, shown)."""
        return bool(self._text)

    @property
    def pending(self) -> bool:
        """Waiting for typing to pause, or for the answer."""
        return self._timer.isActive() or self._running

    @property
    def limit(self) -> int:
        return self._limit

    def set_lane(self, lane: BackgroundLane) -> None:
        self._lane = lane
        self._running = False

    def request(self, text: str, case_filter: CaseFilter) -> None:
        """Search for ``text`` once typing pauses; blank text clears the search at once."""
        text = text.strip()
        self._filter = case_filter
        if not text:
            self.clear()
            return
        self._text = text
        self._limit = self._base_limit  # new words: the quick first page again
        self._timer.start()

    def rerun(self, case_filter: CaseFilter) -> None:
        """The filters changed: search again straight away (if there is a search)."""
        self._filter = case_filter
        if self._text:
            self._timer.stop()
            self._run()

    def show_more(self) -> None:
        """Search the same words again for up to MORE_LIMIT results (the user asked)."""
        if self._text and self._limit < MORE_LIMIT:
            self._limit = MORE_LIMIT
            self._timer.stop()
            self._run()

    def clear(self) -> None:
        self._timer.stop()
        self._limit = self._base_limit
        self._latest += 1  # anything still running is now stale
        self._running = False
        self._lane.cancel("search")
        self._lane.interrupt("search")
        had = bool(self._text)
        self._text = ""
        if had:
            self.cleared.emit()

    def _run(self) -> None:
        text, case_filter, limit = self._text, self._filter, self._limit
        if not text:
            return
        self._latest += 1
        token = self._latest
        # Overtaken: stop the one running (if any) so this one need not wait for it.
        self._lane.interrupt("search")
        self._running = True
        self.started.emit(text)

        def search(session: Session) -> SearchResults:
            return search_cases(session, text, case_filter, limit)

        self._lane.submit(search, lambda results: self._done(token, text, results),
                          lambda exc: self._failed(token, text, exc), key="search")

    def _done(self, token: int, text: str, results: SearchResults) -> None:
        if token != self._latest:
            return
        self._running = False
        self.finished.emit(text, results)

    def _failed(self, token: int, text: str, exc: BaseException) -> None:
        if token != self._latest:
            return
        if isinstance(exc, SearchCancelled):  # stopped on purpose, never an error to show
            self._running = False
            return
        self._running = False
        self.failed.emit(text, str(exc) if isinstance(exc, SendiassError) else SEARCH_FAILED)
