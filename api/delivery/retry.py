"""When to try a queued message again (RFC 5321 4.5.4.1): exponential backoff for 5 days."""

from __future__ import annotations

from api.core.clock import DAY

__all__ = [
    "DELAY_WARNING_AFTER",
    "FIRST_RETRY",
    "GIVE_UP_AFTER",
    "MAX_RETRY",
    "expired",
    "late",
    "next_attempt",
]

# RFC 5321 4.5.4.1 asks for at least 30 minutes between tries and 4-5 days in all; a first
# retry sooner catches greylisting, which usually clears after a few minutes.
FIRST_RETRY = 300
MAX_RETRY = 4 * 3600
GIVE_UP_AFTER = 5 * DAY
# Still undelivered this long after it was queued: the sender hears it is late, once.
DELAY_WARNING_AFTER = 4 * 3600


def expired(created_at: int, at: int) -> bool:
    return at >= created_at + GIVE_UP_AFTER


def next_attempt(created_at: int, attempts: int, at: int) -> int:
    """The time of the next try after `attempts` failed ones; never past the give-up time,
    so the last try happens right at expiry and its failure bounces."""
    delay = min(FIRST_RETRY << max(attempts - 1, 0), MAX_RETRY)
    return min(at + delay, created_at + GIVE_UP_AFTER)


def late(created_at: int, at: int) -> bool:
    return at >= created_at + DELAY_WARNING_AFTER
