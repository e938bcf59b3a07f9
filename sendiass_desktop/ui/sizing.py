"""Keeping dialogs tall enough for wrapped text at whatever width they have."""

from __future__ import annotations

from PySide6.QtWidgets import QSizePolicy, QWidget


def fit_height(window: QWidget) -> None:
    """Resize ``window`` to the height its layout needs at its current width.

    Word-wrapped labels need more height when a dialog is narrow; Qt's own
    size hints do not follow that for top-level windows, so text would be
    clipped when a message appears. Only the height changes.
    """
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    # Grow wider if a field that just appeared needs it (never narrower).
    width = max(window.width(), layout.totalMinimumSize().width())
    if layout.hasHeightForWidth():
        height = layout.totalHeightForWidth(width)
    else:
        height = layout.totalSizeHint().height()
    height = max(height, window.minimumHeight())
    if height > 0 and (height != window.height() or width != window.width()):
        window.resize(width, height)


def refit_window_of(widget: QWidget) -> None:
    """Ask the window holding ``widget`` to refit, if it wants to (``fit_to_content``)."""
    fit = getattr(widget.window(), "fit_to_content", None)
    if callable(fit):
        fit()


def expand_horizontally(widget: QWidget) -> None:
    """Let ``widget`` take the width on offer, keeping height-for-width (wrapped text).

    ``setSizePolicy(Expanding, Preferred)`` would drop the height-for-width flag a
    word-wrapped label sets on itself, and its text would then be clipped.
    """
    policy = widget.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)
    widget.setSizePolicy(policy)
