"""Rows of ``people`` <-> ``domain.people.Person``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sendiass_desktop.domain.errors import ConflictError, NotFound
from sendiass_desktop.domain.people import Person, PersonRole, format_person_ref
from sendiass_desktop.store import counters
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.rows import date_in, date_out, now_iso

COLUMNS = (
    "id, ref, given_name, family_name, role, date_of_birth, email, phone, address, postcode, "
    "pronouns, language, access_needs, organisation, version"
)


def from_row(row: tuple[Any, ...]) -> Person:
    return Person(
        id=row[0], ref=row[1], given_name=row[2], family_name=row[3],
        role=PersonRole(row[4]), date_of_birth=date_in(row[5]), email=row[6], phone=row[7],
        address=row[8], postcode=row[9], pronouns=row[10], language=row[11],
        access_needs=row[12], organisation=row[13], version=row[14],
    )


def _values(p: Person) -> tuple[Any, ...]:
    return (p.given_name, p.family_name, p.role.value, date_out(p.date_of_birth), p.email,
            p.phone, p.address, p.postcode, p.pronouns, p.language, p.access_needs,
            p.organisation)


def insert(conn: Connection, person: Person) -> Person:
    ref = person.ref or format_person_ref(counters.next_value(conn, "person"))
    now = now_iso()
    cur = conn.execute(
        "INSERT INTO people (ref, given_name, family_name, role, date_of_birth, email, phone, "
        "address, postcode, pronouns, language, access_needs, organisation, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (ref, *_values(person), now, now),
    )
    return replace(person, id=cur.lastrowid, ref=ref, version=1)


def update(conn: Connection, person: Person) -> Person:
    cur = conn.execute(
        "UPDATE people SET given_name = ?, family_name = ?, role = ?, date_of_birth = ?, "
        "email = ?, phone = ?, address = ?, postcode = ?, pronouns = ?, language = ?, "
        "access_needs = ?, organisation = ?, updated_at = ?, version = version + 1 "
        "WHERE id = ? AND version = ?",
        (*_values(person), now_iso(), person.id, person.version),
    )
    if cur.rowcount != 1:
        raise ConflictError("Someone else changed this person's details first.")
    return replace(person, version=person.version + 1)


def get(conn: Connection, person_id: int) -> Person:
    row = conn.execute(f"SELECT {COLUMNS} FROM people WHERE id = ?",  # noqa: S608
                       (person_id,)).fetchone()
    if row is None:
        raise NotFound("That person is not in the store.")
    return from_row(row)


def by_ref(conn: Connection, ref: str) -> Person:
    row = conn.execute(f"SELECT {COLUMNS} FROM people WHERE ref = ?",  # noqa: S608
                       (ref.strip().upper(),)).fetchone()
    if row is None:
        raise NotFound(f"There is no person with reference {ref.strip()[:20]}.")
    return from_row(row)


def many(conn: Connection, ids: list[int]) -> dict[int, Person]:
    out: dict[int, Person] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {COLUMNS} FROM people WHERE id IN ({marks})",  # noqa: S608
                                chunk):
            person = from_row(row)
            assert person.id is not None
            out[person.id] = person
    return out


def case_ids_for_person(conn: Connection, person_id: int) -> list[int]:
    rows = conn.execute(
        "SELECT DISTINCT case_id FROM case_parties WHERE person_id = ? ORDER BY case_id",
        (person_id,),
    ).fetchall()
    return [r[0] for r in rows]
