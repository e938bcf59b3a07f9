"""Exponential back-off after wrong passwords.

A few honest typos cost nothing; after that each further failure doubles
the wait, capped so a locked-out officer can still get in within minutes.
"""

from __future__ import annotations

FREE_ATTEMPTS = 3
BASE_DELAY_SECONDS = 2.0
MAX_DELAY_SECONDS = 300.0


def delay_after_failures(failures: int) -> float:
    """Seconds to wait before the next attempt after ``failures`` wrong tries."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    exponent = failures - FREE_ATTEMPTS
    # Cap the exponent before raising so huge counters cannot overflow.
    return min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * float(2 ** min(exponent, 16)))


def seconds_remaining(failures: int, last_failure_at: float, now: float) -> float:
    wait = delay_after_failures(failures) - (now - last_failure_at)
    return max(0.0, wait)
