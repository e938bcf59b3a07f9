"""Progress and Cancel for work running on a worker thread.

``ProgressRelay`` carries a fraction from the worker to the UI thread (a
queued signal: the worker never touches a widget). ``StopFlag`` is what a
Cancel button sets and the service polls (``should_stop``); it raises
``OperationCancelled`` from inside a progress callback for services that
report progress but take no stop check of their own.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from sendiass_desktop.store.cancel import OperationCancelled


class ProgressRelay(QObject):
    """Emit ``changed`` from any thread; slots run on the UI thread."""

    changed = Signal(float)

    def report(self, fraction: float) -> None:
        self.changed.emit(fraction)


class StopFlag:
    """Set by the UI thread (Cancel), read by the worker thread."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def stop(self) -> None:
        self._event.set()

    @property
    def stopped(self) -> bool:
        return self._event.is_set()

    def __call__(self) -> bool:
        """The ``should_stop`` check services take."""
        return self._event.is_set()

    def reporting_to(self, relay: ProgressRelay) -> _StoppingReporter:
        """A progress callback that forwards to ``relay`` and stops the work once set."""
        return _StoppingReporter(self, relay)


class _StoppingReporter:
    def __init__(self, flag: StopFlag, relay: ProgressRelay) -> None:
        self._flag = flag
        self._relay = relay

    def __call__(self, fraction: float) -> None:
        if self._flag.stopped:
            raise OperationCancelled()
        self._relay.report(fraction)
