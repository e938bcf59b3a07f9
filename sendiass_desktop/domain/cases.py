"""Cases: who the service is supporting, about which child or young person, and why."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.labels import LabelledEnum

CASE_REF_RE = re.compile(r"^[A-Za-z]{2,6}-\d{4}-\d{4,6}$")
PREFIX_RE = re.compile(r"^[A-Za-z]{2,6}$")


class CaseStatus(Enum):
    OPEN = "open"
    CLOSED = "closed"


class IssueType(LabelledEnum):
    EHC_NEEDS_ASSESSMENT = ("ehc_needs_assessment", "EHC needs assessment")
    EHC_PLAN = ("ehc_plan", "EHC plan content")
    ANNUAL_REVIEW = ("annual_review", "Annual review")
    SEN_SUPPORT = ("sen_support", "SEN support in school")
    SCHOOL_PLACEMENT = ("school_placement", "School placement")
    EXCLUSION = ("exclusion", "Exclusion")
    TRIBUNAL_APPEAL = ("tribunal_appeal", "SEND Tribunal appeal")
    TRANSPORT = ("transport", "Home to school transport")
    DISABILITY_DISCRIMINATION = ("disability_discrimination", "Disability discrimination")
    HEALTH = ("health", "Health provision")
    SOCIAL_CARE = ("social_care", "Social care provision")
    ATTENDANCE = ("attendance", "Attendance and part-time timetables")
    POST_16 = ("post_16", "Post-16 and preparing for adulthood")
    OTHER = ("other", "Other")


class EhcStage(LabelledEnum):
    NONE = ("none", "No EHC process")
    REQUEST_MADE = ("request_made", "Request for assessment made")
    REFUSED_TO_ASSESS = ("refused_to_assess", "Refused to assess")
    ASSESSING = ("assessing", "Assessment under way")
    REFUSED_TO_ISSUE = ("refused_to_issue", "Refused to issue a plan")
    DRAFT_PLAN = ("draft_plan", "Draft plan issued")
    FINAL_PLAN = ("final_plan", "Final plan issued")
    ANNUAL_REVIEW = ("annual_review", "Annual review")
    TRIBUNAL = ("tribunal", "Appeal to the SEND Tribunal")


class ReferralSource(LabelledEnum):
    SELF = ("self", "Self-referral")
    SCHOOL = ("school", "School or setting")
    HEALTH = ("health", "Health professional")
    SOCIAL_CARE = ("social_care", "Social care")
    LOCAL_AUTHORITY = ("local_authority", "Local Authority")
    VOLUNTARY_SECTOR = ("voluntary_sector", "Voluntary sector")
    LOCAL_OFFER = ("local_offer", "Local Offer website")
    OTHER = ("other", "Other")


class Outcome(LabelledEnum):
    INFORMATION_GIVEN = ("information_given", "Information given")
    ADVICE_GIVEN = ("advice_given", "Advice given")
    SUPPORTED_AT_MEETING = ("supported_at_meeting", "Supported at a meeting")
    HELPED_WITH_PAPERWORK = ("helped_with_paperwork", "Helped with letters or forms")
    SIGNPOSTED = ("signposted", "Signposted to another service")
    MEDIATION = ("mediation", "Supported through mediation")
    TRIBUNAL_SUPPORT = ("tribunal_support", "Supported with a Tribunal appeal")
    RESOLVED = ("resolved", "Issue resolved")
    NOT_RESOLVED = ("not_resolved", "Issue not resolved")
    DISENGAGED = ("disengaged", "Family stopped engaging")


class PartyRole(LabelledEnum):
    PRIMARY = ("primary", "Primary service user")
    CHILD = ("child", "Child or young person concerned")
    OTHER_PARENT = ("other_parent", "Other parent or carer")
    PROFESSIONAL = ("professional", "Professional")
    OTHER = ("other", "Other party")


@dataclass(frozen=True)
class CaseParty:
    person_id: int
    role: PartyRole


@dataclass(frozen=True)
class Case:
    ref: str
    opened_on: date
    referral_source: ReferralSource
    assigned_officer: str
    primary_person_id: int
    child_person_id: int | None = None
    referral_date: date | None = None
    closed_on: date | None = None
    school_setting: str = ""
    local_authority: str = ""
    issue_types: frozenset[IssueType] = frozenset()
    ehc_stage: EhcStage = EhcStage.NONE
    outcomes: frozenset[Outcome] = frozenset()
    summary: str = ""
    # Officers working directly with the young person: they (with managers and
    # the author) see young-person-confidential notes. See domain/visibility.py.
    young_person_officers: frozenset[str] = frozenset()
    paper_records: str = ""  # where paper notes are kept, if any (SAR/disposal checklists)
    legal_hold: bool = False
    parties: tuple[CaseParty, ...] = field(default=())
    id: int | None = None
    version: int = 1

    @property
    def status(self) -> CaseStatus:
        return CaseStatus.CLOSED if self.closed_on is not None else CaseStatus.OPEN

    def validate(self, today: date) -> None:
        if not CASE_REF_RE.fullmatch(self.ref):
            raise InvalidInput("A case reference looks like ABC-2026-0142.")
        if self.opened_on > today:
            raise InvalidInput("A case cannot be opened in the future.")
        if self.referral_date is not None and self.referral_date > self.opened_on:
            raise InvalidInput("The referral date cannot be after the date the case was opened.")
        if self.closed_on is not None and self.closed_on < self.opened_on:
            raise InvalidInput("A case cannot be closed before it was opened.")
        if self.closed_on is not None and self.closed_on > today:
            raise InvalidInput("A case cannot be closed in the future.")
        if len(self.school_setting) > 200 or len(self.local_authority) > 200:
            raise InvalidInput("The school or Local Authority name is too long (at most 200).")
        if len(self.summary) > 5000:
            raise InvalidInput("The case summary is too long (at most 5,000 characters).")
        if len(self.paper_records) > 1000:
            raise InvalidInput("The paper records note is too long (at most 1,000 characters).")
        if not self.assigned_officer:
            raise InvalidInput("A case needs an assigned officer.")


def format_case_ref(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year:04d}-{number:04d}"


def check_prefix(prefix: str) -> str:
    if not PREFIX_RE.fullmatch(prefix):
        raise InvalidInput("A case reference prefix is 2 to 6 letters, for example BwD.")
    return prefix


class CaseSort(Enum):
    OPENED_NEWEST = "opened_desc"
    OPENED_OLDEST = "opened_asc"
    REFERENCE = "ref"
    SERVICE_USER = "name"
    OFFICER = "officer"


@dataclass(frozen=True)
class CaseFilter:
    """Filters shared by the case list and search."""

    officer: str | None = None
    status: CaseStatus | None = None
    issue_type: IssueType | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    safeguarding_open: bool | None = None
    ehc_stage: EhcStage | None = None


@dataclass(frozen=True)
class CaseSummary:
    """One row of the case list: enough to show, nothing confidential."""

    id: int
    ref: str
    primary_name: str
    child_name: str
    assigned_officer: str
    opened_on: date
    closed_on: date | None
    ehc_stage: EhcStage
    safeguarding_open: bool
    issue_types: tuple[IssueType, ...] = ()

    @property
    def status(self) -> CaseStatus:
        return CaseStatus.CLOSED if self.closed_on is not None else CaseStatus.OPEN
