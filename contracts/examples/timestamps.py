"""How Flipdish writes instants: ISO-8601 UTC with milliseconds and ``Z`` (FACTS.md §2.2, §2.4)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["iso"]


def iso(moment: datetime) -> str:
    """``2026-01-01T12:00:00.000Z`` for an aware datetime (converted to UTC)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
