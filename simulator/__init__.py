"""The sender engine: events, signing, delivery, retries, duplicates, auto-disable, clocks, the log."""

from __future__ import annotations

__all__: list[str] = []
