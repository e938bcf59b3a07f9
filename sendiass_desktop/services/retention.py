"""Retention and disposal (rule 8): the schedule, the review queue, legal holds, disposal.

* The schedule (``domain.retention.RetentionSchedule``) is kept in the
  ``meta`` table; administrators change it (``Permission.MANAGE_STORE``). The
  defaults and how to change them are in docs/retention.md.
* The review queue lists closed cases past their keep-until date and not on a
  legal hold (``Permission.REVIEW_RETENTION``: managers and administrators),
  with anything that stops disposal today and any paper records to destroy.
* A legal hold is placed or released by a manager with a reason. The flag is
  a versioned update of the case; the reason goes into a restricted case note
  (so it is part of the case file, visible to managers, and disposed of with
  it); the audit entry says only that the hold changed.
* Disposal, confirmed by a manager, checks again (inside the write
  transaction) that each case is due, not held, and not needed by an open
  subject access request or legal request; deletes the case and everything
  on it, its search index entries and the people referenced by nothing else;
  writes the disposal log row (a keyed hash of the reference, dates, counts,
  who approved, whether paper records exist) and the audit entry, all in one
  transaction. After the commit the WAL is written back and emptied and free
  pages are given back (see ``store.disposal.checkpoint_and_compact``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import Case
from sendiass_desktop.domain.deadlines import add_months
from sendiass_desktop.domain.errors import InvalidInput, NotFound, SendiassError
from sendiass_desktop.domain.notes import Confidentiality, Note, NoteType
from sendiass_desktop.domain.retention import RetentionSchedule, retention_status
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services.access import audit, now, require_read, today
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import disposal as disposal_repo
from sendiass_desktop.store import meta, search_index
from sendiass_desktop.store import notes as notes_repo
from sendiass_desktop.store.connection import Connection, transaction
from sendiass_desktop.store.disposal import Cleanup, DeletedCounts, DisposalLogEntry

SCHEDULE_KEY = "retention_schedule"
REF_HASH_KEY = "disposal_ref_key"  # per-store HMAC key for disposal log references
MAX_BATCH = 200
MAX_REASON = 1000


class DisposalRefused(SendiassError):
    """A case cannot be disposed of now; the message says why, in plain words."""


# --- the schedule -----------------------------------------------------------------------


def _schedule(conn: Connection) -> RetentionSchedule:
    text = meta.get(conn, SCHEDULE_KEY)
    if not text:
        return RetentionSchedule()
    try:
        values = json.loads(text)
        schedule = RetentionSchedule(
            years_after_closure=int(values["years_after_closure"]),
            age_limit=int(values["age_limit"]),
            years_after_age_limit=int(values.get("years_after_age_limit", 0)),
        )
        schedule.validate()
    except (ValueError, KeyError, TypeError, InvalidInput):
        # A damaged setting must never make cases due early: refuse instead.
        raise InvalidInput("The retention schedule setting is damaged. An administrator "
                           "should set it again.") from None
    return schedule


def _schedule_json(schedule: RetentionSchedule) -> str:
    return json.dumps(asdict(schedule), sort_keys=True, separators=(",", ":"))


def get_schedule(session: Session) -> RetentionSchedule:
    """The schedule in force (the documented defaults until an administrator sets one)."""
    require_read(session)
    return _schedule(session.conn)


def set_schedule(session: Session, schedule: RetentionSchedule) -> RetentionSchedule:
    require_read(session)
    session.require(Permission.MANAGE_STORE, "change the retention schedule")
    schedule.validate()
    with transaction(session.conn) as conn:
        meta.put(conn, SCHEDULE_KEY, _schedule_json(schedule))
        audit(conn, session, AuditAction.RECORD_UPDATED, "setting", SCHEDULE_KEY,
              asdict(schedule))
    return schedule


# --- the review queue -------------------------------------------------------------------


def require_retention(session: Session, what: str = "review retention and disposal") -> None:
    require_read(session)  # signed in, access not expired
    session.require(Permission.REVIEW_RETENTION, what)


def paper_instruction(paper_records: str) -> str:
    """The checklist line for paper records, or "" when there are none."""
    where = " ".join(paper_records.split())
    if not where:
        return ""
    return f"Paper records must be shredded by hand: {where}"


@dataclass(frozen=True)
class ReviewItem:
    """One case in the review queue (no names: the reference identifies it to staff)."""

    case_id: int
    ref: str
    opened_on: date
    closed_on: date
    keep_until: date
    legal_hold: bool
    due: bool
    paper_records: str
    blockers: tuple[str, ...]  # plain reasons disposal would be refused today

    @property
    def can_dispose(self) -> bool:
        return self.due and not self.legal_hold and not self.blockers

    @property
    def paper_instruction(self) -> str:
        return paper_instruction(self.paper_records)


def _blockers(conn: Connection, case_id: int) -> tuple[str, ...]:
    reasons = [f"An open subject access request ({ref}) covers someone on this case. Finish "
               "it before disposing of the case." for ref in disposal_repo.open_sars_for_case(
                   conn, case_id)]
    reasons += [f"An open legal request ({ref}) is linked to this case. Finish it before "
                "disposing of the case." for ref in disposal_repo.open_legal_requests_for_case(
                    conn, case_id)]
    return tuple(reasons)


def _queue(conn: Connection, schedule: RetentionSchedule, on: date,
           include_held: bool) -> list[ReviewItem]:
    # Generous SQL cut-offs (two days' slack for 29 February), then the exact rule.
    closed_before = add_months(on, -12 * schedule.years_after_closure) + timedelta(days=2)
    born_before = add_months(on, -12 * (schedule.age_limit + schedule.years_after_age_limit)
                             ) + timedelta(days=2)
    items = []
    for row in disposal_repo.candidates(conn, closed_before, born_before, include_held):
        status = retention_status(schedule, row.closed_on, row.young_person_dob, False, on)
        if not status.due or status.keep_until is None:
            continue
        items.append(ReviewItem(
            case_id=row.case_id, ref=row.ref, opened_on=row.opened_on, closed_on=row.closed_on,
            keep_until=status.keep_until, legal_hold=row.legal_hold,
            due=not row.legal_hold, paper_records=row.paper_records,
            blockers=_blockers(conn, row.case_id),
        ))
    return items


def review_queue(session: Session, on: date | None = None, include_held: bool = False
                 ) -> list[ReviewItem]:
    """Closed cases past their keep-until date on ``on`` (default today), oldest first.

    Cases on a legal hold are left out unless ``include_held`` (then shown
    with ``legal_hold`` set and ``due`` False).
    """
    require_retention(session)
    day = on or today()
    with transaction(session.conn) as conn:
        items = _queue(conn, _schedule(conn), day, include_held)
        audit(conn, session, AuditAction.RECORD_READ, "retention", None,
              {"review_queue": len(items), "on": day.isoformat()})
    return items


# --- legal holds ------------------------------------------------------------------------


def _load_case(conn: Connection, ref_or_id: str | int) -> Case:
    return (cases_repo.get(conn, ref_or_id) if isinstance(ref_or_id, int)
            else cases_repo.by_ref(conn, ref_or_id))


def _set_hold(session: Session, ref_or_id: str | int, hold: bool, reason: str) -> Case:
    reason = " ".join(reason.split())
    if hold and not reason:
        raise InvalidInput("Give the reason for the legal hold (for example, the claim or "
                           "request it is for).")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"The reason is too long (at most {MAX_REASON:,} characters).")
    with transaction(session.conn) as conn:
        case = _load_case(conn, ref_or_id)
        assert case.id is not None
        if case.legal_hold == hold:
            raise InvalidInput(f"{case.ref} is already on a legal hold." if hold else
                               f"{case.ref} is not on a legal hold.")
        saved = cases_repo.update(conn, replace(case, legal_hold=hold))
        text = ("Legal hold placed: the case file must not be destroyed. Reason: " if hold
                else "Legal hold released. ") + (reason if reason or hold else "")
        note = notes_repo.insert(conn, Note(
            case_id=case.id, occurred_at=now(), type=NoteType.OTHER,
            author=session.user.username, body=text.strip(),
            confidentiality=Confidentiality.RESTRICTED,
        ))
        search_index.index_note(conn, note)
        audit(conn, session, AuditAction.RECORD_UPDATED, "case", case.id,
              {"legal_hold": hold, "note_id": note.id})
    return saved


def set_legal_hold(session: Session, ref_or_id: str | int, reason: str) -> Case:
    """Stop a case being disposed of (a claim, complaint, inquiry or request needs it)."""
    require_retention(session, "place a legal hold")
    return _set_hold(session, ref_or_id, True, reason)


def release_legal_hold(session: Session, ref_or_id: str | int, reason: str = "") -> Case:
    require_retention(session, "release a legal hold")
    return _set_hold(session, ref_or_id, False, reason)


# --- disposal ---------------------------------------------------------------------------


def _ref_key(conn: Connection, create: bool) -> bytes | None:
    text = meta.get(conn, REF_HASH_KEY)
    if text is None:
        if not create:
            return None
        text = secrets.token_bytes(32).hex()
        meta.put(conn, REF_HASH_KEY, text)
    return bytes.fromhex(text)


def ref_hash(key: bytes, ref: str) -> str:
    """HMAC-SHA256 of the normalised case reference under the store's own key."""
    return hmac.new(key, ref.strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class DisposalChecklist:
    """What disposing of one case would do, for the confirmation screen."""

    ref: str
    closed_on: date | None
    keep_until: date | None
    due: bool
    reason: str  # the retention rule's own words ("Kept until …", "… legal hold …")
    blockers: tuple[str, ...]
    notes: int
    documents: int
    people_to_delete: int
    people_kept: int  # on other cases, or named in a SAR or the disclosure log
    paper_records: str

    @property
    def can_dispose(self) -> bool:
        return self.due and not self.blockers

    @property
    def paper_instruction(self) -> str:
        return paper_instruction(self.paper_records)


def _status(conn: Connection, schedule: RetentionSchedule, case: Case, on: date
            ) -> tuple[bool, date | None, str]:
    assert case.id is not None
    dob = disposal_repo.young_person_dob(conn, case.id)
    status = retention_status(schedule, case.closed_on, dob, case.legal_hold, on)
    return status.due, status.keep_until, status.reason


def disposal_checklist(session: Session, ref_or_id: str | int) -> DisposalChecklist:
    require_retention(session)
    with transaction(session.conn) as conn:
        case = _load_case(conn, ref_or_id)
        assert case.id is not None
        due, keep_until, reason = _status(conn, _schedule(conn), case, today())
        named = disposal_repo.people_on_case(conn, case.id)
        people_deleted = _people_deleted_if_disposed(conn, case.id)
        checklist = DisposalChecklist(
            ref=case.ref, closed_on=case.closed_on, keep_until=keep_until, due=due,
            reason=reason, blockers=_blockers(conn, case.id),
            notes=int(conn.execute("SELECT count(*) FROM notes WHERE case_id = ?",
                                   (case.id,)).fetchone()[0]),
            documents=int(conn.execute("SELECT count(*) FROM documents WHERE case_id = ?",
                                       (case.id,)).fetchone()[0]),
            people_to_delete=people_deleted, people_kept=len(named) - people_deleted,
            paper_records=case.paper_records,
        )
        audit(conn, session, AuditAction.RECORD_READ, "case", case.id, {"disposal_check": True})
    return checklist


def _people_deleted_if_disposed(conn: Connection, case_id: int) -> int:
    """Exactly who disposal would delete: do it inside a savepoint, then undo it."""
    conn.execute("SAVEPOINT disposal_preview")
    try:
        return disposal_repo.delete_case(conn, case_id).people
    finally:
        conn.execute("ROLLBACK TO disposal_preview")
        conn.execute("RELEASE disposal_preview")


@dataclass(frozen=True)
class DisposedCase:
    ref: str  # for the person confirming; it is not kept anywhere in the store
    log_id: int
    counts: DeletedCounts
    paper_records: str  # last sight of where the paper file is: shred it by hand

    @property
    def paper_instruction(self) -> str:
        return paper_instruction(self.paper_records)


@dataclass(frozen=True)
class DisposalOutcome:
    disposed: tuple[DisposedCase, ...]
    cleanup: Cleanup

    @property
    def paper_checklist(self) -> tuple[str, ...]:
        return tuple(f"{d.ref}: {d.paper_instruction}" for d in self.disposed
                     if d.paper_records.strip())


def dispose(session: Session, refs: Sequence[str | int], *, vacuum: bool | None = None
            ) -> DisposalOutcome:
    """Destroy the given cases (all or none), log it without personal data, audit it.

    Refused with a plain reason (``DisposalRefused``) if any case is not due
    today, is on a legal hold, or is needed by an open SAR or legal request.
    ``vacuum``: see ``store.disposal.checkpoint_and_compact`` (None: when
    worthwhile).
    """
    require_retention(session, "dispose of case files")
    wanted = list(dict.fromkeys(refs))
    if not wanted:
        raise InvalidInput("Choose at least one case to dispose of.")
    if len(wanted) > MAX_BATCH:
        raise InvalidInput(f"Dispose of at most {MAX_BATCH} cases at a time.")
    conn = session.conn
    if not disposal_repo.secure_delete_on(conn):
        raise DisposalRefused("Secure deletion cannot be turned on for this store, so deleted "
                              "records could stay readable in it. Nothing was deleted.")
    day = today()
    disposed: list[DisposedCase] = []
    with transaction(conn) as tx:
        schedule = _schedule(tx)
        key = _ref_key(tx, create=True)
        assert key is not None
        for wanted_ref in wanted:
            try:
                case = _load_case(tx, wanted_ref)
            except NotFound:
                raise DisposalRefused(f"There is no case {str(wanted_ref).strip()[:20]}; "
                                      "nothing was deleted.") from None
            assert case.id is not None
            due, keep_until, reason = _status(tx, schedule, case, day)
            if not due:
                raise DisposalRefused(f"{case.ref} is not due for disposal: {reason} "
                                      "Nothing was deleted.")
            blockers = _blockers(tx, case.id)
            if blockers:
                raise DisposalRefused(f"{case.ref} cannot be disposed of yet. {blockers[0]} "
                                      "Nothing was deleted.")
            counts = disposal_repo.delete_case(tx, case.id)
            entry = disposal_repo.insert_log(tx, DisposalLogEntry(
                case_ref_hash=ref_hash(key, case.ref), opened_year=case.opened_on.year,
                closed_on=case.closed_on, keep_until=keep_until,
                disposed_at=datetime.now(UTC).isoformat(timespec="seconds"),
                approved_by=session.actor, schedule=_schedule_json(schedule),
                notes_deleted=counts.notes, documents_deleted=counts.documents,
                people_deleted=counts.people, paper_records=bool(case.paper_records.strip()),
            ))
            assert entry.id is not None
            audit(tx, session, AuditAction.RECORD_DELETED, "case", case.id,
                  {"disposed": True, "disposal_log_id": entry.id})
            disposed.append(DisposedCase(case.ref, entry.id, counts, case.paper_records))
        # Deleted index entries are only tombstoned until the index is rewritten.
        # Tombstoned index entries keep their words until merged; merge them now.
        search_index.purge_deleted(tx)
    # Outside the transaction: VACUUM cannot run inside one.
    cleanup = disposal_repo.checkpoint_and_compact(conn, vacuum)
    return DisposalOutcome(tuple(disposed), cleanup)


# --- the disposal log -------------------------------------------------------------------


def disposal_log(session: Session, limit: int = 1000) -> list[DisposalLogEntry]:
    require_retention(session)
    with transaction(session.conn) as conn:
        entries = disposal_repo.log_entries(conn, limit)
        audit(conn, session, AuditAction.RECORD_READ, "disposal_log", None,
              {"entries": len(entries)})
    return entries


def was_disposed(session: Session, ref: str) -> list[DisposalLogEntry]:
    """Log entries for a reference someone gives (the log keeps only its keyed hash)."""
    require_retention(session)
    with transaction(session.conn) as conn:
        key = _ref_key(conn, create=False)
        entries = [] if key is None else disposal_repo.log_entries_for_hash(
            conn, ref_hash(key, ref))
        audit(conn, session, AuditAction.RECORD_READ, "disposal_log", None,
              {"lookup": True, "found": len(entries)})
    return entries
