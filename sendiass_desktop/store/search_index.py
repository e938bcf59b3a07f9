"""Keeping the full-text index in step with people, cases and notes.

Called by services inside the same transaction as the write, so the index
never disagrees with the records. The FTS table is contentless (no second
copy of the text). A removed document stops matching at once, but FTS5 only
marks it deleted: its words stay in the index pages until the segments are
merged. ``purge_deleted`` merges them; disposal and backups call it, so text
that is gone from the records does not linger in the store or its copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from sendiass_desktop.domain.cases import Case
from sendiass_desktop.domain.notes import Note
from sendiass_desktop.domain.people import Person
from sendiass_desktop.store.connection import Connection


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
    body = note.body + ("\n" + "\n".join(note.third_parties) if note.third_parties else "")
    return note.type.label, body


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
