"""How Flipdish writes instants: ISO-8601 UTC with milliseconds and ``Z`` (FACTS.md §2.2, §2.4)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

__all__ = ["iso"]


@lru_cache(maxsize=64)  # a payload writes its event's instant several times (CreateTime, OrderCreatedTime)
def iso(moment: datetime) -> str:
    """``2026-01-01T12:00:00.000Z`` for an aware datetime (converted to UTC)."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    if moment.year >= 1000:  # isoformat pads years below 1000, strftime does not: keep strftime's text
        return moment.isoformat(timespec="milliseconds")[:-6] + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
