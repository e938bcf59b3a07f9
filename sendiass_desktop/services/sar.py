"""Subject access requests: the register, the clock, and the review (rule 9).

Only managers and administrators (``Permission.MANAGE_SARS``) may do any of
this; everyone else is refused, and the refusal is audited. Audit details
carry ids, codes and counts only, never names or reasons in words.

For the review screen:

* ``review_items(session, sar_id)`` -> ``list[ReviewItemView]``: every item
  with its effective decision and whether a manager has confirmed it;
* ``select_span(item, start, end)`` turns a text selection into a ``Span``;
  ``add_span`` / ``remove_span`` / ``disclose`` / ``withhold`` build decisions;
* ``save_decision(session, sar_id, decision)`` saves one decision at once, so
  a review can be left and resumed;
* ``accept_suggested(session, sar_id)`` saves the app's suggestion for every
  item not yet decided;
* ``build_pack(...)`` (in ``services/sar_pack.py``) writes the reply.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.deadlines import (
    ClockPause,
    Deadline,
    DeadlineKind,
    SarClock,
    sar_clock,
)
from sendiass_desktop.domain.errors import InvalidInput, NotFound
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.people import Person
from sendiass_desktop.domain.redaction import Decision, ItemDecision, Span, merge_spans
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.domain.sar import (
    IdentityCheck,
    IdentityMethod,
    Relationship,
    SarRequest,
    SarStatus,
)
from sendiass_desktop.services import access
from sendiass_desktop.services.access import audit, require_read
from sendiass_desktop.services.sar_gather import Gathered, ReviewItem, gather
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import deadlines as deadlines_repo
from sendiass_desktop.store import people as people_repo
from sendiass_desktop.store import sar as sar_repo
from sendiass_desktop.store.connection import Connection, transaction
from sendiass_desktop.store.deadlines import StoredDeadline
from sendiass_desktop.store.sar import Disclosure, SarPause

if TYPE_CHECKING:
    from sendiass_desktop.services.sar_pack import PackResult, ProgressCallback

REMINDER_DAYS = 7
MAX_TEXT = 2000
CLOSED = frozenset({SarStatus.SENT, SarStatus.REFUSED})


def require_sars(session: Session) -> None:
    """Managers and administrators only; a refusal is audited."""
    require_read(session)
    session.require(Permission.MANAGE_SARS, "work on subject access requests")


def _text(value: str, what: str, required: bool = True) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput(f"Give the {what}.")
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(f"The {what} is too long (at most {MAX_TEXT:,} characters).")
    return cleaned


def _not_after_today(day: date, what: str) -> None:
    if day > access.today():
        raise InvalidInput(f"The {what} cannot be in the future.")


# --- "My work": the response deadline and a reminder a week before ----------------------


def deadline_source(sar: SarRequest) -> str:
    return f"sar:{sar.id}"


def _sync_deadlines(conn: Connection, session: Session, sar: SarRequest) -> None:
    """Put the reply's due date (and a reminder) on the creating manager's work list.

    Regenerated whenever the clock changes; done when the request is answered
    or refused; absent while the clock is paused with no end (no due date).
    """
    source = deadline_source(sar)
    if sar.status in CLOSED:
        sar_repo.finish_deadlines(conn, source, sar.sent_on or access.today())
        return
    sar_repo.delete_open_deadlines(conn, source)
    clock = sar.clock()
    if clock.due is None:
        return
    wanted = [
        Deadline(DeadlineKind.SAR_RESPONSE,
                 f"Reply to subject access request {sar.ref}"
                 + (" (extended)" if clock.extended else " (one month)"), clock.due),
        Deadline(DeadlineKind.TASK, f"SAR {sar.ref} due in a week",
                 clock.due - timedelta(days=REMINDER_DAYS)),
    ]
    already_done = sar_repo.done_deadline_dues(conn, source)
    for d in wanted:
        if (d.kind.value, d.due) in already_done:
            continue
        deadlines_repo.insert(conn, StoredDeadline(
            deadline=d, owner=sar.created_by, case_id=None, source=source,
            created_by=session.user.username))


def sar_deadlines(session: Session, sar_id: int) -> list[StoredDeadline]:
    """The request's deadlines (open and done), soonest first."""
    require_sars(session)
    return sar_repo.deadlines_for_source(session.conn, f"sar:{sar_id}")


# --- the register -----------------------------------------------------------------------


def _check_people(conn: Connection, sar: SarRequest) -> dict[int, Person]:
    if sar.for_person_id is not None and sar.for_person_id == sar.requester_person_id:
        raise InvalidInput("The person the request is for must be someone other than the "
                           "requester.")
    found = people_repo.many(conn, list(sar.data_subject_ids))
    if len(found) != len(sar.data_subject_ids):
        raise InvalidInput("A person named on the request is not in the store.")
    return found


def create_sar(session: Session, sar: SarRequest) -> SarRequest:
    """Add a request to the register (a blank ``ref`` gets the next SAR-YYYY-NNNN)."""
    require_sars(session)
    identity = sar.identity
    if identity is not None:
        _not_after_today(identity.verified_on, "date the identity was checked")
        identity = replace(identity, verified_by=session.user.username,
                           notes=_text(identity.notes, "identity notes", required=False))
    sar = replace(
        sar, ref="", id=None, version=1, created_by=session.user.username,
        status=SarStatus.RECEIVED, pauses=(), extension_months=0, extension_reason="",
        extension_told_on=None, refusal_reason="", sent_on=None, identity=identity,
        requester_name_override=_text(sar.requester_name_override, "requester's name",
                                      required=False),
        notes=_text(sar.notes, "notes", required=False),
    )
    sar.validate(access.today())
    with transaction(session.conn) as conn:
        _check_people(conn, sar)
        saved = sar_repo.insert(conn, sar)
        _sync_deadlines(conn, session, saved)
        audit(conn, session, AuditAction.RECORD_CREATED, "sar", saved.id,
              {"relationship": saved.relationship.code,
               "identity_verified": saved.identity is not None})
    return saved


def person_id_for_ref(conn: Connection, ref: str) -> int:
    person = people_repo.by_ref(conn, ref)
    assert person.id is not None
    return person.id


def create_sar_for_refs(session: Session, subject_ref: str, relationship: Relationship,
                        received_on: date, for_person_ref: str | None = None,
                        identity_method: IdentityMethod | None = None,
                        identity_on: date | None = None, requester_name_override: str = "",
                        notes: str = "") -> SarRequest:
    """``create_sar`` by person references (the CLI's form)."""
    require_sars(session)
    requester_id = person_id_for_ref(session.conn, subject_ref)
    for_id = person_id_for_ref(session.conn, for_person_ref) if for_person_ref else None
    identity = None
    if identity_method is not None:
        identity = IdentityCheck(identity_method, identity_on or access.today(),
                                 session.user.username)
    return create_sar(session, SarRequest(
        ref="", requester_person_id=requester_id, relationship=relationship,
        received_on=received_on, created_by=session.user.username, for_person_id=for_id,
        requester_name_override=requester_name_override, identity=identity, notes=notes,
    ))


def _load(conn: Connection, ref_or_id: str | int) -> SarRequest:
    return (sar_repo.get(conn, ref_or_id) if isinstance(ref_or_id, int)
            else sar_repo.by_ref(conn, ref_or_id))


def get_sar(session: Session, ref_or_id: str | int) -> SarRequest:
    require_sars(session)
    with transaction(session.conn) as conn:
        sar = _load(conn, ref_or_id)
        audit(conn, session, AuditAction.RECORD_READ, "sar", sar.id)
    return sar


def pauses(session: Session, sar_id: int) -> list[SarPause]:
    """The clock's pauses with their reasons (for the request's screen)."""
    require_sars(session)
    return sar_repo.pauses_for(session.conn, sar_id)


@dataclass(frozen=True)
class RegisterRow:
    """One line of the SAR register."""

    sar: SarRequest
    requester_name: str
    for_name: str
    clock: SarClock
    overdue: bool

    @property
    def due(self) -> date | None:
        return self.clock.due

    @property
    def paused(self) -> bool:
        return self.clock.paused

    @property
    def open(self) -> bool:
        return self.sar.status not in CLOSED


def register(session: Session, include_closed: bool = True, on: date | None = None
             ) -> list[RegisterRow]:
    """The register with due dates, oldest request first."""
    require_sars(session)
    day = on or access.today()
    statuses = None if include_closed else [s for s in SarStatus if s not in CLOSED]
    with transaction(session.conn) as conn:
        sars = sar_repo.all_requests(conn, statuses)
        people = people_repo.many(conn, sorted({i for s in sars for i in s.data_subject_ids}))
        audit(conn, session, AuditAction.RECORD_READ, "sar", "", {"register_rows": len(sars)})
    rows = []
    for s in sars:
        clock = s.clock()
        requester = people.get(s.requester_person_id)
        for_person = people.get(s.for_person_id) if s.for_person_id is not None else None
        rows.append(RegisterRow(
            sar=s,
            requester_name=s.requester_name_override or (requester.display_name
                                                         if requester else ""),
            for_name=for_person.display_name if for_person else "",
            clock=clock,
            overdue=s.status not in CLOSED and clock.due is not None and clock.due < day,
        ))
    return rows


def _change(session: Session, sar_id: int, what: str, detail: dict[str, Any],
            change: Any) -> SarRequest:
    """Load, apply ``change(conn, sar) -> sar``, save, regenerate deadlines, audit."""
    require_sars(session)
    with transaction(session.conn) as conn:
        current = sar_repo.get(conn, sar_id)
        changed: SarRequest = change(conn, current)
        changed.validate(access.today())
        saved = sar_repo.update(conn, changed)
        saved = replace(saved, pauses=tuple(p.clock_pause for p in sar_repo.pauses_for(conn,
                                                                                        sar_id)))
        _sync_deadlines(conn, session, saved)
        audit(conn, session, AuditAction.RECORD_UPDATED, "sar", sar_id, {"change": what,
                                                                         **detail})
    return saved


def _open_only(sar: SarRequest) -> None:
    if sar.status in CLOSED:
        raise InvalidInput(f"This request is already '{sar.status.label}'; it cannot change.")


def verify_identity(session: Session, sar_id: int, method: IdentityMethod, verified_on: date,
                    notes: str = "") -> SarRequest:
    """Record how the requester's identity (and authority, for a parent or representative)
    was checked. Needed before records are gathered."""
    _not_after_today(verified_on, "date the identity was checked")
    notes = _text(notes, "identity notes", required=False)

    def change(conn: Connection, sar: SarRequest) -> SarRequest:
        _open_only(sar)
        return replace(sar, identity=IdentityCheck(method, verified_on, session.user.username,
                                                   notes))

    return _change(session, sar_id, "identity", {"method": method.code}, change)


def pause_clock(session: Session, sar_id: int, start: date, reason: str) -> SarRequest:
    """Stop the clock from ``start`` while identity or clarification is awaited."""
    reason = _text(reason, "reason for pausing the clock")
    _not_after_today(start, "date the clock was paused")

    def change(conn: Connection, sar: SarRequest) -> SarRequest:
        _open_only(sar)
        if sar_repo.open_pause(conn, sar_id) is not None:
            raise InvalidInput("The clock is already paused. Restart it before pausing again.")
        sar_clock(sar.received_on, (*sar.pauses, ClockPause(start)), sar.extension_months)
        sar_repo.insert_pause(conn, sar_id, start, reason, session.user.username)
        return sar

    return _change(session, sar_id, "paused", {}, change)


def restart_clock(session: Session, sar_id: int, end: date) -> SarRequest:
    """Start the clock again from ``end`` (the day the answer arrived)."""
    _not_after_today(end, "date the clock restarted")

    def change(conn: Connection, sar: SarRequest) -> SarRequest:
        pause = sar_repo.open_pause(conn, sar_id)
        if pause is None:
            raise InvalidInput("The clock is not paused.")
        ClockPause(pause.start, end)  # validates the order of the dates
        sar_repo.end_pause(conn, pause, end)
        return sar

    return _change(session, sar_id, "restarted", {}, change)


def extend(session: Session, sar_id: int, months: int, reason: str, told_on: date
           ) -> SarRequest:
    """Extend by one or two months (complex or numerous requests); the requester must be
    told within the first month."""
    reason = _text(reason, "reason for extending the time limit")
    _not_after_today(told_on, "date the requester was told")
    if months not in (1, 2):
        raise InvalidInput("A subject access request can only be extended by one or two "
                           "further months.")

    def change(conn: Connection, sar: SarRequest) -> SarRequest:
        _open_only(sar)
        if told_on < sar.received_on:
            raise InvalidInput("The requester can only be told after the request arrived.")
        return sar.extend(months, reason, told_on)

    return _change(session, sar_id, "extended", {"months": months}, change)


def move_status(session: Session, sar_id: int, status: SarStatus, reason: str = "",
                on: date | None = None) -> SarRequest:
    day = on or access.today()
    _not_after_today(day, "date")
    if status is SarStatus.REFUSED:
        reason = _text(reason, "reason for refusing the request")

    def change(conn: Connection, sar: SarRequest) -> SarRequest:
        return sar.move_to(status, reason, day)

    return _change(session, sar_id, "status", {"status": status.code}, change)


def refuse(session: Session, sar_id: int, reason: str) -> SarRequest:
    return move_status(session, sar_id, SarStatus.REFUSED, reason)


def mark_sent(session: Session, sar_id: int, on: date | None = None) -> SarRequest:
    """The reply has gone: the request is closed and its deadlines are done."""
    require_sars(session)
    current = sar_repo.get(session.conn, sar_id)
    if current.status is SarStatus.RECEIVED:
        raise InvalidInput("Gather and review the records before marking the request sent.")
    if current.status is SarStatus.GATHERING:
        move_status(session, sar_id, SarStatus.REVIEW)
    return move_status(session, sar_id, SarStatus.SENT, on=on)


def disclosures_for_sar(session: Session, sar_id: int) -> list[Disclosure]:
    require_sars(session)
    return sar_repo.disclosures_for_sar(session.conn, sar_id)


# --- the review --------------------------------------------------------------------------


class DecisionState(Enum):
    CONFIRMED = "confirmed"  # a manager saved this decision
    ACCEPTED = "accepted"  # the app's suggestion, saved by accept_suggested
    SUGGESTED = "suggested"  # nothing saved: the app's suggestion is shown
    STALE = "stale"  # saved, but the item has changed since: review it again


@dataclass(frozen=True)
class ReviewItemView:
    """An item, its effective decision, and how far the review of it has gone."""

    item: ReviewItem
    decision: ItemDecision  # the saved decision if it still holds, else the suggestion
    state: DecisionState
    saved: ItemDecision | None = None  # what is stored, even if stale

    @property
    def confirmed(self) -> bool:
        """A manager made (or confirmed) this decision."""
        return self.state is DecisionState.CONFIRMED

    @property
    def decided(self) -> bool:
        """A decision is saved and still fits the item: the pack may use it."""
        return self.state in (DecisionState.CONFIRMED, DecisionState.ACCEPTED)

    @property
    def key(self) -> str:
        return self.item.key


def _views(gathered: Gathered, stored: dict[str, sar_repo.StoredDecision]
           ) -> list[ReviewItemView]:
    views = []
    for item in gathered.items:
        saved = stored.get(item.key)
        if saved is None:
            views.append(ReviewItemView(item, item.suggestion, DecisionState.SUGGESTED))
        elif saved.text_sha256 != item.text_sha256:
            views.append(ReviewItemView(item, item.suggestion, DecisionState.STALE,
                                        saved.decision))
        else:
            state = (DecisionState.ACCEPTED if saved.decision.suggested
                     else DecisionState.CONFIRMED)
            views.append(ReviewItemView(item, saved.decision, state, saved.decision))
    return views


def _start_gathering(conn: Connection, session: Session, sar: SarRequest) -> SarRequest:
    if sar.status is SarStatus.REFUSED:
        raise InvalidInput("This request was refused; its records are not gathered.")
    if sar.identity is None:
        raise InvalidInput("Record how the requester's identity was checked before gathering "
                           "records.")
    if sar.status is SarStatus.RECEIVED:
        sar = sar_repo.update(conn, sar.move_to(SarStatus.GATHERING))
        audit(conn, session, AuditAction.RECORD_UPDATED, "sar", sar.id,
              {"change": "status", "status": sar.status.code})
    return sar


def gathered_views(conn: Connection, session: Session, sar_id: int
                   ) -> tuple[SarRequest, Gathered, list[ReviewItemView]]:
    """Inside the caller's transaction: gather and pair items with decisions (no audit)."""
    sar = _start_gathering(conn, session, sar_repo.get(conn, sar_id))
    gathered = gather(conn, sar)
    return sar, gathered, _views(gathered, sar_repo.decisions_for(conn, sar_id))


def review_items(session: Session, sar_id: int) -> list[ReviewItemView]:
    """Every item held about the data subjects, with its current decision."""
    require_sars(session)
    with transaction(session.conn) as conn:
        _sar, gathered, views = gathered_views(conn, session, sar_id)
        audit(conn, session, AuditAction.RECORD_READ, "sar", sar_id,
              {"items": len(views), "cases": [c.id for c in gathered.cases],
               "decided": sum(v.decided for v in views)})
    return views


def paper_records(session: Session, sar_id: int) -> list[tuple[str, str]]:
    """Cases with paper files to search by hand: (case reference, where they are kept)."""
    require_sars(session)
    with transaction(session.conn) as conn:
        _sar, gathered, _ = gathered_views(conn, session, sar_id)
    return list(gathered.paper_records)


def check_decision(item: ReviewItem, decision: ItemDecision) -> ItemDecision:
    """Validate a decision against its item; returns it with its spans merged."""
    if decision.item_key != item.key:
        raise InvalidInput("That decision is for a different item.")
    if decision.decision is Decision.REDACT and not item.redactable:
        raise InvalidInput("A document cannot be partly redacted: disclose it whole or "
                           "withhold it.")
    if decision.decision is not Decision.WITHHOLD and decision.exemption is not None:
        decision = replace(decision, exemption=None)
    decision = replace(decision, spans=merge_spans(decision.spans),
                       note=_text(decision.note, "internal note", required=False))
    decision.validate(len(item.text))
    return decision


def _advance_to_review(conn: Connection, session: Session, sar: SarRequest) -> SarRequest:
    if sar.status is SarStatus.GATHERING:
        moved = sar_repo.update(conn, sar.move_to(SarStatus.REVIEW))
        audit(conn, session, AuditAction.RECORD_UPDATED, "sar", sar.id,
              {"change": "status", "status": moved.status.code})
        return moved
    return sar


def save_decision(session: Session, sar_id: int, decision: ItemDecision) -> ReviewItemView:
    """Save one decision as a manager's own (``suggested`` is cleared)."""
    require_sars(session)
    with transaction(session.conn) as conn:
        sar, gathered, _ = gathered_views(conn, session, sar_id)
        _open_only(sar)
        item = gathered.item(decision.item_key)
        if item is None:
            raise NotFound("That item is no longer part of this request. Reload the list.")
        decision = replace(check_decision(item, decision), decided_by=session.user.username,
                           decided_at=access.now(), suggested=False)
        sar_repo.save_decision(conn, sar_id, decision, item.text_sha256)
        _advance_to_review(conn, session, sar)
        audit(conn, session, AuditAction.RECORD_UPDATED, "sar", sar_id,
              {"item": item.key, "decision": decision.decision.code,
               "exemption": decision.exemption.code if decision.exemption else None,
               "spans": len(decision.spans)})
    return ReviewItemView(item, decision, DecisionState.CONFIRMED, decision)


def clear_decision(session: Session, sar_id: int, item_key: str) -> None:
    """Forget a saved decision (the item goes back to the app's suggestion)."""
    require_sars(session)
    with transaction(session.conn) as conn:
        _open_only(sar_repo.get(conn, sar_id))
        if sar_repo.delete_decision(conn, sar_id, item_key):
            audit(conn, session, AuditAction.RECORD_UPDATED, "sar", sar_id,
                  {"item": item_key, "decision": None})


def accept_suggested(session: Session, sar_id: int) -> int:
    """Save the app's suggestion (marked as such) for every item without a decision that
    still holds. Returns how many were filled."""
    require_sars(session)
    with transaction(session.conn) as conn:
        sar, _gathered, views = gathered_views(conn, session, sar_id)
        filled = sum(not v.decided for v in views)
        save_suggestions(conn, session, sar, views)
    return filled


def save_suggestions(conn: Connection, session: Session, sar: SarRequest,
                     views: list[ReviewItemView]
                     ) -> tuple[SarRequest, list[ReviewItemView]]:
    """Inside the caller's transaction, with ``views`` just gathered (see
    :func:`gathered_views`): what :func:`accept_suggested` does, without
    gathering again. Returns the request (its status may have moved on) and the
    views with the saved suggestions in place."""
    todo = [v for v in views if not v.decided]
    if not todo:
        return sar, views
    _open_only(sar)
    assert sar.id is not None
    stamp = access.now()
    accepted: dict[str, ReviewItemView] = {}
    for v in todo:
        d = replace(v.item.suggestion, decided_by=session.user.username, decided_at=stamp,
                    suggested=True)
        sar_repo.save_decision(conn, sar.id, d, v.item.text_sha256)
        accepted[v.key] = ReviewItemView(v.item, d, DecisionState.ACCEPTED, d)
    sar = _advance_to_review(conn, session, sar)
    audit(conn, session, AuditAction.RECORD_UPDATED, "sar", sar.id,
          {"accepted_suggestions": len(todo)})
    return sar, [accepted.get(v.key, v) for v in views]


# --- building decisions from a selection ----------------------------------------------------


def select_span(item: ReviewItem, start: int, end: int,
                exemption: Exemption = Exemption.THIRD_PARTY) -> Span:
    """A span from a text selection (either direction), without surrounding spaces."""
    if start > end:
        start, end = end, start
    if start < 0 or end > len(item.text):
        raise InvalidInput("The selection is outside the item's text; select again.")
    if not item.redactable:
        raise InvalidInput("A document cannot be partly redacted: disclose it whole or "
                           "withhold it.")
    while start < end and item.text[start].isspace():
        start += 1
    while end > start and item.text[end - 1].isspace():
        end -= 1
    return Span(start, end, exemption)  # refuses an empty selection


def add_span(item: ReviewItem, current: ItemDecision | None, span: Span) -> ItemDecision:
    """The decision with ``span`` redacted as well (a withheld item stays withheld)."""
    if current is not None and current.decision is Decision.WITHHOLD:
        return current
    spans = (*(current.spans if current else ()), span)
    return ItemDecision(item.key, Decision.REDACT, spans=merge_spans(spans),
                        note=current.note if current else "")


def remove_span(item: ReviewItem, current: ItemDecision, span: Span) -> ItemDecision:
    """The decision without ``span`` (or any span overlapping it); none left -> disclose."""
    left = tuple(s for s in current.spans if s.end <= span.start or s.start >= span.end)
    if left:
        return replace(current, spans=left, suggested=False)
    return ItemDecision(item.key, Decision.DISCLOSE, note=current.note)


def disclose(item_key: str, note: str = "") -> ItemDecision:
    return ItemDecision(item_key, Decision.DISCLOSE, note=note)


def redact(item_key: str, spans: Iterable[Span], note: str = "") -> ItemDecision:
    return ItemDecision(item_key, Decision.REDACT, spans=merge_spans(spans), note=note)


def withhold(item_key: str, exemption: Exemption, note: str = "") -> ItemDecision:
    return ItemDecision(item_key, Decision.WITHHOLD, exemption=exemption, note=note)


# --- the pack (implemented in services/sar_pack.py) -------------------------------------------


def build_pack(session: Session, sar_id: int, out: Path, *, encrypt: bool = True,
               accept_suggested: bool = False, progress: ProgressCallback | None = None
               ) -> PackResult:
    from sendiass_desktop.services import sar_pack

    return sar_pack.build_pack(session, sar_id, out, encrypt=encrypt,
                               accept_suggested=accept_suggested, progress=progress)
