"""Cancel for work running on a worker thread.

``StopFlag`` is what a Cancel button sets and the service polls
(``should_stop``). ``checking(progress)`` wraps a progress callback so that it
raises ``OperationCancelled`` once the flag is set, for services that report
progress but take no stop check of their own. Progress itself travels through
``BackgroundLane.submit(..., on_progress=...)``, whose relay lives until the
job has reported back, so a worker never signals an object already deleted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sendiass_desktop.store.cancel import OperationCancelled


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

    def checking(self, progress: Callable[[float], None]) -> Callable[[float], None]:
        """A progress callback that forwards to ``progress`` and stops the work once set."""

        def report(fraction: float) -> None:
            if self._event.is_set():
                raise OperationCancelled()
            progress(fraction)

        return report
