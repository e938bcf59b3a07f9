from __future__ import annotations

from datetime import date

import pytest

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.retention import RetentionSchedule, retention_status

DEFAULT = RetentionSchedule()


def test_later_of_closure_plus_six_and_25th_birthday() -> None:
    # Closed 2020, child born 2010: 25th birthday (2035) is later than 2026.
    assert DEFAULT.keep_until(date(2020, 3, 31), date(2010, 7, 1)) == date(2035, 7, 1)
    # Closed 2020, young person born 1996: closure + 6 years is later.
    assert DEFAULT.keep_until(date(2020, 3, 31), date(1996, 1, 1)) == date(2026, 3, 31)
    assert DEFAULT.keep_until(date(2020, 3, 31), None) == date(2026, 3, 31)


def test_leap_day_closure() -> None:
    assert DEFAULT.keep_until(date(2024, 2, 29), None) == date(2030, 2, 28)


def test_status_open_hold_kept_and_due() -> None:
    today = date(2026, 11, 26)
    assert not retention_status(DEFAULT, None, None, False, today).due
    held = retention_status(DEFAULT, date(2010, 1, 1), None, True, today)
    assert not held.due and "legal hold" in held.reason
    kept = retention_status(DEFAULT, date(2022, 1, 1), None, False, today)
    assert not kept.due and kept.keep_until == date(2028, 1, 1)
    due = retention_status(DEFAULT, date(2019, 1, 1), None, False, today)
    assert due.due and due.keep_until == date(2025, 1, 1)
    boundary = retention_status(DEFAULT, date(2020, 11, 26), None, False, today)
    assert not boundary.due  # the last day of keeping is still kept


def test_schedule_validation_and_wording() -> None:
    with pytest.raises(InvalidInput):
        RetentionSchedule(years_after_closure=0).validate()
    with pytest.raises(InvalidInput):
        RetentionSchedule(age_limit=40).validate()
    assert "6 years" in DEFAULT.describe() and "25th birthday" in DEFAULT.describe()
