"""People the service works with or records: families, young people, professionals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.labels import LabelledEnum

PERSON_REF_RE = re.compile(r"^P-\d{6}$")
MAX_NAME = 100
MAX_FIELD = 500


class PersonRole(LabelledEnum):
    PARENT_CARER = ("parent_carer", "Parent or carer")
    CHILD_YOUNG_PERSON = ("child_young_person", "Child or young person")
    PROFESSIONAL = ("professional", "Professional")
    OTHER = ("other", "Other")


@dataclass(frozen=True)
class Person:
    ref: str
    given_name: str
    family_name: str
    role: PersonRole
    date_of_birth: date | None = None
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    pronouns: str = ""
    language: str = ""
    access_needs: str = ""
    organisation: str = ""  # for professionals: school, NHS trust, LA team
    id: int | None = None
    version: int = 1

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def validate(self, today: date) -> None:
        if not self.given_name.strip() and not self.family_name.strip():
            raise InvalidInput("A person needs at least a first name or a family name.")
        for label, value, limit in (
            ("first name", self.given_name, MAX_NAME),
            ("family name", self.family_name, MAX_NAME),
            ("email", self.email, MAX_NAME * 2),
            ("phone", self.phone, 40),
            ("address", self.address, MAX_FIELD),
            ("postcode", self.postcode, 10),
            ("pronouns", self.pronouns, 40),
            ("language", self.language, MAX_NAME),
            ("access needs", self.access_needs, MAX_FIELD),
            ("organisation", self.organisation, MAX_FIELD),
        ):
            if len(value) > limit:
                raise InvalidInput(f"The {label} is too long (at most {limit} characters).")
        if self.email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", self.email):
            raise InvalidInput("The email address does not look right (for example "
                               "name@example.org).")
        if self.date_of_birth is not None:
            if self.date_of_birth > today:
                raise InvalidInput("The date of birth cannot be in the future.")
            if self.date_of_birth.year < today.year - 120:
                raise InvalidInput("The date of birth is more than 120 years ago.")


def format_person_ref(number: int) -> str:
    return f"P-{number:06d}"
