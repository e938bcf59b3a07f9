"""Cancel for work running on a worker thread.

``StopFlag`` is what a Cancel button sets and the service polls
(``should_stop``). ``checking(progress)`` wraps a progress callback so that it
raises ``OperationCancelled`` once the flag is set, for services that report
progress but take no stop check of their own. Progress itself travels through
``BackgroundLane.submit(..., on_progress=...)``, whose relay lives until the
job has reported back, so a worker never signals an object already deleted.
``ask_to_stop`` is what Cancel does in a dialog that builds files,
``say_stopped_or_failed`` what the dialog says when the build did not finish,
and ``too_late_text`` what it says when Cancel came after the files were
written (they are kept and logged, so their passphrases are shown).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from sendiass_desktop.store.cancel import OperationCancelled
from sendiass_desktop.ui.icons import user_message
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.theme import Tone


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


def ask_to_stop(busy: bool, stop: StopFlag | None, cancel_button: QWidget,
                message: InlineMessage) -> bool:
    """Cancel pressed in a dialog that builds files: stop a running build and say so.

    Returns False when nothing is running (the caller closes the dialog). The
    dialog stays open while stopping, so its failure callback can say what
    happened.
    """
    if not busy or stop is None:
        return False
    stop.stop()
    cancel_button.setEnabled(False)
    message.show_message("Stopping…", Tone.INFO)
    return True


def say_stopped_or_failed(message: InlineMessage, exc: BaseException, what: str = "file"
                          ) -> None:
    """After a build that did not finish: "Stopped. No file was written." if Cancel
    stopped it, else why it failed, in plain words."""
    if isinstance(exc, OperationCancelled):
        message.show_message(f"Stopped. No {what} was written.", Tone.INFO)
    else:
        message.show_message(user_message(exc))


def too_late_text(what: str, plural: bool = False) -> str:
    """Cancel came after the last check: the files were written and logged anyway.

    ``what`` names them ("pack", "extract and the family's copy"); ``plural``
    when it names more than one file.
    """
    if plural:
        return (f"Too late to stop: the {what} had already been written when you pressed "
                "Cancel, so they were kept and logged as disclosures. Give each passphrase "
                "below as usual, or tell your manager if they should not be sent.")
    return (f"Too late to stop: the {what} had already been written when you pressed Cancel, "
            "so it was kept and logged as a disclosure. Give the passphrase below as usual, "
            f"or tell your manager if the {what} should not be sent.")
