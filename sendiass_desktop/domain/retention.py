"""Retention schedule: how long a closed case file is kept (rule 8).

A closed case is kept until the later of:

* ``years_after_closure`` years after it was closed (default 6, matching the
  common practice for advice records and the limitation period for claims);
* the young person's ``age_limit``-th birthday (default 25, the upper age of
  the SEND system) plus ``years_after_age_limit`` years (default 0).

Open cases and cases under a legal hold are never due for disposal. The
service sets its own values; these are documented defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sendiass_desktop.domain.deadlines import add_months
from sendiass_desktop.domain.errors import InvalidInput


@dataclass(frozen=True)
class RetentionSchedule:
    years_after_closure: int = 6
    age_limit: int = 25
    years_after_age_limit: int = 0

    def validate(self) -> None:
        if not 1 <= self.years_after_closure <= 100:
            raise InvalidInput("Keep closed cases for between 1 and 100 years after closure.")
        if not 18 <= self.age_limit <= 30:
            raise InvalidInput("The age limit should be between 18 and 30.")
        if not 0 <= self.years_after_age_limit <= 100:
            raise InvalidInput("Years after the age limit must be between 0 and 100.")

    def keep_until(self, closed_on: date, young_person_dob: date | None) -> date:
        by_closure = add_months(closed_on, 12 * self.years_after_closure)
        if young_person_dob is None:
            return by_closure
        by_age = add_months(young_person_dob, 12 * (self.age_limit + self.years_after_age_limit))
        return max(by_closure, by_age)

    def describe(self) -> str:
        extra = (f" plus {self.years_after_age_limit} years" if self.years_after_age_limit
                 else "")
        return (f"Closed case files are kept for {self.years_after_closure} years after the case "
                f"closes, or until the young person's {self.age_limit}th birthday{extra} if that "
                "is later, and then securely destroyed.")


@dataclass(frozen=True)
class RetentionStatus:
    due: bool
    keep_until: date | None
    reason: str


def retention_status(schedule: RetentionSchedule, closed_on: date | None,
                     young_person_dob: date | None, legal_hold: bool, today: date
                     ) -> RetentionStatus:
    if closed_on is None:
        return RetentionStatus(False, None, "The case is open.")
    until = schedule.keep_until(closed_on, young_person_dob)
    if legal_hold:
        return RetentionStatus(False, until, "A legal hold stops disposal.")
    if today <= until:
        return RetentionStatus(False, until, f"Kept until {until:%d/%m/%Y}.")
    return RetentionStatus(True, until, f"Due for disposal review since {until:%d/%m/%Y}.")
