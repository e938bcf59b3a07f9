"""Bulk reads and inserts for importing and exporting whole files.

Everything here runs inside the caller's write transaction (``transaction()``
takes the lock with BEGIN IMMEDIATE). The caller numbers new records itself,
from ``next_id(table)`` on, and the inserts write the ids the records carry, so
thousands of rows go in with one ``executemany`` each and the caller knows
every new id without reading it back. That is safe only because no other
writer can run until the caller commits.

Row layouts match the single-record repositories (``store/people.py`` and
friends); the import/export round-trip test fails if they ever drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from sendiass_desktop.domain.cases import Case
from sendiass_desktop.domain.consent import ConsentRecord
from sendiass_desktop.domain.documents import DocumentInfo
from sendiass_desktop.domain.notes import Note
from sendiass_desktop.domain.people import Person
from sendiass_desktop.domain.safeguarding import SafeguardingConcern
from sendiass_desktop.store import deadlines as deadlines_repo
from sendiass_desktop.store.cases import with_core_parties
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.deadlines import StoredDeadline
from sendiass_desktop.store.rows import date_out, now_iso

_ID_TABLES = frozenset({"people", "cases", "notes", "consents", "safeguarding_concerns",
                        "deadlines", "documents"})
_CHUNK = 500


def _require_transaction(conn: Connection, items: Sequence[object]) -> None:
    if not conn.in_transaction:
        raise RuntimeError("bulk inserts must run inside a write transaction")
    if any(getattr(item, "id", 0) is None for item in items):
        raise ValueError("number the records (next_id) before a bulk insert")


def next_id(conn: Connection, table: str) -> int:
    """The first free id of ``table`` (its highest id plus one)."""
    if table not in _ID_TABLES:
        raise ValueError(f"no bulk ids for table {table!r}")
    # The table name comes from the fixed set above, never from input.
    row = conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()  # noqa: S608
    return int(row[0])


def reserve(conn: Connection, counter: str, count: int) -> int:
    """Take ``count`` numbers from a reference counter at once; returns the first."""
    row = conn.execute("SELECT value FROM counters WHERE name = ?", (counter,)).fetchone()
    current = int(row[0]) if row else 0
    conn.execute(
        "INSERT INTO counters (name, value) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (counter, current + count),
    )
    return current + 1


# --- what the store already holds ---------------------------------------------------


def person_ids_by_ref(conn: Connection) -> dict[str, int]:
    return {str(r[0]): int(r[1]) for r in conn.execute("SELECT ref, id FROM people")}


def case_ids_by_ref(conn: Connection) -> dict[str, int]:
    """Lower-cased reference -> id (references compare without regard to case)."""
    return {str(r[0]).lower(): int(r[1]) for r in conn.execute("SELECT ref, id FROM cases")}


def person_refs_on_cases(conn: Connection, case_ids: Iterable[int]) -> dict[int, set[str]]:
    ids = sorted(set(case_ids))
    out: dict[int, set[str]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = ("SELECT cp.case_id, p.ref FROM case_parties cp JOIN people p "  # noqa: S608
               f"ON p.id = cp.person_id WHERE cp.case_id IN ({marks})")  # placeholders only
        rows = conn.execute(sql, chunk)
        for case_id, ref in rows:
            out.setdefault(int(case_id), set()).add(str(ref))
    return out


def usernames(conn: Connection) -> frozenset[str]:
    return frozenset(str(r[0]) for r in conn.execute("SELECT username FROM users"))


def case_ids_in_ref_order(conn: Connection) -> list[int]:
    return [int(r[0]) for r in conn.execute("SELECT id FROM cases ORDER BY ref, id")]


def person_ids_in_ref_order(conn: Connection) -> list[int]:
    return [int(r[0]) for r in conn.execute("SELECT id FROM people ORDER BY ref, id")]


def deadlines_without_case(conn: Connection) -> list[StoredDeadline]:
    ids = [int(r[0]) for r in conn.execute(
        "SELECT id FROM deadlines WHERE case_id IS NULL ORDER BY due_on, id")]
    return [deadlines_repo.get(conn, i) for i in ids]


# --- inserts ---------------------------------------------------------------------------


def insert_people(conn: Connection, people: Sequence[Person]) -> None:
    """Every person must already have its id and reference."""
    _require_transaction(conn, people)
    now = now_iso()
    conn.executemany(
        "INSERT INTO people (id, ref, given_name, family_name, role, date_of_birth, email, "
        "phone, address, postcode, pronouns, language, access_needs, organisation, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(p.id, p.ref, p.given_name, p.family_name, p.role.value, date_out(p.date_of_birth),
          p.email, p.phone, p.address, p.postcode, p.pronouns, p.language, p.access_needs,
          p.organisation, now, now) for p in people],
    )


def insert_cases(conn: Connection, cases: Sequence[Case]) -> None:
    """Every case must already have its id, its reference and its people's ids."""
    _require_transaction(conn, cases)
    now = now_iso()
    saved = [with_core_parties(c) for c in cases]
    conn.executemany(
        "INSERT INTO cases (id, ref, opened_on, closed_on, referral_date, referral_source, "
        "primary_person_id, child_person_id, school_setting, local_authority, ehc_stage, "
        "summary, paper_records, assigned_officer, legal_hold, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(c.id, c.ref, c.opened_on.isoformat(), date_out(c.closed_on),
          date_out(c.referral_date), c.referral_source.value, c.primary_person_id,
          c.child_person_id, c.school_setting, c.local_authority, c.ehc_stage.value, c.summary,
          c.paper_records, c.assigned_officer, int(c.legal_hold), now, now) for c in saved],
    )
    conn.executemany("INSERT INTO case_issue_types (case_id, issue_type) VALUES (?, ?)",
                     [(c.id, i.value) for c in saved for i in c.issue_types])
    conn.executemany("INSERT INTO case_outcomes (case_id, outcome) VALUES (?, ?)",
                     [(c.id, o.value) for c in saved for o in c.outcomes])
    conn.executemany("INSERT OR IGNORE INTO case_parties (case_id, person_id, role) "
                     "VALUES (?, ?, ?)",
                     [(c.id, p.person_id, p.role.value) for c in saved for p in c.parties])
    conn.executemany("INSERT INTO case_yp_officers (case_id, username) VALUES (?, ?)",
                     [(c.id, u) for c in saved for u in sorted(c.young_person_officers)])


def insert_notes(conn: Connection, notes: Sequence[Note]) -> None:
    """A note without ``created_at`` is stamped now (UTC)."""
    _require_transaction(conn, notes)
    now = now_iso()
    conn.executemany(
        "INSERT INTO notes (id, case_id, occurred_at, type, author, body, confidentiality, "
        "safeguarding, third_parties, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(n.id, n.case_id, n.occurred_at.isoformat(timespec="minutes"), n.type.value, n.author,
          n.body, n.confidentiality.value, int(n.safeguarding),
          json.dumps(list(n.third_parties)),
          n.created_at.isoformat(timespec="seconds") if n.created_at else now, now)
         for n in notes],
    )


def insert_consents(conn: Connection, records: Sequence[ConsentRecord]) -> None:
    _require_transaction(conn, records)
    conn.executemany(
        "INSERT INTO consents (id, case_id, person_id, recipient, recipient_detail, purpose, "
        "state, recorded_at, method, recorded_by, expires_on, notes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(r.id, r.case_id, r.person_id, r.recipient.value, r.recipient_detail, r.purpose.value,
          r.state.value, r.recorded_at.isoformat(timespec="seconds"), r.method.value,
          r.recorded_by, date_out(r.expires_on), r.notes) for r in records],
    )


def insert_concerns(conn: Connection, concerns: Sequence[SafeguardingConcern]) -> None:
    _require_transaction(conn, concerns)
    now = now_iso()
    conn.executemany(
        "INSERT INTO safeguarding_concerns (id, case_id, raised_on, description, decided_by, "
        "action, status, outcome, raised_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(c.id, c.case_id, c.raised_on.isoformat(), c.description, c.decided_by,
          c.action.value, c.status.value, c.outcome, c.raised_by, now, now) for c in concerns],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO safeguarding_note_links (concern_id, note_id) VALUES (?, ?)",
        [(c.id, n) for c in concerns for n in c.linked_note_ids],
    )


def insert_deadlines(conn: Connection, deadlines: Sequence[StoredDeadline]) -> None:
    _require_transaction(conn, deadlines)
    now = now_iso()
    conn.executemany(
        "INSERT INTO deadlines (id, case_id, kind, label, due_on, owner, done_on, source, "
        "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(d.id, d.case_id, d.deadline.kind.value, d.deadline.label, d.deadline.due.isoformat(),
          d.owner, date_out(d.done_on), d.source, d.created_by, now) for d in deadlines],
    )


def insert_documents(conn: Connection, documents: Sequence[tuple[DocumentInfo, bytes]]) -> None:
    _require_transaction(conn, [info for info, _ in documents])
    conn.executemany(
        "INSERT INTO documents (id, case_id, note_id, filename, media_type, size, sha256, "
        "description, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(d.id, d.case_id, d.note_id, d.filename, d.media_type.value, d.size, d.sha256,
          d.description, d.added_by, d.added_at.isoformat(timespec="seconds"))
         for d, _ in documents],
    )
    conn.executemany("INSERT INTO document_content (document_id, content) VALUES (?, ?)",
                     [(info.id, content) for info, content in documents])
