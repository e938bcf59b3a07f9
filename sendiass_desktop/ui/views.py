"""The views the main window shows, and how new ones are registered.

A view is any ``QWidget`` built from the signed-in ``Session`` by a factory.
To add one (the case list, "My work", statistics…), add a ``ViewSpec`` to
``default_views()`` — or call ``MainWindow.add_view(spec)`` — and, if the
view holds on to the session, implement ``SessionAware.set_session`` so it
picks up the new session after the window is unlocked again. Views that show
personal data may implement ``LockAware.on_lock`` to drop it when the window
locks (the window hides them either way); the window also calls ``on_lock``
when the session ends. ``Refreshable.refresh`` is what F5 does; a
``SearchHost`` has its search box put in the toolbar (Ctrl+F); a
``CaseCreator`` answers "New case…" (Ctrl+Shift+N).

``BackgroundLane`` is how a view runs service calls that may take a moment
(searching, "My work", backups, store checks) without freezing the window:
one call at a time, on a worker thread, over a second connection for the same
signed-in user (``services.background``), with results delivered back on the
UI thread.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, overload, runtime_checkable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services.background import (
    close_background_session,
    open_background_session,
)
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.theme import heading_font
from sendiass_desktop.ui.workers import ProgressCallback, run_task

ViewFactory = Callable[[Session], QWidget]


@runtime_checkable
class SessionAware(Protocol):
    def set_session(self, session: Session) -> None: ...


@runtime_checkable
class LockAware(Protocol):
    def on_lock(self) -> None: ...


@runtime_checkable
class ClosesNow(Protocol):
    """A tracked window that may refuse an ordinary close (a dialog whose files are being
    written stays open until it can show their passphrases) but closes at once, whatever
    it is doing, when the session ends."""

    def close_now(self) -> None: ...


@runtime_checkable
class Refreshable(Protocol):
    def refresh(self) -> None: ...


@runtime_checkable
class SearchHost(Protocol):
    """A view whose search box the main window shows in its toolbar (Ctrl+F)."""

    def search_widget(self) -> QWidget: ...

    def focus_search(self) -> None: ...


@runtime_checkable
class CaseCreator(Protocol):
    """A view that can start a new case ("New case…", Ctrl+Shift+N)."""

    def new_case(self) -> object: ...


@dataclass(frozen=True)
class ViewSpec:
    key: str  # stable identifier, e.g. "cases"
    title: str  # shown in the navigation list
    factory: ViewFactory
    shortcut: str | None = None  # e.g. "Ctrl+1"
    # Hides the view from roles without this permission. The service still
    # checks every action: hiding is never the only protection.
    requires: Permission | None = None


def signed_in_text(session: Session) -> str:
    if session.via_recovery_key:
        return "Signed in with the recovery key (administrator rights)"
    user = session.user
    return f"Signed in as {user.display_name} ({user.role.label})"


# --- running service calls in the background ------------------------------------------


class _Worker:
    """The background session, kept outside the lane so it can be closed after the lane.

    Closing it while a job is using it (the lane destroyed mid-job: a dialog deleted
    while its file is being written) is put off until the job is done with it:
    closing an SQLite connection under a running statement crashes the process.
    """

    def __init__(self) -> None:
        self.session: Session | None = None
        self._lock = threading.Lock()
        self._in_use = False
        self._close_when_done = False
        self.closed = False

    def close(self) -> None:
        with self._lock:
            self.closed = True
            if self._in_use:
                self._close_when_done = True
                return
            session, self.session = self.session, None
        if session is not None:
            close_background_session(session)

    @contextmanager
    def using(self) -> Iterator[None]:
        """Held by the worker thread while a job runs on this connection."""
        with self._lock:
            self._in_use = True
        try:
            yield
        finally:
            with self._lock:
                self._in_use = False
                close, self._close_when_done = self._close_when_done, False
            if close:
                self.close()


@dataclass
class _Job:
    fn: Callable[..., Any]
    on_success: Callable[[Any], None]
    on_failure: Callable[[BaseException], None] | None
    epoch: int
    key: str | None
    number: int
    on_progress: ProgressCallback | None = None


class BackgroundLane(QObject):
    """Service calls one at a time, off the UI thread, on a second connection.

    ``submit(fn, on_success, on_failure)`` runs ``fn(background_session)`` on the
    thread pool; the callbacks run on the UI thread. A job submitted with a
    ``key`` replaces any job with the same key still waiting its turn (the
    newest search wins). After ``set_session`` or ``shutdown``, results of
    work started earlier are dropped, and the old connection is closed as
    soon as nothing is using it. ``interrupt(key)`` stops the SQL of a running
    job with that key (the job then fails with SQLite's "interrupted" error,
    which the job itself should turn into a cancellation).
    """

    busyChanged = Signal(bool)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._worker = _Worker()
        self._retired: list[_Worker] = []
        self._queue: deque[_Job] = deque()
        self._running: _Job | None = None
        self._running_on: _Worker | None = None  # whose connection the running job uses
        self._epoch = 0
        self._numbers = itertools.count(1)
        worker = self._worker
        self.destroyed.connect(lambda _=None: worker.close())

    @property
    def busy(self) -> bool:
        return self._running is not None or bool(self._queue)

    @property
    def session(self) -> Session:
        return self._session

    # Typed twice: with ``on_progress``, ``fn`` takes the progress callback too.
    @overload
    def submit(
        self,
        fn: Callable[[Session], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        key: str | None = None,
        on_progress: None = None,
    ) -> int: ...

    @overload
    def submit(
        self,
        fn: Callable[[Session, ProgressCallback], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        key: str | None = None,
        on_progress: ProgressCallback,
    ) -> int: ...

    def submit(
        self,
        fn: Callable[..., Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        key: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> int:
        """Queue ``fn``; returns a job number (increasing) callers may use to spot stale work.

        With ``on_progress``, ``fn`` is called as ``fn(session, progress)``:
        ``progress(fraction)`` may be called from the worker thread and
        ``on_progress`` runs on the UI thread — only while this lane lives
        and the job is current, so a closed dialog is never reached.
        """
        if key is not None:
            self._queue = deque(j for j in self._queue if j.key != key)
        job = _Job(fn, on_success, on_failure, self._epoch, key, next(self._numbers),
                   on_progress)
        was_busy = self.busy
        self._queue.append(job)
        if not was_busy:
            self.busyChanged.emit(True)
        self._pump()
        return job.number

    def cancel(self, key: str) -> None:
        """Forget waiting jobs with ``key`` (one already running still finishes, unseen)."""
        self._queue = deque(j for j in self._queue if j.key != key)
        if self._running is not None and self._running.key == key:
            self._running.on_success = _ignore
            self._running.on_failure = None
        if not self.busy:
            self.busyChanged.emit(False)

    def interrupt(self, key: str) -> bool:
        """Stop the running job with ``key`` where it is, if there is one; True if asked.

        Calls SQLite's ``interrupt()`` on the background connection (safe
        from this thread while the worker uses it): the statement running
        now, and any the job starts before its running statements are done,
        fail with ``OperationalError('interrupted')``. The job's callbacks
        still run as usual (with that failure, or its result if it had
        already finished its SQL); waiting jobs are untouched. The next job
        on the connection is not affected: SQLite forgets an interrupt once
        no statement is running.
        """
        job, worker = self._running, self._running_on
        if job is None or job.key != key or worker is None:
            return False
        background = worker.session  # None while the connection is still being opened
        if background is None or background.closed:
            return False
        try:
            background.conn.interrupt()
        except Exception:  # closed meanwhile (ProgrammingError): nothing left to stop
            return False
        return True

    def set_session(self, session: Session) -> None:
        self._retire()
        self._session = session

    def shutdown(self) -> None:
        """Drop waiting work and close the connection once the running job (if any) ends."""
        self._retire()

    def _retire(self) -> None:
        self._epoch += 1
        self._queue.clear()
        old, self._worker = self._worker, _Worker()
        worker = self._worker
        self.destroyed.connect(lambda _=None: worker.close())
        if self._running is None:
            old.close()
            self._close_retired()
        else:
            self._retired.append(old)
        if not self.busy:
            self.busyChanged.emit(False)

    def _close_retired(self) -> None:
        for worker in self._retired:
            worker.close()
        self._retired.clear()

    def _pump(self) -> None:
        if self._running is not None:
            return
        if not self._queue:
            self._close_retired()
            self.busyChanged.emit(False)
            return
        job = self._running = self._queue.popleft()
        holder, session = self._worker, self._session
        self._running_on = holder

        def work(*progress: ProgressCallback) -> tuple[bool, Any]:
            with holder.using():
                if holder.closed:  # the lane went before the job could start
                    return False, RuntimeError("The background connection was closed.")
                if holder.session is None:
                    holder.session = open_background_session(session)
                try:
                    return True, job.fn(holder.session, *progress)
                except Exception as exc:  # delivered to on_failure on the UI thread
                    return False, exc

        def progressed(fraction: float) -> None:
            if job.epoch == self._epoch and job.on_progress is not None:
                job.on_progress(fraction)

        run_task(work, on_success=lambda result: self._finished(job, result),
                 on_failure=lambda exc: self._finished(job, (False, exc)),
                 on_progress=progressed if job.on_progress is not None else None,
                 owner=self, on_orphan=lambda _result: holder.close())

    def _finished(self, job: _Job, result: tuple[bool, Any]) -> None:
        self._running = None
        self._running_on = None
        self._close_retired()  # nothing else can be using a retired connection now
        ok, value = result
        current = job.epoch == self._epoch
        try:
            if current:
                if ok:
                    job.on_success(value)
                elif job.on_failure is not None:
                    job.on_failure(value)
        finally:
            self._pump()


def _ignore(_value: object) -> None:
    pass


class HomeView(QWidget):
    """A simple start page (kept for callers that register it; the case list is the main view)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Home")
        self.heading = QLabel(self)
        self.heading.setFont(heading_font(self, 1.5))
        self.heading.setWordWrap(True)
        intro = HintLabel(
            "Your cases, your work for today and the service's statistics will appear here.",
            self)
        self.details = QFormLayout()
        self.details.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.who = QLabel(self)
        self.role = QLabel(self)
        self.store = QLabel(self)
        self.store.setWordWrap(True)
        self.store.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.addRow("Signed in:", self.who)
        self.details.addRow("Role:", self.role)
        self.details.addRow("Store:", self.store)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(14)
        layout.addWidget(self.heading)
        layout.addWidget(intro)
        layout.addLayout(self.details)
        layout.addStretch(1)
        self.set_session(session)

    def set_session(self, session: Session) -> None:
        user = session.user
        first = user.display_name.split(" ")[0] if not session.via_recovery_key else ""
        self.heading.setText(f"Welcome, {first}" if first else "Welcome")
        self.who.setText(
            "the recovery key" if session.via_recovery_key else
            f"{user.display_name} ({user.username})")
        self.role.setText(user.role.label)
        self.store.setText(str(session.location.path))


def default_views() -> list[ViewSpec]:
    """The views every main window starts with. Register new views here."""
    from sendiass_desktop.ui.admin_store import StoreAdminView
    from sendiass_desktop.ui.admin_users import UsersAdminView
    from sendiass_desktop.ui.case_list import CaseListView
    from sendiass_desktop.ui.legal_requests_view import LegalRequestsView
    from sendiass_desktop.ui.my_work import MyWorkView
    from sendiass_desktop.ui.retention_view import RetentionView
    from sendiass_desktop.ui.sar_register import SarRegisterView
    from sendiass_desktop.ui.statistics_view import StatisticsView

    return [
        ViewSpec("cases", "Cases", CaseListView, "Ctrl+1", requires=Permission.READ_CASES),
        ViewSpec("my_work", "My work", MyWorkView, "Ctrl+2", requires=Permission.READ_CASES),
        ViewSpec("users", "Users and roles", UsersAdminView, "Ctrl+3",
                 requires=Permission.MANAGE_USERS),
        ViewSpec("store", "Store and backups", StoreAdminView, "Ctrl+4",
                 requires=Permission.MANAGE_STORE),
        ViewSpec("sars", "Subject access requests", SarRegisterView, "Ctrl+5",
                 requires=Permission.MANAGE_SARS),
        ViewSpec("statistics", "Statistics", StatisticsView, "Ctrl+6",
                 requires=Permission.RUN_STATISTICS),
        ViewSpec("retention", "Retention and disposal", RetentionView, "Ctrl+7",
                 requires=Permission.REVIEW_RETENTION),
        # Officers register requests (they often arrive with an officer first); only
        # managers decide them and make the extract (the services check both).
        ViewSpec("legal", "Legal requests", LegalRequestsView, "Ctrl+8",
                 requires=Permission.WRITE_CASES),
    ]
