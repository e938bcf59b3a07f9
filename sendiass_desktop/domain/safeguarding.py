"""Safeguarding concerns: what was seen, who decided, what was done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.labels import LabelledEnum


class SafeguardingAction(LabelledEnum):
    CHILDRENS_SOCIAL_CARE = ("childrens_social_care", "Referral to children's social care")
    MASH = ("mash", "Referral to the MASH")
    POLICE = ("police", "Reported to the police")
    DSL = ("dsl", "Passed to the Designated Safeguarding Lead")
    LADO = ("lado", "Referral to the LADO")
    ADULT_SOCIAL_CARE = ("adult_social_care", "Referral to adult social care")
    ADVICE_SOUGHT = ("advice_sought", "Advice sought, no referral")
    NO_FURTHER_ACTION = ("no_further_action", "No further action")


class ConcernStatus(LabelledEnum):
    OPEN = ("open", "Open")
    CLOSED = ("closed", "Closed")


@dataclass(frozen=True)
class SafeguardingConcern:
    case_id: int
    raised_on: date
    description: str
    decided_by: str
    action: SafeguardingAction
    status: ConcernStatus = ConcernStatus.OPEN
    outcome: str = ""
    linked_note_ids: tuple[int, ...] = ()
    raised_by: str = ""
    id: int | None = None
    version: int = 1

    @property
    def is_open(self) -> bool:
        return self.status is ConcernStatus.OPEN

    def validate(self, today: date) -> None:
        if not self.description.strip():
            raise InvalidInput("Describe the safeguarding concern.")
        if len(self.description) > 20_000 or len(self.outcome) > 20_000:
            raise InvalidInput("The description or outcome is too long (at most 20,000).")
        if self.raised_on > today:
            raise InvalidInput("A concern cannot be raised in the future.")
        if not self.decided_by.strip():
            raise InvalidInput("Record who decided the action.")
        if self.status is ConcernStatus.CLOSED and not self.outcome.strip():
            raise InvalidInput("Record the outcome before closing the concern.")
