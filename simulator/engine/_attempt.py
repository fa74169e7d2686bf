"""One attempt's outcome: the request of an attempt, then the retry and auto-disable decisions.

Per attempt: build the request (:class:`~flipdish_sim.simulator.wire.RequestTemplates`), POST (the loop
does, :mod:`._loop`), then :meth:`Attempts._finish` stages ONE INSERT recording the attempt with the
delivery's next state (the retry schedule's), and a disable if this attempt tipped the rolling window.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

from flipdish_sim.simulator.clock import utc_now
from flipdish_sim.simulator.engine._publish import Publisher
from flipdish_sim.simulator.http._delivery import describe_invalid_request
from flipdish_sim.simulator.model._attempt import Attempt, Outcome
from flipdish_sim.simulator.model._report import AttemptReport
from flipdish_sim.simulator.model._subscription import (
    Delivery,
    DeliveryState,
    DisableRecord,
)
from flipdish_sim.simulator.policy._disable import DisableDecision, RollingWindow
from flipdish_sim.simulator.wire._envelope import (
    OutgoingRequest,
)

__all__ = ["Attempts", "Sent", "invalid_attempt", "is_waiting"]


class Sent(NamedTuple):
    """What the log records of one request: its masked headers, the URL and subscription version used."""

    headers: str
    url: str
    version: str


class Attempts(Publisher):
    """Prepare an attempt's request; apply its result (retry, disable, duplicates after an ack)."""

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
            return invalid_attempt(at, err), Sent("", sub.callback_url, sub.version)
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
        if (disable is not None or not sub.enabled) and is_waiting(delivery):
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

    def _observe(self, subscription_id: int, at: datetime, ok: bool, event_id: str) -> DisableDecision | None:
        """Count one attempt in the subscription's rolling window; the decision when it says disable."""
        window = self._windows.get(subscription_id)
        if window is None:
            window = self._windows[subscription_id] = RollingWindow(self.policy.disable)
        return window.add(at, ok, event_id)


def invalid_attempt(at: datetime, err: Exception) -> Attempt:
    """The failed attempt of a request that could not be built or sent (``invalid-request``)."""
    return Attempt(at, Outcome.INVALID_REQUEST, None, 0.0, error=describe_invalid_request(err))


def is_waiting(delivery: Delivery) -> bool:
    return delivery.state is DeliveryState.PENDING
