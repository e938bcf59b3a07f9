"""Colours, fonts and the light/dark palette.

The app follows the operating system's palette. The only colours chosen
here are *semantic* accents (error red, warning amber, information blue,
success green, the demo purple), each defined as a background/foreground
pair for light and for dark palettes so the text keeps at least 4.5:1
contrast (WCAG AA) in both. ``SENDIASS_THEME=dark`` or ``light`` forces a
palette, for testing and screenshots.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QWidget,
)

THEME_ENV = "SENDIASS_THEME"


class Tone(Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    SUCCESS = "success"
    DEMO = "demo"


@dataclass(frozen=True)
class ToneColours:
    background: str
    foreground: str
    border: str


_LIGHT: dict[Tone, ToneColours] = {
    Tone.ERROR: ToneColours("#fde7e9", "#8a1c22", "#d13438"),
    Tone.WARNING: ToneColours("#fff4ce", "#4d3800", "#c19c00"),
    Tone.INFO: ToneColours("#e8f2fb", "#0b3a5e", "#2b88d8"),
    Tone.SUCCESS: ToneColours("#dff6dd", "#0e4d0e", "#107c10"),
    Tone.DEMO: ToneColours("#5c2d91", "#ffffff", "#3b1a63"),
}

_DARK: dict[Tone, ToneColours] = {
    Tone.ERROR: ToneColours("#4a2426", "#ffd0d3", "#e0707a"),
    Tone.WARNING: ToneColours("#463818", "#ffe8a8", "#c9a227"),
    Tone.INFO: ToneColours("#1d3349", "#d2e8fc", "#5aa7ea"),
    Tone.SUCCESS: ToneColours("#1d3a1d", "#c9f0c5", "#5cb85c"),
    Tone.DEMO: ToneColours("#6a3aa6", "#ffffff", "#b79ae0"),
}


def tone_colours(tone: Tone, dark: bool) -> ToneColours:
    return (_DARK if dark else _LIGHT)[tone]


def all_tone_colours() -> dict[tuple[Tone, bool], ToneColours]:
    """Every accent pair, for the contrast test."""
    return {(tone, dark): tone_colours(tone, dark) for tone in Tone for dark in (False, True)}


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: QColor) -> float:
    r, g, b = (_linear(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: QColor | str, b: QColor | str) -> float:
    la, lb = (relative_luminance(QColor(c)) for c in (a, b))
    high, low = max(la, lb), min(la, lb)
    return (high + 0.05) / (low + 0.05)


def is_dark(palette: QPalette | None = None) -> bool:
    if palette is None:
        palette = QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone_stylesheet(tone: Tone, object_name: str, palette: QPalette | None = None) -> str:
    """A style sheet for a frame named ``object_name`` and the labels inside it."""
    c = tone_colours(tone, is_dark(palette))
    return (
        f"QFrame#{object_name} {{ background-color: {c.background}; "
        f"border: 1px solid {c.border}; border-radius: 4px; }}"
        f"QFrame#{object_name} QLabel {{ color: {c.foreground}; background: transparent; "
        "border: none; }"
    )


def dark_palette() -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    group = QPalette.ColorGroup
    colours = {
        role.Window: "#1f2023",
        role.WindowText: "#eeeeee",
        # Fields and buttons a step lighter than the window, so their edges show.
        role.Base: "#34363c",
        role.AlternateBase: "#2a2b30",
        role.ToolTipBase: "#2a2b2f",
        role.ToolTipText: "#eeeeee",
        role.PlaceholderText: "#a4a4a8",
        role.Text: "#eeeeee",
        role.Button: "#3a3c42",
        role.ButtonText: "#eeeeee",
        role.BrightText: "#ff8a8a",
        role.Light: "#55575e",
        role.Midlight: "#45474d",
        role.Mid: "#2b2c30",
        role.Dark: "#151618",
        role.Shadow: "#000000",
        role.Highlight: "#3a74c9",
        role.HighlightedText: "#ffffff",
        role.Link: "#8ab4f8",
        role.LinkVisited: "#c19ff5",
    }
    for r, value in colours.items():
        p.setColor(r, QColor(value))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#7d7e84"))
    p.setColor(group.Disabled, role.Highlight, QColor("#4a4b50"))
    return p


# Edges of check boxes and text fields on the dark palette: Fusion draws them
# darker than the window, which vanishes on a dark background. 3:1 or better.
DARK_CONTROL_EDGE = "#9a9ca3"


class _DarkEdgesStyle(QProxyStyle):
    """Fusion, with visible edges on check boxes, radio buttons and text fields."""

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        pe = QStyle.PrimitiveElement
        if element not in (pe.PE_IndicatorCheckBox, pe.PE_IndicatorRadioButton,
                           pe.PE_FrameLineEdit):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(DARK_CONTROL_EDGE), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rect = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
        if element == pe.PE_IndicatorRadioButton:
            painter.drawEllipse(rect)
        else:
            painter.drawRoundedRect(rect, 2, 2)
        painter.restore()


def apply_theme(app: QApplication, mode: str | None = None) -> str:
    """Apply the palette asked for (``system``, ``light`` or ``dark``); return it."""
    mode = (mode or os.environ.get(THEME_ENV) or "system").strip().lower()
    if mode not in {"light", "dark"}:
        return "system"
    if mode == "dark":
        app.setStyle(_DarkEdgesStyle("Fusion"))
        app.setPalette(dark_palette())
        return mode
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    app.setPalette(app.style().standardPalette())
    return mode


def scaled_font(base: QFont, scale: float = 1.0, bold: bool = False) -> QFont:
    font = QFont(base)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale)
    elif font.pixelSize() > 0:
        font.setPixelSize(round(font.pixelSize() * scale))
    font.setBold(bold)
    return font


def heading_font(widget: QWidget, scale: float = 1.4) -> QFont:
    return scaled_font(widget.font(), scale, bold=True)


def monospace_font(widget: QWidget, scale: float = 1.0) -> QFont:
    mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    base = widget.font()
    if base.pointSizeF() > 0:
        mono.setPointSizeF(base.pointSizeF() * scale)
    return mono


def secondary_text_colour(palette: QPalette | None = None) -> QColor:
    """Muted text that still reads (placeholder colour is too faint for sentences)."""
    palette = palette or QApplication.palette()
    text = palette.color(QPalette.ColorRole.WindowText)
    window = palette.color(QPalette.ColorRole.Window)
    # Three quarters of the way from the background to the text colour.
    mix = QColor(
        round(window.red() + (text.red() - window.red()) * 0.75),
        round(window.green() + (text.green() - window.green()) * 0.75),
        round(window.blue() + (text.blue() - window.blue()) * 0.75),
    )
    return mix
