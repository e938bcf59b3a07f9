"""The anonymised service statistics report: its contents, CSV and PDF (rule 7).

``StatisticsReport`` is what ``services.statistics.run_statistics`` returns and
what the statistics screen, the CSV and the PDF show. It holds only the
*published* form of each table (``domain.statistics.SuppressedTable``: shown
text and which cells are hidden), never the counts behind it, and refuses
to be built with a visible count between 1 and 4. (It lives here rather than
in ``domain`` for the same reason as ``RecoverySheet``: this module renders it
and may depend only on ``domain``; ``services`` re-exports it.)

CSV, one long table (chosen over one block per table so that a spreadsheet or
a script can filter and pivot it without parsing titles): a header row
``table,row,column,value`` and then one row per cell, totals included, in
table order. ``value`` is exactly the text published: a number, ``0``, ``<5``
or ``c``. UTF-8 with a byte-order mark so Excel reads the dashes in the
labels correctly.

PDF (landscape A4, built in memory): title, period, a short note on method,
then each table followed by a bar chart of its Total column. A chart draws a
bar only for a number that is shown; a hidden count is drawn as a small
hatched box of fixed size labelled "<5" or "c", never at its true value. With
rounding on, bars are drawn at the rounded number.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from sendiass_desktop.domain.statistics import (
    PRIMARY_MARK,
    SECONDARY_MARK,
    THRESHOLD,
    CellState,
    SuppressedTable,
)

__all__ = [
    "CSV_HEADER",
    "ChartBar",
    "StatisticsPeriod",
    "StatisticsReport",
    "StatisticsTable",
    "chart_bars",
    "render_statistics_csv",
    "render_statistics_pdf",
]

CSV_HEADER: Final = ("table", "row", "column", "value")
HIDDEN_MARKS: Final = frozenset({PRIMARY_MARK, SECONDARY_MARK})


# --- the report ---------------------------------------------------------------------


@dataclass(frozen=True)
class StatisticsPeriod:
    """The dates covered and the columns they are split into."""

    start: date
    end: date
    by: str  # "month" or "quarter"
    column_labels: tuple[str, ...]

    def describe(self) -> str:
        return f"{_uk_date(self.start)} to {_uk_date(self.end)}, by {self.by}"


@dataclass(frozen=True)
class StatisticsTable:
    title: str
    counts_what: str  # one sentence: what a count in this table is
    table: SuppressedTable


def _check_published(table: SuppressedTable) -> None:
    for row, states in zip(table.cells, table.states, strict=True):
        for text, state in zip(row, states, strict=True):
            if state is CellState.SHOWN:
                if text in HIDDEN_MARKS or not text.isdigit():
                    raise ValueError("a shown cell must be a whole number")
                if 0 < int(text) < THRESHOLD:
                    raise ValueError("a count below the threshold would be published")
            elif text not in HIDDEN_MARKS:
                raise ValueError("a hidden cell must be shown as a mark")


@dataclass(frozen=True)
class StatisticsReport:
    period: StatisticsPeriod
    generated_at: datetime
    tables: tuple[StatisticsTable, ...]
    method_notes: tuple[str, ...]
    rounded: bool = False
    service_name: str = ""

    def __post_init__(self) -> None:
        # The last line of defence for rule 7: this object is what gets shown,
        # saved and printed, so it cannot exist with a small number in it.
        for item in self.tables:
            _check_published(item.table)

    def table(self, title: str) -> StatisticsTable:
        for item in self.tables:
            if item.title == title:
                return item
        raise KeyError(title)


# --- CSV ----------------------------------------------------------------------------


def _csv_safe(text: str) -> str:
    """Keep a spreadsheet from reading a label as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_statistics_csv(report: StatisticsReport) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for item in report.tables:
        t = item.table
        for r, row_label in enumerate(t.row_labels):
            for c, column_label in enumerate(t.column_labels):
                writer.writerow((_csv_safe(item.title), _csv_safe(row_label),
                                 _csv_safe(column_label), t.cells[r][c]))
    return out.getvalue().encode("utf-8-sig")


# --- charts -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartBar:
    """One bar of a table's chart: ``value`` is None when the count is hidden."""

    label: str
    shown: str
    value: int | None


def chart_bars(table: SuppressedTable) -> tuple[ChartBar, ...]:
    """Bars for the Total column of each category row (not the grand total).

    Built from the published text only, so a hidden count has no value to plot.
    """
    last = len(table.column_labels) - 1
    bars = []
    for r in range(len(table.row_labels) - 1):
        shown = table.cells[r][last]
        value = None if table.states[r][last] is not CellState.SHOWN else int(shown)
        bars.append(ChartBar(table.row_labels[r], shown, value))
    return tuple(bars)


# --- look and feel ------------------------------------------------------------------

_FONT_DIR: Final = Path(__file__).resolve().parent.parent / "resources" / "fonts"
_FAMILY: Final = "SendiassStatsSans"
_INK: Final = colors.HexColor("#1C2B39")
_MUTED: Final = colors.HexColor("#5B6B7A")
_ACCENT: Final = colors.HexColor("#1F4E79")
_RULE: Final = colors.HexColor("#C9D3DD")
_PANEL: Final = colors.HexColor("#F2F5F8")
_BAR: Final = colors.HexColor("#2E75B6")
_HATCH: Final = colors.HexColor("#8A97A5")

_PAGE: Final = landscape(A4)
_MARGIN: Final = 15 * mm
_CONTENT_WIDTH: Final = _PAGE[0] - 2 * _MARGIN
_LABEL_WIDTH: Final = 62 * mm
_MAX_PERIOD_COLUMNS: Final = 13  # more than this and a table is split into column groups
_MONTHS: Final = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")


def _uk_date(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class _Fonts:
    regular: str
    bold: str


@functools.cache
def _fonts() -> _Fonts:
    regular, bold = _FONT_DIR / "DejaVuSans.ttf", _FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return _Fonts("Helvetica", "Helvetica-Bold")  # labels are ours: Latin-1 is enough
    pdfmetrics.registerFont(TTFont(_FAMILY, str(regular)))
    pdfmetrics.registerFont(TTFont(f"{_FAMILY}-Bold", str(bold)))
    return _Fonts(_FAMILY, f"{_FAMILY}-Bold")


def _styles(fonts: _Fonts) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=fonts.regular, fontSize=9.5, leading=13,
                          textColor=_INK)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=fonts.bold, fontSize=18,
                                leading=22, textColor=_ACCENT),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=14,
                                   textColor=_MUTED),
        "heading": ParagraphStyle("heading", parent=base, fontName=fonts.bold, fontSize=12,
                                  leading=15, textColor=_ACCENT, spaceBefore=10, spaceAfter=2),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11,
                                textColor=_MUTED),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=fonts.bold,
                                    fontSize=8.5, leading=10.5),
        "bullet": ParagraphStyle("bullet", parent=base, leftIndent=12, bulletIndent=2,
                                 spaceAfter=2),
    }


def _column_groups(n_periods: int) -> list[list[int]]:
    """Period column indexes per printed table; the Total column goes with the last."""
    groups = [list(range(i, min(i + _MAX_PERIOD_COLUMNS, n_periods)))
              for i in range(0, n_periods, _MAX_PERIOD_COLUMNS)] or [[]]
    groups[-1].append(n_periods)  # the Total column
    return groups


def _grid(item: StatisticsTable, columns: list[int], styles: dict[str, ParagraphStyle]
          ) -> Table:
    t = item.table
    last_row = len(t.row_labels) - 1
    header = [Paragraph("", styles["cell"])] + [
        Paragraph(escape(t.column_labels[c]), styles["cell_bold"]) for c in columns]
    rows: list[list[Any]] = [header]
    for r, label in enumerate(t.row_labels):
        style = styles["cell_bold"] if r == last_row else styles["cell"]
        rows.append([Paragraph(escape(label), style)] + [t.cells[r][c] for c in columns])
    width = (_CONTENT_WIDTH - _LABEL_WIDTH) / max(len(columns), 1)
    width = min(width, 22 * mm)
    table = Table(rows, colWidths=[_LABEL_WIDTH] + [width] * len(columns), hAlign="LEFT",
                  repeatRows=1)
    total_col = len(columns) if columns and columns[-1] == len(t.column_labels) - 1 else None
    commands: list[tuple[Any, ...]] = [
        ("FONT", (1, 1), (-1, -1), _fonts().regular, 8.5),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.4, _RULE),
        ("BACKGROUND", (0, 0), (-1, 0), _PANEL),
        ("BACKGROUND", (0, -1), (-1, -1), _PANEL),
        ("FONT", (1, -1), (-1, -1), _fonts().bold, 8.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if total_col is not None:
        commands += [("BACKGROUND", (total_col, 0), (total_col, -1), _PANEL),
                     ("FONT", (total_col, 1), (total_col, -1), _fonts().bold, 8.5)]
    table.setStyle(TableStyle(commands))
    return table


_BAR_ROW: Final = 13.0
_HATCH_WIDTH: Final = 16.0


def _chart(item: StatisticsTable, fonts: _Fonts) -> Drawing:
    bars = chart_bars(item.table)
    label_width = _LABEL_WIDTH
    plot_width = _CONTENT_WIDTH * 0.62 - label_width
    height = _BAR_ROW * len(bars) + 6
    drawing = Drawing(_CONTENT_WIDTH * 0.62, height)
    largest = max((b.value for b in bars if b.value is not None), default=0) or 1
    for i, bar in enumerate(bars):
        y = height - (i + 1) * _BAR_ROW
        label = bar.label
        while label and pdfmetrics.stringWidth(label, fonts.regular, 8) > label_width - 6:
            label = label[:-2] + "…"
        drawing.add(String(label_width - 4, y + 3, label, fontName=fonts.regular, fontSize=8,
                           fillColor=_INK, textAnchor="end"))
        x0 = label_width
        drawing.add(Line(x0, y, x0, y + _BAR_ROW, strokeColor=_MUTED, strokeWidth=0.5))
        if bar.value is None:
            # Hidden: a fixed-size hatched box that says nothing about the count.
            box = Rect(x0 + 1, y + 2, _HATCH_WIDTH, _BAR_ROW - 4, fillColor=colors.white,
                       strokeColor=_HATCH, strokeWidth=0.6)
            drawing.add(box)
            step = 4.0
            x = x0 + 1 - (_BAR_ROW - 4)
            while x < x0 + 1 + _HATCH_WIDTH:
                left, right = max(x, x0 + 1), min(x + _BAR_ROW - 4, x0 + 1 + _HATCH_WIDTH)
                if right > left:
                    drawing.add(Line(left, y + 2 + (left - x), right, y + 2 + (right - x),
                                     strokeColor=_HATCH, strokeWidth=0.5))
                x += step
            end = x0 + 1 + _HATCH_WIDTH
        else:
            length = plot_width * bar.value / largest
            if length > 0:
                drawing.add(Rect(x0 + 1, y + 2, length, _BAR_ROW - 4, fillColor=_BAR,
                                 strokeColor=None))
            end = x0 + 1 + length
        drawing.add(String(end + 3, y + 3, bar.shown, fontName=fonts.regular, fontSize=8,
                           fillColor=_INK))
    return drawing


def _table_section(item: StatisticsTable, styles: dict[str, ParagraphStyle],
                   fonts: _Fonts) -> list[Flowable]:
    n_periods = len(item.table.column_labels) - 1
    parts: list[Flowable] = [
        Paragraph(escape(item.title), styles["heading"]),
        Paragraph(escape(item.counts_what), styles["small"]),
        Spacer(1, 4),
    ]
    for group in _column_groups(n_periods):
        parts += [_grid(item, group, styles), Spacer(1, 4)]
    chart: list[Flowable] = [Spacer(1, 2), Paragraph("Total for each row", styles["small"]),
                             _chart(item, fonts)]
    if any(b.value is None for b in chart_bars(item.table)):
        chart.append(Paragraph(
            "Hatched boxes are hidden counts (shown as “&lt;5” or “c”). They are all the same "
            "size and are not drawn to scale.", styles["small"]))
    return [CondPageBreak(60 * mm), *parts, KeepTogether(chart)]


def _story(report: StatisticsReport) -> list[Flowable]:
    fonts = _fonts()
    styles = _styles(fonts)
    story: list[Flowable] = [Paragraph("Service statistics", styles["title"])]
    if report.service_name.strip():
        story.append(Paragraph(escape(report.service_name.strip()), styles["subtitle"]))
    rounding = " Shown counts are rounded to the nearest five." if report.rounded else ""
    story += [
        Paragraph(escape(f"Period: {report.period.describe()}. Produced on "
                         f"{_uk_date(report.generated_at.date())}.") + rounding,
                  styles["body"]),
        Paragraph("How these figures are made safe to share", styles["heading"]),
        *[Paragraph(escape(note), styles["bullet"], bulletText="•")
          for note in report.method_notes],
    ]
    for item in report.tables:
        story += _table_section(item, styles, fonts)
    return story


def _furniture(canvas: Any, doc: Any) -> None:
    fonts = _fonts()
    canvas.saveState()
    canvas.setFillColor(_ACCENT)
    canvas.rect(0, _PAGE[1] - 5 * mm, _PAGE[0], 5 * mm, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(fonts.bold, 7.5)
    canvas.drawString(_MARGIN, _PAGE[1] - 3.5 * mm, "SENDIASS Desktop — service statistics")
    canvas.drawRightString(_PAGE[0] - _MARGIN, _PAGE[1] - 3.5 * mm,
                           "Anonymised: small counts hidden")
    canvas.setFillColor(_MUTED)
    canvas.setFont(fonts.regular, 7.5)
    canvas.drawString(_MARGIN, 7 * mm, "Counts below five are shown as <5; c marks a count "
                      "hidden so that the <5 counts cannot be worked out from the totals.")
    canvas.drawRightString(_PAGE[0] - _MARGIN, 7 * mm, f"Page {canvas.getPageNumber()}")
    canvas.restoreState()


def render_statistics_pdf(report: StatisticsReport) -> bytes:
    """The report as PDF bytes, built in memory (no temporary file)."""
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=_PAGE, title="Service statistics",
                          author="SENDIASS Desktop", subject="Anonymised service statistics",
                          creator="SENDIASS Desktop", lang="en-GB")
    frame = Frame(_MARGIN, 12 * mm, _CONTENT_WIDTH, _PAGE[1] - 12 * mm - 10 * mm,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="content")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_furniture)])
    doc.build(_story(report))
    return buffer.getvalue()
