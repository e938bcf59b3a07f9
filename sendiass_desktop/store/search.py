"""Running a full-text query: ranked candidate records, each tied to a case.

The MATCH expression comes from ``domain.search_query`` (quoted tokens
only) and is always a bound parameter.

Two steps, so the work beyond FTS5's own grows with what the caller reads,
not with how many documents match:

1. One statement ranks every match (bm25; FTS5 has to score them all to
   know the best) and is read a batch at a time, best first. Ranking and
   sorting happen once per search, not once per page as with LIMIT/OFFSET.
2. Each batch of documents is led to its cases, and the case filter
   applied, by a second statement over just that batch's ids.

The caller (which decides visibility note by note) stops reading once it has
enough.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from sendiass_desktop.domain.cases import CaseFilter
from sendiass_desktop.store.cases import filter_sql
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.search_index import DocKind

# bm25 column weights, in the order of search_fts's columns (title, body).
# The title is a case's reference, a person's name or a note's type: a match
# there says much more about what was meant than one word in a long note.
TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0

DEFAULT_BATCH = 200
MAX_BATCH = 5000  # keeps the IN list well inside SQLite's 32,766 parameters


@dataclass(frozen=True)
class Candidate:
    """One matching record and the case it leads to.

    ``score`` is relevance, higher is better (bm25 negated: SQLite's bm25()
    is lower for better matches). A person on several cases is one candidate
    per case.
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


def candidates(conn: Connection, match: str, case_filter: CaseFilter,
               batch_size: int = DEFAULT_BATCH) -> Generator[list[Candidate], None, None]:
    """Matching records in cases that pass the filter, best first, in batches.

    A batch may be empty (none of its documents passed the filter); batches
    grow as more are read, since a caller still reading is filtering out a
    lot. The ranking statement stays open between batches: stop iterating
    (or close the generator) once enough has been read. Raises
    ``sqlcipher3.OperationalError`` if FTS5 rejects ``match``, which
    ``domain.search_query`` makes impossible.
    """
    where, filter_params = filter_sql(case_filter)
    ranked = conn.execute(_RANKED, (TITLE_WEIGHT, BODY_WEIGHT, match))
    size = batch_size
    try:
        while rows := ranked.fetchmany(size):
            position = {doc_id: i for i, (doc_id, _score) in enumerate(rows)}
            ids = list(position)
            # Only "?" marks and fixed fragments are formatted in; every value is bound.
            sql = _TO_CASES.format(ids=",".join("?" * len(ids)), where=where)
            led = conn.execute(sql, [*ids, *filter_params, *ids, *filter_params]).fetchall()
            led.sort(key=lambda r: (position[r[0]], r[3]))  # back into rank order
            yield [Candidate(DocKind(kind), entity_id, case_id, -float(rows[position[doc_id]][1]))
                   for doc_id, kind, entity_id, case_id in led]
            size = min(size * 2, MAX_BATCH)
    finally:
        ranked.close()
