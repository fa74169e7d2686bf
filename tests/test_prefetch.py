"""Payloads made ahead in a worker process: the same payloads, in the same order, as made in-process."""

from __future__ import annotations

import concurrent.futures
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flipdish_sim.contracts.examples import example
from flipdish_sim.simulator.engine._prefetch import CHUNK, INLINE, prefetched
from flipdish_sim.simulator.scenario import PlannedEvent

T0 = datetime(2026, 1, 1, tzinfo=UTC)
USER = {"Type": "order.created", "CreateTime": "2026-01-01T00:00:00.000Z", "Body": {"OrderId": 7}}


def _plan(count: int) -> list[PlannedEvent]:
    """Generated events of two kinds, with a user-supplied payload every 50th (it passes through)."""
    out = []
    for n in range(count):
        at = T0 + timedelta(seconds=n)
        if n % 50 == 49:
            out.append(PlannedEvent(at, "order.created", USER, n, user_supplied=True))
        else:
            out.append(PlannedEvent(at, "order.created" if n % 3 else "order.accepted", None, 1000 + n))
    return out


def _effective(items: list[Any]) -> list[tuple[datetime, str, object, bool]]:
    """What the engine publishes for each item: its payload, or (None) the example it makes in-process."""
    return [
        (
            i.at,
            i.name,
            example(i.name, seed=i.seed, at=i.at) if i.payload is None else i.payload,
            i.user_supplied,
        )
        for i in items
    ]


def test_a_long_feed_gets_the_payloads_example_gives_in_order() -> None:
    plan = _plan(INLINE + 3 * CHUNK + 5)  # the in-process head, worker chunks, a short last chunk
    out = list(prefetched(iter(plan)))
    assert _effective(out) == _effective(plan)
    assert all(i.payload is not None for i in out[INLINE:]), "made ahead by the worker"


def test_a_short_feed_is_left_to_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("no worker for a short feed")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    plan = _plan(INLINE - 1)
    assert list(prefetched(plan)) == plan


def test_without_a_worker_the_payloads_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise OSError("no processes here")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refused)
    plan = _plan(INLINE + CHUNK)
    assert _effective(list(prefetched(plan))) == _effective(plan)


def test_a_worker_that_fails_leaves_the_rest_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    class Failing:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def submit(self, *args: object) -> concurrent.futures.Future[object]:
            future: concurrent.futures.Future[object] = concurrent.futures.Future()
            future.set_exception(concurrent.futures.process.BrokenProcessPool("worker died"))
            return future

        def shutdown(self, *args: object, **kwargs: object) -> None:
            pass

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Failing)
    plan = _plan(INLINE + 2 * CHUNK)
    assert _effective(list(prefetched(plan))) == _effective(plan)


def test_stopping_early_shuts_the_worker_down() -> None:
    feed = prefetched(iter(_plan(INLINE + 10 * CHUNK)))
    first = [next(feed) for _ in range(INLINE + 1)]  # the first worker chunk came back
    assert _effective(first) == _effective(_plan(INLINE + 1))
    feed.close()  # a run interrupted: the pool is shut down with its queued jobs cancelled


def test_a_worker_that_cannot_start_leaves_it_all_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    class Unstartable:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def submit(self, *args: object) -> None:
            raise TypeError("cannot pickle the worker")  # what a spawn that cannot start raises

        def shutdown(self, *args: object, **kwargs: object) -> None:
            pass

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Unstartable)
    plan = _plan(INLINE + 2 * CHUNK)
    assert _effective(list(prefetched(plan))) == _effective(plan)
