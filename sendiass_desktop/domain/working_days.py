"""Working days in England: weekends and England and Wales bank holidays.

Bank holidays come from the maintained ``holidays`` package
(``country_holidays("GB", subdiv="ENG")``), never from a hand-written list, so
substitute days (e.g. 27 and 28 December 2027), one-off holidays (jubilees,
coronations, state funerals) and moved holidays (VE Day 2020) are right without
code changes here. England and Wales share the same list; Scotland and Northern
Ireland do not, which is why the subdivision matters.

Each year's holidays are computed once, when first needed, and cached.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import cache
from types import MappingProxyType

import holidays

from sendiass_desktop.domain.errors import InvalidInput

__all__ = [
    "FIRST_SUPPORTED_YEAR",
    "LAST_SUPPORTED_YEAR",
    "add_working_days",
    "bank_holiday_name",
    "bank_holidays_in_year",
    "ensure_date",
    "is_bank_holiday",
    "is_weekend",
    "is_working_day",
    "next_working_day_after",
    "next_working_day_on_or_after",
]

_COUNTRY = "GB"
# "ENG" is England; the package gives Wales the same bank holidays.
_SUBDIVISION = "ENG"

_ONE_DAY = timedelta(days=1)


def _supported_years() -> tuple[int, int]:
    # The package returns an empty list outside the years it knows, which
    # would silently make every weekday a working day; we refuse instead.
    calendar = holidays.country_holidays(_COUNTRY, subdiv=_SUBDIVISION)
    return int(calendar.start_year), int(calendar.end_year)


FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR = _supported_years()


def ensure_date(value: object, what: str) -> date:
    """Return ``value`` if it is a calendar date, else raise ``InvalidInput``.

    A ``datetime`` is refused too: it is a subclass of ``date`` but compares
    badly with one, and a time of day has no meaning for these clocks.
    ``what`` names the field in the message, e.g. "date the request was received".
    """
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput(f"The {what} must be a calendar date (day, month and year).")
    return value


@cache
def _holidays_for_year(year: int) -> Mapping[date, str]:
    if not FIRST_SUPPORTED_YEAR <= year <= LAST_SUPPORTED_YEAR:
        raise InvalidInput(
            f"Bank holidays are only known for {FIRST_SUPPORTED_YEAR} to "
            f"{LAST_SUPPORTED_YEAR}. Check the year of the date you entered."
        )
    calendar = holidays.country_holidays(_COUNTRY, subdiv=_SUBDIVISION, years=year)
    # Read-only copy: the cache is shared, so nobody may change it.
    return MappingProxyType({day: str(name) for day, name in calendar.items()})


def bank_holidays_in_year(year: int) -> Mapping[date, str]:
    """England and Wales bank holidays in ``year``, mapped to their names.

    Includes the nominal day as well as any substitute day, e.g. for 2027 both
    25 December (a Saturday) and 27 December ("Christmas Day (observed)").
    """
    return _holidays_for_year(year)


def bank_holiday_name(d: date) -> str | None:
    """The bank holiday's name if ``d`` is one, otherwise ``None``."""
    d = ensure_date(d, "date")
    return _holidays_for_year(d.year).get(d)


def is_bank_holiday(d: date) -> bool:
    """True if ``d`` is an England and Wales bank holiday (or substitute day)."""
    return bank_holiday_name(d) is not None


def is_weekend(d: date) -> bool:
    """True on Saturdays and Sundays."""
    return ensure_date(d, "date").weekday() >= 5


def is_working_day(d: date) -> bool:
    """True from Monday to Friday unless the day is a bank holiday."""
    return not is_weekend(d) and not is_bank_holiday(d)


def _step(d: date, delta: timedelta) -> date:
    try:
        return d + delta
    except OverflowError:
        raise InvalidInput("That date is too far in the future or the past.") from None


def next_working_day_on_or_after(d: date) -> date:
    """``d`` itself if it is a working day, otherwise the next working day."""
    d = ensure_date(d, "date")
    while not is_working_day(d):
        d = _step(d, _ONE_DAY)
    return d


def next_working_day_after(d: date) -> date:
    """The first working day strictly after ``d``."""
    d = ensure_date(d, "date")
    return next_working_day_on_or_after(_step(d, _ONE_DAY))


def add_working_days(d: date, n: int) -> date:
    """Count ``n`` working days on from ``d`` (or back, if ``n`` is negative).

    ``d`` itself is never counted, so Friday + 1 is the following Monday (or
    Tuesday after a bank holiday), and Saturday + 1 is also that Monday.
    ``n == 0`` gives ``d`` if it is a working day, else the next working day.
    """
    d = ensure_date(d, "date")
    if isinstance(n, bool) or not isinstance(n, int):
        raise InvalidInput("The number of working days must be a whole number.")
    if n == 0:
        return next_working_day_on_or_after(d)
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    remaining = abs(n)
    while remaining:
        d = _step(d, step)
        if is_working_day(d):
            remaining -= 1
    return d
