"""Consent to share information, and the decision whether sharing is allowed.

Consent is kept as a history: giving and withdrawing are both records. The
latest record for a person, recipient and purpose decides, from the moment
it was recorded; expired consent counts as none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.labels import LabelledEnum


class Recipient(LabelledEnum):
    LA_SEND_TEAM = ("la_send_team", "Local Authority SEND team")
    SCHOOL = ("school", "School or setting")
    HEALTH = ("health", "Health")
    SOCIAL_CARE = ("social_care", "Social care")
    NAMED_PROFESSIONAL = ("named_professional", "Named professional")
    OTHER = ("other", "Other")


class Purpose(LabelledEnum):
    DISCUSS_CASE = ("discuss_case", "Discuss the case")
    SHARE_RECORDS = ("share_records", "Share records or an extract")
    BE_IDENTIFIED = ("be_identified", "Be named when the service raises an issue")
    ATTEND_MEETINGS = ("attend_meetings", "Attend meetings on their behalf")


class ConsentMethod(LabelledEnum):
    VERBAL = ("verbal", "Verbally (recorded by the officer)")
    WRITTEN = ("written", "In writing (signed form)")
    EMAIL = ("email", "By email")
    ONLINE = ("online", "Online form")


class ConsentState(Enum):
    GIVEN = "given"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class ConsentRecord:
    case_id: int
    person_id: int
    recipient: Recipient
    purpose: Purpose
    state: ConsentState
    recorded_at: datetime
    method: ConsentMethod
    recorded_by: str
    recipient_detail: str = ""  # e.g. the named professional, the school's name
    expires_on: date | None = None
    notes: str = ""
    id: int | None = None

    def matches(self, person_id: int, recipient: Recipient, purpose: Purpose,
                recipient_detail: str = "") -> bool:
        if (self.person_id, self.recipient, self.purpose) != (person_id, recipient, purpose):
            return False
        if self.recipient is Recipient.NAMED_PROFESSIONAL or self.recipient_detail:
            return _same(self.recipient_detail, recipient_detail)
        return True

    def validate(self) -> None:
        if self.recipient in (Recipient.NAMED_PROFESSIONAL, Recipient.OTHER) and not (
            self.recipient_detail.strip()
        ):
            raise InvalidInput("Name the professional or organisation the consent is for.")
        if self.expires_on is not None and self.expires_on < self.recorded_at.date():
            raise InvalidInput("The consent cannot expire before it was recorded.")
        if len(self.notes) > 2000 or len(self.recipient_detail) > 200:
            raise InvalidInput("The consent notes or recipient name are too long.")


def _same(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


class OverrideGrounds(LabelledEnum):
    SAFEGUARDING = ("safeguarding", "Safeguarding: a child or adult at risk")
    LEGAL_OBLIGATION = ("legal_obligation", "Legal obligation (court order, law, inspection)")


@dataclass(frozen=True)
class ShareOverride:
    """A manager's decision to share without consent, with its justification."""

    case_id: int
    person_id: int
    recipient: Recipient
    purpose: Purpose
    grounds: OverrideGrounds
    justification: str
    decided_by: str
    decided_at: datetime
    valid_until: date
    recipient_detail: str = ""
    id: int | None = None

    def covers(self, person_id: int, recipient: Recipient, purpose: Purpose,
               recipient_detail: str, on: date) -> bool:
        if (self.person_id, self.recipient, self.purpose) != (person_id, recipient, purpose):
            return False
        if self.recipient_detail and not _same(self.recipient_detail, recipient_detail):
            return False
        return self.decided_at.date() <= on <= self.valid_until


MIN_JUSTIFICATION = 20


def check_justification(text: str) -> str:
    cleaned = text.strip()
    if len(cleaned) < MIN_JUSTIFICATION:
        raise InvalidInput(
            "Write the justification in full (at least a sentence): why sharing without "
            "consent is necessary and proportionate."
        )
    if len(cleaned) > 5000:
        raise InvalidInput("The justification is too long (at most 5,000 characters).")
    return cleaned


class ShareBasis(Enum):
    CONSENT = "consent"
    OVERRIDE = "override"
    NONE = "none"


@dataclass(frozen=True)
class ShareDecision:
    allowed: bool
    basis: ShareBasis
    reason: str
    consent_id: int | None = None
    override_id: int | None = None


def current_consent(records: Iterable[ConsentRecord], person_id: int, recipient: Recipient,
                    purpose: Purpose, recipient_detail: str, at: datetime) -> (
        ConsentRecord | None):
    """The latest record in force at ``at`` for this person, recipient and purpose."""
    latest: ConsentRecord | None = None
    for record in records:
        if not record.matches(person_id, recipient, purpose, recipient_detail):
            continue
        if record.recorded_at > at:
            continue
        if latest is None or (record.recorded_at, record.id or 0) > (
            latest.recorded_at, latest.id or 0
        ):
            latest = record
    return latest


def decide_share(
    records: Iterable[ConsentRecord],
    overrides: Iterable[ShareOverride],
    person_id: int,
    recipient: Recipient,
    purpose: Purpose,
    recipient_detail: str,
    at: datetime,
) -> ShareDecision:
    """Rule 1 of the confidentiality policy: consent, or a recorded override, or no."""
    who = recipient.label if not recipient_detail else f"{recipient.label} ({recipient_detail})"
    record = current_consent(records, person_id, recipient, purpose, recipient_detail, at)
    in_force = record is not None and record.state is ConsentState.GIVEN and (
        record.expires_on is None or at.date() <= record.expires_on
    )
    if record is not None and in_force:
        return ShareDecision(
            True, ShareBasis.CONSENT,
            f"Consent to {purpose.label.lower()} with {who} was given on "
            f"{record.recorded_at:%d/%m/%Y}.",
            consent_id=record.id,
        )
    for override in overrides:
        if override.covers(person_id, recipient, purpose, recipient_detail, at.date()):
            return ShareDecision(
                True, ShareBasis.OVERRIDE,
                f"No consent, but {override.decided_by} recorded an override on "
                f"{override.decided_at:%d/%m/%Y} ({override.grounds.label}).",
                override_id=override.id,
            )
    if record is None:
        reason = f"No consent has been recorded to {purpose.label.lower()} with {who}."
    elif record.state is ConsentState.WITHDRAWN:
        reason = (f"Consent to {purpose.label.lower()} with {who} was withdrawn on "
                  f"{record.recorded_at:%d/%m/%Y}.")
    else:
        assert record.expires_on is not None
        reason = (f"Consent to {purpose.label.lower()} with {who} expired on "
                  f"{record.expires_on:%d/%m/%Y}.")
    return ShareDecision(False, ShareBasis.NONE,
                         reason + " Sharing needs consent, or a manager's safeguarding or "
                                  "legal override.")
