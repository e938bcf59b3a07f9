"""Converting between Python values and the text forms stored in rows."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def date_out(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def date_in(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def dt_out(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="seconds")


def dt_in(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def required_dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def required_date(text: str) -> date:
    return date.fromisoformat(text)
