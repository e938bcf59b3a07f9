"""Bulk writes for generated (synthetic) data: many rows per statement.

Used by ``services/demo_data.py`` to fill a demo or benchmark store quickly.
The caller reads the next free ids with ``next_ids`` inside its write
transaction and builds linked records (a case's people, its notes, the notes
a safeguarding concern links to) before anything is written; nothing else can
write in between because ``transaction()`` holds the write lock.

The search index rows are built exactly as ``store/search_index.py`` builds
them one at a time (same title and body text), so a generated record is found
by the same searches as one typed in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sendiass_desktop.domain.cases import Case
from sendiass_desktop.domain.consent import ConsentRecord
from sendiass_desktop.domain.notes import Note
from sendiass_desktop.domain.people import Person
from sendiass_desktop.domain.safeguarding import SafeguardingConcern
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.deadlines import StoredDeadline
from sendiass_desktop.store.rows import date_out
from sendiass_desktop.store.search_index import (
    DocKind,
    case_doc,
    note_doc,
    party_names_for,
    person_doc,
)

# Tables whose ids the caller assigns. Fixed names only (never user input).
_ID_TABLES = ("people", "cases", "notes", "consents", "safeguarding_concerns", "deadlines",
              "search_docs")


@dataclass(frozen=True)
class NextIds:
    """The first free id in each table (max(id) + 1)."""

    people: int
    cases: int
    notes: int
    consents: int
    concerns: int
    deadlines: int
    search_docs: int


def next_ids(conn: Connection) -> NextIds:
    """Call inside the write transaction that will use the ids."""
    values = [
        int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])  # noqa: S608
        for table in _ID_TABLES
    ]
    return NextIds(*values)


def counter_value(conn: Connection, name: str) -> int:
    """The last number handed out in a named sequence (0 if none yet)."""
    row = conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
    return 0 if row is None else int(row[0])


def case_count(conn: Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])


def stamp(value: date | datetime) -> str:
    """The stored form of a created/updated time (UTC, to the second)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(9, 0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds")


# --- records ----------------------------------------------------------------------


def insert_people(conn: Connection, people: Sequence[tuple[Person, datetime]]) -> None:
    rows: list[tuple[Any, ...]] = []
    for p, created in people:
        at = stamp(created)
        rows.append((p.id, p.ref, p.given_name, p.family_name, p.role.value,
                     date_out(p.date_of_birth), p.email, p.phone, p.address, p.postcode,
                     p.pronouns, p.language, p.access_needs, p.organisation, at, at))
    conn.executemany(
        "INSERT INTO people (id, ref, given_name, family_name, role, date_of_birth, email, "
        "phone, address, postcode, pronouns, language, access_needs, organisation, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def insert_cases(conn: Connection, cases: Sequence[Case]) -> None:
    """Cases with their issue types, outcomes, parties and young-person officers.

    ``parties`` must already include the primary service user and the child
    (see ``store.cases.with_core_parties``).
    """
    rows: list[tuple[Any, ...]] = []
    issues: list[tuple[int, str]] = []
    outcomes: list[tuple[int, str]] = []
    parties: list[tuple[int, int, str]] = []
    yp_officers: list[tuple[int, str]] = []
    for c in cases:
        assert c.id is not None
        at = stamp(c.opened_on)
        rows.append((c.id, c.ref, c.opened_on.isoformat(), date_out(c.closed_on),
                     date_out(c.referral_date), c.referral_source.value, c.primary_person_id,
                     c.child_person_id, c.school_setting, c.local_authority, c.ehc_stage.value,
                     c.summary, c.paper_records, c.assigned_officer, int(c.legal_hold), at,
                     stamp(c.closed_on or c.opened_on)))
        issues.extend((c.id, i.code) for i in sorted(c.issue_types, key=lambda i: i.value))
        outcomes.extend((c.id, o.code) for o in sorted(c.outcomes, key=lambda o: o.value))
        parties.extend((c.id, p.person_id, p.role.code) for p in c.parties)
        yp_officers.extend((c.id, u) for u in sorted(c.young_person_officers))
    conn.executemany(
        "INSERT INTO cases (id, ref, opened_on, closed_on, referral_date, referral_source, "
        "primary_person_id, child_person_id, school_setting, local_authority, ehc_stage, "
        "summary, paper_records, assigned_officer, legal_hold, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany("INSERT INTO case_issue_types (case_id, issue_type) VALUES (?, ?)", issues)
    conn.executemany("INSERT INTO case_outcomes (case_id, outcome) VALUES (?, ?)", outcomes)
    conn.executemany("INSERT OR IGNORE INTO case_parties (case_id, person_id, role) "
                     "VALUES (?, ?, ?)", parties)
    conn.executemany("INSERT INTO case_yp_officers (case_id, username) VALUES (?, ?)",
                     yp_officers)


def insert_notes(conn: Connection, notes: Sequence[Note]) -> None:
    rows: list[tuple[Any, ...]] = []
    for n in notes:
        created = stamp(n.created_at or n.occurred_at)
        rows.append((n.id, n.case_id, n.occurred_at.isoformat(timespec="minutes"), n.type.value,
                     n.author, n.body, n.confidentiality.value, int(n.safeguarding),
                     json.dumps(list(n.third_parties)), created,
                     stamp(n.updated_at) if n.updated_at else created))
    conn.executemany(
        "INSERT INTO notes (id, case_id, occurred_at, type, author, body, confidentiality, "
        "safeguarding, third_parties, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def insert_consents(conn: Connection, records: Sequence[ConsentRecord]) -> None:
    conn.executemany(
        "INSERT INTO consents (id, case_id, person_id, recipient, recipient_detail, purpose, "
        "state, recorded_at, method, recorded_by, expires_on, notes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(r.id, r.case_id, r.person_id, r.recipient.value, r.recipient_detail, r.purpose.value,
          r.state.value, r.recorded_at.isoformat(timespec="seconds"), r.method.value,
          r.recorded_by, date_out(r.expires_on), r.notes) for r in records],
    )


def insert_concerns(conn: Connection, concerns: Sequence[SafeguardingConcern]) -> None:
    rows: list[tuple[Any, ...]] = []
    links: list[tuple[int, int]] = []
    for c in concerns:
        assert c.id is not None
        rows.append((c.id, c.case_id, c.raised_on.isoformat(), c.description, c.decided_by,
                     c.action.value, c.status.value, c.outcome, c.raised_by,
                     stamp(c.raised_on), stamp(c.raised_on)))
        links.extend((c.id, note_id) for note_id in c.linked_note_ids)
    conn.executemany(
        "INSERT INTO safeguarding_concerns (id, case_id, raised_on, description, decided_by, "
        "action, status, outcome, raised_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany("INSERT OR IGNORE INTO safeguarding_note_links (concern_id, note_id) "
                     "VALUES (?, ?)", links)


def insert_deadlines(conn: Connection, deadlines: Sequence[tuple[StoredDeadline, date]]) -> None:
    """Deadlines with the day each was set (its ``created_at``)."""
    conn.executemany(
        "INSERT INTO deadlines (id, case_id, kind, label, due_on, owner, done_on, source, "
        "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(d.id, d.case_id, d.deadline.kind.value, d.deadline.label, d.deadline.due.isoformat(),
          d.owner, date_out(d.done_on), d.source, d.created_by, stamp(created))
         for d, created in deadlines],
    )


def open_deadline_counts(conn: Connection, owner: str, today: date,
                         horizon_days: int) -> tuple[int, int]:
    """(overdue, upcoming) not-done deadlines of one owner, as "My work" counts them."""
    until = date.fromordinal(today.toordinal() + horizon_days)
    row = conn.execute(
        "SELECT coalesce(sum(due_on < ?), 0), coalesce(sum(due_on >= ?), 0) FROM deadlines "
        "WHERE owner = ? AND done_on IS NULL AND due_on <= ?",
        (today.isoformat(), today.isoformat(), owner, until.isoformat()),
    ).fetchone()
    return int(row[0]), int(row[1])


# --- search index (same text as store/search_index.py) --------------------------------


def _index(conn: Connection, kind: DocKind, first_doc_id: int,
           docs: Sequence[tuple[int, int | None, str, str]]) -> int:
    """Insert (entity id, case id, title, body) documents; returns the next free doc id."""
    doc_id = first_doc_id
    doc_rows: list[tuple[int, str, int, int | None]] = []
    fts_rows: list[tuple[int, str, str]] = []
    for entity_id, case_id, title, body in docs:
        doc_rows.append((doc_id, kind.value, entity_id, case_id))
        fts_rows.append((doc_id, title, body))
        doc_id += 1
    conn.executemany("INSERT INTO search_docs (id, kind, entity_id, case_id) VALUES (?, ?, ?, ?)",
                     doc_rows)
    conn.executemany("INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)", fts_rows)
    return doc_id


def index_people(conn: Connection, people: Sequence[Person], first_doc_id: int) -> int:
    docs: list[tuple[int, int | None, str, str]] = []
    for p in people:
        assert p.id is not None
        docs.append((p.id, None, *person_doc(p)))
    return _index(conn, DocKind.PERSON, first_doc_id, docs)


def index_cases(conn: Connection, cases: Sequence[Case], first_doc_id: int) -> int:
    docs: list[tuple[int, int | None, str, str]] = []
    names = party_names_for(conn, [c.id for c in cases if c.id is not None])
    for c in cases:
        assert c.id is not None
        docs.append((c.id, c.id, *case_doc(c, names[c.id])))
    return _index(conn, DocKind.CASE, first_doc_id, docs)


def index_notes(conn: Connection, notes: Sequence[Note], first_doc_id: int) -> int:
    docs: list[tuple[int, int | None, str, str]] = []
    for n in notes:
        assert n.id is not None
        if n.deleted:
            continue
        docs.append((n.id, n.case_id, *note_doc(n)))
    return _index(conn, DocKind.NOTE, first_doc_id, docs)
