"""Payloads made ahead in a worker process: the same payloads, in the same order, as made in-process."""

from __future__ import annotations

import concurrent.futures
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flipdish_sim.contracts.examples import example
from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import Sender
from flipdish_sim.simulator.engine._payload import finished
from flipdish_sim.simulator.engine._prefetch import CHUNK, INLINE, prefetched
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.model._identity import RunIdentity
from flipdish_sim.simulator.scenario import PlannedEvent

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SECRET = "whsec_0123456789abcdef"
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


# -- finished ahead: the run's ids, the legacy envelope and the bytes made in the worker too


def _mixed_plan(count: int) -> list[PlannedEvent]:
    """Legacy and v3 events (a v3 payload has no envelope), generated."""
    names = ("order.created", "order.accepted", "sale.created.v1")
    return [PlannedEvent(T0 + timedelta(seconds=n), names[n % 3], None, 5000 + n) for n in range(count)]


@pytest.mark.parametrize("salt", ["3f9a", None])
def test_with_the_runs_identity_the_worker_finishes_what_publish_would(salt: str | None) -> None:
    identity = RunIdentity(salt)
    plan = _plan(INLINE + 2 * CHUNK)
    out = list(prefetched(iter(plan), identity))
    ahead = [i for i in out if getattr(i, "body", None) is not None]
    assert len(ahead) >= 2 * CHUNK - 4, "the worker's chunks come finished"
    for item in ahead:
        expected = finished(item.name, item.at, example(item.name, seed=item.seed, at=item.at), identity)
        assert (item.payload, item.body) == expected
        assert json.loads(item.body) == item.payload


def test_a_run_publishing_finished_items_stores_what_publishing_bare_ones_stores(tmp_path: Path) -> None:
    plan = _mixed_plan(INLINE + CHUNK + 7)
    stored = []
    for name, feed in (("bare", iter(plan)), ("ahead", prefetched(iter(plan), RunIdentity("5a1t")))):
        store = Store(tmp_path / f"{name}.db")
        try:
            sender = Sender(store, clock=VirtualClock(T0), identity=RunIdentity("5a1t"))
            sender.add_subscription(
                "https://legacy.example/hook", event_names=["order.created", "order.accepted"]
            )
            v3 = ["sale.created.v1"]
            sender.add_subscription("https://v3.example/hook", event_names=v3, family="v3", secrets=[SECRET])
            events = [sender.publish_planned(item) for item in feed]
            rows = store.query(
                "SELECT e.body, count(d.id) FROM events e JOIN deliveries d"
                " ON d.event_seq = e.seq GROUP BY e.seq ORDER BY e.seq"
            )
            stored.append(([(e.id, e.name, e.payload) for e in events], rows))
        finally:
            store.close()
    assert stored[0] == stored[1]
    assert len(stored[0][1]) == len(plan)
