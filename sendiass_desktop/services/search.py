"""Searching people, cases and notes: ranked, filtered, grouped to cases.

Confidentiality rule 3: a note counts as a match only if the person
searching may see it (``domain.visibility.can_see_note``). A case is never
returned, nor ranked higher, because of words in a note its viewer cannot
read; the same goes for restricted notes.

Audit: every search that reads the store is logged with how many cases it
returned and whether filters were used, never the words searched for (they
are often a name, and the audit log keeps nothing that disposal could not
remove).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import sqlcipher3

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import Case, CaseFilter, CaseSummary
from sendiass_desktop.domain.notes import Note
from sendiass_desktop.domain.search_query import MAX_TOKENS, build_query
from sendiass_desktop.domain.visibility import Viewer, can_see_note
from sendiass_desktop.services.access import audit, require_read, viewer
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import notes as notes_repo
from sendiass_desktop.store import search as search_repo
from sendiass_desktop.store.connection import Connection, transaction, translate
from sendiass_desktop.store.errors import StoreDamaged
from sendiass_desktop.store.search_index import DocKind

MAX_LIMIT = 500

NO_MATCHES = "No cases match those words."
NO_MATCHES_FILTERED = "No cases match those words with the filters chosen."
CAPPED = f"Only the first {MAX_TOKENS} words were searched."
SEARCH_FAILED = "The search could not be run. Try again, or try different words."


@dataclass(frozen=True)
class CaseHit:
    case: CaseSummary
    score: float  # relevance of the case's best visible match; higher is better
    # Kinds of record that matched ('person', 'case', 'note') among those read
    # before the result list was full.
    matched: frozenset[str]


@dataclass(frozen=True)
class SearchResults:
    hits: tuple[CaseHit, ...]
    message: str | None = None


@dataclass
class _Found:
    score: float
    matched: set[str]


class _Visibility:
    """Note-by-note visibility, loading each case at most once per search."""

    def __init__(self, conn: Connection, who: Viewer) -> None:
        self._conn = conn
        self._who = who
        self._cases: dict[int, Case] = {}

    def note_counts(self, note: Note | None, case_id: int) -> bool:
        # Deleted notes leave the index when deleted; checked again here in
        # case the index is ever behind, since showing one would be a leak.
        if note is None or note.deleted or note.case_id != case_id:
            return False
        case = self._cases.get(case_id)
        if case is None:
            case = self._cases[case_id] = cases_repo.get(self._conn, case_id)
        return can_see_note(self._who, note, case)


def _collect(conn: Connection, who: Viewer, match: str, case_filter: CaseFilter,
             limit: int) -> dict[int, _Found]:
    """Best visible score per case, best first, until ``limit`` cases are found."""
    found: dict[int, _Found] = {}
    visibility = _Visibility(conn, who)
    batches = search_repo.candidates(conn, match, case_filter, batch_size=max(100, 2 * limit))
    with contextlib.closing(batches):
        for batch in batches:
            notes = notes_repo.many(conn, [c.entity_id for c in batch if c.kind is DocKind.NOTE])
            for cand in batch:
                if cand.kind is DocKind.NOTE and not visibility.note_counts(
                        notes.get(cand.entity_id), cand.case_id):
                    continue
                entry = found.get(cand.case_id)
                if entry is None:
                    if len(found) >= limit:
                        continue  # only fills in ``matched`` for cases already found
                    # Candidates arrive best first, so the first one is the case's best.
                    entry = found[cand.case_id] = _Found(cand.score, set())
                entry.matched.add(cand.kind.value)
            if len(found) >= limit:
                break
    return found


@contextlib.contextmanager
def _snapshot(conn: Connection) -> Iterator[None]:
    """One read transaction, so every batch sees the same store.

    Deferred, not ``transaction()``'s BEGIN IMMEDIATE: searches run as
    people type, and must not hold the write lock other users need to save.
    """
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        # Nothing was written, so COMMIT and ROLLBACK end it alike; whichever
        # works, the connection must not be left inside a transaction.
        try:
            conn.execute("COMMIT")
        except sqlcipher3.Error:
            with contextlib.suppress(sqlcipher3.Error):
                conn.execute("ROLLBACK")


def _failure_message(exc: sqlcipher3.Error) -> str:
    problem = translate(exc)
    # A busy store (say) has its own advice; anything else, such as an FTS
    # error, gets the plain one without the database's wording.
    return SEARCH_FAILED if isinstance(problem, StoreDamaged) else str(problem)


# CaseFilter is frozen, so one shared default instance is safe.
def search_cases(session: Session, text: str, case_filter: CaseFilter = CaseFilter(),  # noqa: B008
                 limit: int = 50) -> SearchResults:
    """Cases matching ``text`` (people, cases and visible notes), best first.

    Never raises because of what was typed: unusable text or a failed query
    comes back as ``message`` with no hits.
    """
    require_read(session)
    query = build_query(text)
    if query.match is None:
        return SearchResults((), query.message)  # nothing was read, so nothing to audit
    limit = max(1, min(limit, MAX_LIMIT))
    conn = session.conn
    try:
        with _snapshot(conn):
            found = _collect(conn, viewer(session), query.match, case_filter, limit)
            summaries = cases_repo.summaries_for_ids(conn, list(found))
    except sqlcipher3.OperationalError as exc:
        return SearchResults((), _failure_message(exc))
    except sqlcipher3.DatabaseError as exc:  # damage, not the words typed
        raise translate(exc) from None
    hits = tuple(
        CaseHit(summaries[case_id], entry.score, frozenset(entry.matched))
        for case_id, entry in found.items() if case_id in summaries
    )
    filtered = case_filter != CaseFilter()
    with transaction(conn) as write:
        audit(write, session, AuditAction.SEARCHED, "search", None,
              {"results": len(hits), "filtered": filtered})
    notes = [CAPPED] if query.capped else []
    if not hits:
        notes.append(NO_MATCHES_FILTERED if filtered else NO_MATCHES)
    return SearchResults(hits, " ".join(notes) or None)
