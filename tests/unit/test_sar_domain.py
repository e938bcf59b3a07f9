"""domain.sar: the register entry's rules, its clock and whose eyes a pack is for."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sendiass_desktop.domain.deadlines import ClockPause
from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.people import PersonRole
from sendiass_desktop.domain.sar import (
    IdentityCheck,
    IdentityMethod,
    Relationship,
    SarRequest,
    SarStatus,
    audience_for,
    format_sar_ref,
)
from sendiass_desktop.domain.visibility import Audience

TODAY = date(2025, 6, 30)
ID = IdentityCheck(IdentityMethod.PHOTO_ID, date(2025, 3, 4), "dave")


def request(received: date = date(2025, 3, 3), **kw: object) -> SarRequest:
    return SarRequest("SAR-2025-0001", 1, Relationship.SELF, received, "dave",
                      **kw)  # type: ignore[arg-type]


# --- status transitions ----------------------------------------------------------------


def test_happy_path_received_to_sent() -> None:
    sar = request(identity=ID)
    sar = sar.move_to(SarStatus.GATHERING)
    sar = sar.move_to(SarStatus.REVIEW)
    sent = sar.move_to(SarStatus.SENT, on=date(2025, 3, 20))
    assert sent.status is SarStatus.SENT and sent.sent_on == date(2025, 3, 20)


def test_gathering_needs_a_verified_identity() -> None:
    with pytest.raises(InvalidInput, match="identity"):
        request().move_to(SarStatus.GATHERING)


@pytest.mark.parametrize(("start", "target"), [
    (SarStatus.RECEIVED, SarStatus.SENT),
    (SarStatus.RECEIVED, SarStatus.REVIEW),
    (SarStatus.GATHERING, SarStatus.SENT),
    (SarStatus.GATHERING, SarStatus.RECEIVED),
    (SarStatus.SENT, SarStatus.REVIEW),
    (SarStatus.SENT, SarStatus.REFUSED),
    (SarStatus.REFUSED, SarStatus.GATHERING),
])
def test_invalid_transitions_are_refused(start: SarStatus, target: SarStatus) -> None:
    sar = request(identity=ID, status=start)
    with pytest.raises(InvalidInput, match="cannot move"):
        sar.move_to(target, reason="because")


def test_review_can_go_back_to_gathering() -> None:
    sar = request(identity=ID, status=SarStatus.REVIEW)
    assert sar.move_to(SarStatus.GATHERING).status is SarStatus.GATHERING


def test_refusal_needs_a_reason_and_keeps_it() -> None:
    sar = request()
    with pytest.raises(InvalidInput, match="reason"):
        sar.move_to(SarStatus.REFUSED, reason="  ")
    refused = sar.move_to(SarStatus.REFUSED, reason=" Manifestly unfounded ")
    assert refused.refusal_reason == "Manifestly unfounded"
    refused.validate(TODAY)


# --- validation --------------------------------------------------------------------------


def test_validation_rules() -> None:
    request().validate(TODAY)
    with pytest.raises(InvalidInput, match="future"):
        request(received=date(2025, 7, 1)).validate(TODAY)
    with pytest.raises(InvalidInput, match="behalf"):
        replace(request(), relationship=Relationship.PARENT).validate(TODAY)
    with pytest.raises(InvalidInput, match="oneself"):
        request(for_person_id=2).validate(TODAY)
    with pytest.raises(InvalidInput, match="reason for extending"):
        request(extension_months=1).validate(TODAY)
    with pytest.raises(InvalidInput, match="on or after"):
        request(identity=replace(ID, verified_on=date(2025, 3, 1))).validate(TODAY)
    with pytest.raises(InvalidInput, match="refusing"):
        request(status=SarStatus.REFUSED).validate(TODAY)


def test_data_subjects_are_the_requester_and_the_person_represented() -> None:
    assert request().data_subject_ids == (1,)
    parent = replace(request(), relationship=Relationship.PARENT, for_person_id=2)
    assert parent.data_subject_ids == (1, 2)
    same = replace(request(), relationship=Relationship.PARENT, for_person_id=1)
    assert same.data_subject_ids == (1,)


def test_reference_format() -> None:
    assert format_sar_ref(2026, 7) == "SAR-2026-0007"


# --- extension: within the first month -----------------------------------------------------


def test_extension_told_within_the_first_month() -> None:
    sar = request(received=date(2025, 1, 31))
    extended = sar.extend(2, " Many records across three cases ", date(2025, 2, 28))
    assert extended.extension_months == 2
    assert extended.extension_reason == "Many records across three cases"
    assert extended.clock().due == date(2025, 4, 30)  # +3 months from 31 January
    assert extended.clock().tell_requester_by == date(2025, 2, 28)


def test_extension_after_the_first_month_is_refused() -> None:
    sar = request(received=date(2025, 1, 31))
    with pytest.raises(InvalidInput, match="within the first month"):
        sar.extend(1, "complex", date(2025, 3, 3))


@pytest.mark.parametrize("months", [3, -1])
def test_extension_is_one_or_two_months(months: int) -> None:
    with pytest.raises(InvalidInput):
        request().extend(months, "complex", date(2025, 3, 5))


# --- due dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(("received", "due"), [
    (date(2025, 1, 31), date(2025, 2, 28)),  # no 31 February: the month's last day
    (date(2024, 1, 31), date(2024, 2, 29)),  # leap year
    (date(2025, 3, 3), date(2025, 4, 3)),  # the corresponding day
    (date(2025, 2, 8), date(2025, 3, 10)),  # Saturday 8 March -> Monday
    (date(2025, 4, 25), date(2025, 5, 27)),  # Sunday 25 May, bank holiday Monday -> Tuesday
    (date(2026, 11, 25), date(2026, 12, 29)),  # Christmas Friday, weekend, Boxing Day (sub.)
])
def test_due_dates(received: date, due: date) -> None:
    assert request(received=received).clock().due == due


def test_extension_adds_two_months() -> None:
    sar = request(received=date(2025, 3, 3)).extend(2, "complex", date(2025, 3, 10))
    assert sar.clock().due == date(2025, 6, 3)
    assert sar.clock().as_deadline() is not None


def test_pause_moves_the_due_date() -> None:
    paused = request(pauses=(ClockPause(date(2025, 3, 10), date(2025, 3, 17)),))
    assert paused.clock().due == date(2025, 4, 10)  # 3 April + 7 days
    waiting = request(pauses=(ClockPause(date(2025, 3, 10)),))
    assert waiting.clock().due is None and waiting.clock().paused
    assert waiting.clock().as_deadline() is None


# --- whose eyes the pack is for ----------------------------------------------------------------


@pytest.mark.parametrize(("relationship", "requester", "for_role", "audience"), [
    (Relationship.SELF, PersonRole.CHILD_YOUNG_PERSON, None, Audience.YOUNG_PERSON),
    (Relationship.SELF, PersonRole.PARENT_CARER, None, Audience.PARENT),
    (Relationship.SELF, PersonRole.OTHER, None, Audience.PARENT),
    (Relationship.PARENT, PersonRole.PARENT_CARER, PersonRole.CHILD_YOUNG_PERSON,
     Audience.PARENT),
    (Relationship.REPRESENTATIVE, PersonRole.PROFESSIONAL, PersonRole.CHILD_YOUNG_PERSON,
     Audience.YOUNG_PERSON),
    (Relationship.REPRESENTATIVE, PersonRole.PROFESSIONAL, PersonRole.PARENT_CARER,
     Audience.PARENT),
])
def test_audience_for(relationship: Relationship, requester: PersonRole,
                      for_role: PersonRole | None, audience: Audience) -> None:
    assert audience_for(relationship, requester, for_role) is audience


def test_extension_must_be_one_or_two_months() -> None:
    from datetime import date

    import pytest

    from sendiass_desktop.domain.errors import InvalidInput
    from sendiass_desktop.domain.sar import Relationship, SarRequest

    sar = SarRequest("SAR-2026-0001", 1, Relationship.SELF, date(2026, 1, 5), "alice")
    for months in (0, 3):
        with pytest.raises(InvalidInput, match="one or two"):
            sar.extend(months, "complex", date(2026, 1, 20))
    assert sar.extend(2, "complex", date(2026, 1, 20)).extension_months == 2
