"""What goes into a SAR pack or disclosure extract, after review and redaction.

This is the only input the PDF writer gets. Withheld items are not in it at
all, and redacted passages are markers without their text, so nothing that
was kept back can reach the file (not even its metadata or bookmarks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.redaction import Segment


class PackKind:
    SAR = "Subject access request"
    DISCLOSURE = "Disclosure extract"


@dataclass(frozen=True)
class PackField:
    """A labelled value, e.g. ("Date of birth", segments)."""

    label: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class PackRecord:
    """One disclosed item: a note, a consent record, a case summary..."""

    category: str  # e.g. "Case note", "Consent", "Safeguarding"; shown in the index
    title: str  # e.g. "Phone call, 12/03/2026" — must not itself contain redacted text
    on: date | None
    fields: tuple[PackField, ...] = ()
    body: tuple[Segment, ...] = ()  # free text, possibly with redaction markers


@dataclass(frozen=True)
class PackAttachment:
    """A document appended after the records: PDFs merged page by page, images on
    pages, anything else listed by name only."""

    filename: str
    media_type: str
    data: bytes = field(repr=False)
    title: str = ""


@dataclass(frozen=True)
class Article15Info:
    """The supplementary information UK GDPR Article 15(1)–(2) requires."""

    purposes: tuple[str, ...]
    categories: tuple[str, ...]
    recipients: tuple[str, ...]
    retention: str
    source: str
    rights: tuple[str, ...]
    complaint: str
    automated_decisions: str = (
        "We do not make decisions about you by automated means, including profiling."
    )
    transfers: str = "We do not transfer your information outside the United Kingdom."


@dataclass(frozen=True)
class CoverLetter:
    service_name: str
    service_address: tuple[str, ...]
    requester_name: str
    requester_address: tuple[str, ...]
    reference: str  # the SAR reference, printed on every page
    received_on: date
    sent_on: date
    signed_by: str
    signed_role: str
    about_whom: str  # e.g. "you" or "your son, Tom Jones"
    extended: bool = False
    some_withheld: bool = False  # a general statement only; never which items or why in detail
    # A disclosure extract goes to the agency (the recipient) and, as a copy,
    # to the family: the two letters need different words.
    to_recipient: bool = False


@dataclass(frozen=True)
class Pack:
    kind: str  # PackKind.SAR or PackKind.DISCLOSURE
    letter: CoverLetter
    article15: Article15Info | None
    records: tuple[PackRecord, ...]  # already in date order
    attachments: tuple[PackAttachment, ...] = ()
    exemptions_used: tuple[Exemption, ...] = ()  # explained in a key after the index

    @property
    def reference(self) -> str:
        return self.letter.reference
