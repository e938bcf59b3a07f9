"""Searching people, cases and notes: ranked, filtered, grouped to cases.

Confidentiality rule 3: a note counts as a match only if the person
searching may see it (``domain.visibility.can_see_note``). A case is never
returned, nor ranked higher, because of words in a note its viewer cannot
read; the same goes for restricted notes.

Audit: every search that reads the store is logged with how many cases it
returned and whether filters were used, never the words searched for (they
are often a name, and the audit log keeps nothing that disposal could not
remove).

Short text: fewer than ``MIN_SEARCH_CHARS`` letters and numbers in all is
not searched in full (a one- or two-letter prefix matches most of a large
store and says little about what is wanted). A single two-character word is
looked up as a whole word in names and case references only, so short names
(Ng, Li, Wu, Jo) can still be found; anything shorter only gets a hint.
Case references are longer than that, so they are always searched in full.

A search can be stopped from another thread with ``conn.interrupt()`` (the
search box does, when a newer search overtakes it): ``search_cases`` then
raises ``SearchCancelled``, which is not an error, and writes no audit entry
(nothing was returned).
"""

from __future__ import annotations

import contextlib
import itertools
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
from sendiass_desktop.store.errors import StoreDamaged, StoreError
from sendiass_desktop.store.search_index import DocKind

MAX_LIMIT = 500
MIN_SEARCH_CHARS = 3

NO_MATCHES = "No cases match those words."
NO_MATCHES_FILTERED = "No cases match those words with the filters chosen."
CAPPED = f"Only the first {MAX_TOKENS} words were searched."
SEARCH_FAILED = "The search could not be run. Try again, or try different words."
TOO_SHORT = f"Type at least {MIN_SEARCH_CHARS} letters or numbers to search."
NAMES_ONLY = (f"Only whole names and case references were searched. Type at least "
              f"{MIN_SEARCH_CHARS} letters or numbers to search everything.")


class SearchCancelled(Exception):
    """The search was interrupted (``conn.interrupt()``) before it finished."""


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


def _counts(found: dict[int, _Found], cand: search_repo.Candidate, limit: int) -> bool:
    """Could ``cand`` change the result? Not another match of a kind already counted for
    its case (a busy case's hundred newest notes, say), nor a new case once the list is full."""
    entry = found.get(cand.case_id)
    return len(found) < limit if entry is None else cand.kind.value not in entry.matched


# At most this many notes read at once.
_READ_AHEAD = 100


def _notes_to_read(batch: list[search_repo.Candidate], at: int, found: dict[int, _Found],
                   limit: int, hidden: set[int]) -> list[int]:
    """The note at ``batch[at]`` and, read with it, the next notes that could count.

    Of other cases only the first (a case's later notes are needed only if
    none before counts), and no more new cases than the list still has room
    for. Of this note's own case, the next ones too if one of its notes has
    already not counted (``hidden``): a case with a thousand notes the viewer
    may not see is then read a hundred at a time, not one by one.
    """
    first = batch[at]
    ids, cases = [first.entity_id], {first.case_id}
    new = 0 if first.case_id in found else 1
    for cand in itertools.islice(batch, at + 1, None):
        if len(ids) >= _READ_AHEAD:
            break
        if cand.kind is not DocKind.NOTE or not _counts(found, cand, limit):
            continue
        if cand.case_id in cases:
            if cand.case_id == first.case_id and first.case_id in hidden:
                ids.append(cand.entity_id)
            continue
        if cand.case_id not in found:
            if new >= limit - len(found):
                break
            new += 1
        ids.append(cand.entity_id)
        cases.add(cand.case_id)
    return ids


def _collect(conn: Connection, who: Viewer, match: str, case_filter: CaseFilter,
             limit: int, *, titles: bool = False) -> dict[int, _Found]:
    """Best visible score per case, best first, until ``limit`` cases are found."""
    found: dict[int, _Found] = {}
    settled: set[tuple[str, int]] = set()  # what _counts would turn away, for the store
    visibility = _Visibility(conn, who)
    batches = search_repo.candidates(conn, match, case_filter, batch_size=max(100, 2 * limit),
                                     titles=titles, settled=settled)
    with contextlib.closing(batches):
        for batch in batches:
            notes: dict[int, Note | None] = {}  # None: not in the store any more
            hidden: set[int] = set()  # cases with a note in this batch that did not count
            for at, cand in enumerate(batch):
                if not _counts(found, cand, limit):
                    continue
                if cand.kind is DocKind.NOTE:
                    if cand.entity_id not in notes:
                        ids = _notes_to_read(batch, at, found, limit, hidden)
                        read = notes_repo.many(conn, ids)
                        notes.update((note_id, read.get(note_id)) for note_id in ids)
                    if not visibility.note_counts(notes[cand.entity_id], cand.case_id):
                        hidden.add(cand.case_id)
                        continue
                # Candidates arrive best first, so the first one is the case's best.
                entry = found.get(cand.case_id)
                if entry is None:
                    entry = found[cand.case_id] = _Found(cand.score, set())
                entry.matched.add(cand.kind.value)
                settled.add((cand.kind.value, cand.case_id))
            if len(found) >= limit:
                break  # (the rest of the batch has still filled in ``matched``)
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


@contextlib.contextmanager
def _interruptible(conn: Connection) -> Iterator[None]:
    """Keep one statement running for the whole block, so ``conn.interrupt()`` always lands.

    SQLite forgets an interrupt that arrives while no statement is running,
    and a search spends part of its time in Python between statements. With
    this one held open (a row still to read), the interrupt stays set and the
    search's next statement fails with it; closing it lets SQLite forget the
    interrupt, so the connection's next user is not affected.
    """
    guard = conn.execute("SELECT 1 UNION ALL SELECT 2")
    try:
        guard.fetchone()
        yield
    finally:
        guard.close()


_SQLITE_INTERRUPT = 9


def _interrupted(exc: BaseException | None) -> bool:
    return (isinstance(exc, sqlcipher3.OperationalError)
            and (getattr(exc, "sqlite_errorcode", None) == _SQLITE_INTERRUPT
                 or str(exc) == "interrupted"))


def _short_query(tokens: tuple[str, ...]) -> str | None:
    """The names-and-references lookup for text under ``MIN_SEARCH_CHARS``, if any.

    Only a two-character word is looked up (as a whole word): a single
    character, or two of them, would match almost every name.
    """
    if len(tokens) != 1 or len(tokens[0]) != MIN_SEARCH_CHARS - 1:
        return None
    return '"' + tokens[0].replace('"', '""') + '"'


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
    comes back as ``message`` with no hits. Raises ``SearchCancelled`` if the
    connection was interrupted while the search ran.
    """
    require_read(session)
    query = build_query(text)
    if query.match is None:
        return SearchResults((), query.message)  # nothing was read, so nothing to audit
    match, titles = query.match, False
    if sum(map(len, query.tokens)) < MIN_SEARCH_CHARS:
        short = _short_query(query.tokens)
        if short is None:
            return SearchResults((), TOO_SHORT)  # nothing was read, so nothing to audit
        match, titles = short, True
    limit = max(1, min(limit, MAX_LIMIT))
    conn = session.conn
    try:
        with _snapshot(conn), _interruptible(conn):
            found = _collect(conn, viewer(session), match, case_filter, limit, titles=titles)
            summaries = cases_repo.summaries_for_ids(conn, list(found))
    except sqlcipher3.OperationalError as exc:
        if _interrupted(exc):
            raise SearchCancelled() from None
        return SearchResults((), _failure_message(exc))
    except sqlcipher3.DatabaseError as exc:  # damage, not the words typed
        raise translate(exc) from None
    hits = tuple(
        CaseHit(summaries[case_id], entry.score, frozenset(entry.matched))
        for case_id, entry in found.items() if case_id in summaries
    )
    filtered = case_filter != CaseFilter()
    try:
        with transaction(conn) as write:
            audit(write, session, AuditAction.SEARCHED, "search", None,
                  {"results": len(hits), "filtered": filtered})
    except StoreError as exc:
        # transaction() explains SQLite's errors as store problems; an interrupt
        # is neither (the entry was rolled back, and nothing is returned).
        if _interrupted(exc.__context__):
            raise SearchCancelled() from None
        raise
    notes = [CAPPED] if query.capped else []
    if not hits:
        notes.append(NO_MATCHES_FILTERED if filtered else NO_MATCHES)
    if titles:
        notes.append(NAMES_ONLY)
    return SearchResults(hits, " ".join(notes) or None)
