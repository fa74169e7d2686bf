"""Payloads generated ahead of the send loop, in a worker process: the run's other core makes the examples.

``flipdish-sim run`` spends about a third of its time making realistic example payloads (a profile of
10,000 ``order.created``: ``contracts.examples.example`` ~28 %). :func:`prefetched` wraps a feed of planned
events: a feed of at least :data:`INLINE` events gets one worker process (``spawn``: it inherits no file,
lock or connection of this process) that makes the examples of the next :data:`AHEAD` chunks while the
engine publishes and sends. The items come out in the feed's order, each with the payload
``example(name, seed=seed, at=at)`` gives in-process: the same bytes for the same seed. Given the run's
:class:`~flipdish_sim.simulator.model.RunIdentity`, the worker also does what publishing would do next
(``engine._payload.finished``: this run's ids, the legacy envelope, the JSON bytes), so the engine's
loop only stores and sends them; the result is the same as publishing the bare item in-process. Items
that carry a payload pass through unchanged.

A short feed is generated in-process (a worker's start-up would cost more than it saves); the first
:data:`INLINE` events of a long one too, while the worker starts. A worker that cannot start or dies is
not fatal: the rest is generated in-process, as before.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from flipdish_sim.simulator.engine._feed import Publishable
from flipdish_sim.simulator.model._identity import RunIdentity

__all__ = ["AHEAD", "CHUNK", "INLINE", "prefetched"]

INLINE = 256
"""Feeds shorter than this are generated in-process; so are the first events of a longer one."""
CHUNK = 64
"""Events per job sent to the worker."""
AHEAD = 4
"""Jobs in flight at once: at most ``INLINE + AHEAD * CHUNK`` payloads wait in memory."""


@dataclass(frozen=True, slots=True)
class Generated:
    """A planned event with the example payload made for it (published as a generated payload)."""

    at: datetime
    name: str
    payload: Mapping[str, object]
    seed: int
    user_supplied: bool = False
    body: bytes | None = None
    """Set: ``payload`` is as published, with this run's ids, and these are its bytes."""


Job = list[tuple[str, int, datetime]]
Made = list[tuple[Mapping[str, object], bytes | None]]


def generate(job: Job, identity: RunIdentity | None = None) -> Made:
    """The worker's task (also the in-process fallback): one example per (name, seed, at), finished for
    the run of ``identity``, or left bare for the engine to finish (None)."""
    from flipdish_sim.contracts.examples import example
    from flipdish_sim.simulator.engine._payload import finished

    if identity is None:
        return [(example(name, seed=seed, at=at), None) for name, seed, at in job]
    return [finished(name, at, example(name, seed=seed, at=at), identity) for name, seed, at in job]


def _worker_start(parent: int) -> None:
    """In the worker: hold none of the run's output (a caller reading it to the end must not wait for the
    worker), and exit as soon as the run's process is gone (even killed with -9: a pool's worker would
    otherwise wait for work forever)."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.1)
        os._exit(0)

    threading.Thread(target=watch, name="flipdish-sim-parent-watch", daemon=True).start()


def _job(chunk: list[Publishable]) -> Job:
    return [(item.name, item.seed, item.at) for item in chunk if item.payload is None]


def _merge(chunk: list[Publishable], payloads: Made) -> Iterator[Publishable]:
    made = iter(payloads)
    for item in chunk:
        if item.payload is None:
            payload, body = next(made)
            yield Generated(item.at, item.name, payload, item.seed, body=body)
        else:
            yield item


def prefetched(feed: Iterable[Publishable], identity: RunIdentity | None = None) -> Iterator[Publishable]:
    """``feed`` in order, its examples made ahead in a worker process (see the module docstring), and
    finished for the run of ``identity`` when it is given."""
    items = iter(feed)
    head = list(itertools.islice(items, INLINE))
    if len(head) < INLINE:
        yield from head
        return
    try:
        pool = concurrent.futures.ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_start,
            initargs=(os.getpid(),),
        )
    except (OSError, ValueError):  # no process can be started here: generate in-process
        yield from head
        yield from items
        return
    waiting: deque[tuple[list[Publishable], concurrent.futures.Future[Made] | None]]
    waiting = deque()
    broken = False

    def submit() -> None:
        nonlocal broken
        chunk = list(itertools.islice(items, CHUNK))
        if chunk:
            job = _job(chunk)
            future = None
            if job and not broken:
                try:
                    future = pool.submit(generate, job, identity)
                except Exception:  # the pool broke, or the worker could not be started: in-process
                    broken = True
            waiting.append((chunk, future))

    try:
        for _ in range(AHEAD):
            submit()
        yield from head  # published while the worker starts and makes the next chunks
        while waiting:
            chunk, future = waiting.popleft()
            submit()
            job = _job(chunk)
            payloads: Made | None = None
            if future is not None:
                try:
                    payloads = future.result()
                except Exception:  # the worker died or failed: this chunk (and the rest) in-process
                    broken = True
            if payloads is None:
                payloads = generate(job, identity) if job else []
            yield from _merge(chunk, payloads)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
