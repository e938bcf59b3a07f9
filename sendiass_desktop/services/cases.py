"""Cases: open, change, close, list and read (every read audited)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import (
    Case,
    CaseFilter,
    CaseSort,
    CaseSummary,
    Outcome,
    check_prefix,
)
from sendiass_desktop.domain.consent import ConsentRecord
from sendiass_desktop.domain.deadlines import Deadline
from sendiass_desktop.domain.documents import DocumentInfo
from sendiass_desktop.domain.errors import EditConflict, InvalidInput, NotFound
from sendiass_desktop.domain.notes import Note
from sendiass_desktop.domain.people import Person
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.domain.safeguarding import SafeguardingConcern
from sendiass_desktop.domain.visibility import can_see_note
from sendiass_desktop.services.access import (
    audit,
    audit_inspector_read,
    require_read,
    require_write,
    today,
    viewer,
)
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import consent as consent_repo
from sendiass_desktop.store import deadlines as deadlines_repo
from sendiass_desktop.store import documents as documents_repo
from sendiass_desktop.store import meta, search_index
from sendiass_desktop.store import notes as notes_repo
from sendiass_desktop.store import people as people_repo
from sendiass_desktop.store import safeguarding as safeguarding_repo
from sendiass_desktop.store import users as users_repo
from sendiass_desktop.store.connection import Connection, transaction
from sendiass_desktop.store.deadlines import StoredDeadline


def case_ref_prefix(session: Session) -> str:
    return meta.get(session.conn, meta.CASE_REF_PREFIX) or meta.DEFAULT_CASE_REF_PREFIX


def set_case_ref_prefix(session: Session, prefix: str) -> None:
    session.require(Permission.MANAGE_STORE, "change the case reference prefix")
    with transaction(session.conn) as conn:
        meta.put(conn, meta.CASE_REF_PREFIX, check_prefix(prefix.strip()))
        audit(conn, session, AuditAction.RECORD_UPDATED, "setting", meta.CASE_REF_PREFIX)


def _check_officer(conn: Connection, username: str) -> None:
    try:
        users_repo.by_username(conn, username)
    except NotFound:
        raise InvalidInput("The assigned officer must be one of the service's accounts.") from None


def _check_people(conn: Connection, case: Case) -> None:
    ids = [case.primary_person_id, *([case.child_person_id] if case.child_person_id else []),
           *(p.person_id for p in case.parties)]
    found = people_repo.many(conn, list(set(ids)))
    if len(found) != len(set(ids)):
        raise InvalidInput("A person named on the case is not in the store.")


def create_case(session: Session, case: Case) -> Case:
    """Open a case; a blank ``ref`` gets the next reference for its opening year."""
    require_write(session)
    with transaction(session.conn) as conn:
        ref = case.ref or cases_repo.new_ref(conn, case_ref_prefix(session), case.opened_on.year)
        case = replace(case, ref=ref, id=None)
        case.validate(today())
        _check_officer(conn, case.assigned_officer)
        _check_people(conn, case)
        saved = cases_repo.insert(conn, case)
        search_index.index_case(conn, saved)
        audit(conn, session, AuditAction.RECORD_CREATED, "case", saved.id)
    return saved


def update_case(session: Session, case: Case) -> Case:
    require_write(session)
    case.validate(today())
    with transaction(session.conn) as conn:
        assert case.id is not None
        current = cases_repo.get(conn, case.id)
        if current.version != case.version:
            raise EditConflict("Someone else changed this case while you were editing. Both "
                               "versions are shown so you can merge them.",
                               mine=case, theirs=current)
        if current.ref != case.ref:
            raise InvalidInput("A case reference cannot be changed.")
        _check_officer(conn, case.assigned_officer)
        _check_people(conn, case)
        saved = cases_repo.update(conn, case)
        search_index.index_case(conn, saved)
        audit(conn, session, AuditAction.RECORD_UPDATED, "case", saved.id)
    return saved


def close_case(session: Session, case: Case, closed_on: date,
               outcomes: frozenset[Outcome]) -> Case:
    if not outcomes:
        raise InvalidInput("Record at least one outcome before closing the case.")
    return update_case(session, replace(case, closed_on=closed_on, outcomes=outcomes))


def reopen_case(session: Session, case: Case) -> Case:
    return update_case(session, replace(case, closed_on=None))


def get_case(session: Session, ref_or_id: str | int) -> Case:
    require_read(session)
    with transaction(session.conn) as conn:
        case = (cases_repo.get(conn, ref_or_id) if isinstance(ref_or_id, int)
                else cases_repo.by_ref(conn, ref_or_id))
        audit(conn, session, AuditAction.RECORD_READ, "case", case.id)
    return case


def count_cases(session: Session, case_filter: CaseFilter) -> int:
    require_read(session)
    return cases_repo.count(session.conn, case_filter)


def list_cases(session: Session, case_filter: CaseFilter, sort: CaseSort = CaseSort.OPENED_NEWEST,
               offset: int = 0, limit: int = 200) -> list[CaseSummary]:
    """One page of the case list: names and flags only, so it is not audited per row."""
    require_read(session)
    audit_inspector_read(session, "case_list", None, {"offset": offset, "limit": limit})
    return cases_repo.summaries(session.conn, case_filter, sort, offset, max(1, min(limit, 1000)))


@dataclass(frozen=True)
class CaseFile:
    """Everything about a case that this user may see, read in one audited go."""

    case: Case
    people: dict[int, Person]
    notes: tuple[Note, ...]  # only those this user may see; the rest are simply absent
    consents: tuple[ConsentRecord, ...]
    concerns: tuple[SafeguardingConcern, ...]
    documents: tuple[DocumentInfo, ...]
    deadlines: tuple[StoredDeadline, ...]

    @property
    def safeguarding_open(self) -> bool:
        return any(c.is_open for c in self.concerns)

    def deadline_items(self) -> list[Deadline]:
        return [d.deadline for d in self.deadlines]


def open_case_file(session: Session, case_id: int) -> CaseFile:
    require_read(session)
    who = viewer(session)
    with transaction(session.conn) as conn:
        case = cases_repo.get(conn, case_id)
        all_notes = notes_repo.for_case(conn, case_id)
        visible = tuple(n for n in all_notes if can_see_note(who, n, case))
        person_ids = {p.person_id for p in case.parties}
        consents = tuple(consent_repo.for_case(conn, case_id))
        person_ids |= {c.person_id for c in consents}
        people = people_repo.many(conn, sorted(person_ids))
        concerns = tuple(safeguarding_repo.for_case(conn, case_id))
        # A document attached to a note is as confidential as the note (as in
        # services.documents): one on a note this user may not see is left out.
        all_documents = documents_repo.for_case(conn, case_id)
        attached = notes_repo.many(conn, sorted({d.note_id for d in all_documents
                                                 if d.note_id is not None}))
        documents = tuple(d for d in all_documents if d.note_id is None or (
            d.note_id in attached and can_see_note(who, attached[d.note_id], case)))
        deadlines = tuple(deadlines_repo.for_case(conn, case_id))
        audit(conn, session, AuditAction.RECORD_READ, "case", case_id,
              {"notes_shown": len(visible)})
    return CaseFile(case, people, visible, consents, concerns, documents, deadlines)
