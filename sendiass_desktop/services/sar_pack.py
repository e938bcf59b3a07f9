"""Building the SAR pack: the reply to a subject access request, as one PDF.

The pack is made from the saved review decisions only. Withheld items are
left out entirely and redactions are applied to the text *before* it reaches
the PDF writer, so nothing kept back can be in the file. The PDF is made and
encrypted in memory; only the final bytes are written, atomically, to a new
file (an existing file is never overwritten). Every pack goes in the
disclosure log with its SHA-256 and page count; its passphrase is shown once
and never stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pikepdf

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.errors import InvalidInput
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
from sendiass_desktop.domain.passphrase import generate_passphrase
from sendiass_desktop.domain.redaction import Decision, ItemDecision
from sendiass_desktop.domain.sar import Relationship, SarRequest, SarStatus
from sendiass_desktop.reports.pack_pdf import ProgressCallback, render_pack
from sendiass_desktop.reports.pdf_encryption import encrypt_pdf
from sendiass_desktop.services import access
from sendiass_desktop.services.access import audit
from sendiass_desktop.services.sar import (
    gathered_views,
    require_sars,
    save_suggestions,
)
from sendiass_desktop.services.sar_gather import (
    Gathered,
    ItemKind,
    ReviewItem,
    segments_in_range,
)
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import documents as documents_repo
from sendiass_desktop.store import meta
from sendiass_desktop.store import sar as sar_repo
from sendiass_desktop.store.connection import Connection, transaction
from sendiass_desktop.store.sar import Disclosure, DisclosureKind

__all__ = ["Assembled", "PackResult", "ProgressCallback", "address_lines", "article15",
           "assemble_items", "build_pack", "count_pages", "service_letterhead", "write_new_file"]

SERVICE_ADDRESS_KEY = "service_address"  # meta key; optional, one line per address line

# --- Article 15 supplementary information: defaults for a SENDIASS ---------------------------

# Kept here until the retention issue makes it configurable.
RETENTION_STATEMENT = (
    "Closed case files are kept for 6 years after the case closes, or until the young "
    "person's 25th birthday if that is later, and then securely destroyed."
)

PURPOSES = (
    "To give you free, impartial and confidential information, advice and support about "
    "special educational needs and disability (SEND), as the Children and Families Act 2014 "
    "(section 32) requires.",
    "To keep a record of the help we have given, so that we can continue to support you.",
    "To keep children and young people safe, where there is a safeguarding concern.",
    "To produce statistics about our service that never identify anyone.",
)

CATEGORIES = (
    "Contact details: names, address, telephone numbers and email addresses.",
    "Information about the child's or young person's needs, disability and education.",
    "Notes of our contact with you: calls, emails, meetings, letters and visits.",
    "Records of your consent to share information.",
    "Safeguarding information, where relevant.",
    "Documents you or others gave us, and letters we wrote.",
)

RECIPIENTS = (
    "We share your information only with people and organisations you have consented to "
    "(for example the local authority's SEND team, a school or a health service), or where "
    "the law requires or allows us to (for example to keep a child safe, or under a court "
    "order).",
)

SOURCE = ("You, and the people and organisations you asked us to contact on your behalf "
          "(for example a school or the local authority).")

RIGHTS = (
    "You can ask us to correct information that is wrong or incomplete.",
    "You can ask us to delete information, or to limit how we use it, in some circumstances.",
    "You can object to how we use your information.",
    "Where we rely on your consent, you can withdraw it at any time.",
)

COMPLAINT = (
    "If you are unhappy with how we have handled your information, please tell us first so "
    "that we can try to put it right. You can also complain to the Information "
    "Commissioner's Office (ICO): Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF; "
    "telephone 0303 123 1113; website ico.org.uk/make-a-complaint."
)


def article15() -> Article15Info:
    return Article15Info(purposes=PURPOSES, categories=CATEGORIES, recipients=RECIPIENTS,
                         retention=RETENTION_STATEMENT, source=SOURCE, rights=RIGHTS,
                         complaint=COMPLAINT)


# --- the result -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackResult:
    path: Path
    sha256: str
    page_count: int
    passphrase: str | None  # show once, give by another channel; never stored
    disclosure_id: int
    disclosed: int  # items in full
    redacted: int  # items with redactions
    withheld: int  # items left out

    @property
    def encrypted(self) -> bool:
        return self.passphrase is not None


# --- building the pack ------------------------------------------------------------------------


def _record(item: ReviewItem, decision: ItemDecision) -> PackRecord:
    spans = decision.spans if decision.decision is Decision.REDACT else ()
    fields = tuple(PackField(f.label, segments_in_range(item.text, spans, f.start, f.end))
                   for f in item.fields)
    body = segments_in_range(item.text, spans, item.body_start, len(item.text))
    return PackRecord(category=item.category, title=item.title, on=item.on, fields=fields,
                      body=body)


def service_letterhead(conn: Connection) -> tuple[str, tuple[str, ...]]:
    """The service's name and address lines, as printed at the top of a letter."""
    service_address = meta.get(conn, SERVICE_ADDRESS_KEY) or ""
    return (meta.get(conn, meta.SERVICE_NAME) or "SENDIASS",
            tuple(x.strip() for x in service_address.splitlines() if x.strip()))


def address_lines(text: str, postcode: str) -> tuple[str, ...]:
    """A stored address (one line with commas, or several lines) and postcode, as lines."""
    return _address_lines(text, postcode)


def _address_lines(text: str, postcode: str) -> tuple[str, ...]:
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    if len(lines) == 1:
        lines = [part.strip() for part in lines[0].split(",")]
    if postcode.strip() and postcode.strip().lower() not in text.lower():
        lines.append(postcode.strip())
    return tuple(line for line in lines if line)


def _letter(session: Session, sar: SarRequest, gathered: Gathered, some_withheld: bool
            ) -> CoverLetter:
    requester = gathered.subjects[sar.requester_person_id]
    for_person = (gathered.subjects.get(sar.for_person_id) if sar.for_person_id is not None
                  else None)
    if for_person is None:
        about = "you"
    elif sar.relationship is Relationship.PARENT:
        about = f"you and your child, {for_person.display_name}"
    else:
        about = f"you and {for_person.display_name}"
    service_name, service_address = service_letterhead(session.conn)
    user = session.user
    return CoverLetter(
        service_name=service_name,
        service_address=service_address,
        requester_name=sar.requester_name_override or requester.display_name,
        requester_address=_address_lines(requester.address, requester.postcode),
        reference=sar.ref,
        received_on=sar.received_on,
        sent_on=access.today(),
        signed_by=user.display_name or user.username,
        signed_role=user.role.label,
        about_whom=about,
        extended=sar.clock().extended,
        some_withheld=some_withheld,
    )


@dataclass(frozen=True)
class Assembled:
    """Review items turned into what a pack shows, after their decisions.

    Shared by SAR packs and disclosure extracts (``services/disclosure.py``):
    withheld items are left out, redactions are applied before anything is
    rendered, and documents are read (and checked against their SHA-256) only
    when they are disclosed whole.
    """

    records: tuple[PackRecord, ...]  # date order, undated first
    attachments: tuple[PackAttachment, ...]
    exemptions_used: tuple[Exemption, ...]  # codes printed on redaction bars
    disclosed: int
    redacted: int
    withheld: int
    documents: tuple[int, ...]  # ids of the documents attached


def assemble_items(conn: Connection, items: Iterable[ReviewItem],
                   decisions: Mapping[str, ItemDecision]) -> Assembled:
    """Apply ``decisions`` (one per item key) to ``items``; see :class:`Assembled`."""
    records: list[tuple[ReviewItem, PackRecord]] = []
    attachments: list[tuple[ReviewItem, PackAttachment]] = []
    used: set[Exemption] = set()
    disclosed = redacted = withheld = 0
    for item in items:
        decision = decisions[item.key]
        if item.kind is ItemKind.DOCUMENT:
            # A document cannot be partly redacted: anything but "disclose" leaves it out.
            if decision.decision is not Decision.DISCLOSE or item.document is None:
                withheld += 1
                continue
            doc = item.document
            assert doc.id is not None
            data = documents_repo.content(conn, doc.id)
            if hashlib.sha256(data).hexdigest() != doc.sha256:
                raise InvalidInput("A document's content does not match its checksum; the "
                                   "store may be damaged. Run a store check.")
            attachments.append((item, PackAttachment(filename=doc.filename,
                                                     media_type=doc.media_type.code,
                                                     data=data, title=item.title)))
            disclosed += 1
            continue
        if decision.decision is Decision.WITHHOLD:
            withheld += 1
            continue
        if decision.decision is Decision.REDACT:
            redacted += 1
            used.update(s.exemption for s in decision.spans)
        else:
            disclosed += 1
        records.append((item, _record(item, decision)))

    def order(pair: tuple[ReviewItem, object]) -> tuple[bool, date, str]:
        item = pair[0]
        return (item.on is not None, item.on or date.min, item.key)

    records.sort(key=order)
    attachments.sort(key=order)
    return Assembled(
        records=tuple(r for _, r in records),
        attachments=tuple(a for _, a in attachments),
        # Only the codes printed on redaction bars are explained. Reasons for withheld
        # items are never in the pack (a "YP-CONF" key would itself give something away).
        exemptions_used=tuple(sorted(used, key=lambda e: e.code)),
        disclosed=disclosed, redacted=redacted, withheld=withheld,
        documents=tuple(item.document.id or 0 for item, _ in attachments if item.document),
    )


@dataclass(frozen=True)
class _Built:
    pack: Pack
    disclosed: int
    redacted: int
    withheld: int
    documents: tuple[int, ...]


def _assemble(session: Session, sar: SarRequest, gathered: Gathered,
              decisions: dict[str, ItemDecision]) -> _Built:
    done = assemble_items(session.conn, gathered.items, decisions)
    pack = Pack(
        kind=PackKind.SAR,
        letter=_letter(session, sar, gathered,
                       some_withheld=bool(done.withheld or done.redacted)),
        article15=article15(),
        records=done.records,
        attachments=done.attachments,
        exemptions_used=done.exemptions_used,
    )
    return _Built(pack, done.disclosed, done.redacted, done.withheld, done.documents)


def count_pages(pdf: bytes, password: str = "") -> int:
    with pikepdf.open(io.BytesIO(pdf), password=password) as doc:
        return len(doc.pages)


def write_new_file(out: Path, data: bytes) -> None:
    """Write ``data`` to a new file ``out``, atomically, never replacing an existing file.

    The bytes go to a temporary file in the same folder (so the final step is a
    rename on one filesystem), are flushed to disk, then linked into place;
    linking fails if ``out`` exists, which closes the gap a check-then-replace
    would leave. Where hard links are not supported, ``os.replace`` after a
    check is used instead.
    """
    folder = out.parent
    if not folder.is_dir():
        raise InvalidInput(f"The folder '{folder}' does not exist.")
    if out.exists():
        raise InvalidInput(f"'{out.name}' already exists; choose a new file name.")
    tmp = folder / f".{out.name}.{secrets.token_hex(6)}.part"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, out)
        except FileExistsError:
            raise InvalidInput(f"'{out.name}' already exists; choose a new file name.") from None
        except OSError:
            if out.exists():
                raise InvalidInput(f"'{out.name}' already exists; choose a new file name."
                                   ) from None
            os.replace(tmp, out)
    except InvalidInput:
        raise
    except OSError as exc:
        raise InvalidInput(f"The pack could not be written to '{out}' ({exc.strerror}). "
                           "Nothing was kept.") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def last_chance_to_stop(progress: ProgressCallback | None) -> None:
    """Report "done" once more just before anything is written or logged.

    Laying out reports 1.0 at its end, but checking and encrypting the PDF come
    after it: a progress callback that stops the work (ui/progress.StopFlag)
    raises here, so Cancel pressed during those steps still leaves no file.
    """
    if progress is not None:
        progress(1.0)


def build_pack(session: Session, sar_id: int, out: Path, *, encrypt: bool = True,
               accept_suggested: bool = False, progress: ProgressCallback | None = None
               ) -> PackResult:
    """Make the reply to a request from its saved decisions and write it to ``out``.

    Refuses while any item has no decision that still holds, unless
    ``accept_suggested`` (then the app's suggestions are saved for those items
    first). ``encrypt=False`` is an explicit choice, recorded in the audit log.
    The request's status is left to the manager (see ``services.sar.mark_sent``).
    """
    require_sars(session)
    out = Path(out).expanduser().absolute()
    if out.exists():
        raise InvalidInput(f"'{out.name}' already exists; choose a new file name.")
    if not out.parent.is_dir():
        raise InvalidInput(f"The folder '{out.parent}' does not exist.")
    with transaction(session.conn) as conn:
        # One gathering serves both accepting the suggestions and the pack: for a
        # thousand notes it is a noticeable part of the build.
        sar, gathered, views = gathered_views(conn, session, sar_id)
        if sar.status is SarStatus.REFUSED:
            raise InvalidInput("This request was refused; no pack can be made for it.")
        if accept_suggested:
            sar, views = save_suggestions(conn, session, sar, views)
        missing = [v for v in views if not v.decided]
        if missing:
            raise InvalidInput(
                f"{len(missing)} of {len(views)} items have no decision yet (or changed after "
                "they were reviewed). Review them, or accept the suggestions for the rest."
            )
        built = _assemble(session, sar, gathered, {v.key: v.decision for v in views})
        audit(conn, session, AuditAction.RECORD_READ, "sar", sar_id,
              {"items": len(views), "documents": list(built.documents), "purpose": "pack"})

    pdf = render_pack(built.pack, progress=progress)
    pages = count_pages(pdf)
    passphrase: str | None = None
    if encrypt:
        passphrase = generate_passphrase()
        final = encrypt_pdf(pdf, passphrase)
    else:
        final = pdf
    del pdf
    last_chance_to_stop(progress)
    digest = hashlib.sha256(final).hexdigest()
    write_new_file(out, final)
    try:
        if hashlib.sha256(out.read_bytes()).hexdigest() != digest:
            raise InvalidInput("The pack did not read back as written; the disk may be faulty. "
                               "It was removed; try another folder.")
        with transaction(session.conn) as conn:
            logged = sar_repo.insert_disclosure(conn, Disclosure(
                kind=DisclosureKind.SAR, sar_id=sar_id,
                recipient=built.pack.letter.requester_name, sent_at=datetime.now(),
                made_by=session.user.username, sha256=digest, page_count=pages,
                encrypted=encrypt, file_name=out.name, subject_ids=sar.data_subject_ids,
            ))
            audit(conn, session, AuditAction.EXPORTED, "sar", sar_id,
                  {"disclosure_id": logged.id, "encrypted": encrypt, "pages": pages,
                   "sha256": digest, "disclosed": built.disclosed, "redacted": built.redacted,
                   "withheld": built.withheld})
    except BaseException:
        # A pack that is not in the disclosure log must not be left behind.
        with contextlib.suppress(OSError):
            out.unlink()
        raise
    assert logged.id is not None
    return PackResult(path=out, sha256=digest, page_count=pages, passphrase=passphrase,
                      disclosure_id=logged.id, disclosed=built.disclosed,
                      redacted=built.redacted, withheld=built.withheld)
