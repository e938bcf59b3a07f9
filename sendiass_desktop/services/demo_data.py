"""Synthetic SENDIASS casework for the demo store, screenshots and benchmarks.

``generate(session, cases=N, seed=S)`` adds N believable, obviously fictional
cases: families with their children or young people, professionals, case
notes written as an officer would write them, consent records, safeguarding
concerns, statutory deadlines and a few small documents.

* Fictional throughout: the Local Authority (Westmere Borough Council), its
  towns, schools and ``WM`` postcodes are made up; phone numbers come from
  Ofcom's ranges reserved for drama (07700 900xxx, 01632 960xxx, ...); email
  addresses use only example.org and example.com.
* Deterministic: the same seed, the same ``today`` and the same accounts give
  the same data. ``today`` is the single anchor for every date (cases are
  opened over the four years before it); nothing else reads the clock.
* Fast: records are written through ``store/bulk_demo.py`` in transactions of
  ``BATCH_CASES`` cases, search index included, with one audit entry per call
  (written with the first batch, so no generated record is ever unaudited).
* Safe: only an administrator may run it, and never on a real store that
  already holds cases.
"""

from __future__ import annotations

import functools
import hashlib
import io
import random
import struct
import zlib
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import Enum
from itertools import accumulate
from typing import Generic, TypeVar

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import (
    Case,
    CaseParty,
    EhcStage,
    IssueType,
    Outcome,
    PartyRole,
    ReferralSource,
    format_case_ref,
)
from sendiass_desktop.domain.consent import ConsentMethod, ConsentRecord, ConsentState, Purpose
from sendiass_desktop.domain.consent import Recipient as To
from sendiass_desktop.domain.deadlines import (
    Deadline,
    DeadlineKind,
    age_on,
    annual_review_decision_due,
    annual_review_due,
    ehc_timeline,
    tribunal_appeal_deadline,
)
from sendiass_desktop.domain.documents import DocumentInfo, check_document
from sendiass_desktop.domain.errors import InvalidInput, PermissionDenied
from sendiass_desktop.domain.notes import Confidentiality, Note, NoteType
from sendiass_desktop.domain.people import Person, PersonRole, format_person_ref
from sendiass_desktop.domain.roles import Permission, Role
from sendiass_desktop.domain.safeguarding import (
    ConcernStatus,
    SafeguardingAction,
    SafeguardingConcern,
)
from sendiass_desktop.domain.users import UserStatus
from sendiass_desktop.services.access import audit, require_write
from sendiass_desktop.services.cases import case_ref_prefix
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import bulk_demo, counters, meta
from sendiass_desktop.store import documents as documents_repo
from sendiass_desktop.store import users as users_repo
from sendiass_desktop.store.cancel import StopCheck, raise_if_stopped
from sendiass_desktop.store.connection import Connection, transaction
from sendiass_desktop.store.deadlines import StoredDeadline

DEFAULT_SEED = 2026
MAX_CASES = 200_000
BATCH_CASES = 500
HISTORY_DAYS = 4 * 365
MAX_DOCUMENTS = 150  # per call: a few realistic attachments, not a disk filler
MY_WORK_UPCOMING = 4  # each officer gets at least this many items due in the next 14 days
MY_WORK_OVERDUE = 2  # ... and at least this many overdue
HORIZON_DAYS = 14
DEMO_MARKER = "DEMO"  # a store whose service name contains this is a demo store

LOCAL_AUTHORITY = "Westmere Borough Council"

T = TypeVar("T")


# ======================================================================================
# The summary


@dataclass(frozen=True)
class DemoSummary:
    """How many records one ``generate`` call added."""

    people: int
    cases: int
    notes: int
    consents: int
    concerns: int
    documents: int
    deadlines: int

    def describe(self) -> str:
        return (
            f"Added {self.cases:,} synthetic cases: {self.people:,} people, {self.notes:,} "
            f"notes, {self.consents:,} consent records, {self.concerns:,} safeguarding "
            f"concerns, {self.documents:,} documents and {self.deadlines:,} deadlines."
        )


# ======================================================================================
# School phases (public so tests and benchmarks can check ages against settings)


class Phase(Enum):
    EARLY_YEARS = "early_years"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    POST_16 = "post_16"
    POST_19 = "post_19"


# Ages (in whole years, on the day the case opened) each phase spans.
AGE_BANDS: dict[Phase, tuple[int, int]] = {
    Phase.EARLY_YEARS: (2, 4),
    Phase.PRIMARY: (4, 11),
    Phase.SECONDARY: (11, 16),
    Phase.POST_16: (16, 19),
    Phase.POST_19: (19, 25),
}

# School years generated for each phase (Reception = 0, nursery below 0).
_PHASE_YEARS: dict[Phase, tuple[int, int]] = {
    Phase.EARLY_YEARS: (-2, -1),
    Phase.PRIMARY: (0, 6),
    Phase.SECONDARY: (7, 11),
    Phase.POST_16: (12, 14),
    Phase.POST_19: (15, 20),
}


def school_year(date_of_birth: date, on: date) -> int:
    """English school year on ``on``: Reception is 0, Year 1 is 1, nursery below 0.

    Children born from 1 September to 31 August form one year group, which
    starts Reception in the September after they turn four.
    """
    academic = on.year if on.month >= 9 else on.year - 1
    cohort = date_of_birth.year if date_of_birth.month >= 9 else date_of_birth.year - 1
    return academic - cohort - 5


def phase_for_year(year: int) -> Phase:
    if year < 0:
        return Phase.EARLY_YEARS
    if year <= 6:
        return Phase.PRIMARY
    if year <= 11:
        return Phase.SECONDARY
    if year <= 14:
        return Phase.POST_16
    return Phase.POST_19


_EARLY_YEARS_SETTINGS = (
    "Little Acorns Day Nursery", "Rainbow Pre-School", "Sunflower Childcare",
    "Oakbridge Nursery School", "Tiny Steps Pre-School", "Hartley Vale Children's Centre Nursery",
    "Ladybird Lane Playgroup", "Westmere Park Nursery Class",
)
_PRIMARY_SCHOOLS = (
    "Oakfield Primary School", "St Aidan's CE Primary", "Riverside Infant School",
    "Brookhampton Junior School", "Milford Green Primary Academy", "Holy Family RC Primary School",
    "Westmere Park Primary", "Kingsmead Community Primary", "Larchfield Church of England Primary",
    "Ashcombe Village School", "Fenwick Cross Primary", "Hartley Vale Primary School",
    "St Oswin's CE Primary", "Meadowbank Primary Academy",
)
_SECONDARY_SCHOOLS = (
    "Riverside Academy", "Westmere High School", "Oakbridge School", "Kingsmead Academy",
    "St Bede's Catholic High School", "Hartley Vale School", "Northgate Academy",
    "Milford Green High School", "The Larchfield School",
)
_SPECIAL_SCHOOLS = ("Fernbank Special School", "Willow Tree School", "Brook Lodge School")
_ALTERNATIVE_PROVISION = ("The Bridge Pupil Referral Unit", "Horizons Alternative Provision")
_POST_16_SETTINGS = (
    "Westmere College", "Oakbridge Sixth Form College", "Riverside Academy Sixth Form",
    "Westmere High School Sixth Form", "Kingsmead Training (apprenticeships)",
)
_POST_19_SETTINGS = (
    "Westmere College (Foundation Learning)", "Supported internship, Westmere General Hospital",
    "Northfold Specialist College", "Oakbridge Hub day opportunities", "Westmere College",
)
# Children of school age who are not in a school, and how a note describes it.
_NOT_IN_SCHOOL = {
    "Electively home educated": "is electively home educated",
    "Not in school (awaiting a place)": "is out of school while waiting for a place",
    "Education otherwise than in school": "has education otherwise than in school",
}

SETTINGS_BY_PHASE: dict[Phase, tuple[str, ...]] = {
    Phase.EARLY_YEARS: _EARLY_YEARS_SETTINGS,
    Phase.PRIMARY: _PRIMARY_SCHOOLS + _SPECIAL_SCHOOLS + tuple(_NOT_IN_SCHOOL),
    Phase.SECONDARY: (_SECONDARY_SCHOOLS + _SPECIAL_SCHOOLS + _ALTERNATIVE_PROVISION
                      + tuple(_NOT_IN_SCHOOL)),
    Phase.POST_16: _POST_16_SETTINGS + _SPECIAL_SCHOOLS[:1],
    Phase.POST_19: _POST_19_SETTINGS,
}

# Neighbouring (equally fictional) authorities for families living across the border.
_LOCAL_AUTHORITIES = (
    (LOCAL_AUTHORITY, "WM", 88),
    ("Northfold County Council", "NF", 8),
    ("Brackenmoor Metropolitan Borough Council", "BK", 4),
)
_TOWNS = {
    "WM": ("Westmere", "Westmere", "Westmere", "Oakbridge", "Oakbridge", "Ashcombe",
           "Milford Green", "Hartley Vale", "Brookhampton", "Kingsmead", "Fenwick Cross",
           "Larchfield"),
    "NF": ("Northfold", "Northfold", "Elsworth", "Caldbeck Moor"),
    "BK": ("Brackenmoor", "Brackenmoor", "Tanfield"),
}
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters used in inward codes
_STREET_STEMS = (
    "Oak", "Elm", "Beech", "Chestnut", "Willow", "Station", "Church", "Mill", "Park", "Victoria",
    "Albert", "Queens", "Kings", "Manor", "Meadow", "Orchard", "Rowan", "Hawthorn", "Holly",
    "Cedar", "Spring", "Brook", "Valley", "Bridge", "Market", "School", "Chapel", "Forge",
    "Garden", "Highfield", "Newlands", "Clifton", "Richmond", "Windsor", "Stanley", "Cromwell",
    "Lancaster", "Nelson", "Gladstone", "Wellington", "Thornton", "Ashfield", "Moorland",
)
_STREET_SUFFIXES = (
    "Road", "Road", "Street", "Street", "Lane", "Close", "Avenue", "Drive", "Crescent", "Grove",
    "Way", "Gardens", "Terrace", "Court", "Place", "Walk", "Mews", "Rise", "View",
)

# Phone numbers from Ofcom's ranges kept for drama and fiction.
_LANDLINES = ("01632 960{:03d}", "0113 496 0{:03d}", "0161 496 0{:03d}", "020 7946 0{:03d}",
              "0121 496 0{:03d}")


# ======================================================================================
# Names (first names by generation; family names partly from Faker's en_GB provider)


@dataclass(frozen=True)
class _NameGroup:
    weight: int
    mothers: tuple[str, ...]
    fathers: tuple[str, ...]
    girls: tuple[str, ...]
    boys: tuple[str, ...]
    surnames: tuple[str, ...]  # empty: Faker's en_GB family names
    languages: tuple[str, ...] = ()  # home languages other than English


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_NAME_GROUPS = (
    _NameGroup(
        70,
        _t("Sarah Emma Laura Rebecca Gemma Claire Lisa Kelly Nicola Hannah Amy Rachel Jessica "
           "Natalie Stacey Charlotte Lauren Kirsty Jodie Danielle Victoria Louise Joanne Helen "
           "Michelle Leanne Zoe Katie Sophie Jade Chloe Amanda Samantha Kerry Hayley Donna Emily "
           "Holly Abigail Jennifer Lucy Aimee Carly Siobhan Bethany Natasha Becky Kayleigh"),
        _t("James David Daniel Michael Christopher Mark Paul Andrew Matthew Richard Lee Craig "
           "Stuart Gareth Jamie Ryan Adam Thomas Ben Steven Kevin Darren Wayne Carl Simon Jason "
           "Liam Sean Neil Martin Robert Gavin Scott Dean Luke Ashley Nathan Philip"),
        _t("Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Poppy Evie Ella "
           "Florence Willow Daisy Phoebe Ruby Millie Maisie Erin Megan Chloe Holly Lexi Ellie "
           "Imogen Harper Scarlett Esme Matilda Niamh Caitlin Leah Summer Isabelle Molly Jessica"),
        _t("Oliver Jack Harry George Noah Charlie Jacob Alfie Freddie Oscar Leo Archie Theo Arthur "
           "Logan Ethan Mason Riley Tyler Kai Harrison Joshua Max Dylan Finley Reuben Lewis Callum "
           "Connor Kieran Jayden Alex Ellis Louie Tommy Teddy Ollie Jenson Toby Sam"),
        (),
    ),
    _NameGroup(
        8,
        _t("Aisha Fatima Nadia Zainab Ayesha Shabana Sadia Amina Maryam Yasmin Sana Rukhsana "
           "Nusrat Samina Farah"),
        _t("Mohammed Imran Tariq Asif Omar Hamza Adil Zahid Faisal Kamran Usman Bilal"),
        _t("Maryam Aisha Amira Hafsa Inaya Anaya Zara Aaliyah Fatima Safa Eman Noor"),
        _t("Muhammad Yusuf Ibrahim Zayn Ayaan Rayan Musa Idris Hamza Ismail Zakariya Adam"),
        _t("Khan Ahmed Hussain Ali Iqbal Rahman Mahmood Akhtar Bibi Malik Shah Chaudhry"),
        ("Urdu", "Bengali", "Punjabi", "Arabic"),
    ),
    _NameGroup(
        4,
        _t("Priya Harpreet Gurpreet Simran Anjali Neha Pooja Kiran Sunita Manpreet"),
        _t("Rajesh Sanjay Amit Gurdeep Vikram Sunil Jaspal Manoj Hardeep Ravi"),
        _t("Anaya Diya Isha Riya Saanvi Jasleen Amrit Navya Kavya Simran"),
        _t("Arjun Aarav Vihaan Rohan Jai Dev Harjot Kabir Sahil Krish"),
        _t("Patel Singh Kaur Sharma Gill Sandhu Mistry Chauhan Bains Parmar"),
        ("Punjabi", "Gujarati", "Hindi"),
    ),
    _NameGroup(
        3,
        _t("Agnieszka Katarzyna Magdalena Anna Joanna Monika Ewa Karolina"),
        _t("Piotr Tomasz Marek Pawel Krzysztof Lukasz Michal Grzegorz"),
        _t("Zuzanna Maja Hanna Julia Lena Zofia Amelia Natalia"),
        _t("Jakub Filip Kacper Szymon Antoni Adrian Mikolaj Oskar"),
        _t("Nowak Kaminski Lewandowski Zielinski Mazur Wojcik Kaczmarek Krawczyk"),
        ("Polish",),
    ),
    _NameGroup(
        2,
        _t("Ioana Andreea Elena Maria Alina Cristina Roxana"),
        _t("Andrei Mihai Ionut Alexandru Florin Gabriel Cosmin"),
        _t("Sofia Ana Daria Bianca Ilinca Maria"),
        _t("David Luca Matei Stefan Rares Tudor"),
        _t("Popescu Ionescu Dumitru Stan Gheorghe Munteanu Rusu"),
        ("Romanian",),
    ),
    _NameGroup(
        5,
        _t("Oluwaseun Chidinma Ngozi Abimbola Grace Blessing Funmilayo Adaeze Esther Comfort"),
        _t("Chinedu Emeka Oluwafemi Kwame Tunde Segun Kofi Samuel Babatunde Obinna"),
        _t("Amara Adaeze Eniola Zara Favour Tiana Chioma Deborah Precious Ife"),
        _t("Tobi Daniel David Joshua Tayo Chidi Kayode Emmanuel Michael Jayden"),
        _t("Okafor Adeyemi Okoro Mensah Osei Adebayo Nwosu Eze Owusu Boateng"),
        ("Yoruba", "Igbo", "Twi"),
    ),
    _NameGroup(
        2,
        _t("Hodan Farhiya Amina Sahra Fadumo Ifrah Ayaan"),
        _t("Abdi Mustafa Ali Ahmed Hassan Abdirahman Mohamed"),
        _t("Sumaya Hibo Ikran Hamdi Najma Ayan"),
        _t("Abdullahi Mahad Yusuf Ayub Liban Khalid"),
        _t("Mohamed Abdi Warsame Farah Hassan Osman Jama"),
        ("Somali",),
    ),
    _NameGroup(
        2,
        _t("Siobhan Niamh Aoife Ciara Roisin Orla Sinead"),
        _t("Sean Declan Conor Padraig Ciaran Eoin Niall"),
        _t("Aoife Saoirse Niamh Cara Erin Orla"),
        _t("Cian Finn Oisin Darragh Ronan Tadhg"),
        _t("Murphy O'Brien O'Connor Kelly Byrne Doyle Walsh McCarthy Gallagher"),
    ),
    _NameGroup(
        1,
        _t("Mei Ying Li Hui Xin"),
        _t("Wei Jun Hao Ming Jian"),
        _t("Emily Chloe Lucy Mia Sophie"),
        _t("Ethan Ryan Lucas Ian Kevin"),
        _t("Chen Wong Li Zhang Liu Lam"),
        ("Cantonese", "Mandarin"),
    ),
)

_NEEDS = (
    ("autism", 24), ("ADHD", 10), ("speech, language and communication needs", 12),
    ("social, emotional and mental health needs", 10), ("anxiety", 8), ("dyslexia", 6),
    ("moderate learning difficulties", 7), ("global developmental delay", 5),
    ("sensory processing difficulties", 4), ("a hearing impairment", 2),
    ("a visual impairment", 1), ("cerebral palsy", 2), ("Down's syndrome", 2), ("epilepsy", 2),
    ("dyspraxia", 2), ("a genetic condition", 2),
)

_ACCESS_NEEDS = (
    "Prefers email to phone calls", "Dyslexic: prefers phone calls to long letters",
    "Hearing impaired: use text messages or email", "Needs letters in large print",
    "Works shifts: call after 3pm", "Has a learning disability: easy-read information helps",
    "Anxious on the phone: book calls in advance",
)

# (how someone is connected to the family, "f"/"m" if the word says which, else "")
_THIRD_PARTY_ROLES = (
    ("class teacher", ""), ("teaching assistant", ""), ("family friend", ""), ("neighbour", ""),
    ("{pt_possessive} partner", ""), ("uncle", "m"), ("aunt", "f"), ("older cousin", ""),
    ("lodger", ""), ("youth worker", ""), ("football coach", ""), ("childminder", "f"),
    ("school nurse", ""), ("head of year", ""), ("grandfather", "m"), ("stepmother", "f"),
)


# ======================================================================================
# Note text: sentences an officer would write, put together per note


# Openers by note type ({pt}: how this case's notes refer to the service user).
_OPENERS: dict[NoteType, tuple[str, ...]] = {
    NoteType.CALL: (
        "Call with {pt}.", "{Pt} rang the helpline.", "Returned {pt_possessive} call.",
        "Phone call with {pt}, about {mins} minutes.",
        "Call from {pt}, who had just come out of a meeting at school.",
        "Rang {pt} as agreed.", "Spoke to {pt} on the phone.",
    ),
    NoteType.EMAIL: (
        "Email from {pt}.", "Replied to {pt_possessive} email.", "Emailed {pt}.",
        "{Pt} emailed with an update.", "Long email from {pt} overnight; replied this morning.",
    ),
    NoteType.MEETING: (
        "Meeting with {pt} at the {venue}.",
        "Went with {pt} to a meeting at {school} with {senco}.",
        "Supported {pt} at a meeting with {la_short} on Teams.",
        "Met {pt} at {school} for a planning meeting.",
    ),
    NoteType.TEXT: (
        "Text from {pt}.", "Texted {pt} to confirm {date_next}.",
        "{Pt} sent a text asking for a call back.",
    ),
    NoteType.LETTER: (
        "Letter from {la_short}, forwarded by {pt}.", "Drafted a letter with {pt}.",
        "Posted our information pack and a covering letter to {pt}.",
    ),
    NoteType.VISIT: (
        "Home visit to {pt} and {child}.", "Visited {pt} at home in {town}.",
        "Observed {child} at {school}, with {pt_possessive} agreement.",
    ),
    NoteType.OTHER: (
        "Online enquiry form from {pt}.", "Drop-in session at the family hub: spoke with {pt}.",
        "Message from {pt} through the website.",
    ),
}

# Topic sentences per issue, as stages in the order a case usually moves through them.
_EHC_STAGES: dict[str, tuple[str, ...]] = {
    "explain": (
        "Explained what an EHC needs assessment is and who can ask for one. {Pt} can request it "
        "directly; it does not have to come from school.",
        "Went through the legal test for an assessment: whether {child} has or may have SEN and "
        "may need provision made through an EHC plan. {Pt} felt this described {child} well.",
        "{Pt} was told by school that {child} is 'not far enough behind' for an assessment. "
        "Explained that the test is about needs, not attainment, and that {pt} can ask the LA "
        "directly.",
        "Talked about the evidence that helps: SEN support plans and reviews, reports from "
        "speech and language therapy and the paediatrician, and examples from home.",
    ),
    "request": (
        "Helped {pt} put together the request for an EHC needs assessment. It went to "
        "{la_short} by email today; {pt} will keep the acknowledgement.",
        "Sent {pt} our template request letter and the guide to describing {child}'s needs at "
        "home and at school.",
        "Checked the draft request with {pt}. Suggested adding how {child}'s {need} affects "
        "friendships and getting through the school day, not just learning.",
        "{Pt} has sent the request. Explained that {la_short} must decide whether to assess "
        "within six weeks of receiving it.",
    ),
    "agreed": (
        "{La_short} has agreed to assess. Explained what happens next: advice from school, an "
        "educational psychologist, health and social care, and that a decision about a plan is "
        "due by week 16.",
        "Helped {pt} write the parent and child views for the assessment: what {child} is good "
        "at, what helps, what is hard and what the family hopes for.",
        "{Pt} asked whether {child} can give {their} own views. Talked about ways to do this: "
        "drawings, a one-page profile or a short recording.",
        "The EP is due to see {child} at {school} next week. Explained what the EP will look at "
        "and that {pt} should get a copy of the report.",
    ),
    "refused_assess": (
        "{La_short} has refused to assess. Explained the right to appeal to the SEND Tribunal "
        "and the two-month deadline from the date of the decision letter, and that mediation "
        "advice must be considered first.",
        "Went through the refusal letter with {pt}. The reasons do not engage with the evidence "
        "from {school}; talked about asking for a meeting with the caseworker as well as "
        "appealing.",
        "{Pt} has decided to appeal the refusal to assess. Explained that the mediation "
        "certificate is needed before the appeal can be registered.",
    ),
    "draft": (
        "Draft EHC plan received. Explained the 15 days to comment and to name a preferred "
        "school, and offered to go through it section by section.",
        "Went through the draft plan with {pt}. Section F is vague in places ('access to "
        "support', 'regular speech and language input'); helped word a request that it is "
        "specific and quantified.",
        "Helped {pt} write comments on the draft plan: section B misses {child}'s sensory needs "
        "and section F has no speech and language therapy hours.",
        "{Pt} wants {school2} named in section I. Explained the duty to name a parent's "
        "preference unless it is unsuitable, or incompatible with the efficient education of "
        "others or the efficient use of resources.",
    ),
    "refused_issue": (
        "{La_short} has decided not to issue a plan after the assessment. Explained the right to "
        "appeal and asked {pt} to send the decision letter and the advice reports.",
        "Went through the assessment advice with {pt}: the EP report recommends more than "
        "school can provide from its own resources, which will help an appeal.",
    ),
    "final": (
        "Final EHC plan issued. Talked about what happens if {pt} is unhappy with sections B, F "
        "or I: mediation, then an appeal within two months.",
        "{Pt} is pleased with the final plan. Explained annual reviews and that {pt} can ask for "
        "an early review if things change.",
        "The final plan names {school2}. Explained how to raise it with {la_short} if the "
        "provision in section F is not delivered.",
    ),
}

_EHC_PATHS: dict[EhcStage, tuple[str, ...]] = {
    EhcStage.NONE: ("explain", "request"),
    EhcStage.REQUEST_MADE: ("explain", "request"),
    EhcStage.ASSESSING: ("explain", "request", "agreed"),
    EhcStage.REFUSED_TO_ASSESS: ("explain", "request", "refused_assess"),
    EhcStage.REFUSED_TO_ISSUE: ("explain", "request", "agreed", "refused_issue"),
    EhcStage.DRAFT_PLAN: ("explain", "request", "agreed", "draft"),
    EhcStage.FINAL_PLAN: ("explain", "request", "agreed", "draft", "final"),
    EhcStage.ANNUAL_REVIEW: ("explain", "request", "agreed", "draft", "final"),
    EhcStage.TRIBUNAL: ("explain", "request", "refused_assess"),
}

_STAGED_TOPICS: dict[IssueType, tuple[tuple[str, ...], ...]] = {
    IssueType.TRIBUNAL_APPEAL: (
        (
            "{Pt} wants to appeal. Explained the deadline: two months from the decision letter, "
            "or one month from the mediation certificate if that is later.",
            "Called the mediation adviser with {pt}'s agreement; {pt} has decided not to "
            "mediate, so the certificate should arrive within three working days.",
            "Talked through mediation as an option. {Pt} is willing to try it if the LA will "
            "discuss section F properly.",
        ),
        (
            "Helped {pt} fill in the SEND35 appeal form and the reasons for appeal. Checked the "
            "decision letter and the mediation certificate are attached.",
            "Appeal registered with the SEND Tribunal. Explained the timetable: the LA's "
            "response, then evidence, then the hearing.",
            "Went through the appeal deadline with {pt}: the last day to register is "
            "{deadline_date}. {Pt} will send the form at least a week before.",
        ),
        (
            "Worked on the evidence for the appeal: the EP report, school's data and a short "
            "parental statement about {child}'s day.",
            "The LA has sent its response to the appeal. Went through it with {pt}; it now "
            "accepts some of the needs in section B but not the provision.",
            "Helped {pt} with the working document for sections B and F, adding the therapy "
            "from the independent report.",
            "Talked about witnesses: {pt} would like {senco} to attend. Suggested asking early "
            "because school may need to arrange cover.",
        ),
        (
            "Prepared for the hearing with {pt}: who will be there, how long it lasts and what "
            "the panel is likely to ask.",
            "Attended the Tribunal hearing by video with {pt}. The panel will send its decision "
            "in writing, usually within ten working days.",
            "The LA conceded the appeal a week before the hearing and will issue the amended "
            "plan. Explained the time limits for the LA to act on a concession.",
            "Tribunal decision received: the appeal was allowed in part. Went through what the "
            "LA must now do and by when.",
        ),
    ),
    IssueType.EXCLUSION: (
        (
            "{child} was suspended for {n} days after an incident at lunchtime. Explained that "
            "the school must set work and that {pt} can make representations to the governors.",
            "School have been sending {child} home early most days. Explained that informal "
            "exclusions are unlawful and suggested {pt} asks for any exclusion to be recorded "
            "properly.",
            "{child} has had {n} suspensions this term. Talked about whether {their} needs are "
            "being met and whether to request an EHC needs assessment.",
        ),
        (
            "Permanent exclusion letter received. Explained the governors' meeting, which must "
            "be held within 15 school days, and that {pt} can ask for an SEN expert at any "
            "independent review.",
            "Helped {pt} write representations to the governors: the support plan had not been "
            "reviewed since the autumn and the agreed adjustments had lapsed.",
            "Went through the behaviour policy with {pt}, looking for where adjustments for "
            "{child}'s {need} should have been made.",
        ),
        (
            "The governors upheld the exclusion. Explained the independent review panel and the "
            "separate disability discrimination claim to the Tribunal.",
            "Reintegration meeting at {school}: agreed a reduced timetable for two weeks, a key "
            "adult and a time-out card. {Pt} is cautiously positive.",
            "{child} has been offered a place at {ap}. Talked about making sure it is short-term "
            "with a clear plan to return.",
        ),
    ),
}

_TOPICS: dict[IssueType, tuple[str, ...]] = {
    IssueType.SEN_SUPPORT: (
        "{Pt} is worried that {child} is not making progress in {year}. Explained the graduated "
        "approach (assess, plan, do, review) and suggested asking {senco} for a meeting to look "
        "at the support plan.",
        "School say {child} is on SEN support but {pt} has not seen a plan. Advised asking for a "
        "copy and for termly review meetings with the outcomes written down.",
        "Talked about reasonable adjustments for {child}'s {need}: movement breaks, a quiet space "
        "at lunchtime and instructions given one step at a time.",
        "Went through what {pt} could ask at the review: what has changed since last term, which "
        "interventions worked and what will be different now.",
        "{Pt} asked about the school's SEN budget. Explained that schools fund the first £6,000 "
        "of additional support, and that this should not stop them putting in what {child} "
        "needs.",
        "Helped {pt} prepare a one-page summary of {child}'s needs to take to the meeting with "
        "{senco}.",
    ),
    IssueType.EHC_PLAN: (
        "Went through {child}'s plan with {pt}. Section F still says 'regular access to a "
        "teaching assistant'; talked about asking for the support to be specified.",
        "{Pt} says the speech and language therapy in section F is not being delivered. "
        "Explained that the LA must secure it and suggested a letter to the caseworker.",
        "The plan has not been updated since {child} moved school. Explained how to ask for an "
        "early review.",
        "Helped {pt} list what is out of date in section B: the plan still describes {child} as "
        "they were two years ago.",
    ),
    IssueType.ANNUAL_REVIEW: (
        "The annual review meeting is booked for {date_meeting}. Went through the plan section by "
        "section so {pt} can say what is out of date.",
        "Helped {pt} with the parent's views for the annual review; the outcomes need updating "
        "now {child} is in {year}.",
        "Review meeting held at {school}. School will recommend changes to sections B and F. "
        "Explained the LA must tell {pt} its decision within four weeks.",
        "Four weeks since the review and no decision from {la_short}. Suggested {pt} chases in "
        "writing and keeps copies.",
        "Amended draft plan received after the review. Explained {pt} has at least 15 days to "
        "comment and can ask for a meeting.",
    ),
    IssueType.SCHOOL_PLACEMENT: (
        "Talked about naming a school in section I. {Pt} prefers {school2}; explained how the LA "
        "must consult the school and the grounds on which it can refuse.",
        "Visited {school2} with {pt}. {Pt} felt the smaller classes would suit {child}.",
        "{school2} has said it cannot meet {child}'s needs. Explained that the LA decides, after "
        "consulting the school, and that the school's view is not the final word.",
        "{Pt} is thinking about a special school. Talked through the range of provision in the "
        "area and how places are allocated through the EHC plan.",
    ),
    IssueType.TRANSPORT: (
        "{La_short} has refused home to school transport. Explained the statutory walking "
        "distances, the duty for children who cannot walk because of SEN or disability, and the "
        "two-stage review and appeal.",
        "Helped {pt} write the stage one review request for transport, with the "
        "paediatrician's letter about {child}'s {need}.",
        "The transport appeal panel sits next week. Went through what {pt} wants to say and the "
        "evidence to bring.",
        "{Pt} says the taxi driver keeps changing and {child} arrives at school distressed. "
        "Suggested asking the transport team for a consistent driver and escort.",
    ),
    IssueType.ATTENDANCE: (
        "{child} has been on a part-time timetable for {n} weeks with no review date. Explained "
        "that part-time timetables should be short, agreed with the parent and reviewed often.",
        "{child} has not been able to attend since half term because of anxiety. Explained the "
        "LA's section 19 duty to arrange suitable education when a child cannot attend because "
        "of health needs.",
        "{Pt} received a letter warning of a fine for absence. Talked about asking school to "
        "authorise absence linked to {child}'s needs, with medical evidence.",
        "Helped {pt} ask for an attendance support meeting with {school} and the education "
        "welfare officer.",
    ),
    IssueType.DISABILITY_DISCRIMINATION: (
        "{child} was not allowed on the class trip. Talked about whether this could be "
        "disability discrimination and the school's duty to make reasonable adjustments.",
        "Explained the six-month time limit for a disability discrimination claim to the SEND "
        "Tribunal and suggested raising a complaint with the school first.",
    ),
    IssueType.HEALTH: (
        "{child} has been on the CAMHS waiting list for {n} months. Explained that health "
        "provision in a plan (section G) differs from educational provision, and when therapy "
        "counts as educational.",
        "{Pt} asked about occupational therapy. Signposted to the children's therapy service and "
        "explained how OT can go in section F when it educates or trains.",
    ),
    IssueType.SOCIAL_CARE: (
        "Talked about short breaks and how to ask for a social care assessment. Explained "
        "sections H1 and H2 of the plan.",
        "{Pt} is exhausted and asked about respite. Gave details of the carers' centre and the "
        "short breaks statement on the Local Offer.",
    ),
    IssueType.POST_16: (
        "Talked about options after Year 11: college, apprenticeships and supported internships. "
        "{child} is keen on a course at {college}.",
        "Explained that after the end of compulsory school age {child} can make decisions about "
        "the plan for {themselves}, and that we can support {them} directly.",
        "Went through the preparing for adulthood outcomes in the plan: employment, independent "
        "living, community participation and health.",
        "{college} has offered a place on a foundation course. Talked about the transition "
        "review and making sure the plan names the college.",
    ),
    IssueType.OTHER: (
        "Signposted {pt} to the parent carer forum and the local autism support group.",
        "{Pt} wanted to know how to complain about the school's response. Went through the "
        "complaints policy and its stages.",
        "Explained what the service can and cannot do, and that we are impartial and separate "
        "from the LA.",
    ),
}

_GENERIC = (
    "Left a voicemail for {pt} asking for a call back.",
    "No answer. Left a message.",
    "Sent {pt} the information sheet on {topic} and our contact details.",
    "No reply to the last two calls. Sent a text to check whether {pt} still wants support.",
    "{Pt} cancelled today's appointment (childcare); rebooked for {date_next}.",
    "Case discussed in supervision. Agreed to {supervision_action}.",
    "Quick call to confirm the meeting on {date_next}.",
    "Sent {pt} a copy of the letter as asked.",
    "{Pt} called to say thank you for the help with the meeting.",
)

_MEETING_DETAILS = (
    "{child}'s views were shared by {their} key adult.",
    "The LA caseworker joined for the last half hour.",
    "School agreed to send their notes of the meeting within a week.",
    "{Pt} found it hard going but said it helped to have someone there.",
    "Everyone agreed the current support is not enough.",
    "We agreed to meet again before the end of term.",
)
_NEXT_STEPS = (
    "Next step: {pt} to send the letter this week; I will ring on {date_next}.",
    "Agreed to speak again after the meeting.",
    "I will chase {la_short} on {date_next} if there is no reply.",
    "I will send the relevant extract from chapter 9 of the SEND Code of Practice.",
    "{Pt} will let me know how it goes.",
    "Booked a follow-up call for {date_next}.",
    "Sent a summary by email afterwards.",
    "Will check the Local Offer for the contact details and send them on.",
)

_SUPERVISION_ACTIONS = (
    "chase the LA caseworker", "offer a face-to-face meeting", "close if no contact in two weeks",
    "suggest independent legal advice", "ask the family whether an interpreter would help",
)

_YP_NOTES = (
    "Met {yp} on {their} own at {setting_short}. {yp} talked about {yp_topic} and asked that this "
    "is not shared with {parent_term}. Explained confidentiality and when we would have to share "
    "it (if {yp} or someone else was at risk).",
    "Call with {yp}. {yp} wants to {yp_wish} but has not told {parent_term} yet. Talked through "
    "how we could support {them} to raise it at the review.",
    "Texts with {yp} about the college interview. {yp} asked for help preparing and does not "
    "want {parent_term} to come.",
    "{yp} said the plan feels like it is 'about me without me'. Helped {them} write {their} own "
    "views for the review, to be shared only with {their} agreement.",
    "Met {yp} at the library. {yp} is worried about {yp_topic}. Agreed to meet again in a "
    "fortnight; {yp} will decide then what, if anything, to share with {parent_term}.",
)
_YP_TOPICS = (
    "feeling left out at college", "wanting to change course", "money and finding work",
    "not being ready to talk to family about their sexuality", "arguments at home about the future",
    "wanting to live more independently", "stress about exams", "being picked on by other students",
)
_YP_WISHES = (
    "leave the sixth form and start an apprenticeship", "move to a different college",
    "speak at the annual review without a parent there", "study part-time and work part-time",
)

_RESTRICTED = (
    "Restricted. {Pt} disclosed {restricted_topic}. Recorded here at {pt_possessive} request so "
    "it is not in the general notes; discussed with my manager.",
    "Manager's note: {Pt} complained about how long the service took to reply. Reviewed the file "
    "with the officer; apology sent and call-back times agreed.",
    "Restricted: information from {pt} about {restricted_topic}. Not to be shared without "
    "{pt_possessive} explicit agreement.",
)
_RESTRICTED_TOPICS = (
    "a history of domestic abuse by a former partner", "a recent mental health diagnosis",
    "the family's immigration status", "a police investigation involving a relative",
    "a dispute over parental responsibility", "serious financial difficulties and debt",
)

_A = SafeguardingAction


@dataclass(frozen=True)
class _ConcernKind:
    note: str  # the note in which the concern is raised
    description: str  # the concern record's description
    actions: tuple[SafeguardingAction, ...]  # what is usually done about it
    roles: tuple[tuple[str, str], ...] = ()  # who can be involved, if not anyone


_CONCERN_KINDS = (
    _ConcernKind(
        "During the call {pt} said that {tp} ({tp_role}) has been shouting at {child} and that "
        "{child} is scared to go home some days. Told {pt} I would need to share this. "
        "Discussed with my manager the same day; referral made to the MASH.",
        "Concern about {child}'s safety at home, raised by {pt} during a call.",
        (_A.MASH, _A.MASH, _A.CHILDRENS_SOCIAL_CARE),
    ),
    _ConcernKind(
        "{tp} ({tp_role}) contacted us, worried about bruising on {child}'s arm. Confirmed the "
        "DSL at {school} knows and has referred to children's social care.",
        "Bruising seen at school; the school's DSL has referred.",
        (_A.DSL, _A.CHILDRENS_SOCIAL_CARE, _A.MASH),
    ),
    _ConcernKind(
        "{child} told {tp} ({tp_role}) about self-harm. Checked that the GP and CAMHS are "
        "involved and that the DSL at {school} has been told.",
        "Disclosure of self-harm; checking health and school are involved.",
        (_A.DSL, _A.ADVICE_SOUGHT, _A.NO_FURTHER_ACTION),
    ),
    _ConcernKind(
        "{Pt} said {child} has been going missing after school and has been seen with older "
        "young people by {tp} ({tp_role}). Shared with the DSL at {school} and the MASH.",
        "Risk of exploitation: {child} going missing after school.",
        (_A.MASH, _A.POLICE),
    ),
    _ConcernKind(
        "{Pt} sounded very low and said {tp} ({tp_role}) has been staying most nights and "
        "drinking heavily. Talked about the support available; discussed with my manager and "
        "shared with children's social care.",
        "A parent's low mood and another adult's drinking affecting the care at home.",
        (_A.CHILDRENS_SOCIAL_CARE, _A.MASH, _A.ADVICE_SOUGHT),
    ),
    _ConcernKind(
        "{child} said that {tp} ({tp_role}) grabbed {them} by the arm in the corridor. Told the "
        "DSL at {school}, who has contacted the LADO.",
        "Allegation about a member of staff's handling of {child}.",
        (_A.LADO,),
        (("teaching assistant", ""), ("class teacher", ""), ("lunchtime supervisor", "")),
    ),
)
_CONCERN_OUTCOMES: dict[SafeguardingAction, tuple[str, ...]] = {
    _A.MASH: ("The MASH decided on no further action and gave the family advice.",
              "The MASH passed it to early help; a family support worker has been allocated.",
              "Children's social care completed an assessment; a child in need plan is in place."),
    _A.CHILDRENS_SOCIAL_CARE: (
        "Children's social care completed an assessment; a child in need plan is in place.",
        "Children's social care assessed and closed the referral with advice to the family."),
    _A.DSL: ("The DSL at the school is monitoring; no further concerns reported.",
             "The DSL referred on to early help; a family support worker is involved."),
    _A.ADVICE_SOUGHT: ("Advice from the MASH consultation line: below the threshold for a "
                       "referral. Family given details of early help.",),
    _A.POLICE: ("Police spoke to the family; no further action.",
                "Police and children's social care made a joint plan; the family is supported."),
    _A.LADO: ("The LADO investigated; the school followed its disciplinary procedure.",),
    _A.ADULT_SOCIAL_CARE: ("Adult social care assessed and agreed a support plan.",),
    _A.NO_FURTHER_ACTION: ("Discussed with my manager: no referral needed. Checked in after a "
                           "month; no further concerns.",),
}
_CONCERN_FOLLOW_UP = (
    "Update on the safeguarding concern: social worker allocated. According to {pt}, {tp} "
    "({tp_role}) is no longer living at the address.",
    "Spoke to the DSL at {school}; {child} is seeing {tp} ({tp_role}) weekly. No new concerns.",
    "Strategy meeting held. We will carry on supporting {pt} with the SEND issues; information "
    "shared on a need-to-know basis only. {tp} ({tp_role}) attended.",
)
_CONCERN_AWARENESS = (
    "Flagged for awareness: {pt} mentioned that {tp} ({tp_role}) has been 'rough' with {child}. "
    "{Pt} has already spoken to the school's DSL; noted, no further action from us.",
    "Flagged: {child} said something worrying about {tp} ({tp_role}) during the visit. Passed "
    "to the DSL at {school} the same day, who will follow up.",
    "Flagged for awareness: {pt} is worried that {tp} ({tp_role}) is leaving {child} home alone "
    "in the evenings. Gave advice; {pt} will speak to the family support worker.",
)
_ISSUE_PHRASES: dict[IssueType, str] = {
    IssueType.EHC_NEEDS_ASSESSMENT: "an EHC needs assessment",
    IssueType.EHC_PLAN: "what the EHC plan says",
    IssueType.ANNUAL_REVIEW: "an annual review",
    IssueType.SEN_SUPPORT: "support in school",
    IssueType.SCHOOL_PLACEMENT: "a school place",
    IssueType.EXCLUSION: "an exclusion",
    IssueType.TRIBUNAL_APPEAL: "an appeal to the SEND Tribunal",
    IssueType.TRANSPORT: "home to school transport",
    IssueType.DISABILITY_DISCRIMINATION: "possible disability discrimination",
    IssueType.HEALTH: "health provision",
    IssueType.SOCIAL_CARE: "social care support",
    IssueType.ATTENDANCE: "attendance and a part-time timetable",
    IssueType.POST_16: "moving on after school",
    IssueType.OTHER: "a general enquiry",
}

_OUTCOME_TEXT: dict[Outcome, str] = {
    Outcome.INFORMATION_GIVEN: "Information given about {issue_phrase}.",
    Outcome.ADVICE_GIVEN: "Advice given; {pt} feels able to take it forward.",
    Outcome.SUPPORTED_AT_MEETING: "Supported {pt} at meetings with school and the LA.",
    Outcome.HELPED_WITH_PAPERWORK: "Helped with letters and forms.",
    Outcome.SIGNPOSTED: "Signposted to {signpost}.",
    Outcome.MEDIATION: "Supported {pt} through mediation.",
    Outcome.TRIBUNAL_SUPPORT: "Supported {pt} through the Tribunal appeal.",
    Outcome.RESOLVED: "The issue is resolved.",
    Outcome.NOT_RESOLVED: "The issue is not resolved, but {pt} has decided not to take it further "
                          "for now.",
    Outcome.DISENGAGED: "No contact from {pt} for some weeks; closing after three attempts to "
                        "get in touch.",
}
_SIGNPOSTS = (
    "the parent carer forum", "IPSEA's advice line", "a solicitor specialising in education law",
    "Citizens Advice", "the local autism support group", "the young carers' service",
)

_TASKS = (
    "Call {pt} back about {topic}", "Chase {la_short} for the decision letter",
    "Send {pt} the template letter", "Prepare for the meeting at {school}",
    "Check whether the draft plan has arrived", "Send meeting notes to {pt}",
    "Follow up with {senco}", "Ring {pt} after the review meeting",
    "Check the appeal form before it goes", "Send {pt} the Local Offer links",
)
_SERVICE_TASKS = (
    "Prepare termly statistics for the steering group", "Update the Local Offer information sheets",
    "Team training: exclusions update", "Drop-in session at the family hub",
    "Clear the shared inbox", "Check the leaflet stock at the children's centres",
)
_TOPIC_SHORT: dict[IssueType, str] = {
    IssueType.EHC_NEEDS_ASSESSMENT: "the EHC needs assessment",
    IssueType.EHC_PLAN: "the EHC plan",
    IssueType.ANNUAL_REVIEW: "the annual review",
    IssueType.SEN_SUPPORT: "SEN support",
    IssueType.SCHOOL_PLACEMENT: "choosing a school",
    IssueType.EXCLUSION: "exclusions",
    IssueType.TRIBUNAL_APPEAL: "appealing to the Tribunal",
    IssueType.TRANSPORT: "home to school transport",
    IssueType.DISABILITY_DISCRIMINATION: "disability discrimination",
    IssueType.HEALTH: "health provision",
    IssueType.SOCIAL_CARE: "short breaks",
    IssueType.ATTENDANCE: "attendance",
    IssueType.POST_16: "post-16 options",
    IssueType.OTHER: "the service",
}


# ======================================================================================
# Weighted choices


class _Pick(Generic[T]):
    """A fixed weighted choice, drawn with one random number."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.items: list[T] = [item for item, _ in pairs]
        self.cum: list[float] = list(accumulate(weight for _, weight in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> T:
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


_PHASES = _Pick([(Phase.EARLY_YEARS, 9), (Phase.PRIMARY, 38), (Phase.SECONDARY, 36),
                 (Phase.POST_16, 11), (Phase.POST_19, 6)])

_I = IssueType
_ISSUES_BY_PHASE: dict[Phase, _Pick[IssueType]] = {
    Phase.EARLY_YEARS: _Pick([(_I.EHC_NEEDS_ASSESSMENT, 40), (_I.SEN_SUPPORT, 25),
                              (_I.SCHOOL_PLACEMENT, 15), (_I.HEALTH, 8), (_I.SOCIAL_CARE, 4),
                              (_I.EHC_PLAN, 4), (_I.ANNUAL_REVIEW, 3), (_I.OTHER, 1)]),
    Phase.PRIMARY: _Pick([(_I.EHC_NEEDS_ASSESSMENT, 28), (_I.SEN_SUPPORT, 20),
                          (_I.ANNUAL_REVIEW, 8), (_I.EHC_PLAN, 7), (_I.SCHOOL_PLACEMENT, 8),
                          (_I.EXCLUSION, 7), (_I.TRIBUNAL_APPEAL, 6), (_I.TRANSPORT, 4),
                          (_I.ATTENDANCE, 5), (_I.DISABILITY_DISCRIMINATION, 2), (_I.HEALTH, 2),
                          (_I.SOCIAL_CARE, 1), (_I.OTHER, 2)]),
    Phase.SECONDARY: _Pick([(_I.EHC_NEEDS_ASSESSMENT, 22), (_I.SEN_SUPPORT, 14),
                            (_I.ANNUAL_REVIEW, 9), (_I.EHC_PLAN, 7), (_I.SCHOOL_PLACEMENT, 9),
                            (_I.EXCLUSION, 12), (_I.TRIBUNAL_APPEAL, 7), (_I.TRANSPORT, 4),
                            (_I.ATTENDANCE, 10), (_I.DISABILITY_DISCRIMINATION, 3),
                            (_I.HEALTH, 1), (_I.SOCIAL_CARE, 1), (_I.OTHER, 1)]),
    Phase.POST_16: _Pick([(_I.POST_16, 25), (_I.ANNUAL_REVIEW, 15), (_I.EHC_NEEDS_ASSESSMENT, 15),
                          (_I.EHC_PLAN, 10), (_I.SCHOOL_PLACEMENT, 10), (_I.TRIBUNAL_APPEAL, 8),
                          (_I.TRANSPORT, 8), (_I.SEN_SUPPORT, 5), (_I.ATTENDANCE, 2),
                          (_I.DISABILITY_DISCRIMINATION, 2), (_I.OTHER, 2)]),
    Phase.POST_19: _Pick([(_I.POST_16, 30), (_I.ANNUAL_REVIEW, 20), (_I.EHC_PLAN, 10),
                          (_I.TRIBUNAL_APPEAL, 8), (_I.SCHOOL_PLACEMENT, 10), (_I.TRANSPORT, 7),
                          (_I.SOCIAL_CARE, 8), (_I.HEALTH, 3), (_I.OTHER, 4)]),
}
# Issues that often come with the main one.
_RELATED: dict[IssueType, tuple[IssueType, ...]] = {
    _I.EHC_NEEDS_ASSESSMENT: (_I.SEN_SUPPORT, _I.ATTENDANCE, _I.EXCLUSION, _I.HEALTH),
    _I.SEN_SUPPORT: (_I.EHC_NEEDS_ASSESSMENT, _I.ATTENDANCE, _I.DISABILITY_DISCRIMINATION),
    _I.EHC_PLAN: (_I.SCHOOL_PLACEMENT, _I.HEALTH, _I.ANNUAL_REVIEW),
    _I.ANNUAL_REVIEW: (_I.EHC_PLAN, _I.SCHOOL_PLACEMENT, _I.TRANSPORT),
    _I.SCHOOL_PLACEMENT: (_I.EHC_PLAN, _I.TRANSPORT, _I.TRIBUNAL_APPEAL),
    _I.EXCLUSION: (_I.SEN_SUPPORT, _I.EHC_NEEDS_ASSESSMENT, _I.DISABILITY_DISCRIMINATION),
    _I.TRIBUNAL_APPEAL: (_I.EHC_NEEDS_ASSESSMENT, _I.EHC_PLAN, _I.SCHOOL_PLACEMENT),
    _I.TRANSPORT: (_I.SCHOOL_PLACEMENT,),
    _I.ATTENDANCE: (_I.SEN_SUPPORT, _I.HEALTH, _I.EHC_NEEDS_ASSESSMENT),
    _I.DISABILITY_DISCRIMINATION: (_I.EXCLUSION, _I.SEN_SUPPORT),
    _I.HEALTH: (_I.EHC_PLAN, _I.SOCIAL_CARE),
    _I.SOCIAL_CARE: (_I.HEALTH, _I.EHC_PLAN),
    _I.POST_16: (_I.ANNUAL_REVIEW, _I.SCHOOL_PLACEMENT, _I.TRANSPORT),
    _I.OTHER: (_I.SEN_SUPPORT,),
}
_S = EhcStage
_STAGES_BY_ISSUE: dict[IssueType, _Pick[EhcStage]] = {
    _I.EHC_NEEDS_ASSESSMENT: _Pick([(_S.REQUEST_MADE, 25), (_S.ASSESSING, 25),
                                    (_S.REFUSED_TO_ASSESS, 18), (_S.REFUSED_TO_ISSUE, 5),
                                    (_S.DRAFT_PLAN, 12), (_S.FINAL_PLAN, 15)]),
    _I.TRIBUNAL_APPEAL: _Pick([(_S.TRIBUNAL, 1)]),
    _I.EHC_PLAN: _Pick([(_S.DRAFT_PLAN, 45), (_S.FINAL_PLAN, 40), (_S.ANNUAL_REVIEW, 15)]),
    _I.ANNUAL_REVIEW: _Pick([(_S.ANNUAL_REVIEW, 1)]),
    _I.SEN_SUPPORT: _Pick([(_S.NONE, 85), (_S.REQUEST_MADE, 15)]),
    _I.SCHOOL_PLACEMENT: _Pick([(_S.FINAL_PLAN, 35), (_S.ANNUAL_REVIEW, 25), (_S.DRAFT_PLAN, 15),
                                (_S.NONE, 25)]),
    _I.EXCLUSION: _Pick([(_S.NONE, 60), (_S.FINAL_PLAN, 25), (_S.REQUEST_MADE, 15)]),
    _I.TRANSPORT: _Pick([(_S.FINAL_PLAN, 60), (_S.NONE, 40)]),
    _I.ATTENDANCE: _Pick([(_S.NONE, 65), (_S.REQUEST_MADE, 15), (_S.FINAL_PLAN, 20)]),
    _I.POST_16: _Pick([(_S.ANNUAL_REVIEW, 45), (_S.FINAL_PLAN, 25), (_S.NONE, 30)]),
}
_OTHER_STAGES = _Pick([(_S.NONE, 70), (_S.FINAL_PLAN, 30)])
# Stages in which the EHC needs assessment is (or was) in progress.
_EHC_PROCESS = frozenset({_S.REQUEST_MADE, _S.ASSESSING, _S.REFUSED_TO_ASSESS,
                          _S.REFUSED_TO_ISSUE, _S.DRAFT_PLAN})

_SOURCES = _Pick([(ReferralSource.SELF, 55), (ReferralSource.SCHOOL, 12),
                  (ReferralSource.HEALTH, 8), (ReferralSource.SOCIAL_CARE, 5),
                  (ReferralSource.LOCAL_AUTHORITY, 6), (ReferralSource.VOLUNTARY_SECTOR, 6),
                  (ReferralSource.LOCAL_OFFER, 6), (ReferralSource.OTHER, 2)])
_NOTE_TYPES = _Pick([(NoteType.CALL, 34), (NoteType.EMAIL, 30), (NoteType.TEXT, 8),
                     (NoteType.MEETING, 10), (NoteType.LETTER, 6), (NoteType.VISIT, 4),
                     (NoteType.OTHER, 3)])
_FIRST_NOTE_TYPES = _Pick([(NoteType.CALL, 60), (NoteType.EMAIL, 22), (NoteType.OTHER, 18)])
_YP_NOTE_TYPES = _Pick([(NoteType.MEETING, 35), (NoteType.CALL, 25), (NoteType.TEXT, 25),
                        (NoteType.EMAIL, 15)])
_CONSENT_METHODS = _Pick([(ConsentMethod.VERBAL, 55), (ConsentMethod.EMAIL, 20),
                          (ConsentMethod.WRITTEN, 15), (ConsentMethod.ONLINE, 10)])
_NEED_PICK = _Pick(_NEEDS)
_NAME_GROUP_PICK = _Pick([(g, g.weight) for g in _NAME_GROUPS])
_LA_PICK = _Pick([((name, area), w) for name, area, w in _LOCAL_AUTHORITIES])
# Who the case is with: (relationship, how notes say it, is female).
_RELATIONSHIPS = _Pick([(("mother", "mum", True), 66), (("father", "dad", False), 20),
                        (("grandmother", "Gran", True), 5),
                        (("foster carer", "the foster carer", True), 4),
                        (("foster carer", "the foster carer", False), 1),
                        (("kinship carer", "the carer", True), 2),
                        (("stepfather", "the stepdad", False), 2)])
_ROLE_WEIGHT = {Role.OFFICER: 4.0, Role.MANAGER: 2.0, Role.ADMIN: 1.0}


# ======================================================================================
# Staff, checks and the entry point


@dataclass(frozen=True)
class _Staff:
    assignable: tuple[str, ...]
    weights: tuple[float, ...]
    managers: tuple[str, ...]


def _staff(conn: Connection) -> _Staff:
    """Active, permanent officer, manager and admin accounts (never inspectors)."""
    names: list[str] = []
    weights: list[float] = []
    managers: list[str] = []
    for user in users_repo.all_users(conn):
        if user.status is not UserStatus.ACTIVE or user.expires_at is not None:
            continue
        if user.role not in _ROLE_WEIGHT:
            continue
        names.append(user.username)
        weights.append(_ROLE_WEIGHT[user.role])
        if user.role in (Role.MANAGER, Role.ADMIN):
            managers.append(user.username)
    if not names:
        raise InvalidInput("Add at least one officer or manager account before adding demo "
                           "data: every case needs an assigned officer.")
    return _Staff(tuple(names), tuple(weights), tuple(managers or names))


def is_demo_store(conn: Connection) -> bool:
    return (DEMO_MARKER in (meta.get(conn, meta.SERVICE_NAME) or "")
            or meta.get(conn, meta.HOLDS_DEMO_DATA) == "yes")


def _refusal(conn: Connection) -> str | None:
    if is_demo_store(conn):
        return None
    existing = bulk_demo.case_count(conn)
    if existing == 0:
        return None
    return (
        f"Demo data was not added: this is not a demo store and it already holds {existing:,} "
        "cases. Made-up cases would be mixed in with real ones and could not be told apart. "
        "Use the demo store, or a new store that has no cases yet."
    )


def generate(session: Session, cases: int, seed: int = DEFAULT_SEED, *,
             today: date | None = None, should_stop: StopCheck | None = None) -> DemoSummary:
    """Add ``cases`` synthetic cases (with their people, notes and the rest).

    Needs an administrator. Refuses a store that is not a demo store
    (its service name has no "DEMO") unless it has no cases yet. ``today``
    anchors every date; it defaults to the real date.
    """
    require_write(session)
    session.require(Permission.MANAGE_STORE, "add synthetic demo data")
    if isinstance(cases, bool) or not isinstance(cases, int) or not 1 <= cases <= MAX_CASES:
        raise InvalidInput(f"Choose between 1 and {MAX_CASES:,} demo cases.")
    conn = session.conn
    reason = _refusal(conn)
    if reason is not None:
        session.audit(AuditAction.PERMISSION_REFUSED, "store", session.store_id,
                      {"reason": "demo_data_on_real_store"})
        raise PermissionDenied(reason)
    anchor = today or date.today()
    world = _World(seed, anchor, _staff(conn), case_ref_prefix(session))
    opened = world.plan(cases)
    long_tail = world.long_tail(opened)
    for start in range(0, cases, BATCH_CASES):
        with transaction(conn) as tx:
            if start == 0:
                # Checked again under the write lock, then the one audit entry.
                reason = _refusal(tx)
                if reason is not None:
                    raise PermissionDenied(reason)
                audit(tx, session, AuditAction.IMPORTED, "store", session.store_id,
                      {"demo_cases": cases})
                # Once made-up cases are in, the store is a demo store for good: the
                # app labels it DEMO, so nobody mistakes it for a real caseload.
                meta.put(tx, meta.HOLDS_DEMO_DATA, "yes")
            batch = _Batch(tx, world.prefix)
            for index in range(start, min(start + BATCH_CASES, cases)):
                raise_if_stopped(should_stop)  # rolls the batch back
                world.build_case(batch, opened[index], index in long_tail)
            if start + BATCH_CASES >= cases:
                world.top_up_my_work(batch)
            batch.write()
        world.totals.add(batch)
    return world.totals.summary()


# ======================================================================================
# One transaction's worth of records


class _Batch:
    """Records for one transaction, with the ids and references they will have."""

    def __init__(self, conn: Connection, prefix: str) -> None:
        self.conn = conn
        self.prefix = prefix
        ids = bulk_demo.next_ids(conn)
        self.next_person = ids.people
        self.next_case = ids.cases
        self.next_note = ids.notes
        self.next_consent = ids.consents
        self.next_concern = ids.concerns
        self.next_deadline = ids.deadlines
        self.next_doc = ids.search_docs
        self.person_ref = bulk_demo.counter_value(conn, "person")
        self.case_refs: dict[int, int] = {}
        self.people: list[tuple[Person, datetime]] = []
        self.cases: list[Case] = []
        self.notes: list[Note] = []
        self.consents: list[ConsentRecord] = []
        self.concerns: list[SafeguardingConcern] = []
        self.deadlines: list[tuple[StoredDeadline, date]] = []
        self.documents: list[tuple[DocumentInfo, bytes]] = []

    def person_id(self) -> tuple[int, str]:
        self.person_ref += 1
        self.next_person += 1
        return self.next_person - 1, format_person_ref(self.person_ref)

    def case_id(self, year: int) -> tuple[int, str]:
        if year not in self.case_refs:
            self.case_refs[year] = bulk_demo.counter_value(
                self.conn, f"case:{self.prefix}:{year}")
        self.case_refs[year] += 1
        self.next_case += 1
        return self.next_case - 1, format_case_ref(self.prefix, year, self.case_refs[year])

    def note_id(self) -> int:
        self.next_note += 1
        return self.next_note - 1

    def consent_id(self) -> int:
        self.next_consent += 1
        return self.next_consent - 1

    def concern_id(self) -> int:
        self.next_concern += 1
        return self.next_concern - 1

    def deadline_id(self) -> int:
        self.next_deadline += 1
        return self.next_deadline - 1

    def write(self) -> None:
        conn = self.conn
        bulk_demo.insert_people(conn, self.people)
        bulk_demo.insert_cases(conn, self.cases)
        bulk_demo.insert_notes(conn, self.notes)
        bulk_demo.insert_concerns(conn, self.concerns)
        bulk_demo.insert_consents(conn, self.consents)
        bulk_demo.insert_deadlines(conn, self.deadlines)
        for info, content in self.documents:
            documents_repo.insert(conn, info, content)
        doc = bulk_demo.index_people(conn, [p for p, _ in self.people], self.next_doc)
        doc = bulk_demo.index_cases(conn, self.cases, doc)
        bulk_demo.index_notes(conn, self.notes, doc)
        # References handed out here must never be handed out again.
        counters.ensure_at_least(conn, "person", self.person_ref)
        for year, value in self.case_refs.items():
            counters.ensure_at_least(conn, f"case:{self.prefix}:{year}", value)


@dataclass
class _Totals:
    people: int = 0
    cases: int = 0
    notes: int = 0
    consents: int = 0
    concerns: int = 0
    documents: int = 0
    deadlines: int = 0

    def add(self, b: _Batch) -> None:
        self.people += len(b.people)
        self.cases += len(b.cases)
        self.notes += len(b.notes)
        self.consents += len(b.consents)
        self.concerns += len(b.concerns)
        self.documents += len(b.documents)
        self.deadlines += len(b.deadlines)

    def summary(self) -> DemoSummary:
        return DemoSummary(self.people, self.cases, self.notes, self.consents, self.concerns,
                           self.documents, self.deadlines)


# ======================================================================================
# The generator


@dataclass
class _OpenCase:
    case_id: int
    slots: dict[str, str]


@dataclass(frozen=True)
class _Ctx:
    """What one case's text needs."""

    slots: dict[str, str]
    issues: tuple[IssueType, ...]
    stage: EhcStage
    phase: Phase
    # The young person is the service user: "{pt}" and "{child}" are the same person.
    yp_primary: bool = False


class _NoteSlots(dict[str, str]):
    """A case's words plus per-note details (dates, numbers), drawn only when a
    template asks for them, so unused details cost nothing."""

    def __init__(self, base: dict[str, str], world: _World, when: datetime) -> None:
        super().__init__(base)
        self.world = world
        self.when = when

    def __missing__(self, key: str) -> str:
        rng = self.world.rng
        value: str
        if key in _AHEAD:
            ahead = rng.randint(*_AHEAD[key])
            day = self.when.date() + timedelta(days=ahead)
            if day.weekday() >= 5:
                day += timedelta(days=7 - day.weekday())
            value = f"{day:%A} {day.day} {day:%B}"
        elif key in ("la_short", "La_short"):
            short = rng.choice(("the LA", "the SEND team", "the LA", "the caseworker"))
            self["la_short"], self["La_short"] = short, short[:1].upper() + short[1:]
            return self[key]
        elif key == "n":
            value = str(rng.randint(2, 5))
        elif key == "mins":
            value = str(rng.randrange(10, 60, 5))
        elif key in _NOTE_CHOICES:
            value = rng.choice(_NOTE_CHOICES[key])
        else:
            raise KeyError(key)
        self[key] = value
        return value


_AHEAD = {"date_next": (2, 9), "date_meeting": (10, 25), "deadline_date": (20, 50)}
_NOTE_CHOICES: dict[str, tuple[str, ...]] = {
    "venue": ("office", "family hub", "children's centre", "library"),
    "supervision_action": _SUPERVISION_ACTIONS,
    "yp_topic": _YP_TOPICS,
    "yp_wish": _YP_WISHES,
    "restricted_topic": _RESTRICTED_TOPICS,
    "signpost": _SIGNPOSTS,
}


@functools.cache
def _one_person(templates: tuple[str, ...]) -> tuple[str, ...]:
    """Templates that do not speak of the service user and the child as two people
    (for young people who come to us themselves), or all of them if none is left."""
    kept = tuple(t for t in templates
                 if not (("{pt" in t or "{Pt" in t) and ("{child" in t)))
    return kept or templates


def _clamp(value: date, low: date, high: date) -> date:
    return max(low, min(value, high))


class _World:
    """Everything that persists across batches: random state, pools, shared people."""

    def __init__(self, seed: int, today: date, staff: _Staff, prefix: str) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (made-up data, not security)
        self.today = today
        self.yesterday = today - timedelta(days=1)
        # Notes are dated up to yesterday evening, so none is ever in the future.
        self.note_limit = datetime.combine(today, time.min)
        self.staff = staff
        self.prefix = prefix
        self.totals = _Totals()
        self.professionals: dict[str, tuple[int, str]] = {}
        self.open_cases: dict[str, list[_OpenCase]] = {}
        self.documents_left = MAX_DOCUMENTS
        self.officer_pick = _Pick(list(zip(staff.assignable, staff.weights, strict=True)))
        from faker import Faker

        fake = Faker("en_GB")
        fake.seed_instance(seed)
        self.british_surnames = tuple(str(fake.last_name()) for _ in range(400))
        stems = [*_STREET_STEMS, *(str(fake.last_name()) for _ in range(60))]
        self.street_names = tuple(f"{stem} {self.rng.choice(_STREET_SUFFIXES)}" for stem in stems)
        self.pro_first_f = tuple(str(fake.first_name_female()) for _ in range(150))
        self.pro_first_m = tuple(str(fake.first_name_male()) for _ in range(150))

    # --- planning ------------------------------------------------------------------

    def plan(self, n: int) -> list[date]:
        """Opening dates, oldest first: weekdays, school-year seasons, a growing service."""
        first = self.today - timedelta(days=HISTORY_DAYS)
        days = [first + timedelta(days=i) for i in range(HISTORY_DAYS)]  # up to yesterday
        season = {1: 1.0, 2: 1.0, 3: 1.15, 4: 0.85, 5: 1.1, 6: 1.15, 7: 0.9, 8: 0.45, 9: 1.25,
                  10: 1.3, 11: 1.2, 12: 0.7}
        weights: list[float] = []
        for i, d in enumerate(days):
            w = season[d.month] * (1 + 0.12 * i / 365)
            if d.weekday() >= 5:
                w *= 0.03
            if (d.month == 12 and d.day >= 24) or (d.month == 1 and d.day == 1):
                w *= 0.05
            weights.append(w)
        return sorted(self.rng.choices(days, weights=weights, k=n))

    def long_tail(self, opened: list[date]) -> set[int]:
        """A few long-running cases with 100+ notes (at least one in any sizeable run)."""
        old = [i for i, d in enumerate(opened) if (self.today - d).days > 400]
        wanted = max(1 if len(opened) >= 20 else 0, round(len(opened) * 0.003))
        return set(self.rng.sample(old, min(wanted, len(old))))

    # --- staff ---------------------------------------------------------------------

    def _other_officer(self, not_this: str) -> str:
        others = [u for u in self.staff.assignable if u != not_this]
        return self.rng.choice(others) if others else not_this

    def _manager(self) -> str:
        return self.rng.choice(self.staff.managers)

    # --- people --------------------------------------------------------------------

    def _surname(self, group: _NameGroup) -> str:
        return self.rng.choice(group.surnames or self.british_surnames)

    def _phone(self, mobile: bool = True) -> str:
        if mobile:
            return f"07700 900{self.rng.randrange(1000):03d}"
        return self.rng.choice(_LANDLINES).format(self.rng.randrange(1000))

    def _email(self, given: str, family: str, domain: str = "example.org",
               numbered: bool = True) -> str:
        local = "".join(ch for ch in f"{given}.{family}".lower() if ch.isalnum() or ch == ".")
        number = str(self.rng.randrange(1, 100)) if numbered else ""
        return f"{local}{number}@{domain}"

    def _address(self, area: str) -> tuple[str, str, str]:
        rng = self.rng
        towns = _TOWNS[area]
        district = rng.randrange(len(towns))
        town = towns[district]
        street = rng.choice(self.street_names)
        if rng.random() < 0.12:
            line = f"Flat {rng.randint(1, 24)}, {rng.choice(_STREET_STEMS)} House, {street}"
        else:
            line = f"{rng.randint(1, 180)} {street}"
        postcode = (f"{area}{district + 1} {rng.randint(1, 9)}"
                    f"{rng.choice(_POSTCODE_LETTERS)}{rng.choice(_POSTCODE_LETTERS)}")
        return f"{line}\n{town}", postcode, town

    def _add_person(self, batch: _Batch, person: Person, created: date) -> int:
        pid, ref = batch.person_id()
        saved = replace(person, id=pid, ref=ref)
        saved.validate(self.today)
        batch.people.append((saved, datetime.combine(created, time(9, 0))))
        return pid

    def _professional(self, batch: _Batch, key: str, title: str, organisation: str,
                      created: date) -> tuple[int, str]:
        """A professional shared between cases (one SENCO per school, a pool of EPs...)."""
        if key in self.professionals:
            return self.professionals[key]
        rng = self.rng
        female = rng.random() < 0.75
        given = rng.choice(self.pro_first_f if female else self.pro_first_m)
        family = rng.choice(self.british_surnames)
        if title == "educational psychologist" and rng.random() < 0.5:
            honorific = "Dr"
        else:
            honorific = rng.choice(("Mrs", "Ms", "Miss")) if female else "Mr"
        pid = self._add_person(batch, Person(
            ref="", given_name=given, family_name=family, role=PersonRole.PROFESSIONAL,
            email=self._email(given[0], family, "example.com", numbered=False),
            phone=self._phone(mobile=False),
            organisation=organisation,
        ), created)
        self.professionals[key] = (pid, f"{honorific} {family}")
        return self.professionals[key]

    # --- one case ------------------------------------------------------------------

    def build_case(self, batch: _Batch, opened_on: date, long_tail: bool) -> None:
        rng = self.rng
        today = self.today
        phase = _PHASES(rng)
        if long_tail and phase is Phase.EARLY_YEARS:
            phase = Phase.PRIMARY
        year = rng.randint(*_PHASE_YEARS[phase])
        academic = opened_on.year if opened_on.month >= 9 else opened_on.year - 1
        dob = date(academic - 5 - year, 9, 1) + timedelta(days=rng.randrange(365))
        age = age_on(dob, opened_on)

        # --- issues and EHC stage
        primary_issue = _ISSUES_BY_PHASE[phase](rng)
        if long_tail:
            primary_issue = rng.choice((_I.TRIBUNAL_APPEAL, _I.EXCLUSION, _I.EHC_NEEDS_ASSESSMENT))
        issues = [primary_issue]
        related = [i for i in _RELATED[primary_issue]
                   if i is not _I.POST_16 or phase in (Phase.POST_16, Phase.POST_19)]
        extra = rng.random()
        if extra < 0.5 and related:
            issues.extend(rng.sample(related, min(len(related), 1 if extra < 0.4 else 2)))
        stage = _STAGES_BY_ISSUE.get(primary_issue, _OTHER_STAGES)(rng)
        if stage in _EHC_PROCESS and _I.EHC_NEEDS_ASSESSMENT not in issues:
            issues.append(_I.EHC_NEEDS_ASSESSMENT)

        # --- how long it has run (older cases are mostly closed)
        age_days = (today - opened_on).days
        closed_on: date | None = None
        p_closed = (0.05 if age_days < 30 else 0.25 if age_days < 90 else 0.5 if age_days < 180
                    else 0.65 if age_days < 365 else 0.75)
        if age_days > 1 and rng.random() < p_closed:
            stretch = {_I.TRIBUNAL_APPEAL: 2.5, _I.EHC_NEEDS_ASSESSMENT: 1.5}.get(primary_issue,
                                                                                 1.0)
            length = max(1, int(rng.lognormvariate(4.3, 0.8) * stretch))
            if long_tail:
                length = max(length, 300)
            closed_on = opened_on + timedelta(days=min(length, age_days - 1))
        end = closed_on or self.yesterday

        # --- the family
        group = _NAME_GROUP_PICK(rng)
        relationship, term, female = _RELATIONSHIPS(rng)
        area_name, area = _LA_PICK(rng)
        address, postcode, town = self._address(area)
        family = self._surname(group)
        parent_given = rng.choice(group.mothers if female else group.fathers)
        same_name = relationship in ("mother", "father") or rng.random() < 0.4
        parent_family = family if same_name else self._surname(group)
        child_female = rng.random() < 0.36  # boys are identified with SEN more often
        child_given = rng.choice(group.girls if child_female else group.boys)
        child_family = family if rng.random() < 0.9 else self._surname(group)
        language = rng.choice(group.languages) if group.languages and rng.random() < 0.4 else ""
        years_older = (42, 62) if relationship == "grandmother" else (19, 44)
        parent_dob = dob - timedelta(days=rng.randint(years_older[0] * 365, years_older[1] * 365))
        access = rng.choice(_ACCESS_NEEDS) if rng.random() < 0.12 else ""
        if language and rng.random() < 0.5:
            access = f"{language} interpreter needed for meetings"
        parent_id = self._add_person(batch, Person(
            ref="", given_name=parent_given, family_name=parent_family,
            role=PersonRole.PARENT_CARER, date_of_birth=parent_dob,
            email=self._email(parent_given, parent_family) if rng.random() < 0.8 else "",
            phone=self._phone(mobile=rng.random() < 0.92), address=address, postcode=postcode,
            language=language or "English", access_needs=access,
            pronouns=("she/her" if female else "he/him") if rng.random() < 0.1 else "",
        ), opened_on)
        pronouns = ""
        if age >= 13 and rng.random() < 0.04:
            pronouns = "they/them"
        elif age >= 11 and rng.random() < 0.3:
            pronouns = "she/her" if child_female else "he/him"
        adult = phase in (Phase.POST_16, Phase.POST_19)
        child_id = self._add_person(batch, Person(
            ref="", given_name=child_given, family_name=child_family,
            role=PersonRole.CHILD_YOUNG_PERSON, date_of_birth=dob, address=address,
            postcode=postcode, pronouns=pronouns, language=language or "English",
            phone=self._phone() if adult and rng.random() < 0.6 else "",
            email=self._email(child_given, child_family) if adult and rng.random() < 0.5 else "",
        ), opened_on)
        yp_primary = phase is Phase.POST_19 and rng.random() < 0.5
        primary_id = child_id if yp_primary else parent_id
        parties = [CaseParty(primary_id, PartyRole.PRIMARY), CaseParty(child_id, PartyRole.CHILD)]
        if yp_primary:
            if rng.random() < 0.4:
                parties.append(CaseParty(parent_id, PartyRole.OTHER_PARENT))
        elif rng.random() < 0.28:
            second_female = (not female) if rng.random() < 0.9 else female
            second_given = rng.choice(group.mothers if second_female else group.fathers)
            second_family = parent_family if rng.random() < 0.6 else self._surname(group)
            lives_here = rng.random() < 0.6
            second_id = self._add_person(batch, Person(
                ref="", given_name=second_given, family_name=second_family,
                role=PersonRole.PARENT_CARER,
                date_of_birth=parent_dob + timedelta(days=rng.randint(-2000, 2000)),
                phone=self._phone(), address=address if lives_here else "",
                postcode=postcode if lives_here else "", language=language or "English",
                email=self._email(second_given, second_family) if rng.random() < 0.5 else "",
            ), opened_on)
            parties.append(CaseParty(second_id, PartyRole.OTHER_PARENT))

        # --- setting and professionals
        settings = SETTINGS_BY_PHASE[phase]
        if rng.random() < 0.94:
            settings = tuple(s for s in settings if s not in _NOT_IN_SCHOOL)
        school = rng.choice(settings)
        in_school = school not in _NOT_IN_SCHOOL
        la_name = area_name if rng.random() < 0.9 else LOCAL_AUTHORITY
        senco = "the learning support lead" if adult else "the SENCO"
        if in_school and rng.random() < 0.3:
            title = "learning support lead" if adult else "SENCO"
            pid, name = self._professional(batch, f"senco:{school}", title, school, opened_on)
            parties.append(CaseParty(pid, PartyRole.PROFESSIONAL))
            senco = f"{senco}, {name}"
        ep_name = ""
        if rng.random() < 0.12 or (stage in (_S.ASSESSING, _S.DRAFT_PLAN) and rng.random() < 0.4):
            pid, ep_name = self._professional(
                batch, f"ep:{rng.randrange(8)}", "educational psychologist",
                "Westmere Educational Psychology Service", opened_on)
            parties.append(CaseParty(pid, PartyRole.PROFESSIONAL))
        if rng.random() < 0.06:
            pid, _ = self._professional(batch, f"sw:{rng.randrange(14)}", "social worker",
                                        "Westmere Children's Social Care", opened_on)
            parties.append(CaseParty(pid, PartyRole.PROFESSIONAL))

        # --- officers: a young person of 14+ may work with us separately (rule 3)
        officer = self.officer_pick(rng)
        separate = not yp_primary and (
            (age >= 16 and rng.random() < 0.6) or (14 <= age < 16 and rng.random() < 0.25))
        yp_officer: str | None = None
        if separate:
            yp_officer = self._other_officer(officer) if rng.random() < 0.6 else officer

        # --- the words this case's notes use
        if yp_primary:
            pt = child_given
        elif rng.random() < 0.15:
            honorific = ("Ms" if rng.random() < 0.6 else "Mrs") if female else "Mr"
            pt = f"{honorific} {parent_family}"
        else:
            pt = term
        them, their, themselves = {"they/them": ("them", "their", "themselves")}.get(
            pronouns, ("her", "her", "herself") if child_female else ("him", "his", "himself"))
        others = [s for s in SETTINGS_BY_PHASE[phase] if s != school and s not in _NOT_IN_SCHOOL]
        source = _SOURCES(rng)
        slots = {
            "pt": pt, "Pt": pt[:1].upper() + pt[1:], "pt_possessive": f"{pt}'s",
            "child": child_given, "yp": child_given, "parent_term": term,
            "school": school if in_school else "the last school",
            "school2": rng.choice(others or [school]), "senco": senco, "need": _NEED_PICK(rng),
            "town": town, "them": them, "their": their, "themselves": themselves,
            "year": _year_label(year), "la": la_name,
            "college": rng.choice(_POST_16_SETTINGS[:3]), "ap": rng.choice(_ALTERNATIVE_PROVISION),
            "topic": _TOPIC_SHORT[primary_issue], "issue_phrase": _ISSUE_PHRASES[primary_issue],
            "setting_short": "college" if adult else "school",
        }
        ctx = _Ctx(slots, tuple(issues), stage, phase, yp_primary)

        # --- the case
        case_id, ref = batch.case_id(opened_on.year)
        case = Case(
            id=case_id, ref=ref, opened_on=opened_on, referral_source=source,
            assigned_officer=officer, primary_person_id=primary_id, child_person_id=child_id,
            referral_date=opened_on - timedelta(days=rng.choice((0, 0, 0, 1, 2, 3, 5, 7, 10))),
            closed_on=closed_on, school_setting=school, local_authority=la_name,
            issue_types=frozenset(issues), ehc_stage=stage,
            outcomes=self._outcomes(primary_issue, stage) if closed_on else frozenset(),
            summary=self._summary(ctx, source, age, school, yp_primary),
            young_person_officers=frozenset({yp_officer}) if yp_officer else frozenset(),
            paper_records=(f"Paper file archived (box {rng.randint(1, 40)})"
                           if opened_on.year < today.year - 2 and rng.random() < 0.1 else ""),
            legal_hold=closed_on is not None and rng.random() < 0.002,
            parties=tuple(parties),
        )
        case.validate(today)
        batch.cases.append(case)

        concern_case = rng.random() < (0.3 if long_tail else 0.03)
        notes = self._notes(batch, case, ctx, yp_officer, end, long_tail, concern_case, source,
                            age)
        self._consents(batch, case, notes[0], child_id, yp_officer, ep_name, end)
        task_slots = self._deadlines(batch, case, ctx, dob, end)
        if closed_on is None:
            self.open_cases.setdefault(officer, []).append(_OpenCase(case_id, task_slots))
        self._maybe_document(batch, case, ctx, notes)

    # --- case parts ----------------------------------------------------------------

    def _outcomes(self, issue: IssueType, stage: EhcStage) -> frozenset[Outcome]:
        rng = self.rng
        out = {rng.choice((Outcome.INFORMATION_GIVEN, Outcome.ADVICE_GIVEN, Outcome.ADVICE_GIVEN))}
        if rng.random() < 0.4:
            out.add(Outcome.HELPED_WITH_PAPERWORK)
        if rng.random() < 0.25:
            out.add(Outcome.SUPPORTED_AT_MEETING)
        if issue is _I.TRIBUNAL_APPEAL or stage is _S.TRIBUNAL:
            out.add(Outcome.TRIBUNAL_SUPPORT)
            if rng.random() < 0.3:
                out.add(Outcome.MEDIATION)
        if rng.random() < 0.12:
            out.add(Outcome.SIGNPOSTED)
        ending = rng.random()
        out.add(Outcome.RESOLVED if ending < 0.55 else Outcome.NOT_RESOLVED if ending < 0.8
                else Outcome.DISENGAGED)
        return frozenset(out)

    @staticmethod
    def _where(slots: dict[str, str], school: str) -> str:
        """'in Year 4 at Oakfield Primary School', or how a child out of school is described."""
        if school in _NOT_IN_SCHOOL:
            return _NOT_IN_SCHOOL[school].removeprefix("is ")
        return f"in {slots['year']} at {school}"

    def _summary(self, ctx: _Ctx, source: ReferralSource, age: int, school: str,
                 yp_primary: bool) -> str:
        s = ctx.slots
        how = _REFERRED[source]
        where = self._where(s, school)
        if yp_primary:
            about = (f"{s['Pt']} {how} about {s['issue_phrase']}. {s['child']} is {age} and "
                     f"{where}.")
        else:
            about = f"{s['Pt']} {how} about {s['issue_phrase']} for {s['child']} ({age}, {where})."
        return f"{about} Main need: {s['need']}."

    def _note_times(self, opened: date, end: date, count: int, closing: bool) -> list[datetime]:
        """Working-hours times from the opening day to ``end``, in order."""
        rng = self.rng
        span = (end - opened).days
        out: list[datetime] = []
        for i in range(count):
            day = opened if i == 0 else opened + timedelta(days=rng.randint(0, span))
            if closing and i == count - 1:
                day = end
            elif day.weekday() >= 5:  # officers work weekdays: the nearest one in range
                back = day - timedelta(days=day.weekday() - 4)
                forward = day + timedelta(days=7 - day.weekday())
                day = back if back >= opened else forward if forward <= end else day
            if rng.random() < 0.05:  # an evening email
                moment = time(rng.randint(19, 21), rng.randrange(30))
            else:
                minutes = rng.randint(8 * 60 + 40, 17 * 60 + 30)
                moment = time(minutes // 60, minutes % 60)
            out.append(datetime.combine(day, moment))
        out.sort()
        return out

    def _notes(self, batch: _Batch, case: Case, ctx: _Ctx, yp_officer: str | None, end: date,
               long_tail: bool, concern_case: bool, source: ReferralSource,
               age: int) -> list[Note]:
        rng = self.rng
        assert case.id is not None
        officer = case.assigned_officer
        if long_tail:
            count = rng.randint(100, 260)
        else:
            count = min(20, 2 + int(rng.gammavariate(2.0, 4.2)), 2 + (end - case.opened_on).days)
        closing = case.closed_on is not None
        times = self._note_times(case.opened_on, end, count, closing)
        path = self._path(ctx)
        last_regular = count - 2 if closing else count - 1
        concern_at = rng.randint(1, last_regular) if concern_case and last_regular >= 1 else None
        involved: tuple[tuple[str, str], ...] = ()
        concern_kind = _CONCERN_KINDS[0]
        notes: list[Note] = []
        linked: list[int] = []
        for i, when in enumerate(times):
            slots = _NoteSlots(ctx.slots, self, when)
            author = officer
            confidentiality = Confidentiality.NORMAL
            third: tuple[tuple[str, str], ...] = ()
            if i == 0:
                kind = _FIRST_NOTE_TYPES(rng)
                body = self._opening(slots, source, age, case)
            elif closing and i == count - 1:
                kind = rng.choice((NoteType.LETTER, NoteType.EMAIL, NoteType.EMAIL, NoteType.CALL))
                body = self._closing(slots, case.outcomes)
            elif i == concern_at:
                kind = NoteType.CALL
                concern_kind = rng.choice(self._concern_kinds(ctx))
                involved = third = self._third_parties(slots, concern_kind.roles)
                body = self._fill(concern_kind.note, slots, third)
            elif concern_at is not None and i > concern_at and rng.random() < 0.4:
                kind = _NOTE_TYPES(rng)
                third = involved
                body = self._fill(rng.choice(self._usable(_CONCERN_FOLLOW_UP, ctx)), slots,
                                  third)
            elif yp_officer is not None and rng.random() < 0.5:
                kind = _YP_NOTE_TYPES(rng)
                author = yp_officer
                confidentiality = Confidentiality.YOUNG_PERSON
                body = rng.choice(_YP_NOTES).format_map(slots)
            elif rng.random() < 0.034:
                kind = rng.choice((NoteType.CALL, NoteType.MEETING, NoteType.OTHER))
                confidentiality = Confidentiality.RESTRICTED
                author = officer if rng.random() < 0.7 else self._manager()
                body = rng.choice(_RESTRICTED).format_map(slots)
            elif rng.random() < 0.036:
                kind = rng.choice((NoteType.CALL, NoteType.VISIT, NoteType.MEETING))
                third = self._third_parties(slots)
                body = self._fill(rng.choice(self._usable(_CONCERN_AWARENESS, ctx)), slots,
                                  third)
            else:
                kind = _NOTE_TYPES(rng)
                roll = rng.random()
                if roll >= 0.96:
                    author = self._manager()
                elif roll >= 0.86:
                    author = self._other_officer(officer)
                body = self._regular(slots, kind, ctx, path, i / max(1, count - 1))
            note = Note(case_id=case.id, occurred_at=when, type=kind, author=author, body=body,
                        confidentiality=confidentiality, safeguarding=bool(third),
                        third_parties=tuple(name for name, _ in third), created_at=when,
                        id=batch.note_id())
            note.validate(self.note_limit)
            notes.append(note)
            if third and concern_at is not None and i >= concern_at:
                assert note.id is not None
                linked.append(note.id)
        batch.notes.extend(notes)
        if concern_at is not None:
            batch.concerns.append(self._concern(batch, case, ctx, notes[concern_at], linked,
                                                concern_kind))
        return notes

    @staticmethod
    def _usable(templates: tuple[str, ...], ctx: _Ctx) -> tuple[str, ...]:
        return _one_person(templates) if ctx.yp_primary else templates

    @staticmethod
    def _concern_kinds(ctx: _Ctx) -> tuple[_ConcernKind, ...]:
        if not ctx.yp_primary:
            return _CONCERN_KINDS
        kinds = tuple(k for k in _CONCERN_KINDS if _one_person((k.note,)) == (k.note,)
                      and "{pt" not in k.description)
        return kinds or _CONCERN_KINDS

    def _path(self, ctx: _Ctx) -> tuple[tuple[str, ...], ...]:
        """The main issue's topics, in the order a case usually moves through them."""
        issue = ctx.issues[0]
        if issue in _STAGED_TOPICS:
            return _STAGED_TOPICS[issue]
        if issue is _I.EHC_NEEDS_ASSESSMENT:
            return tuple(_EHC_STAGES[name] for name in _EHC_PATHS[ctx.stage])
        return (_TOPICS[issue],)

    def _regular(self, slots: _NoteSlots, kind: NoteType, ctx: _Ctx,
                 path: tuple[tuple[str, ...], ...], progress: float) -> str:
        rng = self.rng
        if rng.random() < 0.12:
            return rng.choice(self._usable(_GENERIC, ctx)).format_map(slots)
        if len(ctx.issues) > 1 and rng.random() < 0.25:
            other = rng.choice(ctx.issues[1:])
            topics = (_STAGED_TOPICS[other][0] if other in _STAGED_TOPICS
                      else _TOPICS.get(other, _EHC_STAGES["explain"]))
        else:
            topics = path[min(len(path) - 1, int(progress * len(path)))]
        parts = [rng.choice(self._usable(_OPENERS[kind], ctx)),
                 rng.choice(self._usable(topics, ctx))]
        if kind is NoteType.MEETING:
            parts.append(rng.choice(self._usable(_MEETING_DETAILS, ctx)))
            parts.append("Next steps agreed. " + rng.choice(self._usable(_NEXT_STEPS, ctx)))
        elif rng.random() < 0.6:
            parts.append(rng.choice(self._usable(_NEXT_STEPS, ctx)))
        return " ".join(parts).format_map(slots)

    def _opening(self, slots: _NoteSlots, source: ReferralSource, age: int, case: Case) -> str:
        how = "Self-referral" if source is ReferralSource.SELF else f"Referral: {source.label}"
        return (
            f"New case. {how}. {slots['Pt']} contacted the service about "
            f"{slots['issue_phrase']}. {slots['child']} is {age} and "
            f"{self._where(slots, case.school_setting)}. Explained our confidentiality policy "
            "and that the service is impartial and at arm's length from "
            f"{case.local_authority}. {self.rng.choice(_FIRST_STEPS).format_map(slots)}"
        )

    @staticmethod
    def _closing(slots: _NoteSlots, outcomes: frozenset[Outcome]) -> str:
        order = [o for o in Outcome if o in outcomes]
        text = " ".join(_OUTCOME_TEXT[o] for o in order).format_map(slots)
        return (f"Closing the case. {text} {slots['Pt']} knows to get back in touch if anything "
                "changes.")

    def _third_parties(self, slots: _NoteSlots, roles: tuple[tuple[str, str], ...] = ()
                       ) -> tuple[tuple[str, str], ...]:
        """People named in a safeguarding note: (name, how they are connected)."""
        rng = self.rng
        group = _NAME_GROUP_PICK(rng)
        out: list[tuple[str, str]] = []
        for _ in range(1 if rng.random() < 0.75 else 2):
            role, gender = rng.choice(roles or _THIRD_PARTY_ROLES)
            female = gender == "f" or (not gender and rng.random() < 0.5)
            given = rng.choice(group.mothers if female else group.fathers)
            out.append((f"{given} {self._surname(group)}", role.format_map(slots)))
        return tuple(out)

    @staticmethod
    def _fill(template: str, slots: _NoteSlots, third: tuple[tuple[str, str], ...]) -> str:
        slots["tp"], slots["tp_role"] = third[0]
        text = template.format_map(slots)
        if len(third) > 1:
            text += f" {third[1][0]} ({third[1][1]}) was also mentioned."
        return text

    def _concern(self, batch: _Batch, case: Case, ctx: _Ctx, raised: Note, linked: list[int],
                 kind: _ConcernKind) -> SafeguardingConcern:
        rng = self.rng
        assert case.id is not None
        still_open = case.closed_on is None and rng.random() < 0.3
        action = rng.choice(kind.actions)
        if ctx.phase is Phase.POST_19 and action in (_A.CHILDRENS_SOCIAL_CARE, _A.MASH):
            action = _A.ADULT_SOCIAL_CARE  # over 18: adult services
        concern = SafeguardingConcern(
            id=batch.concern_id(), case_id=case.id, raised_on=raised.occurred_at.date(),
            description=kind.description.format_map(ctx.slots),
            decided_by=self._manager(), action=action,
            status=ConcernStatus.OPEN if still_open else ConcernStatus.CLOSED,
            outcome="" if still_open else rng.choice(_CONCERN_OUTCOMES[action]),
            linked_note_ids=tuple(linked), raised_by=raised.author,
        )
        concern.validate(self.today)
        return concern

    def _consents(self, batch: _Batch, case: Case, first: Note, child_id: int,
                  yp_officer: str | None, ep_name: str, end: date) -> None:
        """Most families agree at the first contact to us talking to school and the LA."""
        rng = self.rng
        assert case.id is not None
        wanted: list[tuple[To, Purpose, str]] = []
        for to, purpose, chance in _CONSENT_CHANCES:
            if to is To.SCHOOL and case.school_setting in _NOT_IN_SCHOOL:
                continue
            if rng.random() < chance:
                wanted.append((to, purpose, ""))
        if ep_name and rng.random() < 0.7:
            wanted.append((To.NAMED_PROFESSIONAL, Purpose.DISCUSS_CASE, ep_name))
        given = [(case.primary_person_id, to, purpose, detail, first.occurred_at, first.author)
                 for to, purpose, detail in wanted]
        if yp_officer is not None:
            # The young person's own consent, given when they start working with us.
            when = first.occurred_at + timedelta(days=rng.randint(1, 30), hours=1)
            if when.date() <= end:
                given.append((child_id, To.SCHOOL, Purpose.DISCUSS_CASE, "", when, yp_officer))
                given.append((child_id, To.LA_SEND_TEAM, Purpose.DISCUSS_CASE, "", when,
                              yp_officer))
        method = _CONSENT_METHODS(rng)
        for person_id, to, purpose, detail, when, by in given:
            expires = None
            if rng.random() < 0.15:
                expires = when.date() + timedelta(days=rng.choice((182, 365, 365)))
            record = ConsentRecord(
                id=batch.consent_id(), case_id=case.id, person_id=person_id, recipient=to,
                purpose=purpose, state=ConsentState.GIVEN, recorded_at=when, method=method,
                recorded_by=by, recipient_detail=detail, expires_on=expires,
                notes="Given during the first contact." if rng.random() < 0.1 else "",
            )
            record.validate()
            batch.consents.append(record)
            span = (end - when.date()).days
            if span > 2 and rng.random() < 0.04:
                later = when + timedelta(days=rng.randint(1, span - 1))
                batch.consents.append(replace(
                    record, id=batch.consent_id(), state=ConsentState.WITHDRAWN,
                    recorded_at=later, method=_CONSENT_METHODS(rng), expires_on=None,
                    notes=rng.choice(_WITHDRAWAL_NOTES)))

    # --- deadlines -----------------------------------------------------------------

    def _deadlines(self, batch: _Batch, case: Case, ctx: _Ctx, dob: date,
                   end: date) -> dict[str, str]:
        """Statutory clocks for the case's EHC stage, and some tasks.

        Returns the words later top-up tasks use for this case.
        """
        rng = self.rng
        today = self.today
        assert case.id is not None
        is_open = case.closed_on is None
        anchor = today if is_open else end
        items: list[tuple[Deadline, str, date]] = []  # (deadline, source, the day it was set)
        stage = case.ehc_stage
        if stage in _EHC_WEEKS and (stage is not _S.FINAL_PLAN
                                    or _I.EHC_NEEDS_ASSESSMENT in case.issue_types):
            low, high = _EHC_WEEKS[stage]
            received = anchor - timedelta(days=rng.randint(low * 7, high * 7))
            draft = None
            if stage in (_S.DRAFT_PLAN, _S.FINAL_PLAN):
                draft = min(anchor, received + timedelta(days=rng.randint(12 * 7, 18 * 7)))
            timeline = ehc_timeline(received, draft)
            milestones = ([timeline.decision_to_assess] if stage is _S.REFUSED_TO_ASSESS
                          else list(timeline.milestones()))
            items.extend((m, "ehc", received) for m in milestones)
            if stage in (_S.REFUSED_TO_ASSESS, _S.REFUSED_TO_ISSUE):
                weeks = 6 if stage is _S.REFUSED_TO_ASSESS else 16
                letter = min(anchor, received + timedelta(weeks=weeks))
                items.append((tribunal_appeal_deadline(letter), "tribunal", letter))
        if stage is _S.TRIBUNAL:
            letter = max(anchor - timedelta(days=rng.randint(0, 56)),
                         case.opened_on - timedelta(days=20))
            certificate = None
            if rng.random() < 0.4:
                certificate = min(anchor, letter + timedelta(days=rng.randint(20, 50)))
            items.append((tribunal_appeal_deadline(letter, certificate), "tribunal",
                          certificate or letter))
        if stage is _S.ANNUAL_REVIEW:
            period_start = max(dob, anchor - timedelta(days=rng.randint(300, 390)))
            items.append((annual_review_due(period_start, dob), "annual_review", period_start))
            if rng.random() < 0.5:
                meeting = max(period_start, anchor - timedelta(days=rng.randint(0, 35)))
                items.append((annual_review_decision_due(meeting), "annual_review", meeting))
        slots = {**ctx.slots, "la_short": rng.choice(("the LA", "the SEND team",
                                                      "the caseworker"))}
        tasks = rng.choice((0, 0, 1, 1, 2)) if is_open else int(rng.random() < 0.2)
        for _ in range(tasks):
            if is_open:
                due = today + timedelta(days=rng.randint(-12, 30))
            else:
                due = case.opened_on + timedelta(days=rng.randint(0, (end - case.opened_on).days))
            label = rng.choice(_TASKS).format_map(slots)
            items.append((Deadline(DeadlineKind.TASK, label, due), "", due - timedelta(days=7)))
        for deadline, source, set_on in items:
            set_on = _clamp(set_on, case.opened_on, min(end, self.yesterday))
            done_by = end if not is_open else self.yesterday
            done_on: date | None = None
            if not is_open or deadline.due < today - timedelta(days=30) or (
                    deadline.due < today and rng.random() < 0.75):
                done_on = _clamp(deadline.due - timedelta(days=rng.randint(0, 7)), set_on,
                                 done_by)
            self._add_deadline(batch, case.id, case.assigned_officer, deadline, source, set_on,
                               done_on)
        return slots

    @staticmethod
    def _add_deadline(batch: _Batch, case_id: int | None, owner: str, deadline: Deadline,
                      source: str, set_on: date, done_on: date | None) -> None:
        batch.deadlines.append((StoredDeadline(
            deadline=deadline, owner=owner, case_id=case_id, done_on=done_on, source=source,
            created_by=owner, id=batch.deadline_id()), set_on))

    def top_up_my_work(self, batch: _Batch) -> None:
        """Give every officer a few items due in the next two weeks and a few overdue."""
        rng = self.rng
        today = self.today
        horizon = today + timedelta(days=HORIZON_DAYS)
        for owner in self.staff.assignable:
            overdue, upcoming = bulk_demo.open_deadline_counts(batch.conn, owner, today,
                                                               HORIZON_DAYS)
            for d, _ in batch.deadlines:  # this batch's, not written yet
                if d.owner == owner and d.done_on is None and d.deadline.due <= horizon:
                    if d.deadline.due < today:
                        overdue += 1
                    else:
                        upcoming += 1
            mine = self.open_cases.get(owner, [])
            wanted = ([today - timedelta(days=rng.randint(1, 9))
                       for _ in range(MY_WORK_OVERDUE - overdue)]
                      + [today + timedelta(days=rng.randint(0, HORIZON_DAYS - 1))
                         for _ in range(MY_WORK_UPCOMING - upcoming)])
            for due in wanted:
                case_id: int | None = None
                if mine:
                    chosen = rng.choice(mine)
                    case_id = chosen.case_id
                    label = rng.choice(_TASKS).format_map(chosen.slots)
                else:
                    label = rng.choice(_SERVICE_TASKS)
                set_on = min(due - timedelta(days=10), self.yesterday)
                self._add_deadline(batch, case_id, owner, Deadline(DeadlineKind.TASK, label, due),
                                   "", set_on, None)

    # --- documents -----------------------------------------------------------------

    def _maybe_document(self, batch: _Batch, case: Case, ctx: _Ctx, notes: list[Note]) -> None:
        rng = self.rng
        if self.documents_left <= 0 or rng.random() >= 0.025:
            return
        assert case.id is not None
        self.documents_left -= 1
        letters = [n for n in notes if n.type is NoteType.LETTER
                   and n.confidentiality is Confidentiality.NORMAL]
        anchor = rng.choice(letters) if letters else notes[0]
        roll = rng.random()
        when = anchor.occurred_at
        if roll < 0.45:
            filename, content, description = _text_letter(ctx.slots, case, when.date())
        elif roll < 0.8:
            filename, content, description = _pdf_letter(ctx.slots, case, when.date())
        else:
            filename, content = "Photo of school report.png", _scan_png(rng)
            description = "Photo of the last page of the school report, sent by the family."
        info = DocumentInfo(
            case_id=case.id, filename=filename, media_type=check_document(filename, content),
            size=len(content), sha256=hashlib.sha256(content).hexdigest(),
            added_by=anchor.author, added_at=when, description=description,
            note_id=anchor.id if letters else None,
        )
        batch.documents.append((info, content))


_REFERRED: dict[ReferralSource, str] = {
    ReferralSource.SELF: "got in touch",
    ReferralSource.SCHOOL: "was referred by the school",
    ReferralSource.HEALTH: "was referred by a health professional",
    ReferralSource.SOCIAL_CARE: "was referred by social care",
    ReferralSource.LOCAL_AUTHORITY: "was referred by the LA",
    ReferralSource.VOLUNTARY_SECTOR: "was referred by a voluntary organisation",
    ReferralSource.LOCAL_OFFER: "found us on the Local Offer",
    ReferralSource.OTHER: "was referred to us",
}
_CONSENT_CHANCES = (
    (To.LA_SEND_TEAM, Purpose.DISCUSS_CASE, 0.85),
    (To.SCHOOL, Purpose.DISCUSS_CASE, 0.8),
    (To.LA_SEND_TEAM, Purpose.BE_IDENTIFIED, 0.5),
    (To.LA_SEND_TEAM, Purpose.SHARE_RECORDS, 0.25),
    (To.SCHOOL, Purpose.ATTEND_MEETINGS, 0.3),
    (To.HEALTH, Purpose.DISCUSS_CASE, 0.2),
    (To.SOCIAL_CARE, Purpose.DISCUSS_CASE, 0.1),
)
_WITHDRAWAL_NOTES = (
    "Withdrawn by phone.", "The family asked us to stop contacting the school directly.",
    "Withdrawn after a disagreement with the LA; may be given again later.",
)
# Weeks before "now" (or the closing date) the EHC request was made, by stage.
_EHC_WEEKS: dict[EhcStage, tuple[int, int]] = {
    _S.REQUEST_MADE: (0, 6), _S.REFUSED_TO_ASSESS: (6, 10), _S.ASSESSING: (6, 16),
    _S.REFUSED_TO_ISSUE: (16, 21), _S.DRAFT_PLAN: (14, 20), _S.FINAL_PLAN: (20, 30),
}
_FIRST_STEPS = (
    "{Pt} agreed to us talking to school and the SEND team.",
    "Sent our information pack and the Local Offer links afterwards.",
    "Agreed to speak again once {pt} has read the information.",
    "{Pt} would like help with letters; booked a follow-up call for {date_next}.",
)


def _year_label(year: int) -> str:
    if year < 0:
        return "nursery"
    if year == 0:
        return "Reception"
    if year <= 13:
        return f"Year {year}"
    if year == 14:
        return "the third year of college"
    return "post-19 education"


# ======================================================================================
# Small documents (bytes only; nothing touches the disk)


def _text_letter(s: dict[str, str], case: Case, on: date) -> tuple[str, bytes, str]:
    body = (
        f"{on.day} {on:%B %Y}\n\n"
        f"SEND Team\n{case.local_authority}\n\n"
        "Dear Sir or Madam,\n\n"
        f"Request for an EHC needs assessment: {s['child']}\n\n"
        "I am writing to ask you to carry out an education, health and care needs assessment "
        f"for my child, {s['child']}, under section 36 of the Children and Families Act 2014.\n\n"
        f"{s['child']} has {s['need']}. Despite the support {s['school']} has put in place, "
        f"{s['child']} is not making the progress expected and finds the school day very "
        "difficult.\n\n"
        "I understand that you must tell me within six weeks whether you will assess.\n\n"
        "Yours faithfully,\n\n(draft prepared with the SENDIASS officer; synthetic demo data)\n"
    )
    return ("EHC needs assessment request (draft).txt", body.encode("utf-8"),
            "Draft request letter written with the family.")


def _pdf_letter(s: dict[str, str], case: Case, on: date) -> tuple[str, bytes, str]:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    # invariant=1: no creation time or random id, so the same seed gives the same bytes.
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle("Parental views")
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(72, 770, f"Parental views: {s['child']}")
    pdf.setFont("Helvetica", 11)
    lines = (
        f"Date: {on.day} {on:%B %Y}    Setting: {case.school_setting}",
        "",
        f"What people like and admire about {s['child']}:",
        "    Kind, funny, loves animals and building things.",
        "",
        "What is important to the family, now and in the future:",
        f"    That {s['child']} feels safe and understood at {s['setting_short']}.",
        "",
        f"How best to support {s['child']}:",
        f"    Support for {s['need']}; warning before changes; a trusted adult.",
        "",
        "Written with support from the SENDIASS officer. Synthetic demo document.",
    )
    y = 740
    for line in lines:
        pdf.drawString(72, y, line)
        y -= 16
    pdf.showPage()
    pdf.save()
    return "Parental views.pdf", buffer.getvalue(), "Parental views for the EHC needs assessment."


def _scan_png(rng: random.Random, width: int = 96, height: int = 64) -> bytes:
    """A tiny greyscale 'photo of a page': lines of dark 'text' on off-white."""
    lengths = [rng.randint(40, width - 12) for _ in range(height // 6)]
    rows: list[bytes] = []
    for y in range(height):
        band = y // 6
        inked = y % 6 in (2, 3) and band < len(lengths)
        row = bytearray(b"\x00")  # PNG filter type 0 (none) for this row
        for x in range(width):
            if inked and 8 <= x < 8 + lengths[band] and rng.random() < 0.7:
                row.append(60 + rng.randrange(40))
            else:
                row.append(235 + rng.randrange(12))
        rows.append(bytes(row))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))
