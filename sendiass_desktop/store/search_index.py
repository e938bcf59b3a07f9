"""Keeping the full-text index in step with people, cases and notes.

Called by services inside the same transaction as the write, so the index
never disagrees with the records. The FTS table is contentless (no second
copy of the text). A removed document stops matching at once, but FTS5 only
marks it deleted: its words stay in the index pages until the segments are
merged. ``purge_deleted`` merges them; disposal and backups call it, so text
that is gone from the records does not linger in the store or its copies.

Each document has a title and a body (``search_fts``'s two columns). The
title holds only what a record is called: a person's name, a case's
reference. Searching runs the titles first, on their own and completely
(``store/search.py``), so it must stay small: everything else, a note's type
included, goes in the body. ``rebuild`` writes every document again from the
records (schema migration 5 uses it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum

from sendiass_desktop.domain.cases import Case, EhcStage, IssueType, ReferralSource
from sendiass_desktop.domain.notes import Note, NoteType
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.rows import required_date


class DocKind(Enum):
    PERSON = "person"
    CASE = "case"
    NOTE = "note"


def _upsert(conn: Connection, kind: DocKind, entity_id: int, case_id: int | None, title: str,
            body: str) -> None:
    row = conn.execute("SELECT id FROM search_docs WHERE kind = ? AND entity_id = ?",
                       (kind.value, entity_id)).fetchone()
    if row is None:
        cur = conn.execute("INSERT INTO search_docs (kind, entity_id, case_id) VALUES (?, ?, ?)",
                           (kind.value, entity_id, case_id))
        doc_id = cur.lastrowid
    else:
        doc_id = row[0]
        conn.execute("UPDATE search_docs SET case_id = ? WHERE id = ?", (case_id, doc_id))
        conn.execute("DELETE FROM search_fts WHERE rowid = ?", (doc_id,))
    conn.execute("INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)",
                 (doc_id, title, body))


def remove(conn: Connection, kind: DocKind, entity_id: int) -> None:
    row = conn.execute("SELECT id FROM search_docs WHERE kind = ? AND entity_id = ?",
                       (kind.value, entity_id)).fetchone()
    if row is not None:
        conn.execute("DELETE FROM search_fts WHERE rowid = ?", (row[0],))
        conn.execute("DELETE FROM search_docs WHERE id = ?", (row[0],))


def remove_case(conn: Connection, case_id: int) -> None:
    """Everything indexed under a case (the case itself and its notes)."""
    for (doc_id,) in conn.execute("SELECT id FROM search_docs WHERE case_id = ?",
                                  (case_id,)).fetchall():
        conn.execute("DELETE FROM search_fts WHERE rowid = ?", (doc_id,))
    conn.execute("DELETE FROM search_docs WHERE case_id = ?", (case_id,))


# What each kind of record contributes to the index, as (title, body). Bulk
# writers (import, demo data) use these too, so every path indexes alike.


def person_doc(person: Person) -> tuple[str, str]:
    body = " ".join(filter(None, [person.ref, person.email, person.phone, person.postcode,
                                  person.address, person.organisation]))
    return person.display_name, body


def case_doc(case: Case, party_names: Sequence[str] = ()) -> tuple[str, str]:
    # The parties' names are in the case's own document, so "Jones exclusion"
    # finds the Jones family's exclusion case (all words must meet in one document).
    body = " ".join(filter(None, [
        *party_names, case.school_setting, case.local_authority, case.summary,
        case.ehc_stage.label, *(i.label for i in sorted(case.issue_types, key=lambda i: i.code)),
    ]))
    return case.ref, body


def party_names_for(conn: Connection, case_ids: Sequence[int]) -> dict[int, list[str]]:
    """Names of everyone on each case, for the cases' search documents."""
    out: dict[int, list[str]] = {cid: [] for cid in case_ids}
    ids = list(case_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT cp.case_id, trim(p.given_name || ' ' || p.family_name) "  # noqa: S608
            f"FROM case_parties cp JOIN people p ON p.id = cp.person_id "
            f"WHERE cp.case_id IN ({marks}) ORDER BY cp.case_id, p.id", chunk)
        for case_id, name in rows:
            out[case_id].append(name)
    return out


def note_doc(note: Note) -> tuple[str, str]:
    return _note_doc(note.type, note.body, note.third_parties)


def _note_doc(note_type: NoteType, body: str, third_parties: Sequence[str]) -> tuple[str, str]:
    # No title: a note is not called anything, and its type ("Phone call",
    # "Meeting") is shared by a large part of all notes, which would make the
    # title search read a doclist as long as the store.
    return "", "\n".join([note_type.label, body, *third_parties])


def index_person(conn: Connection, person: Person) -> None:
    assert person.id is not None
    _upsert(conn, DocKind.PERSON, person.id, None, *person_doc(person))


def index_case(conn: Connection, case: Case) -> None:
    assert case.id is not None
    names = party_names_for(conn, [case.id])[case.id]
    _upsert(conn, DocKind.CASE, case.id, case.id, *case_doc(case, names))


def index_note(conn: Connection, note: Note) -> None:
    assert note.id is not None
    if note.deleted:
        remove(conn, DocKind.NOTE, note.id)
        return
    _upsert(conn, DocKind.NOTE, note.id, note.case_id, *note_doc(note))


def purge_deleted(conn: Connection) -> None:
    """Merge the index so words of deleted or replaced documents are really gone.

    ``contentless_delete`` only records a tombstone (FTS5 cannot apply its
    secure-delete option without the old text); ``optimize`` rewrites the
    segments without them, and ``secure_delete`` zeroes the old pages. About
    two seconds per 200,000 notes.
    """
    conn.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")


# --- rebuilding the whole index -----------------------------------------------------------

_REBUILD_CHUNK = 2000
_REBUILD_CACHE_KIB = -64 * 1024  # negative: KiB (64 MiB), as PRAGMA cache_size takes it

# Only columns every schema since version 2 has, so an older store can be
# rebuilt on its way up (migration 5) whatever later versions add. Only "?"
# marks are formatted into {ids}; every value is bound.
_PEOPLE_SQL = ("SELECT id, ref, given_name, family_name, role, email, phone, address, postcode, "
               "organisation FROM people WHERE id IN ({ids})")
_CASES_SQL = ("SELECT id, ref, opened_on, referral_source, assigned_officer, primary_person_id, "
              "school_setting, local_authority, ehc_stage, summary FROM cases WHERE id IN ({ids})")
_ISSUES_SQL = "SELECT case_id, issue_type FROM case_issue_types WHERE case_id IN ({ids})"
_NOTES_SQL = ("SELECT id, type, body, third_parties FROM notes "
              "WHERE id IN ({ids}) AND deleted_at IS NULL")


def _people(conn: Connection, ids: list[int]) -> dict[int, Person]:
    if not ids:
        return {}
    rows = conn.execute(_PEOPLE_SQL.format(ids=",".join("?" * len(ids))), ids)
    return {r[0]: Person(r[1], r[2], r[3], PersonRole(r[4]), email=r[5], phone=r[6],
                         address=r[7], postcode=r[8], organisation=r[9], id=r[0]) for r in rows}


def _cases(conn: Connection, ids: list[int]) -> dict[int, Case]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    issues: dict[int, set[IssueType]] = {}
    for case_id, issue in conn.execute(_ISSUES_SQL.format(ids=marks), ids):
        issues.setdefault(case_id, set()).add(IssueType(issue))
    return {r[0]: Case(r[1], required_date(r[2]), ReferralSource(r[3]), r[4], r[5],
                       school_setting=r[6], local_authority=r[7], ehc_stage=EhcStage(r[8]),
                       summary=r[9], issue_types=frozenset(issues.get(r[0], ())), id=r[0])
            for r in conn.execute(_CASES_SQL.format(ids=marks), ids)}


def _note_docs(conn: Connection, ids: list[int]) -> dict[int, tuple[str, str]]:
    # Straight from the columns note_doc reads (half a million notes in a
    # large store: building each Note would double the Python time).
    if not ids:
        return {}
    rows = conn.execute(_NOTES_SQL.format(ids=",".join("?" * len(ids))), ids)
    return {r[0]: _note_doc(NoteType(r[1]), r[2], json.loads(r[3]) if r[3] != "[]" else ())
            for r in rows}


def rebuild(conn: Connection) -> int:
    """Write every document into an empty ``search_fts`` from the records; returns how many.

    Call inside the write transaction that emptied (re-created) the table.
    ``search_docs`` is brought in line with the records first: rows for
    records that are gone (or notes that are deleted) are dropped and
    records without one get one. Existing rows keep their ids, so
    documents keep their order (the newest have the highest ids, which is
    what the search's "newest first" relies on). Documents are written in id
    order, then the index is merged into one segment.

    Schema migration 5 runs this, so it must keep working on a version 4
    store: read only what the SQL above reads. What it writes is whatever
    the ``*_doc`` functions make, i.e. always the current kind of index.
    """
    # FTS5 merges the segments it writes as it goes, reading them back: with a
    # small page cache a large store's index is read (and decrypted) over and
    # over. 64 MiB for the rebuild saved about a fifth of its CPU time on the
    # 50,000-case benchmark store against the 8 MiB default of the time; the
    # connections' own 32 MiB (decision 0014) is put back afterwards.
    previous = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    conn.execute(f"PRAGMA cache_size = {_REBUILD_CACHE_KIB}")
    try:
        return _rebuild(conn)
    finally:
        conn.execute(f"PRAGMA cache_size = {previous}")


def _rebuild(conn: Connection) -> int:
    conn.execute("DELETE FROM search_docs WHERE kind = 'person' AND entity_id NOT IN "
                 "(SELECT id FROM people)")
    conn.execute("DELETE FROM search_docs WHERE kind = 'case' AND entity_id NOT IN "
                 "(SELECT id FROM cases)")
    conn.execute("DELETE FROM search_docs WHERE kind = 'note' AND entity_id NOT IN "
                 "(SELECT id FROM notes WHERE deleted_at IS NULL)")
    conn.execute("INSERT INTO search_docs (kind, entity_id, case_id) SELECT 'person', p.id, NULL "
                 "FROM people p WHERE NOT EXISTS (SELECT 1 FROM search_docs d "
                 "WHERE d.kind = 'person' AND d.entity_id = p.id) ORDER BY p.id")
    conn.execute("INSERT INTO search_docs (kind, entity_id, case_id) SELECT 'case', c.id, c.id "
                 "FROM cases c WHERE NOT EXISTS (SELECT 1 FROM search_docs d "
                 "WHERE d.kind = 'case' AND d.entity_id = c.id) ORDER BY c.id")
    conn.execute("INSERT INTO search_docs (kind, entity_id, case_id) SELECT 'note', n.id, "
                 "n.case_id FROM notes n WHERE n.deleted_at IS NULL AND NOT EXISTS (SELECT 1 "
                 "FROM search_docs d WHERE d.kind = 'note' AND d.entity_id = n.id) ORDER BY n.id")
    written = 0
    last = 0
    while True:
        docs = conn.execute("SELECT id, kind, entity_id FROM search_docs WHERE id > ? "
                            "ORDER BY id LIMIT ?", (last, _REBUILD_CHUNK)).fetchall()
        if not docs:
            break
        last = docs[-1][0]
        wanted: dict[str, list[int]] = {kind.value: [] for kind in DocKind}
        for _doc_id, kind, entity_id in docs:
            wanted[kind].append(entity_id)
        people = _people(conn, wanted[DocKind.PERSON.value])
        cases = _cases(conn, wanted[DocKind.CASE.value])
        notes = _note_docs(conn, wanted[DocKind.NOTE.value])
        names = party_names_for(conn, list(cases))
        rows: list[tuple[int, str, str]] = []
        for doc_id, kind, entity_id in docs:
            if kind == DocKind.PERSON.value:
                rows.append((doc_id, *person_doc(people[entity_id])))
            elif kind == DocKind.CASE.value:
                rows.append((doc_id, *case_doc(cases[entity_id], names[entity_id])))
            else:
                rows.append((doc_id, *notes[entity_id]))
        conn.executemany("INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)", rows)
        written += len(rows)
    conn.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
    return written
