"""What a check works with: the target's client, fresh realistic payloads, correctly authenticated requests.

Every payload is a realistic example (``contracts.examples``) under a seed drawn from the run's random
generator, so ids (``FlipdishEventId``, ``OrderId``, v3 event ids) are fresh for every delivery.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

import httpx

from flipdish_sim.conformance.model import Credential, Exchange, SuiteConfig
from flipdish_sim.conformance.target import Target
from flipdish_sim.conformance.verdict import blamed_elsewhere
from flipdish_sim.contracts.catalogue import Family
from flipdish_sim.contracts.examples import example
from flipdish_sim.simulator.clock import Clock
from flipdish_sim.simulator.http._delivery import attempt
from flipdish_sim.simulator.wire._envelope import OutgoingRequest, legacy_request, v3_request
from flipdish_sim.simulator.wire._signing import format_timestamp, signature_header

__all__ = ["Blocked", "CheckContext", "Payload", "Probe"]

Payload = dict[str, object]
Probe = Callable[[], Awaitable[int]]
"""Reads how many side effects the receiver has applied so far."""


class Blocked(Exception):
    """The receiver showed it cannot meet a precondition: the check in progress stops, blocked by ``by``."""

    def __init__(self, by: str, event: str | None = None) -> None:
        super().__init__(by)
        self.by = by
        self.event = event


class CheckContext:
    """One run's shared state: the client, configuration, clock, random ids and the optional probe."""

    def __init__(
        self,
        target: Target,
        config: SuiteConfig,
        *,
        client: httpx.AsyncClient,
        clock: Clock,
        rng: random.Random,
        probe: Probe | None = None,
    ) -> None:
        self.target = target
        self.config = config
        self.client = client
        self.clock = clock
        self.rng = rng
        self.probe = probe
        self.exchanges: list[Exchange] = []
        self.check = ""
        """The id of the check running now (recorded on every exchange it sends)."""
        self.blocker: str | None = None
        """Set once the receiver showed it cannot meet a precondition: every later send raises ``Blocked``."""
        self.blocked_events: dict[str, str] = {}
        """Events the receiver cannot take (always late on one type...): their sends raise ``Blocked``."""
        self._streaks: dict[str, tuple[str, int]] = {}
        self._run: list[tuple[str, str]] = []

    @property
    def family(self) -> Family:
        return self.config.family

    def seed(self) -> int:
        return self.rng.randrange(2**31)

    def event_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def payload(self, event: str) -> Payload:
        """A fresh realistic payload of ``event`` (legacy envelope or v3 body)."""
        return example(event, seed=self.seed(), profile=self.config.profile)

    def request(
        self,
        event: str,
        payload: Mapping[str, object],
        *,
        at: datetime | None = None,
        event_id: str | None = None,
        token: str | None = None,
        secrets: Sequence[str] | None = None,
    ) -> OutgoingRequest:
        """A delivery of ``payload`` authenticated with the configured token or secrets (or those given)."""
        if self.family is Family.LEGACY:
            chosen = self.config.verify_token if token is None else token
            return legacy_request(self.target.url, payload, verify_token=chosen, options=self.config.options)
        keys = tuple(self.config.secrets if secrets is None else secrets) or ("flipdish-sim-unset-secret",)
        return v3_request(
            self.target.url,
            event,
            payload,
            secrets=keys,
            at=at or self.clock.now(),
            event_id=event_id or self.event_id(),
            options=self.config.options,
        )

    def with_body(
        self,
        request: OutgoingRequest,
        body: bytes,
        *,
        at: datetime | None = None,
        secrets: Sequence[str] | None = None,
    ) -> OutgoingRequest:
        """``request`` carrying ``body`` instead, re-signed (v3) so the signature covers the new bytes."""
        if self.family is Family.LEGACY:
            return replace(request, body=body)
        return self.resigned(replace(request, body=body), at=at, secrets=secrets)

    def resigned(
        self, request: OutgoingRequest, *, at: datetime | None = None, secrets: Sequence[str] | None = None
    ) -> OutgoingRequest:
        """A v3 request stamped ``at`` (default now) and signed with ``secrets`` (default the configured)."""
        moment = at or self.clock.now()
        keys = tuple(self.config.secrets if secrets is None else secrets) or ("flipdish-sim-unset-secret",)
        signature = signature_header(keys, moment, request.body, signed=self.config.options.signed)
        return with_headers(
            request, {"X-Flipdish-Timestamp": format_timestamp(moment), "X-Flipdish-Signature": signature}
        )

    async def send(
        self,
        request: OutgoingRequest,
        *,
        event: str,
        label: str,
        credential: Credential = "real",
        fixed_time: bool = False,
        valid: bool = False,
    ) -> Exchange:
        """POST ``request`` once (never raising for transport problems) and record the exchange.

        Raises :class:`Blocked` instead of sending once the receiver is known not to answer usefully, and
        after the ``give_up_after``-th timeout, redirect or rejected valid delivery in a row.
        """
        if self.blocker is not None:
            raise Blocked(self.blocker)
        if event in self.blocked_events:
            raise Blocked(self.blocked_events[event], event)
        result = await attempt(self.client, request, at=self.clock.now(), deadline=self.config.wait)
        exchange = Exchange(label, event, request, result, credential, fixed_time, self.check, valid)
        self.exchanges.append(exchange)
        self._count(exchange)
        return exchange

    def _count(self, exchange: Exchange) -> None:
        """Block the receiver after ``give_up_after`` failed preconditions in a row across two or more events
        (a receiver that never answers), or one event after as many in a row of that event."""
        cause = blamed_elsewhere(exchange, self.config.deadline)
        event = exchange.event
        if cause is None:
            self._run.clear()
            self._streaks.pop(event, None)
            return
        last, count = self._streaks.get(event, (cause, 0))
        self._streaks[event] = (cause, count + 1 if last == cause else 1)
        if self._run and self._run[-1][0] != cause:
            self._run.clear()
        self._run.append((cause, event))
        limit = self.config.give_up_after
        spread = len({name for _, name in self._run[-limit:]})
        if len(self._run) >= limit and spread >= min(2, len(self.config.selected_events)):
            self.blocker = cause
            raise Blocked(cause)
        if self._streaks[event][1] >= limit:
            self.blocked_events[event] = cause
            raise Blocked(cause, event)

    async def deliver(
        self, event: str, payload: Mapping[str, object] | None = None, *, label: str
    ) -> Exchange:
        """A valid, correctly authenticated delivery of ``event`` (a fresh payload unless one is given)."""
        body = self.payload(event) if payload is None else payload
        return await self.send(self.request(event, body), event=event, label=label, valid=True)

    async def applied(self) -> int | None:
        """The probe's count of applied side effects, or None without a probe."""
        if self.blocker is not None:
            raise Blocked(self.blocker)
        return None if self.probe is None else await self.probe()


def with_headers(request: OutgoingRequest, changes: Mapping[str, str | None]) -> OutgoingRequest:
    """``request`` with headers replaced (case-insensitive), added, or removed (value None)."""
    wanted = {name.lower(): (name, value) for name, value in changes.items()}
    headers: list[tuple[str, str]] = []
    for name, value in request.headers:
        change = wanted.pop(name.lower(), None)
        if change is None:
            headers.append((name, value))
        elif change[1] is not None:
            headers.append((name, change[1]))
    headers.extend((name, value) for name, value in wanted.values() if value is not None)
    return replace(request, headers=tuple(headers))
