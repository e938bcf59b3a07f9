"""Importing and exporting casework files (the interchange format, docs/import-format.md).

Import is all or nothing per file: every row is checked first (the file, then
against the store: accounts, references, clashes) and, if any row has a
problem, every problem is reported and nothing is written. Otherwise the
whole file goes in inside ONE transaction, with the search index and the
reference counters kept in step and one audit entry; a crash part-way leaves
the store as it was. Only administrators import (it bulk-creates records).

Export writes only what the signed-in user may see, to a temporary file beside
the target that is renamed into place (never half a file, never over an
existing file), and audits each case exported.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import Case, CaseParty, PartyRole, format_case_ref
from sendiass_desktop.domain.errors import InvalidInput, SendiassError
from sendiass_desktop.domain.interchange_format import (
    CaseRecord,
    ConcernRecord,
    ConsentEntry,
    DeadlineRecord,
    DocumentRecord,
    Interchange,
    NoteRecord,
    ParseResult,
    PartyRecord,
    PersonRecord,
    RowError,
    StoreFacts,
    case_key,
    case_ref_parts,
    check_references,
    parse_bytes,
    person_ref_number,
    to_csv_text,
    to_json_text,
)
from sendiass_desktop.domain.notes import Note
from sendiass_desktop.domain.people import format_person_ref
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.domain.visibility import Audience, Viewer, can_see_note, note_goes_to
from sendiass_desktop.services.access import audit, now, require_read, require_write, today, viewer
from sendiass_desktop.services.cases import case_ref_prefix
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import bulk, counters, search_index
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import consent as consent_repo
from sendiass_desktop.store import deadlines as deadlines_repo
from sendiass_desktop.store import documents as documents_repo
from sendiass_desktop.store import notes as notes_repo
from sendiass_desktop.store import people as people_repo
from sendiass_desktop.store import safeguarding as safeguarding_repo
from sendiass_desktop.store.connection import Connection, transaction
from sendiass_desktop.store.deadlines import StoredDeadline

MAX_IMPORT_BYTES = 200 * 1024 * 1024
# A few seconds of clock difference between the machine that wrote the file and this one.
_CLOCK_SLACK = timedelta(minutes=1)
_COUNT_ORDER = ("people", "cases", "parties", "notes", "consents", "safeguarding", "deadlines",
                "documents")
_COUNT_WORDS = {
    "people": ("person", "people"), "cases": ("case", "cases"),
    "parties": ("other party", "other parties"), "notes": ("note", "notes"),
    "consents": ("consent record", "consent records"),
    "safeguarding": ("safeguarding concern", "safeguarding concerns"),
    "deadlines": ("deadline or task", "deadlines and tasks"),
    "documents": ("document", "documents"),
}


# --------------------------------------------------------------------------
# Import


@dataclass(frozen=True)
class ImportReport:
    ok: bool
    dry_run: bool
    source_format: str  # "csv", "json" or "unknown"
    records: int  # records read from the file
    counts: Mapping[str, int] = field(default_factory=dict)  # created (or would be)
    errors: tuple[RowError, ...] = ()
    new_refs: int = 0  # references the store gave out (rows without a store reference)

    def describe_counts(self) -> str:
        parts = []
        for key in _COUNT_ORDER:
            n = self.counts.get(key, 0)
            if n:
                one, many = _COUNT_WORDS[key]
                parts.append(f"{n:,} {one if n == 1 else many}")
        return ", ".join(parts) if parts else "nothing"

    def lines(self) -> list[str]:
        """What the command line prints; no personal data, only rows, columns and counts."""
        if not self.ok:
            out = [e.line() for e in self.errors]
            n = len(self.errors)
            out.append(f"{n:,} problem{'s' if n != 1 else ''} found; nothing was imported. "
                       "Correct the file and import it again (all or nothing).")
            return out
        if self.dry_run:
            return [f"Checked {self.records:,} records ({self.source_format.upper()}): no "
                    "problems found.",
                    f"Would create: {self.describe_counts()}.",
                    "Nothing was changed (dry run)."]
        out = [f"Imported {self.records:,} records ({self.source_format.upper()}).",
               f"Created: {self.describe_counts()}."]
        if self.new_refs:
            out.append(f"{self.new_refs:,} record{'s' if self.new_refs != 1 else ''} without a "
                       "store reference got a new one.")
        return out


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InvalidInput(f"There is no file '{path.name}'.") from None
    except OSError as exc:
        raise InvalidInput(f"The file '{path.name}' cannot be read ({exc.strerror}).") from None
    if not path.is_file():
        raise InvalidInput(f"'{path.name}' is not a file.")
    if size > MAX_IMPORT_BYTES:
        raise InvalidInput(
            f"The file is too large to import ({size / 1048576:,.0f} MB; the limit is "
            f"{MAX_IMPORT_BYTES // 1048576} MB). Split it into several files (each is imported "
            "all or nothing, so import them in order: people and cases before what refers "
            "to them).")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(f"The file '{path.name}' cannot be read ({exc.strerror}).") from None
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput("The file grew while it was being read; try again.")
    return data


def _facts(conn: Connection, data: Interchange,
           case_ids: Mapping[str, int], person_ids: Mapping[str, int]) -> StoreFacts:
    # Consent needs the person to be on the case, so for consents added to cases already in
    # the store, who is on those cases.
    store_cases_used = {e.case for e in data.consents if e.case in case_ids}
    on_cases = bulk.person_refs_on_cases(conn, (case_ids[k] for k in store_cases_used))
    return StoreFacts(
        person_refs=frozenset(person_ids),
        case_refs=frozenset(case_ids),
        case_people={k: frozenset(on_cases.get(case_ids[k], set())) for k in store_cases_used},
        usernames=bulk.usernames(conn),
    )


def import_file(session: Session, path: Path, dry_run: bool = False) -> ImportReport:
    """Check a CSV or JSON file and, unless ``dry_run`` or it has problems, import it all."""
    require_write(session)
    session.require(Permission.MANAGE_STORE, "import records (administrators only)")
    raw = _read(path)
    moment = now()
    parsed = parse_bytes(raw, today(), moment + _CLOCK_SLACK)
    if any(e.where.row <= 0 and not e.where.pointer for e in parsed.errors):
        return _failed(parsed, dry_run, list(parsed.errors))
    conn = session.conn
    if dry_run:
        errors = _check(conn, parsed)
        if errors:
            return _failed(parsed, dry_run, errors)
        return ImportReport(True, True, parsed.source_format, parsed.records,
                            parsed.data.counts(), (), _count_new_refs(parsed.data))
    with transaction(conn):
        # Checked again under the write lock, so nothing can clash between check and write.
        errors = _check(conn, parsed)
        if errors:
            return _failed(parsed, dry_run, errors)
        created, new_refs = _write(session, conn, parsed.data)
        audit(conn, session, AuditAction.IMPORTED, "import", None,
              {**created, "format": parsed.source_format, "new_refs": new_refs,
               "records": parsed.records})
    return ImportReport(True, False, parsed.source_format, parsed.records, created, (),
                        new_refs)


def _check(conn: Connection, parsed: ParseResult) -> list[RowError]:
    facts = _facts(conn, parsed.data, bulk.case_ids_by_ref(conn), bulk.person_ids_by_ref(conn))
    return sorted([*parsed.errors, *check_references(parsed.data, facts, parsed.broken)])


def _failed(parsed: ParseResult, dry_run: bool, errors: list[RowError]) -> ImportReport:
    return ImportReport(False, dry_run, parsed.source_format, parsed.records, {},
                        tuple(sorted(errors)))


def _count_new_refs(data: Interchange) -> int:
    return sum(1 for p in data.people if not p.person.ref) + sum(
        1 for c in data.cases if not c.case.ref)


def _write(session: Session, conn: Connection,
           data: Interchange) -> tuple[dict[str, int], int]:
    """Insert everything (the caller holds the transaction). Returns counts and new refs."""
    me = session.user.username
    person_ids = bulk.person_ids_by_ref(conn)  # store refs, then the file's links
    case_ids = bulk.case_ids_by_ref(conn)

    # People: keep store-form references (and move the counter past them), number the rest.
    imported_numbers = [person_ref_number(p.person.ref) for p in data.people if p.person.ref]
    if imported_numbers:
        counters.ensure_at_least(conn, "person", max(imported_numbers))
    unnumbered = sum(1 for p in data.people if not p.person.ref)
    number = bulk.reserve(conn, "person", unnumbered) if unnumbered else 0
    people = []
    first = bulk.next_id(conn, "people")
    for i, p in enumerate(data.people):
        ref = p.person.ref
        if not ref:
            ref = format_person_ref(number)
            number += 1
        people.append(replace(p.person, ref=ref, id=first + i, version=1))
        if p.link:
            person_ids[p.link] = first + i
    bulk.insert_people(conn, people)

    # Cases: the same for case references (counter per prefix and year).
    prefix = case_ref_prefix(session)
    highest: dict[str, int] = {}
    for c in data.cases:
        if c.case.ref:
            ref_prefix, year, n = case_ref_parts(c.case.ref)
            name = _case_counter(prefix if ref_prefix.lower() == prefix.lower() else ref_prefix,
                                 year)
            highest[name] = max(highest.get(name, 0), n)
    for name, value in highest.items():
        counters.ensure_at_least(conn, name, value)
    wanted: dict[int, int] = {}
    for c in data.cases:
        if not c.case.ref:
            wanted[c.case.opened_on.year] = wanted.get(c.case.opened_on.year, 0) + 1
    next_number = {year: bulk.reserve(conn, _case_counter(prefix, year), n)
                   for year, n in wanted.items()}
    others: dict[str, list[CaseParty]] = {}
    for pa in data.parties:
        others.setdefault(pa.case, []).append(CaseParty(person_ids[pa.person], pa.role))
    cases: list[Case] = []
    first = bulk.next_id(conn, "cases")
    for i, c in enumerate(data.cases):
        ref = c.case.ref
        if not ref:
            year = c.case.opened_on.year
            ref = format_case_ref(prefix, year, next_number[year])
            next_number[year] += 1
        cases.append(replace(
            c.case, ref=ref, id=first + i, version=1, primary_person_id=person_ids[c.primary],
            child_person_id=person_ids[c.child] if c.child else None,
            parties=tuple(others.get(c.link, ())) if c.link else ()))
        if c.link:
            case_ids[c.link] = first + i
    bulk.insert_cases(conn, cases)

    stamp = datetime.now(UTC).replace(microsecond=0)
    first = bulk.next_id(conn, "notes")
    notes = [replace(n.note, case_id=case_ids[n.case], id=first + i, version=1,
                     created_at=n.note.created_at or stamp)
             for i, n in enumerate(data.notes)]
    bulk.insert_notes(conn, notes)
    note_ids = {n.local_id: first + i for i, n in enumerate(data.notes) if n.local_id}
    first = bulk.next_id(conn, "consents")
    bulk.insert_consents(conn, [replace(e.record, case_id=case_ids[e.case],
                                        person_id=person_ids[e.person], id=first + i)
                                for i, e in enumerate(data.consents)])
    first = bulk.next_id(conn, "safeguarding_concerns")
    bulk.insert_concerns(conn, [replace(s.concern, case_id=case_ids[s.case], id=first + i,
                                        version=1, raised_by=s.concern.raised_by or me,
                                        linked_note_ids=tuple(note_ids[x]
                                                              for x in s.linked_notes))
                                for i, s in enumerate(data.concerns)])
    first = bulk.next_id(conn, "deadlines")
    bulk.insert_deadlines(conn, [StoredDeadline(
        deadline=d.deadline, owner=d.owner, case_id=case_ids[d.case] if d.case else None,
        done_on=d.done_on, source=d.source, created_by=d.created_by or me, id=first + i)
        for i, d in enumerate(data.deadlines)])
    first = bulk.next_id(conn, "documents")
    bulk.insert_documents(conn, [(replace(doc.info, case_id=case_ids[doc.case], id=first + i,
                                          note_id=note_ids[doc.note] if doc.note else None),
                                  doc.content) for i, doc in enumerate(data.documents)])

    for person in people:
        search_index.index_person(conn, person)
    for case in cases:
        search_index.index_case(conn, case)
    for note in notes:
        search_index.index_note(conn, note)
    return data.counts(), _count_new_refs(data)


def _case_counter(prefix: str, year: int) -> str:
    return f"case:{prefix}:{year}"


# --------------------------------------------------------------------------
# Export


_PARTY_ORDER = {role: i for i, role in enumerate(PartyRole)}


def _export_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise InvalidInput("Name the export file with .json or .csv at the end; the ending "
                           "chooses the format.")
    return suffix[1:]


def export_case(session: Session, case_ref: str, path: Path) -> None:
    """One case, as this user may see it, to ``path`` (.json or .csv)."""
    require_read(session)
    # An export is a readable file outside the store: not for read-only inspectors.
    session.require(Permission.WRITE_CASES, "export case records to a file")
    fmt = _export_format(path)
    _check_target(path)

    def cases(conn: Connection) -> list[Case]:
        return [cases_repo.by_ref(conn, case_ref)]

    _export(session, path, fmt, cases, scope="case")


def export_all(session: Session, path: Path) -> int:
    """Every case, every person and every task, to ``path``; returns how many cases.

    A whole-service extract is an administrator's job (like a backup), so it
    needs the store-management permission as well as reading cases.
    """
    require_read(session)
    session.require(Permission.MANAGE_STORE, "export every case (administrators only)")
    fmt = _export_format(path)
    _check_target(path)

    def cases(conn: Connection) -> list[Case]:
        return [cases_repo.get(conn, i) for i in bulk.case_ids_in_ref_order(conn)]

    return _export(session, path, fmt, cases, scope="all")


def _check_target(path: Path) -> None:
    if path.exists():
        raise InvalidInput(f"'{path.name}' already exists; choose a new file name.")
    if not path.parent.is_dir():
        raise InvalidInput(f"The folder for '{path.name}' does not exist.")


def _export(session: Session, path: Path, fmt: str,
            load_cases: Callable[[Connection], list[Case]], scope: str) -> int:
    who = viewer(session)
    placed = False
    try:
        with transaction(session.conn) as conn:
            cases = load_cases(conn)
            data, shown = _gather(conn, who, cases, everything=scope == "all",
                                  with_documents=fmt == "json")
            for case in cases:
                audit(conn, session, AuditAction.EXPORTED, "case", case.id,
                      {"format": fmt, "scope": scope, "notes": shown.get(case.id or 0, 0)})
            payload = (("\ufeff" + to_csv_text(data)) if fmt == "csv"
                       else to_json_text(data)).encode("utf-8")
            _write_new_file(path, payload)
            placed = True
    except BaseException:
        if placed:  # the audit entries did not commit: take the file back
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return len(cases)


def _gather(conn: Connection, who: Viewer, cases: Iterable[Case], *, everything: bool,
            with_documents: bool) -> tuple[Interchange, dict[int, int]]:
    """The records to write, in a fixed order, and how many notes each case shows."""
    person_ids: set[int] = set()
    case_records: list[CaseRecord] = []
    parties: list[tuple[Case, CaseParty]] = []
    notes: list[NoteRecord] = []
    consents: list[tuple[Case, ConsentEntry]] = []
    concerns: list[ConcernRecord] = []
    deadlines: list[DeadlineRecord] = []
    documents: list[DocumentRecord] = []
    shown: dict[int, int] = {}
    counter = 0
    for case in cases:
        assert case.id is not None
        every_note = notes_repo.for_case(conn, case.id, include_deleted=True)
        hidden: set[int | None] = set()
        local: dict[int, str] = {}
        for note in every_note:
            if not _may_export(who, note, case):
                hidden.add(note.id)
                continue
            if note.deleted:
                continue  # soft-deleted notes are not exported (their links are dropped)
            counter += 1
            assert note.id is not None
            local[note.id] = f"N{counter}"
            notes.append(NoteRecord(note, case.ref, local[note.id]))
        shown[case.id] = len(local)
        position = {note_id: i for i, note_id in enumerate(local)}
        person_ids.update(p.person_id for p in case.parties)
        case_records.append(CaseRecord(case, "", "", case_key(case.ref)))
        parties.extend((case, p) for p in case.parties
                       if p.role not in (PartyRole.PRIMARY, PartyRole.CHILD))
        for record in consent_repo.for_case(conn, case.id):
            person_ids.add(record.person_id)
            consents.append((case, ConsentEntry(record, case.ref, "")))
        for concern in safeguarding_repo.for_case(conn, case.id):
            linked = sorted((n for n in concern.linked_note_ids if n in local),
                            key=position.__getitem__)
            concerns.append(ConcernRecord(concern, case.ref, tuple(local[n] for n in linked)))
        for d in deadlines_repo.for_case(conn, case.id):
            deadlines.append(_deadline_record(d, case.ref))
        if with_documents:
            for info in documents_repo.for_case(conn, case.id):
                if info.note_id is not None and info.note_id in hidden:
                    continue  # as confidential as the note it is attached to
                assert info.id is not None
                documents.append(DocumentRecord(
                    info, documents_repo.content(conn, info.id), case.ref,
                    local.get(info.note_id, "") if info.note_id is not None else ""))
    if everything:
        people_order = bulk.person_ids_in_ref_order(conn)
        deadlines.extend(_deadline_record(d, "") for d in bulk.deadlines_without_case(conn))
    else:
        people_order = sorted(person_ids)
    people = people_repo.many(conn, people_order)
    ref = {pid: p.ref for pid, p in people.items()}
    person_records = sorted((PersonRecord(p, p.ref) for p in people.values()),
                            key=lambda r: r.person.ref)
    case_out = [replace(c, primary=ref[c.case.primary_person_id],
                        child=ref[c.case.child_person_id] if c.case.child_person_id else "")
                for c in case_records]
    party_out = [PartyRecord(case.ref, ref[p.person_id], p.role)
                 for case, p in sorted(parties, key=lambda cp: (
                     cp[0].ref, _PARTY_ORDER[cp[1].role], ref[cp[1].person_id]))]
    # The party sort above is stable per case because cases arrive in order already.
    consent_out = [replace(e, person=ref[e.record.person_id]) for _, e in consents]
    data = Interchange(tuple(person_records), tuple(case_out), tuple(party_out), tuple(notes),
                       tuple(consent_out), tuple(concerns), tuple(deadlines), tuple(documents))
    return data, shown


def _may_export(who: Viewer, note: Note, case: Case) -> bool:
    """As the user may see it, for the service's own use (deleted or not)."""
    return can_see_note(who, note, case) and note_goes_to(Audience.INTERNAL, note)


def _deadline_record(d: StoredDeadline, case_ref: str) -> DeadlineRecord:
    return DeadlineRecord(d.deadline, d.owner, case_ref, d.done_on, d.source, d.created_by)


def _write_new_file(path: Path, data: bytes) -> None:
    """Write beside ``path`` under a temporary name, then put it in place only if ``path``
    does not exist (a hard link on POSIX; a rename, which never replaces, on Windows)."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial",
                                    dir=path.parent)
    tmp: Path | None = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise SendiassError(f"'{path.name}' cannot be written ({exc.strerror}); nothing "
                                "was exported.") from None
        assert tmp is not None
        try:
            if os.name == "nt":
                os.rename(tmp, path)  # refuses to replace an existing file on Windows
                tmp = None
            else:
                os.link(tmp, path)  # fails if path exists: never overwrites
        except FileExistsError:
            raise InvalidInput(f"'{path.name}' already exists; choose a new file name.") from None
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise SendiassError(f"'{path.name}' cannot be written ({exc.strerror}); nothing "
                                    "was exported.") from None
            # This filesystem has no hard links (some network shares): check, then rename.
            if path.exists():
                raise InvalidInput(f"'{path.name}' already exists; choose a new file "
                                   "name.") from None
            os.rename(tmp_name, path)
            tmp = None
        _sync_folder(path.parent)
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV,
             errno.EMLINK}


def _sync_folder(folder: Path) -> None:
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


__all__ = ["MAX_IMPORT_BYTES", "ImportReport", "export_all", "export_case", "import_file"]
