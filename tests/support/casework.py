"""Small builders for casework tests: a family, a case, notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sendiass_desktop.domain.cases import Case, IssueType, ReferralSource
from sendiass_desktop.domain.notes import Confidentiality, Note, NoteType
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.services import cases, notes, people
from sendiass_desktop.services.session import Session


@dataclass(frozen=True)
class Family:
    parent: Person
    child: Person
    case: Case


def make_family(session: Session, officer: str = "bob", yp_officers: frozenset[str] = frozenset(),
                surname: str = "Jones") -> Family:
    parent = people.create_person(session, Person("", "Sarah", surname, PersonRole.PARENT_CARER,
                                                  email="sarah@example.org"))
    child = people.create_person(session, Person("", "Tom", surname, PersonRole.CHILD_YOUNG_PERSON,
                                                 date_of_birth=date(2009, 5, 17)))
    assert parent.id is not None and child.id is not None
    case = cases.create_case(session, Case(
        "", date(2026, 9, 1), ReferralSource.SELF, officer, parent.id, child.id,
        issue_types=frozenset({IssueType.EHC_NEEDS_ASSESSMENT}), young_person_officers=yp_officers,
    ))
    return Family(parent, child, case)


def add_note(session: Session, case: Case, body: str,
             confidentiality: Confidentiality = Confidentiality.NORMAL,
             safeguarding: bool = False, third_parties: tuple[str, ...] = ()) -> Note:
    assert case.id is not None
    return notes.add_note(session, Note(
        case.id, datetime(2026, 10, 1, 14, 30), NoteType.MEETING, "", body, confidentiality,
        safeguarding, third_parties,
    ))
