"""Subject access requests: the register entry, its clock and its status."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sendiass_desktop.domain.deadlines import ClockPause, SarClock, sar_clock
from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.labels import LabelledEnum
from sendiass_desktop.domain.people import PersonRole
from sendiass_desktop.domain.visibility import Audience


class Relationship(LabelledEnum):
    SELF = ("self", "The data subject themselves")
    PARENT = ("parent", "A parent or carer, for their child")
    REPRESENTATIVE = ("representative", "A representative with authority")


class SarStatus(LabelledEnum):
    RECEIVED = ("received", "Received")
    GATHERING = ("gathering", "Gathering records")
    REVIEW = ("review", "In review")
    SENT = ("sent", "Sent")
    REFUSED = ("refused", "Refused")


_NEXT: dict[SarStatus, frozenset[SarStatus]] = {
    SarStatus.RECEIVED: frozenset({SarStatus.GATHERING, SarStatus.REFUSED}),
    SarStatus.GATHERING: frozenset({SarStatus.REVIEW, SarStatus.REFUSED}),
    SarStatus.REVIEW: frozenset({SarStatus.GATHERING, SarStatus.SENT, SarStatus.REFUSED}),
    SarStatus.SENT: frozenset(),
    SarStatus.REFUSED: frozenset(),
}


class IdentityMethod(LabelledEnum):
    PHOTO_ID = ("photo_id", "Photo ID seen")
    KNOWN_TO_SERVICE = ("known", "Known to the service (voice or face)")
    DOCUMENTS = ("documents", "Documents checked (e.g. utility bill, birth certificate)")
    AUTHORITY = ("authority", "Signed authority or court order checked")
    OTHER = ("other", "Other (see notes)")


@dataclass(frozen=True)
class IdentityCheck:
    method: IdentityMethod
    verified_on: date
    verified_by: str
    notes: str = ""


@dataclass(frozen=True)
class SarRequest:
    ref: str  # SAR-2026-0007
    requester_person_id: int  # the person making the request (a person record)
    relationship: Relationship
    received_on: date
    created_by: str
    # The person whose data is sought on the requester's behalf (the child, or
    # the represented person); None for a request about the requester alone.
    for_person_id: int | None = None
    requester_name_override: str = ""  # e.g. a solicitor acting as representative
    identity: IdentityCheck | None = None
    pauses: tuple[ClockPause, ...] = ()
    extension_months: int = 0
    extension_reason: str = ""
    extension_told_on: date | None = None
    status: SarStatus = SarStatus.RECEIVED
    refusal_reason: str = ""
    sent_on: date | None = None
    notes: str = ""
    id: int | None = None
    version: int = 1

    @property
    def data_subject_ids(self) -> tuple[int, ...]:
        ids = [self.requester_person_id]
        if self.for_person_id is not None and self.for_person_id not in ids:
            ids.append(self.for_person_id)
        return tuple(ids)

    def clock(self) -> SarClock:
        return sar_clock(self.received_on, self.pauses, self.extension_months)

    def validate(self, today: date) -> None:
        if self.received_on > today:
            raise InvalidInput("A request cannot be received in the future.")
        if self.relationship is not Relationship.SELF and self.for_person_id is None:
            raise InvalidInput("Name the person on whose behalf the request is made.")
        if self.relationship is Relationship.SELF and self.for_person_id is not None:
            raise InvalidInput("A request about oneself does not name another person.")
        if self.extension_months and not self.extension_reason.strip():
            raise InvalidInput("Give the reason for extending the time limit.")
        if self.status is SarStatus.REFUSED and not self.refusal_reason.strip():
            raise InvalidInput("Give the reason for refusing the request.")
        if self.identity is not None and self.identity.verified_on < self.received_on:
            # Identity checked before the request arrived is fine only on the same case;
            # we keep it simple and require the check to follow receipt.
            raise InvalidInput("Identity must be checked on or after the day of receipt.")

    def move_to(self, status: SarStatus, reason: str = "", on: date | None = None) -> SarRequest:
        if status not in _NEXT[self.status]:
            raise InvalidInput(f"A request that is '{self.status.label}' cannot move to "
                               f"'{status.label}'.")
        if status is SarStatus.GATHERING and self.identity is None:
            raise InvalidInput("Verify the requester's identity before gathering records.")
        if status is SarStatus.REFUSED and not reason.strip():
            raise InvalidInput("Give the reason for refusing the request.")
        return replace(self, status=status, refusal_reason=reason.strip() or self.refusal_reason,
                       sent_on=on if status is SarStatus.SENT else self.sent_on)

    def extend(self, months: int, reason: str, told_on: date) -> SarRequest:
        if months not in (1, 2):
            raise InvalidInput("A request can be extended by one or two further months.")
        clock = self.clock()
        if clock.standard_due is not None and told_on > clock.standard_due:
            raise InvalidInput("An extension must be told to the requester within the first "
                               "month; that time has passed.")
        extended = replace(self, extension_months=months, extension_reason=reason.strip(),
                           extension_told_on=told_on)
        extended.clock()  # validates 1..2 months
        return extended


def audience_for(relationship: Relationship, requester_role: PersonRole,
                 for_person_role: PersonRole | None) -> Audience:
    """Whose eyes the pack is for, which decides what is withheld by default (rule 3)."""
    if relationship is Relationship.SELF:
        return (Audience.YOUNG_PERSON if requester_role is PersonRole.CHILD_YOUNG_PERSON
                else Audience.PARENT)
    if relationship is Relationship.PARENT:
        return Audience.PARENT
    if for_person_role is PersonRole.CHILD_YOUNG_PERSON:
        return Audience.YOUNG_PERSON
    return Audience.PARENT


def format_sar_ref(year: int, number: int) -> str:
    return f"SAR-{year:04d}-{number:04d}"
