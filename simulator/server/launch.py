"""Putting a server together: the log, the clock, the sender and the backend, opened and closed as one.

Used by ``flipdish-sim serve`` and ``flipdish-sim demo``. A restarted server carries on where the log
stopped: the sender resumes pending retries (its recovery), and the clock never starts before the log's
latest time (a virtual clock starts there; a compressed wall clock is moved up to it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Literal

import httpx

from flipdish_sim.simulator.clock import DEFAULT_START, Clock, VirtualClock, WallClock
from flipdish_sim.simulator.engine import Sender, SenderPolicy
from flipdish_sim.simulator.http._delivery import make_client
from flipdish_sim.simulator.log._file import open_log
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.server.backend import Backend

__all__ = ["ClockKind", "make_clock", "open_backend"]

ClockKind = Literal["wall", "virtual"]


def make_clock(kind: ClockKind, *, time_scale: float = 1.0, resume_from: datetime | None = None) -> Clock:
    """The server's clock; never earlier than ``resume_from`` (the log's latest time)."""
    if kind == "virtual":
        return VirtualClock(max(DEFAULT_START, resume_from) if resume_from else DEFAULT_START)
    clock = WallClock(time_scale)
    if resume_from is not None and resume_from > clock.now():
        clock = WallClock(time_scale, start=resume_from)
    return clock


@asynccontextmanager
async def open_backend(
    db: str | Path,
    *,
    clock: ClockKind = "wall",
    time_scale: float = 1.0,
    policy: SenderPolicy | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    include_sim_fields: bool = False,
) -> AsyncIterator[Backend]:
    """A backend over the log at ``db`` (created if new); closes its HTTP client and the log on exit.

    UsageError (exit 2) when ``db`` is not a log, cannot be written, or another process writes it."""
    store: Store = open_log(db)
    try:
        the_clock = make_clock(clock, time_scale=time_scale, resume_from=store.latest_time())
        async with make_client(transport=transport) as client:
            sender = Sender(store, clock=the_clock, client=client, policy=policy)
            yield Backend(sender, store, include_sim_fields=include_sim_fields)
    finally:
        store.close()
