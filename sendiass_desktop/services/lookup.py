"""Finding people already known, so a new case reuses them rather than duplicating them.

``find_people`` looks for people on any case whose name, person reference
(P-000123) or contact details match some typed words. It is audited like a
search: how many were found, never the words typed. (Colleagues to assign a
case to come from ``services.officers``.)
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

import sqlcipher3

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import CaseFilter
from sendiass_desktop.domain.errors import NotFound
from sendiass_desktop.domain.people import Person
from sendiass_desktop.domain.search_query import build_query
from sendiass_desktop.services.access import audit, require_read
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import people as people_repo
from sendiass_desktop.store import search as search_repo
from sendiass_desktop.store.connection import transaction
from sendiass_desktop.store.search_index import DocKind

MAX_PEOPLE = 50
_PERSON_REF = re.compile(r"^\s*[Pp]-?(\d{1,6})\s*$")
NO_PEOPLE = "Nobody already known matches those words."


@dataclass(frozen=True)
class PersonHit:
    person: Person
    case_refs: tuple[str, ...]


@dataclass(frozen=True)
class PeopleResults:
    hits: tuple[PersonHit, ...]
    message: str | None = None


def find_people(session: Session, text: str, limit: int = 20) -> PeopleResults:
    """People already known whose details match ``text`` (a person reference works too)."""
    require_read(session)
    limit = max(1, min(limit, MAX_PEOPLE))
    conn = session.conn
    found: dict[int, set[int]] = {}
    ref = _PERSON_REF.match(text)
    if ref:
        with contextlib.suppress(NotFound):
            person = people_repo.by_ref(conn, f"P-{int(ref.group(1)):06d}")
            assert person.id is not None
            found[person.id] = set(people_repo.case_ids_for_person(conn, person.id))
    if not found:
        query = build_query(text)
        if query.match is None:
            return PeopleResults((), query.message)
        batches = search_repo.candidates(conn, query.match, CaseFilter())
        try:
            with contextlib.closing(batches):
                for batch in batches:
                    for cand in batch:
                        if cand.kind is not DocKind.PERSON:
                            continue
                        if cand.entity_id not in found and len(found) >= limit:
                            continue
                        found.setdefault(cand.entity_id, set()).add(cand.case_id)
                    if len(found) >= limit:
                        break
        except sqlcipher3.OperationalError:
            return PeopleResults((), "The search could not be run. Try different words.")
    people = people_repo.many(conn, list(found))
    case_ids = sorted({c for ids in found.values() for c in ids})
    refs = {cid: s.ref for cid, s in cases_repo.summaries_for_ids(conn, case_ids).items()}
    hits = tuple(
        PersonHit(people[pid], tuple(sorted(refs[c] for c in found[pid] if c in refs)))
        for pid in found if pid in people
    )
    with transaction(conn) as tx:
        audit(tx, session, AuditAction.SEARCHED, "people", None, {"results": len(hits)})
    return PeopleResults(hits, None if hits else NO_PEOPLE)
