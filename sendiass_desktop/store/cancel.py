"""Stopping long store work part-way when the user presses Cancel.

Whole-store checks and backups read every page, which takes minutes on a
large store. SQLite calls a connection's progress handler every few thousand
virtual-machine steps; returning non-zero stops the running statement with
"interrupted". Only the thread doing the work touches the connection, so a
flag set by the UI thread is all it needs to look at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.errors import StoreError

# Answers "has the user asked to stop?"; called often, so it must be cheap.
StopCheck = Callable[[], bool]

# Virtual-machine steps between looks at the flag: frequent enough to stop
# within a few milliseconds, rare enough to cost nothing measurable.
_STEPS = 5_000


class OperationCancelled(StoreError):
    def __init__(self) -> None:
        super().__init__("Stopped before it finished. Nothing was changed.")


def raise_if_stopped(should_stop: StopCheck | None) -> None:
    if should_stop is not None and should_stop():
        raise OperationCancelled()


@contextmanager
def stoppable(conn: Connection, should_stop: StopCheck | None) -> Iterator[None]:
    """Run the body so that ``should_stop()`` turning true stops it with OperationCancelled.

    Any error raised after the user asked to stop is reported as the stop,
    not as damage: an interrupted read says nothing about the store.
    """
    if should_stop is None:
        yield
        return
    conn.set_progress_handler(lambda: 1 if should_stop() else 0, _STEPS)
    try:
        yield
    except Exception:
        if should_stop():
            raise OperationCancelled() from None
        raise
    finally:
        conn.set_progress_handler(None, 0)
