"""What load mode sends, decided without I/O: order lifecycles, duplicates, reordering, the signed requests.

``flipdish_sim.simulator.load.locustfile`` (the Locust user class) asks a :class:`LoadPlanner` for the next
delivery and turns it into an :class:`~flipdish_sim.simulator.wire.OutgoingRequest` with
:func:`build_request`; nothing here imports Locust or touches the network, so it is tested like any pure code.

Assumptions (Flipdish publishes none of these; each is an option):
* a lifecycle is one order's events in their natural order (legacy ``order.created`` → ``order.accepted`` →
  ``order.dispatched``; v3 ``sale.created.v1`` → ``sale.accepted.v1`` → ``sale.status.updated.v1``);
* a duplicate re-sends the same event id and the same body right after the original (Flipdish delivers
  "at least once"); a v3 duplicate is signed again at its own send time;
* out of order swaps two neighbouring events of one lifecycle.
"""

from __future__ import annotations

import random
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from flipdish_sim.contracts.catalogue import Family, get_event
from flipdish_sim.simulator.model._attempt import Outcome
from flipdish_sim.simulator.wire._envelope import (
    DEFAULT_OPTIONS,
    OutgoingRequest,
    RequestOptions,
    legacy_request,
    v3_request,
)

__all__ = [
    "DEFAULT_LIFECYCLES",
    "LoadOptions",
    "LoadPlanner",
    "PayloadFactory",
    "PlannedDelivery",
    "build_request",
    "classify_status",
    "example_payloads",
]

DEFAULT_LIFECYCLES: Mapping[Family, tuple[str, ...]] = {
    Family.LEGACY: ("order.created", "order.accepted", "order.dispatched"),
    Family.V3: ("sale.created.v1", "sale.accepted.v1", "sale.status.updated.v1"),
}

#: (lifecycle event names, seed, first event's time) -> [(event name, payload as delivered)], in order.
#: A legacy payload is the whole envelope ``{Type, CreateTime, Body}``; a v3 payload is the delivered body.
PayloadFactory = Callable[[tuple[str, ...], int, datetime], list[tuple[str, Mapping[str, object]]]]


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """What a load run sends. Probabilities are per event, between 0 and 1."""

    family: Family = Family.LEGACY
    events: tuple[str, ...] = ()  # one lifecycle, in order; empty = DEFAULT_LIFECYCLES[family]
    duplicate_probability: float = 0.0
    out_of_order_probability: float = 0.0
    seed: int | None = None

    def __post_init__(self) -> None:
        for name, value in (
            ("duplicate probability", self.duplicate_probability),
            ("out-of-order probability", self.out_of_order_probability),
        ):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        for event in self.lifecycle:
            spec = get_event(event)  # UnknownEventError (a UsageError) names the bad one
            if spec.family != self.family:
                raise ValueError(f"event {event!r} is a {spec.family} event, not {self.family}")

    @property
    def lifecycle(self) -> tuple[str, ...]:
        return self.events or DEFAULT_LIFECYCLES[self.family]


@dataclass(frozen=True, slots=True)
class PlannedDelivery:
    """One POST to make: the event, its id and body; ``duplicate`` when it re-sends an earlier one."""

    event_name: str
    event_id: str
    payload: Mapping[str, object]
    created: datetime
    duplicate: bool = False
    out_of_order: bool = False


class LoadPlanner:
    """Hands out deliveries one at a time, lifecycle after lifecycle, with the configured faults."""

    def __init__(self, options: LoadOptions, payloads: PayloadFactory, *, seed: int | None = None) -> None:
        self._options = options
        self._payloads = payloads
        self._rng = random.Random(options.seed if seed is None else seed)
        self._queue: deque[PlannedDelivery] = deque()

    def next(self, now: datetime) -> PlannedDelivery:
        """The next delivery; ``now`` stamps the events of a new lifecycle."""
        if not self._queue:
            self._queue.extend(self._lifecycle(now))
        return self._queue.popleft()

    def _lifecycle(self, now: datetime) -> list[PlannedDelivery]:
        rng = self._rng
        planned = [
            PlannedDelivery(name, str(uuid.UUID(int=rng.getrandbits(128), version=4)), payload, now)
            for name, payload in self._payloads(self._options.lifecycle, rng.getrandbits(32), now)
        ]
        if len(planned) > 1 and rng.random() < self._options.out_of_order_probability:
            i = rng.randrange(len(planned) - 1)
            first, second = planned[i], planned[i + 1]
            planned[i] = _replace_out_of_order(second)
            planned[i + 1] = _replace_out_of_order(first)
        sent: list[PlannedDelivery] = []
        for delivery in planned:
            sent.append(delivery)
            if rng.random() < self._options.duplicate_probability:
                sent.append(
                    PlannedDelivery(
                        delivery.event_name,
                        delivery.event_id,
                        delivery.payload,
                        delivery.created,
                        duplicate=True,
                        out_of_order=delivery.out_of_order,
                    )
                )
        return sent


def _replace_out_of_order(delivery: PlannedDelivery) -> PlannedDelivery:
    return PlannedDelivery(
        delivery.event_name,
        delivery.event_id,
        delivery.payload,
        delivery.created,
        duplicate=delivery.duplicate,
        out_of_order=True,
    )


def build_request(
    delivery: PlannedDelivery,
    *,
    url: str,
    family: Family,
    at: datetime,
    verify_token: str | None = None,
    secrets: Sequence[str] = (),
    options: RequestOptions = DEFAULT_OPTIONS,
) -> OutgoingRequest:
    """The exact POST Flipdish would make for ``delivery`` at ``at`` (v3 needs at least one secret)."""
    if family == Family.V3:
        return v3_request(
            url,
            delivery.event_name,
            delivery.payload,
            secrets=secrets,
            at=at,
            event_id=delivery.event_id,
            options=options,
        )
    return legacy_request(url, delivery.payload, verify_token=verify_token, options=options)


def classify_status(status: int) -> Outcome:
    """Flipdish's rule: any 2xx acknowledges; anything else (3xx and 304 included) is a failure."""
    return Outcome.ACKNOWLEDGED if 200 <= status < 300 else Outcome.HTTP_ERROR


def example_payloads(
    names: tuple[str, ...], seed: int, at: datetime
) -> list[tuple[str, Mapping[str, object]]]:
    """Realistic payloads from the contracts' examples: one order's own lifecycle when ``names`` is one.

    The legacy default lifecycle is :func:`flipdish_sim.contracts.examples.order_lifecycle` (the same order,
    amounts and people, strictly later ``CreateTime`` each); other names get ``example(name, seed, at)``.
    """
    from flipdish_sim.contracts.examples import OUTCOMES, example, order_lifecycle

    for outcome, lifecycle in OUTCOMES.items():
        if names == lifecycle:
            return [(name, payload) for name, payload in order_lifecycle(seed=seed, at=at, outcome=outcome)]
    return [(name, example(name, seed=seed, at=at)) for name in names]
