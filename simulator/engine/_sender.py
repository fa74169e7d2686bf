"""The sender: publishes events to subscriptions and delivers them over time, like Flipdish, into the log.

    sender = Sender(Store("run.db"), clock=VirtualClock(), client=make_client(transport=asgi_transport(app)))
    sub = sender.add_subscription("http://receiver/webhooks", event_names=["order.created"], verify_token="t")
    sender.publish("order.created")            # a realistic example payload, fanned out to every subscription
    await sender.run_until_idle()              # the whole 24 h retry schedule, as fast as the receiver can

Discrete events. Deliveries wait in an agenda by due time. On the virtual clock the engine jumps straight
to the next due time (nothing sleeps); attempts due at the same instant go out concurrently (up to
``policy.concurrency``) and their results are applied in scheduling order, so a run is deterministic for a
seed. On the wall clock (optionally compressed) due attempts are pipelined up to ``concurrency``.

Per attempt: build the request (:class:`~flipdish_sim.simulator.wire.RequestTemplates`), POST, then stage
ONE INSERT recording the attempt with the delivery's next state (and a disable, if this attempt tipped the
rolling window). The log commits once per batch, before the batch goes out: the previous batch's attempts,
the events published since and this batch's in-flight marks (see :meth:`Store.commit`). On the wall clock
publish() commits at once and finished attempts are committed before the loop waits. No history is read
back: the failure window lives in memory and is rebuilt from the log on recovery.

Fault isolation: whatever fails while building or sending ONE request (a header value HTTP cannot carry, a
host name IDNA refuses, credentials in the URL, anything) becomes a failed attempt of that delivery with
outcome ``invalid-request``, retried and counted like any failure; the batch, the loop and the other
subscriptions carry on.

Recovery (on construction): pending deliveries are loaded from the log; one that was in flight when the
previous process died gets an attempt with outcome ``interrupted`` (the receiver may or may not have seen
it) and is retried on its schedule: at-least-once, as a real sender.

Disabled subscriptions (assumptions; see the README's fidelity table):
* pending retries are suspended; on re-enable they resume if still inside their 24 h retry window,
  otherwise they expire; the failure window starts afresh at the re-enable (``fresh_window_on_enable``);
* new events are recorded as ``dropped`` (``on_disabled="drop"``, default) or held as ``suspended`` and
  delivered after a re-enable (``on_disabled="hold"``).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import NamedTuple

import httpx

from flipdish_sim.contracts.catalogue import Family, get_event
from flipdish_sim.errors import PayloadError, UsageError
from flipdish_sim.simulator.clock import Clock, VirtualClock, utc_now
from flipdish_sim.simulator.engine._agenda import Agenda
from flipdish_sim.simulator.engine._feed import Feed, Publishable
from flipdish_sim.simulator.http._delivery import attempt as post
from flipdish_sim.simulator.http._delivery import describe_invalid_request, make_client
from flipdish_sim.simulator.log._store import INTERRUPTED, Store
from flipdish_sim.simulator.model._attempt import Attempt, Outcome
from flipdish_sim.simulator.model._identity import RunIdentity, new_salt
from flipdish_sim.simulator.model._report import AttemptReport, Interrupted, Recovery
from flipdish_sim.simulator.model._subscription import (
    Delivery,
    DeliveryState,
    DisableRecord,
    Event,
    FamilyName,
    Subscription,
    from_us,
    to_us,
)
from flipdish_sim.simulator.model._subscription_rules import check_callback_url, check_subscription
from flipdish_sim.simulator.policy._disable import DisableDecision, RollingWindow
from flipdish_sim.simulator.policy._policy import DEFAULT_CONCURRENCY, SenderPolicy
from flipdish_sim.simulator.wire._envelope import (
    OutgoingRequest,
    encode_json,
    legacy_envelope,
)
from flipdish_sim.simulator.wire._template import RequestTemplates

_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))  # what uuid.UUID(version=4) clears and sets
_UUID_V4 = (0x4000 << 64) | (0x8000 << 48)

__all__ = [
    "DEFAULT_CONCURRENCY",
    "AttemptReport",
    "Publishable",
    "Recovery",
    "Sender",
    "SenderPolicy",
    "check_url",
]


class Sent(NamedTuple):
    """What the log records of one request: its masked headers, the URL and subscription version used."""

    headers: str
    url: str
    version: str


def _earliest(*times: int | None) -> int | None:
    present = [t for t in times if t is not None]
    return min(present) if present else None


class Sender:
    """Flipdish's webhook sender over one log; see the module docstring. Not thread-safe: one event loop."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock,
        client: httpx.AsyncClient | None = None,
        policy: SenderPolicy | None = None,
        rng_seed: int = 0,
        identity: RunIdentity | None = None,
    ) -> None:
        """``identity``: how ids are made unique to this sender's run (default: a fresh random salt, so
        no two senders send the same event id; ``RunIdentity(None)``: the seeded ids, byte for byte)."""
        self.store = store
        self.identity = RunIdentity(new_salt()) if identity is None else identity
        self.clock = clock
        self.client = client
        self.policy = policy or SenderPolicy()
        if self.policy.reorder is not None and self.policy.reorder.mode != "delay":
            raise UsageError(
                "the sender reorders by delay; shuffle a planned batch with ReorderPolicy.reorder"
            )
        self.on_attempt: list[Callable[[AttemptReport], object]] = []
        self.on_publish: list[Callable[[Event], object]] = []
        self._subs: dict[int, Subscription] = {s.id: s for s in store.subscriptions()}
        self._pending: dict[int, Delivery] = {}
        self._agenda = Agenda()
        self._windows: dict[int, RollingWindow] = {}
        self._after_ack: dict[int, list[timedelta]] = {}
        self._templates = RequestTemplates(self.policy.request)
        self._next_id = store.max_delivery_id() + 1
        salt = "" if self.identity.salt is None else f":{self.identity.salt}"
        self._rng = random.Random(f"{rng_seed}:{self._next_id}{salt}")
        self._wake: asyncio.Event | None = None
        self.recovery = self.recover()

    # -- subscriptions ---------------------------------------------------------------------------------
    def add_subscription(
        self,
        callback_url: str,
        *,
        event_names: Iterable[str],
        family: FamilyName = "legacy",
        version: str | None = None,
        verify_token: str | None = None,
        secrets: Iterable[str] = (),
        owner_user_id: int = 1,
    ) -> Subscription:
        """Subscribe ``callback_url`` to ``event_names`` (checked against the catalogue and the family)."""
        names = tuple(event_names)
        keys = tuple(secrets)
        check_subscription(
            callback_url=callback_url,
            family=family,
            event_names=names,
            verify_token=verify_token,
            secrets=keys,
            version=version,
        )
        sub = self.store.add_subscription(
            callback_url=callback_url,
            family=family,
            event_names=names,
            created_at=self.clock.now(),
            version=version or ("2.0" if family == "legacy" else "v3"),
            owner_user_id=owner_user_id,
            verify_token=verify_token,
            secrets=keys,
        )
        self._subs[sub.id] = sub
        return sub

    def update_subscription(
        self,
        subscription_id: int,
        *,
        callback_url: str | None = None,
        event_names: Iterable[str] | None = None,
        verify_token: str | None = None,
        secrets: Iterable[str] | None = None,
        version: str | None = None,
    ) -> Subscription:
        """Change a subscription (None keeps a field; ``verify_token=""`` removes the token).

        Deliveries already made keep their bodies; new attempts use the new URL, token and secrets.
        """
        sub = self.subscription(subscription_id)
        names = sub.event_names if event_names is None else tuple(event_names)
        keys = sub.secrets if secrets is None else tuple(secrets)
        url = sub.callback_url if callback_url is None else callback_url
        token = sub.verify_token if verify_token is None else (verify_token or None)
        check_subscription(
            callback_url=url,
            family=sub.family,
            event_names=names,
            verify_token=token,
            secrets=keys,
            version=version,
        )
        updated = replace(
            sub,
            callback_url=url,
            event_names=names,
            verify_token=token,
            secrets=keys,
            version=sub.version if version is None else version,
        )
        self.store.update_subscription(updated)
        return self._cache(updated)

    def subscriptions(self) -> list[Subscription]:
        return list(self._subs.values())

    def subscription(self, subscription_id: int) -> Subscription:
        found = self._subs.get(subscription_id)
        return found if found is not None else self.store.subscription(subscription_id)

    def disable(self, subscription_id: int, reason: str = "disabled by hand") -> Subscription:
        """Disable now: pending deliveries are suspended, new events dropped or held (``on_disabled``)."""
        sub = self.subscription(subscription_id)
        record = DisableRecord(at=self.clock.now(), reason=reason)
        self.store.disable(subscription_id, record)
        self._suspend_in_memory(subscription_id)
        return self._cache(replace(sub, enabled=False, disabled=record))

    def enable(self, subscription_id: int) -> Subscription:
        """Re-enable: suspended deliveries resume inside their retry window, or expire past it."""
        sub = self.subscription(subscription_id)
        now = self.clock.now()
        resumed: list[Delivery] = []
        for delivery, _ in self.store.open_deliveries(subscription_id):
            if delivery.state is not DeliveryState.SUSPENDED:
                continue
            first = delivery.first_attempt_at
            if first is not None and now > first + self.policy.retry.window:
                delivery.state, delivery.next_attempt_at = DeliveryState.EXPIRED, None
            else:
                delivery.state = DeliveryState.PENDING
                delivery.next_attempt_at = max(now, delivery.next_attempt_at or now)
            resumed.append(delivery)
        fresh = self.policy.fresh_window_on_enable
        self.store.enable(subscription_id, now if fresh else None, resumed)
        self._windows.pop(subscription_id, None)
        for delivery in resumed:
            if delivery.state is DeliveryState.PENDING:
                self._schedule(delivery)
        enabled = self._cache(
            replace(sub, enabled=True, disabled=None, window_since=now if fresh else sub.window_since)
        )
        if not fresh:
            self._rebuild_window(enabled)
        return enabled

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

    # -- events ----------------------------------------------------------------------------------------
    def publish(
        self,
        event_name: str,
        payload: Mapping[str, object] | None = None,
        *,
        seed: int | None = None,
        at: datetime | None = None,
        generated: bool = False,
    ) -> Event:
        """Record an event and fan it out to every subscription of its name; returns the stored event.

        ``payload`` None: a realistic example (``contracts.examples.example`` for ``seed``). A legacy
        payload may be the whole envelope ``{Type, CreateTime, Body}`` or just the body. Not validated
        here (validate user-supplied payloads once at the edge: the CLI and scenarios do). The ids of an
        example (and of a ``generated`` payload, e.g. a planned order lifecycle) are made unique to this
        run by :attr:`identity`; a payload the user wrote keeps its own.
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
        if generated and not self.identity.fixed:
            payload = self.identity.freshen(payload)
        if spec.family is Family.LEGACY:
            if not {"Type", "Body"} <= payload.keys():
                payload = legacy_envelope(event_name, at, payload)
            body = encode_json(payload)
        else:
            body = encode_json(payload)
        event_id = _event_id(payload) or self._uuid()
        deliveries: list[Delivery] = []
        for sub in self._subs.values():
            if sub.family == spec.family.value and sub.receives(event_name):
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
        return self.publish(item.name, item.payload, seed=item.seed, at=item.at, generated=generated)

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

    # -- recovery --------------------------------------------------------------------------------------
    def recover(self) -> Recovery:
        """Resume the log's pending deliveries (runs on construction; idempotent)."""
        resumed = interrupted = expired = 0
        for delivery, in_flight in self.store.open_deliveries():
            if delivery.id in self._pending or delivery.state is not DeliveryState.PENDING:
                continue
            if in_flight is not None:
                interrupted += 1
                self._advance(delivery, in_flight, ok=False)
                sub = self._subs[delivery.subscription_id]
                self.store.record_attempt(
                    delivery, Interrupted(at=in_flight), (), url=sub.callback_url, version=sub.version
                )
            if _waiting(delivery):
                self._schedule(delivery)
                resumed += 1
            else:
                expired += 1
        for sub in self._subs.values():
            if sub.enabled:
                self._rebuild_window(sub)
        return Recovery(resumed, interrupted, expired)

    def _rebuild_window(self, sub: Subscription) -> None:
        now = self.store.latest_time()
        if now is None:
            return
        since = now - self.policy.disable.window
        if sub.window_since is not None:
            since = max(since, sub.window_since)
        for at, outcome, event_id in self.store.outcomes_since(sub.id, since):
            if outcome != INTERRUPTED:
                self._observe(sub.id, at, outcome == "acknowledged", event_id)

    def _observe(self, subscription_id: int, at: datetime, ok: bool, event_id: str) -> DisableDecision | None:
        """Count one attempt in the subscription's rolling window; the decision when it says disable."""
        window = self._windows.get(subscription_id)
        if window is None:
            window = self._windows[subscription_id] = RollingWindow(self.policy.disable)
        return window.add(at, ok, event_id)

    # -- running ---------------------------------------------------------------------------------------
    async def run_until_idle(self, feed: Iterable[Publishable] | None = None) -> None:
        """Deliver until nothing is pending (every delivery acknowledged, expired or suspended)."""
        await self.run(None, feed=feed)

    async def run(self, until: datetime | None = None, *, feed: Iterable[Publishable] | None = None) -> None:
        """Deliver everything due up to ``until`` (None: until idle), publishing ``feed`` events on time.

        On the virtual clock the clock ends at ``until`` when one is given.
        """
        if self.client is None:  # a sender built without a client owns one for the run
            async with make_client() as client:
                self.client = client
                try:
                    return await self.run(until, feed=feed)
                finally:
                    self.client = None
        until_us = None if until is None else to_us(until)
        events = Feed(feed)
        try:
            if self.clock.is_virtual:
                await self._run_virtual(until_us, events)
                if until is not None:
                    await self.clock.sleep_until(until)
            else:
                await self._run_wall(until_us, events, forever=False)
        finally:
            self.store.commit()

    async def serve(self) -> None:
        """Deliver forever on the wall clock, woken by :meth:`publish` and :meth:`enable` (cancel to stop)."""
        if self.client is None:
            async with make_client() as client:
                self.client = client
                try:
                    return await self._run_wall(None, Feed(None), forever=True)
                finally:
                    self.client = None
        await self._run_wall(None, Feed(None), forever=True)

    async def _run_virtual(self, until_us: int | None, feed: Feed) -> None:
        agenda, concurrency = self._agenda, self.policy.concurrency
        batches = 0
        while True:
            due, feed_due = agenda.peek(), feed.peek_us()
            step = _earliest(due, feed_due)
            if step is None or (until_us is not None and step > until_us):
                return
            if feed_due is not None and (due is None or feed_due <= due):
                item = feed.take()
                await self._advance_clock(feed_due)
                self.publish_planned(item)
                continue
            assert due is not None
            await self._advance_clock(due)
            batch: list[Delivery] = []
            while len(batch) < concurrency and agenda.peek() == due:
                batch.append(self._pending[agenda.pop()[1]])
            await self._send_batch(batch)
            batches += 1
            if batches % 256 == 0:
                # an in-process receiver may never yield: let the loop run and drop the deadline timers
                # each attempt cancelled (they would pile up in its heap, ~200 bytes per attempt)
                await asyncio.sleep(0)

    async def _advance_clock(self, when_us: int) -> None:
        clock = self.clock
        if isinstance(clock, VirtualClock):  # no event-loop round trip per attempt
            if when_us > to_us(clock.now()):
                clock.move_to(from_us(when_us))
        else:
            await clock.sleep_until(from_us(when_us))

    async def _send_batch(self, batch: list[Delivery]) -> None:
        at = self.clock.now()
        requests = [self._prepare(d, at) for d in batch]
        store = self.store
        store.stage_in_flight(batch, at)
        store.commit()  # the previous batch's attempts, events published since, these marks: one transaction
        if len(batch) == 1:
            results = [await self._post(requests[0][0], at)]
        else:
            results = await asyncio.gather(*(self._post(r, at) for r, _ in requests))
        for delivery, (_, sent), result in zip(batch, requests, results, strict=True):
            self._finish(delivery, sent, result)

    async def _run_wall(self, until_us: int | None, feed: Feed, *, forever: bool) -> None:
        running: dict[asyncio.Task[Attempt], tuple[Delivery, Sent]] = {}
        wake = self._wake = asyncio.Event()
        concurrency = self.policy.concurrency
        try:
            while True:
                now_us = to_us(self.clock.now())
                limit = now_us if until_us is None else min(now_us, until_us)
                while (f := feed.peek_us()) is not None and f <= limit:
                    self.publish_planned(feed.take())
                started: list[Delivery] = []
                while len(running) + len(started) < concurrency and (d := self._agenda.peek()) is not None:
                    if d > limit:
                        break
                    started.append(self._pending[self._agenda.pop()[1]])
                if started:
                    at = self.clock.now()
                    requests = [self._prepare(d, at) for d in started]
                    self.store.stage_in_flight(started, at)
                self.store.commit()  # finished attempts and new marks, before anything is sent or awaited
                if started:
                    for delivery, (request, sent) in zip(started, requests, strict=True):
                        running[asyncio.create_task(self._post(request, at))] = (delivery, sent)
                upcoming = _earliest(self._agenda.peek(), feed.peek_us())
                if upcoming is not None and until_us is not None and upcoming > until_us:
                    upcoming = None
                if not running and upcoming is None and not forever:
                    return
                waiters: set[asyncio.Future[object]] = set(running)  # type: ignore[arg-type]
                helpers: list[asyncio.Task[object]] = [asyncio.create_task(wake.wait())]
                if upcoming is not None and len(running) < concurrency:
                    helpers.append(asyncio.create_task(self.clock.sleep_until(from_us(upcoming))))
                try:
                    done, _ = await asyncio.wait(waiters | set(helpers), return_when=asyncio.FIRST_COMPLETED)
                finally:  # also when this run is cancelled: no helper outlives it
                    for helper in helpers:
                        helper.cancel()
                wake.clear()
                for task in [t for t in running if t in done]:
                    delivery, sent = running.pop(task)
                    self._finish(delivery, sent, task.result())
        finally:
            self._wake = None
            for task in running:
                task.cancel()
            self.store.commit()

    async def _post(self, request: OutgoingRequest | Attempt, at: datetime) -> Attempt:
        """Send one prepared request; whatever fails is this attempt's failure, never the loop's."""
        if isinstance(request, Attempt):
            return request  # it could not even be built
        assert self.client is not None
        try:
            return await post(
                self.client,
                request,
                at=at,
                deadline=self.policy.deadline,
                max_response_bytes=self.policy.max_response_bytes,
            )
        except Exception as err:  # the fault boundary of one delivery: the others keep going
            return _invalid(at, err)

    # -- one attempt -----------------------------------------------------------------------------------
    def _request(self, delivery: Delivery, at: datetime) -> tuple[OutgoingRequest, str]:
        """The POST of this attempt and its masked header text (the log's)."""
        sub = self._subs[delivery.subscription_id]
        stamp = at if sub.family == "legacy" or self.policy.signing_time == "simulated" else utc_now()
        return self._templates.request(sub, delivery, stamp)

    def _prepare(self, delivery: Delivery, at: datetime) -> tuple[OutgoingRequest | Attempt, Sent]:
        """:meth:`_request` and what the log records of it (masked headers, the URL and the subscription
        version used), or the failed attempt when the subscription's data cannot make a request."""
        sub = self._subs[delivery.subscription_id]
        try:
            request, masked = self._request(delivery, at)
        except Exception as err:  # e.g. a secret that cannot be encoded: this delivery fails, not the batch
            return _invalid(at, err), Sent("", sub.callback_url, sub.version)
        return request, Sent(masked, request.url, sub.version)

    def _advance(self, delivery: Delivery, at: datetime, *, ok: bool) -> None:
        """The delivery's next state after an attempt at ``at``."""
        delivery.attempts_made += 1
        if delivery.first_attempt_at is None:
            delivery.first_attempt_at = at
        if ok:
            delivery.state, delivery.next_attempt_at = DeliveryState.ACKNOWLEDGED, None
            return
        key = f"{delivery.subscription_id}/{delivery.webhook_id}"
        retry_at = self.policy.retry.next_attempt_at(
            delivery.first_attempt_at, delivery.attempts_made, at, key=key
        )
        if retry_at is None:
            delivery.state, delivery.next_attempt_at = DeliveryState.EXPIRED, None
        else:
            delivery.next_attempt_at = retry_at

    def _finish(self, delivery: Delivery, sent: Sent, result: Attempt) -> None:
        sub = self._subs[delivery.subscription_id]
        self._advance(delivery, result.at, ok=result.ok)
        disable: tuple[int, DisableRecord] | None = None
        if sub.enabled and self.policy.disable.enabled:
            decision = self._observe(sub.id, result.at, result.ok, delivery.event_id)
            if decision is not None:
                record = DisableRecord(
                    at=result.at,
                    reason=f"auto-disabled: {decision.describe()}",
                    failures=decision.failures,
                    sample=decision.total,
                    unit=decision.unit,
                    window_seconds=self.policy.disable.window.total_seconds(),
                )
                disable = (sub.id, record)
        if (disable is not None or not sub.enabled) and _waiting(delivery):
            delivery.state = DeliveryState.SUSPENDED  # disabled meanwhile: no retry until re-enabled
        self.store.stage_attempt(
            delivery, result, sent.headers, url=sent.url, version=sent.version, disable=disable
        )
        if delivery.state is DeliveryState.PENDING:
            self._schedule(delivery)
        else:
            self._pending.pop(delivery.id, None)
            if delivery.state is DeliveryState.ACKNOWLEDGED and delivery.id in self._after_ack:
                self._duplicate_after_ack(delivery, result.at)
        if disable is not None:
            self._suspend_in_memory(sub.id)
            self._windows.pop(sub.id, None)
            sub = self._cache(replace(sub, enabled=False, disabled=disable[1]))
        if self.on_attempt:
            report = AttemptReport(
                subscription_id=sub.id,
                delivery_id=delivery.id,
                webhook_id=delivery.webhook_id,
                event_id=delivery.event_id,
                event_name=delivery.event_name,
                attempt_no=delivery.attempts_made,
                offset=result.at - (delivery.first_attempt_at or result.at),
                attempt=result,
                state=delivery.state,
                next_attempt_at=delivery.next_attempt_at,
                duplicate=delivery.duplicate_of is not None,
                disabled=disable[1] if disable else None,
            )
            for hook in self.on_attempt:
                hook(report)

    def _duplicate_after_ack(self, original: Delivery, at: datetime) -> None:
        sub = self._subs[original.subscription_id]
        copies = [
            self._new_delivery(
                sub, original.event_id, original.event_name, original.body, at, due=at + delay, of=original
            )
            for delay in self._after_ack.pop(original.id)
        ]
        for copy in copies:
            copy.event_seq = original.event_seq
        if sub.enabled:
            self.store.stage_deliveries(copies)
            for copy in copies:
                self._schedule(copy)


def _invalid(at: datetime, err: Exception) -> Attempt:
    """The failed attempt of a request that could not be built or sent (``invalid-request``)."""
    return Attempt(at, Outcome.INVALID_REQUEST, None, 0.0, error=describe_invalid_request(err))


def _event_id(payload: Mapping[str, object]) -> str | None:
    """The payload's own event id: legacy ``Body.FlipdishEventId``, a v3 event-shaped body's ``id``."""
    body = payload.get("Body")
    candidates = [body.get("FlipdishEventId") if isinstance(body, Mapping) else None]
    if "detail-type" in payload:
        candidates.append(payload.get("id"))
    return next((c for c in candidates if isinstance(c, str) and c), None)


def _waiting(delivery: Delivery) -> bool:
    return delivery.state is DeliveryState.PENDING


def check_url(url: str) -> None:
    """UsageError unless the sender can POST to ``url`` (the one rule: :mod:`.subscription_rules`)."""
    check_callback_url(url)
