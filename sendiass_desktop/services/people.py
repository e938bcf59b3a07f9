"""People: create, change and look up (audited)."""

from __future__ import annotations

from dataclasses import replace

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.errors import EditConflict
from sendiass_desktop.domain.people import Person
from sendiass_desktop.services.access import audit, require_read, require_write, today
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import people as people_repo
from sendiass_desktop.store import search_index
from sendiass_desktop.store.connection import transaction


def create_person(session: Session, person: Person) -> Person:
    require_write(session)
    person = replace(person, ref="", id=None)
    person.validate(today())
    with transaction(session.conn) as conn:
        saved = people_repo.insert(conn, person)
        search_index.index_person(conn, saved)
        audit(conn, session, AuditAction.RECORD_CREATED, "person", saved.id)
    return saved


def update_person(session: Session, person: Person) -> Person:
    require_write(session)
    person.validate(today())
    with transaction(session.conn) as conn:
        assert person.id is not None
        current = people_repo.get(conn, person.id)
        if current.version != person.version:
            raise EditConflict("Someone else changed this person's details while you were "
                               "editing. Both versions are shown so you can merge them.",
                               mine=person, theirs=current)
        saved = people_repo.update(conn, person)
        search_index.index_person(conn, saved)
        # Their name is in the search documents of the cases they are on.
        for case_id in people_repo.case_ids_for_person(conn, saved.id or 0):
            search_index.index_case(conn, cases_repo.get(conn, case_id))
        audit(conn, session, AuditAction.RECORD_UPDATED, "person", saved.id)
    return saved


def get_person(session: Session, ref: str) -> Person:
    require_read(session)
    with transaction(session.conn) as conn:
        person = people_repo.by_ref(conn, ref)
        audit(conn, session, AuditAction.RECORD_READ, "person", person.id)
    return person


def get_person_by_id(session: Session, person_id: int) -> Person:
    require_read(session)
    with transaction(session.conn) as conn:
        person = people_repo.get(conn, person_id)
        audit(conn, session, AuditAction.RECORD_READ, "person", person.id)
    return person
