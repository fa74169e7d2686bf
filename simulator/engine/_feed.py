"""Timed events published during a run (``Sender.run(feed=...)``), consumed lazily in time order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Protocol

from flipdish_sim.simulator.model._subscription import to_us

__all__ = ["Feed", "Publishable"]


class Publishable(Protocol):
    """A timed event for :meth:`Sender.run` (``scenario.PlannedEvent`` is one)."""

    @property
    def at(self) -> datetime: ...
    @property
    def name(self) -> str: ...
    @property
    def payload(self) -> Mapping[str, object] | None: ...
    @property
    def seed(self) -> int: ...


class Feed:
    """A lazily consumed, time-ordered stream of events to publish during a run."""

    __slots__ = ("_iterator", "_next")

    def __init__(self, items: Iterable[Publishable] | None) -> None:
        self._iterator: Iterator[Publishable] = iter(items or ())
        self._next: Publishable | None = next(self._iterator, None)

    def peek_us(self) -> int | None:
        return None if self._next is None else to_us(self._next.at)

    def take(self) -> Publishable:
        item = self._next
        assert item is not None
        self._next = next(self._iterator, None)
        return item
