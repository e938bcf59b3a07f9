"""Gathering everything held about the data subjects of a SAR, as review items.

This module reads the store and builds ``ReviewItem``s with the app's
suggested decision for each; it makes no permission checks and writes
nothing (``services/sar.py`` does both). The suggestions follow the
confidentiality rules (see docs/decisions/0007-sar-requester-and-subject.md):

* young-person confidential notes are withheld from anyone but the young
  person (rule 3, ``Exemption.YOUNG_PERSON_CONFIDENCE``);
* restricted notes are withheld until a manager decides
  (``Exemption.THIRD_PARTY``): they never go out by default;
* safeguarding records are withheld until a manager decides
  (``CHILD_ABUSE`` for a parent's request, ``SERIOUS_HARM`` otherwise);
* everything from a young person's own case (they are its primary service
  user) is withheld from anyone else's request, as young-person confidential;
* deleted notes are withheld (``NOT_PERSONAL_DATA``): a note is usually
  deleted because it was put on the wrong family's case;
* everything else is disclosed, with every mention of a third party
  suggested for redaction (``THIRD_PARTY``) and the data subjects' own names
  never redacted;
* a document cannot be partly redacted: it is disclosed or withheld whole.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from sendiass_desktop.domain.audit import AuditAction, AuditEntry
from sendiass_desktop.domain.cases import Case
from sendiass_desktop.domain.consent import ConsentRecord, OverrideGrounds, ShareOverride
from sendiass_desktop.domain.deadlines import DeadlineKind
from sendiass_desktop.domain.documents import DocumentInfo
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.notes import Confidentiality, Note
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.domain.redaction import (
    Decision,
    ItemDecision,
    Segment,
    Span,
    apply_redactions,
    merge_spans,
    suggest_spans,
)
from sendiass_desktop.domain.safeguarding import SafeguardingConcern
from sendiass_desktop.domain.sar import SarRequest, audience_for
from sendiass_desktop.domain.visibility import Audience
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import consent as consent_repo
from sendiass_desktop.store import deadlines as deadlines_repo
from sendiass_desktop.store import documents as documents_repo
from sendiass_desktop.store import notes as notes_repo
from sendiass_desktop.store import people as people_repo
from sendiass_desktop.store import safeguarding as safeguarding_repo
from sendiass_desktop.store import sar as sar_repo
from sendiass_desktop.store import users as users_repo
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.deadlines import StoredDeadline
from sendiass_desktop.store.sar import Disclosure, DisclosureKind

ACCESS_LOG_KEY = "access-log"


class ItemKind(Enum):
    PERSON = "person"
    CASE = "case"
    NOTE = "note"
    CONSENT = "consent"
    OVERRIDE = "override"
    CONCERN = "concern"
    DOCUMENT = "document"
    DEADLINE = "deadline"
    DISCLOSURE = "disclosure"
    ACCESS_LOG = "access-log"


# Order of categories when dates are equal, and in the review list.
_KIND_ORDER = {k: i for i, k in enumerate(ItemKind)}


@dataclass(frozen=True)
class ItemField:
    """A labelled value inside an item's text: ``text[start:end]`` is the value."""

    label: str
    start: int
    end: int


@dataclass(frozen=True)
class ReviewItem:
    """One thing held about the data subjects, as the reviewer sees it.

    ``text`` is everything that can reach the pack apart from ``category``,
    ``title`` and ``on`` (which never carry names): labelled values first
    (``fields`` say where each value sits), then the free text from
    ``body_start``. Redaction spans are offsets into ``text``.
    """

    key: str  # "note:42"; stable across gathering runs
    kind: ItemKind
    category: str
    title: str
    on: date | None
    text: str
    fields: tuple[ItemField, ...]
    body_start: int
    suggestion: ItemDecision
    suggestion_reason: str
    third_parties: tuple[str, ...] = ()  # names suggested for redaction
    case_id: int | None = None
    case_ref: str = ""
    confidentiality: Confidentiality | None = None
    safeguarding: bool = False
    deleted: bool = False
    document: DocumentInfo | None = None

    @property
    def body(self) -> str:
        return self.text[self.body_start:]

    @property
    def redactable(self) -> bool:
        """Documents are disclosed or withheld whole; everything else can be redacted."""
        return self.kind is not ItemKind.DOCUMENT

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def field_values(self) -> list[tuple[str, str]]:
        return [(f.label, self.text[f.start:f.end]) for f in self.fields]


@dataclass(frozen=True)
class Gathered:
    sar: SarRequest
    audience: Audience
    subjects: dict[int, Person]
    cases: tuple[Case, ...]
    items: tuple[ReviewItem, ...]
    # Paper files the manager must check by hand: (case reference, where they are).
    paper_records: tuple[tuple[str, str], ...] = ()

    def item(self, key: str) -> ReviewItem | None:
        for it in self.items:
            if it.key == key:
                return it
        return None


# --- text with labelled values ---------------------------------------------------------


@dataclass
class _Text:
    parts: list[str] = field(default_factory=list)
    fields: list[ItemField] = field(default_factory=list)
    length: int = 0

    def add(self, label: str, value: str | None) -> None:
        value = (value or "").strip()
        if not value:
            return
        prefix = f"{label}: "
        start = self.length + len(prefix)
        self.parts.append(f"{prefix}{value}\n")
        self.fields.append(ItemField(label, start, start + len(value)))
        self.length += len(prefix) + len(value) + 1

    def finish(self, body: str = "") -> tuple[str, tuple[ItemField, ...], int]:
        body = body.strip("\n")
        if body and self.parts:
            self.parts.append("\n")
            self.length += 1
        body_start = self.length
        return "".join(self.parts) + body, tuple(self.fields), body_start


def segments_in_range(text: str, spans: Iterable[Span], start: int, end: int
                      ) -> tuple[Segment, ...]:
    """``text[start:end]`` with every span that touches it applied (clipped to the range)."""
    if start >= end:
        return ()
    clipped = [Span(max(s.start, start) - start, min(s.end, end) - start, s.exemption)
               for s in spans if s.start < end and s.end > start]
    return apply_redactions(text[start:end], clipped)


# --- third parties and the data subjects' own names ---------------------------------------


def _name_parts(name: str) -> set[str]:
    return {p.lower() for p in re.split(r"[\s()\-,]+", name) if len(p) >= 2}


def _occurrences(text: str, phrase: str) -> list[tuple[int, int]]:
    phrase = " ".join(phrase.split())
    if not phrase:
        return []
    regex = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.IGNORECASE)
    return [(m.start(), m.end()) for m in regex.finditer(text)]


def protected_ranges(text: str, subject_names: Sequence[str],
                     third_party_names: Sequence[str]) -> list[tuple[int, int]]:
    """Where the data subjects' own names appear, which are never redacted.

    Full names always; a single part of a subject's name (e.g. "Tom") only
    when no third party shares it, so "Mr Jones" is still suggested when the
    father (a third party) is also a Jones.
    """
    shared = set().union(*(_name_parts(n) for n in third_party_names)) if third_party_names \
        else set()
    phrases: set[str] = set()
    for name in subject_names:
        cleaned = " ".join(name.split())
        if not cleaned:
            continue
        phrases.add(cleaned)
        for part in re.split(r"[\s()\-,]+", cleaned):
            if len(part) >= 2 and part.lower() not in shared:
                phrases.add(part)
    ranges: list[tuple[int, int]] = []
    for phrase in phrases:
        ranges.extend(_occurrences(text, phrase))
    return sorted(ranges)


def _subtract(spans: Iterable[Span], protected: Sequence[tuple[int, int]]) -> tuple[Span, ...]:
    out: list[Span] = []
    for span in spans:
        pieces = [(span.start, span.end)]
        for p_start, p_end in protected:
            next_pieces: list[tuple[int, int]] = []
            for a, b in pieces:
                if p_end <= a or p_start >= b:
                    next_pieces.append((a, b))
                    continue
                if a < p_start:
                    next_pieces.append((a, p_start))
                if p_end < b:
                    next_pieces.append((p_end, b))
            pieces = next_pieces
        out.extend(Span(a, b, span.exemption) for a, b in pieces if b > a)
    return merge_spans(out)


def third_party_spans(text: str, third_party_names: Sequence[str],
                      subject_names: Sequence[str]) -> tuple[Span, ...]:
    """Suggested redactions of third parties, never covering a data subject's own name."""
    if not third_party_names:
        return ()
    key = _suggestion_key(text, third_party_names, subject_names)
    with _SUGGESTED_LOCK:
        known = _SUGGESTED.get(key)
        if known is not None:
            _SUGGESTED.move_to_end(key)
            return known
    spans = suggest_spans(text, third_party_names, Exemption.THIRD_PARTY)
    if spans:
        spans = _subtract(spans, protected_ranges(text, subject_names, third_party_names))
    with _SUGGESTED_LOCK:
        _SUGGESTED[key] = spans
        while len(_SUGGESTED) > _SUGGESTED_MAX:
            _SUGGESTED.popitem(last=False)
    return spans


# Suggestions remembered across gatherings. The review screen gathers the whole
# request again after every saved decision, and a thousand notes' suggestions
# were most of that. The result is a pure function of the text and the two
# lists of names, so it is remembered under a SHA-256 of exactly those: the
# memory holds digests and character offsets, never the text or a name.
_SUGGESTED: OrderedDict[bytes, tuple[Span, ...]] = OrderedDict()
_SUGGESTED_LOCK = threading.Lock()
_SUGGESTED_MAX = 20_000


def _suggestion_key(text: str, third_party_names: Sequence[str],
                    subject_names: Sequence[str]) -> bytes:
    digest = hashlib.sha256()

    def add(value: str) -> None:
        # Length first, so no two different inputs can run together into one key.
        data = value.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)

    add(text)
    for names in (third_party_names, subject_names):
        digest.update(len(names).to_bytes(8, "big"))
        for name in names:
            add(name)
    return digest.digest()


# --- suggestions ----------------------------------------------------------------------------

REASON_YP = ("Told to the service in confidence by the young person: not disclosed to a parent "
             "(confidentiality rule 3).")
REASON_YP_CASE = ("From the young person's own case (they use the service themselves): not "
                  "disclosed to anyone else without the young person's agreement (rule 3).")
REASON_RESTRICTED = ("Restricted note: withheld unless a manager decides it can be disclosed "
                     "(it usually holds information about other people).")
REASON_SAFEGUARDING = ("Safeguarding record: withheld unless a manager decides disclosure "
                       "would not put anyone at risk.")
REASON_DELETED = ("Deleted note: check it belongs to this family (notes are often deleted "
                  "because they were put on the wrong case).")
REASON_DELETED_DOCUMENT = ("Deleted document: check it belongs to this family before "
                           "disclosing it.")
REASON_DOC_WITH_NOTE = "Attached to a note that is withheld by default."
REASON_THIRD_PARTY = "Names of other people are suggested for redaction."
REASON_DOCUMENT = ("Check the document for information about other people: a document cannot "
                   "be partly redacted, only disclosed or withheld whole.")
REASON_DISCLOSE = "Nothing found that needs withholding or redacting."


def _safeguarding_exemption(audience: Audience) -> Exemption:
    return Exemption.CHILD_ABUSE if audience is Audience.PARENT else Exemption.SERIOUS_HARM


def _withhold(key: str, exemption: Exemption, reason: str) -> tuple[ItemDecision, str]:
    return ItemDecision(key, Decision.WITHHOLD, exemption=exemption, suggested=True), reason


def suggest(key: str, text: str, *, audience: Audience, third_parties: Sequence[str],
            subject_names: Sequence[str], confidentiality: Confidentiality | None = None,
            safeguarding: bool = False, deleted: bool = False,
            redactable: bool = True) -> tuple[ItemDecision, str]:
    """The app's suggested decision for one item, and why (shown to the reviewer)."""
    if confidentiality is Confidentiality.YOUNG_PERSON and audience is not Audience.YOUNG_PERSON:
        return _withhold(key, Exemption.YOUNG_PERSON_CONFIDENCE, REASON_YP)
    if confidentiality is Confidentiality.RESTRICTED:
        return _withhold(key, Exemption.THIRD_PARTY, REASON_RESTRICTED)
    if safeguarding:
        return _withhold(key, _safeguarding_exemption(audience), REASON_SAFEGUARDING)
    if deleted:
        return _withhold(key, Exemption.NOT_PERSONAL_DATA, REASON_DELETED)
    if not redactable:
        return ItemDecision(key, Decision.DISCLOSE, suggested=True), REASON_DOCUMENT
    spans = third_party_spans(text, third_parties, subject_names)
    if spans:
        return ItemDecision(key, Decision.REDACT, spans=spans, suggested=True), REASON_THIRD_PARTY
    return ItemDecision(key, Decision.DISCLOSE, suggested=True), REASON_DISCLOSE


# --- gathering -------------------------------------------------------------------------------


def _d(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value is not None else ""


def _dt(value: datetime) -> str:
    return f"{value:%d/%m/%Y %H:%M}"


_DEADLINE_LABELS = {
    DeadlineKind.SAR_RESPONSE: "Reply to a subject access request",
    DeadlineKind.EHC_DECISION_TO_ASSESS: "EHC needs assessment: decision to assess",
    DeadlineKind.EHC_NO_PLAN_NOTICE: "EHC needs assessment: notice of no plan",
    DeadlineKind.EHC_DRAFT_COMMENTS: "Comments on the draft EHC plan",
    DeadlineKind.EHC_FINAL_PLAN: "Final EHC plan",
    DeadlineKind.TRIBUNAL_APPEAL: "SEND Tribunal appeal",
    DeadlineKind.ANNUAL_REVIEW: "Review of the EHC plan",
    DeadlineKind.ANNUAL_REVIEW_DECISION: "Decision after the review meeting",
    DeadlineKind.TASK: "Task",
}


@dataclass
class _Context:
    audience: Audience
    subject_names: tuple[str, ...]
    third_parties_by_case: dict[int, tuple[str, ...]]
    all_third_parties: tuple[str, ...]
    # Cases the young person uses the service on themselves (they are its primary
    # service user): withheld from anyone else's request by default (rule 3).
    young_persons_cases: frozenset[int] = frozenset()


def _item(ctx: _Context, key: str, kind: ItemKind, category: str, title: str, on: date | None,
          builder: _Text, body: str = "", *, case: Case | None = None,
          confidentiality: Confidentiality | None = None, safeguarding: bool = False,
          deleted: bool = False, document: DocumentInfo | None = None,
          forced: tuple[ItemDecision, str] | None = None) -> ReviewItem:
    text, fields, body_start = builder.finish(body)
    if forced is None and case is not None and case.id in ctx.young_persons_cases:
        forced = (ItemDecision(key, Decision.WITHHOLD,
                               exemption=Exemption.YOUNG_PERSON_CONFIDENCE, suggested=True),
                  REASON_YP_CASE)
    third = (ctx.third_parties_by_case.get(case.id or 0, ()) if case is not None
             else ctx.all_third_parties)
    suggestion, reason = forced or suggest(
        key, text, audience=ctx.audience, third_parties=third, subject_names=ctx.subject_names,
        confidentiality=confidentiality, safeguarding=safeguarding, deleted=deleted,
        redactable=kind is not ItemKind.DOCUMENT)
    return ReviewItem(
        key=key, kind=kind, category=category, title=title, on=on, text=text, fields=fields,
        body_start=body_start, suggestion=suggestion, suggestion_reason=reason,
        third_parties=third, case_id=case.id if case else None,
        case_ref=case.ref if case else "", confidentiality=confidentiality,
        safeguarding=safeguarding, deleted=deleted, document=document,
    )


def _person_item(ctx: _Context, p: Person) -> ReviewItem:
    t = _Text()
    t.add("Name", p.display_name)
    t.add("Reference", p.ref)
    t.add("Role", p.role.label)
    t.add("Date of birth", _d(p.date_of_birth))
    t.add("Email", p.email)
    t.add("Phone", p.phone)
    t.add("Address", p.address)
    t.add("Postcode", p.postcode)
    t.add("Pronouns", p.pronouns)
    t.add("Language", p.language)
    t.add("Access needs", p.access_needs)
    t.add("Organisation", p.organisation)
    return _item(ctx, f"person:{p.id}", ItemKind.PERSON, "Personal details",
                 f"Personal details ({p.ref})", None, t)


def _case_item(ctx: _Context, c: Case) -> ReviewItem:
    t = _Text()
    t.add("Reference", c.ref)
    t.add("Opened", _d(c.opened_on))
    t.add("Closed", _d(c.closed_on))
    t.add("Referred", _d(c.referral_date))
    t.add("Referred by", c.referral_source.label)
    t.add("School or setting", c.school_setting)
    t.add("Local Authority", c.local_authority)
    t.add("Issues", "; ".join(sorted(i.label for i in c.issue_types)))
    t.add("EHC stage", c.ehc_stage.label)
    t.add("Outcomes", "; ".join(sorted(o.label for o in c.outcomes)))
    return _item(ctx, f"case:{c.id}", ItemKind.CASE, "Case", f"Case {c.ref}", c.opened_on, t,
                 c.summary, case=c)


def _note_item(ctx: _Context, c: Case, n: Note) -> ReviewItem:
    t = _Text()
    t.add("Type", n.type.label)
    t.add("Date", _dt(n.occurred_at))
    t.add("Case", c.ref)
    title = f"{n.type.label}, {n.occurred_at:%d/%m/%Y}"
    return _item(ctx, f"note:{n.id}", ItemKind.NOTE, "Case note", title, n.occurred_at.date(), t,
                 n.body, case=c, confidentiality=n.confidentiality,
                 safeguarding=n.safeguarding, deleted=n.deleted)


def _consent_item(ctx: _Context, c: Case, r: ConsentRecord, people: dict[int, Person]
                  ) -> ReviewItem:
    t = _Text()
    person = people.get(r.person_id)
    t.add("About", person.display_name if person else "")
    t.add("Consent", "Given" if r.state.value == "given" else "Withdrawn")
    t.add("To share with", r.recipient.label)
    t.add("Named recipient", r.recipient_detail)
    t.add("For", r.purpose.label)
    t.add("Recorded", _dt(r.recorded_at))
    t.add("How", r.method.label)
    t.add("Expires", _d(r.expires_on))
    return _item(ctx, f"consent:{r.id}", ItemKind.CONSENT, "Consent",
                 f"Consent record, {r.recorded_at:%d/%m/%Y}", r.recorded_at.date(), t, r.notes,
                 case=c)


def _override_item(ctx: _Context, c: Case, o: ShareOverride, people: dict[int, Person]
                   ) -> ReviewItem:
    t = _Text()
    person = people.get(o.person_id)
    t.add("About", person.display_name if person else "")
    t.add("Shared with", o.recipient.label)
    t.add("Named recipient", o.recipient_detail)
    t.add("For", o.purpose.label)
    t.add("Grounds", o.grounds.label)
    t.add("Decided", _dt(o.decided_at))
    t.add("Valid until", _d(o.valid_until))
    return _item(ctx, f"override:{o.id}", ItemKind.OVERRIDE, "Sharing without consent",
                 f"Sharing without consent, {o.decided_at:%d/%m/%Y}", o.decided_at.date(), t,
                 o.justification, case=c,
                 safeguarding=o.grounds is OverrideGrounds.SAFEGUARDING)


def _concern_item(ctx: _Context, c: Case, s: SafeguardingConcern) -> ReviewItem:
    t = _Text()
    t.add("Raised", _d(s.raised_on))
    t.add("Action", s.action.label)
    t.add("Status", s.status.label)
    t.add("Outcome", s.outcome)
    return _item(ctx, f"concern:{s.id}", ItemKind.CONCERN, "Safeguarding",
                 f"Safeguarding concern, {s.raised_on:%d/%m/%Y}", s.raised_on, t, s.description,
                 case=c, safeguarding=True)


def _document_item(ctx: _Context, c: Case, d: DocumentInfo, note_items: dict[int, ReviewItem]
                   ) -> ReviewItem:
    t = _Text()
    t.add("File name", d.filename)
    t.add("Type", d.media_type.label)
    t.add("Added", _dt(d.added_at))
    t.add("Case", c.ref)
    forced: tuple[ItemDecision, str] | None = None
    linked = note_items.get(d.note_id) if d.note_id is not None else None
    if linked is not None:
        t.add("Attached to", linked.title)
        if linked.suggestion.decision is Decision.WITHHOLD:
            forced = (ItemDecision(f"document:{d.id}", Decision.WITHHOLD,
                                   exemption=linked.suggestion.exemption, suggested=True),
                      REASON_DOC_WITH_NOTE)
    deleted = d.deleted_at is not None
    if deleted and forced is None:
        forced = (ItemDecision(f"document:{d.id}", Decision.WITHHOLD,
                               exemption=Exemption.NOT_PERSONAL_DATA, suggested=True),
                  REASON_DELETED_DOCUMENT)
    return _item(ctx, f"document:{d.id}", ItemKind.DOCUMENT, "Document",
                 f"Document, {d.added_at:%d/%m/%Y}", d.added_at.date(), t, d.description,
                 case=c, document=d, deleted=deleted, forced=forced,
                 confidentiality=linked.confidentiality if linked else None,
                 safeguarding=linked.safeguarding if linked else False)


def _deadline_item(ctx: _Context, c: Case, d: StoredDeadline) -> ReviewItem:
    t = _Text()
    kind = _DEADLINE_LABELS.get(d.deadline.kind, "Deadline")
    t.add("What", d.deadline.label)
    t.add("Due", _d(d.deadline.due))
    t.add("Done", _d(d.done_on))
    return _item(ctx, f"deadline:{d.id}", ItemKind.DEADLINE, "Deadline",
                 f"{kind}, due {d.deadline.due:%d/%m/%Y}", d.deadline.due, t, case=c)


def _disclosure_item(ctx: _Context, d: Disclosure, sar_refs: dict[int, str]) -> ReviewItem:
    t = _Text()
    t.add("What", "Subject access request reply" if d.kind == DisclosureKind.SAR
          else "Extract of records")
    t.add("Reference", sar_refs.get(d.sar_id or 0, "") if d.sar_id else d.other_ref)
    t.add("Sent to", d.recipient)
    t.add("Date", _d(d.sent_at.date()))
    t.add("Pages", str(d.page_count))
    return _item(ctx, f"disclosure:{d.id}", ItemKind.DISCLOSURE, "Disclosure",
                 f"Disclosure, {d.sent_at:%d/%m/%Y}", d.sent_at.date(), t)


_ACTION_WORDS = {
    AuditAction.RECORD_READ.value: "viewed",
    AuditAction.RECORD_CREATED.value: "created",
    AuditAction.RECORD_UPDATED.value: "changed",
    AuditAction.RECORD_DELETED.value: "deleted",
    AuditAction.RECORD_RESTORED.value: "restored",
    AuditAction.EXPORTED.value: "exported",
    AuditAction.IMPORTED.value: "imported",
    AuditAction.OVERRIDE.value: "recorded sharing without consent from",
    AuditAction.PERMISSION_REFUSED.value: "was refused access to",
}

_TARGET_WORDS = {
    "person": "personal details",
    "case": "the case file",
    "note": "a case note",
    "document": "a document",
    "consent": "a consent record",
    "safeguarding": "a safeguarding record",
}


def access_log_lines(entries: Iterable[AuditEntry], display_names: dict[str, str],
                     case_refs: dict[str, str]) -> list[str]:
    """'When, who, what' for each audit entry, in plain words and local time."""
    lines: list[str] = []
    for e in entries:
        when = datetime.fromisoformat(e.at).astimezone()
        who = display_names.get(e.actor) or {
            "system": "The system", "recovery-key": "An administrator (recovery key)",
        }.get(e.actor, e.actor)
        action = _ACTION_WORDS.get(e.action, "used")
        what = _TARGET_WORDS.get(e.target_type, "a record")
        if e.target_type == "case" and e.target_id in case_refs:
            what = f"the case file {case_refs[e.target_id]}"
        lines.append(f"{when:%d/%m/%Y %H:%M}  {who}  {action} {what}")
    return lines


def _access_item(ctx: _Context, lines: list[str], last: date | None) -> ReviewItem:
    t = _Text()
    t.add("Entries", str(len(lines)))
    return _item(ctx, ACCESS_LOG_KEY, ItemKind.ACCESS_LOG, "Access record",
                 "Who has looked at or changed the records", last, t, "\n".join(lines),
                 forced=(ItemDecision(ACCESS_LOG_KEY, Decision.DISCLOSE, suggested=True),
                         "Staff names and the times they used the records are shown; "
                         "nothing about other people is in this list."))


def _cases_for(conn: Connection, subject_ids: Sequence[int],
               consents: Iterable[ConsentRecord]) -> list[Case]:
    """Every case a subject is a party to, and any case holding their consent records
    (in case they were taken off the case's parties later)."""
    ids: set[int] = {r.case_id for r in consents}
    for pid in subject_ids:
        ids.update(people_repo.case_ids_for_person(conn, pid))
    return [cases_repo.get(conn, cid) for cid in sorted(ids)]


def gather(conn: Connection, sar: SarRequest) -> Gathered:
    """Everything held about the request's data subjects, across every case they are on."""
    subject_ids = sar.data_subject_ids
    subjects = people_repo.many(conn, list(subject_ids))
    requester = subjects[sar.requester_person_id]
    for_person = subjects.get(sar.for_person_id) if sar.for_person_id is not None else None
    audience = audience_for(sar.relationship, requester.role,
                            for_person.role if for_person else None)
    consents = [r for pid in subject_ids for r in consent_repo.for_person(conn, pid)]
    cases = _cases_for(conn, subject_ids, consents)

    party_ids = {p.person_id for c in cases for p in c.parties}
    notes_by_case = {c.id: notes_repo.for_case(conn, c.id or 0, include_deleted=True)
                     for c in cases}
    overrides = [o for c in cases for o in consent_repo.overrides_for_case(conn, c.id or 0)
                 if o.person_id in subject_ids]
    people = people_repo.many(conn, sorted(party_ids | set(subject_ids)))

    third_by_case: dict[int, tuple[str, ...]] = {}
    for c in cases:
        names: list[str] = [people[p.person_id].display_name for p in c.parties
                            if p.person_id not in subject_ids and p.person_id in people]
        for n in notes_by_case[c.id]:
            names.extend(n.third_parties)
        third_by_case[c.id or 0] = tuple(dict.fromkeys(x for x in names if x.strip()))
    all_third = tuple(dict.fromkeys(x for names in third_by_case.values() for x in names))
    yp_cases = frozenset(
        c.id or 0 for c in cases
        if audience is not Audience.YOUNG_PERSON and c.primary_person_id != requester.id
        and people[c.primary_person_id].role is PersonRole.CHILD_YOUNG_PERSON)
    ctx = _Context(audience, tuple(subjects[i].display_name for i in subject_ids),
                   third_by_case, all_third, yp_cases)

    items: list[ReviewItem] = [_person_item(ctx, subjects[i]) for i in subject_ids]
    case_by_id = {c.id: c for c in cases}
    paper: list[tuple[str, str]] = []
    for c in cases:
        items.append(_case_item(ctx, c))
        if c.paper_records.strip():
            paper.append((c.ref, c.paper_records.strip()))
        note_items = {n.id or 0: _note_item(ctx, c, n) for n in notes_by_case[c.id]}
        items.extend(note_items.values())
        items.extend(_concern_item(ctx, c, s)
                     for s in safeguarding_repo.for_case(conn, c.id or 0))
        items.extend(_document_item(ctx, c, d, note_items)
                     for d in documents_repo.for_case(conn, c.id or 0, include_deleted=True))
        items.extend(_deadline_item(ctx, c, d) for d in deadlines_repo.for_case(conn, c.id or 0))
        items.extend(_override_item(ctx, c, o, people) for o in overrides if o.case_id == c.id)
    for r in consents:
        case = case_by_id.get(r.case_id)
        if case is not None:
            items.append(_consent_item(ctx, case, r, people))

    disclosures = [d for d in sar_repo.disclosures_about(conn, subject_ids) if d.sar_id != sar.id]
    sar_refs = {s.id or 0: s.ref for pid in subject_ids for s in sar_repo.for_person(conn, pid)}
    items.extend(_disclosure_item(ctx, d, sar_refs) for d in disclosures)

    # Who accessed the file: entries about the subjects' records, leaving out the
    # records that are withheld by default (their access would reveal they exist).
    hidden = {it.key for it in items if it.suggestion.decision is Decision.WITHHOLD}
    targets: dict[str, list[int]] = {"person": list(subject_ids),
                                     "case": [c.id or 0 for c in cases
                                              if c.id not in yp_cases]}
    for it in items:
        kind, _, ident = it.key.partition(":")
        target = {"note": "note", "document": "document", "consent": "consent",
                  "concern": "safeguarding"}.get(kind)
        if target and it.key not in hidden:
            targets.setdefault(target, []).append(int(ident))
    entries = sar_repo.audit_entries_for_targets(conn, targets)
    if entries:
        staff = {u.username: u.display_name or u.username for u in users_repo.all_users(conn)}
        case_refs = {str(c.id): c.ref for c in cases}
        last = datetime.fromisoformat(entries[-1].at).astimezone().date()
        items.append(_access_item(ctx, access_log_lines(entries, staff, case_refs), last))

    items.sort(key=lambda it: (it.kind is not ItemKind.PERSON, it.on or date.min,
                               _KIND_ORDER[it.kind], it.key))
    return Gathered(sar, audience, subjects, tuple(cases), tuple(items), tuple(paper))


def gather_case(conn: Connection, case: Case, audience: Audience, subject_ids: Sequence[int],
                include_note: Callable[[Note], bool] | None = None
                ) -> tuple[dict[int, Person], tuple[ReviewItem, ...]]:
    """One case's records as review items, for an extract to another agency.

    The same builders and suggestions as a SAR, for ``audience``: the subjects'
    personal details, the case, its notes, safeguarding concerns, documents and
    deadlines. Not included: deleted notes and documents, notes for which
    ``include_note`` is false (and documents attached to them), and the
    service's own handling (consent records, overrides, earlier disclosures,
    the access record). Returns the subjects (by id) and the items.
    """
    assert case.id is not None
    people = people_repo.many(conn, sorted({p.person_id for p in case.parties}
                                           | set(subject_ids)))
    subjects = {i: people[i] for i in subject_ids if i in people}
    notes = [n for n in notes_repo.for_case(conn, case.id)
             if include_note is None or include_note(n)]
    names: list[str] = [people[p.person_id].display_name for p in case.parties
                        if p.person_id not in subjects and p.person_id in people]
    for n in notes:
        names.extend(n.third_parties)
    third = tuple(dict.fromkeys(x for x in names if x.strip()))
    ctx = _Context(audience, tuple(p.display_name for p in subjects.values()),
                   {case.id: third}, third)
    items: list[ReviewItem] = [_person_item(ctx, p) for p in subjects.values()]
    items.append(_case_item(ctx, case))
    note_items = {n.id or 0: _note_item(ctx, case, n) for n in notes}
    items.extend(note_items.values())
    items.extend(_concern_item(ctx, case, s) for s in safeguarding_repo.for_case(conn, case.id))
    items.extend(_document_item(ctx, case, d, note_items)
                 for d in documents_repo.for_case(conn, case.id)
                 if d.note_id is None or d.note_id in note_items)
    items.extend(_deadline_item(ctx, case, d) for d in deadlines_repo.for_case(conn, case.id))
    items.sort(key=lambda it: (it.kind is not ItemKind.PERSON, it.on or date.min,
                               _KIND_ORDER[it.kind], it.key))
    return subjects, tuple(items)
