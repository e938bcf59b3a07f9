"""The printed recovery sheet: one A4 page that holds the store's recovery key.

The sheet is printed once, at set-up (and again only after an admin rotates
the keys), then locked away, possibly for years. Whoever picks it up next may
be a new office manager who has never heard of key slots, so the page says in
plain words what the key is for, how to keep it, and what to do if it is lost
or seen, and lays the key out so it can be read aloud and typed in groups.

Security rules this module keeps:

* The PDF is built in memory (``io.BytesIO``); nothing is written to disk, not
  even a temporary file, because the bytes contain the key.
* The key appears only in the page content, never in the PDF metadata (title,
  subject, keywords), which file managers and search indexers read freely.
* The key printed is re-derived from a key that has passed its checksum
  (:func:`recovery_key_groups`), so a sheet with a mistyped or corrupted key
  cannot be printed.
* ``RecoverySheet``'s ``repr`` leaves the key out, so the object can appear in a
  traceback or log line without exposing it.
* No service-user data: only the service's name and the store's identity.

``RecoverySheet`` lives here rather than in ``domain``: it is the input of this
one report (the key in it is already the *display* form), it has no rules of
its own, and the set-up service that fills it in already depends on
``reports``. The domain keeps the key format itself (``domain.recovery_key``).
"""

from __future__ import annotations

import datetime
import io
import uuid
from dataclasses import dataclass, field
from typing import Any, Final
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from sendiass_desktop.domain.recovery_key import GROUP_COUNT, GROUP_SIZE, recovery_key_groups

__all__ = ["RecoverySheet", "format_uk_date", "render_recovery_sheet"]


@dataclass(frozen=True, slots=True)
class RecoverySheet:
    """Everything printed on a recovery sheet.

    ``formatted_key`` is the key as :func:`format_recovery_key` shows it; it is
    excluded from ``repr`` so that logging the object cannot leak it.
    """

    formatted_key: str = field(repr=False)
    service_name: str
    store_file_name: str
    store_id: str
    created_on: datetime.date
    created_by: str
    device_binding: bool

    def __post_init__(self) -> None:
        # A full path could name the user's home folder or a network share;
        # the sheet only needs the file name, so a path is a caller's mistake.
        if not self.store_file_name or any(sep in self.store_file_name for sep in "/\\"):
            raise ValueError("store_file_name must be a file name, not a path")
        uuid.UUID(self.store_id)  # raises ValueError if it is not a UUID
        if not self.service_name.strip() or not self.created_by.strip():
            raise ValueError("service_name and created_by must not be blank")
        # Limits that keep the sheet on one page (tested at these lengths).
        for name, limit in _TEXT_LIMITS.items():
            if len(getattr(self, name)) > limit:
                raise ValueError(f"{name} is longer than {limit} characters")


#: Longest text each field may have; the sheet is tested to fit at these.
_TEXT_LIMITS: Final = {"service_name": 120, "store_file_name": 80, "created_by": 64}


_MONTHS: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_uk_date(day: datetime.date) -> str:
    """Return e.g. "26 November 2026".

    Spelled out rather than via ``strftime("%B")``, whose month names follow
    the machine's locale; the sheet is always in British English.
    """
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


# --- look and feel ---------------------------------------------------------------

_INK: Final = colors.HexColor("#1C2B39")
_MUTED: Final = colors.HexColor("#5B6B7A")
_ACCENT: Final = colors.HexColor("#1F4E79")
_RULE: Final = colors.HexColor("#C9D3DD")
_PANEL: Final = colors.HexColor("#F2F5F8")
_KEY_BOX: Final = colors.white
_WARN_FILL: Final = colors.HexColor("#FFF4E0")
_WARN_EDGE: Final = colors.HexColor("#C77700")
_WARN_INK: Final = colors.HexColor("#6B3F00")

_PAGE_WIDTH, _PAGE_HEIGHT = A4
_MARGIN: Final = 18 * mm
_TOP_MARGIN: Final = 15 * mm
_BOTTOM_MARGIN: Final = 15 * mm
_CONTENT_WIDTH: Final = _PAGE_WIDTH - 2 * _MARGIN

_KEY_FONT: Final = "Courier-Bold"
_KEY_FONT_SIZE: Final = 20
_GROUPS_PER_ROW: Final = 7


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "body", fontName="Helvetica", fontSize=9.5, leading=13, textColor=_INK, alignment=TA_LEFT
    )
    return {
        "body": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName="Helvetica-Bold", fontSize=20, leading=24,
            textColor=_ACCENT,
        ),
        "service": ParagraphStyle(
            "service", parent=base, fontSize=12, leading=15, textColor=_MUTED
        ),
        "heading": ParagraphStyle(
            "heading", parent=base, fontName="Helvetica-Bold", fontSize=11, leading=14,
            textColor=_ACCENT, spaceBefore=8, spaceAfter=3,
        ),
        "panel_heading": ParagraphStyle(
            "panel_heading", parent=base, fontName="Helvetica-Bold", fontSize=11, leading=14,
            textColor=_ACCENT,
        ),
        "bullet": ParagraphStyle(
            "bullet", parent=base, leftIndent=12, bulletIndent=2, spaceAfter=2.5
        ),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8.5, leading=11.5, textColor=_MUTED
        ),
        "label": ParagraphStyle(
            "label", parent=base, fontSize=9, leading=12, textColor=_MUTED
        ),
        "value": ParagraphStyle("value", parent=base, fontSize=9.5, leading=12),
        "warning": ParagraphStyle(
            "warning", parent=base, textColor=_WARN_INK, fontSize=9.5, leading=13
        ),
    }  # fmt: skip


def _code(text: str) -> str:
    """A command name set in Courier so it reads as something to type."""
    return f'<font name="Courier-Bold">{escape(text)}</font>'


class _KeyGrid(Flowable):  # type: ignore[misc]  # reportlab ships no type hints
    """The key as numbered boxes, seven to a row.

    Numbered boxes let two people check the key aloud ("group 9: ...") and let
    the typo message ("check group 9") point at a place on the paper.
    """

    _LABEL_HEIGHT: Final = 11.0
    _BOX_HEIGHT: Final = 32.0
    _ROW_GAP: Final = 10.0
    _COLUMN_GAP: Final = 6.0

    def __init__(self, groups: tuple[str, ...], width: float) -> None:
        super().__init__()
        self._groups = groups
        self._width = width
        self._rows = -(-len(groups) // _GROUPS_PER_ROW)
        self._box_width = (width - self._COLUMN_GAP * (_GROUPS_PER_ROW - 1)) / _GROUPS_PER_ROW

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        row_height = self._LABEL_HEIGHT + self._BOX_HEIGHT
        return self._width, self._rows * row_height + (self._rows - 1) * self._ROW_GAP

    def draw(self) -> None:
        canvas: Any = self.canv
        _, height = self.wrap(self._width, 0)
        row_height = self._LABEL_HEIGHT + self._BOX_HEIGHT + self._ROW_GAP
        for index, group in enumerate(self._groups):
            row, column = divmod(index, _GROUPS_PER_ROW)
            x = column * (self._box_width + self._COLUMN_GAP)
            top = height - row * row_height
            box_bottom = top - self._LABEL_HEIGHT - self._BOX_HEIGHT
            centre = x + self._box_width / 2

            canvas.setFillColor(_MUTED)
            canvas.setFont("Helvetica", 7.5)
            canvas.drawCentredString(centre, top - 8, f"{index + 1}")

            canvas.setStrokeColor(_ACCENT)
            canvas.setLineWidth(0.9)
            canvas.setFillColor(_KEY_BOX)
            canvas.roundRect(x, box_bottom, self._box_width, self._BOX_HEIGHT, 3, stroke=1, fill=1)

            canvas.setFillColor(_INK)
            canvas.setFont(_KEY_FONT, _KEY_FONT_SIZE)
            # Courier's capitals sit about 0.6 em above the baseline; centre them.
            baseline = box_bottom + (self._BOX_HEIGHT - _KEY_FONT_SIZE * 0.6) / 2
            canvas.drawCentredString(centre, baseline, group)


def _panel(content: list[Flowable], fill: Any, edge: Any, padding: float = 10) -> Table:
    """A tinted box around ``content``, used for the key and the warning."""
    table = Table([[content]], colWidths=[_CONTENT_WIDTH], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("BOX", (0, 0), (-1, -1), 0.8, edge),
                ("LEFTPADDING", (0, 0), (-1, -1), padding),
                ("RIGHTPADDING", (0, 0), (-1, -1), padding),
                ("TOPPADDING", (0, 0), (-1, -1), padding),
                ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
            ]
        )
    )
    return table


def _details_table(sheet: RecoverySheet, styles: dict[str, ParagraphStyle]) -> Table:
    binding = (
        "On: a password opens the store only on computers enrolled with this key"
        if sheet.device_binding
        else "<b>Off</b> (see the warning above)"
    )

    def label(text: str) -> Paragraph:
        return Paragraph(text, styles["label"])

    def value(text: str) -> Paragraph:
        return Paragraph(text, styles["value"])

    # The service name is the page's subtitle, so it is not repeated here.
    # Values that can be long get a whole row; the two short ones share one.
    rows = [
        [label("Store file"), value(escape(sheet.store_file_name)), "", ""],
        [label("Store ID"), value(_code(str(uuid.UUID(sheet.store_id)))), "", ""],
        [label("Set up on"), value(format_uk_date(sheet.created_on)),
         label("Set up by"), value(escape(sheet.created_by))],
        [label("Device binding"), value(binding), "", ""],
    ]  # fmt: skip
    label_width = 26 * mm
    half = _CONTENT_WIDTH / 2
    table = Table(
        rows,
        colWidths=[label_width, half - label_width, label_width, half - label_width],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (1, 0), (3, 0)),
                ("SPAN", (1, 1), (3, 1)),
                ("SPAN", (1, 3), (3, 3)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, _RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _handwriting_table(styles: dict[str, ParagraphStyle]) -> Table:
    """Blank lines to record, by hand, who holds the sheet and where."""
    label_width = 20 * mm
    half = _CONTENT_WIDTH / 2
    rows = [
        [Paragraph("Stored by", styles["label"]), "",
         Paragraph("Date", styles["label"]), ""],
        [Paragraph("Where", styles["label"]), "", "", ""],
    ]  # fmt: skip
    table = Table(
        rows,
        colWidths=[label_width, half - label_width - 12, label_width + 4, half - label_width + 8],
        rowHeights=[24, 24],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (1, 1), (3, 1)),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (1, 0), (1, 0), 0.6, _MUTED),
                ("LINEBELOW", (3, 0), (3, 0), 0.6, _MUTED),
                ("LINEBELOW", (1, 1), (3, 1), 0.6, _MUTED),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (2, 0), (2, 0), 14),  # room between the two lines
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _story(sheet: RecoverySheet) -> list[Flowable]:
    styles = _styles()
    groups = recovery_key_groups(sheet.formatted_key)
    service = escape(sheet.service_name)

    def bullets(items: list[str]) -> list[Flowable]:
        return [Paragraph(item, styles["bullet"], bulletText="•") for item in items]

    story: list[Flowable] = [
        Paragraph("Recovery sheet — SENDIASS Desktop", styles["title"]),
        Spacer(1, 2),
        Paragraph(service, styles["service"]),
        Spacer(1, 8),
        Paragraph(
            "This sheet holds the <b>recovery key</b> to the service's encrypted case records "
            "in SENDIASS Desktop. It is printed once, when the store is set up, and cannot be "
            "printed again. You will need it only if every password is lost, or to set up a "
            "new computer.",
            styles["body"],
        ),
        Spacer(1, 10),
    ]

    key_panel = _panel(
        [
            Paragraph("Recovery key", styles["panel_heading"]),
            Spacer(1, 2),
            _KeyGrid(groups, _CONTENT_WIDTH - 20),
            Spacer(1, 8),
            Paragraph(
                f"{GROUP_COUNT} groups of {GROUP_SIZE}. Digits 0–9 and the letters A–Z "
                "except I, L, O and U, so a 0 is always zero and a 1 is always one. When "
                "typing it in, small letters are fine and the hyphens or spaces between "
                "groups are optional.",
                styles["small"],
            ),
        ],
        _PANEL,
        _RULE,
    )
    story.append(key_panel)

    if not sheet.device_binding:
        story += [
            Spacer(1, 10),
            _panel(
                [
                    Paragraph(
                        "<b>Warning: this store was created without device binding.</b> "
                        "A copy of the store file and one user's password are enough to "
                        "open it on any computer. Keep the store file, and every copy or "
                        "backup of it, somewhere only the service can reach.",
                        styles["warning"],
                    )
                ],
                _WARN_FILL,
                _WARN_EDGE,
                padding=8,
            ),
        ]

    story += [
        Paragraph("Which store this key opens", styles["heading"]),
        _details_table(sheet, styles),
        Paragraph("What the key does", styles["heading"]),
        *bullets(
            [
                "It opens the store if every password has been lost or forgotten.",
                "It enrols a new computer so that it can open the store: an administrator "
                f"runs {_code('sendiass-admin enrol')} and types the key in.",
            ]
        ),
        Paragraph("Keep it safe", styles["heading"]),
        *bullets(
            [
                "Lock it away as you would the key to the safe, away from the computers.",
                "Never photograph, scan, copy or email it, and never type it into a document "
                "or keep it on a computer or phone.",
                "<b>Anyone who has this key and a copy of the store file can read every "
                "record in it.</b>",
            ]
        ),
        Paragraph("If it is lost, or someone else may have seen it", styles["heading"]),
        *bullets(
            [
                "Tell an administrator straight away. They rotate the keys and issue a new "
                f"recovery key with {_code('sendiass-admin rekey --new-recovery-key-out')} "
                "and print a new sheet; this key then no longer opens the store.",
                "Copies and backups made before the change still open with the old key, so "
                "keep them as safe as before, or replace them.",
                "Once the new sheet is locked away, shred this one.",
            ]
        ),
        Paragraph("Where this sheet is kept (fill in by hand)", styles["heading"]),
        _handwriting_table(styles),
    ]
    return story


def _draw_page_furniture(canvas: Any, doc: Any) -> None:
    """Top band and footer, drawn on the canvas rather than in the flow."""
    canvas.saveState()
    canvas.setFillColor(_ACCENT)
    canvas.rect(0, _PAGE_HEIGHT - 6 * mm, _PAGE_WIDTH, 6 * mm, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont("Helvetica-Bold", 8)
    canvas.drawString(_MARGIN, _PAGE_HEIGHT - 4.1 * mm, "SENDIASS Desktop")
    canvas.drawRightString(
        _PAGE_WIDTH - _MARGIN, _PAGE_HEIGHT - 4.1 * mm, "CONFIDENTIAL — KEEP LOCKED AWAY"
    )

    canvas.setStrokeColor(_RULE)
    canvas.setLineWidth(0.5)
    canvas.line(_MARGIN, 11 * mm, _PAGE_WIDTH - _MARGIN, 11 * mm)
    canvas.setFillColor(_MUTED)
    canvas.setFont("Helvetica", 7.5)
    canvas.drawString(
        _MARGIN,
        7 * mm,
        "Recovery sheet. Contains no information about the children, young people or "
        "families the service supports.",
    )
    canvas.restoreState()


def render_recovery_sheet(sheet: RecoverySheet) -> bytes:
    """Return the recovery sheet as PDF bytes (one A4 page), built in memory.

    Raises:
        RecoveryKeyFormatError: if ``sheet.formatted_key`` is not a valid key.
    """
    story = _story(sheet)  # validates the key before anything is drawn
    frame_height = _PAGE_HEIGHT - _TOP_MARGIN - _BOTTOM_MARGIN
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        # Metadata is readable without opening the page: no key, no names.
        title="Recovery sheet",
        author="SENDIASS Desktop",
        subject="Recovery key sheet for an encrypted SENDIASS Desktop store",
        creator="SENDIASS Desktop",
        lang="en-GB",
    )
    # A frame without its default 6 pt padding, so tables sized to the content
    # width line up with the paragraphs instead of overhanging them.
    frame = Frame(
        _MARGIN,
        _BOTTOM_MARGIN,
        _CONTENT_WIDTH,
        frame_height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="content",
    )
    document.addPageTemplates(
        [PageTemplate(id="sheet", frames=[frame], onPage=_draw_page_furniture)]
    )
    # The sheet must be one page: a second page could be separated from the
    # first and lost. Realistic text fits at full size (see the tests); in a
    # pathological case (a 120-character service name of wide letters) the
    # content is scaled down a little rather than spilling over.
    document.build([KeepInFrame(_CONTENT_WIDTH, frame_height, story, mode="shrink")])
    return buffer.getvalue()
