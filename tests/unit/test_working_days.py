"""Working days on the real England and Wales calendar (dates checked by hand
against the GOV.UK bank holiday list)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.working_days import (
    FIRST_SUPPORTED_YEAR,
    LAST_SUPPORTED_YEAR,
    add_working_days,
    bank_holiday_name,
    bank_holidays_in_year,
    ensure_date,
    is_bank_holiday,
    is_weekend,
    is_working_day,
    next_working_day_after,
    next_working_day_on_or_after,
)


def test_england_2025_has_the_eight_usual_bank_holidays() -> None:
    assert sorted(bank_holidays_in_year(2025)) == [
        date(2025, 1, 1),  # New Year's Day
        date(2025, 4, 18),  # Good Friday
        date(2025, 4, 21),  # Easter Monday
        date(2025, 5, 5),  # Early May
        date(2025, 5, 26),  # Spring
        date(2025, 8, 25),  # Summer
        date(2025, 12, 25),  # Christmas Day
        date(2025, 12, 26),  # Boxing Day
    ]


def test_easter_monday_and_summer_bank_holiday_are_english_not_scottish() -> None:
    # Scotland has no Easter Monday bank holiday and its summer holiday is in
    # early August; these prove the England subdivision is in use.
    assert is_bank_holiday(date(2026, 4, 6))  # Easter Monday 2026
    assert is_bank_holiday(date(2026, 8, 31))  # last Monday in August
    assert not is_bank_holiday(date(2026, 8, 3))  # Scotland's summer holiday
    assert not is_bank_holiday(date(2026, 1, 2))  # Scotland's 2 January


def test_substitute_days_2027_christmas_on_a_saturday() -> None:
    # 25 Dec 2027 is a Saturday, 26th a Sunday: 27th and 28th are the bank holidays.
    assert is_bank_holiday(date(2027, 12, 27))
    assert is_bank_holiday(date(2027, 12, 28))
    assert is_working_day(date(2027, 12, 29))
    assert not is_working_day(date(2027, 12, 25))


def test_substitute_day_2026_boxing_day_on_a_saturday() -> None:
    assert is_bank_holiday(date(2026, 12, 28))
    assert is_working_day(date(2026, 12, 29))


def test_substitute_new_year_2028() -> None:
    # 1 Jan 2028 is a Saturday, so Monday 3 January is the bank holiday.
    assert is_bank_holiday(date(2028, 1, 3))
    assert is_working_day(date(2028, 1, 4))


def test_one_off_bank_holidays_come_from_the_package() -> None:
    assert is_bank_holiday(date(2022, 9, 19))  # state funeral
    assert is_bank_holiday(date(2023, 5, 8))  # coronation
    assert is_bank_holiday(date(2020, 5, 8))  # VE Day, Early May moved
    assert not is_bank_holiday(date(2020, 5, 4))


def test_bank_holiday_name() -> None:
    assert bank_holiday_name(date(2025, 4, 21)) == "Easter Monday"
    assert bank_holiday_name(date(2025, 4, 22)) is None


def test_weekends() -> None:
    assert is_weekend(date(2025, 6, 14))  # Saturday
    assert is_weekend(date(2025, 6, 15))  # Sunday
    assert not is_weekend(date(2025, 6, 16))
    assert not is_working_day(date(2025, 6, 14))
    assert is_working_day(date(2025, 6, 16))


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2025, 6, 16), date(2025, 6, 16)),  # Monday: already a working day
        (date(2025, 6, 14), date(2025, 6, 16)),  # Saturday -> Monday
        (date(2025, 4, 18), date(2025, 4, 22)),  # Good Friday -> Tuesday after Easter
        (date(2027, 12, 25), date(2027, 12, 29)),  # Christmas 2027 -> Wednesday
        (date(2027, 12, 31), date(2027, 12, 31)),  # Friday 31 Dec is a working day
        (date(2028, 1, 1), date(2028, 1, 4)),  # Sat, Sun, substitute Mon -> Tue
    ],
)
def test_next_working_day_on_or_after(start: date, expected: date) -> None:
    assert next_working_day_on_or_after(start) == expected


def test_next_working_day_after_is_strictly_later() -> None:
    assert next_working_day_after(date(2025, 6, 16)) == date(2025, 6, 17)
    assert next_working_day_after(date(2025, 6, 13)) == date(2025, 6, 16)  # Fri -> Mon


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2025, 6, 13), 1, date(2025, 6, 16)),  # Friday + 1 -> Monday
        (date(2025, 6, 14), 1, date(2025, 6, 16)),  # Saturday + 1 -> Monday
        (date(2025, 6, 14), 0, date(2025, 6, 16)),  # 0 from a weekend -> Monday
        (date(2025, 6, 16), 0, date(2025, 6, 16)),
        (date(2025, 6, 16), 5, date(2025, 6, 23)),
        (date(2025, 4, 17), 1, date(2025, 4, 22)),  # Thursday before Easter
        (date(2025, 12, 24), 3, date(2025, 12, 31)),  # 29, 30, 31 December
        (date(2025, 4, 22), -1, date(2025, 4, 17)),  # back over Easter
        (date(2025, 6, 16), -1, date(2025, 6, 13)),
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


def test_add_working_days_needs_a_whole_number() -> None:
    with pytest.raises(InvalidInput):
        add_working_days(date(2025, 6, 16), 1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        add_working_days(date(2025, 6, 16), True)


def test_years_the_package_does_not_know_are_refused() -> None:
    assert FIRST_SUPPORTED_YEAR <= 2000 and LAST_SUPPORTED_YEAR >= 2050
    with pytest.raises(InvalidInput, match="Bank holidays are only known"):
        is_working_day(date(LAST_SUPPORTED_YEAR + 1, 6, 2))


def test_a_datetime_or_text_is_not_a_date() -> None:
    with pytest.raises(InvalidInput, match="calendar date"):
        is_working_day(datetime(2025, 6, 16, 9, 0))
    with pytest.raises(InvalidInput, match="date the request was received"):
        ensure_date("2025-06-16", "date the request was received")


def test_holiday_lookup_is_cached_and_read_only() -> None:
    first = bank_holidays_in_year(2031)
    assert bank_holidays_in_year(2031) is first
    with pytest.raises(TypeError):
        first[date(2031, 6, 2)] = "Not a holiday"  # type: ignore[index]
