"""Running a full-text query: candidate records, each tied to a case, best first.

The MATCH expression comes from ``domain.search_query`` (quoted tokens
only) and is always a bound parameter.

Search runs as people type, so the work per query must not grow with the
store. What costs is not finding matches but *ranking* them: bm25 scores
every match and SQLite sorts them all before the first can be returned, and
bm25 first counts how many documents hold each word (a pass over the word's
whole doclist). A common word ("school") is in half the notes of a large
store. So a query runs in two phases, each bounded:

1. **Titles** (names and case references, ``{title} : …``), before anything
   else, so that a name or reference is never pushed out by notes.
2. **Everything else** (bodies: notes, contact details, case details),
   skipping documents already read in phase 1.

In each phase the matches are first read newest first (``ORDER BY rowid
DESC``, which FTS5 answers lazily, without scoring). If there are at most
``RANK_LIMIT`` of them, the phase is then ranked completely by bm25 (scoring
and sorting so few is cheap). If there are more, the words say little about
what is wanted, and the phase is listed newest first, unranked
(``Candidate.score`` 0), reading only as far as the caller needs: no bm25,
so neither its pass over each word's doclist nor any sorting. A record's
document id is given when it is first indexed (an edit keeps it), so newest
first means most recently added.

Each batch of documents is then led to its cases, and the case filter
applied, by a second statement over just that batch's ids. The caller
(which decides visibility note by note) stops reading once it has enough.
"""

from __future__ import annotations

from collections.abc import Container, Generator, Iterator
from dataclasses import dataclass

from sendiass_desktop.domain.cases import CaseFilter
from sendiass_desktop.store.cases import filter_sql
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.search_index import DocKind

# bm25 column weights, in the order of search_fts's columns (title, body).
# The title is a case's reference or a person's name: a match there says
# much more about what was meant than one word in a long note.
TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0

DEFAULT_BATCH = 200
MAX_BATCH = 5000  # keeps the IN list well inside SQLite's 32,766 parameters
_GROWTH_LIMIT = 4  # batches grow to at most this many times the first

# A phase with at most this many matches is ranked by relevance (a few ms of
# bm25 on the large benchmark store); one with more is listed newest first.
# Read at call time, so tests can lower it.
RANK_LIMIT = 2000


@dataclass(frozen=True)
class Candidate:
    """One matching record and the case it leads to.

    ``score`` is relevance, higher is better (bm25 negated: SQLite's bm25()
    is lower for better matches), or 0.0 for a match listed newest first
    because too many records matched to rank them. A person on several cases
    is one candidate per case.
    """

    kind: DocKind
    entity_id: int
    case_id: int
    score: float


# Best first: bm25() is lower for better matches; rowid makes ties stable.
_RANKED = (
    "SELECT rowid, bm25(search_fts, ?, ?) AS score FROM search_fts "
    "WHERE search_fts MATCH ? ORDER BY score, rowid"
)

# Newest first, no scoring: FTS5 walks the doclists backwards and stops when
# the caller stops reading.
_NEWEST = "SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC"

# Notes and cases carry their case_id; people reach their cases through
# case_parties (DISTINCT: one person may hold two roles on a case). The case
# filter's WHERE text comes from store.cases.filter_sql (fixed fragments on
# alias ``c``); the id list is one "?" per id.
#
# The batch's ids must drive the query, whatever the filter: CROSS JOIN fixes
# the join order (SQLite's documented planner control), and the unary "+" on
# d.kind keeps SQLite from walking the (kind, entity_id) index over every
# note. Otherwise an officer filter, say, reads all that officer's cases and
# their documents for each batch.
_TO_CASES = """
SELECT d.id, d.kind, d.entity_id, c.id
FROM search_docs d
CROSS JOIN cases c ON c.id = d.case_id
WHERE d.id IN ({ids}) AND +d.kind IN ('case', 'note') AND {where}
UNION ALL
SELECT DISTINCT d.id, d.kind, d.entity_id, c.id
FROM search_docs d
CROSS JOIN case_parties cp ON cp.person_id = d.entity_id
CROSS JOIN cases c ON c.id = cp.case_id
WHERE d.id IN ({ids}) AND +d.kind = 'person' AND {where}
"""


_KINDS = {kind.value: kind for kind in DocKind}  # a dict lookup is several times DocKind(value)


def titles_only(match: str) -> str:
    """``match`` restricted to the title column (names and references)."""
    return f"{{title}} : ({match})"


def _phase(conn: Connection, match: str, seen: set[int],
           sizes: Iterator[int]) -> Generator[list[tuple[int, float]], None, None]:
    """Batches of (document id, score) matching ``match``, leaving out and adding to ``seen``.

    All matches ranked by bm25 if there are at most ``RANK_LIMIT``, otherwise
    newest first with score 0.0 (read lazily, batch by batch).
    """
    limit = RANK_LIMIT
    newest = conn.execute(_NEWEST, (match,))
    try:
        first = newest.fetchmany(limit + 1)
        if len(first) <= limit:
            newest.close()
            if not first:
                return
            ranked = [(doc_id, -float(score)) for doc_id, score in conn.execute(
                _RANKED, (TITLE_WEIGHT, BODY_WEIGHT, match)) if doc_id not in seen]
            seen.update(doc_id for doc_id, _score in ranked)
            start = 0
            while start < len(ranked):
                size = next(sizes)
                yield ranked[start:start + size]
                start += size
            return
        pending = [doc_id for (doc_id,) in first]
        more = True
        while pending or more:
            size = next(sizes)
            while more and len(pending) < size:
                rows = newest.fetchmany(size - len(pending))
                more = bool(rows)
                pending.extend(doc_id for (doc_id,) in rows)
            if not pending:
                return
            batch, pending = pending[:size], pending[size:]
            fresh = [(doc_id, 0.0) for doc_id in batch if doc_id not in seen]
            seen.update(doc_id for doc_id, _score in fresh)
            yield fresh
    finally:
        newest.close()


def _growing(first: int) -> Iterator[int]:
    # Doubling saves statements when the caller filters out a lot; the ceiling
    # keeps the last batch from being far more than the caller still needs.
    size, ceiling = first, min(first * _GROWTH_LIMIT, MAX_BATCH)
    while True:
        yield size
        size = min(size * 2, ceiling)


def candidates(conn: Connection, match: str, case_filter: CaseFilter,
               batch_size: int = DEFAULT_BATCH, *, titles: bool = False,
               settled: Container[tuple[str, int]] = frozenset(),
               ) -> Generator[list[Candidate], None, None]:
    """Matching records in cases that pass the filter, in batches: title matches
    first, then the rest (see the module's docstring for the order in each).

    ``titles``: names and references only. ``settled``: (``DocKind`` value,
    case id) pairs the caller has no more use for (it has already counted a
    note of that case, say), left out of every batch built after they are
    added, so a case with a thousand recent notes costs little. A batch may be empty;
    batches grow as more are read, since a caller still reading is filtering
    out a lot. A statement stays open between batches: stop iterating (or
    close the generator) once enough has been read. Raises
    ``sqlcipher3.OperationalError`` if FTS5 rejects ``match``, which
    ``domain.search_query`` makes impossible, or if the connection is
    interrupted.
    """
    where, filter_params = filter_sql(case_filter)
    sizes = _growing(min(max(1, batch_size), MAX_BATCH))
    seen: set[int] = set()
    phases = [titles_only(match)] if titles else [titles_only(match), match]
    for phase_match in phases:
        batches = _phase(conn, phase_match, seen, sizes)
        try:
            for rows in batches:
                if not rows:
                    continue
                position = {doc_id: i for i, (doc_id, _score) in enumerate(rows)}
                ids = list(position)
                # Only "?" marks and fixed fragments are formatted in; every value is bound.
                sql = _TO_CASES.format(ids=",".join("?" * len(ids)), where=where)
                led = conn.execute(sql, [*ids, *filter_params, *ids, *filter_params]).fetchall()
                led.sort(key=lambda r: (position[r[0]], r[3]))  # back into rank order
                yield [Candidate(_KINDS[kind], entity_id, case_id, rows[position[doc_id]][1])
                       for doc_id, kind, entity_id, case_id in led
                       if (kind, case_id) not in settled]
        finally:
            batches.close()
