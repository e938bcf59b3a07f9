"""Retention candidates, deleting a case with everything hanging off it, the disposal log.

``delete_case`` runs inside the caller's write transaction. It removes the
case's rows from every table that holds them, its search index entries, and
the people who are left with no reference anywhere in the store (found from
the schema's own foreign keys, so a table added later that points at
``people`` keeps its people without this module knowing about it).

Overwriting the freed space is ``secure_delete`` (checked by the service
before it starts) plus ``checkpoint_and_compact`` after the commit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlcipher3

from sendiass_desktop.domain.sar import SarStatus
from sendiass_desktop.store import search_index
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.legal_requests import LegalStatus
from sendiass_desktop.store.rows import date_in, date_out, required_date

# Legal request states after which the request no longer needs the case file;
# any other state (awaiting approval, approved) stops disposal.
LEGAL_REQUEST_FINISHED = tuple(s.code for s in (LegalStatus.EXTRACTED, LegalStatus.REFUSED))
OPEN_SAR_STATES = tuple(s.code for s in SarStatus if s not in (SarStatus.SENT, SarStatus.REFUSED))


# --- the review queue ---------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRow:
    case_id: int
    ref: str
    opened_on: date
    closed_on: date
    young_person_dob: date | None
    legal_hold: bool
    paper_records: str


def candidates(conn: Connection, closed_before: date, born_before: date,
               include_held: bool = False) -> list[RetentionRow]:
    """Closed cases that may be past their keep-until date (the caller checks exactly).

    ``closed_before`` and ``born_before`` are generous cut-offs: every case
    that is due is returned, and perhaps a few that are not quite.
    """
    held = "" if include_held else "AND c.legal_hold = 0"
    rows = conn.execute(
        "SELECT c.id, c.ref, c.opened_on, c.closed_on, ch.date_of_birth, c.legal_hold, "  # noqa: S608
        "c.paper_records FROM cases c LEFT JOIN people ch ON ch.id = c.child_person_id "
        f"WHERE c.closed_on IS NOT NULL AND c.closed_on < ? {held} "
        "AND (ch.date_of_birth IS NULL OR ch.date_of_birth < ?) "
        "ORDER BY c.closed_on, c.id",
        (closed_before.isoformat(), born_before.isoformat()),
    ).fetchall()
    return [RetentionRow(r[0], r[1], required_date(r[2]), required_date(r[3]), date_in(r[4]),
                         bool(r[5]), r[6]) for r in rows]


def young_person_dob(conn: Connection, case_id: int) -> date | None:
    row = conn.execute("SELECT ch.date_of_birth FROM cases c JOIN people ch "
                       "ON ch.id = c.child_person_id WHERE c.id = ?", (case_id,)).fetchone()
    return None if row is None else date_in(row[0])


_CASE_PEOPLE = (
    "SELECT person_id FROM case_parties WHERE case_id = :case "
    "UNION SELECT primary_person_id FROM cases WHERE id = :case "
    "UNION SELECT child_person_id FROM cases WHERE id = :case AND child_person_id IS NOT NULL"
)


def open_sars_for_case(conn: Connection, case_id: int) -> list[str]:
    """References of open subject access requests made by or for anyone on the case."""
    marks = ", ".join(f":s{i}" for i in range(len(OPEN_SAR_STATES)))
    params: dict[str, Any] = {"case": case_id}
    params.update({f"s{i}": s for i, s in enumerate(OPEN_SAR_STATES)})
    rows = conn.execute(
        f"SELECT ref FROM sar_requests WHERE status IN ({marks}) "  # noqa: S608
        f"AND (requester_person_id IN ({_CASE_PEOPLE}) OR for_person_id IN ({_CASE_PEOPLE})) "
        "ORDER BY ref", params).fetchall()
    return [r[0] for r in rows]


def open_legal_requests_for_case(conn: Connection, case_id: int) -> list[str]:
    marks = ", ".join("?" * len(LEGAL_REQUEST_FINISHED))
    rows = conn.execute(
        f"SELECT ref FROM legal_requests WHERE case_id = ? AND status NOT IN ({marks}) "  # noqa: S608
        "ORDER BY ref", (case_id, *LEGAL_REQUEST_FINISHED)).fetchall()
    return [r[0] for r in rows]


# --- deleting a case ------------------------------------------------------------------


@dataclass(frozen=True)
class DeletedCounts:
    notes: int
    documents: int
    people: int


def _count(conn: Connection, sql: str, params: Iterable[Any]) -> int:
    return int(conn.execute(sql, tuple(params)).fetchone()[0])


def references_to_people(conn: Connection) -> list[tuple[str, str]]:
    """Every (table, column) the schema declares as a foreign key to ``people``."""
    rows = conn.execute(
        "SELECT m.name, f.\"from\" FROM sqlite_schema m, pragma_foreign_key_list(m.name) f "
        "WHERE m.type = 'table' AND f.\"table\" = 'people' ORDER BY 1, 2").fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def person_is_referenced(conn: Connection, person_id: int,
                         references: list[tuple[str, str]]) -> bool:
    for table, column in references:
        # Identifiers come from the schema itself, never from input.
        sql = f"SELECT 1 FROM {_quoted(table)} WHERE {_quoted(column)} = ? LIMIT 1"  # noqa: S608
        if conn.execute(sql, (person_id,)).fetchone() is not None:
            return True
    return False


_NAMED_PEOPLE = (
    _CASE_PEOPLE + " UNION SELECT person_id FROM consents WHERE case_id = :case "  # noqa: S608
    "UNION SELECT person_id FROM share_overrides WHERE case_id = :case"
)


def people_on_case(conn: Connection, case_id: int) -> list[int]:
    """Everyone named on the case: its parties, and the people in its consents."""
    return sorted({int(r[0]) for r in conn.execute(_NAMED_PEOPLE, {"case": case_id})})


# Rows that belong to the case, deleted child first (some have no ON DELETE rule).
_CASE_ROWS = (
    "DELETE FROM safeguarding_note_links WHERE concern_id IN "
    "(SELECT id FROM safeguarding_concerns WHERE case_id = :case) "
    "OR note_id IN (SELECT id FROM notes WHERE case_id = :case)",
    "DELETE FROM document_content WHERE document_id IN "
    "(SELECT id FROM documents WHERE case_id = :case)",
    "DELETE FROM documents WHERE case_id = :case",
    "DELETE FROM drafts WHERE case_id = :case",
    "DELETE FROM deadlines WHERE case_id = :case",
    "DELETE FROM escalations WHERE case_id = :case",
    "DELETE FROM consents WHERE case_id = :case",
    "DELETE FROM share_overrides WHERE case_id = :case",
    "DELETE FROM safeguarding_concerns WHERE case_id = :case",
    "DELETE FROM notes WHERE case_id = :case",
    "DELETE FROM case_issue_types WHERE case_id = :case",
    "DELETE FROM case_outcomes WHERE case_id = :case",
    "DELETE FROM case_parties WHERE case_id = :case",
    "DELETE FROM case_yp_officers WHERE case_id = :case",
    # A finished legal request is its own record and stays, without the link.
    "UPDATE legal_requests SET case_id = NULL WHERE case_id = :case",
    "DELETE FROM cases WHERE id = :case",
)


def delete_case(conn: Connection, case_id: int) -> DeletedCounts:
    """Delete the case, everything hanging off it and its otherwise unused people.

    Call inside a write transaction, with ``secure_delete`` on.
    """
    if not conn.in_transaction:
        raise RuntimeError("a case must be deleted inside a transaction")
    notes = _count(conn, "SELECT count(*) FROM notes WHERE case_id = ?", [case_id])
    documents = _count(conn, "SELECT count(*) FROM documents WHERE case_id = ?", [case_id])
    named = people_on_case(conn, case_id)
    search_index.remove_case(conn, case_id)
    for sql in _CASE_ROWS:
        conn.execute(sql, {"case": case_id})
    # With the case gone, anyone still referenced is on another case, made or is
    # the subject of a SAR, or appears in the disclosure log: they stay.
    references = references_to_people(conn)
    deleted = 0
    for person_id in named:
        if person_is_referenced(conn, person_id, references):
            continue
        search_index.remove(conn, search_index.DocKind.PERSON, person_id)
        conn.execute("DELETE FROM people WHERE id = ?", (person_id,))
        deleted += 1
    return DeletedCounts(notes, documents, deleted)


# --- the disposal log -----------------------------------------------------------------


@dataclass(frozen=True)
class DisposalLogEntry:
    """What is kept about a disposed case: nothing that identifies anyone."""

    case_ref_hash: str
    opened_year: int | None
    closed_on: date | None
    keep_until: date | None
    disposed_at: str  # ISO 8601 UTC
    approved_by: str
    schedule: str  # the schedule applied, as JSON
    notes_deleted: int
    documents_deleted: int
    people_deleted: int
    paper_records: bool  # paper records existed and had to be destroyed by hand
    id: int | None = None


_LOG_COLUMNS = ("id, case_ref_hash, opened_year, closed_on, keep_until, disposed_at, approved_by, "
                "schedule, notes_deleted, documents_deleted, people_deleted, paper_records")


def insert_log(conn: Connection, e: DisposalLogEntry) -> DisposalLogEntry:
    cur = conn.execute(
        "INSERT INTO disposal_log (case_ref_hash, opened_year, closed_on, keep_until, "
        "disposed_at, approved_by, schedule, notes_deleted, documents_deleted, people_deleted, "
        "paper_records) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (e.case_ref_hash, e.opened_year, date_out(e.closed_on), date_out(e.keep_until),
         e.disposed_at, e.approved_by, e.schedule, e.notes_deleted, e.documents_deleted,
         e.people_deleted, int(e.paper_records)),
    )
    return DisposalLogEntry(**{**e.__dict__, "id": cur.lastrowid})


def _log_entry(row: tuple[Any, ...]) -> DisposalLogEntry:
    return DisposalLogEntry(
        id=row[0], case_ref_hash=row[1], opened_year=row[2], closed_on=date_in(row[3]),
        keep_until=date_in(row[4]), disposed_at=row[5], approved_by=row[6], schedule=row[7],
        notes_deleted=row[8], documents_deleted=row[9], people_deleted=row[10],
        paper_records=bool(row[11]),
    )


def log_entries(conn: Connection, limit: int = 1000) -> list[DisposalLogEntry]:
    rows = conn.execute(f"SELECT {_LOG_COLUMNS} FROM disposal_log "  # noqa: S608
                        "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [_log_entry(r) for r in rows]


def log_entries_for_hash(conn: Connection, case_ref_hash: str) -> list[DisposalLogEntry]:
    rows = conn.execute(f"SELECT {_LOG_COLUMNS} FROM disposal_log "  # noqa: S608
                        "WHERE case_ref_hash = ? ORDER BY id", (case_ref_hash,)).fetchall()
    return [_log_entry(r) for r in rows]


# --- overwriting freed space ----------------------------------------------------------


def secure_delete_on(conn: Connection) -> bool:
    """True when deleted content is overwritten with zeros on this connection."""
    row = conn.execute("PRAGMA secure_delete").fetchone()
    if row is not None and int(row[0]) == 1:
        return True
    conn.execute("PRAGMA secure_delete = ON")
    row = conn.execute("PRAGMA secure_delete").fetchone()
    return row is not None and int(row[0]) == 1


@dataclass(frozen=True)
class Cleanup:
    checkpoint_complete: bool  # the WAL was written back and emptied (always True without WAL)
    compacted: bool  # free pages were given back (VACUUM or incremental vacuum ran)
    free_pages_before: int
    free_pages_after: int
    page_count: int


CLEANUP_BUSY_MS = 2000


def _pragma_int(conn: Connection, name: str) -> int:
    row = conn.execute(f"PRAGMA {name}").fetchone()  # a fixed name from this module
    return int(row[0]) if row is not None else 0


def checkpoint(conn: Connection) -> bool:
    """Copy the WAL into the store and truncate it; False if readers kept it from finishing."""
    mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    if mode != "wal":
        return True  # a rollback journal is deleted at commit
    busy, log_frames, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return int(busy) == 0 and int(log_frames) == int(done)


def checkpoint_and_compact(conn: Connection, vacuum: bool | None) -> Cleanup:
    """After a commit: write back and empty the WAL, then give free pages back.

    ``vacuum``: True always runs VACUUM, False never, None when at least a
    tenth of the file is free pages. An ``auto_vacuum = INCREMENTAL`` store
    always runs the cheap incremental vacuum instead. VACUUM needs no other
    connection writing and runs outside any transaction; if it cannot run, the
    deleted content is still overwritten (secure_delete) and only the space is
    not given back.
    """
    if conn.in_transaction:
        raise RuntimeError("compact the store only after the transaction has committed")
    # Someone else reading keeps the WAL from being emptied; wait a little for
    # them, not the full busy timeout (SQLite finishes the job later anyway).
    previous_timeout = _pragma_int(conn, "busy_timeout")
    conn.execute(f"PRAGMA busy_timeout = {CLEANUP_BUSY_MS}")
    try:
        return _checkpoint_and_compact(conn, vacuum)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(previous_timeout)}")


def _checkpoint_and_compact(conn: Connection, vacuum: bool | None) -> Cleanup:
    complete = checkpoint(conn)
    free_before = _pragma_int(conn, "freelist_count")
    pages = _pragma_int(conn, "page_count")
    compacted = False
    if _pragma_int(conn, "auto_vacuum") == 2:
        # incremental_vacuum returns rows while it works; read them all.
        conn.execute("PRAGMA incremental_vacuum").fetchall()
        compacted = True
    elif vacuum or (vacuum is None and free_before and free_before * 10 >= pages):
        # Busy (someone else has the store open) or short of disk space: the
        # deleted content is already overwritten; only the space is not given back.
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute("VACUUM")
            compacted = True
    if compacted:
        complete = checkpoint(conn)  # VACUUM in WAL mode writes every page to the WAL
    return Cleanup(complete, compacted, free_before, _pragma_int(conn, "freelist_count"),
                   _pragma_int(conn, "page_count"))
