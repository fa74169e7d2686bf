"""``Simulator``: Flipdish's sender bound to one receiver and a virtual clock, a synchronous API for tests.

    with Simulator(app, verify_token="t") as sim:
        result = sim.send("order.created")          # publish, then run the retry schedule to the end
        result.assert_acknowledged()
        sim.assert_delivered("order.created", times=1)

The whole 24 h retry schedule runs in virtual time (milliseconds). An in-process receiver sees the virtual
time too: one freezegun freezer per simulator is moved to the sender's "now" before each attempt, so the
receiver's ``datetime.now()`` and a v3 signature's replay window agree with the sender's clock.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from flipdish_sim.contracts.catalogue import Family, catalogue
from flipdish_sim.errors import DeliveryAssertionError, UsageError
from flipdish_sim.plugin.assertions import assert_acknowledged, assert_attempts
from flipdish_sim.plugin.target import Target
from flipdish_sim.simulator.attempt import Attempt
from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.delivery import make_client
from flipdish_sim.simulator.engine import AttemptReport, Sender, SenderPolicy
from flipdish_sim.simulator.store import Store
from flipdish_sim.simulator.subscription import Event, Subscription

__all__ = ["DeliveryResult", "ScenarioResult", "Simulator", "as_target"]

_REAL_TIME = ["flipdish_sim.simulator.delivery", "_pytest", "pluggy"]
"""Modules that keep real time while the receiver's time is frozen: the sender's timing and pytest's own."""


def as_target(receiver: Target | str | object, *, url: str | None = None) -> Target:
    """A :class:`Target` from a Target, a URL, or an ASGI/WSGI app (``url``: the path or URL it serves)."""
    if isinstance(receiver, Target):
        return receiver
    if isinstance(receiver, str):
        return Target.from_url(receiver)
    if callable(receiver):
        return Target.from_app(receiver, url=url)
    raise UsageError(f"a receiver is a URL, an ASGI/WSGI app or a Target, not {type(receiver).__name__}")


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """One published event and every attempt made to deliver it."""

    event: Event
    reports: tuple[AttemptReport, ...]

    @property
    def attempts(self) -> tuple[Attempt, ...]:
        return tuple(report.attempt for report in self.reports)

    @property
    def acknowledged(self) -> bool:
        return bool(self.reports) and self.reports[-1].attempt.ok

    def assert_acknowledged(self) -> None:
        assert_acknowledged(self.attempts, event=self.event.name)

    def assert_attempts(self, count: int) -> None:
        assert_attempts(self.attempts, count, event=self.event.name)


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """What a scenario run did: every attempt, and the log's summary."""

    reports: tuple[AttemptReport, ...]
    summary: Any

    @property
    def acknowledged(self) -> bool:
        return bool(self.summary.acknowledged == self.summary.deliveries)


class _CredentialEnv(Mapping[str, str]):
    """The environment, where a scenario's credential variables default to the simulator's credentials."""

    def __init__(self, fallback: str) -> None:
        self.fallback = fallback

    def __getitem__(self, name: str) -> str:
        return os.environ.get(name) or self.fallback

    def __iter__(self) -> Iterator[str]:
        return iter(os.environ)

    def __len__(self) -> int:
        return len(os.environ)


class _FrozenTimeTransport(httpx.AsyncBaseTransport):
    """Moves the freezer to the sender's virtual now before each in-process request."""

    def __init__(self, inner: httpx.AsyncBaseTransport, freezer: Any, now: Callable[[], datetime]) -> None:
        self.inner, self.freezer, self.now = inner, freezer, now

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.freezer.move_to(self.now())
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class Simulator:
    """Flipdish's webhook sender for one receiver; use as a context manager (the pytest fixture does)."""

    def __init__(
        self,
        receiver: Target | str | object,
        *,
        url: str | None = None,
        family: str = "legacy",
        verify_token: str | None = None,
        secrets: Sequence[str] = (),
        events: Sequence[str] | None = None,
        clock: VirtualClock | None = None,
        policy: SenderPolicy | None = None,
        freeze_receiver_time: bool = True,
        seed: int = 0,
        db: str | Path = ":memory:",
    ) -> None:
        self.target = as_target(receiver, url=url)
        self.family = Family(family)
        self.verify_token = verify_token
        self.secrets = tuple(secrets)
        self.events = tuple(events) if events else tuple(spec.name for spec in catalogue(self.family))
        self.clock = clock or VirtualClock()
        self.freeze = freeze_receiver_time and self.target.in_process
        # a frozen receiver checks v3 timestamps against the simulated time; a live one against real time
        self.policy = replace(policy or SenderPolicy(), signing_time="simulated" if self.freeze else "real")
        self.seed = seed
        self.db = db
        self.reports: list[AttemptReport] = []
        self._runner: asyncio.Runner | None = None
        self._freezer: Any = None
        self._factory: Any = None
        self._now: Callable[[], datetime] = self.clock.now

    # -- lifecycle -------------------------------------------------------------------------------------
    def __enter__(self) -> Simulator:
        self._runner = asyncio.Runner()
        self.store = Store(self.db)
        self.client = make_client(transport=self._transport())
        self.sender = self._sender(self.store)
        self.subscription: Subscription = self.sender.add_subscription(
            self.target.url,
            event_names=self.events,
            family=self.family.value,
            verify_token=self.verify_token,
            secrets=self.secrets,
        )
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if self._runner is not None:
                self._runner.run(self.client.aclose())
                self._runner.close()
            self.store.close()
        finally:
            if self._freezer is not None:
                self._freezer.stop()
                self._freezer = None

    def _transport(self) -> httpx.AsyncBaseTransport | None:
        inner = self.target.transport()
        if inner is None or not self.freeze:
            return inner
        from freezegun import freeze_time

        # the sender's own timing (attempt durations, the deadline) stays on real time
        self._freezer = freeze_time(self.clock.now(), real_asyncio=True, ignore=_REAL_TIME)
        self._factory = self._freezer.start()
        return _FrozenTimeTransport(inner, self._factory, lambda: self._now())

    def _sender(self, store: Store) -> Sender:
        sender = Sender(store, clock=self.clock, client=self.client, policy=self.policy, rng_seed=self.seed)
        sender.on_attempt.append(self.reports.append)
        return sender

    def run(self, coroutine: Any) -> Any:
        """Run a coroutine on the simulator's event loop (the sender's loop)."""
        if self._runner is None:
            raise UsageError("use the Simulator as a context manager: with Simulator(...) as sim")
        return self._runner.run(coroutine)

    # -- sending ---------------------------------------------------------------------------------------
    def publish(self, event: str = "order.created", payload: Mapping[str, object] | None = None) -> Event:
        """Record an event for delivery (not sent until :meth:`run_until_idle`)."""
        return self.sender.publish(event, payload)

    def run_until_idle(self) -> None:
        """Deliver everything published, retries included, until nothing is left to do (virtual time)."""
        self.run(self.sender.run_until_idle())

    def send(
        self, event: str = "order.created", payload: Mapping[str, object] | None = None
    ) -> DeliveryResult:
        """Publish one event (a realistic example unless ``payload``) and deliver it to the end."""
        published = self.publish(event, payload)
        self.run_until_idle()
        return self.result(published)

    def result(self, event: Event) -> DeliveryResult:
        return DeliveryResult(event, tuple(r for r in self.reports if r.event_id == event.id))

    def attempts(self, event: str | None = None) -> list[Attempt]:
        """Every attempt so far (of ``event`` only, when given), in order."""
        return [r.attempt for r in self.reports if event is None or r.event_name == event]

    # -- scenarios -------------------------------------------------------------------------------------
    def run_scenario(self, scenario: str | Path, *, seed: int = 0) -> ScenarioResult:
        """Run a built-in or file scenario against this receiver on its own virtual clock and log."""
        from flipdish_sim.simulator.scenario import load_scenario
        from flipdish_sim.simulator.session import open_run
        from flipdish_sim.simulator.summary import summarize

        fallback = self.verify_token or (self.secrets[0] if self.secrets else "flipdish-sim-unset")
        loaded = load_scenario(scenario, env=_CredentialEnv(fallback))
        sub = loaded.subscription
        credentials = replace(
            sub, verify_token=self.verify_token or sub.verify_token, secrets=self.secrets or sub.secrets
        )
        loaded = replace(loaded, subscription=credentials)
        with Store(":memory:") as store:
            session = open_run(loaded, store, self.client, url=self.target.url, clock="virtual", seed=seed)
            reports: list[AttemptReport] = []
            session.sender.on_attempt.append(reports.append)
            self._now = session.sender.clock.now
            try:
                self.run(session.sender.run_until_idle(session.events()))
            finally:
                self._now = self.clock.now
            session.finish()
            return ScenarioResult(tuple(reports), summarize(store))

    # -- assertions ------------------------------------------------------------------------------------
    def assert_delivered(self, event: str, *, times: int = 1) -> None:
        """Exactly ``times`` distinct ``event`` events were acknowledged; the message lists what happened."""
        acknowledged = {r.event_id for r in self.reports if r.event_name == event and r.attempt.ok}
        if len(acknowledged) != times:
            seen = [f"{r.event_name} attempt {r.attempt_no}: {r.attempt.describe()}" for r in self.reports]
            listing = "; ".join(seen[-5:]) or "no attempts at all"
            raise DeliveryAssertionError(
                f"expected {times} acknowledged {event} event(s), found {len(acknowledged)}; "
                f"last attempts: {listing}"
            )

    def assert_disabled(self) -> None:
        """The subscription was disabled (Flipdish's auto-disable rule, as configured)."""
        sub = self.sender.subscription(self.subscription.id)
        if sub.enabled:
            failures = sum(1 for r in self.reports if not r.attempt.ok)
            raise DeliveryAssertionError(
                f"expected the subscription to be disabled; it is enabled after {len(self.reports)} attempts "
                f"({failures} failed)"
            )
