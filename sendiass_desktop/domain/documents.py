"""Documents attached to a case: which kinds are accepted, and how big.

The type is decided from the file's first bytes, not its name, so a
renamed executable is refused.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.labels import LabelledEnum

MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
MAX_FILENAME = 200


class DocumentType(LabelledEnum):
    PDF = ("application/pdf", "PDF document")
    PNG = ("image/png", "PNG image")
    JPEG = ("image/jpeg", "JPEG image")
    DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word document")
    ODT = ("application/vnd.oasis.opendocument.text", "OpenDocument text")
    DOC = ("application/msword", "Word 97–2003 document")
    RTF = ("application/rtf", "Rich text document")
    TEXT = ("text/plain", "Plain text")
    EMAIL = ("message/rfc822", "Email message")


@dataclass(frozen=True)
class DocumentInfo:
    case_id: int
    filename: str
    media_type: DocumentType
    size: int
    sha256: str
    added_by: str
    added_at: datetime
    description: str = ""
    note_id: int | None = None
    deleted_at: datetime | None = None
    id: int | None = None


def _zip_kind(data: bytes) -> DocumentType | None:
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "word/document.xml" in names:
                return DocumentType.DOCX
            if "mimetype" in names and zf.read("mimetype").strip() == (
                b"application/vnd.oasis.opendocument.text"
            ):
                return DocumentType.ODT
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    return None


def _looks_like_text(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multibyte character cut at the sample's end is still text.
        if exc.start < len(sample) - 4:
            return False
    return True


_EMAIL_HEADER = re.compile(rb"^(From|Received|Return-Path|Date|Subject|To|MIME-Version):",
                           re.IGNORECASE)


def detect_type(data: bytes) -> DocumentType:
    """What the bytes are, or ``InvalidInput`` naming what is accepted."""
    if data.startswith(b"%PDF-"):
        return DocumentType.PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return DocumentType.PNG
    if data.startswith(b"\xff\xd8\xff"):
        return DocumentType.JPEG
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
        if kind is not None:
            return kind
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return DocumentType.DOC
    if data.startswith(b"{\\rtf"):
        return DocumentType.RTF
    if _looks_like_text(data):
        return DocumentType.EMAIL if _EMAIL_HEADER.match(data) else DocumentType.TEXT
    accepted = ", ".join(t.label for t in DocumentType)
    raise InvalidInput(f"This kind of file cannot be attached. Accepted: {accepted}.")


def check_document(filename: str, data: bytes) -> DocumentType:
    name = filename.strip()
    if not name or len(name) > MAX_FILENAME or "/" in name or "\\" in name or "\x00" in name:
        raise InvalidInput("The file name is not usable; rename the file and try again.")
    if not data:
        raise InvalidInput("The file is empty.")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            f"The file is too large ({len(data) / 1048576:.1f} MB); the limit is "
            f"{MAX_DOCUMENT_BYTES // 1048576} MB."
        )
    return detect_type(data)
