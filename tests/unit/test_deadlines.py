"""Statutory clocks on real calendars. Every expected date below was worked
out by hand (weekday and England bank holidays noted beside it)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendiass_desktop.domain.deadlines import (
    ClockPause,
    Deadline,
    DeadlineKind,
    TrackedDeadline,
    add_months,
    age_on,
    annual_review_decision_due,
    annual_review_due,
    ehc_draft_comments_due,
    ehc_timeline,
    sar_clock,
    tribunal_appeal_deadline,
    tribunal_next_permitted_day,
    upcoming_and_overdue,
)
from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.working_days import is_working_day

# --------------------------------------------------------------------------
# add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # no 31 Feb: last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2025, 11, 30), 1, date(2025, 12, 30)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2027, 12, 31), 2, date(2028, 2, 29)),  # across a year end
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
        (date(2025, 6, 16), 0, date(2025, 6, 16)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_add_months_rejects_bad_input() -> None:
    with pytest.raises(InvalidInput):
        add_months(date(2025, 1, 1), 1.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="too far"):
        add_months(date(9999, 12, 1), 1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(-48, 48))
def test_add_months_property(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
    # The day only shrinks when the target month is too short.
    assert result.day == start.day or (result + timedelta(days=1)).day == 1


# --------------------------------------------------------------------------
# Subject access requests


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (date(2025, 9, 3), date(2025, 10, 3)),  # ICO's own example; Friday
        (date(2025, 1, 31), date(2025, 2, 28)),  # Friday
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year; Tuesday
        (date(2025, 11, 30), date(2025, 12, 30)),  # Tuesday
        (date(2025, 5, 14), date(2025, 6, 16)),  # 14 Jun is a Saturday -> Monday
        (date(2025, 5, 15), date(2025, 6, 16)),  # 15 Jun is a Sunday -> Monday
        (date(2026, 3, 3), date(2026, 4, 7)),  # Good Friday 3 Apr -> Tue after Easter
        (date(2025, 3, 21), date(2025, 4, 22)),  # Easter Monday 21 Apr -> Tuesday
        (date(2025, 11, 25), date(2025, 12, 29)),  # Christmas Thu, Boxing Day Fri
        (date(2024, 11, 26), date(2024, 12, 27)),  # Boxing Day Thu -> Friday
        (date(2027, 11, 25), date(2027, 12, 29)),  # Sat 25th; 27th, 28th substitutes
        (date(2027, 11, 27), date(2027, 12, 29)),  # on the substitute Christmas Day
        (date(2026, 11, 28), date(2026, 12, 29)),  # substitute Boxing Day Mon 28th
        (date(2027, 12, 3), date(2028, 1, 4)),  # substitute New Year's Day Mon 3rd
        (date(2025, 4, 5), date(2025, 5, 6)),  # Early May bank holiday
        (date(2025, 4, 26), date(2025, 5, 27)),  # Spring bank holiday
        (date(2025, 7, 25), date(2025, 8, 26)),  # Summer bank holiday
    ],
)
def test_sar_due_one_calendar_month(received: date, expected: date) -> None:
    clock = sar_clock(received)
    assert clock.due == expected
    assert clock.standard_due == expected
    assert not clock.paused
    assert not clock.extended
    assert clock.tell_requester_by is None
    assert clock.paused_days == 0


def test_sar_as_deadline() -> None:
    deadline = sar_clock(date(2025, 9, 3)).as_deadline()
    assert deadline == Deadline(
        DeadlineKind.SAR_RESPONSE, "Reply to subject access request (one month)", date(2025, 10, 3)
    )


class TestSarPauses:
    # Received Monday 3 March 2025: unpaused due date Thursday 3 April 2025.
    RECEIVED = date(2025, 3, 3)

    def test_closed_pause_moves_due_date_by_the_days_paused(self) -> None:
        clock = sar_clock(self.RECEIVED, [ClockPause(date(2025, 3, 10), date(2025, 3, 17))])
        assert clock.paused_days == 7
        assert clock.due == date(2025, 4, 10)  # Thursday
        assert not clock.paused

    def test_shifted_due_date_is_rolled_to_a_working_day(self) -> None:
        # 15 days paused: 3 Apr + 15 = Good Friday 18 Apr -> Tuesday 22 Apr.
        clock = sar_clock(self.RECEIVED, [ClockPause(date(2025, 3, 10), date(2025, 3, 25))])
        assert clock.due == date(2025, 4, 22)

    def test_open_pause_means_no_due_date(self) -> None:
        clock = sar_clock(self.RECEIVED, [ClockPause(date(2025, 3, 10))])
        assert clock.paused
        assert clock.paused_since == date(2025, 3, 10)
        assert clock.due is None
        assert clock.standard_due is None
        assert clock.as_deadline() is None

    def test_pause_from_the_day_of_receipt_for_identity(self) -> None:
        # Identity asked for on receipt, arrives 10 days later.
        clock = sar_clock(self.RECEIVED, [ClockPause(date(2025, 3, 3), date(2025, 3, 13))])
        assert clock.due == date(2025, 4, 14)  # 13 Apr is a Sunday -> Monday

    def test_separate_pauses_add_up(self) -> None:
        clock = sar_clock(
            self.RECEIVED,
            [
                ClockPause(date(2025, 3, 20), date(2025, 3, 22)),
                ClockPause(date(2025, 3, 5), date(2025, 3, 8)),
            ],
        )
        assert clock.paused_days == 5
        assert clock.due == date(2025, 4, 8)  # Tuesday

    @pytest.mark.parametrize(
        "pauses",
        [
            [
                ClockPause(date(2025, 3, 10), date(2025, 3, 17)),
                ClockPause(date(2025, 3, 15), date(2025, 3, 20)),
            ],
            [
                ClockPause(date(2025, 3, 10), date(2025, 3, 15)),
                ClockPause(date(2025, 3, 15), date(2025, 3, 20)),
            ],
            [
                ClockPause(date(2025, 3, 10), date(2025, 3, 20)),
                ClockPause(date(2025, 3, 12), date(2025, 3, 14)),
            ],
        ],
    )
    def test_overlapping_pauses_count_each_day_once(self, pauses: list[ClockPause]) -> None:
        clock = sar_clock(self.RECEIVED, pauses)
        assert clock.paused_days == 10
        assert clock.due == date(2025, 4, 14)  # 13 Apr is a Sunday -> Monday

    def test_open_pause_overlapping_a_closed_one_is_still_open(self) -> None:
        clock = sar_clock(
            self.RECEIVED,
            [ClockPause(date(2025, 3, 10), date(2025, 3, 17)), ClockPause(date(2025, 3, 12))],
        )
        assert clock.paused
        assert clock.paused_since == date(2025, 3, 10)

    def test_pause_after_the_due_date_is_ignored(self) -> None:
        late_closed = sar_clock(self.RECEIVED, [ClockPause(date(2025, 4, 4), date(2025, 4, 10))])
        assert late_closed.due == date(2025, 4, 3)
        assert late_closed.paused_days == 0
        late_open = sar_clock(self.RECEIVED, [ClockPause(date(2025, 4, 7))])
        assert late_open.due == date(2025, 4, 3)
        assert not late_open.paused

    def test_pause_starting_on_the_due_date_counts(self) -> None:
        clock = sar_clock(self.RECEIVED, [ClockPause(date(2025, 4, 3), date(2025, 4, 5))])
        assert clock.due == date(2025, 4, 7)  # 5 Apr is a Saturday -> Monday

    def test_second_pause_counts_if_it_starts_before_the_moved_due_date(self) -> None:
        # First pause: 14 days -> due 17 Apr. Second starts 10 Apr (after the
        # original 3 Apr, before 17 Apr): 2 more days -> Sat 19 Apr -> Sun,
        # Easter Monday -> Tuesday 22 Apr.
        clock = sar_clock(
            self.RECEIVED,
            [
                ClockPause(date(2025, 3, 10), date(2025, 3, 24)),
                ClockPause(date(2025, 4, 10), date(2025, 4, 12)),
            ],
        )
        assert clock.paused_days == 16
        assert clock.due == date(2025, 4, 22)

    def test_pause_cannot_start_before_receipt(self) -> None:
        with pytest.raises(InvalidInput, match="before the request was received"):
            sar_clock(self.RECEIVED, [ClockPause(date(2025, 3, 1), date(2025, 3, 5))])

    def test_pause_cannot_end_before_it_starts(self) -> None:
        with pytest.raises(InvalidInput, match="cannot end before it starts"):
            ClockPause(date(2025, 3, 10), date(2025, 3, 9))

    def test_pause_must_be_a_clock_pause(self) -> None:
        with pytest.raises(InvalidInput):
            sar_clock(self.RECEIVED, [(date(2025, 3, 10), None)])  # type: ignore[list-item]


class TestSarExtension:
    def test_two_month_extension_from_31_january(self) -> None:
        clock = sar_clock(date(2025, 1, 31), extension_months=2)
        assert clock.due == date(2025, 4, 30)  # 31 Jan + 3 months; Wednesday
        assert clock.extended
        assert clock.standard_due == date(2025, 2, 28)
        assert clock.tell_requester_by == date(2025, 2, 28)
        deadline = clock.as_deadline()
        assert deadline is not None
        assert deadline.label == "Reply to subject access request (extended)"

    def test_one_month_extension(self) -> None:
        clock = sar_clock(date(2025, 1, 31), extension_months=1)
        assert clock.due == date(2025, 3, 31)  # Monday
        assert clock.tell_requester_by == date(2025, 2, 28)

    def test_extended_due_date_rolls_to_a_working_day(self) -> None:
        # 18 Jan 2025 + 3 months = Good Friday 18 Apr 2025 -> Tuesday 22 Apr.
        clock = sar_clock(date(2025, 1, 18), extension_months=2)
        assert clock.due == date(2025, 4, 22)
        assert clock.tell_requester_by == date(2025, 2, 18)

    def test_extension_with_pause(self) -> None:
        clock = sar_clock(
            date(2025, 1, 31),
            [ClockPause(date(2025, 2, 3), date(2025, 2, 10))],
            extension_months=2,
        )
        assert clock.due == date(2025, 5, 7)  # 30 Apr + 7 days; Wednesday
        assert clock.tell_requester_by == date(2025, 3, 7)  # 28 Feb + 7; Friday

    def test_extension_while_paused_gives_no_dates(self) -> None:
        clock = sar_clock(date(2025, 1, 31), [ClockPause(date(2025, 2, 3))], extension_months=1)
        assert clock.due is None
        assert clock.tell_requester_by is None

    @pytest.mark.parametrize("months", [3, -1, True, 1.5])
    def test_extension_must_be_one_or_two_months(self, months: object) -> None:
        with pytest.raises(InvalidInput, match="one or two further months"):
            sar_clock(date(2025, 1, 31), extension_months=months)  # type: ignore[arg-type]


_SAR_DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))


@given(_SAR_DATES)
def test_sar_due_date_property(received: date) -> None:
    due = sar_clock(received).due
    assert due is not None
    assert is_working_day(due)
    assert received + timedelta(days=28) <= due <= received + timedelta(days=31 + 4)


@given(_SAR_DATES, st.integers(0, 20), st.integers(0, 60), st.integers(0, 2))
def test_sar_pauses_and_extensions_never_bring_the_date_forward(
    received: date, offset: int, length: int, extension: int
) -> None:
    unextended = sar_clock(received).due
    plain = sar_clock(received, extension_months=extension).due
    start = received + timedelta(days=offset)
    paused = sar_clock(received, [ClockPause(start, start + timedelta(days=length))], extension).due
    assert unextended is not None and plain is not None and paused is not None
    assert is_working_day(paused)
    assert unextended <= plain <= paused


def test_sar_received_must_be_a_date() -> None:
    with pytest.raises(InvalidInput, match="date the request was received"):
        sar_clock("3 March 2025")  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# EHC needs assessment


def test_ehc_timeline_weeks_6_16_20() -> None:
    # Request received Monday 6 January 2025.
    timeline = ehc_timeline(date(2025, 1, 6))
    assert timeline.decision_to_assess == Deadline(
        DeadlineKind.EHC_DECISION_TO_ASSESS,
        "Decision whether to assess (week 6)",
        date(2025, 2, 17),
    )
    assert timeline.no_plan_notice.kind is DeadlineKind.EHC_NO_PLAN_NOTICE
    assert timeline.no_plan_notice.due == date(2025, 4, 28)
    assert timeline.final_plan.kind is DeadlineKind.EHC_FINAL_PLAN
    # 26 May 2025 is the Spring bank holiday: statutory weeks are not moved.
    assert timeline.final_plan.due == date(2025, 5, 26)
    assert timeline.draft_comments is None
    assert [m.due for m in timeline.milestones()] == [
        date(2025, 2, 17),
        date(2025, 4, 28),
        date(2025, 5, 26),
    ]


def test_ehc_timeline_with_draft_plan() -> None:
    timeline = ehc_timeline(date(2025, 1, 6), draft_served=date(2025, 5, 1))
    assert timeline.draft_comments == Deadline(
        DeadlineKind.EHC_DRAFT_COMMENTS,
        "Comments on the draft EHC plan (15 days)",
        date(2025, 5, 15),  # 1 May is day 1, 15 May is day 15
    )
    assert [m.kind for m in timeline.milestones()] == [
        DeadlineKind.EHC_DECISION_TO_ASSESS,
        DeadlineKind.EHC_NO_PLAN_NOTICE,
        DeadlineKind.EHC_DRAFT_COMMENTS,
        DeadlineKind.EHC_FINAL_PLAN,
    ]


def test_draft_comments_are_calendar_days_not_moved() -> None:
    # Served Wednesday 17 Dec 2025: day 15 is Wednesday 31 December.
    assert ehc_draft_comments_due(date(2025, 12, 17)).due == date(2025, 12, 31)
    # Served Sunday 16 Mar 2025: day 15 is Sunday 30 March, left as it is.
    assert ehc_draft_comments_due(date(2025, 3, 16)).due == date(2025, 3, 30)


def test_draft_cannot_precede_request() -> None:
    with pytest.raises(InvalidInput, match="draft plan cannot be served before"):
        ehc_timeline(date(2025, 1, 6), draft_served=date(2025, 1, 5))


# --------------------------------------------------------------------------
# SEND Tribunal


@pytest.mark.parametrize(
    ("letter", "expected"),
    [
        (date(2025, 3, 10), date(2025, 5, 12)),  # 10 May is a Saturday -> Monday
        (date(2025, 3, 14), date(2025, 5, 14)),  # ordinary Wednesday
        (date(2025, 2, 21), date(2025, 4, 22)),  # Easter Monday 21 Apr -> Tuesday
        (date(2025, 12, 31), date(2026, 3, 2)),  # 28 Feb 2026 Sat -> Monday 2 Mar
        # August: to the first working day of September.
        (date(2026, 6, 15), date(2026, 9, 1)),  # 15 Aug -> Tue 1 Sep
        (date(2029, 6, 10), date(2029, 9, 3)),  # 1 Sep 2029 is a Saturday
        (date(2024, 6, 20), date(2024, 9, 2)),  # 1 Sep 2024 is a Sunday
        (date(2025, 6, 30), date(2025, 9, 1)),  # 30 Aug (after the bank holiday)
        (date(2025, 6, 25), date(2025, 9, 1)),  # on the Summer bank holiday itself
        (date(2025, 7, 1), date(2025, 9, 1)),  # 1 Sep itself, a Monday
        # Sat 31 Jul 2027 -> Mon 2 Aug is in August -> Wed 1 Sep.
        (date(2027, 5, 31), date(2027, 9, 1)),
        (date(2026, 5, 31), date(2026, 7, 31)),  # Fri 31 Jul: not moved
        # 25 December - 1 January: to the next working day after 1 January.
        (date(2025, 11, 1), date(2026, 1, 2)),  # 1 Jan 2026 -> Fri 2 Jan
        (date(2025, 10, 25), date(2026, 1, 2)),  # Christmas Day 2025
        (date(2027, 10, 25), date(2028, 1, 4)),  # 2 Jan Sun, 3 Jan substitute
        (date(2025, 10, 24), date(2025, 12, 24)),  # Wed 24 Dec: not moved
        # Sat 24 Dec 2022: next working day is 28 Dec, which is in the break;
        # 2 Jan 2023 is the substitute New Year's Day -> Tue 3 Jan.
        (date(2022, 10, 24), date(2023, 1, 3)),
    ],
)
def test_tribunal_deadline_from_decision_letter(letter: date, expected: date) -> None:
    deadline = tribunal_appeal_deadline(letter)
    assert deadline.kind is DeadlineKind.TRIBUNAL_APPEAL
    assert deadline.label == "Last day to appeal to the SEND Tribunal"
    assert deadline.due == expected


@pytest.mark.parametrize(
    ("letter", "certificate", "expected"),
    [
        # IPSEA's example: letter 1 Oct -> 1 Dec; certificate 29 Nov -> 29 Dec,
        # which is the later and falls in the Christmas break -> Fri 2 Jan 2026.
        (date(2025, 10, 1), date(2025, 11, 29), date(2026, 1, 2)),
        # Certificate one month later wins: 15 May 2025 (Thursday).
        (date(2025, 3, 1), date(2025, 4, 15), date(2025, 5, 15)),
        # Certificate's month ends before the letter's two: 1 May (Thursday).
        (date(2025, 3, 1), date(2025, 3, 10), date(2025, 5, 1)),
        # Certificate lands in August: 10 Aug -> Mon 1 Sep 2025.
        (date(2025, 5, 1), date(2025, 7, 10), date(2025, 9, 1)),
    ],
)
def test_tribunal_deadline_with_mediation_certificate(
    letter: date, certificate: date, expected: date
) -> None:
    assert tribunal_appeal_deadline(letter, certificate).due == expected


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 10, 31)))
def test_tribunal_permitted_day_property(d: date) -> None:
    result = tribunal_next_permitted_day(d)
    assert result >= d
    assert is_working_day(result)
    assert result.month != 8
    assert not (result.month == 12 and result.day >= 25)
    assert not (result.month == 1 and result.day == 1)
    assert tribunal_next_permitted_day(result) == result


# --------------------------------------------------------------------------
# EHC plan reviews


def test_age_on() -> None:
    assert age_on(date(2020, 6, 10), date(2025, 6, 9)) == 4
    assert age_on(date(2020, 6, 10), date(2025, 6, 10)) == 5
    # Born 29 February: fifth birthday counted from 1 March 2025.
    assert age_on(date(2020, 2, 29), date(2025, 2, 28)) == 4
    assert age_on(date(2020, 2, 29), date(2025, 3, 1)) == 5
    with pytest.raises(InvalidInput):
        age_on(date(2025, 1, 2), date(2025, 1, 1))


@pytest.mark.parametrize(
    ("period_start", "date_of_birth", "expected", "label"),
    [
        # Over 5: the period of 12 months starting with the day ends the day before.
        (
            date(2025, 3, 15),
            date(2015, 1, 1),
            date(2026, 3, 14),
            "Annual review of EHC plan (12 months)",
        ),
        (
            date(2019, 1, 1),
            date(2010, 1, 1),
            date(2019, 12, 31),
            "Annual review of EHC plan (12 months)",
        ),
        (
            date(2024, 2, 29),
            date(2010, 5, 5),
            date(2025, 2, 28),
            "Annual review of EHC plan (12 months)",
        ),
        # Under 5: every 6 months.
        (
            date(2025, 3, 15),
            date(2022, 6, 1),
            date(2025, 9, 14),
            "Review of EHC plan (under 5: every 6 months)",
        ),
        (
            date(2025, 8, 31),
            date(2022, 6, 1),
            date(2026, 2, 28),
            "Review of EHC plan (under 5: every 6 months)",
        ),
        # Turning 5: age on the day the plan was issued or last reviewed counts.
        (
            date(2025, 6, 9),
            date(2020, 6, 10),
            date(2025, 12, 8),
            "Review of EHC plan (under 5: every 6 months)",
        ),
        (
            date(2025, 6, 10),
            date(2020, 6, 10),
            date(2026, 6, 9),
            "Annual review of EHC plan (12 months)",
        ),
        (
            date(2025, 2, 28),
            date(2020, 2, 29),
            date(2025, 8, 27),
            "Review of EHC plan (under 5: every 6 months)",
        ),
        (
            date(2025, 3, 1),
            date(2020, 2, 29),
            date(2026, 2, 28),
            "Annual review of EHC plan (12 months)",
        ),
    ],
)
def test_annual_review_due(
    period_start: date, date_of_birth: date, expected: date, label: str
) -> None:
    deadline = annual_review_due(period_start, date_of_birth)
    assert deadline == Deadline(DeadlineKind.ANNUAL_REVIEW, label, expected)


def test_annual_review_needs_birth_before_plan() -> None:
    with pytest.raises(InvalidInput, match="date of birth"):
        annual_review_due(date(2025, 1, 1), date(2025, 1, 2))


def test_annual_review_decision_within_four_weeks() -> None:
    deadline = annual_review_decision_due(date(2025, 3, 10))
    assert deadline.kind is DeadlineKind.ANNUAL_REVIEW_DECISION
    assert deadline.due == date(2025, 4, 7)
    # Not moved off bank holidays: meeting 24 Mar 2025 -> Easter Monday 21 Apr.
    assert annual_review_decision_due(date(2025, 3, 24)).due == date(2025, 4, 21)


# --------------------------------------------------------------------------
# Deadline value object and the "My work" split


def test_deadline_needs_a_label_and_kind() -> None:
    with pytest.raises(InvalidInput, match="short description"):
        Deadline(DeadlineKind.TASK, "   ", date(2025, 1, 1))
    with pytest.raises(InvalidInput, match="kind of deadline"):
        Deadline("task", "Call parent", date(2025, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="due date"):
        Deadline(DeadlineKind.TASK, "Call parent", "2025-01-01")  # type: ignore[arg-type]


def test_deadline_kind_values_are_stable() -> None:
    assert {k.value for k in DeadlineKind} == {
        "sar_response",
        "ehc_decision_to_assess",
        "ehc_no_plan_notice",
        "ehc_draft_comments",
        "ehc_final_plan",
        "tribunal_appeal",
        "annual_review",
        "annual_review_decision",
        "task",
    }


def _item(label: str, due: date, done: bool = False) -> TrackedDeadline:
    return TrackedDeadline(Deadline(DeadlineKind.TASK, label, due), done=done, ref=label)


class TestUpcomingAndOverdue:
    TODAY = date(2025, 3, 10)

    def _items(self) -> list[TrackedDeadline]:
        return [
            _item("yesterday", date(2025, 3, 9)),
            _item("today", date(2025, 3, 10)),
            _item("last day of horizon", date(2025, 3, 24)),
            _item("day after horizon", date(2025, 3, 25)),
            _item("long overdue", date(2025, 2, 1)),
            _item("done and overdue", date(2025, 3, 5), done=True),
            _item("done and upcoming", date(2025, 3, 12), done=True),
            _item("in two days", date(2025, 3, 12)),
        ]

    def test_split_and_order(self) -> None:
        work = upcoming_and_overdue(self._items(), self.TODAY)
        assert [t.ref for t in work.overdue] == ["long overdue", "yesterday"]
        assert [t.ref for t in work.upcoming] == ["today", "in two days", "last day of horizon"]

    def test_zero_horizon_shows_only_today(self) -> None:
        work = upcoming_and_overdue(self._items(), self.TODAY, horizon_days=0)
        assert [t.ref for t in work.upcoming] == ["today"]
        assert len(work.overdue) == 2

    def test_ties_keep_input_order(self) -> None:
        items = [_item("b", date(2025, 3, 11)), _item("a", date(2025, 3, 11))]
        work = upcoming_and_overdue(items, self.TODAY)
        assert [t.ref for t in work.upcoming] == ["b", "a"]

    def test_empty_and_generator_input(self) -> None:
        assert upcoming_and_overdue([], self.TODAY).overdue == ()
        work = upcoming_and_overdue((i for i in self._items()), self.TODAY)
        assert len(work.upcoming) == 3

    def test_statutory_deadlines_mix_with_tasks(self) -> None:
        sar = sar_clock(date(2025, 2, 10)).as_deadline()  # due Mon 10 Mar 2025
        assert sar is not None
        work = upcoming_and_overdue([TrackedDeadline(sar, ref=7)], self.TODAY)
        assert work.upcoming == (TrackedDeadline(sar, ref=7),)

    def test_bad_input(self) -> None:
        with pytest.raises(InvalidInput, match="zero or more"):
            upcoming_and_overdue([], self.TODAY, horizon_days=-1)
        with pytest.raises(InvalidInput, match="must be a deadline"):
            not_tracked: list[object] = [(Deadline(DeadlineKind.TASK, "x", self.TODAY), False)]
            upcoming_and_overdue(not_tracked, self.TODAY)  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="yes or no"):
            TrackedDeadline(Deadline(DeadlineKind.TASK, "x", self.TODAY), done=None)  # type: ignore[arg-type]
