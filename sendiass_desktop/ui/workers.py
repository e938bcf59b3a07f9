"""Running slow work (Argon2, creating a store) off the UI thread.

``run_task`` hands a function to the global ``QThreadPool``. Its result,
exception and progress come back through signals of a small relay object
that lives on the UI thread, so the callbacks always run on the UI thread.
If the ``owner`` widget has been destroyed by the time the work finishes,
the callbacks are skipped and ``on_orphan`` gets the result instead (for
example, to close a session nobody will use).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

ProgressCallback = Callable[[float], None]

# Relays stay referenced here until their task has reported back.
_LIVE: set[_Relay] = set()


class _Relay(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(float)

    def __init__(
        self,
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
        on_progress: ProgressCallback | None,
        owner: QObject | None,
        on_orphan: Callable[[Any], None] | None,
    ) -> None:
        super().__init__()
        self._on_success = on_success
        self._on_failure = on_failure
        self._on_progress = on_progress
        self._on_orphan = on_orphan
        self._owner_alive = True
        if owner is not None:
            owner.destroyed.connect(self._owner_gone)
        queued = Qt.ConnectionType.QueuedConnection
        self.succeeded.connect(self._deliver_success, queued)
        self.failed.connect(self._deliver_failure, queued)
        self.progressed.connect(self._deliver_progress, queued)

    @Slot()
    def _owner_gone(self) -> None:
        self._owner_alive = False

    @Slot(object)
    def _deliver_success(self, result: object) -> None:
        _LIVE.discard(self)
        if self._owner_alive:
            self._on_success(result)
        elif self._on_orphan is not None:
            self._on_orphan(result)

    @Slot(object)
    def _deliver_failure(self, error: object) -> None:
        _LIVE.discard(self)
        if self._owner_alive and isinstance(error, BaseException):
            self._on_failure(error)

    @Slot(float)
    def _deliver_progress(self, fraction: float) -> None:
        if self._owner_alive and self._on_progress is not None:
            self._on_progress(fraction)


class _Task(QRunnable):
    def __init__(self, fn: Callable[..., Any], relay: _Relay, with_progress: bool) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay
        self._with_progress = with_progress

    def run(self) -> None:
        try:
            args = (self._relay.progressed.emit,) if self._with_progress else ()
            result = self._fn(*args)
        except BaseException as exc:  # handed to the UI thread, never swallowed
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


def run_task(
    fn: Callable[..., Any],
    *,
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
    on_progress: ProgressCallback | None = None,
    owner: QObject | None = None,
    on_orphan: Callable[[Any], None] | None = None,
) -> None:
    """Run ``fn`` on the thread pool; ``fn`` gets a progress callback if ``on_progress``."""
    relay = _Relay(on_success, on_failure, on_progress, owner, on_orphan)
    _LIVE.add(relay)
    QThreadPool.globalInstance().start(_Task(fn, relay, on_progress is not None))


def tasks_running() -> int:
    """How many tasks have not reported back yet (tests wait for zero)."""
    return len(_LIVE)
