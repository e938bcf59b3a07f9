"""Removing identifying details from a letter to the Local Authority (rule 4).

Issues are raised with the Local Authority anonymously unless the service user
consented to be identified. ``anonymise`` takes the officer's text and what the
case holds about the people on it, and replaces:

* every name of everyone on the case (full names, each part of a name, with a
  title such as "Mrs" and possessives such as "Tom's"), and the names of other
  people mentioned in the case's notes;
* dates of birth in any common UK format (17/05/2009, 17.05.09, 2009-05-17,
  17 May 2009, 17th of May 2009, May 17th 2009, May 2009);
* addresses (each line, and the street without its number) and postcodes (the
  people's own, and anything shaped like a UK postcode);
* phone numbers and email addresses (the people's own, and anything shaped
  like one);
* case and person references (SEN-2026-0142, P-000123, and the case's own);
* the school or setting, unless the officer says it would not identify anyone;
* NHS numbers and unique pupil numbers (UPNs), wherever they appear;

with neutral placeholders such as "[the young person]" or "[date]". The result
says what was replaced by category and count, never the values, so it can be
shown for review (and logged) without repeating the details.

Matching is deliberately generous (whole words, any case, accents ignored):
removing a word too many is safe, leaving a name in is not. A person reviews
the letter before it goes. Known limits: initials ("T.J.") and nicknames not
recorded on the case are not recognised.

Pure: no I/O, nothing of ours imported except other domain modules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sendiass_desktop.domain.labels import LabelledEnum

YOUNG_PERSON = "[the young person]"
PARENT = "[the parent]"
PROFESSIONAL = "[the professional]"
OTHER_PERSON = "[another person]"
NAME = "[name]"  # a name part shared by people with different placeholders
DATE = "[date]"
ADDRESS = "[address]"
PHONE = "[phone number]"
EMAIL = "[email address]"
REFERENCE = "[reference]"
SCHOOL = "[school]"
NHS_NUMBER = "[NHS number]"
UPN = "[pupil number]"

PLACEHOLDERS = (YOUNG_PERSON, PARENT, PROFESSIONAL, OTHER_PERSON, NAME, DATE, ADDRESS, PHONE,
                EMAIL, REFERENCE, SCHOOL, NHS_NUMBER, UPN)


class Category(LabelledEnum):
    NAME = ("name", "Names")
    DATE_OF_BIRTH = ("date_of_birth", "Dates of birth")
    ADDRESS = ("address", "Addresses")
    POSTCODE = ("postcode", "Postcodes")
    PHONE = ("phone", "Phone numbers")
    EMAIL = ("email", "Email addresses")
    REFERENCE = ("reference", "Case and person references")
    SCHOOL = ("school", "School or setting")
    NHS_NUMBER = ("nhs_number", "NHS numbers")
    UPN = ("upn", "Unique pupil numbers")


# Categories that give way to a phrase the letter must keep (the Local
# Authority's own name often contains the town or county of an address).
_YIELDING = frozenset({Category.ADDRESS, Category.POSTCODE, Category.SCHOOL})


@dataclass(frozen=True)
class PersonDetails:
    """What the case holds about one person, and how they are referred to instead."""

    names: tuple[str, ...]  # e.g. ("Sarah", "Jones"), or a full name
    placeholder: str  # YOUNG_PERSON, PARENT, PROFESSIONAL or OTHER_PERSON
    date_of_birth: date | None = None
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    ref: str = ""


@dataclass(frozen=True)
class Identifiers:
    people: tuple[PersonDetails, ...] = ()
    other_names: tuple[str, ...] = ()  # other people named in the case's notes
    references: tuple[str, ...] = ()  # the case's own reference(s)
    schools: tuple[str, ...] = ()  # the school or setting
    keep: tuple[str, ...] = ()  # phrases never replaced as address or school (the LA's name)


@dataclass(frozen=True)
class Replacement:
    category: Category
    count: int


@dataclass(frozen=True)
class Anonymised:
    text: str
    replacements: tuple[Replacement, ...]  # by category, in Category order; no values

    @property
    def total(self) -> int:
        return sum(r.count for r in self.replacements)

    def count(self, category: Category) -> int:
        return sum(r.count for r in self.replacements if r.category is category)


def describe(replacements: Iterable[Replacement]) -> str:
    """ "3 names, 1 date of birth" — for a review screen or a message."""
    words = {
        Category.NAME: ("name", "names"),
        Category.DATE_OF_BIRTH: ("date of birth", "dates of birth"),
        Category.ADDRESS: ("address detail", "address details"),
        Category.POSTCODE: ("postcode", "postcodes"),
        Category.PHONE: ("phone number", "phone numbers"),
        Category.EMAIL: ("email address", "email addresses"),
        Category.REFERENCE: ("reference", "references"),
        Category.SCHOOL: ("school name", "school names"),
        Category.NHS_NUMBER: ("NHS number", "NHS numbers"),
        Category.UPN: ("pupil number", "pupil numbers"),
    }
    parts = [f"{r.count} {words[r.category][0 if r.count == 1 else 1]}"
             for r in replacements if r.count]
    return ", ".join(parts) if parts else "nothing"


# --- text folding: accents, apostrophes and dashes, one character for one --------------------

_FOLD_EXTRA = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u2010": "-",
               "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u00a0": " ",
               "\u202f": " "}


def _fold_char(ch: str) -> str:
    if ch in _FOLD_EXTRA:
        return _FOLD_EXTRA[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    if len(decomposed) > 1 and all(unicodedata.combining(c) for c in decomposed[1:]):
        return decomposed[0]
    return ch


def fold(text: str) -> str:
    """Accents dropped, curly apostrophes and dashes made plain; same length as ``text``,
    so a match in the folded text is at the same place in the original."""
    return "".join(_fold_char(c) for c in text)


# --- patterns -------------------------------------------------------------------------------

_TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr", "master", "prof", "professor", "sir",
           "lady", "dame", "rev", "revd")
_TITLE = rf"(?:(?:{'|'.join(_TITLES)})\.?\s+)?"
_ADULT_TITLE = r"(?:mr|mrs|ms|miss|mx|dr)\.?\s+"
_NOT_NAMES = frozenset({
    *_TITLES, "the", "and", "of", "de", "la", "le", "van", "von", "da", "st",
    "class", "teacher", "head", "senco", "school", "social", "worker", "family", "friend",
    "from", "at", "nurse", "doctor", "officer", "assistant", "deputy", "headteacher",
    "grandmother", "grandfather", "aunt", "uncle", "neighbour", "mum", "dad", "step",
    "partner", "health", "visitor", "team", "paediatrician", "therapist", "speech",
    "language", "educational", "psychologist", "caseworker", "coordinator", "manager",
})
_SEP = r"[\s,]+"  # between the words of a phrase: any spaces, line breaks or commas


def _phrase(text: str) -> str | None:
    """A regex for ``text`` as a phrase: folded, words separated flexibly."""
    words = [re.escape(w) for w in fold(text).split() if w]
    return _SEP.join(words) if words else None


def _word(pattern: str) -> str:
    return rf"(?<!\w){pattern}(?!\w)"


def _name_forms(name: str, free_text: bool = False) -> set[str]:
    """The full name and each part worth matching on its own (two letters or more).

    A name typed in free text ("Mrs Okafor (social worker)") also holds titles and
    roles, which are left out; a recorded given or family name is all name (someone
    may well be called Head or Friend).
    """
    cleaned = " ".join(fold(name).split())
    if len(cleaned) < 2:
        return set()
    forms = {cleaned}
    for token in re.split(r"[\s(),/]+", cleaned):
        pieces = [token, *re.split(r"[-']", token)]
        for piece in pieces:
            piece = piece.strip("-'.")
            if len(piece) >= 2 and not (free_text and piece.lower() in _NOT_NAMES):
                forms.add(piece)
    return forms


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _month_names(month: int) -> str:
    full = _MONTHS[month - 1]
    forms = {full, full[:3]}
    if month == 9:
        forms.add("Sept")
    return "(?:" + "|".join(sorted(forms, key=len, reverse=True)) + r")(?![a-z])\.?"


def _date_patterns(dob: date) -> list[str]:
    d, m = dob.day, dob.month
    yyyy, yy = f"{dob.year:04d}", f"{dob.year % 100:02d}"
    day = rf"0?{d}"
    month = rf"0?{m}"
    year = rf"(?:{yyyy}|'?{yy})"
    num_sep = r"\s*[/.\-]\s*"
    ordinal = r"(?:st|nd|rd|th)?"
    text_sep = r"[\s\-/.,]+"
    mon = _month_names(m)
    return [
        rf"(?<!\d){day}{num_sep}{month}{num_sep}{year}(?!\d)",  # 17/05/2009, 17.05.09
        rf"(?<!\d){month}{num_sep}{day}{num_sep}{year}(?!\d)",  # 05/17/2009
        rf"(?<!\d){yyyy}{num_sep}{month}{num_sep}{day}(?!\d)",  # 2009-05-17
        rf"(?<!\d){day}{ordinal}(?:\s+of)?{text_sep}{mon}{text_sep}{year}(?!\d)",  # 17 May 2009
        rf"(?<![a-z]){mon}{text_sep}{day}{ordinal},?{text_sep}{year}(?!\d)",  # May 17th, 2009
        rf"(?<![a-z]){mon}{text_sep}{yyyy}(?!\d)",  # May 2009
        rf"(?<!\d){month}{num_sep}{yyyy}(?!\d)",  # 05/2009
    ]


def _digits_pattern(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 6:
        return None
    between = r"[\s\-.()]*"
    exact = between.join(digits)
    if digits.startswith("44") and len(digits) > 10:
        digits = "0" + digits[2:]
    if digits.startswith("0"):
        national = between.join(digits[1:])
        return (rf"(?<![\d+])(?:(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0){between}{national}"
                rf"|{exact})(?!\d)")
    return rf"(?<!\d){exact}(?!\d)"


# Shapes found anywhere in the text, whoever they belong to.
_GENERIC: tuple[tuple[str, str, Category], ...] = (
    (r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", EMAIL, Category.EMAIL),
    (r"(?<![A-Za-z0-9])(?:GIR\s?0AA|[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2})(?![A-Za-z0-9])",
     ADDRESS, Category.POSTCODE),
    # 0 or +44 and nine or ten more digits, with at most a space, hyphen or closing
    # bracket between them (not dots: 01.01.00 2026 is a date and a year).
    (r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)(?:(?:\)\s?|[\s\-])?\d){9,10}(?!\d)",
     PHONE, Category.PHONE),
    (r"(?<![A-Za-z0-9])[A-Za-z]{2,6}-\d{4}-\d{4,6}(?![A-Za-z0-9])", REFERENCE,
     Category.REFERENCE),
    (r"(?<![A-Za-z0-9])P-\d{6}(?!\d)", REFERENCE, Category.REFERENCE),
    (r"(?<![\d\-])\d{3}[\s\-]?\d{3}[\s\-]?\d{4}(?![\d\-])", NHS_NUMBER, Category.NHS_NUMBER),
    (r"(?<![A-Za-z0-9])[A-Za-z]\d{11}[0-9A-Za-z](?![A-Za-z0-9])", UPN, Category.UPN),
)

_SCHOOL_WORDS = frozenset({
    "school", "academy", "primary", "secondary", "high", "infant", "infants", "junior",
    "juniors", "college", "nursery", "federation", "church", "of", "england", "ce", "c", "e",
    "rc", "catholic", "community", "special", "free", "trust", "pre-school", "preschool",
    "upper", "lower", "middle", "grammar", "sixth", "form", "centre", "unit", "pru", "the",
    "and", "&", "(ce)", "(rc)", "(vc)", "(va)", "vc", "va", "cofe", "all-through",
})


def _school_forms(name: str) -> set[str]:
    """The school's full name and its distinctive part ("Oakfield" of "Oakfield Primary
    School"): officers often use the short form."""
    words = fold(name).split()
    forms = {" ".join(words)} if words else set()
    while words and words[0].lower() == "the":
        words = words[1:]
    while words and words[-1].lower() in _SCHOOL_WORDS:
        words = words[:-1]
    core = " ".join(words)
    if len(core) >= 4:
        forms.add(core)
    return {f for f in forms if f}


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    placeholder: str
    category: Category
    # Where matches overlap, the lower wins: 0 a titled adult's name, 1 the case's own
    # details, 2 shapes found anywhere (postcodes, phone numbers...).
    priority: int = 1


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _rules(ids: Identifiers, keep_school: bool) -> list[_Rule]:
    rules: list[_Rule] = []
    # Names: a part shared by people referred to differently becomes "[name]".
    placeholder_for: dict[str, set[str]] = {}
    for person in ids.people:
        for name in person.names:
            for form in _name_forms(name):
                placeholder_for.setdefault(form.lower(), set()).add(person.placeholder)
    for name in ids.other_names:
        for form in _name_forms(name, free_text=True):
            placeholder_for.setdefault(form.lower(), set()).add(OTHER_PERSON)
    for person in ids.people:
        full = " ".join(" ".join(person.names).split())
        if full:
            placeholder_for.setdefault(fold(full).lower(), set()).add(person.placeholder)
    for form, placeholders in placeholder_for.items():
        words = _phrase(form)
        if words is None:
            continue
        placeholder = next(iter(placeholders)) if len(placeholders) == 1 else NAME
        rules.append(_Rule(_compile(_word(_TITLE + words)), placeholder, Category.NAME))
        adults = placeholders - {YOUNG_PERSON}
        if placeholder == NAME and len(adults) == 1:
            # "Mrs Jones" when mother and son are both Joneses: the adult.
            rules.append(_Rule(_compile(_word(_ADULT_TITLE + words)), next(iter(adults)),
                               Category.NAME, priority=0))
    for person in ids.people:
        if person.date_of_birth is not None:
            rules.extend(_Rule(_compile(p), DATE, Category.DATE_OF_BIRTH)
                         for p in _date_patterns(person.date_of_birth))
        if person.email.strip():
            rules.append(_Rule(_compile(_word(re.escape(fold(person.email.strip())))), EMAIL,
                               Category.EMAIL))
        phone = _digits_pattern(person.phone)
        if phone:
            rules.append(_Rule(_compile(phone), PHONE, Category.PHONE))
        rules.extend(_address_rules(person.address))
        postcode = re.sub(r"\s+", "", fold(person.postcode))
        if len(postcode) >= 3:
            spaced = r"\s*".join(re.escape(c) for c in postcode)
            rules.append(_Rule(_compile(_word(spaced)), ADDRESS, Category.POSTCODE))
        if person.ref.strip():
            rules.append(_Rule(_compile(_word(re.escape(person.ref.strip()))), REFERENCE,
                               Category.REFERENCE))
    for ref in ids.references:
        if ref.strip():
            rules.append(_Rule(_compile(_word(re.escape(fold(ref.strip())))), REFERENCE,
                               Category.REFERENCE))
    if not keep_school:
        for school in ids.schools:
            for form in _school_forms(school):
                words = _phrase(form)
                if words:
                    rules.append(_Rule(_compile(_word(words)), SCHOOL, Category.SCHOOL))
    rules.extend(_Rule(_compile(p), placeholder, category, priority=2)
                 for p, placeholder, category in _GENERIC)
    return rules


def _address_rules(address: str) -> list[_Rule]:
    lines = [" ".join(line.split()) for line in re.split(r"[\n\r,;]+", fold(address))]
    lines = [line for line in lines if len(line) >= 3]
    forms: set[str] = set(lines)
    for line in lines:
        # "12 Mill Lane" is also written "Mill Lane"; "Flat 3, 12 Mill Lane" too.
        rest = re.sub(r"^(?:flat|apartment|unit)?\s*\d+[a-z]?\b\s*", "", line, flags=re.I)
        if len(rest) >= 3 and rest != line:
            forms.add(rest)
    if len(lines) > 1:
        forms.add(" ".join(lines))
    rules = []
    for form in forms:
        words = _phrase(form)
        if words:
            rules.append(_Rule(_compile(_word(words)), ADDRESS, Category.ADDRESS))
    return rules


# --- finding and replacing ------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    placeholder: str
    category: Category
    priority: int = 1


def _kept_ranges(folded: str, keep: Sequence[str]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for phrase in keep:
        words = _phrase(phrase)
        if words:
            ranges.extend(m.span() for m in _compile(_word(words)).finditer(folded))
    return ranges


_PLACED = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS), re.IGNORECASE)


def _hits(text: str, ids: Identifiers, keep_school: bool) -> list[_Hit]:
    """Non-overlapping replacements in text order (overlapping matches merged)."""
    folded = fold(text)
    kept = _kept_ranges(folded, ids.keep)
    # Placeholders already in the text (an edited letter) are never touched.
    placed = [m.span() for m in _PLACED.finditer(folded)]
    found: list[_Hit] = []
    for rule in _rules(ids, keep_school):
        for m in rule.pattern.finditer(folded):
            start, end = m.span()
            if end <= start or any(s < end and start < e for s, e in placed):
                continue
            if rule.category in _YIELDING and any(s < end and start < e for s, e in kept):
                continue
            found.append(_Hit(start, end, rule.placeholder, rule.category, rule.priority))
    # Overlapping matches are replaced together, so no piece of either is left behind.
    # The placeholder is that of a match no other match contains, preferring the
    # case's own details to mere shapes, then the longest.
    found.sort(key=lambda h: (h.start, h.end))
    chosen: list[_Hit] = []
    cluster: list[_Hit] = []
    for hit in [*found, None]:
        if hit is not None and cluster and hit.start < max(h.end for h in cluster):
            cluster.append(hit)
            continue
        if cluster:
            chosen.append(_merge(cluster))
        cluster = [hit] if hit is not None else []
    return chosen


def _merge(cluster: list[_Hit]) -> _Hit:
    def contained(a: _Hit) -> bool:
        return any(b.start <= a.start and a.end <= b.end and (b.end - b.start) > (a.end - a.start)
                   for b in cluster)

    outer = [h for h in cluster if not contained(h)]
    best = min(outer, key=lambda h: (h.priority, -(h.end - h.start), h.start, h.category.code,
                                     h.placeholder))
    return _Hit(min(h.start for h in cluster), max(h.end for h in cluster), best.placeholder,
                best.category, best.priority)


def _counts(hits: Iterable[_Hit]) -> tuple[Replacement, ...]:
    counts: dict[Category, int] = {}
    for hit in hits:
        counts[hit.category] = counts.get(hit.category, 0) + 1
    return tuple(Replacement(c, counts[c]) for c in Category if c in counts)


def anonymise(text: str, ids: Identifiers, *, keep_school: bool = False) -> Anonymised:
    """``text`` with every identifying detail replaced by a placeholder, and the counts."""
    hits = _hits(text, ids, keep_school)
    out: list[str] = []
    pos = 0
    for hit in hits:
        out.append(text[pos:hit.start])
        out.append(hit.placeholder)
        pos = hit.end
    out.append(text[pos:])
    return Anonymised("".join(out), _counts(hits))


def remaining(text: str, ids: Identifiers, *, keep_school: bool = False
              ) -> tuple[Replacement, ...]:
    """What ``anonymise`` would still replace in ``text`` (empty when the text is clean)."""
    return _counts(_hits(text, ids, keep_school))
