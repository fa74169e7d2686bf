"""``Simulator``: Flipdish's sender bound to one receiver and a virtual clock, for tests, sync or async.

    with Simulator(app, verify_token="t") as sim:
        result = sim.send("order.created")          # publish, then run the retry schedule to the end
        result.assert_acknowledged()
        sim.assert_delivered("order.created", times=1)

    async with Simulator(app, verify_token="t") as sim:   # the same API, awaited (AsyncSimulator)
        (await sim.send("order.created")).assert_acknowledged()

The whole 24 h retry schedule runs in virtual time (milliseconds), on the simulator's own event loop
(:mod:`._loop`). While it delivers, an in-process receiver's clocks read the simulated time (:mod:`._frozen`
states the model); an ASGI app's lifespan runs around the simulator's life (:meth:`Target.served`).
Whatever fails while opening, everything opened before is released (loop, log, lifespan, client).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from flipdish_sim.conformance.target import Target
from flipdish_sim.contracts.catalogue import Family, catalogue
from flipdish_sim.errors import DeliveryAssertionError, UsageError
from flipdish_sim.plugin._async import AsyncSimulator
from flipdish_sim.plugin._frozen import FrozenTimeTransport, ReceiverTime
from flipdish_sim.plugin._loop import HeldOpen, SenderLoop
from flipdish_sim.plugin._results import DeliveryResult, ScenarioResult
from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import AttemptReport, Sender, SenderPolicy
from flipdish_sim.simulator.http._delivery import make_client
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.model._attempt import Attempt
from flipdish_sim.simulator.model._subscription import Event, Subscription

__all__ = ["AsyncSimulator", "DeliveryResult", "ScenarioResult", "Simulator", "as_target"]

T = TypeVar("T")


def as_target(receiver: Target | str | object, *, url: str | None = None) -> Target:
    """A :class:`Target` from a Target, a URL, or an ASGI/WSGI app (``url``: the path or URL it serves)."""
    if isinstance(receiver, Target):
        if url is None:
            return receiver
        if receiver.app is None:
            return Target.from_url(url)
        return replace(receiver, url=Target.from_app(receiver.app, url=url).url)
    if isinstance(receiver, str):
        return Target.from_url(receiver)
    if callable(receiver):
        return Target.from_app(receiver, url=url)
    raise UsageError(f"a receiver is a URL, an ASGI/WSGI app or a Target, not {type(receiver).__name__}")


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


class Simulator:
    """Flipdish's webhook sender for one receiver: ``with Simulator(...) as sim`` (the pytest fixture does),
    or ``async with Simulator(...) as sim`` for the same API with coroutines (:class:`AsyncSimulator`)."""

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
        lifespan: bool | None = None,
        seed: int = 0,
        db: str | Path = ":memory:",
    ) -> None:
        target = as_target(receiver, url=url)
        chosen = target.lifespan if lifespan is None else lifespan
        self.target = replace(target, lifespan=True if chosen is None else chosen)
        self.family = Family(family)
        self.verify_token = verify_token
        self.secrets = tuple(secrets)
        self.events = tuple(events) if events else tuple(spec.name for spec in catalogue(self.family))
        self.clock = clock or VirtualClock()
        freeze = freeze_receiver_time and self.target.in_process
        # a frozen receiver checks v3 timestamps against the simulated time; a live one against real time
        self.policy = replace(policy or SenderPolicy(), signing_time="simulated" if freeze else "real")
        self.seed = seed
        self.db = db
        self.reports: list[AttemptReport] = []
        self.lifespan_running = False
        self._now: Callable[[], datetime] = self.clock.now
        self._time = ReceiverTime(lambda: self._now(), enabled=freeze)
        self._loop: SenderLoop | None = None
        self._stack: ExitStack | None = None

    # -- lifecycle -------------------------------------------------------------------------------------
    def __enter__(self) -> Simulator:
        if self._stack is not None:
            raise UsageError("this Simulator is already open; create one per test")
        with ExitStack() as stack:  # a failure anywhere below releases what was set up before it
            self._open(stack)
            self._stack = stack.pop_all()
        return self

    def _open(self, stack: ExitStack) -> None:
        self._loop = loop = SenderLoop()
        stack.callback(loop.close)
        self.store = stack.enter_context(Store(self.db))
        held = HeldOpen(self.target.served)  # an ASGI app's lifespan runs until the simulator closes
        served = self._drive(held.enter, frozen=False)
        self.lifespan_running = served.lifespan
        stack.callback(self._drive, held.release, frozen=False)
        transport = served.transport
        if transport is not None and self._time.enabled:
            transport = FrozenTimeTransport(transport, self._time)
        self.client = make_client(transport=transport)
        stack.callback(self._drive, self.client.aclose, frozen=False)
        self.sender = self._sender(self.store)
        self.subscription: Subscription = self.sender.add_subscription(
            self.target.url,
            event_names=self.events,
            family=self.family.value,
            verify_token=self.verify_token,
            secrets=self.secrets,
        )

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        stack, self._stack = self._stack, None
        try:
            if stack is not None:
                stack.close()
        finally:
            self._loop = None

    async def __aenter__(self) -> AsyncSimulator:
        await SenderLoop.acall(self.__enter__)
        return AsyncSimulator(self)

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await SenderLoop.acall(lambda: self.__exit__(kind, error, trace))

    def _sender(self, store: Store) -> Sender:
        sender = Sender(store, clock=self.clock, client=self.client, policy=self.policy, rng_seed=self.seed)
        sender.on_attempt.append(self.reports.append)
        return sender

    def _drive(self, make: Callable[[], Coroutine[Any, Any, T]], *, frozen: bool = True) -> T:
        """Run ``make()`` on the simulator's loop (the receiver's time frozen, when ``frozen``)."""
        return self._opened().call(lambda: self._run_here(make, frozen))

    async def _adrive(self, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
        return await self._opened().acall(lambda: self._run_here(make, True))

    def _run_here(self, make: Callable[[], Coroutine[Any, Any, T]], frozen: bool) -> T:
        loop = self._opened()
        if not frozen:
            return loop.run(make)
        with self._time.frozen():
            return loop.run(make)

    def _opened(self) -> SenderLoop:
        if self._loop is None:
            raise UsageError("the Simulator is not open: use it as a context manager (with Simulator(...))")
        return self._loop

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the simulator's event loop (the sender's loop), the receiver's time frozen."""
        try:
            loop = self._opened()
        except UsageError:
            coroutine.close()
            raise
        return loop.call(lambda: self._run_here(lambda: coroutine, True))

    # -- sending ---------------------------------------------------------------------------------------
    def publish(self, event: str = "order.created", payload: Mapping[str, object] | None = None) -> Event:
        """Record an event for delivery (not sent until :meth:`run_until_idle`)."""
        self._opened()
        return self.sender.publish(event, payload)

    def run_until_idle(self) -> None:
        """Deliver everything published, retries included, until nothing is left to do (virtual time)."""
        self._drive(self.sender.run_until_idle)

    def send(
        self, event: str = "order.created", payload: Mapping[str, object] | None = None
    ) -> DeliveryResult:
        """Publish one event (a realistic example unless ``payload``) and deliver it to the end."""
        published = self.publish(event, payload)
        self.run_until_idle()
        return self.result(published)

    def result(self, event: Event) -> DeliveryResult:
        reports = tuple(r for r in self.reports if r.event_id == event.id)
        return DeliveryResult(event, reports, note=self._lifespan_note(reports))

    def attempts(self, event: str | None = None) -> list[Attempt]:
        """Every attempt so far (of ``event`` only, when given), in order."""
        return [r.attempt for r in self.reports if event is None or r.event_name == event]

    def _lifespan_note(self, reports: Sequence[AttemptReport]) -> str:
        """Why an ASGI app may answer 5xx: its lifespan is off, so what it opens at startup is missing."""
        if self.target.kind != "asgi" or self.target.lifespan or not reports:
            return ""
        status = reports[-1].attempt.status_code
        if status is None or status < 500:
            return ""
        return (
            "the app's ASGI lifespan is off (lifespan=False), so nothing it sets up at startup "
            "(a database pool, a client) exists; turn it on unless that is what this test checks"
        )

    # -- scenarios -------------------------------------------------------------------------------------
    def run_scenario(self, scenario: str | Path, *, seed: int = 0) -> ScenarioResult:
        """Run a built-in or file scenario against this receiver on its own virtual clock and log."""
        from flipdish_sim.simulator.log._summary import summarize
        from flipdish_sim.simulator.scenario._load import load_scenario
        from flipdish_sim.simulator.scenario._run import open_run

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
                self._drive(lambda: session.sender.run_until_idle(session.events()))
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
