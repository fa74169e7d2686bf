"""What an in-process receiver's clocks read: the simulated time while the simulator delivers, and only then.

The model (docs/plugin.md, "Simulated time"):

* While a run delivers (``send``, ``run_until_idle``, ``run_scenario``), one freezegun freezer holds every
  clock a receiver can read - ``datetime.now/utcnow/today``, ``date.today``, ``time.time``,
  ``time.monotonic``, ``time.perf_counter`` (and their ``_ns`` forms), ``gmtime``/``localtime``/``strftime``
  - at the sender's simulated "now": moved there before each attempt, still during it.
* ASGI apps, WSGI apps and bare callables see exactly that. freezegun hands real time to any call made
  within a few frames of a module on its ignore list; this freezer's list names only the sender's stopwatch
  (and pytest's own modules), never a module on a receiver's call path.
* Event-loop time stays real: ``asyncio.sleep`` and timeouts in a receiver take real time.
* Outside runs (the test body, fixture setup, the app's lifespan) this freezer is not running: the test
  sees real time unless it asks for the simulated one (``flipdish_clock.now()``).
* A user's own freezer (``@freeze_time``) composes: this one nests inside it during a run (freezegun keeps a
  stack), so the receiver sees the simulated time, and the user's frozen time is back after the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx

__all__ = ["IGNORE", "FrozenTimeTransport", "ReceiverTime"]

IGNORE = ["flipdish_sim.simulator.stopwatch", "_pytest", "pluggy"]
"""Modules that read real time while a receiver's time is frozen: the sender's stopwatch, pytest's own."""


class ReceiverTime:
    """Freezes a receiver's clocks at ``now()`` for the duration of :meth:`frozen` (when ``enabled``)."""

    def __init__(self, now: Callable[[], datetime], *, enabled: bool) -> None:
        self.now = now
        self.enabled = enabled
        self._factory: Any = None

    @contextmanager
    def frozen(self) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        from freezegun import freeze_time

        freezer = freeze_time(self.now(), ignore=IGNORE, real_asyncio=True)
        self._factory = freezer.start()
        try:
            yield
        finally:
            self._factory = None
            freezer.stop()

    def move(self) -> None:
        """Move the frozen time to the sender's now (before an attempt)."""
        if self._factory is not None:
            self._factory.move_to(self.now())


class FrozenTimeTransport(httpx.AsyncBaseTransport):
    """Moves the receiver's frozen time to the sender's now before each in-process request."""

    def __init__(self, inner: httpx.AsyncBaseTransport, time: ReceiverTime) -> None:
        self.inner, self.time = inner, time

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.time.move()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
