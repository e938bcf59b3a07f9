"""The SAR pack PDF: a real letter, every disclosed word, no hidden word, page
furniture on every page, attachments merged or listed, clean metadata."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pdfplumber
import pikepdf
import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas as pdf_canvas

from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.pack import (
    Article15Info,
    CoverLetter,
    Pack,
    PackAttachment,
    PackField,
    PackKind,
    PackRecord,
)
from sendiass_desktop.domain.redaction import Segment, Span, apply_redactions
from sendiass_desktop.reports import pack_pdf
from sendiass_desktop.reports.pack_pdf import describe_attachments, render_pack

REFERENCE = "SAR-2026-0007"
REQUESTER = "Mrs Sarah Jones"


# --- building packs by hand ----------------------------------------------------------


def _letter(**changes: Any) -> CoverLetter:
    letter = CoverLetter(
        service_name="Northshire SENDIASS",
        service_address=("Unit 4, Riverside House", "12 Canal Street", "Northtown", "NT1 3XY"),
        requester_name=REQUESTER,
        requester_address=("14 Acacia Avenue", "Northtown", "NT2 5QP"),
        reference=REFERENCE,
        received_on=date(2026, 10, 29),
        sent_on=date(2026, 11, 26),
        signed_by="Helen Carter",
        signed_role="Service Manager",
        about_whom="you and your son, Tom Jones",
    )
    return dataclasses.replace(letter, **changes)


ARTICLE15 = Article15Info(
    purposes=("To give you impartial advice about special educational needs.",),
    categories=("Contact details.", "Notes of our conversations."),
    recipients=("The school, when you agreed.",),
    retention="Six years after our last contact.",
    source="From you, and from people you asked us to contact.",
    rights=(
        "You can ask us to correct information (rectification).",
        "You can ask us to delete information (erasure).",
        "You can ask us to limit its use (restriction).",
        "You can object to how we use it (objection).",
    ),
    complaint="You can complain to the Information Commissioner's Office (ico.org.uk).",
)


def _text(value: str) -> tuple[Segment, ...]:
    return (Segment(text=value),)


def _note(title: str, body: str | tuple[Segment, ...], on: date | None = date(2026, 3, 4),
          category: str = "Case note", **changes: Any) -> PackRecord:  # fmt: skip
    segments = _text(body) if isinstance(body, str) else body
    officer = (PackField("Officer", _text("Amir Hussain")),)
    record = PackRecord(category, title, on, fields=officer, body=segments)
    return dataclasses.replace(record, **changes)


def _pack(*records: PackRecord, attachments: tuple[PackAttachment, ...] = (),
          **changes: Any) -> Pack:  # fmt: skip
    pack = Pack(
        kind=PackKind.SAR,
        letter=_letter(),
        article15=ARTICLE15,
        records=records or (_note("Phone call with Mrs Jones", "Mrs Jones asked for advice."),),
        attachments=attachments,
        exemptions_used=(),
    )
    return dataclasses.replace(pack, **changes)


def _pdf_attachment(pages: int, marker: str = "ATTACHMENT", *, size: tuple[float, float] = A4,
                    title: str = "") -> bytes:  # fmt: skip
    buffer = io.BytesIO()
    c = pdf_canvas.Canvas(buffer, pagesize=size, pageCompression=0)
    if title:
        c.setTitle(title)
        c.bookmarkPage("first")
        c.addOutlineEntry(title, "first")
    for number in range(1, pages + 1):
        c.setFont("Helvetica", 14)
        c.drawString(72, size[1] - 100, f"{marker} PAGE {number}")
        c.showPage()
    c.save()
    return buffer.getvalue()


def _png(width: int = 400, height: int = 300) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#3366AA").save(buffer, format="PNG")
    return buffer.getvalue()


# --- reading the PDF back ------------------------------------------------------------


def _pages(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_text() or "" for page in document.pages]


def _body_text(pdf: bytes) -> str:
    """All text with page furniture removed and whitespace collapsed, so a
    paragraph that wraps or crosses a page still reads as one string."""
    kept: list[str] = []
    for page in _pages(pdf):
        for line in page.splitlines():
            if line == "CONFIDENTIAL" or line.startswith("Our reference: "):
                continue
            kept.append(line)
    return " ".join(" ".join(kept).split())


def _decompressed(pdf: bytes) -> bytes:
    """Every object of the file, streams decoded: content, fonts, forms, metadata,
    outlines, names, the document information dictionary and the trailer."""
    chunks: list[bytes] = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for obj in document.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    chunks.append(obj.read_bytes())
                except pikepdf.PdfError:  # an image format with no generic decoder (JPEG)
                    chunks.append(obj.read_raw_bytes())
                chunks.append(obj.stream_dict.unparse())
            else:
                chunks.append(obj.unparse())
        chunks.append(document.trailer.unparse(resolved=True))
        chunks.append(document.Root.unparse(resolved=True))
    return b"\n".join(chunks)


def _assert_absent(pdf: bytes, secret: str) -> None:
    needle = secret.encode()
    assert needle not in pdf
    assert needle not in _decompressed(pdf)
    assert secret.encode("utf-16-be") not in _decompressed(pdf)  # PDF text strings
    assert secret not in _body_text(pdf)
    assert all(secret not in page for page in _pages(pdf))


@pytest.fixture(scope="module")
def simple_pdf() -> bytes:
    return render_pack(_pack(
        _note("Phone call with Mrs Jones", "Mrs Jones asked about SEN support.",
              on=date(2026, 1, 14)),
        _note("School meeting", "We met the SENCo.\n\nThe school agreed a plan.",
              on=date(2026, 2, 10)),
        _note("Consent to contact the school", "", on=date(2026, 1, 20), category="Consent",
              fields=(PackField("Given by", _text("Mrs Sarah Jones")),
                      PackField("Recipient", _text("Riverside Primary School")))),
    ))  # fmt: skip


# --- the letter ------------------------------------------------------------------------


def test_the_letter_greets_the_requester_with_reference_and_uk_dates(simple_pdf: bytes) -> None:
    letter = _pages(simple_pdf)[0]
    assert "Dear Mrs Sarah Jones," in letter
    assert f"Our reference: {REFERENCE}" in letter
    assert "26 November 2026" in letter  # sent
    assert "We received your request on 29 October 2026." in " ".join(letter.split())
    assert "you and your son, Tom Jones" in " ".join(letter.split())
    assert "Yours sincerely," in letter
    assert "Helen Carter" in letter and "Service Manager" in letter
    # The service's address block sits top right, above the requester's.
    assert letter.index("Northshire SENDIASS") < letter.index("14 Acacia Avenue")


def test_withheld_and_extension_sentences_appear_only_when_set() -> None:
    plain = _body_text(render_pack(_pack()))
    assert "blacked out, because" not in plain
    assert "more time" not in plain

    text = _body_text(render_pack(_pack(letter=_letter(some_withheld=True, extended=True))))
    assert (
        "Some information has not been included, or has been partly blacked out, because "
        "the law allows or requires us to hold it back — for example to protect other "
        "people's privacy. Each blacked-out passage shows a short code explained in the key."
    ) in text
    assert "needed more time than usual" in text


def test_article15_section_is_rendered_as_given_and_skipped_when_absent() -> None:
    text = _body_text(render_pack(_pack()))
    assert "How we use this information, and your rights" in text
    for value in (*ARTICLE15.purposes, *ARTICLE15.rights, ARTICLE15.retention,
                  ARTICLE15.source, ARTICLE15.complaint, ARTICLE15.automated_decisions,
                  ARTICLE15.transfers):  # fmt: skip
        assert value in text

    extract = render_pack(_pack(kind=PackKind.DISCLOSURE, article15=None))
    text = _body_text(extract)
    assert "How we use this information" not in text
    assert "Information Commissioner" not in text
    with pikepdf.open(io.BytesIO(extract)) as document:
        assert str(document.docinfo["/Title"]) == f"Disclosure extract {REFERENCE}"


def test_a_pack_without_records_still_says_so_politely() -> None:
    pdf = render_pack(_pack(records=()))
    assert "have found no records about you and your son, Tom Jones" in _body_text(pdf)


# --- records and redactions --------------------------------------------------------------


def test_every_disclosed_record_is_in_the_text_with_its_date(simple_pdf: bytes) -> None:
    text = _body_text(simple_pdf)
    for expected in ("Mrs Jones asked about SEN support.", "We met the SENCo.",
                     "The school agreed a plan.", "Consent to contact the school",
                     "Given by", "Riverside Primary School", "Officer Amir Hussain",
                     "14/01/2026", "10/02/2026", "20/01/2026"):  # fmt: skip
        assert expected in text


def test_paragraphs_of_a_note_stay_separate_paragraphs(simple_pdf: bytes) -> None:
    lines = "\n".join(_pages(simple_pdf)).splitlines()
    assert "We met the SENCo." in lines
    assert "The school agreed a plan." in lines


def test_redacted_text_never_reaches_the_file_realistic_flow() -> None:
    secret = "Zanzibarella"
    note = f"Mrs Jones said that {secret} from next door had been helping with homework."
    start = note.index(secret)
    body = apply_redactions(note, [Span(start, start + len(secret), Exemption.THIRD_PARTY)])
    assert all(secret not in s.text for s in body)  # the renderer never sees it
    field_text = f"Spoke to {secret} and the SENCo"
    field_start = field_text.index(secret)
    field = apply_redactions(
        field_text, [Span(field_start, field_start + len(secret), Exemption.THIRD_PARTY)]
    )
    pdf = render_pack(_pack(_note("Phone call", body, fields=(PackField("Who", field),)),
                            exemptions_used=(Exemption.THIRD_PARTY,)))  # fmt: skip

    _assert_absent(pdf, secret)
    text = _body_text(pdf)
    assert "Mrs Jones said that S2P3 from next door had been helping with homework." in text
    assert "Spoke to S2P3 and the SENCo" in text
    assert "Information about other people" in text  # the key explains the code


def test_bars_are_sized_by_the_code_not_by_the_hidden_text() -> None:
    def bar_rects(hidden: str, exemption: Exemption) -> list[tuple[float, float]]:
        note = f"Before {hidden} after."
        start = note.index(hidden)
        body = apply_redactions(note, [Span(start, start + len(hidden), exemption)])
        pdf = render_pack(_pack(_note("Call", body)))
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            page = next(p for p in document.pages if "Before" in (p.extract_text() or ""))
            words = page.extract_words()
            after = next(w for w in words if w["text"] == "after.")
            # A rounded rectangle is a filled curve to pdfplumber.
            bars = [c for c in page.curves + page.rects if c["fill"]
                    and abs(c["top"] - after["top"]) < 6 and c["width"] < 80]  # fmt: skip
            assert len(bars) == 1
            return [(round(bars[0]["width"], 2), round(after["x0"], 2))]

    short = bar_rects("Al", Exemption.THIRD_PARTY)
    long = bar_rects("Alexandra Montgomery-Smythe of 14 Long Road, Northtown",
                     Exemption.THIRD_PARTY)  # fmt: skip
    assert short == long  # same bar width, same position of the next word
    wider_code = bar_rects("Al", Exemption.YOUNG_PERSON_CONFIDENCE)
    assert wider_code[0][0] > short[0][0]  # the code sets the width


def test_key_lists_every_code_used_including_ones_only_in_records() -> None:
    body = (Segment(text="Told us "), Segment(redacted=Exemption.YOUNG_PERSON_CONFIDENCE),
            Segment(text=" in confidence."))  # fmt: skip
    pdf = render_pack(_pack(_note("Call", body), exemptions_used=(Exemption.THIRD_PARTY,)))
    text = _body_text(pdf)
    assert "Key to the codes on blacked-out passages" in text
    for exemption in (Exemption.THIRD_PARTY, Exemption.YOUNG_PERSON_CONFIDENCE):
        assert exemption.code in text
        assert " ".join(exemption.label.split()[:6]) in text
    assert Exemption.LEGAL_PRIVILEGE.code not in text


def test_markup_characters_are_shown_literally_not_interpreted() -> None:
    body = ('Mum wrote <b>NOT BOLD</b> & "quotes" &amp; <font size="40">big</font> '
            "<onDraw name=x label=y/> a<b & c>d </para> <br/>")
    pdf = render_pack(_pack(_note("Email <i>subject</i> & more", body)))
    text = _body_text(pdf)
    assert '<b>NOT BOLD</b> & "quotes" &amp; <font size="40">big</font>' in text
    assert "<onDraw name=x label=y/> a<b & c>d </para> <br/>" in text
    assert "Email <i>subject</i> & more" in text


def test_non_latin_scripts_and_emoji_render_without_crashing() -> None:
    body = ("Greek Ελληνικά, Russian Русский, Polish Łódź, Welsh Ŵŷ, Arabic مرحبا, "
            "Chinese 中文, emoji 😀👍🏽❤️, control \x00\x07\x1b chars, lone \ud800 surrogate,"
            "\r\nWindows line end, tab\there.")  # fmt: skip
    pdf = render_pack(_pack(_note("Notes in many languages — 日本", body),
                            letter=_letter(requester_name="Mrs Zoë Ñúñez-Łukasiewicz")))
    text = _body_text(pdf)
    for expected in ("Ελληνικά", "Русский", "Łódź", "Ŵŷ", "❤", "Mrs Zoë Ñúñez-Łukasiewicz"):
        assert expected in text
    # What the font cannot draw (or reportlab cannot map back to text, as with
    # characters beyond U+FFFF) becomes the replacement character, visibly.
    assert "Chinese \ufffd\ufffd" in text
    assert "emoji \ufffd\ufffd❤" in text
    assert "\x00" not in text and "\x1b" not in text


def test_long_words_and_many_bars_wrap_inside_the_margins() -> None:
    url = "https://www.example.org.uk/" + "very-long-path-segment/" * 20 + "?x=1"
    segments: list[Segment] = [Segment(text=f"See {url} for details. ")]
    for index in range(150):
        segments.append(Segment(text=f"word{index} "))
        segments.append(Segment(redacted=list(Exemption)[index % len(Exemption)]))
        segments.append(Segment(text=" "))
    pdf = render_pack(_pack(_note("Long", tuple(segments)),
                            records=(_note("Long", tuple(segments)),)))  # fmt: skip
    right_edge = A4[0] - 20 * 72 / 25.4  # the right margin
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            assert all(ch["x1"] <= right_edge + 1 for ch in page.chars)
            shapes = page.rects + page.curves
            assert all(shape["x1"] <= right_edge + 1 for shape in shapes if shape["fill"])
    assert "word149" in _body_text(pdf)


def test_long_field_values_many_fields_and_long_titles_do_not_break_the_layout() -> None:
    huge = "A very long field value. " * 400 + "\n" * 50 + "End of field."
    many = tuple(PackField(f"Field {i}", _text(f"Value {i}\n\nSecond paragraph {i}"))
                 for i in range(120))  # fmt: skip
    record = _note("T" * 2000, "Body.", fields=(PackField("History", _text(huge)), *many))
    pdf = render_pack(_pack(record))
    text = _body_text(pdf)
    assert "End of field." in text
    assert "Field 0 Value 0 Second paragraph 0" in text
    assert "Field 119 Value 119 Second paragraph 119" in text  # the rows went over pages
    assert len(_pages(pdf)) > 6


# --- page furniture and the index --------------------------------------------------------


def _page_numbers(pdf: bytes) -> Iterator[tuple[int, int, str]]:
    pages = _pages(pdf)
    for number, text in enumerate(pages, start=1):
        yield number, len(pages), text


def test_every_page_has_reference_page_n_of_m_and_confidential() -> None:
    pdf = render_pack(_pack(*(_note(f"Call {i}", "Talked about the plan. " * 30)
                              for i in range(40)),
                            attachments=(PackAttachment("a.pdf", "application/pdf",
                                                        _pdf_attachment(3)),
                                         PackAttachment("p.png", "image/png", _png()))))
    total = len(PdfReader(io.BytesIO(pdf)).pages)
    assert total > 10
    for number, count, text in _page_numbers(pdf):
        assert count == total
        assert text.splitlines()[0] == "CONFIDENTIAL"
        assert f"Our reference: {REFERENCE}" in text
        assert f"Page {number} of {total}" in text


def test_index_gives_the_page_each_record_starts_on() -> None:
    titles = [f"Distinct title number {i:02d}" for i in range(30)]
    records = tuple(_note(t, "Some text about the case. " * 25, on=date(2026, 1, 1 + i))
                    for i, t in enumerate(titles))  # fmt: skip
    pdf = render_pack(_pack(*records))
    pages = _pages(pdf)
    contents = next(p for p in pages if p.startswith("CONFIDENTIAL\nContents"))
    for title in titles:
        match = re.search(rf"{re.escape(title)} (\d+)$", contents, re.MULTILINE)
        assert match, title
        listed = int(match.group(1))
        heading_page = next(n for n, text in enumerate(pages, start=1)
                            if title in text.splitlines() and "Case note ·" in text
                            and n > pages.index(contents) + 1)  # fmt: skip
        assert listed == heading_page, title


def test_metadata_is_neutral_and_there_are_no_outlines_or_names(simple_pdf: bytes) -> None:
    with pikepdf.open(io.BytesIO(simple_pdf)) as document:
        info = {str(k): str(v) for k, v in document.docinfo.items()}
        assert info == {
            "/Title": f"Subject access request {REFERENCE}",
            "/Author": "Northshire SENDIASS",
            "/Creator": "SENDIASS Desktop",
            "/Producer": "SENDIASS Desktop",
        }
        for key in ("/Metadata", "/Outlines", "/Names", "/OpenAction", "/AA", "/AcroForm"):
            assert key not in document.Root
        assert all("/Annots" not in page.obj for page in document.pages)
    for personal in ("Sarah", "Jones", "Acacia", "Tom"):
        assert personal.encode() not in simple_pdf  # nothing in plain sight in the file


# --- attachments ---------------------------------------------------------------------------


def test_pdf_attachment_pages_are_merged_with_furniture_on_each() -> None:
    one = render_pack(_pack(attachments=(
        PackAttachment("a.pdf", "application/pdf", _pdf_attachment(1, "MERGEDDOC")),)))
    four = render_pack(_pack(attachments=(
        PackAttachment("a.pdf", "application/pdf", _pdf_attachment(4, "MERGEDDOC")),)))
    assert len(PdfReader(io.BytesIO(four)).pages) == len(PdfReader(io.BytesIO(one)).pages) + 3
    pages = _pages(four)
    for number in range(1, 5):
        (index, text), = [(i, t) for i, t in enumerate(pages) if f"MERGEDDOC PAGE {number}" in t]
        assert f"Page {index + 1} of {len(pages)}" in text
        assert REFERENCE in text
        assert f"Attachment 1 of 1: a.pdf — page {number} of 4" in text


def test_attachment_metadata_outlines_and_links_are_not_carried_across() -> None:
    source = _pdf_attachment(2, "VISIBLEBODY", title="HIDDENTITLE-OF-ATTACHMENT")
    assert b"HIDDENTITLE-OF-ATTACHMENT" in source  # the positive control
    pdf = render_pack(_pack(attachments=(PackAttachment("a.pdf", "application/pdf", source),)))
    _assert_absent(pdf, "HIDDENTITLE-OF-ATTACHMENT")
    assert "VISIBLEBODY PAGE 2" in "\n".join(_pages(pdf))
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert "/Outlines" not in document.Root


def test_landscape_attachment_pages_get_landscape_pages() -> None:
    pdf = render_pack(_pack(attachments=(PackAttachment(
        "wide.pdf", "application/pdf", _pdf_attachment(1, "WIDEPAGE", size=landscape(A4))),)))
    with pikepdf.open(io.BytesIO(pdf)) as document:
        sizes = [(float(p.mediabox[2]), float(p.mediabox[3])) for p in document.pages]
    pages = _pages(pdf)
    (index,) = [i for i, t in enumerate(pages) if "WIDEPAGE PAGE 1" in t]
    assert sizes[index][0] > sizes[index][1]
    assert all(w < h for i, (w, h) in enumerate(sizes) if i != index)
    assert f"Page {index + 1} of {len(pages)}" in pages[index]


def test_image_attachment_gets_its_own_page_with_a_caption() -> None:
    pdf = render_pack(_pack(attachments=(
        PackAttachment("drawing.png", "image/png", _png(), title="Tom's drawing"),)))
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        image_pages = [p for p in document.pages if p.images]
        assert len(image_pages) == 1
        text = image_pages[0].extract_text() or ""
    assert "Attachment 1 of 1" in text
    assert "Tom's drawing" in text
    assert "drawing.png" in text
    assert text.count("Tom's drawing") == 1  # nothing else shares the page


def test_jpeg_metadata_is_dropped_when_the_image_is_included() -> None:
    image = Image.new("RGB", (320, 240), "#AA5533")
    exif = Image.Exif()
    exif[0x010E] = "EXIFSECRET-DESCRIPTION"  # ImageDescription
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    data = buffer.getvalue()
    assert b"EXIFSECRET-DESCRIPTION" in data
    pdf = render_pack(_pack(attachments=(PackAttachment("photo.jpg", "image/jpeg", data),)))
    _assert_absent(pdf, "EXIFSECRET-DESCRIPTION")
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert sum(len(p.images) for p in document.pages) == 1


def test_unsupported_attachment_is_listed_by_name_and_its_bytes_are_not_embedded() -> None:
    data = b"PK\x03\x04 word document containing UNSUPPORTED-INSIDE-MARKER"
    pdf = render_pack(_pack(attachments=(PackAttachment(
        "letter to school.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        data,
    ),)))
    _assert_absent(pdf, "UNSUPPORTED-INSIDE-MARKER")
    text = _body_text(pdf)
    assert "Documents provided separately" in text
    assert "letter to school.docx" in text
    assert "Word document" in text
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert not document.attachments  # no embedded files


def test_damaged_or_locked_attachments_are_listed_not_fatal() -> None:
    locked = io.BytesIO()
    with pikepdf.open(io.BytesIO(_pdf_attachment(1))) as source:
        source.save(locked, encryption=pikepdf.Encryption(owner="o" * 12, user="u" * 12, R=6))
    attachments = (
        PackAttachment("broken.pdf", "application/pdf", b"%PDF-1.7 this is not really a PDF"),
        PackAttachment("locked.pdf", "application/pdf", locked.getvalue()),
        PackAttachment("broken.png", "image/png", b"\x89PNG\r\n\x1a\n truncated"),
        PackAttachment("drawing.gif", "image/gif", b"GIF89a..."),
    )
    summaries = describe_attachments(attachments)
    assert [s.handling for s in summaries] == ["listed"] * 4
    assert "password" in summaries[1].reason
    text = _body_text(render_pack(_pack(attachments=attachments)))
    for name in ("broken.pdf", "locked.pdf", "broken.png", "drawing.gif"):
        assert name in text


def test_describe_attachments_says_how_each_file_is_included() -> None:
    summaries = describe_attachments((
        PackAttachment("a.pdf", "application/pdf", _pdf_attachment(3)),
        PackAttachment("b.png", "image/png", _png()),
        PackAttachment("c.eml", "message/rfc822", b"From: someone"),
    ))  # fmt: skip
    assert [(s.handling, s.pages, s.type_name) for s in summaries] == [
        ("pdf", 3, "PDF document"), ("image", 1, "PNG image"), ("listed", 0, "Email message"),
    ]  # fmt: skip


# --- progress and robustness -------------------------------------------------------------


def test_progress_is_reported_sparsely_from_zero_to_one() -> None:
    calls: list[float] = []
    render_pack(_pack(*(_note(f"Call {i}", "Text. " * 20) for i in range(60))),
                progress=calls.append)  # fmt: skip
    assert calls[0] == 0.0
    assert calls[-1] == 1.0
    assert calls == sorted(calls)
    assert 5 <= len(calls) <= 60


def test_without_the_bundled_font_the_pack_still_renders(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Any) -> None:  # fmt: skip
    monkeypatch.setattr(pack_pdf, "_FONT_DIR", tmp_path)
    pack_pdf._fonts.cache_clear()
    try:
        pdf = render_pack(_pack(_note("Call", "Русский text and £5 café, code "),
                                letter=_letter(requester_name="Mrs Zoë Jones")))
    finally:
        pack_pdf._fonts.cache_clear()
    text = _body_text(pdf)
    assert "Dear Mrs Zoë Jones," in text  # Windows-1252 is still fine
    assert "??????? text and £5 café" in text  # never Helvetica's black squares


def test_a_page_that_cannot_be_copied_is_marked_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    def damaged(self: pikepdf.Page, *args: Any, **kwargs: Any) -> pikepdf.Object:
        raise pikepdf.PdfError("damaged page")

    monkeypatch.setattr(pikepdf.Page, "as_form_xobject", damaged)
    pdf = render_pack(_pack(attachments=(
        PackAttachment("a.pdf", "application/pdf", _pdf_attachment(2)),)))  # fmt: skip
    pages = _pages(pdf)
    marked = [i for i, text in enumerate(pages) if "could not be reproduced here" in text]
    assert len(marked) == 2
    assert all(f"Page {i + 1} of {len(pages)}" in pages[i] for i in marked)


def test_an_enormous_image_is_listed_rather_than_decoded() -> None:
    buffer = io.BytesIO()
    Image.new("1", (9000, 8000)).save(buffer, format="PNG")  # 72 megapixels, small file
    (summary,) = describe_attachments((PackAttachment("scan.png", "image/png",
                                                      buffer.getvalue()),))  # fmt: skip
    assert summary.handling == "listed"
    assert "too large" in summary.reason
