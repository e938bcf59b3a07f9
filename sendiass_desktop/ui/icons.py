"""The case screens' visual vocabulary, and the small pieces they share.

* Icons drawn as vectors (``icon("call")``): crisp at any scale, and drawn in
  the palette's text colour unless a colour is given, so they follow light
  and dark palettes. Icons never carry meaning alone: every one sits next to
  words.
* Status chips (``Chip``, ``paint_chip``, and ``ChipDelegate`` for a table's
  cells): icon + words + colour, used for consent states, confidentiality
  marks, deadline states.
* The safeguarding red: a solid bar with white text (contrast >= 4.5:1 in
  both palettes, see ``SAFEGUARDING_COLOURS``).
* UK dates, plain-words error text, a date field that can be left blank, a
  text box whose Copy goes through ``ui/clipboard.py``, a small base for
  the form dialogs, and the two-part layout of the case panels
  (``split_panel``).

(The shared helpers live here because the case screens were built while the
other ``ui`` modules were being changed by others; they can move to
``fields.py`` later.)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, NamedTuple

from PySide6.QtCore import (
    QDate,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QIcon,
    QIconEngine,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.errors import EditConflict, InvalidInput, SendiassError
from sendiass_desktop.ui.clipboard import shared_guard
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.sizing import fit_height
from sendiass_desktop.ui.theme import Tone, heading_font, is_dark, tone_colours

# ======================================================================================
# Icons


def _path_call(p: QPainterPath) -> None:
    # A handset: two ear/mouth pieces joined by a curved grip.
    p.moveTo(6, 3)
    p.lineTo(9.5, 3)
    p.lineTo(11, 8)
    p.lineTo(8.8, 9.6)
    p.cubicTo(10, 12.5, 11.5, 14, 14.4, 15.2)
    p.lineTo(16, 13)
    p.lineTo(21, 14.5)
    p.lineTo(21, 18)
    p.cubicTo(21, 19.7, 19.7, 21, 18, 21)
    p.cubicTo(10, 21, 3, 14, 3, 6)
    p.cubicTo(3, 4.3, 4.3, 3, 6, 3)
    p.closeSubpath()


def _stroke_icon(name: str, painter: QPainter, colour: QColor) -> None:
    """Draw icon ``name`` in a 24×24 box."""
    pen = QPen(colour, 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
               Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    fill = QColor(colour)
    if name == "call":
        path = QPainterPath()
        _path_call(path)
        painter.drawPath(path)
    elif name == "email":
        painter.drawRoundedRect(QRectF(3, 6, 18, 13), 2, 2)
        painter.drawPolyline([QPointF(3.5, 7), QPointF(12, 13.5), QPointF(20.5, 7)])
    elif name == "meeting":
        for cx in (8.0, 16.0):
            painter.drawEllipse(QPointF(cx, 8), 2.6, 2.6)
            path = QPainterPath()
            path.moveTo(cx - 4.5, 19)
            path.cubicTo(cx - 4.5, 13, cx + 4.5, 13, cx + 4.5, 19)
            painter.drawPath(path)
    elif name == "letter":
        path = QPainterPath()
        path.moveTo(6, 3)
        path.lineTo(14, 3)
        path.lineTo(19, 8)
        path.lineTo(19, 21)
        path.lineTo(6, 21)
        path.closeSubpath()
        painter.drawPath(path)
        painter.drawPolyline([QPointF(14, 3), QPointF(14, 8), QPointF(19, 8)])
        for y in (12.0, 15.0, 18.0):
            painter.drawLine(QPointF(9, y), QPointF(16, y))
    elif name == "visit":
        painter.drawPolyline([QPointF(3, 11.5), QPointF(12, 4), QPointF(21, 11.5)])
        painter.drawPolyline([QPointF(5.5, 10), QPointF(5.5, 20), QPointF(18.5, 20),
                              QPointF(18.5, 10)])
        painter.drawRect(QRectF(10, 14, 4, 6))
    elif name == "text":
        path = QPainterPath()
        path.addRoundedRect(QRectF(3, 4, 18, 12.5), 3, 3)
        painter.drawPath(path)
        painter.drawPolyline([QPointF(8, 16.5), QPointF(7, 20.5), QPointF(12, 16.5)])
        for x in (8.0, 12.0, 16.0):
            painter.setBrush(fill)
            painter.drawEllipse(QPointF(x, 10.2), 0.6, 0.6)
            painter.setBrush(Qt.BrushStyle.NoBrush)
    elif name == "other":
        painter.drawEllipse(QPointF(12, 12), 8.5, 8.5)
        painter.setBrush(fill)
        for x in (8.0, 12.0, 16.0):
            painter.drawEllipse(QPointF(x, 12), 0.9, 0.9)
    elif name in ("safeguarding", "warning"):
        path = QPainterPath()
        path.moveTo(12, 3)
        path.lineTo(22, 20.5)
        path.lineTo(2, 20.5)
        path.closeSubpath()
        painter.drawPath(path)
        painter.drawLine(QPointF(12, 9), QPointF(12, 14))
        painter.setBrush(fill)
        painter.drawEllipse(QPointF(12, 17.3), 0.9, 0.9)
    elif name == "restricted" or name == "locked":
        painter.drawRoundedRect(QRectF(5, 10.5, 14, 10), 2, 2)
        path = QPainterPath()
        path.moveTo(8, 10.5)
        path.lineTo(8, 8)
        path.cubicTo(8, 2.5, 16, 2.5, 16, 8)
        path.lineTo(16, 10.5)
        painter.drawPath(path)
        painter.drawLine(QPointF(12, 14), QPointF(12, 17))
    elif name == "young_person":
        # A person with a small shield: "kept for the young person".
        painter.drawEllipse(QPointF(9, 7), 3, 3)
        path = QPainterPath()
        path.moveTo(3, 20)
        path.cubicTo(3, 13, 15, 13, 15, 17)
        painter.drawPath(path)
        shield = QPainterPath()
        shield.moveTo(18, 10)
        shield.lineTo(22, 11.5)
        shield.cubicTo(22, 17, 20, 19.5, 18, 21)
        shield.cubicTo(16, 19.5, 14, 17, 14, 11.5)
        shield.closeSubpath()
        painter.drawPath(shield)
    elif name in ("given", "done", "tick"):
        painter.drawEllipse(QPointF(12, 12), 9, 9)
        painter.drawPolyline([QPointF(7.5, 12.5), QPointF(10.5, 15.5), QPointF(16.5, 9)])
    elif name in ("withdrawn", "cross"):
        painter.drawEllipse(QPointF(12, 12), 9, 9)
        painter.drawLine(QPointF(8.5, 8.5), QPointF(15.5, 15.5))
        painter.drawLine(QPointF(15.5, 8.5), QPointF(8.5, 15.5))
    elif name in ("expired", "clock", "due"):
        painter.drawEllipse(QPointF(12, 12), 9, 9)
        painter.drawPolyline([QPointF(12, 7), QPointF(12, 12), QPointF(15.5, 14)])
    elif name == "overdue":
        painter.drawEllipse(QPointF(12, 12), 9, 9)
        painter.drawLine(QPointF(12, 6.5), QPointF(12, 13))
        painter.setBrush(fill)
        painter.drawEllipse(QPointF(12, 16.8), 1, 1)
    elif name == "none":
        painter.drawEllipse(QPointF(12, 12), 9, 9)
        painter.drawLine(QPointF(8, 12), QPointF(16, 12))
    elif name == "override":
        path = QPainterPath()
        path.moveTo(12, 2.5)
        path.lineTo(21.5, 12)
        path.lineTo(12, 21.5)
        path.lineTo(2.5, 12)
        path.closeSubpath()
        painter.drawPath(path)
        painter.drawLine(QPointF(12, 7.5), QPointF(12, 13))
        painter.setBrush(fill)
        painter.drawEllipse(QPointF(12, 16.3), 0.9, 0.9)
    elif name == "document":
        _stroke_icon("letter", painter, colour)
    elif name == "add":
        painter.drawLine(QPointF(12, 5), QPointF(12, 19))
        painter.drawLine(QPointF(5, 12), QPointF(19, 12))
    elif name == "person":
        painter.drawEllipse(QPointF(12, 8), 3.5, 3.5)
        path = QPainterPath()
        path.moveTo(4.5, 20.5)
        path.cubicTo(4.5, 13, 19.5, 13, 19.5, 20.5)
        painter.drawPath(path)
    else:  # a plain dot: never fail to draw
        painter.setBrush(fill)
        painter.drawEllipse(QPointF(12, 12), 3, 3)


ICON_NAMES = (
    "call", "email", "meeting", "letter", "visit", "text", "other", "safeguarding", "warning",
    "restricted", "locked", "young_person", "given", "done", "tick", "withdrawn", "cross",
    "expired", "clock", "due", "overdue", "none", "override", "document", "add", "person",
)


class _VectorIconEngine(QIconEngine):
    def __init__(self, name: str, colour: QColor | None) -> None:
        super().__init__()
        self._name = name
        self._colour = colour

    def _colour_for(self, mode: QIcon.Mode) -> QColor:
        palette = QApplication.palette()
        if mode == QIcon.Mode.Disabled:
            return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        if self._colour is not None:
            return QColor(self._colour)
        if mode == QIcon.Mode.Selected:
            return palette.color(QPalette.ColorRole.HighlightedText)
        return palette.color(QPalette.ColorRole.WindowText)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(rect.width(), rect.height())
        painter.translate(rect.x() + (rect.width() - side) / 2,
                          rect.y() + (rect.height() - side) / 2)
        painter.scale(side / 24.0, side / 24.0)
        _stroke_icon(self._name, painter, self._colour_for(mode))
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        return pixmap

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State,
                     scale: float) -> QPixmap:
        device = QSize(max(1, math.ceil(size.width() * scale)),
                       max(1, math.ceil(size.height() * scale)))
        pixmap = self.pixmap(device, mode, state)
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        return _VectorIconEngine(self._name, self._colour)


def icon(name: str, colour: QColor | str | None = None) -> QIcon:
    """A vector icon; ``colour`` defaults to the palette's text colour when drawn."""
    return QIcon(_VectorIconEngine(name, QColor(colour) if colour is not None else None))


def paint_icon(painter: QPainter, rect: QRectF | QRect, name: str, colour: QColor) -> None:
    """Draw icon ``name`` straight onto ``painter`` (for item delegates)."""
    r = QRectF(rect)
    side = min(r.width(), r.height())
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(r.x() + (r.width() - side) / 2, r.y() + (r.height() - side) / 2)
    painter.scale(side / 24.0, side / 24.0)
    _stroke_icon(name, painter, colour)
    painter.restore()


# ======================================================================================
# Colours: the safeguarding red and status chips


@dataclass(frozen=True)
class BarColours:
    background: str
    foreground: str
    border: str


# Solid red with white text: it must not look like any other message.
SAFEGUARDING_COLOURS = {
    False: BarColours("#a4262c", "#ffffff", "#751b1f"),
    True: BarColours("#b3261e", "#ffffff", "#f28b82"),
}


def safeguarding_colours(dark: bool | None = None) -> BarColours:
    return SAFEGUARDING_COLOURS[is_dark() if dark is None else dark]


def chip_colours(tone: Tone | None) -> tuple[QColor, QColor, QColor]:
    """(background, text, border) for a chip; ``None`` is a neutral chip."""
    dark = is_dark()
    if tone is None:
        palette = QApplication.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        background = palette.color(QPalette.ColorRole.AlternateBase if dark
                                   else QPalette.ColorRole.Window)
        border = palette.color(QPalette.ColorRole.Mid if not dark
                               else QPalette.ColorRole.Light)
        return background, text, border
    c = tone_colours(tone, dark)
    return QColor(c.background), QColor(c.foreground), QColor(c.border)


def chip_width(font: QFont, text: str) -> int:
    fm = QFontMetrics(font)
    # 6 padding + icon (chip height − 6 = font height + 2) + 4 gap + text + 10 padding.
    return fm.horizontalAdvance(text) + fm.height() + 22


def paint_chip(painter: QPainter, rect: QRectF, text: str, tone: Tone | None,
               icon_name: str | None, font: QFont,
               colours: tuple[QColor, QColor, QColor] | None = None) -> None:
    """A rounded chip: [icon] words, in the tone's colours."""
    background, foreground, border = colours or chip_colours(tone)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(border, 1))
    painter.setBrush(background)
    painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
    painter.setFont(font)
    x = rect.x() + 6
    if icon_name:
        side = rect.height() - 6
        paint_icon(painter, QRectF(x, rect.y() + 3, side, side), icon_name, foreground)
        x += side + 4
    painter.setPen(foreground)
    painter.drawText(QRectF(x, rect.y(), rect.right() - x - 4, rect.height()),
                     int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
    painter.restore()


class Chip(QLabel):
    """A status chip as a widget: icon + words + colour (never colour alone)."""

    def __init__(self, text: str = "", tone: Tone | None = None, icon_name: str | None = None,
                 parent: QWidget | None = None, *,
                 colours: tuple[QColor, QColor, QColor] | None = None) -> None:
        super().__init__(parent)
        self._tone = tone
        self._icon = icon_name
        self._colours = colours
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.set_chip(text, tone, icon_name)

    def set_chip(self, text: str, tone: Tone | None = None, icon_name: str | None = None,
                 colours: tuple[QColor, QColor, QColor] | None = None) -> None:
        self._tone, self._icon, self._colours = tone, icon_name, colours
        self.setText(text)
        self.setAccessibleName(text)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(chip_width(self.font(), self.text()), fm.height() + 8)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        paint_chip(painter, QRectF(self.rect()), self.text(), self._tone, self._icon,
                   self.font(), self._colours)
        painter.end()


class ChipLook(NamedTuple):
    """What a chip cell shows; ``colours`` only where they are not the tone's."""

    words: str
    tone: Tone | None
    icon_name: str | None
    colours: tuple[QColor, QColor, QColor] | None = None


def paint_item_background(delegate: QStyledItemDelegate, painter: QPainter,
                          option: QStyleOptionViewItem,
                          index: QModelIndex | QPersistentModelIndex) -> QStyleOptionViewItem:
    """Paint a cell's selection and hover background but not its text; the cell's style
    option comes back for the delegate to paint its own content in."""
    opt = QStyleOptionViewItem(option)
    delegate.initStyleOption(opt, index)
    opt.text = ""
    widget = opt.widget
    if widget is not None:
        widget.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt,
                                     painter, widget)
    return opt


class ChipDelegate(QStyledItemDelegate):
    """Table cells drawn as chips, still readable when selected.

    A subclass says what a cell shows (``chip``; None draws the cell as usual) and
    the longest words a chip can hold (``WIDEST``, so the column fits them).
    """

    WIDEST: ClassVar[str] = ""

    def chip(self, index: QModelIndex | QPersistentModelIndex) -> ChipLook | None:
        raise NotImplementedError

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        fm = QFontMetrics(option.font)
        return QSize(fm.horizontalAdvance(self.WIDEST) + fm.height() + 30, fm.height() + 14)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        look = self.chip(index)
        if look is None:
            super().paint(painter, option, index)
            return
        opt = paint_item_background(self, painter, option, index)
        paint_chip(painter, QRectF(opt.rect).adjusted(4, 3, -4, -3), look.words, look.tone,
                   look.icon_name, opt.font, look.colours)


# ======================================================================================
# Dates in UK form, and plain-words errors


def qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def uk_date(d: date | None, blank: str = "") -> str:
    return d.strftime("%d/%m/%Y") if d is not None else blank


def local_time(dt: datetime) -> datetime:
    """A stored UTC time as local wall-clock time (naive times are already local)."""
    return dt.astimezone().replace(tzinfo=None) if dt.tzinfo is not None else dt


def uk_datetime(dt: datetime | None, blank: str = "") -> str:
    return local_time(dt).strftime("%d/%m/%Y %H:%M") if dt is not None else blank


_DATE_RE = re.compile(r"^\s*(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{2}|\d{4})\s*$")
_ISO_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def parse_uk_date(text: str, what: str = "date") -> date | None:
    """``dd/mm/yyyy`` (also d/m/yy and yyyy-mm-dd); blank is ``None``."""
    if not text.strip():
        return None
    iso = _ISO_RE.match(text)
    if iso:
        y, m, d = (int(g) for g in iso.groups())
    else:
        match = _DATE_RE.match(text)
        if not match:
            raise InvalidInput(f"Type the {what} as day/month/year, for example 17/05/2009.")
        d, m, y = (int(g) for g in match.groups())
        if y < 100:
            # Two-digit years: never in the future.
            y += 2000 if 2000 + y <= date.today().year else 1900
    try:
        return date(y, m, d)
    except ValueError:
        raise InvalidInput(f"The {what} is not a real date (check the day and month).") from None


def user_message(exc: BaseException, fallback: str = "That did not work, and nothing was "
                 "changed. Try again; if it keeps happening, ask your administrator.") -> str:
    """What to tell the user: our errors are written for them; anything else is not."""
    if isinstance(exc, SendiassError):
        return str(exc)
    return fallback


# ======================================================================================
# Small widgets


class DateField(QLineEdit):
    """A date typed as dd/mm/yyyy; may be left blank when ``optional``."""

    def __init__(self, name: str, parent: QWidget | None = None, *, optional: bool = True,
                 value: date | None = None, what: str | None = None) -> None:
        super().__init__(parent)
        self._optional = optional
        self._what = what or name.lower()
        self.setPlaceholderText("dd/mm/yyyy")
        self.setAccessibleName(name)
        self.setAccessibleDescription("Day, month and year, for example 17/05/2009"
                                      + (". Leave blank if not known." if optional else "."))
        self.setMaxLength(12)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 24)
        self.set_date(value)

    def set_date(self, value: date | None) -> None:
        self.setText(uk_date(value))

    def date_value(self) -> date | None:
        """The date, ``None`` if blank; ``InvalidInput`` if it is not a date or is required."""
        value = parse_uk_date(self.text(), self._what)
        if value is None and not self._optional:
            raise InvalidInput(f"Type the {self._what}.")
        return value


class GuardedTextEdit(QPlainTextEdit):
    """Plain text whose Copy and Cut go through the clipboard guard.

    The guard clears the clipboard when the app locks or quits, or after a
    minute. Dragging text out is turned off for the same reason.
    """

    def __init__(self, name: str, parent: QWidget | None = None, *,
                 read_only: bool = False) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setReadOnly(read_only)
        self.setTabChangesFocus(True)

    def copy_selection(self) -> None:
        text = self.textCursor().selectedText().replace("\u2029", "\n")
        if text:
            shared_guard().copy_secret(text)

    def cut_selection(self) -> None:
        if self.isReadOnly():
            self.copy_selection()
            return
        cursor = self.textCursor()
        if cursor.hasSelection():
            self.copy_selection()
            cursor.removeSelectedText()

    def createMimeDataFromSelection(self) -> QMimeData:
        return QMimeData()  # nothing leaves by dragging or the default clipboard path

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            return
        if event.matches(QKeySequence.StandardKey.Cut):
            self.cut_selection()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        has_selection = self.textCursor().hasSelection()
        editable = not self.isReadOnly()

        def add(text: str, slot: Callable[[], None], enabled: bool) -> None:
            action = QAction(text, menu)
            action.setEnabled(enabled)
            action.triggered.connect(slot)
            menu.addAction(action)

        if editable:
            add("&Undo", self.undo, self.document().isUndoAvailable())
            add("&Redo", self.redo, self.document().isRedoAvailable())
            menu.addSeparator()
            add("Cu&t", self.cut_selection, has_selection)
        add("&Copy", self.copy_selection, has_selection)
        if editable:
            add("&Paste", self.paste, self.canPaste())
        menu.addSeparator()
        add("Select &all", self.selectAll, True)
        menu.exec(event.globalPos())


def button(text: str, name: str | None = None, parent: QWidget | None = None, *,
           icon_name: str | None = None, tip: str = "") -> QPushButton:
    """A push button with an accessible name (its words without the & marker)."""
    b = QPushButton(text, parent)
    b.setAccessibleName(name or text.replace("&", "").rstrip("…").strip())
    if icon_name:
        b.setIcon(icon(icon_name))
    if tip:
        b.setToolTip(tip)
    b.setAutoDefault(False)
    return b


def buddy(text: str, field: QWidget, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(field)
    if not field.accessibleName():
        field.setAccessibleName(text.replace("&", "").rstrip(":").strip())
    return label


def split_panel(panel: QWidget, message: QWidget, top: QWidget, bottom: QWidget,
                stretch: tuple[int, int]) -> None:
    """Lay out a case panel: ``message`` across it, then ``top`` over ``bottom`` in a
    splitter that shares the height as ``stretch`` and never squeezes either away."""
    splitter = QSplitter(Qt.Orientation.Vertical, panel)
    splitter.addWidget(top)
    splitter.addWidget(bottom)
    splitter.setStretchFactor(0, stretch[0])
    splitter.setStretchFactor(1, stretch[1])
    splitter.setChildrenCollapsible(False)
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(8, 8, 8, 8)
    layout.addWidget(message)
    layout.addWidget(splitter, 1)


class FormDialog(QDialog):
    """Heading, a line of explanation, a form, an inline message and OK/Cancel.

    Subclasses fill ``self.form`` and implement ``submit``; they call
    ``self.fail(exc)`` on errors so the message appears inline in plain words.
    """

    def __init__(self, title: str, intro: str, ok_text: str, parent: QWidget | None = None,
                 *, width_chars: int = 70) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setModal(True)
        heading = QLabel(title, self)
        heading.setFont(heading_font(self, 1.25))
        heading.setWordWrap(True)
        self.intro = HintLabel(intro, self)
        self.intro.setVisible(bool(intro))
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.message = InlineMessage(self, f"{title} message")
        self.ok_button = button(ok_text, parent=self)
        self.ok_button.setDefault(True)
        self.ok_button.setAutoDefault(True)
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button = button("Cancel", parent=self)
        self.cancel_button.clicked.connect(self.reject)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.cancel_button)
        self.buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        self.extra = QVBoxLayout()
        layout.addLayout(self.extra)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * width_chars)

    def fit_to_content(self) -> None:
        fit_height(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def submit(self) -> None:  # pragma: no cover - every dialog overrides it
        self.accept()

    def fail(self, exc: BaseException, focus: QWidget | None = None) -> None:
        if isinstance(exc, EditConflict):
            self.message.show_message(f"{exc} Close this window and open it again to see "
                                      "the newer version.")
        else:
            self.message.show_message(user_message(exc))
        if focus is not None:
            focus.setFocus()
