"""UTCDate values (RFC 8620 1.4) as Unix seconds, both ways."""

from __future__ import annotations

import re
from datetime import UTC, datetime

__all__ = ["parse_utc_date", "utc_date"]

# Whole seconds only: RFC 8620 1.4 forbids a zero time-secfrac, and nothing this server
# stores as a UTCDate needs a finer one, so a fraction would not round-trip.
_UTC_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def parse_utc_date(value: str) -> int:
    """Unix seconds of `YYYY-MM-DDTHH:MM:SSZ`; ValueError for anything else."""
    if not _UTC_DATE.match(value):
        raise ValueError(f"{value!r} is not a UTCDate of whole seconds")
    parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return int(parsed.timestamp())


def utc_date(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
