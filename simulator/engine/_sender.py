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
rolling window). The log commits once before new attempts go out (group commit): the attempts applied
since, the events published since and the new attempts' in-flight marks (see :meth:`Store.commit`). On the
virtual clock attempts due together are pipelined (``concurrency`` in flight, results applied in the order
they went out; see :meth:`Loop._run_virtual`). On the wall clock
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
from datetime import timedelta

import httpx

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.clock import Clock
from flipdish_sim.simulator.engine._agenda import Agenda
from flipdish_sim.simulator.engine._attempt import is_waiting
from flipdish_sim.simulator.engine._captured import CapturedSender
from flipdish_sim.simulator.log._store import INTERRUPTED, Store
from flipdish_sim.simulator.model._identity import RunIdentity, new_salt
from flipdish_sim.simulator.model._report import AttemptReport, Interrupted, Recovery
from flipdish_sim.simulator.model._subscription import (
    Delivery,
    DeliveryState,
    DisableRecord,
    Event,
    FamilyName,
    Subscription,
)
from flipdish_sim.simulator.model._subscription_rules import check_callback_url, check_subscription
from flipdish_sim.simulator.policy._disable import RollingWindow
from flipdish_sim.simulator.policy._policy import SenderPolicy
from flipdish_sim.simulator.wire._template import RequestTemplates

__all__ = ["Sender", "check_url"]


class Sender(CapturedSender):
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
        self.accepts: list[Callable[[Subscription, Mapping[str, object]], bool]] = []
        self._subs: dict[int, Subscription] = {s.id: s for s in store.subscriptions()}
        self._pending: dict[int, Delivery] = {}
        self._agenda = Agenda()
        self._windows: dict[int, RollingWindow] = {}
        self._after_ack: dict[int, list[timedelta]] = {}
        self._templates = RequestTemplates(self.policy.request)
        self._captured = {}
        self._logs_captures = None
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

    def resend(self, delivery_id: int) -> Delivery:
        """Send delivery ``delivery_id``'s event again to its subscription, now, logged as a manual resend.

        A new delivery with its own retries; see :mod:`~flipdish_sim.simulator.engine._resend`."""
        from flipdish_sim.simulator.engine._resend import resend

        return resend(self, delivery_id)

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
            if is_waiting(delivery):
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


def check_url(url: str) -> None:
    """UsageError unless the sender can POST to ``url`` (the one rule: :mod:`.subscription_rules`)."""
    check_callback_url(url)
