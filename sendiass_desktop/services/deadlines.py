"""Statutory clocks and tasks on cases, and each officer's "My work" list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.deadlines import (
    Deadline,
    DeadlineKind,
    TrackedDeadline,
    annual_review_decision_due,
    annual_review_due,
    ehc_timeline,
    tribunal_appeal_deadline,
    upcoming_and_overdue,
)
from sendiass_desktop.domain.errors import EditConflict, InvalidInput, PermissionDenied
from sendiass_desktop.services.access import (
    audit,
    audit_inspector_read,
    require_read,
    require_write,
    today,
)
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import deadlines as deadlines_repo
from sendiass_desktop.store import people as people_repo
from sendiass_desktop.store.connection import transaction
from sendiass_desktop.store.deadlines import StoredDeadline


def _replace_generated(session: Session, case_id: int, source: str,
                       items: list[Deadline], owner: str | None = None) -> list[StoredDeadline]:
    require_write(session)
    with transaction(session.conn) as conn:
        case = cases_repo.get(conn, case_id)
        deadlines_repo.delete_by_source(conn, case_id, source)
        saved = [
            deadlines_repo.insert(conn, StoredDeadline(
                deadline=d, owner=owner or case.assigned_officer, case_id=case_id,
                source=source, created_by=session.user.username))
            for d in items
        ]
        audit(conn, session, AuditAction.RECORD_CREATED, "deadlines", case_id,
              {"source": source.split(":")[0], "count": len(saved)})
    return saved


def set_ehc_request(session: Session, case_id: int, request_received: date,
                    draft_served: date | None = None) -> list[StoredDeadline]:
    """EHC needs assessment milestones (weeks 6, 16, 20; 15 days on a draft)."""
    timeline = ehc_timeline(request_received, draft_served)
    return _replace_generated(session, case_id, "ehc", list(timeline.milestones()))


def set_tribunal_decision(session: Session, case_id: int, decision_letter: date,
                          mediation_certificate: date | None = None) -> list[StoredDeadline]:
    deadline = tribunal_appeal_deadline(decision_letter, mediation_certificate)
    return _replace_generated(session, case_id, "tribunal", [deadline])


def set_annual_review(session: Session, case_id: int, period_start: date,
                      review_meeting: date | None = None) -> list[StoredDeadline]:
    case = cases_repo.get(session.conn, case_id)
    if case.child_person_id is None:
        raise InvalidInput("Record the child or young person on the case first.")
    child = people_repo.get(session.conn, case.child_person_id)
    if child.date_of_birth is None:
        raise InvalidInput("Record the child's date of birth first (reviews are every 6 months "
                           "for under-fives).")
    items = [annual_review_due(period_start, child.date_of_birth)]
    if review_meeting is not None:
        items.append(annual_review_decision_due(review_meeting))
    return _replace_generated(session, case_id, "annual_review", items)


def add_task(session: Session, case_id: int | None, label: str, due: date,
             owner: str | None = None) -> StoredDeadline:
    require_write(session)
    deadline = Deadline(DeadlineKind.TASK, label.strip(), due)
    with transaction(session.conn) as conn:
        if case_id is not None:
            cases_repo.get(conn, case_id)
        saved = deadlines_repo.insert(conn, StoredDeadline(
            deadline=deadline, owner=owner or session.user.username, case_id=case_id,
            created_by=session.user.username))
        audit(conn, session, AuditAction.RECORD_CREATED, "deadline", saved.id,
              {"case_id": case_id})
    return saved


def mark_done(session: Session, deadline: StoredDeadline, done: bool = True) -> StoredDeadline:
    require_write(session)
    assert deadline.id is not None
    with transaction(session.conn) as conn:
        current = deadlines_repo.get(conn, deadline.id)
        if current.owner != session.user.username and not session.can_manage_others():
            raise PermissionDenied("Only the owner or a manager can mark this as done.")
        if current.version != deadline.version:
            raise EditConflict("Someone else changed this deadline first. Refresh and try again.",
                               mine=deadline, theirs=current)
        saved = deadlines_repo.set_done(conn, current, today() if done else None)
        audit(conn, session, AuditAction.RECORD_UPDATED, "deadline", deadline.id,
              {"done": done})
    return saved


def deadlines_for_case(session: Session, case_id: int) -> list[StoredDeadline]:
    require_read(session)
    audit_inspector_read(session, "deadlines", case_id)
    return deadlines_repo.for_case(session.conn, case_id)


@dataclass(frozen=True)
class WorkItem:
    stored: StoredDeadline
    case_ref: str
    overdue: bool


def my_work(session: Session, on: date | None = None, horizon_days: int = 14,
            owner: str | None = None) -> tuple[list[WorkItem], list[WorkItem]]:
    """(overdue, upcoming) for the signed-in officer (or, for managers, ``owner``)."""
    require_read(session)
    who = owner or session.user.username
    if who != session.user.username and not session.can_manage_others():
        raise PermissionDenied("Only managers can see another officer's work list.")
    day = on or today()
    from datetime import timedelta

    stored = deadlines_repo.open_for_owner(session.conn, who, day + timedelta(days=horizon_days))
    by_id = {d.id: d for d in stored}
    split = upcoming_and_overdue(
        [TrackedDeadline(d.deadline, done=d.done, ref=str(d.id)) for d in stored],
        day, horizon_days,
    )
    case_ids = sorted({d.case_id for d in stored if d.case_id is not None})
    refs = {cid: s.ref for cid, s in cases_repo.summaries_for_ids(session.conn, case_ids).items()}

    def items(tracked: tuple[TrackedDeadline, ...], overdue: bool) -> list[WorkItem]:
        out = []
        for t in tracked:
            d = by_id[int(t.ref or 0)]
            out.append(WorkItem(d, refs.get(d.case_id or -1, ""), overdue))
        return out

    return items(split.overdue, True), items(split.upcoming, False)
