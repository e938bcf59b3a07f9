"""Statutory clocks: subject access requests, EHC needs assessments, SEND
Tribunal appeals and EHC plan reviews, worked out from dates alone.

Everything here is a pure function of its arguments: the casework layer stores
the dates (and whether a deadline is done) and calls these to get due dates and
the officer's "My work" list.

How each period is counted, and why
------------------------------------
* "n months after X" (SAR, Tribunal): the corresponding day n months on; if
  that month is too short, its last day (``add_months``).
* "a period of n months starting with X" (EHC plan reviews, Children and
  Families Act 2014 s.44): ends the day before the corresponding day, i.e.
  ``add_months(X - 1 day, n)``.
* "within n weeks of X" (EHC needs assessment, SEND Regulations 2014): X plus
  n × 7 calendar days. Statutory weeks are not moved off weekends or bank
  holidays, because the Regulations do not say so and moving them would only
  ever show a later date than the law allows.
* "at least 15 days, beginning with the day on which the draft plan was
  served" (reg. 13(1)(a)): the served day is day 1, so the last day is
  served + 14.
* Working-day rolls are applied only where the rule itself allows them (SAR:
  ICO guidance; Tribunal: rule 12 of the HESC Rules 2008).
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.working_days import ensure_date, next_working_day_on_or_after

__all__ = [
    "EHC_DECISION_TO_ASSESS_WEEKS",
    "EHC_DRAFT_COMMENT_DAYS",
    "EHC_FINAL_PLAN_WEEKS",
    "EHC_NO_PLAN_NOTICE_WEEKS",
    "ClockPause",
    "Deadline",
    "DeadlineKind",
    "EhcTimeline",
    "SarClock",
    "TrackedDeadline",
    "WorkList",
    "add_months",
    "age_on",
    "annual_review_decision_due",
    "annual_review_due",
    "ehc_draft_comments_due",
    "ehc_timeline",
    "sar_clock",
    "tribunal_appeal_deadline",
    "tribunal_next_permitted_day",
    "upcoming_and_overdue",
]

EHC_DECISION_TO_ASSESS_WEEKS = 6
EHC_NO_PLAN_NOTICE_WEEKS = 16
EHC_FINAL_PLAN_WEEKS = 20
EHC_DRAFT_COMMENT_DAYS = 15

_SAR_MONTHS = 1
_SAR_MAX_EXTENSION_MONTHS = 2
_TRIBUNAL_DECISION_MONTHS = 2
_TRIBUNAL_MEDIATION_MONTHS = 1
_REVIEW_MONTHS = 12
_REVIEW_MONTHS_UNDER_FIVE = 6
_REVIEW_DECISION_WEEKS = 4


class DeadlineKind(enum.Enum):
    """What a deadline is for. Values are stable: they are stored."""

    SAR_RESPONSE = "sar_response"
    EHC_DECISION_TO_ASSESS = "ehc_decision_to_assess"
    EHC_NO_PLAN_NOTICE = "ehc_no_plan_notice"
    EHC_DRAFT_COMMENTS = "ehc_draft_comments"
    EHC_FINAL_PLAN = "ehc_final_plan"
    TRIBUNAL_APPEAL = "tribunal_appeal"
    ANNUAL_REVIEW = "annual_review"
    ANNUAL_REVIEW_DECISION = "annual_review_decision"
    TASK = "task"


@dataclass(frozen=True, slots=True)
class Deadline:
    """A named date by which something must be done (the last allowed day)."""

    kind: DeadlineKind
    label: str
    due: date

    def __post_init__(self) -> None:
        if not isinstance(self.kind, DeadlineKind):
            raise InvalidInput("Choose what kind of deadline this is.")
        if not isinstance(self.label, str) or not self.label.strip():
            raise InvalidInput("Give the deadline a short description.")
        ensure_date(self.due, "due date")


# --------------------------------------------------------------------------
# Calendar arithmetic


def add_months(d: date, n: int) -> date:
    """The corresponding day ``n`` calendar months after ``d`` (before, if negative).

    If that month has no corresponding day, the month's last day is used:
    31 January + 1 month is 28 February, or 29 February in a leap year.
    """
    d = ensure_date(d, "date")
    if isinstance(n, bool) or not isinstance(n, int):
        raise InvalidInput("The number of months must be a whole number.")
    month_index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(month_index, 12)
    if not 1 <= year <= 9999:
        raise InvalidInput("That date is too far in the future or the past.")
    month = month0 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last_day))


def _add_days(d: date, days: int) -> date:
    try:
        return d + timedelta(days=days)
    except OverflowError:
        raise InvalidInput("That date is too far in the future or the past.") from None


def _months_starting_with(start: date, n: int) -> date:
    # Last day of "the period of n months starting with" start: the day before
    # the corresponding day, computed as n months after the day before start so
    # that a short month clamps the same way as add_months.
    return add_months(_add_days(start, -1), n)


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on the day ``on``.

    Someone born on 29 February reaches each new age on 1 March in a common
    year (the later reading, which keeps the under-5 review rule on the safe side).
    """
    date_of_birth = ensure_date(date_of_birth, "date of birth")
    on = ensure_date(on, "date")
    if on < date_of_birth:
        raise InvalidInput("The date of birth must be on or before the other date.")
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


# --------------------------------------------------------------------------
# Subject access requests (UK GDPR Art. 12(3), as the ICO applies it)


@dataclass(frozen=True, slots=True)
class ClockPause:
    """A time the SAR clock was stopped, waiting for identity or clarification.

    ``start`` is the day the service asked; ``end`` is the day the answer
    arrived (``None`` while still waiting). The clock stands still from
    ``start`` and runs again from ``end``, so the pause lasts ``end - start``
    calendar days.
    """

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        ensure_date(self.start, "date the clock was paused")
        if self.end is not None:
            ensure_date(self.end, "date the clock restarted")
            if self.end < self.start:
                raise InvalidInput("A pause cannot end before it starts. Check the two dates.")


@dataclass(frozen=True, slots=True)
class SarClock:
    """Where a subject access request stands.

    ``due`` is ``None`` while the clock is paused with no end date: no due date
    can be given until the identity or clarification arrives.
    ``standard_due`` is the one-month due date (with pauses); for an extended
    request it is also the last day to tell the requester about the extension.
    """

    received: date
    extension_months: int
    due: date | None
    standard_due: date | None
    paused_days: int
    paused_since: date | None

    @property
    def paused(self) -> bool:
        """True while the clock is stopped and no due date can be given."""
        return self.paused_since is not None

    @property
    def extended(self) -> bool:
        return self.extension_months > 0

    @property
    def tell_requester_by(self) -> date | None:
        """Last day to tell the requester about an extension (``None`` if not extended)."""
        return self.standard_due if self.extended else None

    def as_deadline(self) -> Deadline | None:
        """The response deadline for the work list, or ``None`` while paused."""
        if self.due is None:
            return None
        label = (
            "Reply to subject access request (extended)"
            if self.extended
            else "Reply to subject access request (one month)"
        )
        return Deadline(DeadlineKind.SAR_RESPONSE, label, self.due)


def _merge_pauses(pauses: Iterable[ClockPause]) -> list[tuple[date, date | None]]:
    # Overlapping or touching pauses are merged so a day is never counted twice.
    merged: list[tuple[date, date | None]] = []
    for pause in sorted(pauses, key=lambda p: p.start):
        if merged:
            start, end = merged[-1]
            if end is None:
                continue
            if pause.start <= end:
                new_end = None if pause.end is None else max(end, pause.end)
                merged[-1] = (start, new_end)
                continue
        merged.append((pause.start, pause.end))
    return merged


def _sar_due(
    received: date, months: int, pauses: Sequence[tuple[date, date | None]]
) -> tuple[date | None, int, date | None]:
    """(due date or None, paused days counted, open pause start or None)."""
    base = add_months(received, months)
    paused_days = 0
    for start, end in pauses:
        # A pause that starts after the deadline has passed cannot stop a clock
        # that has already run out; ignoring it keeps a late SAR overdue.
        if start > next_working_day_on_or_after(_add_days(base, paused_days)):
            break
        if end is None:
            return None, paused_days, start
        paused_days += (end - start).days
    return next_working_day_on_or_after(_add_days(base, paused_days)), paused_days, None


def sar_clock(
    received: date,
    pauses: Iterable[ClockPause] = (),
    extension_months: int = 0,
) -> SarClock:
    """Work out when a subject access request must be answered.

    * Due one calendar month after ``received`` (the corresponding day, or the
      last day of a shorter month).
    * Each pause moves the due date later by the calendar days it lasted
      (ICO: the time limit is paused until the information arrives). Pauses
      that overlap are counted once; a pause starting after the due date is
      ignored; an unfinished pause means no due date yet (``due is None``).
    * ``extension_months`` (1 or 2) for complex or numerous requests: due
      ``1 + extension_months`` months after receipt, plus pauses.
    * Finally, a due date on a weekend or bank holiday moves to the next
      working day.
    """
    received = ensure_date(received, "date the request was received")
    if (
        isinstance(extension_months, bool)
        or not isinstance(extension_months, int)
        or not 0 <= extension_months <= _SAR_MAX_EXTENSION_MONTHS
    ):
        raise InvalidInput(
            "A subject access request can only be extended by one or two further months."
        )
    pause_list = list(pauses)
    for pause in pause_list:
        if not isinstance(pause, ClockPause):
            raise InvalidInput("Each pause needs a start date and, once restarted, an end date.")
        if pause.start < received:
            raise InvalidInput("The clock cannot be paused before the request was received.")
    merged = _merge_pauses(pause_list)

    standard_due, standard_paused, standard_open = _sar_due(received, _SAR_MONTHS, merged)
    if extension_months == 0:
        due, paused_days, open_since = standard_due, standard_paused, standard_open
    else:
        due, paused_days, open_since = _sar_due(received, _SAR_MONTHS + extension_months, merged)
    return SarClock(
        received=received,
        extension_months=extension_months,
        due=due,
        standard_due=standard_due,
        paused_days=paused_days,
        paused_since=open_since,
    )


# --------------------------------------------------------------------------
# EHC needs assessment (SEND Regulations 2014, SEND Code of Practice 2015)


def _weeks_after(d: date, weeks: int) -> date:
    return _add_days(d, weeks * 7)


def ehc_draft_comments_due(draft_served: date) -> Deadline:
    """Last day for the parent or young person to comment on a draft EHC plan.

    Reg. 13(1)(a): "at least 15 days, beginning with the day on which the
    draft plan was served", so the served day counts as day 1 and the last
    day is served + 14. Not moved off weekends: the Regulations do not say so.
    """
    draft_served = ensure_date(draft_served, "date the draft plan was served")
    return Deadline(
        DeadlineKind.EHC_DRAFT_COMMENTS,
        "Comments on the draft EHC plan (15 days)",
        _add_days(draft_served, EHC_DRAFT_COMMENT_DAYS - 1),
    )


@dataclass(frozen=True, slots=True)
class EhcTimeline:
    """The statutory milestones of one EHC needs assessment.

    Weeks are calendar weeks from the day the local authority received the
    request, and are not moved off weekends or bank holidays.
    """

    request_received: date
    decision_to_assess: Deadline
    no_plan_notice: Deadline
    final_plan: Deadline
    draft_comments: Deadline | None = None

    def milestones(self) -> tuple[Deadline, ...]:
        """All milestones, earliest first."""
        items = [self.decision_to_assess, self.no_plan_notice, self.final_plan]
        if self.draft_comments is not None:
            items.append(self.draft_comments)
        return tuple(sorted(items, key=lambda m: m.due))


def ehc_timeline(request_received: date, draft_served: date | None = None) -> EhcTimeline:
    """Milestones for an EHC needs assessment requested on ``request_received``.

    * Decision whether to assess: within 6 weeks (regs. 4 and 5).
    * Notice that no plan will be issued: within 16 weeks (reg. 10).
    * Final plan issued: within 20 weeks (reg. 13(2)).
    * Comments on the draft: see ``ehc_draft_comments_due``; only when a
      draft has been served.
    """
    request_received = ensure_date(request_received, "date the request was received")
    comments: Deadline | None = None
    if draft_served is not None:
        draft_served = ensure_date(draft_served, "date the draft plan was served")
        if draft_served < request_received:
            raise InvalidInput(
                "The draft plan cannot be served before the assessment was requested."
            )
        comments = ehc_draft_comments_due(draft_served)
    return EhcTimeline(
        request_received=request_received,
        decision_to_assess=Deadline(
            DeadlineKind.EHC_DECISION_TO_ASSESS,
            "Decision whether to assess (week 6)",
            _weeks_after(request_received, EHC_DECISION_TO_ASSESS_WEEKS),
        ),
        no_plan_notice=Deadline(
            DeadlineKind.EHC_NO_PLAN_NOTICE,
            "Notice if no EHC plan will be issued (week 16)",
            _weeks_after(request_received, EHC_NO_PLAN_NOTICE_WEEKS),
        ),
        final_plan=Deadline(
            DeadlineKind.EHC_FINAL_PLAN,
            "Final EHC plan issued (week 20)",
            _weeks_after(request_received, EHC_FINAL_PLAN_WEEKS),
        ),
        draft_comments=comments,
    )


# --------------------------------------------------------------------------
# SEND Tribunal appeals (HESC Rules 2008, rules 12 and 20)


def _in_christmas_break(d: date) -> bool:
    # 25 December to 1 January inclusive (rule 12(3)(a)).
    return (d.month == 12 and d.day >= 25) or (d.month == 1 and d.day == 1)


def tribunal_next_permitted_day(d: date) -> date:
    """Move a SEND Tribunal time limit onto a day it may end on.

    Rule 12(3): in special educational needs cases, 25 December to 1 January
    and every day in August are not counted, so a limit ending in those days
    runs on to 2 January, or to 1 September. Rule 12(2): a limit ending on a
    day that is not a working day is met by acting on the next working day.
    Both are applied until neither changes the date, so 24 December on a
    Saturday goes past Christmas to the first working day of January, and
    31 July on a Saturday goes past August to September.
    """
    d = ensure_date(d, "date")
    while True:
        if d.month == 8:
            d = date(d.year, 9, 1)
        elif _in_christmas_break(d):
            d = date(d.year + 1 if d.month == 12 else d.year, 1, 2)
        rolled = next_working_day_on_or_after(d)
        if rolled == d:
            return d
        d = rolled


def tribunal_appeal_deadline(
    decision_letter: date, mediation_certificate: date | None = None
) -> Deadline:
    """Last day to register an appeal with the SEND Tribunal.

    The later of two months after the date of the decision letter and, if a
    mediation certificate was issued, one month after the date of the
    certificate; then moved by ``tribunal_next_permitted_day``. (The Tribunal
    expects it by 5pm on that day.)
    """
    decision_letter = ensure_date(decision_letter, "date of the decision letter")
    raw = add_months(decision_letter, _TRIBUNAL_DECISION_MONTHS)
    if mediation_certificate is not None:
        mediation_certificate = ensure_date(
            mediation_certificate, "date of the mediation certificate"
        )
        raw = max(raw, add_months(mediation_certificate, _TRIBUNAL_MEDIATION_MONTHS))
    return Deadline(
        DeadlineKind.TRIBUNAL_APPEAL,
        "Last day to appeal to the SEND Tribunal",
        tribunal_next_permitted_day(raw),
    )


# --------------------------------------------------------------------------
# EHC plan reviews (Children and Families Act 2014 s.44; SEND Regs 2014 reg. 20;
# SEND Code of Practice 2015, 9.178)


def annual_review_due(period_start: date, date_of_birth: date) -> Deadline:
    """Last day for the next review of an EHC plan.

    ``period_start`` is the day the plan was issued or, after the first
    review, the day it was last reviewed. The review must happen within the
    period of 12 months starting with that day (s.44), so the last day is the
    day before the anniversary. For a child under 5 on ``period_start`` the
    Code of Practice expects a review every 3 to 6 months; we use 6 months,
    the latest it allows.
    """
    period_start = ensure_date(period_start, "date the plan was issued or last reviewed")
    date_of_birth = ensure_date(date_of_birth, "date of birth")
    if date_of_birth > period_start:
        raise InvalidInput(
            "The date of birth must be on or before the date the plan was issued or last reviewed."
        )
    if age_on(date_of_birth, period_start) < 5:
        months = _REVIEW_MONTHS_UNDER_FIVE
        label = "Review of EHC plan (under 5: every 6 months)"
    else:
        months = _REVIEW_MONTHS
        label = "Annual review of EHC plan (12 months)"
    return Deadline(DeadlineKind.ANNUAL_REVIEW, label, _months_starting_with(period_start, months))


def annual_review_decision_due(review_meeting: date) -> Deadline:
    """Local authority's decision after a review meeting: within 4 weeks (reg. 20(10))."""
    review_meeting = ensure_date(review_meeting, "date of the review meeting")
    return Deadline(
        DeadlineKind.ANNUAL_REVIEW_DECISION,
        "Local authority decision after review meeting (4 weeks)",
        _weeks_after(review_meeting, _REVIEW_DECISION_WEEKS),
    )


# --------------------------------------------------------------------------
# "My work": what is overdue and what is coming up


@dataclass(frozen=True, slots=True)
class TrackedDeadline:
    """A deadline as the casework layer holds it: whether it is done, and an
    opaque ``ref`` (e.g. the stored row's id) to find the record again."""

    deadline: Deadline
    done: bool = False
    ref: int | str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.deadline, Deadline):
            raise InvalidInput("Each item in the work list must be a deadline.")
        if not isinstance(self.done, bool):
            raise InvalidInput("Say whether the deadline is done (yes or no).")


@dataclass(frozen=True, slots=True)
class WorkList:
    """Overdue items oldest first; upcoming items soonest first."""

    overdue: tuple[TrackedDeadline, ...]
    upcoming: tuple[TrackedDeadline, ...]


def upcoming_and_overdue(
    deadlines: Iterable[TrackedDeadline], today: date, horizon_days: int = 14
) -> WorkList:
    """Split deadlines that are not done into overdue and upcoming.

    * Overdue: due before ``today``.
    * Upcoming: due from ``today`` to ``today + horizon_days``, both included
      (something due today is upcoming, not yet overdue).
    Done items and items further ahead are left out. Items with the same due
    date keep the order they were given in.
    """
    today = ensure_date(today, "date for today")
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 0:
        raise InvalidInput("Look ahead by zero or more whole days.")
    horizon_end = _add_days(today, horizon_days)
    overdue: list[TrackedDeadline] = []
    upcoming: list[TrackedDeadline] = []
    for item in deadlines:
        if not isinstance(item, TrackedDeadline):
            raise InvalidInput("Each item in the work list must be a deadline.")
        if item.done:
            continue
        due = item.deadline.due
        if due < today:
            overdue.append(item)
        elif due <= horizon_end:
            upcoming.append(item)
    # list.sort is stable, which gives the documented tie order.
    overdue.sort(key=lambda t: t.deadline.due)
    upcoming.sort(key=lambda t: t.deadline.due)
    return WorkList(overdue=tuple(overdue), upcoming=tuple(upcoming))
