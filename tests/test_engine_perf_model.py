"""The engine's cost model without timing: one transaction per group of attempts, and what a kill leaves.

The throughput of a run on the virtual clock rests on the log committing once per group of attempts sent
together (the attempts applied since, the events published since and the new attempts' in-flight marks:
group commit). The crash-safety guarantee must survive that grouping: a process that dies with attempts in
flight leaves every one of them marked, so the resumed run records each as ``interrupted`` and retries
it; nothing committed is made twice. (An in-process receiver answers each request as it is sent, so here
the groups are the pipeline's refills of ``concurrency`` slots.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from receivers import asgi_body

from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import Sender, SenderPolicy
from flipdish_sim.simulator.http._delivery import asgi_transport, make_client
from flipdish_sim.simulator.log._store import Store

T0 = datetime(2026, 1, 1, tzinfo=UTC)
URL = "http://receiver.test/webhooks"
Scope = dict[str, Any]
ENVELOPE = {"Type": "order.created", "CreateTime": "2026-01-01T00:00:00.000Z", "Body": {"OrderId": 1}}


class Died(BaseException):
    """Stands for the process dying (not an error the sender classifies)."""


class App:
    """An in-process ASGI receiver answering 200; ``die_at``: the request during which the process 'dies'."""

    def __init__(self, die_at: int | None = None) -> None:
        self.die_at = die_at
        self.bodies: list[bytes] = []

    async def __call__(
        self, scope: dict[str, Any], receive: Callable[[], Any], send: Callable[..., Any]
    ) -> None:
        body = await asgi_body(receive)
        self.bodies.append(body)
        if len(self.bodies) == self.die_at:
            raise Died
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _sender(db: Path, app: App, concurrency: int) -> Sender:
    client = make_client(transport=asgi_transport(app))
    return Sender(
        Store(db), clock=VirtualClock(T0), client=client, policy=SenderPolicy(concurrency=concurrency)
    )


def _publish(sender: Sender, count: int) -> None:
    sender.add_subscription(URL, event_names=["order.created"])
    for n in range(count):
        sender.publish("order.created", {**ENVELOPE, "Body": {"OrderId": n}}, seed=n)


@pytest.mark.parametrize(("events", "concurrency", "commits"), [(30, 10, 4), (5, 10, 2), (3, 1, 4)])
def test_the_log_commits_once_per_batch_of_attempts(
    tmp_path: Path, events: int, concurrency: int, commits: int
) -> None:
    sender = _sender(tmp_path / "log.db", App(), concurrency)
    _publish(sender, events)
    store = sender.store
    written: list[int] = []
    commit = store.commit

    def counting_commit() -> None:
        if store.staged:
            written.append(store.staged)
        commit()

    store.commit = counting_commit  # type: ignore[method-assign]
    asyncio.run(sender.run_until_idle())
    # one commit before each batch (its marks, the previous batch's attempts, the events) and one at the end
    assert len(written) == commits
    assert store.count_attempts() == events
    assert store.query("SELECT count(*) FROM deliveries WHERE state = 'acknowledged'") == [(events,)]
    store.close()


def test_a_process_dying_mid_batch_leaves_the_batch_interrupted_and_retried(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    first = App(die_at=13)  # batches of 5: the third batch is in flight when the process dies
    sender = _sender(db, first, concurrency=5)
    _publish(sender, 15)
    with pytest.raises(Died):
        asyncio.run(sender.run_until_idle())
    # the dead process never closes its log; a new one opens the same file
    again = App()
    resumed = _sender(db, again, concurrency=5)
    assert (resumed.recovery.interrupted, resumed.recovery.resumed) == (5, 5)
    asyncio.run(resumed.run_until_idle())
    rows = [(r.delivery_id, r.attempt_no, r.outcome) for r in resumed.store.attempts()]
    acknowledged = [r for r in rows if r[2] == "acknowledged"]
    interrupted = [r for r in rows if r[2] == "interrupted"]
    assert len(acknowledged) == 15, "every event acknowledged once"
    assert sorted(d for d, *_ in interrupted) == list(range(11, 16)), "exactly the batch in flight"
    assert all(no == 2 for d, no, outcome in rows if d > 10 and outcome == "acknowledged")
    assert len(again.bodies) == 5, "only the attempts in flight are made again"
    assert sorted(again.bodies) == sorted(first.bodies[10:15])
    resumed.store.close()
    sender.store.close()
