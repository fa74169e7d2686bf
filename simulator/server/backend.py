"""The server's view of the simulator: one :class:`~flipdish_sim.simulator.engine.Sender` over one log.

The HTTP layers (Flipdish's API, the simulator's API, the dashboard) call only this class. It owns the
background delivery task (started and stopped by the app's lifespan) and serialises everything that
moves the sender (publishing, advancing the virtual clock, re-enabling) with one asyncio lock.

Clocks: on the wall clock the sender delivers continuously (``Sender.serve``). On the virtual clock time
moves only when told (``advance_to``); events triggered or re-enabled deliveries due "now" go out at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, TypeVar

from flipdish_sim.contracts.catalogue import Family, catalogue
from flipdish_sim.errors import StoreError
from flipdish_sim.simulator.clock import Clock
from flipdish_sim.simulator.engine import Sender
from flipdish_sim.simulator.log._store import Store, UnknownSubscriptionError
from flipdish_sim.simulator.model._subscription import Subscription
from flipdish_sim.simulator.server.registry import Registry
from flipdish_sim.simulator.server.validation import SubscriptionInput
from flipdish_sim.simulator.server.views import Views

if TYPE_CHECKING:
    from flipdish_sim.simulator.scenario import PlannedEvent

__all__ = ["MAX_SCENARIO_EVENTS", "Backend", "legacy_event_names"]

T = TypeVar("T")

_log = logging.getLogger("flipdish_sim.server")

#: A scenario triggered through the API publishes at most this many events.
MAX_SCENARIO_EVENTS = 10_000


class _Placeholders(Mapping[str, str]):
    """Any environment variable a scenario names: the server keeps its own subscriptions and ignores them."""

    def __getitem__(self, key: str) -> str:
        return "unused-by-the-server"

    def __contains__(self, key: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


@cache
def legacy_event_names() -> tuple[str, ...]:
    """Every legacy (v1.0) event name of the catalogue: what ``GET .../webhooks/events`` lists."""
    return tuple(spec.name for spec in catalogue(Family.LEGACY))


class Backend(Views):
    """Subscriptions, events, the clock and the log, for the HTTP layers; see the module docstring.

    What the pages and APIs read (the clock, cards, attempts, logs, all masked) is :class:`.views.Views`;
    this class adds what they change."""

    def __init__(self, sender: Sender, store: Store, *, include_sim_fields: bool = False) -> None:
        self.sender = sender
        self.store = store
        self.registry = Registry(sender, store)
        self.include_sim_fields = include_sim_fields
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self.failure: str | None = None
        """Why a background task died, if one did: ``/_sim/health`` answers 503 and the dashboard says so."""

    @property
    def clock(self) -> Clock:
        return self.sender.clock

    # -- lifecycle -------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Start delivering in the background (wall clock); the virtual clock waits for ``advance_to``."""
        if not self.sender.clock.is_virtual:
            self._spawn(self.sender.serve(), "deliveries")

    def _spawn(self, work: Coroutine[object, object, None], name: str) -> None:
        async def guarded() -> None:
            try:
                await work
            except asyncio.CancelledError:
                raise
            except Exception as err:
                _log.exception("background %s stopped", name)
                detail = str(err).strip().splitlines()
                self.failure = f"background {name} stopped: {type(err).__name__}" + (
                    f": {detail[0]}" if detail else ""
                )

        task = asyncio.create_task(guarded(), name=f"flipdish-sim {name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # The client's pooled connections belong to this event loop: close them here, while it runs
        # (closing an httpx client twice is harmless, so its creator may close it again).
        if self.sender.client is not None:
            await self.sender.client.aclose()

    async def atomically(self, apply: Callable[[], T], *, catch_up: bool = False) -> T:
        """``apply()`` (synchronous writes through the sender) as ONE log transaction, under the backend's
        lock; then, with ``catch_up`` (it re-enabled a subscription), send what became due."""
        async with self._lock:
            with self.store.atomic():
                result = apply()
            if catch_up:
                await self._catch_up()
        return result

    async def _catch_up(self) -> None:
        """On the virtual clock: send what is due now (the lock is held by the caller)."""
        if self.sender.clock.is_virtual:
            await self.sender.run(self.sender.clock.now())

    async def advance_to(self, target: datetime) -> None:
        """Virtual clock: deliver everything due up to ``target`` and stop the clock there."""
        async with self._lock:
            await self.sender.run(target)

    # -- subscriptions ---------------------------------------------------------------------------------
    def event_names(self) -> tuple[str, ...]:
        return legacy_event_names()

    def subscriptions(self) -> list[Subscription]:
        return self.registry.all()

    def subscription(self, sub_id: int) -> Subscription:
        return self.registry.get(sub_id)

    def create_subscription(self, spec: SubscriptionInput) -> Subscription:
        assert spec.callback_url is not None
        return self.registry.create(
            spec.callback_url,
            event_names=spec.event_names or (),
            verify_token=spec.verify_token,
            version=spec.version,
            enabled=True if spec.enabled is None else spec.enabled,
        )

    async def update_subscription(self, sub_id: int, spec: SubscriptionInput) -> None:
        """Apply the given fields; ``Enabled: true`` re-enables, ``false`` disables (as at Flipdish)."""
        sub = self.registry.get(sub_id)
        changed = replace(
            sub,
            callback_url=sub.callback_url if spec.callback_url is None else spec.callback_url,
            event_names=sub.event_names if spec.event_names is None else spec.event_names,
            verify_token=sub.verify_token if spec.verify_token is None else spec.verify_token,
            version=sub.version if spec.version is None else spec.version,
        )
        if changed != sub:
            self.registry.replace(changed)
        if spec.enabled is True and not sub.enabled:
            await self.enable(sub_id)
        elif spec.enabled is False and sub.enabled:
            self.sender.disable(sub_id, reason="disabled through the API")

    def set_event_names(self, sub_id: int, names: tuple[str, ...]) -> None:
        self.registry.replace(replace(self.registry.get(sub_id), event_names=names))

    def delete_subscription(self, sub_id: int) -> None:
        self.registry.delete(sub_id)

    async def enable(self, sub_id: int) -> None:
        """Re-enable a subscription: its suspended deliveries resume (inside their 24 h window)."""
        if self.registry.get(sub_id).enabled:
            return  # a stale page or a repeated PUT: nothing to resume, and the failure window stays
        async with self._lock:
            self.sender.enable(sub_id)
            await self._catch_up()

    async def resend(self, sub_id: int, delivery_id: int) -> int:
        """Resend delivery ``delivery_id`` of ``sub_id`` by hand (through the sender); the new delivery's id.

        UnknownSubscriptionError when ``sub_id`` has no such delivery; DisabledSubscriptionError when the
        subscription is disabled."""
        try:
            found = self.store.delivery(delivery_id)
        except StoreError:
            found = None
        if found is None or found.subscription_id != self.registry.get(sub_id).id:
            raise UnknownSubscriptionError(f"subscription {sub_id} has no delivery {delivery_id}")
        async with self._lock:
            copy = self.sender.resend(delivery_id)
            await self._catch_up()
        return copy.id

    # -- events ----------------------------------------------------------------------------------------
    def sample(self, name: str, *, version: str) -> dict[str, object]:
        """A ``WebhookEventSample`` for ``name`` (a realistic example, created now)."""
        from flipdish_sim.contracts.examples import example

        document = example(name, seed=0, at=self.now())
        return {key: document[key] for key in ("Type", "CreateTime", "Body")}

    async def trigger(
        self, name: str, *, payload: Mapping[str, object] | None, seed: int | None, count: int
    ) -> list[str]:
        """Publish ``count`` events of ``name`` now (seeds ``seed``, ``seed + 1``, ...); their ids."""
        async with self._lock:
            ids = [
                self.sender.publish(name, payload, seed=None if seed is None else seed + i).id
                for i in range(count)
            ]
            await self._catch_up()
        return ids

    async def publish_to(self, sub_id: int, events: Sequence[tuple[str, Mapping[str, object]]]) -> list[str]:
        """Publish ``(name, payload)`` events now to subscription ``sub_id`` only (a v3 trigger test)."""
        async with self._lock:
            ids = [self.sender.publish(name, body, generated=True, only=sub_id).id for name, body in events]
            await self._catch_up()
        return ids

    def scenario_names(self) -> tuple[str, ...]:
        from flipdish_sim.simulator.scenario._load import (
            builtin_scenarios,  # imports jsonschema: slow, lazily
        )

        return tuple(name for name, _ in builtin_scenarios())

    async def run_scenario(self, name: str) -> list[str]:
        """Publish a built-in scenario's events to the existing subscriptions, each at its planned time."""
        from flipdish_sim.simulator.scenario import load_scenario, plan

        scenario = load_scenario(name, env=_Placeholders())
        planned: list[PlannedEvent] = []
        for item in plan(scenario, self.now()):
            if len(planned) >= MAX_SCENARIO_EVENTS:
                break
            planned.append(item)
        if self.sender.clock.is_virtual:
            async with self._lock:
                ids = [self.sender.publish_planned(p).id for p in planned]
                await self._catch_up()
            return ids
        self._spawn(self._feed(planned), f"scenario {name}")
        return []

    async def _feed(self, planned: list[PlannedEvent]) -> None:
        for item in planned:
            await self.sender.clock.sleep_until(item.at)
            self.sender.publish_planned(item)
