"""Publishing: an event fanned out to one delivery per subscription, each put on the agenda.

:class:`Publisher` also holds the sender's in-memory state (declared here, set by ``Sender.__init__``):
the subscriptions, the pending deliveries and the agenda of their due times.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import httpx

from flipdish_sim.contracts.catalogue import get_event
from flipdish_sim.errors import PayloadError
from flipdish_sim.simulator.clock import Clock
from flipdish_sim.simulator.engine._agenda import Agenda
from flipdish_sim.simulator.engine._feed import Publishable
from flipdish_sim.simulator.engine._payload import finished
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.model._identity import RunIdentity
from flipdish_sim.simulator.model._report import AttemptReport
from flipdish_sim.simulator.model._subscription import (
    Delivery,
    DeliveryState,
    Event,
    Subscription,
    from_us,
    to_us,
)
from flipdish_sim.simulator.policy._disable import RollingWindow
from flipdish_sim.simulator.policy._policy import SenderPolicy
from flipdish_sim.simulator.wire._template import RequestTemplates

_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))  # what uuid.UUID(version=4) clears and sets
_UUID_V4 = (0x4000 << 64) | (0x8000 << 48)

__all__ = ["Publisher"]


class Publisher:
    """The sender's state and its publishing half (the base of the :class:`Sender`)."""

    store: Store
    identity: RunIdentity
    clock: Clock
    client: httpx.AsyncClient | None
    policy: SenderPolicy
    on_attempt: list[Callable[[AttemptReport], object]]
    on_publish: list[Callable[[Event], object]]
    accepts: list[Callable[[Subscription, Mapping[str, object]], bool]]
    _subs: dict[int, Subscription]
    _pending: dict[int, Delivery]
    _agenda: Agenda
    _windows: dict[int, RollingWindow]
    _after_ack: dict[int, list[timedelta]]
    _templates: RequestTemplates
    _next_id: int
    _rng: random.Random
    _wake: asyncio.Event | None

    def _cache(self, sub: Subscription) -> Subscription:
        self._subs[sub.id] = sub
        self._templates.forget(sub.id)
        self._poke()
        return sub

    def _suspend_in_memory(self, subscription_id: int) -> None:
        for delivery in [d for d in self._pending.values() if d.subscription_id == subscription_id]:
            delivery.state = DeliveryState.SUSPENDED
            self._agenda.discard(delivery.id)
            del self._pending[delivery.id]

    def publish(
        self,
        event_name: str,
        payload: Mapping[str, object] | None = None,
        *,
        seed: int | None = None,
        at: datetime | None = None,
        generated: bool = False,
        only: int | None = None,
        body: bytes | None = None,
    ) -> Event:
        """Record an event and fan it out to every subscription of its name; returns the stored event.

        ``payload`` None: a realistic example (``contracts.examples.example`` for ``seed``). A legacy
        payload may be the whole envelope ``{Type, CreateTime, Body}`` or just the body. Not validated
        here (validate user-supplied payloads once at the edge: the CLI and scenarios do). The ids of an
        example (and of a ``generated`` payload, e.g. a planned order lifecycle) are made unique to this
        run by :attr:`identity`; a payload the user wrote keeps its own. ``only``: deliver to that one
        subscription (a v3 trigger test). A subscription receives the event when it receives its name and
        every :attr:`accepts` hook agrees (the v3 API's property scope is one). ``body``: ``payload`` is
        already as published (``engine._payload.finished`` with this run's identity, as the prefetch
        worker makes it) and these are its bytes.
        """
        spec = get_event(event_name)
        at = self.clock.now() if at is None else at
        if seed is None:
            seed = self._rng.randrange(2**31)
        if payload is None:
            from flipdish_sim.contracts.examples import example

            payload, generated = example(event_name, seed=seed, at=at), True
        elif not isinstance(payload, Mapping):
            raise PayloadError(f"a payload is a JSON object, got {type(payload).__name__}")
        if body is None:
            payload, body = finished(event_name, at, payload, self.identity if generated else None)
        event_id = _event_id(payload) or self._uuid()
        deliveries: list[Delivery] = []
        for sub in self._subs.values():
            if (
                sub.family == spec.family.value
                and sub.receives(event_name)
                and (only is None or sub.id == only)
                and (not self.accepts or all(accept(sub, payload) for accept in self.accepts))
            ):
                deliveries += self._deliveries_for(sub, event_id, event_name, body, at)
        seq = self.store.stage_event(event_id, event_name, body, at, deliveries)
        if not self.clock.is_virtual:
            self.store.commit()  # live: stored before publish returns (virtual: with the next attempt)
        for delivery in deliveries:
            if delivery.state is DeliveryState.PENDING:
                self._schedule(delivery)
        event = Event(seq=seq, id=event_id, name=event_name, payload=payload, created_at=at)
        for hook in self.on_publish:
            hook(event)
        return event

    def publish_planned(self, item: Publishable) -> Event:
        """Publish a feed's event; a planned payload is generated unless the user supplied it."""
        generated = not getattr(item, "user_supplied", False)
        body = getattr(item, "body", None)  # made ahead, with this run's identity (engine/_prefetch.py)
        at, seed = item.at, item.seed
        return self.publish(item.name, item.payload, seed=seed, at=at, generated=generated, body=body)

    def _deliveries_for(
        self, sub: Subscription, event_id: str, name: str, body: bytes, at: datetime
    ) -> list[Delivery]:
        if not sub.enabled:
            state = DeliveryState.DROPPED if self.policy.on_disabled == "drop" else DeliveryState.SUSPENDED
            return [self._new_delivery(sub, event_id, name, body, at, state=state)]
        reorder = self.policy.reorder
        due = at + (reorder.delay_for(event_id) if reorder is not None else timedelta(0))
        original = self._new_delivery(sub, event_id, name, body, at, due=due)
        out = [original]
        duplicates = self.policy.duplicates
        if duplicates is not None:
            for copy in duplicates.plan(event_id):
                if copy.anchor == "acknowledged":
                    self._after_ack.setdefault(original.id, []).append(copy.delay)
                else:
                    out.append(
                        self._new_delivery(sub, event_id, name, body, at, due=due + copy.delay, of=original)
                    )
        return out

    def _new_delivery(
        self,
        sub: Subscription,
        event_id: str,
        name: str,
        body: bytes,
        at: datetime,
        *,
        due: datetime | None = None,
        state: DeliveryState = DeliveryState.PENDING,
        of: Delivery | None = None,
    ) -> Delivery:
        delivery = Delivery(
            id=self._next_id,
            event_seq=of.event_seq if of else 0,
            event_id=event_id,
            event_name=name,
            subscription_id=sub.id,
            webhook_id=self._uuid(),
            body=body,
            state=state,
            next_attempt_at=due if state is DeliveryState.PENDING else None,
            duplicate_of=of.id if of else None,
            created_at=at,
        )
        self._next_id += 1
        return delivery

    def _uuid(self) -> str:
        """A version 4 UUID from the seeded generator, as ``str(uuid.UUID(int=..., version=4))`` writes it."""
        h = f"{(self._rng.getrandbits(128) & _UUID_CLEAR) | _UUID_V4:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def _schedule(self, delivery: Delivery) -> None:
        assert delivery.next_attempt_at is not None
        self._pending[delivery.id] = delivery
        self._agenda.push(delivery.id, to_us(delivery.next_attempt_at))
        self._poke()

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    @property
    def pending(self) -> int:
        """Deliveries waiting on the agenda."""
        return len(self._agenda)

    def next_due(self) -> datetime | None:
        due = self._agenda.peek()
        return None if due is None else from_us(due)


def _event_id(payload: Mapping[str, object]) -> str | None:
    """The payload's own event id: legacy ``Body.FlipdishEventId``, a v3 event-shaped body's ``id``."""
    body = payload.get("Body")
    candidates = [body.get("FlipdishEventId") if isinstance(body, Mapping) else None]
    if "detail-type" in payload:
        candidates.append(payload.get("id"))
    return next((c for c in candidates if isinstance(c, str) and c), None)
