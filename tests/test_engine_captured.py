"""``Sender.publish_captured``: a captured request sent through the sender (retries, faults, the log)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_engine import Receiver

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import Sender, SenderPolicy
from flipdish_sim.simulator.http._delivery import asgi_transport, make_client
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.model import Capture
from flipdish_sim.simulator.policy._faults import DuplicatePolicy, ReorderPolicy
from flipdish_sim.simulator.wire import signature_header
from flipdish_sim.verify import verify_signature

T0 = datetime(2026, 1, 1, tzinfo=UTC)
URL = "http://receiver.test/webhooks"
# bytes no encoder of ours writes (spaces, escaped slash): re-encoding would change them
LEGACY_BODY = (
    b'{ "Type": "order.created", "CreateTime": "2026-01-01T00:00:00.000Z",\n "Body": {"FlipdishEventId":'
)
LEGACY_BODY += b' "evt-1", "Note": "a\\/b \\u00e9"} }'
V3_BODY = b'{"id": "evt-v3", "detail-type": "sale.created.v1",  "detail": {"orderId": 7}}'


def legacy_capture(body: bytes = LEGACY_BODY, cid: str = "c1") -> Capture:
    headers = (
        ("Host", "old.example"),
        ("Content-Type", "application/json"),
        ("Content-Length", "999"),
        ("X-Verify-Token", "***"),
        ("X-Custom", "kept"),
    )
    return Capture(cid, T0, "POST", "/hook?x=1", headers, body)


def v3_capture(at: datetime, secret: str | None = "old-secret-value", body: bytes = V3_BODY) -> Capture:
    signature = signature_header([secret], at, body) if secret else "t=2026-01-01T00:00:00.000Z,sha256=***"
    headers = (
        ("Content-Type", "application/json"),
        ("X-Flipdish-Event-Type", "sale.created.v1"),
        ("X-Flipdish-Timestamp", signature.split(",")[0][2:]),
        ("X-Flipdish-Signature", signature),
        ("X-Flipdish-Idempotency-Key", "evt-v3"),
    )
    return Capture("c2", at, "POST", "/hook", headers, body)


def run(sender: Sender) -> None:
    asyncio.run(sender.run_until_idle())


def make_sender(tmp_path: Path, receiver: Receiver, **policy: object) -> tuple[Sender, Store]:
    store = Store(tmp_path / "replay.db")
    clock = VirtualClock(T0)
    client = make_client(transport=asgi_transport(receiver))
    sender = Sender(
        store, clock=clock, client=client, policy=SenderPolicy(signing_time="simulated", **policy)
    )  # type: ignore[arg-type]
    return sender, store


def test_legacy_capture_goes_byte_for_byte_with_the_subscriptions_token(tmp_path: Path) -> None:
    receiver = Receiver()
    sender, store = make_sender(tmp_path, receiver)
    sub = sender.add_subscription(URL, event_names=["order.created"], verify_token="real-token-123")
    event = sender.publish_captured(legacy_capture(), to_subscription=sub.id)
    run(sender)
    assert (event.name, event.id) == ("order.created", "evt-1")
    [seen] = receiver.requests
    assert seen.content == LEGACY_BODY
    assert seen.headers["x-verify-token"] == "real-token-123"
    assert seen.headers["x-custom"] == "kept"
    assert seen.headers["host"] == "receiver.test"
    [row] = list(store.attempts())
    assert row.outcome == "acknowledged"
    assert row.request_body == LEGACY_BODY
    assert "real-token-123" not in str(row.request_headers)
    store.close()


def test_retries_follow_the_schedule_and_every_attempt_is_logged(tmp_path: Path) -> None:
    receiver = Receiver(status=lambda n: 503 if n < 3 else 200)
    sender, store = make_sender(tmp_path, receiver)
    sub = sender.add_subscription(URL, event_names=["order.created"], verify_token="real-token-123")
    sender.publish_captured(legacy_capture(), to_subscription=sub.id)
    run(sender)
    rows = list(store.attempts())
    assert [r.status_code for r in rows] == [503, 503, 200]
    assert rows[1].at > rows[0].at  # the retry schedule, in virtual time
    assert all(r.request_body == LEGACY_BODY for r in rows)
    store.close()


def test_duplicates_and_reordering_apply_to_captures(tmp_path: Path) -> None:
    receiver = Receiver()
    policy = {"duplicates": DuplicatePolicy(count=2), "reorder": ReorderPolicy(window=timedelta(seconds=30))}
    sender, store = make_sender(tmp_path, receiver, **policy)
    sub = sender.add_subscription(URL, event_names=["order.created"], verify_token="real-token-123")
    bodies = [LEGACY_BODY.replace(b"evt-1", f"evt-{n}".encode()) for n in range(8)]
    for n, body in enumerate(bodies):
        sender.publish_captured(legacy_capture(body, f"c{n}"), to_subscription=sub.id)
    run(sender)
    got = [seen.content for seen in receiver.requests]
    assert len(got) == 3 * len(bodies)
    assert set(got) == set(bodies)
    first_seen = list(dict.fromkeys(got))
    assert first_seen != bodies  # held back by seeded delays: not the captured order
    store.close()


def test_v3_resigned_verifies_with_the_subscriptions_secret(tmp_path: Path) -> None:
    receiver = Receiver()
    sender, store = make_sender(tmp_path, receiver)
    sub = sender.add_subscription(
        URL, event_names=["sale.created.v1"], family="v3", secrets=["new-secret-1234"]
    )
    old = v3_capture(T0 - timedelta(days=3))
    sender.publish_captured(old, to_subscription=sub.id, resign=True)
    run(sender)
    [seen] = receiver.requests
    assert seen.content == V3_BODY
    verify_signature(seen.headers["x-flipdish-signature"], seen.content, "new-secret-1234", now=T0)
    assert seen.headers["x-flipdish-timestamp"] == "2026-01-01T00:00:00.000Z"
    assert "sha256=***" in "".join(v for _, v in next(iter(store.attempts())).request_headers)
    store.close()


def test_v3_fresh_capture_keeps_its_signature(tmp_path: Path) -> None:
    receiver = Receiver()
    sender, store = make_sender(tmp_path, receiver)
    sub = sender.add_subscription(
        URL, event_names=["sale.created.v1"], family="v3", secrets=["other-secret-99"]
    )
    fresh = v3_capture(T0 - timedelta(seconds=30))
    sender.publish_captured(fresh, to_subscription=sub.id)
    run(sender)
    [seen] = receiver.requests
    assert seen.headers["x-flipdish-signature"] == fresh.header("X-Flipdish-Signature")
    verify_signature(seen.headers["x-flipdish-signature"], seen.content, "old-secret-value", now=T0)
    store.close()


@pytest.mark.parametrize(
    ("capture", "why"),
    [
        (v3_capture(T0 - timedelta(minutes=6)), "360 s ago, past the receiver's 300 s window: add --re-sign"),
        (v3_capture(T0, secret=None), "signature is masked"),
    ],
)
def test_v3_capture_that_cannot_verify_is_refused_before_anything_is_recorded(
    tmp_path: Path, capture: Capture, why: str
) -> None:
    receiver = Receiver()
    sender, store = make_sender(tmp_path, receiver)
    sub = sender.add_subscription(
        URL, event_names=["sale.created.v1"], family="v3", secrets=["s-secret-12345"]
    )
    with pytest.raises(UsageError, match=why):
        sender.publish_captured(capture, to_subscription=sub.id)
    assert store.count_events() == 0
    assert sender.pending == 0
    store.close()


def test_a_capture_of_the_other_family_is_refused(tmp_path: Path) -> None:
    sender, store = make_sender(tmp_path, Receiver())
    sub = sender.add_subscription(
        URL, event_names=["sale.created.v1"], family="v3", secrets=["s-secret-12345"]
    )
    with pytest.raises(UsageError, match="is a legacy delivery; subscription 1 is v3"):
        sender.publish_captured(legacy_capture(), to_subscription=sub.id)
    store.close()


def test_ordinary_publishes_are_untouched_by_captured_ones(tmp_path: Path) -> None:
    receiver = Receiver()
    sender, store = make_sender(tmp_path, receiver)
    sub = sender.add_subscription(URL, event_names=["order.created"], verify_token="real-token-123")
    sender.publish_captured(legacy_capture(), to_subscription=sub.id)
    normal = sender.publish("order.created")
    run(sender)
    assert len(receiver.requests) == 2
    assert receiver.requests[1].headers.get("x-custom") is None
    assert normal.id.encode() in receiver.requests[1].content
    store.close()


def test_on_the_wall_clock_a_serving_sender_retries_a_captured_request_over_loopback(tmp_path: Path) -> None:
    """What ``listen --mode ack`` does: a capture handed to a running sender, retried until the local
    receiver answers, every attempt in the log (wall clock compressed, real HTTP)."""
    import receivers

    from flipdish_sim.simulator.clock import WallClock

    async def go(url: str, store: Store) -> None:
        async with make_client() as client:
            sender = Sender(store, clock=WallClock(20_000.0), client=client)
            sub = sender.add_subscription(url, event_names=["order.created"], verify_token="real-token-123")
            serving = asyncio.create_task(sender.serve())
            try:
                sender.publish_captured(legacy_capture(), to_subscription=sub.id)
                for _ in range(2000):  # bounded: three attempts, the retries 5 s and 5 min apart (simulated)
                    if store.delivery_states() == ["acknowledged"]:
                        break
                    await asyncio.sleep(0.005)
            finally:
                serving.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await serving

    with receivers.sequence([502, 503]) as target, Store(tmp_path / "ack.db") as store:
        asyncio.run(go(target.url, store))
        rows = list(store.attempts())
        assert [r.status_code for r in rows] == [502, 503, 200]
        assert [r.body for r in target.requests] == [LEGACY_BODY] * 3
        assert {r.header("X-Verify-Token") for r in target.requests} == {"real-token-123"}


def test_a_resumed_log_sends_a_captured_delivery_as_captured(tmp_path: Path) -> None:
    """The sender stopped before delivering (a crash, Ctrl-C): a new sender on the log sends the captured
    headers and body, with the subscription's token; ordinary events of that log stay ordinary."""
    first, store = make_sender(tmp_path, Receiver(status=lambda n: 503))
    sub = first.add_subscription(URL, event_names=["order.created"], verify_token="real-token-123")
    first.publish_captured(legacy_capture(), to_subscription=sub.id)
    first.publish("order.created")
    asyncio.run(first.run(T0))  # one failed attempt each, then the process "stops"
    store.close()
    assert b"real-token-123" not in _meta_bytes(tmp_path / "replay.db")
    receiver = Receiver()
    resumed, store = make_sender(tmp_path, receiver)
    assert resumed.recovery.resumed == 2
    run(resumed)
    captured, ordinary = sorted(receiver.requests, key=lambda seen: seen.content != LEGACY_BODY)
    assert captured.content == LEGACY_BODY
    assert captured.headers["x-custom"] == "kept"
    assert captured.headers["x-verify-token"] == "real-token-123"
    assert "x-custom" not in ordinary.headers
    assert ordinary.headers["x-verify-token"] == "real-token-123"
    store.close()


def _meta_bytes(path: Path) -> bytes:
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as db:
        return "".join(value for (value,) in db.execute("SELECT value FROM meta")).encode()
