"""Faults a real sender commits: duplicates and out-of-order deliveries. Pure, seeded, deterministic.

Flipdish's v3 documentation promises at-least-once delivery ("Retries are automatic (at-least-once
semantics). Handlers must be idempotent", FACTS 5); it says nothing about order, so a receiver must expect
both. These policies only *decide* - how many duplicates and when, which delay or which order - from a seed
and the event's identity; the engine applies the decisions. Every decision depends on (seed, event id) alone,
never on call order, so a resumed run decides the same again.

* :class:`DuplicatePolicy`: ``count`` extra deliveries of the same event (same id, same body) for a share
  ``probability`` of events, ``mode`` ``"immediate"`` (with the original), ``"delayed"`` (``delay`` after the
  original was first sent, the k-th at k x ``delay``) or ``"after-ack"`` (``delay`` after the original was
  acknowledged; none if it never was).
* :class:`ReorderPolicy`: ``"delay"`` holds a share ``probability`` of events back by a seeded delay in
  ``[0, window]``; ``"shuffle"`` permutes the events of each ``window``-long batch over the batch's send
  times.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.policy._retry import seeded_fraction

__all__ = ["NO_DUPLICATES", "NO_REORDER", "Duplicate", "DuplicatePolicy", "ReorderPolicy"]

DuplicateMode = Literal["immediate", "delayed", "after-ack"]
ReorderMode = Literal["delay", "shuffle"]


def _check_probability(value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise UsageError(f"probability must be in [0, 1], got {value}")


@dataclass(frozen=True, slots=True)
class Duplicate:
    """One planned duplicate: ``delay`` after the original was first sent, or after it was acknowledged."""

    index: int
    anchor: Literal["sent", "acknowledged"]
    delay: timedelta


@dataclass(frozen=True, slots=True)
class DuplicatePolicy:
    """How many duplicates an event gets, and when."""

    count: int = 0
    probability: float = 1.0
    mode: DuplicateMode = "immediate"
    delay: timedelta = timedelta(0)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.count < 0:
            raise UsageError(f"duplicate count must be >= 0, got {self.count}")
        _check_probability(self.probability)
        if self.mode not in ("immediate", "delayed", "after-ack"):
            raise UsageError(f"duplicate mode must be immediate, delayed or after-ack, not {self.mode!r}")
        if self.delay < timedelta(0):
            raise UsageError(f"duplicate delay must be >= 0, got {self.delay}")
        if self.mode == "delayed" and self.delay == timedelta(0):
            raise UsageError("the delayed duplicate mode needs a positive delay")

    def copies(self, event_id: str) -> int:
        """How many duplicates of ``event_id`` to deliver (0 or ``count``)."""
        if self.count == 0 or self.probability == 0.0:
            return 0
        chosen = (
            self.probability == 1.0 or seeded_fraction(self.seed, "duplicate", event_id) < self.probability
        )
        return self.count if chosen else 0

    def plan(self, event_id: str) -> tuple[Duplicate, ...]:
        """The duplicates of ``event_id``, each with its anchor and delay."""
        anchor: Literal["sent", "acknowledged"] = "acknowledged" if self.mode == "after-ack" else "sent"
        step = timedelta(0) if self.mode == "immediate" else self.delay
        return tuple(Duplicate(k, anchor, step * k) for k in range(1, self.copies(event_id) + 1))

    def schedule(
        self, event_id: str, sent_at: datetime, acknowledged_at: datetime | None
    ) -> tuple[datetime, ...]:
        """When each duplicate goes out; ``after-ack`` duplicates of a never-acknowledged event never do."""
        times = []
        for duplicate in self.plan(event_id):
            if duplicate.anchor == "sent":
                times.append(sent_at + duplicate.delay)
            elif acknowledged_at is not None:
                times.append(acknowledged_at + duplicate.delay)
        return tuple(times)


@dataclass(frozen=True, slots=True)
class ReorderPolicy:
    """Out-of-order delivery within ``window``."""

    mode: ReorderMode = "delay"
    window: timedelta = timedelta(seconds=30)
    probability: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.mode not in ("delay", "shuffle"):
            raise UsageError(f"reorder mode must be delay or shuffle, not {self.mode!r}")
        if self.window < timedelta(0):
            raise UsageError(f"reorder window must be >= 0, got {self.window}")
        _check_probability(self.probability)

    def delay_for(self, event_id: str) -> timedelta:
        """``delay`` mode: how long to hold ``event_id`` back, in ``[0, window]`` (0 if not chosen)."""
        if self.probability < 1.0 and seeded_fraction(self.seed, "reorder?", event_id) >= self.probability:
            return timedelta(0)
        return self.window * seeded_fraction(self.seed, "reorder", event_id)

    def reorder(self, events: Sequence[tuple[str, datetime]]) -> list[tuple[str, datetime]]:
        """New send times for ``(event id, planned send time)`` pairs (in planned order), sorted by new time.

        ``delay``: each event moves later by :meth:`delay_for`. ``shuffle``: events are cut into batches,
        each starting at the first event not yet batched and holding the events planned less than ``window``
        after it; within a batch the events are permuted over the batch's planned times. No event moves by
        ``window`` or more (``window=0`` keeps the order); the same events and times come out.
        """
        if any(later[1] < earlier[1] for earlier, later in itertools.pairwise(events)):
            raise ValueError("events must be given in planned order (non-decreasing send times)")
        if self.mode == "delay":
            moved = [(event_id, at + self.delay_for(event_id)) for event_id, at in events]
        else:
            moved = []
            start = 0
            while start < len(events):
                end = start + 1
                while end < len(events) and events[end][1] - events[start][1] < self.window:
                    end += 1
                batch = events[start:end]
                ids = [event_id for event_id, _ in batch]
                rng = random.Random(int(seeded_fraction(self.seed, "shuffle", ids[0], len(ids)) * 2**53))
                rng.shuffle(ids)
                moved += [(event_id, at) for event_id, (_, at) in zip(ids, batch, strict=True)]
                start = end
        return sorted(moved, key=lambda pair: pair[1])


NO_DUPLICATES = DuplicatePolicy()
NO_REORDER = ReorderPolicy(window=timedelta(0))
