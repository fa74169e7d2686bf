"""Planning: a scenario's sources become the timed stream of events to publish, lazily and in time order."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Mapping
from datetime import datetime

from flipdish_sim.simulator.scenario._model import EventSource, PlannedEvent, Scenario

__all__ = ["plan"]


def _expand(source: EventSource, start: datetime, seed_offset: int = 0) -> Iterator[PlannedEvent]:
    """A source's events in time order (a lifecycle's later steps may interleave with the next one)."""
    base = start + source.offset
    waiting: list[tuple[datetime, int, PlannedEvent]] = []
    order = itertools.count()
    for n in range(source.count):
        at = base + source.interval * n
        while waiting and waiting[0][0] <= at:
            yield heapq.heappop(waiting)[2]
        seed = source.seed + seed_offset + n
        if source.kind == "payload":
            yield PlannedEvent(at, str(source.event), source.payload, seed, user_supplied=True)
        elif source.kind == "generator":
            yield PlannedEvent(at, str(source.event), None, seed)
        else:
            from flipdish_sim.contracts.examples import order_lifecycle

            outcome = source.outcomes[n % len(source.outcomes)]
            for name, payload in order_lifecycle(seed=seed, at=at, outcome=outcome):
                when = _create_time(payload, at)
                heapq.heappush(waiting, (when, next(order), PlannedEvent(when, name, payload, seed)))
    while waiting:
        yield heapq.heappop(waiting)[2]


def _create_time(payload: Mapping[str, object], default: datetime) -> datetime:
    """A lifecycle event happens at its envelope's CreateTime (the examples space them 45 s - 10 min)."""
    value = payload.get("CreateTime")
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return default
    return default


def plan(scenario: Scenario, start: datetime, *, seed_offset: int = 0) -> Iterator[PlannedEvent]:
    """Every event of the scenario in publication order (ties: source order), lazily.

    ``seed_offset`` (``run --seed``) shifts every source's seed: other payloads, same timing."""
    streams = [_expand(s, start, seed_offset) for s in scenario.events]
    keyed = ((((e.at, i), e) for e in stream) for i, stream in enumerate(streams))
    for _, event in heapq.merge(*keyed, key=lambda pair: pair[0]):
        yield event
