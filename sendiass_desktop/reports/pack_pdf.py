"""The SAR pack (or disclosure extract) as a PDF: a letter, the law's supplementary
information, an index, a key to the redaction codes, the records and their
attachments.

The reader is usually a parent who asked what the service holds about them or
their child. So the pack starts with a real letter, explains itself in plain
words, and the records are laid out to be read, not audited.

Security rules this module keeps:

* The only input is a :class:`~sendiass_desktop.domain.pack.Pack`, built after
  review. Withheld items are not in it, and a redacted passage is a
  :class:`~sendiass_desktop.domain.redaction.Segment` with an exemption and *no
  text*, so hidden text cannot reach the file by any route (content, metadata,
  bookmarks, named destinations): it was never given to us.
* A redaction is drawn as a black bar carrying the exemption code. Its width
  comes from the code alone, never from the hidden text, so the length of what
  was removed does not show either (a classic leak: bars as long as the words).
* Everything is built in memory (``io.BytesIO``); no temporary files. The result
  is returned as bytes, to be encrypted (:mod:`.pdf_encryption`) and written by
  the caller.
* Metadata holds a neutral title ("Subject access request SAR-2026-0007") and
  the service's name, nothing about the requester; no XMP, no outline, no named
  destinations, no document-level JavaScript or embedded files.
* Attachments: PDF pages are placed into our own pages as form XObjects, so
  their content and resources come across but their metadata, outlines,
  JavaScript, embedded files and links do not. Images are decoded and
  re-encoded, which drops EXIF (GPS positions, camera serials, thumbnails of an
  earlier version of the picture). Other files are listed by name and type
  only; their bytes are never embedded.

Layout decisions:

* A4 portrait; landscape A4 for landscape attachment pages.
* Page furniture on every page, attachment pages included: "Confidential" at
  the top, the reference and "Page N of M" at the bottom. Attachment pages are
  drawn by reportlab as placeholder pages (furniture plus a caption) and the
  attachment page is then put *underneath* with pikepdf, scaled to fit between
  the header and the footer so the two never overlap. This keeps one page
  numbering for the whole pack and one piece of code drawing the furniture.
* The contents list needs the page each record starts on, and the footer
  needs the total, neither known until the end. Rather than build twice, each
  page shows a form XObject that is written after the build with those
  numbers (see :class:`_PageReference`); the letter and intros refer to
  sections by name, not page, so nothing else depends on page numbers. The
  page column has a fixed width, so late numbers cannot disturb the layout.
* Records follow one another (a thousand notes must not be a thousand pages),
  each starting only where there is room for its heading and first lines.
* DejaVu Sans is bundled (``resources/fonts``) because names and notes may be
  in any script and the built-in Helvetica shows anything outside Western
  European as black squares, which would look like redactions. Characters
  the font lacks (CJK, emoji) become U+FFFD, a visible "?" in a diamond,
  rather than an empty box that copies as a space.
"""

from __future__ import annotations

import functools
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias
from xml.sax.saxutils import escape, quoteattr

import pikepdf
from PIL import Image, ImageOps
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.paragraph import split as _rl_split
from reportlab.platypus.paragraph import strip as _rl_strip

from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.pack import (
    Article15Info,
    CoverLetter,
    Pack,
    PackAttachment,
    PackKind,
    PackRecord,
)
from sendiass_desktop.domain.redaction import Segment
from sendiass_desktop.reports.recovery_sheet import format_uk_date

__all__ = [
    "AttachmentSummary",
    "describe_attachments",
    "render_pack",
]

ProgressCallback = Callable[[float], None]


# --- fonts ----------------------------------------------------------------------

_FONT_DIR: Final = Path(__file__).resolve().parent.parent / "resources" / "fonts"
_REGULAR_FILE: Final = "DejaVuSans.ttf"
_BOLD_FILE: Final = "DejaVuSans-Bold.ttf"
_FAMILY: Final = "SendiassSans"
_REPLACEMENT: Final = "\ufffd"


@dataclass(frozen=True)
class _Fonts:
    regular: str
    bold: str
    # Code points both faces can draw; None means the built-in Helvetica
    # fallback, which covers Windows-1252 only.
    supported: frozenset[int] | None

    def can_draw(self, ch: str) -> bool:
        if self.supported is None:
            try:
                ch.encode("cp1252")
            except UnicodeEncodeError:
                return False
            return True
        return ord(ch) in self.supported


@functools.cache
def _fonts() -> _Fonts:
    """Register the bundled font once per process (reportlab's registry is global)."""
    regular_path, bold_path = _FONT_DIR / _REGULAR_FILE, _FONT_DIR / _BOLD_FILE
    if not (regular_path.is_file() and bold_path.is_file()):
        # A broken installation should still produce a pack; Helvetica is always
        # there. Characters it cannot draw become "?" (see _clean), never the
        # black squares it draws by itself.
        return _Fonts("Helvetica", "Helvetica-Bold", None)
    regular = TTFont(_FAMILY, str(regular_path))
    bold = TTFont(f"{_FAMILY}-Bold", str(bold_path))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(bold)
    pdfmetrics.registerFontFamily(
        _FAMILY, normal=_FAMILY, bold=f"{_FAMILY}-Bold",
        italic=_FAMILY, boldItalic=f"{_FAMILY}-Bold",
    )  # fmt: skip
    # Only the Basic Multilingual Plane: reportlab draws DejaVu's few emoji
    # (U+1F600...) but writes a 16-bit ToUnicode entry for them, so copying or a
    # screen reader would get a wrong character ("😀" comes back as "ὠ").
    # U+FFFD is honest about it.
    supported = frozenset(
        code for code in regular.face.charToGlyph if code <= 0xFFFF
    ) & frozenset(bold.face.charToGlyph)
    return _Fonts(_FAMILY, f"{_FAMILY}-Bold", supported)


# --- text cleaning and markup -----------------------------------------------------

_NEWLINES: Final = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_PLAIN_ASCII: Final = re.compile(r"[\n\x20-\x7e]*")
_PARAGRAPH_BREAK: Final = re.compile(r"\n[ \t]*\n\s*")
_EDGE_BREAKS: Final = re.compile(r"^(?:\s|<br/>)+|(?:\s|<br/>)+$")
# Invisible or combining characters: if the font lacks them, dropping them loses
# nothing a reader could see (variation selectors, zero-width joiners, skin tones).
_DROP_IF_MISSING: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me", "Sk"})


def _clean(text: str, fonts: _Fonts) -> str:
    """Make user-entered text safe to draw: newlines normalised, control
    characters removed, characters the font lacks replaced.

    Control characters and lone surrogates would otherwise crash the PDF
    writer or draw nothing; the replacement keeps a visible mark where a
    character could not be drawn.
    """
    if _PLAIN_ASCII.fullmatch(text):
        return text  # the common case: plain ASCII (no CR, tab or control) needs nothing
    text = _NEWLINES.sub("\n", text).replace("\t", "    ")
    if _PLAIN_ASCII.fullmatch(text):
        return text
    out: list[str] = []
    replacement = _REPLACEMENT if fonts.can_draw(_REPLACEMENT) else "?"
    for ch in text:
        if ch == "\n" or (fonts.can_draw(ch) and unicodedata.category(ch) not in ("Cc", "Cs")):
            out.append(ch)
        elif unicodedata.category(ch) in _DROP_IF_MISSING:
            continue
        else:
            out.append(replacement)
    return "".join(out)


def _inline(text: str, fonts: _Fonts) -> str:
    """Markup for text that stays on one logical line (names, titles, labels)."""
    return escape(" ".join(_clean(text, fonts).split()))


def _lines(text: str, fonts: _Fonts) -> str:
    """Markup for multi-line text where each line break is kept."""
    return escape(_clean(text, fonts).strip()).replace("\n", "<br/>")


_BAR_CALLBACK: Final = "sendiassRedactionBar"
_BAR_TEXT_RATIO: Final = 0.74  # bar code size relative to the surrounding text


def _bar_markup(exemption: Exemption, font_size: float, fonts: _Fonts) -> str:
    """A redaction bar inside a paragraph: the code in white, drawn on a black
    rounded rectangle by :func:`_draw_bar`.

    The code is real text (padded with no-break spaces), so the bar takes its
    place in the line and wraps like a word, and the code can be searched and
    read aloud by a screen reader. The rectangle is drawn by an ``onDraw``
    callback straight onto the canvas, whereas the paragraph's text goes out
    when the paragraph is finished, so the white code lands on top of the
    black. Only the code decides the width.
    """
    size = round(font_size * _BAR_TEXT_RATIO, 2)
    code = exemption.short
    label = quoteattr(f"{size}|{code}")
    # The callback comes *after* the code: reportlab never wraps a word that
    # starts with a callback, so a leading one would push the bar past the
    # margin. At the end, it travels with the code onto the next line.
    return (
        f'<font name="{fonts.bold}" size="{size}" color="white">'
        f"\u00a0{escape(code)}\u00a0</font>"
        f'<onDraw name="{_BAR_CALLBACK}" label={label}/>'
    )


def _draw_bar(canvas: Any, kind: str, label: str | None) -> None:
    """reportlab ``onDraw`` callback: the black rounded bar behind a code."""
    if not label:
        return
    info = canvas._curr_tx_info  # set by reportlab around onDraw callbacks
    size_text, _, code = label.partition("|")
    size = float(size_text)
    fonts = _fonts()
    width = pdfmetrics.stringWidth(f"\u00a0{code}\u00a0", fonts.bold, size)
    # Called where the code ends (see _bar_markup), so the bar reaches back.
    x, baseline = info["cur_x"] - width, info["cur_y"]
    canvas.saveState()
    canvas.setFillColor(_BAR)
    canvas.roundRect(x, baseline - 0.42 * size, width, 1.42 * size, 0.3 * size, stroke=0, fill=1)
    canvas.restoreState()


@dataclass(frozen=True)
class _Markup:
    """A paragraph with a redaction bar in it, as reportlab Paragraph markup.

    Plain paragraphs (the great majority) are kept as plain ``str`` and laid
    out by :class:`_PlainParagraph`; only a paragraph holding a bar needs
    reportlab's markup parser, for the bar's ``onDraw`` callback.
    """

    text: str


_Block = str | _Markup

# A soft hyphen is a hyphenation point to reportlab's Paragraph, not a glyph;
# text holding one is left to Paragraph so it reads the same as before.
_SOFT_HYPHEN: Final = "\u00ad"


def _segment_blocks(segments: Iterable[Segment], font_size: float, fonts: _Fonts
                    ) -> list[_Block]:
    """The paragraphs of text with redaction markers: blank lines start a new
    paragraph and single line breaks are kept.

    A paragraph without a bar is returned as its plain (cleaned) text with
    ``\\n`` line breaks; one with a bar as :class:`_Markup`.
    """
    paragraphs: list[list[str | Exemption]] = [[]]
    for segment in segments:
        if segment.redacted is not None:
            paragraphs[-1].append(segment.redacted)
            continue
        for index, part in enumerate(_PARAGRAPH_BREAK.split(_clean(segment.text, fonts))):
            if index:
                paragraphs.append([])
            paragraphs[-1].append(part)
    blocks: list[_Block] = []
    for parts in paragraphs:
        if all(isinstance(part, str) for part in parts):
            text = "".join(parts)  # type: ignore[arg-type]  # all str, checked above
            if _SOFT_HYPHEN not in text:
                if text := text.strip():
                    blocks.append(text)
                continue
        markup = _EDGE_BREAKS.sub("", "".join(
            escape(part).replace("\n", "<br/>") if isinstance(part, str)
            else _bar_markup(part, font_size, fonts)
            for part in parts
        ))  # fmt: skip
        if markup:
            blocks.append(_Markup(markup))
    return blocks


def _segments_text_length(segments: Iterable[Segment]) -> int:
    """A rough size of a value, for choosing between table row and full width."""
    total = 0
    for segment in segments:
        total += 12 if segment.redacted is not None else len(segment.text)
        total += 80 * segment.text.count("\n")
    return total


def _used_exemptions(pack: Pack) -> tuple[Exemption, ...]:
    """The codes to explain: those the caller listed plus any bar in the records
    (so a bar is never left unexplained), in the list's fixed order."""
    used = set(pack.exemptions_used)
    for record in pack.records:
        used.update(s.redacted for s in record.body if s.redacted is not None)
        for item in record.fields:
            used.update(s.redacted for s in item.segments if s.redacted is not None)
    return tuple(e for e in Exemption if e in used)


def _uk_short(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day is not None else "Date not recorded"


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- look and feel ---------------------------------------------------------------

_INK: Final = colors.HexColor("#1C2B39")
_MUTED: Final = colors.HexColor("#5B6B7A")
_ACCENT: Final = colors.HexColor("#1F4E79")
_RULE: Final = colors.HexColor("#C9D3DD")
_PANEL: Final = colors.HexColor("#F2F5F8")
_BAR: Final = colors.HexColor("#111111")

_PAGE_WIDTH, _ = A4
_MARGIN: Final = 20 * mm
_TOP_MARGIN: Final = 20 * mm
_BOTTOM_MARGIN: Final = 20 * mm
_CONTENT_WIDTH: Final = _PAGE_WIDTH - 2 * _MARGIN

_BODY_SIZE: Final = 9.5
_LETTER_SIZE: Final = 10.5
_FIELD_SIZE: Final = 9.0
_TITLE_LIMIT: Final = 300  # characters of a record title in its heading
_INDEX_TITLE_LIMIT: Final = 160
_LONG_FIELD: Final = 1200  # longer field values go below the table, full width
_RECORD_START_SPACE: Final = 32 * mm  # room a record needs to start on this page


@functools.cache
def _styles(fonts: _Fonts) -> dict[str, ParagraphStyle]:
    """The paragraph styles, made once per set of fonts (nothing changes them)."""
    base = ParagraphStyle(
        "body", fontName=fonts.regular, fontSize=_BODY_SIZE, leading=13.5, textColor=_INK,
        alignment=TA_LEFT, spaceAfter=5, splitLongWords=True,
    )
    return {
        "body": base,
        "body_bold": ParagraphStyle("body_bold", parent=base, fontName=fonts.bold),
        "letter": ParagraphStyle(
            "letter", parent=base, fontSize=_LETTER_SIZE, leading=15, spaceAfter=8
        ),
        "letter_tight": ParagraphStyle(
            "letter_tight", parent=base, fontSize=_LETTER_SIZE, leading=14.5, spaceAfter=0
        ),
        "letter_bullet": ParagraphStyle(
            "letter_bullet", parent=base, fontSize=_LETTER_SIZE, leading=14.5, leftIndent=14,
            bulletIndent=3, spaceAfter=2,
        ),
        "letter_subject": ParagraphStyle(
            "letter_subject", parent=base, fontName=fonts.bold, fontSize=_LETTER_SIZE + 0.5,
            leading=15, spaceAfter=8, textColor=_ACCENT,
        ),
        "service_name": ParagraphStyle(
            "service_name", parent=base, fontName=fonts.bold, fontSize=12, leading=15,
            textColor=_ACCENT, alignment=TA_RIGHT, spaceAfter=2,
        ),
        "service_address": ParagraphStyle(
            "service_address", parent=base, fontSize=9, leading=12.5, textColor=_MUTED,
            alignment=TA_RIGHT, spaceAfter=0,
        ),
        "title": ParagraphStyle(
            "title", parent=base, fontName=fonts.bold, fontSize=16, leading=20,
            textColor=_ACCENT, spaceAfter=6,
        ),
        "intro": ParagraphStyle("intro", parent=base, textColor=_INK, spaceAfter=8),
        "heading": ParagraphStyle(
            "heading", parent=base, fontName=fonts.bold, fontSize=11, leading=14,
            textColor=_ACCENT, spaceBefore=8, spaceAfter=3, keepWithNext=True,
        ),
        "bullet": ParagraphStyle(
            "bullet", parent=base, leftIndent=12, bulletIndent=2, spaceAfter=2.5
        ),
        "kicker": ParagraphStyle(
            "kicker", parent=base, fontSize=8, leading=10, textColor=_MUTED, spaceAfter=1
        ),
        "record_title": ParagraphStyle(
            "record_title", parent=base, fontName=fonts.bold, fontSize=11, leading=14,
            textColor=_INK, spaceAfter=4,
        ),
        "label": ParagraphStyle(
            "label", parent=base, fontSize=8.5, leading=12, textColor=_MUTED, spaceAfter=0
        ),
        "value": ParagraphStyle(
            "value", parent=base, fontSize=_FIELD_SIZE, leading=12.5, spaceAfter=0
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11, spaceAfter=0),
        "cell_head": ParagraphStyle(
            "cell_head", parent=base, fontName=fonts.bold, fontSize=8, leading=10,
            textColor=_MUTED, spaceAfter=0,
        ),
        "caption": ParagraphStyle(
            "caption", parent=base, fontSize=8.5, leading=11, textColor=_MUTED, spaceAfter=4
        ),
    }  # fmt: skip


# --- attachments: what we can reproduce ---------------------------------------------

AttachmentHandling = Literal["pdf", "image", "listed"]

_IMAGE_FORMATS: Final = {"PNG": "PNG image", "JPEG": "JPEG image"}
_TYPE_NAMES: Final = {
    "application/pdf": "PDF document",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "application/msword": "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.oasis.opendocument.text": "Word-processor document",
    "application/rtf": "Word-processor document",
    "application/vnd.ms-excel": "Spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Spreadsheet",
    "text/csv": "Spreadsheet (CSV)",
    "application/vnd.ms-powerpoint": "Presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "Presentation",
    "message/rfc822": "Email message",
    "application/vnd.ms-outlook": "Email message",
    "text/plain": "Text file",
    "application/zip": "Compressed folder",
}
# Longest side, in pixels, an image is kept at: 300 dpi across A4 is plenty for
# print, and bigger photos would only make the pack slow to open.
_MAX_IMAGE_PIXELS: Final = 3508
# Refuse to decode more than this (a 60-megapixel image is 180 MB as pixels):
# listed instead, rather than exhausting memory on an office PC.
_MAX_DECODED_PIXELS: Final = 60_000_000


def _type_name(media_type: str) -> str:
    media_type = media_type.split(";")[0].strip().lower()
    if media_type in _TYPE_NAMES:
        return _TYPE_NAMES[media_type]
    family = media_type.partition("/")[0]
    return {"image": "Image", "audio": "Audio recording", "video": "Video recording"}.get(
        family, "File"
    )


@dataclass(frozen=True)
class AttachmentSummary:
    """How one attachment will appear in the pack; lets the screen warn a manager
    before export that some files must be sent separately."""

    filename: str
    handling: AttachmentHandling  # "pdf": pages merged; "image": one page; "listed": name only
    pages: int  # pages it adds to the pack (0 when only listed)
    type_name: str
    reason: str = ""  # why a listed file is not reproduced, in plain words


@dataclass
class _SourcePage:
    width: float  # as displayed, after /Rotate
    height: float


@dataclass
class _Planned:
    number: int  # 1-based, as shown in the index
    attachment: PackAttachment
    summary: AttachmentSummary
    pdf: pikepdf.Pdf | None = None
    pages: list[_SourcePage] = field(default_factory=list)
    # An image, decoded, cleaned and encoded again (JPEG or PNG bytes), so that
    # only the compressed form is held while the pack is built.
    image: _PreparedImage | None = None


def _looks_like_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]


def _open_pdf(attachment: PackAttachment) -> tuple[pikepdf.Pdf | None, str]:
    try:
        # BytesIO shares the bytes until written, so the attachment is not copied.
        pdf = pikepdf.open(io.BytesIO(attachment.data))
    except pikepdf.PasswordError:
        return None, "It is protected by a password, so it could not be copied into this pack."
    except Exception:  # any damage: list the file rather than fail the whole pack
        return None, "The file could not be read, so it could not be copied into this pack."
    if len(pdf.pages) == 0:
        pdf.close()
        return None, "The file has no pages to show."
    return pdf, ""


def _page_size(page: pikepdf.Page) -> _SourcePage:
    box = page.trimbox
    width, height = abs(float(box[2]) - float(box[0])), abs(float(box[3]) - float(box[1]))
    node: Any = page.obj
    while node is not None and "/Rotate" not in node:  # /Rotate is inherited from /Pages
        node = node.get("/Parent")
    rotate = int(node.Rotate) % 360 if node is not None else 0
    if rotate in (90, 270):
        width, height = height, width
    return _SourcePage(max(width, 1.0), max(height, 1.0))


@dataclass(frozen=True)
class _PreparedImage:
    data: bytes = field(repr=False)
    width: int  # pixels
    height: int


def _open_image(attachment: PackAttachment) -> tuple[_PreparedImage | None, str]:
    """Decode, turn upright, flatten and re-encode an image attachment.

    Re-encoding is the point: the pixels come across, and nothing else from
    the source file does (EXIF with GPS position and camera serial, an embedded
    thumbnail that may show the picture before it was cropped, text chunks).
    """
    try:
        with Image.open(io.BytesIO(attachment.data)) as opened:
            if opened.format not in _IMAGE_FORMATS:
                return None, "This kind of file cannot be shown in a PDF."
            source_format = opened.format
            # Let the JPEG decoder scale down while decoding: a phone photo is
            # then never held at full size in memory.
            opened.draft(None, (_MAX_IMAGE_PIXELS, _MAX_IMAGE_PIXELS))
            if opened.width * opened.height > _MAX_DECODED_PIXELS:
                return None, "The picture is too large to include here."
            image = ImageOps.exif_transpose(opened)
            image.load()
    except Exception:
        return None, "The file could not be read, so it could not be copied into this pack."
    with image:
        # Transparency onto white paper; palettes and CMYK to plain RGB.
        if image.mode in ("RGBA", "LA", "P", "PA"):
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
        elif image.mode not in ("RGB", "L"):
            flat = image.convert("RGB")
        else:
            flat = image.copy()
    with flat:
        flat.thumbnail((_MAX_IMAGE_PIXELS, _MAX_IMAGE_PIXELS))
        encoded = io.BytesIO()
        # No exif/icc/pnginfo arguments, so none of the source's metadata is written.
        if source_format == "JPEG":
            flat.save(encoded, format="JPEG", quality=88, optimize=True)
        else:
            flat.save(encoded, format="PNG", compress_level=6)
        return _PreparedImage(encoded.getvalue(), flat.width, flat.height), ""


def _plan_attachments(attachments: Sequence[PackAttachment]) -> list[_Planned]:
    planned: list[_Planned] = []
    for number, attachment in enumerate(attachments, start=1):
        media = attachment.media_type.split(";")[0].strip().lower()
        type_name = _type_name(media)
        if media == "application/pdf" or _looks_like_pdf(attachment.data[:1024]):
            pdf, reason = _open_pdf(attachment)
            if pdf is not None:
                pages = [_page_size(p) for p in pdf.pages]
                summary = AttachmentSummary(attachment.filename, "pdf", len(pages), "PDF document")
                planned.append(_Planned(number, attachment, summary, pdf=pdf, pages=pages))
                continue
        elif media.startswith("image/"):
            image, reason = _open_image(attachment)
            if image is not None:
                summary = AttachmentSummary(attachment.filename, "image", 1, type_name)
                planned.append(_Planned(number, attachment, summary, image=image))
                continue
        else:
            reason = "This kind of file cannot be shown in a PDF."
        summary = AttachmentSummary(attachment.filename, "listed", 0, type_name, reason)
        planned.append(_Planned(number, attachment, summary))
    return planned


def describe_attachments(attachments: Sequence[PackAttachment]) -> tuple[AttachmentSummary, ...]:
    """How each attachment will be included (merged, one image page, or listed by name).

    Lets the export screen tell a manager, before exporting, which files will
    have to be sent separately. It opens and decodes every attachment (as the
    export will), so for large packs call it off the GUI thread.
    """
    planned = _plan_attachments(attachments)
    try:
        return tuple(p.summary for p in planned)
    finally:
        _close(planned)


def _close(planned: Iterable[_Planned]) -> None:
    for item in planned:
        if item.pdf is not None:
            item.pdf.close()


# --- flowables ------------------------------------------------------------------


@dataclass
class _Layout:
    """What the build learns as it goes: where things start, where attachment
    pages go, and which page numbers must be filled in at the end."""

    anchors: dict[str, int] = field(default_factory=dict)
    slots: list[_Slot] = field(default_factory=list)
    total: int = 0
    # Page numbers written once the build is over: page -> (x, y, anchor key),
    # right-aligned at (x, y) in page coordinates.
    late: dict[int, list[tuple[float, float, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Slot:
    page: int  # 1-based page of the finished document
    attachment: int  # index into the plan
    source_page: int  # 0-based page of the attachment
    rect: tuple[float, float, float, float]  # where it goes, in page coordinates


class _Anchor(Flowable):  # type: ignore[misc]  # reportlab ships no type hints
    """Zero-size marker that records the page it lands on (for the index)."""

    def __init__(self, key: str, layout: _Layout) -> None:
        super().__init__()
        self._key = key
        self._layout = layout

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self._layout.anchors.setdefault(self._key, self.canv.getPageNumber())


class _PageReference(Flowable):  # type: ignore[misc]
    """A page number in the contents, right-aligned, written after the build.

    The number is not known when the contents are drawn (the records come
    later). So each page shows a form XObject, named after the page, whose
    content is written once the build has finished: the footer's "Page N of
    M" and any such numbers on that page (see :class:`_PackDocument`). One
    build instead of two halves the time for a large pack. Text extractors and
    screen readers read text in forms like any other text.
    """

    def __init__(self, key: str, layout: _Layout, size: float, leading: float) -> None:
        super().__init__()
        self._key = key
        self._layout = layout
        self._size = size
        self._leading = leading
        self._width = 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._width = available_width
        return available_width, self._leading

    def draw(self) -> None:
        canvas: Any = self.canv
        # Same baseline as a one-line Paragraph of this size in the next cell.
        x, y = canvas.absolutePosition(self._width, self._leading - self._size)
        self._layout.late.setdefault(canvas.getPageNumber(), []).append((x, y, self._key))


class _Metrics:
    """Widths of text in one font at one size, remembered for one render.

    A thousand notes repeat the same words and labels; measuring each once
    saves most of the work of breaking lines. The words are personal data, so
    the memory lives only as long as the render (see :class:`_Context`), never
    in a module-level cache.
    """

    def __init__(self, font_name: str, size: float) -> None:
        self.font_name = font_name
        self.size = size
        self._font = pdfmetrics.getFont(font_name)
        self._known: dict[str, float] = {}
        self.space = self.width(" ")

    def width(self, text: str) -> float:
        known = self._known.get(text)
        if known is None:
            known = self._known[text] = self._font.stringWidth(text, self.size)
        return float(known)


_SPACE_SHRINK: Final = float(rl_config.spaceShrinkage)


def _break_word(word: str, start: float, width: float, metrics: _Metrics
                ) -> tuple[list[str], float]:
    """A word wider than a line, cut at characters as reportlab's Paragraph cuts
    it (``splitLongWords``): the first piece fills what is left of the current
    line (it may be empty), each further piece a line. Returns the pieces and
    the width of the last."""
    pieces: list[str] = []
    piece, used = "", start
    for ch in word:
        ch_width = metrics.width(ch)
        if used + ch_width > width and (piece or ch_width <= width):
            pieces.append(piece)
            piece, used = "", 0.0
        piece += ch
        used += ch_width
    pieces.append(piece)
    return pieces, used


def _break_lines(text: str, metrics: _Metrics, width: float) -> list[tuple[str, float]]:
    """Plain text broken into lines of at most ``width``, the way a left-aligned
    reportlab Paragraph breaks it: runs of spaces collapse, ``\\n`` starts a new
    line, words go greedily onto a line (spaces may shrink by reportlab's
    ``spaceShrinkage``), and a word longer than a line is cut.

    Returns ``(line, room left)`` pairs; negative room means the spaces shrink.
    """
    lines: list[tuple[str, float]] = []
    space = metrics.space
    shrink = _SPACE_SHRINK * space
    for raw in text.split("\n"):
        words = [w for w in _rl_split(_rl_strip(raw)) if w]
        if not words:
            lines.append(("", width))
            continue
        current: list[str] = []
        used = -space  # no space before the first word
        for word in words:
            word_width = metrics.width(word)
            new = used + space + word_width
            limit = width + shrink * len(current)
            if new > limit and word_width > width:
                pieces, used = _break_word(word, used + space, width, metrics)
                for piece in pieces[:-1]:  # each fits its line by construction
                    lines.append((" ".join([*current, piece] if piece else current), 0.0))
                    current = []
                current = [pieces[-1]]
                continue
            if new <= limit or not current:
                current.append(word)
                used = new
            else:
                lines.append((" ".join(current), width - used))
                current, used = [word], word_width
        lines.append((" ".join(current), width - used))
    return lines


class _PlainParagraph(Flowable):  # type: ignore[misc]
    """Plain text (no markup, no redaction bar) laid out as a left-aligned
    reportlab Paragraph in ``style`` would be: same line breaks, baseline,
    leading, spacing, colour, splitting across pages (no orphans) and text in
    the file, at a fraction of the cost.

    Most of a large pack is plain text: the record headings, the field rows
    and most note bodies. A Paragraph parses markup, builds a fragment per
    word and draws through a translated canvas state; for a thousand notes
    that was most of the build.
    """

    def __init__(self, text: str, style: ParagraphStyle, metrics: _Metrics) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self._metrics = metrics
        self._lines: list[tuple[str, float]] = []
        self._wrapped_at: float | None = None
        self.width = 0.0
        self.height = 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self._wrapped_at != available_width:
            self._lines = _break_lines(self.text, self._metrics, available_width) \
                if self.text else []
            self._wrapped_at = available_width
        self.width = available_width
        self.height = len(self._lines) * self.style.leading
        return available_width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        # As Paragraph.split with allowOrphans=0, allowWidows=1 (the styles' defaults).
        if not self.text or available_width < rl_config._FUZZ \
                or available_height < rl_config._FUZZ:
            return []
        self.wrap(available_width, available_height)
        fits = int(available_height / self.style.leading)
        if fits <= 1:
            return []
        if len(self._lines) <= fits:
            return [self]
        first, rest = self._lines[:fits], self._lines[fits:]
        # Each part keeps its lines exactly: a hard break between them changes
        # nothing at this width, and the parts never meet again.
        return [_PlainParagraph("\n".join(line for line, _ in first), self.style, self._metrics),
                _PlainParagraph("\n".join(line for line, _ in rest), self.style, self._metrics)]

    def draw_text(self, text: Any, x: float, top: float, *, placed: bool = False) -> None:
        """Add the lines to the text object ``text``, the first line's top at
        ``top`` (``placed``: its origin is already at the first baseline)."""
        if not self._lines:
            return
        style = self.style
        text.setFont(style.fontName, style.fontSize, style.leading)
        text.setFillColor(style.textColor)
        if not placed:
            # Where Paragraph puts its first baseline (rl_config.paraFontSizeHeightOffset).
            text.setTextOrigin(x, top - style.fontSize)
        for line, room in self._lines:
            gaps = line.count(" ") + line.count("\u00a0") if room < -1e-8 else 0
            if gaps:
                text.setWordSpace(room / gaps)  # shrink the spaces, as Paragraph does
                text.textLine(line)
                text.setWordSpace(0)
            else:
                text.textLine(line)

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        # Drawn at absolute coordinates: no translated canvas state per paragraph.
        if not self._lines:
            return
        x, top = self._hAlignAdjust(x, _sW), y + self.height
        text = canvas.beginText(x, top - self.style.fontSize)
        self.draw_text(text, x, top, placed=True)
        canvas.saveState()
        canvas.drawText(text)
        canvas.restoreState()

    def draw(self) -> None:  # only reached through Flowable.drawOn, which is overridden
        self.drawOn(self.canv, 0, 0)


_Cell: TypeAlias = "Paragraph | _PlainParagraph"


class _FieldRows(Flowable):  # type: ignore[misc]
    """A record's fields as label/value rows on a tinted panel.

    Drawn directly rather than as a reportlab Table: with a thousand records,
    a Table each took a sixth of the whole build. Plain cells (nearly all) are
    :class:`_PlainParagraph` and go into one text object per panel; a value
    with a redaction bar is a Paragraph, drawn in its place in the same order.
    """

    _PAD_X: Final = 5.0
    _PAD_Y: Final = 2.5
    _GAP: Final = 3.0  # between paragraphs of one value

    def __init__(self, rows: list[tuple[_Cell, list[_Cell]]], label_width: float) -> None:
        super().__init__()
        self._rows = rows
        self._label_width = label_width
        self._width = 0.0
        self._heights: list[float] = []

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._width = available_width
        value_width = available_width - self._label_width - 2 * self._PAD_X
        self._heights = []
        for label, values in self._rows:
            _, label_height = label.wrap(self._label_width - 2 * self._PAD_X, available_height)
            value_height = sum(v.wrap(value_width, available_height)[1] for v in values)
            value_height += self._GAP * (len(values) - 1)
            self._heights.append(max(label_height, value_height) + 2 * self._PAD_Y)
        return available_width, sum(self._heights)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        used, count = 0.0, 0
        for height in self._heights:
            if used + height > available_height:
                break
            used, count = used + height, count + 1
        if count == 0 or count == len(self._rows):
            return []
        return [_FieldRows(self._rows[:count], self._label_width),
                _FieldRows(self._rows[count:], self._label_width)]  # fmt: skip

    def draw(self) -> None:
        canvas: Any = self.canv
        total = sum(self._heights)
        canvas.saveState()
        canvas.setFillColor(_PANEL)
        canvas.rect(0, 0, self._width, total, stroke=0, fill=1)
        canvas.setStrokeColor(colors.white)
        canvas.setLineWidth(0.8)
        top = total
        for index, height in enumerate(self._heights):
            if index:
                canvas.line(0, top, self._width, top)
            top -= height
        text: Any = None  # the open text object for plain cells

        def place(cell: _Cell, x: float, cell_top: float) -> None:
            nonlocal text
            if isinstance(cell, _PlainParagraph):
                if text is None:
                    text = canvas.beginText()
                cell.draw_text(text, x, cell_top)
                return
            if text is not None:  # keep the file's text in reading order
                canvas.drawText(text)
                text = None
            cell.drawOn(canvas, x, cell_top - cell.height)

        top = total
        for (label, values), height in zip(self._rows, self._heights, strict=True):
            place(label, self._PAD_X, top - self._PAD_Y)
            y = top - self._PAD_Y
            for value in values:
                place(value, self._label_width + self._PAD_X, y)
                y -= value.height + self._GAP
            top -= height
        if text is not None:
            canvas.drawText(text)
        canvas.restoreState()


class _AttachmentPageSlot(Flowable):  # type: ignore[misc]
    """Fills a page: a caption at the top and an outlined space where one page of
    a PDF attachment is placed after the build."""

    _CAPTION_HEIGHT: Final = 16.0

    def __init__(self, caption: str, source: _SourcePage, attachment: int, source_page: int,
                 layout: _Layout, fonts: _Fonts) -> None:  # fmt: skip
        super().__init__()
        self._caption = caption
        self._source = source
        self._attachment = attachment
        self._source_page = source_page
        self._layout = layout
        self._fonts = fonts
        self._size = (0.0, 0.0)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        # Whole frame less a hair, so float rounding never pushes it over.
        self._size = (available_width, available_height - 0.5)
        return self._size

    def draw(self) -> None:
        canvas: Any = self.canv
        width, height = self._size
        canvas.saveState()
        canvas.setFont(self._fonts.regular, 8.5)
        canvas.setFillColor(_MUTED)
        canvas.drawString(0, height - 9, self._caption)
        area_height = height - self._CAPTION_HEIGHT
        scale = min(width / self._source.width, area_height / self._source.height, 1.0)
        placed_w, placed_h = self._source.width * scale, self._source.height * scale
        x, y = (width - placed_w) / 2, area_height - placed_h
        canvas.setStrokeColor(_RULE)
        canvas.setLineWidth(0.6)
        canvas.rect(x, y, placed_w, placed_h, stroke=1, fill=0)
        canvas.restoreState()
        x0, y0 = canvas.absolutePosition(x, y)
        x1, y1 = canvas.absolutePosition(x + placed_w, y + placed_h)
        self._layout.slots.append(
            _Slot(canvas.getPageNumber(), self._attachment, self._source_page, (x0, y0, x1, y1))
        )


class _FittedImage(Flowable):  # type: ignore[misc]
    """An image scaled to fit the space left on the page, never blown up much."""

    _MAX_POINTS_PER_PIXEL: Final = 1.5

    def __init__(self, image: _PreparedImage) -> None:
        super().__init__()
        self._image = image
        self._size = (0.0, 0.0)
        self.hAlign = "CENTER"

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        pixels_w, pixels_h = self._image.width, self._image.height
        scale = min(
            available_width / pixels_w,
            (available_height - 1) / pixels_h,
            self._MAX_POINTS_PER_PIXEL,
        )
        self._size = (pixels_w * scale, pixels_h * scale)
        return self._size

    def draw(self) -> None:
        width, height = self._size
        canvas: Any = self.canv
        canvas.drawImage(ImageReader(io.BytesIO(self._image.data)), 0, 0, width, height)
        canvas.saveState()
        canvas.setStrokeColor(_RULE)
        canvas.setLineWidth(0.6)
        canvas.rect(0, 0, width, height, stroke=1, fill=0)
        canvas.restoreState()


# --- the story --------------------------------------------------------------------


@dataclass
class _Context:
    pack: Pack
    fonts: _Fonts
    styles: dict[str, ParagraphStyle]
    layout: _Layout
    planned: list[_Planned]
    exemptions: tuple[Exemption, ...]
    # Text widths per (font, size), for this render only (see _Metrics).
    _metrics: dict[tuple[str, float], _Metrics] = field(default_factory=dict)

    def metrics(self, style: ParagraphStyle) -> _Metrics:
        key = (style.fontName, style.fontSize)
        found = self._metrics.get(key)
        if found is None:
            found = self._metrics[key] = _Metrics(*key)
        return found

    def plain(self, text: str, style: ParagraphStyle) -> _PlainParagraph:
        """Plain text (no markup) laid out as a Paragraph in ``style`` would be."""
        return _PlainParagraph(text, style, self.metrics(style))

    def block(self, block: _Block, style: ParagraphStyle) -> _Cell:
        if isinstance(block, _Markup):
            return Paragraph(block.text, style)
        return self.plain(block, style)

    def page_of(self, key: str) -> _PageReference:
        """The page ``key`` starts on, for a table cell (filled in after the build)."""
        return _PageReference(key, self.layout, 8.5, 11)

    def anchor(self, key: str) -> _Anchor:
        return _Anchor(key, self.layout)


def _letter(ctx: _Context) -> list[Flowable]:
    letter: CoverLetter = ctx.pack.letter
    pack, fonts, styles = ctx.pack, ctx.fonts, ctx.styles
    style, tight = styles["letter"], styles["letter_tight"]
    service = _inline(letter.service_name, fonts)
    about = _inline(letter.about_whom, fonts) or "you"

    service_block = [Paragraph(service, styles["service_name"])] + [
        Paragraph(_inline(line, fonts), styles["service_address"])
        for line in letter.service_address
        if line.strip()
    ]
    heading = Table(
        [["", service_block]], colWidths=[_CONTENT_WIDTH - 75 * mm, 75 * mm], hAlign="LEFT"
    )
    heading.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))  # fmt: skip

    story: list[Flowable] = [ctx.anchor("letter"), heading, Spacer(1, 6 * mm)]
    story += [Paragraph(_inline(letter.requester_name, fonts), tight)]
    story += [
        Paragraph(_inline(line, fonts), tight) for line in letter.requester_address if line.strip()
    ]
    story += [
        Spacer(1, 6 * mm),
        Paragraph(format_uk_date(letter.sent_on), tight),
        Spacer(1, 3 * mm),
        Paragraph(f"Our reference: <b>{_inline(letter.reference, fonts)}</b>", tight),
        Spacer(1, 6 * mm),
        Paragraph(f"Dear {_inline(letter.requester_name, fonts)},", style),
    ]

    received = format_uk_date(letter.received_on)
    if pack.kind == PackKind.SAR:
        story += [
            Paragraph("Your request for a copy of your information", styles["letter_subject"]),
            Paragraph(
                f"Thank you for asking for a copy of the information that {service} holds "
                f"about {about}. We received your request on {received}. This letter is our "
                "reply, and the information itself is enclosed.",
                style,
            ),
        ]
    elif letter.to_recipient:
        story += [
            Paragraph("Information you asked us to share", styles["letter_subject"]),
            Paragraph(
                f"Following your request of {received}, {service} is sharing the enclosed "
                f"information from its records about {about}, with the consent recorded (or "
                "on the lawful basis we have explained to you separately). Please keep it "
                "confidential, use it only for the purpose it was shared for, and do not pass "
                "it on. The family receives a copy of exactly what we have sent you.",
                style,
            ),
        ]
    else:
        story += [
            Paragraph("A copy of information we have shared", styles["letter_subject"]),
            Paragraph(
                f"Following a request we received on {received}, {service} has shared some "
                f"information from its records about {about}. We are sending you a copy of "
                "exactly what was shared, so that you know what others have been told.",
                style,
            ),
        ]
    if letter.extended and pack.kind == PackKind.SAR:  # the time limit is a SAR's
        story.append(Paragraph(
            "As we explained when we wrote to you earlier, your request needed more time "
            "than usual to answer in full, and the law allowed us to extend the time limit. "
            "Thank you for your patience.",
            style,
        ))  # fmt: skip

    # The letter names no page numbers: the contents list does that, and the
    # letter is then fixed text that one build can lay out (see _PageReference).
    enclosed: list[str] = []
    if pack.article15 is not None:
        enclosed.append("an explanation of how we use this information, and of your rights")
    enclosed.append("a contents list, showing the page where each item starts")
    if ctx.exemptions:
        enclosed.append(
            "a key to the short codes shown where information has been blacked out"
        )
    record_count = len(pack.records)
    if record_count:
        what = "a copy of the records" if pack.kind == PackKind.SAR else "the records shared"
        plural = "record" if record_count == 1 else "records"
        enclosed.append(f"{what}, in date order, oldest first ({record_count} {plural})")
    shown = [p for p in ctx.planned if p.summary.handling != "listed"]
    if shown:
        noun = "document" if len(shown) == 1 else "documents"
        enclosed.append(f"copies of {len(shown)} {noun} kept with those records")
    if any(p.summary.handling == "listed" for p in ctx.planned):
        enclosed.append("a list of documents that we are sending you separately")
    if record_count:
        story.append(Paragraph("With this letter you will find:", style))
    else:
        story.append(Paragraph(
            "We have searched our records carefully and have found no records about "
            f"{about} to send you. With this letter you will find:",
            style,
        ))  # fmt: skip
    story += [Paragraph(item, styles["letter_bullet"], bulletText="•") for item in enclosed]
    story.append(Spacer(1, 6))

    if letter.some_withheld:
        story.append(Paragraph(
            "Some information has not been included, or has been partly blacked out, because "
            "the law allows or requires us to hold it back — for example to protect other "
            "people's privacy. Each blacked-out passage shows a short code explained in the key.",
            style,
        ))  # fmt: skip
    story.append(Paragraph(
        "If anything is unclear, or you think something is missing, please get in touch "
        f"and quote our reference, {_inline(letter.reference, fonts)}. We will be glad to "
        "go through the pack with you. Please keep it somewhere safe, as it contains "
        "personal information.",
        style,
    ))  # fmt: skip
    if pack.article15 is not None:
        story.append(Paragraph(
            "If you are unhappy with how we have dealt with your request, please tell us "
            "first so that we can try to put things right. You also have the right to complain "
            "to the Information Commissioner's Office; the page after this letter explains how.",
            style,
        ))  # fmt: skip

    signature = [
        Paragraph("Yours sincerely,", tight),
        Spacer(1, 12 * mm),
        Paragraph(f"<b>{_inline(letter.signed_by, fonts)}</b>", tight),
        Paragraph(_inline(letter.signed_role, fonts), tight),
        Paragraph(service, tight),
    ]
    story += [Spacer(1, 4), KeepTogether(signature)]
    return story


def _article15(ctx: _Context, info: Article15Info) -> list[Flowable]:
    styles, fonts = ctx.styles, ctx.fonts

    def items(values: Sequence[str]) -> list[Flowable]:
        if not values:
            return [Paragraph("None.", styles["body"])]
        if len(values) == 1:
            return [Paragraph(_lines(values[0], fonts), styles["body"])]
        return [Paragraph(_lines(v, fonts), styles["bullet"], bulletText="•") for v in values]

    def text(value: str) -> list[Flowable]:
        return [Paragraph(_lines(value, fonts) or "None.", styles["body"])]

    sections: list[tuple[str, list[Flowable]]] = [
        ("Why we hold this information", items(info.purposes)),
        ("The kinds of information we hold", items(info.categories)),
        ("Who we share it with", items(info.recipients)),
        ("How long we keep it", text(info.retention)),
        ("Where the information came from", text(info.source)),
        ("Your rights", items(info.rights)),
        ("Decisions made by computer", text(info.automated_decisions)),
        ("Sending information outside the United Kingdom", text(info.transfers)),
        ("If you are unhappy: how to complain", text(info.complaint)),
    ]
    story: list[Flowable] = [
        ctx.anchor("article15"),
        Paragraph("How we use this information, and your rights", styles["title"]),
        Paragraph(
            "As well as a copy of the information itself, the law (Article 15 of the UK "
            "General Data Protection Regulation) gives you the right to know the following.",
            styles["intro"],
        ),
    ]
    for heading, content in sections:
        story += [Paragraph(heading, styles["heading"]), *content]
    return story


def _table_style(header: bool = True) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, _RULE),
    ]
    if header:
        commands += [("LINEBELOW", (0, 0), (-1, 0), 0.8, _ACCENT)]
    return TableStyle(commands)


def _contents(ctx: _Context) -> list[Flowable]:
    styles, fonts, pack = ctx.styles, ctx.fonts, ctx.pack
    cell, head = styles["cell"], styles["cell_head"]

    def page_cell(key: str) -> _PageReference:
        return ctx.page_of(key)

    sections: list[tuple[str, str]] = [("Letter", "letter")]
    if pack.article15 is not None:
        sections.append(("How we use this information, and your rights", "article15"))
    sections.append(("Contents (this list)", "contents"))
    if ctx.exemptions:
        sections.append(("Key to the codes on blacked-out passages", "key"))
    if pack.records:
        sections.append(("Records", "records"))
    if any(p.summary.handling != "listed" for p in ctx.planned):
        sections.append(("Attachments", "attachments"))
    if any(p.summary.handling == "listed" for p in ctx.planned):
        sections.append(("Documents provided separately", "other"))

    page_width = 14 * mm
    story: list[Flowable] = [
        ctx.anchor("contents"),
        Paragraph("Contents", styles["title"]),
    ]
    section_table = Table(
        [[Paragraph(escape(name), cell), page_cell(key)] for name, key in sections],
        colWidths=[_CONTENT_WIDTH - page_width, page_width],
        hAlign="LEFT",
    )
    section_table.setStyle(_table_style(header=False))
    story += [section_table, Spacer(1, 10)]

    if pack.records:
        story += [Paragraph("Records", styles["heading"])]
        date_width, category_width = 22 * mm, 30 * mm
        rows: list[list[Any]] = [[
            Paragraph("Date", head), Paragraph("Type", head), Paragraph("Title", head),
            Paragraph("Page", ParagraphStyle("page_head", parent=head, alignment=TA_RIGHT)),
        ]]  # fmt: skip
        for index, record in enumerate(pack.records):
            rows.append([
                _uk_short(record.on) if record.on else "—",
                Paragraph(escape(_truncate(_clean(record.category, fonts), 60)), cell),
                Paragraph(escape(_truncate(_clean(record.title, fonts), _INDEX_TITLE_LIMIT)), cell),
                ctx.page_of(f"record:{index}"),
            ])  # fmt: skip
        # LongTable: splits in one pass per page instead of re-measuring every
        # remaining row on each page, which matters for a thousand records.
        table = LongTable(
            rows,
            colWidths=[date_width, category_width,
                       _CONTENT_WIDTH - date_width - category_width - page_width, page_width],
            repeatRows=1,
            hAlign="LEFT",
        )  # fmt: skip
        table.setStyle(_table_style())
        table.setStyle(TableStyle([
            ("FONT", (0, 1), (0, -1), fonts.regular, 8.5),
            ("FONT", (3, 1), (3, -1), fonts.regular, 8.5),
            ("TEXTCOLOR", (0, 1), (-1, -1), _INK),
            ("ALIGN", (3, 0), (3, -1), "RIGHT"),
        ]))  # fmt: skip
        story.append(table)

    if ctx.planned:
        story += [Paragraph("Attachments", styles["heading"])]
        rows = [[
            Paragraph("No.", head), Paragraph("Document", head), Paragraph("Type", head),
            Paragraph("Page", ParagraphStyle("page_head", parent=head, alignment=TA_RIGHT)),
        ]]  # fmt: skip
        for item in ctx.planned:
            name = item.attachment.title or item.attachment.filename
            if item.summary.handling == "listed":
                page = ctx.page_of("other")
                kind = f"{item.summary.type_name} (provided separately)"
            else:
                page = ctx.page_of(f"attachment:{item.number}")
                kind = item.summary.type_name
            rows.append([
                str(item.number),
                Paragraph(escape(_truncate(_clean(name, fonts), _INDEX_TITLE_LIMIT)), cell),
                Paragraph(escape(kind), cell),
                page,
            ])  # fmt: skip
        number_width, type_width = 10 * mm, 45 * mm
        table = LongTable(
            rows,
            colWidths=[number_width, _CONTENT_WIDTH - number_width - type_width - page_width,
                       type_width, page_width],
            repeatRows=1,
            hAlign="LEFT",
        )  # fmt: skip
        table.setStyle(_table_style())
        table.setStyle(TableStyle([
            ("FONT", (0, 1), (0, -1), fonts.regular, 8.5),
            ("FONT", (3, 1), (3, -1), fonts.regular, 8.5),
            ("ALIGN", (3, 0), (3, -1), "RIGHT"),
        ]))  # fmt: skip
        story.append(table)
    return story


def _key(ctx: _Context) -> list[Flowable]:
    styles, fonts = ctx.styles, ctx.fonts
    example = _bar_markup(ctx.exemptions[0], _BODY_SIZE, fonts)
    story: list[Flowable] = [
        CondPageBreak(60 * mm),
        Spacer(1, 8),
        ctx.anchor("key"),
        Paragraph("Key to the codes on blacked-out passages", styles["title"]),
        Paragraph(
            "Where information has been held back, you will see a black bar with a short code "
            f"instead, like this: {example}. The size of the bar depends only on the code, not "
            "on how much was taken out. The codes mean:",
            styles["intro"],
        ),
    ]
    rows = [
        [Paragraph(_bar_markup(e, _BODY_SIZE, fonts), styles["value"]),
         Paragraph(escape(e.label), styles["value"])]
        for e in ctx.exemptions
    ]  # fmt: skip
    code_width = 30 * mm
    table = Table(rows, colWidths=[code_width, _CONTENT_WIDTH - code_width], hAlign="LEFT")
    table.setStyle(_table_style(header=False))
    table.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 4),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))  # fmt: skip
    story.append(table)
    return story


def _record(ctx: _Context, index: int, record: PackRecord) -> list[Flowable]:
    styles, fonts = ctx.styles, ctx.fonts
    # Plain text, not markup: laid out by _PlainParagraph, which looks the same
    # as a Paragraph and costs a fraction (a thousand records are most of a pack).
    kicker = f"{' '.join(_clean(record.category, fonts).split())}  ·  {_uk_short(record.on)}"
    title = _truncate(_clean(record.title, fonts), _TITLE_LIMIT) or "Untitled"
    story: list[Flowable] = [
        # Never a heading alone at the foot of a page. A conditional break is
        # cheap; keepWithNext would measure every record twice.
        CondPageBreak(_RECORD_START_SPACE),
        ctx.anchor(f"record:{index}"),
        ctx.plain(kicker, styles["kicker"]),
        ctx.plain(title, styles["record_title"]),
    ]

    rows: list[tuple[_Cell, list[_Cell]]] = []
    long_fields: list[Flowable] = []
    for item in record.fields:
        label = " ".join(_clean(item.label, fonts).split())
        blocks = _segment_blocks(item.segments, _FIELD_SIZE, fonts) or ["—"]
        if _segments_text_length(item.segments) > _LONG_FIELD:
            long_fields.append(ctx.plain(label, styles["body_bold"]))
            long_fields += [ctx.block(b, styles["body"]) for b in blocks]
        else:
            value = [ctx.block(b, styles["value"]) for b in blocks]
            rows.append((ctx.plain(label, styles["label"]), value))
    if rows:
        story += [_FieldRows(rows, 40 * mm), Spacer(1, 5)]
    story += long_fields
    story += [ctx.block(b, styles["body"])
              for b in _segment_blocks(record.body, _BODY_SIZE, fonts)]
    story.append(_Rule())
    return story


class _Rule(Flowable):  # type: ignore[misc]
    """The thin line between records."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._width = available_width
        return available_width, 14

    def draw(self) -> None:
        canvas: Any = self.canv
        canvas.saveState()
        canvas.setStrokeColor(_RULE)
        canvas.setLineWidth(0.5)
        canvas.line(0, 7, self._width, 7)
        canvas.restoreState()


def _records(ctx: _Context) -> list[Flowable]:
    styles = ctx.styles
    story: list[Flowable] = [
        ctx.anchor("records"),
        Paragraph(
            "The records" if ctx.pack.kind == PackKind.SAR else "The information shared",
            styles["title"],
        ),
    ]
    intro = "They are in date order, oldest first."
    if ctx.exemptions:
        intro += (
            " A black bar with a code shows where information has been held back; the key "
            "after the contents list explains each code."
        )
    story += [Paragraph(intro, styles["intro"]), Spacer(1, 4)]
    for index, record in enumerate(ctx.pack.records):
        story += _record(ctx, index, record)
    return story


def _attachments(ctx: _Context) -> list[Flowable]:
    styles, fonts = ctx.styles, ctx.fonts
    shown = [p for p in ctx.planned if p.summary.handling != "listed"]
    listed = [p for p in ctx.planned if p.summary.handling == "listed"]
    count = len(ctx.planned)
    story: list[Flowable] = []
    first = True
    for item in shown:
        name = _clean(item.attachment.title or item.attachment.filename, fonts)
        name = _truncate(name, 90)
        if item.summary.handling == "pdf":
            for page_index, source in enumerate(item.pages):
                template = "attachment_landscape" if source.width > source.height else "attachment"
                caption = (
                    f"Attachment {item.number} of {count}: {name} — page {page_index + 1} "
                    f"of {len(item.pages)}"
                )
                story += [NextPageTemplate(template), PageBreak()]
                if page_index == 0:
                    if first:
                        story.append(ctx.anchor("attachments"))
                    story.append(ctx.anchor(f"attachment:{item.number}"))
                story.append(_AttachmentPageSlot(
                    caption, source, ctx.planned.index(item), page_index, ctx.layout, fonts
                ))  # fmt: skip
        else:
            assert item.image is not None
            story += [NextPageTemplate("page"), PageBreak()]
            if first:
                story.append(ctx.anchor("attachments"))
            story += [
                ctx.anchor(f"attachment:{item.number}"),
                Paragraph(f"Attachment {item.number} of {count}", styles["kicker"]),
                Paragraph(escape(name), styles["record_title"]),
                Paragraph(
                    f"{escape(item.summary.type_name)}, "
                    f"{escape(_truncate(_clean(item.attachment.filename, fonts), 90))}",
                    styles["caption"],
                ),
                _FittedImage(item.image),
            ]
        first = False
    if listed:
        story += [NextPageTemplate("page"), PageBreak(), ctx.anchor("other")]
        story += [
            Paragraph("Documents provided separately", styles["title"]),
            Paragraph(
                "These documents are part of the records, but they could not be included in "
                "this PDF. We will provide copies separately; if you have not received them, "
                "please contact us and quote the reference at the foot of this page.",
                styles["intro"],
            ),
        ]
        head = styles["cell_head"]
        rows: list[list[Any]] = [[Paragraph("No.", head), Paragraph("Document", head),
                                  Paragraph("Type", head), Paragraph("Why it is not here", head)]]
        for item in listed:
            name = item.attachment.title or item.attachment.filename
            document = escape(_truncate(_clean(name, fonts), _INDEX_TITLE_LIMIT))
            if item.attachment.title and item.attachment.title != item.attachment.filename:
                document += "<br/>" + escape(
                    _truncate(_clean(item.attachment.filename, fonts), _INDEX_TITLE_LIMIT)
                )
            rows.append([
                str(item.number),
                Paragraph(document, styles["cell"]),
                Paragraph(escape(item.summary.type_name), styles["cell"]),
                Paragraph(escape(item.summary.reason), styles["cell"]),
            ])  # fmt: skip
        widths = [10 * mm, 70 * mm, 32 * mm]
        table = LongTable(rows, colWidths=[*widths, _CONTENT_WIDTH - sum(widths)],
                          repeatRows=1, hAlign="LEFT")  # fmt: skip
        table.setStyle(_table_style())
        table.setStyle(TableStyle([("FONT", (0, 1), (0, -1), fonts.regular, 8.5)]))
        story.append(table)
    return story


def _story(ctx: _Context) -> list[Flowable]:
    story = _letter(ctx)
    if ctx.pack.article15 is not None:
        story += [PageBreak(), *_article15(ctx, ctx.pack.article15)]
    story += [PageBreak(), *_contents(ctx)]
    if ctx.exemptions:
        story += _key(ctx)
    if ctx.pack.records:
        story += [PageBreak(), *_records(ctx)]
    story += _attachments(ctx)
    return story


# --- page furniture and building -----------------------------------------------------


_FOOTER_SIZE: Final = 8.0


def _furniture(ctx: _Context) -> Callable[[Any, Any], None]:
    reference = " ".join(_clean(ctx.pack.reference, ctx.fonts).split())
    fonts, layout = ctx.fonts, ctx.layout

    def draw(canvas: Any, doc: Any) -> None:
        # The bar callback must be known to the canvas before any paragraph draws.
        canvas.setNamedCB(_BAR_CALLBACK, _draw_bar)
        width, height = canvas._pagesize
        page = canvas.getPageNumber()
        layout.total = max(layout.total, page)
        canvas.saveState()
        canvas.setFillColor(_ACCENT)
        canvas.setFont(fonts.bold, 7.5)
        canvas.drawString(_MARGIN, height - 11 * mm, "CONFIDENTIAL")
        canvas.setStrokeColor(_RULE)
        canvas.setLineWidth(0.5)
        canvas.line(_MARGIN, height - 12.5 * mm, width - _MARGIN, height - 12.5 * mm)
        canvas.line(_MARGIN, 13 * mm, width - _MARGIN, 13 * mm)
        canvas.setFillColor(_MUTED)
        canvas.setFont(fonts.regular, _FOOTER_SIZE)
        canvas.drawString(_MARGIN, 9 * mm, f"Our reference: {reference}")
        canvas.restoreState()
        # "Page N of M": M is known only at the end, so the (right-aligned) text
        # goes into the page's late form, written then; see _PackDocument.
        layout.late.setdefault(page, []).append((width - _MARGIN, 9 * mm, _FOOTER_KEY))
        canvas.doForm(_late_form(page))

    return draw


_FOOTER_KEY: Final = ""  # in _Layout.late: the footer, not an anchor


def _late_form(page: int) -> str:
    return f"SendiassLate{page}"


class _PackDocument(BaseDocTemplate):  # type: ignore[misc]
    """A document template that writes the deferred page numbers before saving."""

    def __init__(self, buffer: io.BytesIO, ctx: _Context, **kwargs: Any) -> None:
        super().__init__(buffer, **kwargs)
        self._ctx = ctx

    def _endBuild(self) -> None:
        self._doSave = 0  # let the base class finish the last page, then save here
        super()._endBuild()
        canvas: Any = self.canv
        layout, fonts = self._ctx.layout, self._ctx.fonts

        for page in range(1, layout.total + 1):
            # In page coordinates: the form is placed with the page's own
            # (untransformed) coordinate system, at the start of the page.
            canvas.beginForm(_late_form(page), lowerx=0, lowery=0, upperx=2000, uppery=2000)
            for x, y, key in layout.late.get(page, ()):
                if key == _FOOTER_KEY:
                    canvas.setFillColor(_MUTED)
                    canvas.setFont(fonts.regular, _FOOTER_SIZE)
                    canvas.drawRightString(x, y, f"Page {page} of {layout.total}")
                else:
                    target = layout.anchors.get(key)
                    canvas.setFillColor(_INK)
                    canvas.setFont(fonts.regular, 8.5)
                    canvas.drawRightString(x, y, str(target) if target else "—")
            canvas.endForm()
        canvas.save()


def _frame(page_size: tuple[float, float]) -> Frame:
    width, height = page_size
    # No frame padding, so tables sized to the content width line up with text.
    return Frame(
        _MARGIN, _BOTTOM_MARGIN, width - 2 * _MARGIN, height - _TOP_MARGIN - _BOTTOM_MARGIN,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
    )  # fmt: skip


class _Progress:
    """Turns reportlab's flowable counts into sparse 0..1 fractions."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback = callback
        self._last = -1.0

    def report(self, fraction: float) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        # A GUI progress bar needs a few dozen updates, not one per paragraph.
        if self._callback is not None and (fraction - self._last >= 0.02 or fraction >= 1.0):
            self._last = fraction
            self._callback(fraction)

    def span(self, start: float, end: float) -> Callable[[str, int], None]:
        size = 1

        def on_progress(kind: str, value: int) -> None:
            nonlocal size
            if kind == "SIZE_EST":
                size = max(value, 1)
            elif kind == "PROGRESS":
                self.report(start + (end - start) * min(value / size, 1.0))

        return on_progress


def _build(ctx: _Context, on_progress: Callable[[str, int], None]) -> bytes:
    buffer = io.BytesIO()
    document = _PackDocument(
        buffer,
        ctx,
        pagesize=A4,
        # Metadata is readable by file managers and indexers; it is replaced
        # again after merging, but keep it clean here too.
        title=f"{ctx.pack.kind} {_truncate(ctx.pack.reference, 40)}",
        author=_truncate(ctx.pack.letter.service_name, 120),
        subject="",
        keywords=[],
        creator="SENDIASS Desktop",
        producer="SENDIASS Desktop",
        lang="en-GB",
        # pikepdf compresses every stream when it saves the merged file, so
        # compressing (and ASCII85-encoding) here would be work done twice.
        pageCompression=0,
    )
    furniture = _furniture(ctx)
    document.addPageTemplates([
        PageTemplate(id="page", frames=[_frame(A4)], onPage=furniture, pagesize=A4),
        PageTemplate(id="attachment", frames=[_frame(A4)], onPage=furniture, pagesize=A4),
        PageTemplate(id="attachment_landscape", frames=[_frame(landscape(A4))],
                     onPage=furniture, pagesize=landscape(A4)),
    ])  # fmt: skip
    document.setProgressCallBack(on_progress)
    document.build(_story(ctx))
    return buffer.getvalue()


def _merge(main: bytes, layout: _Layout, planned: list[_Planned], pack: Pack) -> bytes:
    """Put attachment pages under their placeholders and set clean metadata."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(main)) as document:
        for slot in layout.slots:
            source = planned[slot.attachment].pdf
            assert source is not None
            target = document.pages[slot.page - 1]
            try:
                form = document.copy_foreign(
                    source.pages[slot.source_page].as_form_xobject(handle_transformations=True)
                )
                name = target.add_resource(form, pikepdf.Name.XObject, prefix="Att")
                placement = target.calc_form_xobject_placement(
                    form, name, pikepdf.Rectangle(*slot.rect), allow_shrink=True,
                    allow_expand=True,
                )  # fmt: skip
            except Exception:
                # One damaged page must not sink the pack: say so on the page.
                _stamp_missing_page(document, target, slot.rect)
                continue
            # Underneath our own drawing: the caption, outline and footer stay on top.
            target.contents_add(document.make_stream(b"q\n" + placement + b"\nQ\n"), prepend=True)

        root = document.Root
        for key in ("/Outlines", "/Names", "/Metadata", "/OpenAction", "/AA", "/PageLabels"):
            if key in root:
                del root[key]
        root.Lang = pikepdf.String("en-GB")
        root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        document.docinfo = document.make_indirect(pikepdf.Dictionary(
            Title=pikepdf.String(f"{pack.kind} {_truncate(pack.reference, 40)}"),
            Author=pikepdf.String(_truncate(pack.letter.service_name, 120)),
            Creator=pikepdf.String("SENDIASS Desktop"),
            Producer=pikepdf.String("SENDIASS Desktop"),
        ))  # fmt: skip
        document.save(
            out,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
    return out.getvalue()


def _stamp_missing_page(
    document: pikepdf.Pdf, page: pikepdf.Page, rect: tuple[float, float, float, float]
) -> None:
    font = document.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
        Encoding=pikepdf.Name.WinAnsiEncoding,
    ))  # fmt: skip
    name = page.add_resource(font, pikepdf.Name.Font, prefix="Missing")
    x, y = rect[0] + 12, rect[3] - 24
    text = b"This page of the document could not be reproduced here."
    page.contents_add(document.make_stream(
        b"q BT " + bytes(str(name), "ascii") + b" 10 Tf 0.36 0.42 0.48 rg "
        + f"{x:.2f} {y:.2f} Td ".encode("ascii") + b"(" + text + b") Tj ET Q\n"
    ))  # fmt: skip


def _prepare_attachment_sources(planned: list[_Planned]) -> None:
    """Fold form fields and annotations into page content, so what is printed
    on an attachment page is what the reader sees (annotations themselves are
    not carried across)."""
    for item in planned:
        if item.pdf is None:
            continue
        try:
            item.pdf.generate_appearance_streams()
            item.pdf.flatten_annotations(mode="print")
        except Exception:  # noqa: S112 - a damaged form still shows its page content
            continue


def render_pack(pack: Pack, *, progress: ProgressCallback | None = None) -> bytes:
    """Return the pack as an unencrypted A4 PDF, built in memory.

    Encrypt the result with :func:`~sendiass_desktop.reports.pdf_encryption.encrypt_pdf`
    before it goes anywhere. ``progress``, if given, is called now and then
    with a fraction from 0 to 1 (always 1.0 at the end), from this thread.
    """
    reporter = _Progress(progress)
    reporter.report(0.0)
    fonts = _fonts()
    planned = _plan_attachments(pack.attachments)
    try:
        _prepare_attachment_sources(planned)
        reporter.report(0.05)
        ctx = _Context(pack, fonts, _styles(fonts), _Layout(), planned, _used_exemptions(pack))
        main = _build(ctx, reporter.span(0.05, 0.85))
        reporter.report(0.85)
        result = _merge(main, ctx.layout, planned, pack)
    finally:
        _close(planned)
    reporter.report(1.0)
    return result
