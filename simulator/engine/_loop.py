"""The run loops: the virtual clock (jump to the next due time) and the wall clock (pipelined)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime

from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine._attempt import Attempts, Sent, invalid_attempt
from flipdish_sim.simulator.engine._feed import Feed, Publishable
from flipdish_sim.simulator.http._delivery import attempt as post
from flipdish_sim.simulator.http._delivery import make_client
from flipdish_sim.simulator.model._attempt import Attempt
from flipdish_sim.simulator.model._subscription import (
    Delivery,
    from_us,
    to_us,
)
from flipdish_sim.simulator.wire._envelope import (
    OutgoingRequest,
)

__all__ = ["REFILL_SHARE", "WINDOW", "Loop"]

REFILL_SHARE = 4
"""On the virtual clock, free slots are refilled once a quarter of them (at least one) are free: one
commit then serves several attempts (one commit per attempt costs more CPU than it saves at 10 in flight),
and a slow answer still holds only its own slot."""
WINDOW = 4
"""On the virtual clock, at most this many times ``concurrency`` attempts are started and not yet applied
(results are applied in start order): the results waiting behind a slow attempt stay bounded."""


def _earliest(*times: int | None) -> int | None:
    present = [t for t in times if t is not None]
    return min(present) if present else None


class Loop(Attempts):
    """Deliver what is due, publishing a feed's events on time; one event loop, never a thread."""

    async def run_until_idle(self, feed: Iterable[Publishable] | None = None) -> None:
        """Deliver until nothing is pending (every delivery acknowledged, expired or suspended)."""
        await self.run(None, feed=feed)

    async def run(self, until: datetime | None = None, *, feed: Iterable[Publishable] | None = None) -> None:
        """Deliver everything due up to ``until`` (None: until idle), publishing ``feed`` events on time.

        On the virtual clock the clock ends at ``until`` when one is given.
        """
        if self.client is None:  # a sender built without a client owns one for the run
            async with make_client() as client:
                self.client = client
                try:
                    return await self.run(until, feed=feed)
                finally:
                    self.client = None
        until_us = None if until is None else to_us(until)
        events = Feed(feed)
        try:
            if self.clock.is_virtual:
                await self._run_virtual(until_us, events)
                if until is not None:
                    await self.clock.sleep_until(until)
            else:
                await self._run_wall(until_us, events, forever=False)
        finally:
            self.store.commit()

    async def serve(self) -> None:
        """Deliver forever on the wall clock, woken by :meth:`publish` and :meth:`enable` (cancel to stop)."""
        if self.client is None:
            async with make_client() as client:
                self.client = client
                try:
                    return await self._run_wall(None, Feed(None), forever=True)
                finally:
                    self.client = None
        await self._run_wall(None, Feed(None), forever=True)

    async def _run_virtual(self, until_us: int | None, feed: Feed) -> None:
        """A continuous pipeline at each instant: up to ``concurrency`` attempts in flight, free slots
        refilled as soon as 1/:data:`REFILL_SHARE` of them are free, so a slow answer holds only its own
        slot (no batch waits for its slowest attempt); the clock moves on when nothing is in flight.

        Results are applied in the order the attempts started (so a run is deterministic for a seed); a
        result back early waits for the ones before it, and at most :data:`WINDOW` times ``concurrency``
        attempts are started past the oldest unfinished one. Each turn applies what it can, takes what is
        due (publishing the feed's events due now just in time, so making payloads overlaps the requests
        in flight), then commits ONCE (the attempts applied, the events published, the new in-flight
        marks) before sending anything: group commit, write-ahead kept.
        """
        agenda, concurrency, store, pending = self._agenda, self.policy.concurrency, self.store, self._pending
        loop = asyncio.get_running_loop()
        running: dict[asyncio.Task[Attempt], tuple[Delivery, Sent]] = {}  # in the order they started
        back: set[asyncio.Task[Attempt]] = set()  # finished, not applied yet
        wake: list[asyncio.Future[None]] = []
        refill = max(1, concurrency // REFILL_SHARE)
        window = WINDOW * concurrency

        def came_back(task: asyncio.Task[Attempt]) -> None:
            back.add(task)
            if wake and not wake[0].done():
                wake[0].set_result(None)

        async def next_result() -> None:
            wake[:] = [loop.create_future()]
            await wake[0]

        try:
            while True:
                for task in back:  # a process-level exit (Ctrl+C): nothing more is applied
                    error = None if task.cancelled() else task.exception()
                    if error is not None:
                        raise error
                while running and (head := next(iter(running))) in back:
                    delivery, sent = running.pop(head)
                    back.remove(head)
                    self._finish(delivery, sent, head.result())
                room = min(concurrency - (len(running) - len(back)), window - len(running))
                if running and room < refill:
                    await next_result()  # too few slots free to be worth a commit: wait for more
                    continue
                now_us = to_us(self.clock.now())
                limit = now_us if until_us is None else min(now_us, until_us)
                started: list[Delivery] = []
                while len(started) < room:
                    due = agenda.peek()
                    if due is not None and due <= limit:
                        started.append(pending[agenda.pop()[1]])
                    elif (f := feed.peek_us()) is not None and f <= limit:
                        self.publish_planned(feed.take())
                    else:
                        break
                if started:
                    at = self.clock.now()
                    requests = [self._prepare(d, at) for d in started]
                    store.stage_in_flight(started, at)
                store.commit()  # attempts applied, events published, these marks: one transaction, then send
                if started:
                    for delivery, (request, sent) in zip(started, requests, strict=True):
                        task = loop.create_task(self._post(request, at))
                        task.add_done_callback(came_back)
                        running[task] = (delivery, sent)
                if running:
                    if next(iter(running)) not in back:
                        await next_result()
                    continue
                step = _earliest(agenda.peek(), feed.peek_us())
                if step is None or (until_us is not None and step > until_us):
                    return
                await self._advance_clock(step)
        finally:
            for task in running:
                task.cancel()

    async def _advance_clock(self, when_us: int) -> None:
        clock = self.clock
        if isinstance(clock, VirtualClock):  # no event-loop round trip per attempt
            if when_us > to_us(clock.now()):
                clock.move_to(from_us(when_us))
        else:
            await clock.sleep_until(from_us(when_us))

    async def _send_batch(self, batch: list[Delivery]) -> None:
        """Send these deliveries now, concurrently, and apply their results in order (one commit first).

        Not the run loops' path (they pipeline); kept for entry points that send chosen deliveries at once.
        """
        at = self.clock.now()
        requests = [self._prepare(d, at) for d in batch]
        store = self.store
        store.stage_in_flight(batch, at)
        store.commit()  # the previous batch's attempts, events published since, these marks: one transaction
        if len(batch) == 1:
            results = [await self._post(requests[0][0], at)]
        else:
            results = await asyncio.gather(*(self._post(r, at) for r, _ in requests))
        for delivery, (_, sent), result in zip(batch, requests, results, strict=True):
            self._finish(delivery, sent, result)

    async def _run_wall(self, until_us: int | None, feed: Feed, *, forever: bool) -> None:
        running: dict[asyncio.Task[Attempt], tuple[Delivery, Sent]] = {}
        wake = self._wake = asyncio.Event()
        concurrency = self.policy.concurrency
        try:
            while True:
                now_us = to_us(self.clock.now())
                limit = now_us if until_us is None else min(now_us, until_us)
                while (f := feed.peek_us()) is not None and f <= limit:
                    self.publish_planned(feed.take())
                started: list[Delivery] = []
                while len(running) + len(started) < concurrency and (d := self._agenda.peek()) is not None:
                    if d > limit:
                        break
                    started.append(self._pending[self._agenda.pop()[1]])
                if started:
                    at = self.clock.now()
                    requests = [self._prepare(d, at) for d in started]
                    self.store.stage_in_flight(started, at)
                self.store.commit()  # finished attempts and new marks, before anything is sent or awaited
                if started:
                    for delivery, (request, sent) in zip(started, requests, strict=True):
                        running[asyncio.create_task(self._post(request, at))] = (delivery, sent)
                upcoming = _earliest(self._agenda.peek(), feed.peek_us())
                if upcoming is not None and until_us is not None and upcoming > until_us:
                    upcoming = None
                if not running and upcoming is None and not forever:
                    return
                waiters: set[asyncio.Future[object]] = set(running)  # type: ignore[arg-type]
                helpers: list[asyncio.Task[object]] = [asyncio.create_task(wake.wait())]
                if upcoming is not None and len(running) < concurrency:
                    helpers.append(asyncio.create_task(self.clock.sleep_until(from_us(upcoming))))
                try:
                    done, _ = await asyncio.wait(waiters | set(helpers), return_when=asyncio.FIRST_COMPLETED)
                finally:  # also when this run is cancelled: no helper outlives it
                    for helper in helpers:
                        helper.cancel()
                wake.clear()
                for task in [t for t in running if t in done]:
                    delivery, sent = running.pop(task)
                    self._finish(delivery, sent, task.result())
        finally:
            self._wake = None
            for task in running:
                task.cancel()
            self.store.commit()

    async def _post(self, request: OutgoingRequest | Attempt, at: datetime) -> Attempt:
        """Send one prepared request; whatever fails is this attempt's failure, never the loop's."""
        if isinstance(request, Attempt):
            return request  # it could not even be built
        assert self.client is not None
        try:
            return await post(
                self.client,
                request,
                at=at,
                deadline=self.policy.deadline,
                max_response_bytes=self.policy.max_response_bytes,
            )
        except Exception as err:  # the fault boundary of one delivery: the others keep going
            return invalid_attempt(at, err)
