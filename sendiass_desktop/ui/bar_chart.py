"""A plain horizontal bar chart of a statistics table's Total column (rule 7).

Built only from ``ChartBar`` values (the published text): a shown count is
drawn as a bar to scale; a hidden one ("<5" or "c", ``value`` None) is drawn
as a small hatched stub of fixed width with its mark beside it, so nothing
on screen depends on the true number. ``drawn_bars()`` gives the geometry
the chart paints, for tests and for anyone checking that promise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from sendiass_desktop.services.statistics import ChartBar
from sendiass_desktop.ui.theme import is_dark

STUB_WIDTH = 14.0  # a hidden count's box: the same for every hidden count
MARGIN = 10
GAP = 8
MAX_LABEL_CHARS = 48


@dataclass(frozen=True)
class DrawnBar:
    bar: ChartBar
    rect: QRectF  # the bar (or the hatched stub for a hidden count)
    hidden: bool


def hidden_meaning(mark: str) -> str:
    if mark == "<5":
        return "fewer than 5, hidden"
    return "hidden so a small number cannot be worked out"


class BarChart(QWidget):
    """Horizontal bars, one per category; hidden counts are hatched stubs."""

    def __init__(self, parent: QWidget | None = None, name: str = "Chart of totals") -> None:
        super().__init__(parent)
        self._bars: tuple[ChartBar, ...] = ()
        self._name = name
        self.setAccessibleName(name)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(320)

    # --- data ----------------------------------------------------------------------

    @property
    def bars(self) -> tuple[ChartBar, ...]:
        return self._bars

    def set_bars(self, bars: Sequence[ChartBar]) -> None:
        self._bars = tuple(bars)
        self.setAccessibleDescription(self.describe())
        self.updateGeometry()
        self.update()

    def describe(self) -> str:
        """The chart in words, for screen readers."""
        if not self._bars:
            return "No figures to show."
        parts = [f"{b.label}: {b.shown}" + ("" if b.value is not None
                                             else f" ({hidden_meaning(b.shown)})")
                 for b in self._bars]
        return "; ".join(parts) + "."

    # --- geometry ------------------------------------------------------------------

    def _row_height(self) -> int:
        return self.fontMetrics().lineSpacing() + 8

    def _label_width(self) -> int:
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(self._label_text(b)) for b in self._bars),
                     default=0)
        return min(widest + 6, metrics.averageCharWidth() * MAX_LABEL_CHARS,
                   max(80, self.width() // 2))

    def _label_text(self, bar: ChartBar) -> str:
        return bar.label

    def sizeHint(self) -> QSize:
        rows = max(1, len(self._bars))
        return QSize(480, 2 * MARGIN + rows * self._row_height())

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 2 * MARGIN + max(1, len(self._bars)) * self._row_height())

    def drawn_bars(self) -> list[DrawnBar]:
        """Where each bar goes: shown counts to scale, hidden ones as a fixed stub."""
        metrics = self.fontMetrics()
        label_w = self._label_width()
        value_w = metrics.horizontalAdvance("00,000") + GAP
        left = MARGIN + label_w + GAP
        room = max(20.0, float(self.width() - left - value_w - MARGIN))
        largest = max((b.value for b in self._bars if b.value is not None), default=0)
        row_h = self._row_height()
        bar_h = max(6.0, row_h - 10.0)
        drawn = []
        for i, bar in enumerate(self._bars):
            top = MARGIN + i * row_h + (row_h - bar_h) / 2
            if bar.value is None:
                drawn.append(DrawnBar(bar, QRectF(left, top, STUB_WIDTH, bar_h), True))
            else:
                width = 0.0 if largest == 0 else room * bar.value / largest
                drawn.append(DrawnBar(bar, QRectF(left, top, width, bar_h), False))
        return drawn

    # --- painting ------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        dark = is_dark(palette)
        fill = QColor("#5aa7ea" if dark else "#2e75b6")
        hatch = QColor("#a7b4c2" if dark else "#5b6b7a")
        metrics = self.fontMetrics()
        label_w = self._label_width()
        row_h = self._row_height()
        if not self._bars:
            painter.setPen(text)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No figures to show.")
            painter.end()
            return
        for i, drawn in enumerate(self.drawn_bars()):
            top = MARGIN + i * row_h
            label = metrics.elidedText(drawn.bar.label, Qt.TextElideMode.ElideRight, label_w)
            painter.setPen(text)
            painter.drawText(QRectF(MARGIN, top, label_w, row_h),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             label)
            rect = drawn.rect
            if drawn.hidden:
                painter.setPen(QPen(hatch, 1))
                painter.setBrush(QBrush(hatch, Qt.BrushStyle.BDiagPattern))
                painter.drawRect(rect)
            elif rect.width() > 0:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(fill)
                painter.drawRect(rect)
            painter.setPen(text)
            painter.drawText(QRectF(rect.right() + GAP / 2, top, self.width(), row_h),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             drawn.bar.shown)
        painter.end()
