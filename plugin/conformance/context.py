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

from flipdish_sim.contracts.catalogue import Family
from flipdish_sim.contracts.examples import example
from flipdish_sim.plugin.conformance.model import Credential, Exchange, SuiteConfig
from flipdish_sim.plugin.target import Target
from flipdish_sim.simulator.clock import Clock
from flipdish_sim.simulator.delivery import attempt
from flipdish_sim.simulator.request import OutgoingRequest, legacy_request, v3_request
from flipdish_sim.simulator.signing import format_timestamp, signature_header

__all__ = ["CheckContext", "Payload", "Probe"]

Payload = dict[str, object]
Probe = Callable[[], Awaitable[int]]
"""Reads how many side effects the receiver has applied so far."""


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
        deadline: float | None = None,
    ) -> Exchange:
        """POST ``request`` once (never raising for transport problems) and record the exchange."""
        result = await attempt(
            self.client, request, at=self.clock.now(), deadline=deadline or self.config.wait
        )
        exchange = Exchange(label, event, request, result, credential, fixed_time)
        self.exchanges.append(exchange)
        return exchange

    async def deliver(
        self, event: str, payload: Mapping[str, object] | None = None, *, label: str
    ) -> Exchange:
        """A valid, correctly authenticated delivery of ``event`` (a fresh payload unless one is given)."""
        body = self.payload(event) if payload is None else payload
        return await self.send(self.request(event, body), event=event, label=label)

    async def applied(self) -> int | None:
        """The probe's count of applied side effects, or None without a probe."""
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
