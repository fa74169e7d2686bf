"""Manual resends through the sender: a new delivery of the same body, logged as a resend, with retries."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_engine import Receiver

from flipdish_sim.errors import StoreError
from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import Sender
from flipdish_sim.simulator.engine._resend import DisabledSubscriptionError
from flipdish_sim.simulator.http._delivery import asgi_transport, make_client
from flipdish_sim.simulator.log._export import webhook_logs
from flipdish_sim.simulator.log._store import SCHEMA_VERSION, Store
from flipdish_sim.verify import verify_signature

T0 = datetime(2026, 1, 1, tzinfo=UTC)
URL = "http://receiver.test/webhooks"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "log.db") as log:
        yield log


def _sender(store: Store, receiver: Receiver) -> Sender:
    return Sender(store, clock=VirtualClock(T0), client=make_client(transport=asgi_transport(receiver)))


def test_a_resend_is_a_new_delivery_of_the_same_body_logged_as_a_manual_resend(store: Store) -> None:
    receiver = Receiver()
    clock = VirtualClock(T0)
    sender = Sender(store, clock=clock, client=make_client(transport=asgi_transport(receiver)))
    sender.add_subscription(URL, event_names=["order.created"], verify_token="tok-123456")
    sender.publish("order.created", seed=3)
    asyncio.run(sender.run_until_idle())
    (first,) = store.attempts()
    clock.tick(timedelta(hours=2))

    copy = sender.resend(first.delivery_id)
    asyncio.run(sender.run_until_idle())

    assert [r.content for r in receiver.requests] == [receiver.requests[0].content] * 2  # same bytes
    original, resent = store.attempts()
    assert resent.delivery_id == copy.id != original.delivery_id
    assert resent.resend_of == original.delivery_id
    assert original.resend_of is None
    assert resent.event_id == original.event_id
    assert resent.webhook_id != original.webhook_id  # a delivery of its own
    assert resent.at == T0 + timedelta(hours=2)  # due at once
    assert resent.duplicate_of is None  # not an injected duplicate
    (_, exported) = list(webhook_logs(store))
    assert exported["FlipdishSim"]["resend_of"] == original.delivery_id  # type: ignore[index]


def test_a_resend_is_retried_on_the_sender_s_schedule(store: Store) -> None:
    receiver = Receiver(lambda n: 200 if n in (1, 3) else 500)
    sender = _sender(store, receiver)
    sender.add_subscription(URL, event_names=["order.created"])
    sender.publish("order.created", seed=3)
    asyncio.run(sender.run_until_idle())
    delivery = next(iter(store.attempts())).delivery_id
    sender.resend(delivery)
    asyncio.run(sender.run_until_idle())
    resent = [r for r in store.attempts() if r.resend_of == delivery]
    assert [(r.attempt_no, r.outcome) for r in resent] == [(1, "http-error"), (2, "acknowledged")]


def test_a_v3_resend_is_signed_afresh(store: Store) -> None:
    receiver = Receiver()
    sender = _sender(store, receiver)
    secret = "whsec_live"
    sender.add_subscription(URL, event_names=["sale.created.v1"], family="v3", secrets=[secret])
    sender.publish("sale.created.v1", seed=1)
    asyncio.run(sender.run_until_idle())
    sender.resend(next(iter(store.attempts())).delivery_id)
    asyncio.run(sender.run_until_idle())
    assert len(receiver.requests) == 2
    for seen in receiver.requests:  # signed at each attempt: both verify against the real now
        verify_signature(seen.headers["X-Flipdish-Signature"], seen.content, secret)
    assert receiver.requests[0].content == receiver.requests[1].content


def test_a_disabled_webhook_refuses_a_resend_and_an_unknown_delivery_is_an_error(store: Store) -> None:
    sender = _sender(store, Receiver())
    sub = sender.add_subscription(URL, event_names=["order.created"])
    sender.publish("order.created", seed=3)
    asyncio.run(sender.run_until_idle())
    delivery = next(iter(store.attempts())).delivery_id
    sender.disable(sub.id)
    with pytest.raises(DisabledSubscriptionError, match="re-enable it"):
        sender.resend(delivery)
    with pytest.raises(StoreError, match="no delivery 99"):
        sender.resend(99)
    assert store.count_attempts() == 1


def test_a_version_2_log_gains_the_resend_column_on_open(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    with Store(path) as log:
        sender = _sender(log, Receiver())
        sender.add_subscription(URL, event_names=["order.created"])
        sender.publish("order.created", seed=3)
        asyncio.run(sender.run_until_idle())
    with closing(sqlite3.connect(path)) as db:
        db.execute("ALTER TABLE deliveries DROP COLUMN resend_of")
        db.execute("PRAGMA user_version = 2")
        db.commit()
    with Store(path) as log:
        (row,) = log.attempts()
        assert row.resend_of is None
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
