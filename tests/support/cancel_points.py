"""Progress callbacks that press Cancel at a fixed point of a build."""

from __future__ import annotations

from collections.abc import Callable

from sendiass_desktop.store.cancel import OperationCancelled


def cancel_once_laid_out(seen: list[float]) -> Callable[[float], None]:
    """Like ui/progress.StopFlag.checking with Cancel pressed as layout reports 1.0,
    i.e. while the PDF is being checked and encrypted: the next report stops the work."""
    pressed = False

    def report(fraction: float) -> None:
        nonlocal pressed
        if pressed:
            raise OperationCancelled()
        seen.append(fraction)
        pressed = fraction >= 1.0

    return report
