"""``AsyncSimulator``: a :class:`Simulator`'s API with coroutines, for ``async def`` tests.

    async with Simulator(app, verify_token="t") as sim:
        result = await sim.send("order.created")
        result.assert_acknowledged()

The sender keeps its own event loop and runs it in a worker thread while the caller awaits, so the caller's
loop keeps running (its other tasks, servers a receiver calls) and any async framework can await it:
pytest-asyncio, anyio (asyncio or trio). An in-process ASGI receiver runs on the sender's loop, with the
resources its lifespan opened there; objects bound to the test's own loop cannot be shared with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flipdish_sim.conformance.target import Target
    from flipdish_sim.plugin.simulator import DeliveryResult, ScenarioResult, Simulator
    from flipdish_sim.simulator.clock import VirtualClock
    from flipdish_sim.simulator.engine import AttemptReport
    from flipdish_sim.simulator.model._attempt import Attempt
    from flipdish_sim.simulator.model._subscription import Event, Subscription

__all__ = ["AsyncSimulator"]


class AsyncSimulator:
    """The async face of an open :class:`Simulator` (``sync``): I/O methods are coroutines."""

    def __init__(self, simulator: Simulator) -> None:
        self.sync = simulator

    @property
    def target(self) -> Target:
        return self.sync.target

    @property
    def clock(self) -> VirtualClock:
        return self.sync.clock

    @property
    def reports(self) -> list[AttemptReport]:
        return self.sync.reports

    @property
    def subscription(self) -> Subscription:
        return self.sync.subscription

    def publish(self, event: str = "order.created", payload: Mapping[str, object] | None = None) -> Event:
        """Record an event for delivery (not sent until :meth:`run_until_idle`)."""
        return self.sync.publish(event, payload)

    async def run_until_idle(self) -> None:
        """Deliver everything published, retries included, until nothing is left to do (virtual time)."""
        await self.sync._adrive(self.sync.sender.run_until_idle)

    async def send(
        self, event: str = "order.created", payload: Mapping[str, object] | None = None
    ) -> DeliveryResult:
        """Publish one event (a realistic example unless ``payload``) and deliver it to the end."""
        published = self.publish(event, payload)
        await self.run_until_idle()
        return self.sync.result(published)

    async def run_scenario(self, scenario: str | Path, *, seed: int = 0) -> ScenarioResult:
        """Run a built-in or file scenario against this receiver on its own virtual clock and log."""
        from flipdish_sim.plugin._loop import SenderLoop

        return await SenderLoop.acall(lambda: self.sync.run_scenario(scenario, seed=seed))

    def result(self, event: Event) -> DeliveryResult:
        return self.sync.result(event)

    def attempts(self, event: str | None = None) -> list[Attempt]:
        """Every attempt so far (of ``event`` only, when given), in order."""
        return self.sync.attempts(event)

    def assert_delivered(self, event: str, *, times: int = 1) -> None:
        self.sync.assert_delivered(event, times=times)

    def assert_disabled(self) -> None:
        self.sync.assert_disabled()
