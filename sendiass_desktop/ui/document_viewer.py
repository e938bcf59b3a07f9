"""Showing a case document without ever writing it to disk decrypted.

See docs/decisions/0008-opening-documents.md. The bytes come from
``services.documents.read_document`` (decrypted in memory), are turned into
something Qt can show on a worker thread (``render``, which never touches the
store), and are dropped when the viewer closes or the app locks:

* images (PNG, JPEG): shown as they are;
* plain text and email messages: shown as text (emails: the main headers and
  the plain-text body; attachments are listed by name only);
* Word (.docx) and OpenDocument (.odt): the words only, with a note that the
  layout is not shown;
* PDF: each page drawn as a picture when PDFium (``pypdfium2``) is installed;
* anything else (and PDF without PDFium): "Save a copy…", an explicit,
  audited export the user chooses a place for.
"""

from __future__ import annotations

import contextlib
import html
import re
import threading
import zipfile
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from io import BytesIO

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.documents import DocumentInfo, DocumentType
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import GuardedTextEdit, button, uk_datetime
from sendiass_desktop.ui.theme import heading_font
from sendiass_desktop.ui.workers import run_task

MAX_PDF_PAGES = 40
MAX_XML_BYTES = 40 * 1024 * 1024  # a .docx's text part larger than this is not unpacked
PDF_SCALE = 1.6  # 72 dpi × 1.6 ≈ 115 dpi: readable, modest memory

_pdf_lock = threading.Lock()  # PDFium is not thread-safe across documents


@dataclass
class Rendered:
    """What the viewer can show: pictures, or text, or why neither."""

    images: list[QImage] = field(default_factory=list)
    text: str | None = None
    note: str = ""  # e.g. "Words only: the layout is not shown."
    problem: str = ""  # why it cannot be shown here


def pdf_rendering_available() -> bool:
    try:
        import pypdfium2  # type: ignore[import-untyped]  # noqa: F401
    except Exception:  # not installed, or broken: fall back to "Save a copy"
        return False
    return True


def _zip_part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(BytesIO(data)) as zf:
        info = zf.getinfo(name)
        if info.file_size > MAX_XML_BYTES:
            raise ValueError("too large to unpack")
        return zf.read(info).decode("utf-8", errors="replace")


# The words are taken out with patterns rather than an XML parser: nothing in a
# document from outside can then expand entities or reach for external files.
_DOCX_PARA = re.compile(r"<w:p[ >].*?</w:p>|<w:p/>", re.DOTALL)
_DOCX_BITS = re.compile(r"<w:t(?: [^>]*)?>(.*?)</w:t>|<w:(tab)/>|<w:(br|cr)(?: [^>]*)?/>",
                        re.DOTALL)
_ODT_PARA = re.compile(r"<text:(p|h)(?: [^>]*)?(?:/>|>(.*?)</text:\1>)", re.DOTALL)
_ODT_SPACES = re.compile(r'<text:s(?: text:c="(\d+)")?\s*/>')
_TAG = re.compile(r"<[^>]+>")


def _docx_text(data: bytes) -> str:
    xml = _zip_part(data, "word/document.xml")
    paragraphs = []
    for para in _DOCX_PARA.finditer(xml):
        parts = []
        for text, tab, brk in _DOCX_BITS.findall(para.group(0)):
            parts.append(html.unescape(text) if text else "\t" if tab else "\n" if brk else "")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def _odt_text(data: bytes) -> str:
    xml = _zip_part(data, "content.xml")
    lines = []
    for match in _ODT_PARA.finditer(xml):
        inner = match.group(2) or ""
        inner = inner.replace("<text:tab/>", "\t").replace("<text:line-break/>", "\n")
        inner = _ODT_SPACES.sub(lambda m: " " * min(int(m.group(1) or 1), 200), inner)
        lines.append(html.unescape(_TAG.sub("", inner)))
    return "\n".join(lines)


def _email_text(data: bytes) -> str:
    message = BytesParser(policy=policy.default).parsebytes(data)
    lines = [f"{name}: {message[name]}" for name in ("From", "To", "Cc", "Date", "Subject")
             if message[name]]
    body = message.get_body(preferencelist=("plain",))
    text = ""
    if body is not None:
        with contextlib.suppress(Exception):
            text = body.get_content()
    if not text and body is None:
        text = "(This email has no plain-text part. Save a copy to open it in your email "\
               "program.)"
    attachments = [part.get_filename() or "unnamed"
                   for part in message.iter_attachments()]
    if attachments:
        lines.append("Attachments (not shown): " + ", ".join(attachments))
    return "\n".join(lines) + "\n\n" + text


def _pdf_images(data: bytes) -> tuple[list[QImage], int]:
    import pypdfium2 as pdfium

    images: list[QImage] = []
    with _pdf_lock:
        document = pdfium.PdfDocument(data)
        try:
            total = len(document)
            for number in range(min(total, MAX_PDF_PAGES)):
                page = document[number]
                bitmap = page.render(scale=PDF_SCALE, rev_byteorder=True, prefer_bgrx=True)
                image = QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height,
                               bitmap.stride, QImage.Format.Format_RGBX8888).copy()
                images.append(image)
                bitmap.close()
                page.close()
        finally:
            document.close()
    return images, total


def render(info: DocumentInfo, data: bytes) -> Rendered:
    """Turn the bytes into pictures or text. Runs on a worker thread; no store access."""
    kind = info.media_type
    try:
        if kind in (DocumentType.PNG, DocumentType.JPEG):
            image = QImage.fromData(data)
            if image.isNull():
                return Rendered(problem="This picture could not be read; it may be damaged.")
            return Rendered(images=[image])
        if kind is DocumentType.TEXT:
            return Rendered(text=data.decode("utf-8", errors="replace"))
        if kind is DocumentType.EMAIL:
            return Rendered(text=_email_text(data))
        if kind is DocumentType.DOCX:
            return Rendered(text=_docx_text(data),
                            note="Words only: the layout, pictures and tables are not shown. "
                                 "Save a copy to see the original.")
        if kind is DocumentType.ODT:
            return Rendered(text=_odt_text(data),
                            note="Words only: the layout and pictures are not shown. Save a "
                                 "copy to see the original.")
        if kind is DocumentType.PDF and pdf_rendering_available():
            images, total = _pdf_images(data)
            note = (f"Showing the first {MAX_PDF_PAGES} of {total} pages. Save a copy to see "
                    "the rest." if total > MAX_PDF_PAGES else "")
            return Rendered(images=images, note=note)
    except Exception:
        return Rendered(problem="This document could not be shown; it may be damaged. You can "
                                "still save a copy.")
    return Rendered(problem=f"A {kind.label.lower()} cannot be shown inside SENDIASS Desktop. "
                            "Save a copy to open it in another program.")


class DocumentViewer(QDialog):
    """One document, shown from memory. ``saveCopyRequested`` asks the panel to export."""

    saveCopyRequested = Signal(object)  # DocumentInfo

    def __init__(self, info: DocumentInfo, data: bytes, case_ref: str,
                 added_by: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self._data: bytes | None = data
        # The file name may hold a name: it goes inside the window, not in its title.
        self.setWindowTitle(f"Case {case_ref} — document")
        self.setAccessibleName("Document viewer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        heading = QLabel(info.filename, self)
        heading.setFont(heading_font(self, 1.15))
        heading.setWordWrap(True)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        facts = HintLabel(
            f"{info.media_type.label} · added {uk_datetime(info.added_at)}"
            + (f" by {added_by}" if added_by else "")
            + (f" · {info.description}" if info.description else ""), self)
        self.note = HintLabel("", self)
        self.note.hide()
        self.status = HintLabel("Opening…", self)

        self.stack = QStackedWidget(self)
        self.pages = QWidget(self)
        self.pages_layout = QVBoxLayout(self.pages)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidget(self.pages)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setAccessibleName("Document pages")
        self.scroll_area.viewport().installEventFilter(self)
        self.text = GuardedTextEdit("Document text", self, read_only=True)
        self.empty = QWidget(self)
        empty_layout = QVBoxLayout(self.empty)
        self.problem = QLabel(self.empty)
        self.problem.setWordWrap(True)
        self.problem.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.problem)
        empty_layout.addStretch(1)
        for widget in (self.empty, self.scroll_area, self.text):
            self.stack.addWidget(widget)

        self.save_button = button("&Save a copy…", "Save a copy", self,
                                  tip="Writes an unencrypted copy where you choose; recorded "
                                      "in the audit trail")
        self.save_button.clicked.connect(lambda: self.saveCopyRequested.emit(self.info))
        self.close_button = button("&Close", "Close document", self)
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.addWidget(heading)
        layout.addWidget(facts)
        layout.addWidget(self.note)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        close_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        close_key.activated.connect(self.close)
        chars = self.fontMetrics().averageCharWidth()
        self.resize(chars * 130, self.fontMetrics().lineSpacing() * 52)
        self.finished_rendering = False
        self._pages: list[tuple[QLabel, QPixmap]] = []
        self._fitted_width = 0
        self._start()

    def _start(self) -> None:
        data, info = self._data or b"", self.info
        run_task(lambda: render(info, data), on_success=self._show, on_failure=self._failed,
                 owner=self)

    def _show(self, result: Rendered) -> None:
        self._data = None  # the pictures or text are all that is kept now
        self.finished_rendering = True
        if result.note:
            self.note.setText(result.note)
            self.note.show()
        if result.images:
            for number, image in enumerate(result.images, start=1):
                label = QLabel(self.pages)
                label.setAccessibleName(f"Page {number}" if len(result.images) > 1 else "Picture")
                self.pages_layout.addWidget(label)
                self._pages.append((label, QPixmap.fromImage(image)))
            self.stack.setCurrentWidget(self.scroll_area)
            self._fit_pages()
            self.status.setText(f"{len(result.images)} page{'s' if len(result.images) != 1 else ''}"
                                if len(result.images) > 1 else "")
        elif result.text is not None:
            self.text.setPlainText(result.text)
            self.stack.setCurrentWidget(self.text)
            self.status.setText("")
        else:
            self.problem.setText(result.problem)
            self.stack.setCurrentWidget(self.empty)
            self.status.setText("")
            self.save_button.setFocus()

    def _fit_pages(self) -> None:
        """Pages and pictures fit the width of the window (never enlarged beyond their size)."""
        width = max(100, self.scroll_area.viewport().width() - 28)
        if width == self._fitted_width or not self._pages:
            return
        self._fitted_width = width
        for label, pixmap in self._pages:
            shown = pixmap if pixmap.width() <= width else pixmap.scaledToWidth(
                width, Qt.TransformationMode.SmoothTransformation)
            label.setPixmap(shown)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scroll_area.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_pages()
        return super().eventFilter(watched, event)

    def _failed(self, _exc: BaseException) -> None:
        self._data = None
        self.finished_rendering = True
        self.problem.setText("This document could not be shown. You can still save a copy.")
        self.stack.setCurrentWidget(self.empty)
        self.status.setText("")

    def shown_kind(self) -> str:
        widget = self.stack.currentWidget()
        return {id(self.scroll_area): "pictures", id(self.text): "text"}.get(id(widget), "none")

    def forget(self) -> None:
        """Drop everything shown (closing, locking)."""
        self._data = None
        self.text.clear()
        self._pages.clear()
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.forget()
        super().closeEvent(event)
