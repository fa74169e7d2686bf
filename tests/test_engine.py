"""The sender over time, on the virtual clock against in-process receivers, with a real SQLite log."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from receivers import asgi_body

from flipdish_sim.errors import UnknownEventError, UsageError
from flipdish_sim.simulator.clock import VirtualClock, WallClock
from flipdish_sim.simulator.engine import AttemptReport, Sender, SenderPolicy
from flipdish_sim.simulator.http._delivery import asgi_transport, make_client
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.model._identity import RunIdentity
from flipdish_sim.simulator.model._subscription import DeliveryState
from flipdish_sim.simulator.policy._disable import DisablePolicy, Observation, RollingWindow
from flipdish_sim.simulator.policy._faults import DuplicatePolicy, ReorderPolicy
from flipdish_sim.simulator.policy._retry import FLIPDISH_DEFAULT, RetryPolicy
from flipdish_sim.simulator.scenario import PlannedEvent
from flipdish_sim.verify import verify_signature

T0 = datetime(2026, 1, 1, tzinfo=UTC)
URL = "http://receiver.test/webhooks"
NO_DISABLE = DisablePolicy(enabled=False)
FIXED = RunIdentity(None)


@dataclass
class Seen:
    headers: httpx.Headers
    content: bytes


@dataclass
class Receiver:
    """An in-process ASGI receiver: answers request n with ``status(n)`` and records what it got."""

    status: Callable[[int], int] = lambda n: 200
    requests: list[Seen] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = await asgi_body(receive)
        headers = httpx.Headers([(k.decode(), v.decode()) for k, v in scope["headers"]])
        self.requests.append(Seen(headers, body))
        await send({"type": "http.response.start", "status": self.status(len(self.requests)), "headers": []})
        await send({"type": "http.response.body", "body": b""})


_OPEN_LOGS: list[Store] = []


@pytest.fixture(autouse=True)
def _close_logs() -> Iterator[None]:
    """Close every log a test opened (Python 3.13 warns about a sqlite3 connection left to the GC)."""
    yield
    while _OPEN_LOGS:
        _OPEN_LOGS.pop().close()


def _log(directory: Path) -> Store:
    store = Store(directory / "log.db")
    _OPEN_LOGS.append(store)
    return store


def _sender(tmp_path: Path, receiver: Any, identity: RunIdentity | None = None, **policy: object) -> Sender:
    store = _log(tmp_path)
    client = make_client(transport=asgi_transport(receiver))
    policy_ = SenderPolicy(**policy)  # type: ignore[arg-type]
    return Sender(store, clock=VirtualClock(T0), client=client, policy=policy_, identity=identity)


def _run(sender: Sender) -> None:
    asyncio.run(sender.run_until_idle())


def _states(sender: Sender) -> list[str]:
    return [row[0] for row in sender.store.query("SELECT state FROM deliveries ORDER BY id")]


def _attempt_times(sender: Sender) -> list[datetime]:
    return [row.at for row in sender.store.attempts()]


@pytest.fixture
def always_500() -> Receiver:
    return Receiver(lambda n: 500)


def test_a_failing_webhook_follows_the_retry_schedule_then_expires(
    tmp_path: Path, always_500: Receiver
) -> None:
    sender = _sender(tmp_path, always_500, disable=NO_DISABLE)
    sender.add_subscription(URL, event_names=["order.created"], verify_token="tok-0123456789")
    sender.publish("order.created", seed=1)
    _run(sender)
    assert _attempt_times(sender) == list(FLIPDISH_DEFAULT.schedule(T0))
    assert _attempt_times(sender)[-1] - T0 <= timedelta(hours=24)
    assert _states(sender) == ["expired"]
    assert len(always_500.requests) == FLIPDISH_DEFAULT.attempts


def test_retries_stop_at_the_first_2xx(tmp_path: Path) -> None:
    receiver = Receiver(lambda n: 503 if n <= 2 else 204)
    sender = _sender(tmp_path, receiver)
    sender.add_subscription(URL, event_names=["order.created"])
    sender.publish("order.created")
    _run(sender)
    rows = list(sender.store.attempts())
    assert [(r.attempt_no, r.outcome, r.status_code) for r in rows] == [
        (1, "http-error", 503),
        (2, "http-error", 503),
        (3, "acknowledged", 204),
    ]
    assert _states(sender) == ["acknowledged"]


def test_a_custom_schedule_is_followed_on_the_virtual_clock(tmp_path: Path, always_500: Receiver) -> None:
    retry = RetryPolicy.from_offsets(
        [timedelta(seconds=10), timedelta(minutes=1)], window=timedelta(minutes=5)
    )
    sender = _sender(tmp_path, always_500, retry=retry, disable=NO_DISABLE)
    sender.add_subscription(URL, event_names=["order.created"])
    sender.publish("order.created")
    _run(sender)
    assert [t - T0 for t in _attempt_times(sender)] == [
        timedelta(0),
        timedelta(seconds=10),
        timedelta(minutes=1),
    ]


def test_the_legacy_request_is_the_envelope_with_the_verify_token(tmp_path: Path) -> None:
    receiver = Receiver()
    sender = _sender(tmp_path, receiver)
    sender.add_subscription(URL, event_names=["order.created"], verify_token="tok-0123456789")
    event = sender.publish("order.created", seed=3)
    _run(sender)
    (request,) = receiver.requests
    body = json.loads(request.content)
    assert set(body) == {"Type", "CreateTime", "Body"}
    assert body["Body"]["FlipdishEventId"] == event.id
    assert request.headers["X-Verify-Token"] == "tok-0123456789"
    stored = next(iter(sender.store.attempts()))
    assert ("X-Verify-Token", "***") in stored.request_headers
    assert stored.request_body == request.content


def test_a_v3_request_is_signed_over_the_bytes_sent(tmp_path: Path) -> None:
    receiver = Receiver(lambda n: 500 if n == 1 else 200)
    sender = _sender(tmp_path, receiver, signing_time="simulated")
    sender.add_subscription(
        URL, family="v3", event_names=["sale.created.v1"], secrets=["whsec_0123456789abcdef"]
    )
    sender.publish("sale.created.v1")
    _run(sender)
    assert len(receiver.requests) == 2
    stamps = set()
    for request in receiver.requests:
        timestamp = request.headers["X-Flipdish-Timestamp"]
        stamps.add(timestamp)
        now = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        verify_signature(
            request.headers["X-Flipdish-Signature"], request.content, "whsec_0123456789abcdef", now=now
        )
    assert len(stamps) == 2, "each attempt is stamped and signed at its own time"
    logged = " ".join(v for row in sender.store.attempts() for _, v in row.request_headers)
    assert "sha256=***" in logged


def test_v3_is_signed_with_real_time_while_the_virtual_clock_runs_ahead(tmp_path: Path) -> None:
    """A live receiver checks the timestamp against its own clock, as it would Flipdish's."""
    receiver = Receiver(lambda n: 500 if n < 3 else 200)
    sender = _sender(tmp_path, receiver)  # the virtual clock starts at T0 and jumps over the retries
    sender.add_subscription(URL, family="v3", event_names=["sale.created.v1"], secrets=["whsec_live"])
    sender.publish("sale.created.v1")
    _run(sender)
    assert len(receiver.requests) == 3
    for request in receiver.requests:  # verified against the real now, the default tolerance of 5 min
        verify_signature(request.headers["X-Flipdish-Signature"], request.content, "whsec_live")
    assert [row.at - T0 for row in sender.store.attempts()][-1] >= timedelta(minutes=5), "log: virtual"


def test_duplicates_are_deliveries_of_the_same_event_marked_in_the_log(tmp_path: Path) -> None:
    receiver = Receiver()
    sender = _sender(
        tmp_path, receiver, duplicates=DuplicatePolicy(count=2, mode="delayed", delay=timedelta(minutes=1))
    )
    sender.add_subscription(URL, event_names=["order.created"])
    sender.publish("order.created", seed=9)
    _run(sender)
    assert len({r.content for r in receiver.requests}) == 1, "same body"
    rows = list(sender.store.attempts())
    assert len({r.event_id for r in rows}) == 1, "same event id"
    assert len({r.webhook_id for r in rows}) == 3, "one FlipdishWebhookId per delivery"
    assert [r.duplicate_of is not None for r in rows] == [False, True, True]
    assert [r.at - T0 for r in rows] == [timedelta(0), timedelta(minutes=1), timedelta(minutes=2)]


def test_after_ack_duplicates_follow_the_acknowledgement(tmp_path: Path) -> None:
    receiver = Receiver(lambda n: 500 if n == 1 else 200)
    duplicates = DuplicatePolicy(count=1, mode="after-ack", delay=timedelta(seconds=30))
    sender = _sender(tmp_path, receiver, duplicates=duplicates)
    sender.add_subscription(URL, event_names=["order.created"])
    sender.publish("order.created")
    _run(sender)
    rows = list(sender.store.attempts())
    assert [(r.outcome, r.duplicate_of is not None) for r in rows] == [
        ("http-error", False),
        ("acknowledged", False),
        ("acknowledged", True),
    ]
    assert rows[2].at - rows[1].at == timedelta(seconds=30)


def test_reordering_delays_events_within_the_window(tmp_path: Path) -> None:
    receiver = Receiver()
    sender = _sender(tmp_path, receiver, reorder=ReorderPolicy(window=timedelta(minutes=10), seed=4))
    sender.add_subscription(URL, event_names=["order.created"])
    published = [sender.publish("order.created", seed=n, at=T0 + timedelta(seconds=n)).id for n in range(8)]
    _run(sender)
    delivered = [json.loads(r.content)["Body"]["FlipdishEventId"] for r in receiver.requests]
    assert sorted(delivered) == sorted(published)
    assert delivered != published
    assert all(at - T0 <= timedelta(minutes=10, seconds=8) for at in _attempt_times(sender))


def _disabling_sender(tmp_path: Path, receiver: Receiver, **policy: object) -> Sender:
    retry = RetryPolicy.from_offsets([timedelta(hours=1)], window=timedelta(hours=24))
    return _sender(tmp_path, receiver, retry=retry, disable=DisablePolicy(min_sample=4), **policy)


def test_disabled_when_over_half_fail_with_the_minimum_sample(tmp_path: Path, always_500: Receiver) -> None:
    sender = _disabling_sender(tmp_path, always_500)
    sub = sender.add_subscription(URL, event_names=["order.created"])
    for n in range(3):
        sender.publish("order.created", at=T0 + timedelta(minutes=n))
    asyncio.run(sender.run(T0 + timedelta(minutes=30)))
    assert sender.subscription(sub.id).enabled, "3 failures are below the minimum sample of 4"
    sender.publish("order.created", at=T0 + timedelta(minutes=30))
    _run(sender)
    disabled = sender.subscription(sub.id)
    assert not disabled.enabled
    assert disabled.disabled is not None
    assert (disabled.disabled.failures, disabled.disabled.sample) == (4, 4)
    assert disabled.disabled.at == T0 + timedelta(minutes=30)
    assert len(always_500.requests) == 4, "nothing is delivered while disabled: the retries are suspended"
    assert _states(sender) == ["suspended"] * 4
    assert not sender.store.subscription(sub.id).enabled


def test_half_failing_is_not_over_half(tmp_path: Path) -> None:
    sender = _disabling_sender(tmp_path, Receiver(lambda n: 500 if n % 2 else 200))
    sub = sender.add_subscription(URL, event_names=["order.created"])
    for n in range(4):
        sender.publish("order.created", at=T0 + timedelta(minutes=n))
    asyncio.run(sender.run(T0 + timedelta(minutes=10)))
    assert sender.subscription(sub.id).enabled


@pytest.mark.parametrize(("on_disabled", "state"), [("drop", "dropped"), ("hold", "suspended")])
def test_new_events_for_a_disabled_subscription(tmp_path: Path, on_disabled: str, state: str) -> None:
    receiver = Receiver()
    sender = _sender(tmp_path, receiver, on_disabled=on_disabled)
    sub = sender.add_subscription(URL, event_names=["order.created"])
    sender.disable(sub.id, "maintenance")
    sender.publish("order.created")
    _run(sender)
    assert receiver.requests == []
    assert _states(sender) == [state]
    sender.enable(sub.id)
    _run(sender)
    assert len(receiver.requests) == (1 if on_disabled == "hold" else 0)


def test_re_enabling_resumes_retries_inside_their_window(tmp_path: Path) -> None:
    down = True
    receiver = Receiver(lambda n: 500 if down else 200)
    sender = _disabling_sender(tmp_path, receiver)
    sub = sender.add_subscription(URL, event_names=["order.created"])
    for n in range(4):
        sender.publish("order.created", at=T0 + timedelta(minutes=n))
    _run(sender)
    assert not sender.subscription(sub.id).enabled
    down = False
    clock = sender.clock
    assert isinstance(clock, VirtualClock)
    clock.move_to(T0 + timedelta(hours=2))
    sender.enable(sub.id)
    _run(sender)
    assert _states(sender) == ["acknowledged"] * 4
    assert all(r.at == T0 + timedelta(hours=2) for r in list(sender.store.attempts())[4:])
    assert sender.subscription(sub.id).enabled


def test_re_enabling_after_the_window_expires_the_suspended(tmp_path: Path, always_500: Receiver) -> None:
    sender = _disabling_sender(tmp_path, always_500)
    sub = sender.add_subscription(URL, event_names=["order.created"])
    for n in range(4):
        sender.publish("order.created", at=T0 + timedelta(minutes=n))
    _run(sender)
    clock = sender.clock
    assert isinstance(clock, VirtualClock)
    clock.move_to(T0 + timedelta(hours=30))
    sender.enable(sub.id)
    _run(sender)
    assert _states(sender) == ["expired"] * 4
    assert len(always_500.requests) == 4


def test_the_same_seed_gives_the_same_log_with_fixed_ids(tmp_path: Path) -> None:
    """Behaviour change: ids are unique per sender by default; RunIdentity(None) is the seeded rerun."""

    def log(directory: Path, identity: RunIdentity | None = FIXED) -> list[tuple[object, ...]]:
        directory.mkdir()
        sender = _sender(directory, Receiver(lambda n: 500 if n % 3 else 200), identity=identity)
        sender.add_subscription(URL, event_names=["order.created", "order.accepted"])
        for n in range(5):
            sender.publish("order.created" if n % 2 else "order.accepted", at=T0 + timedelta(minutes=n))
        _run(sender)
        return [(r.webhook_id, r.event_id, r.at, r.outcome, r.request_body) for r in sender.store.attempts()]

    assert log(tmp_path / "a") == log(tmp_path / "b")
    fresh_c, fresh_d = log(tmp_path / "c", None), log(tmp_path / "d", None)
    assert {r[1] for r in fresh_c}.isdisjoint({r[1] for r in fresh_d}), "event ids unique per run"


def test_attempts_due_together_run_concurrently_and_are_recorded_in_order(tmp_path: Path) -> None:
    in_flight = 0
    peak = 0

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await receive()
        await asyncio.sleep(0)
        in_flight -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    store = _log(tmp_path)
    client = make_client(transport=asgi_transport(app))
    sender = Sender(store, clock=VirtualClock(T0), client=client, policy=SenderPolicy(concurrency=4))
    sender.add_subscription(URL, event_names=["order.created"])
    ids = [sender.publish("order.created", seed=n).id for n in range(6)]
    _run(sender)
    assert peak == 4
    assert [r.event_id for r in store.attempts()] == ids


def test_a_slow_answer_does_not_stall_the_other_slots(tmp_path: Path) -> None:
    """The receiver holds the first request until it has answered 12 others: with a batch barrier the
    sender would wait for it (until the 2 s deadline); the pipeline keeps the other slots busy, and still
    records the attempts in the order they went out."""
    answered = 0
    released = asyncio.Event()
    held_outcome: list[int] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal answered
        await receive()
        first = not held_outcome
        if first:
            held_outcome.append(0)
            await released.wait()
            held_outcome[0] = answered  # how many others were answered while this one was held
        answered += 1
        if answered == 12:
            released.set()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    store = _log(tmp_path)
    client = make_client(transport=asgi_transport(app))
    policy = SenderPolicy(concurrency=4, deadline=2.0, disable=NO_DISABLE)
    sender = Sender(store, clock=VirtualClock(T0), client=client, policy=policy)
    sender.add_subscription(URL, event_names=["order.created"])
    ids = [sender.publish("order.created", seed=n).id for n in range(20)]
    _run(sender)
    assert held_outcome == [12]
    assert [r.event_id for r in store.attempts()] == ids, "applied in the order they were sent"
    assert [r.outcome for r in store.attempts()] == ["acknowledged"] * 20  # the held one too: no timeout
    assert _states(sender) == ["acknowledged"] * 20


def test_hooks_see_every_attempt(tmp_path: Path) -> None:
    reports: list[AttemptReport] = []
    sender = _sender(tmp_path, Receiver(lambda n: 500 if n == 1 else 200))
    sender.on_attempt.append(reports.append)
    sender.add_subscription(URL, event_names=["order.created"])
    sender.publish("order.created")
    _run(sender)
    assert [(r.attempt_no, r.state, r.offset) for r in reports] == [
        (1, DeliveryState.PENDING, timedelta(0)),
        (2, DeliveryState.ACKNOWLEDGED, FLIPDISH_DEFAULT.offsets[0]),
    ]


def test_a_feed_is_published_on_time(tmp_path: Path) -> None:
    sender = _sender(tmp_path, Receiver())
    sender.add_subscription(URL, event_names=["order.created"])
    feed: Iterator[PlannedEvent] = iter(
        PlannedEvent(T0 + timedelta(hours=n), "order.created", None, n) for n in range(3)
    )
    asyncio.run(sender.run_until_idle(feed))
    assert _attempt_times(sender) == [T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2)]


def test_run_until_stops_at_the_time_given(tmp_path: Path, always_500: Receiver) -> None:
    sender = _sender(tmp_path, always_500, disable=NO_DISABLE)
    sender.add_subscription(URL, event_names=["order.created"])
    sender.publish("order.created")
    asyncio.run(sender.run(T0 + timedelta(hours=1)))
    assert len(always_500.requests) == 4  # 0, 5 s, 5 min 5 s, 35 min 5 s
    assert sender.clock.now() == T0 + timedelta(hours=1)
    assert sender.pending == 1


def test_a_crashed_attempt_is_recorded_as_interrupted_and_retried(tmp_path: Path) -> None:
    sender = _sender(tmp_path, Receiver())
    sender.add_subscription(URL, event_names=["order.created"], verify_token="tok-0123456789")
    sender.publish("order.created")
    (delivery,) = [d for d, _ in sender.store.open_deliveries()]
    sender.store.mark_in_flight([delivery], T0)  # the process dies here, mid-attempt
    sender.store.close()
    receiver = Receiver()
    resumed = _sender(tmp_path, receiver)
    assert (resumed.recovery.interrupted, resumed.recovery.resumed) == (1, 1)
    _run(resumed)
    rows = list(resumed.store.attempts())
    assert [(r.attempt_no, r.outcome) for r in rows] == [(1, "interrupted"), (2, "acknowledged")]
    assert len(receiver.requests) == 1
    assert receiver.requests[0].content == delivery.body, "the resumed attempt sends the same bytes"
    assert receiver.requests[0].headers["X-Verify-Token"] == "tok-0123456789"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"event_names": ["order.creatd"]}, UnknownEventError),
        ({"event_names": ["sale.created.v1"]}, UsageError),
        ({"event_names": ["sale.created.v1"], "family": "v3"}, UsageError),
    ],
)
def test_bad_subscriptions_are_refused_before_writing(
    tmp_path: Path, kwargs: dict[str, object], error: type
) -> None:
    sender = _sender(tmp_path, Receiver())
    with pytest.raises(error):
        sender.add_subscription(URL, **kwargs)  # type: ignore[arg-type]
    assert sender.store.subscriptions() == []


def test_a_subscription_without_event_names_receives_nothing(tmp_path: Path) -> None:
    """Flipdish's API creates a subscription first and adds its event names one by one."""
    receiver = Receiver()
    sender = _sender(tmp_path, receiver)
    sub = sender.add_subscription(URL, event_names=[])
    sender.publish("order.created")
    _run(sender)
    assert receiver.requests == []
    sender.update_subscription(sub.id, event_names=["order.created"])
    sender.publish("order.created")
    _run(sender)
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("url", ["not a url", "ftp://x/y", "http://", "http://127.0.0.1:99999/hook"])
def test_an_invalid_url_is_refused(tmp_path: Path, url: str) -> None:
    sender = _sender(tmp_path, Receiver())
    with pytest.raises(UsageError, match="invalid callback URL"):
        sender.add_subscription(url, event_names=["order.created"])


def test_updating_a_subscription_changes_later_attempts(tmp_path: Path) -> None:
    receiver = Receiver()
    sender = _sender(tmp_path, receiver)
    sub = sender.add_subscription(URL, event_names=["order.created"], verify_token="old-token-0123")
    sender.update_subscription(
        sub.id, verify_token="new-token-4567", event_names=["order.created", "order.accepted"]
    )
    sender.publish("order.accepted")
    _run(sender)
    assert receiver.requests[0].headers["X-Verify-Token"] == "new-token-4567"
    assert sender.store.subscription(sub.id).event_names == ("order.created", "order.accepted")


def _window_decisions(steps: list[tuple[int, bool]], policy: DisablePolicy) -> tuple[list[bool], list[bool]]:
    window = RollingWindow(policy)
    history: list[Observation] = []
    at = T0
    compact, reference = [], []
    for gap, ok in steps:
        at += timedelta(seconds=gap)
        history.append(Observation(at, ok))
        compact.append(window.add(at, ok) is not None)
        reference.append(policy.evaluate(history, at).disable)
    return compact, reference


@given(st.lists(st.tuples(st.integers(0, 3 * 3600), st.booleans()), max_size=60))
def test_the_compact_window_decides_like_the_reference_rule(steps: list[tuple[int, bool]]) -> None:
    policy = DisablePolicy(window=timedelta(hours=6), min_sample=3)
    compact, reference = _window_decisions(steps, policy)
    assert compact == reference


@pytest.mark.parametrize(
    "steps",
    [
        [(0, False), (0, False), (0, True), (0, False)],  # 3 of 4 failed: disabled at the 4th
        [(0, False), (6 * 3600, False), (0, True)],  # the first failure left the window exactly at 6 h
        [(0, True), (1, False), (1, False), (1, True)],
    ],
)
def test_the_compact_window_regressions(steps: list[tuple[int, bool]]) -> None:
    policy = DisablePolicy(window=timedelta(hours=6), min_sample=3)
    compact, reference = _window_decisions(steps, policy)
    assert compact == reference


def test_serve_on_the_wall_clock_delivers_what_is_published_meanwhile(tmp_path: Path) -> None:
    receiver = Receiver(lambda n: 500 if n == 1 else 200)
    store = _log(tmp_path)
    client = make_client(transport=asgi_transport(receiver))
    sender = Sender(store, clock=WallClock(time_scale=1e6), client=client)  # 5 s retry = 5 real microseconds
    sender.add_subscription(URL, event_names=["order.created"])
    done = asyncio.Event()
    sender.on_attempt.append(
        lambda report: done.set() if report.state is DeliveryState.ACKNOWLEDGED else None
    )

    async def scenario() -> None:
        serving = asyncio.create_task(sender.serve())
        await asyncio.sleep(0)
        sender.publish("order.created")  # wakes the idle server
        await asyncio.wait_for(done.wait(), timeout=30)
        serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await serving
        await asyncio.sleep(0)  # let cancelled tasks finish
        left = asyncio.all_tasks() - {asyncio.current_task()}
        assert left == set(), "a cancelled sender leaves no wait helper behind"

    asyncio.run(scenario())
    assert [r.outcome for r in store.attempts()] == ["http-error", "acknowledged"]


def test_an_attempt_finishing_after_a_disable_is_suspended_not_retried(tmp_path: Path) -> None:
    receiver = Receiver(lambda n: 500)
    sender = _sender(tmp_path, receiver, disable=NO_DISABLE, concurrency=2)
    sub = sender.add_subscription(URL, event_names=["order.created"])
    sender.on_attempt.append(
        lambda report: sender.disable(sub.id, "operator") if report.attempt_no == 1 else None
    )
    sender.publish("order.created", seed=1)
    sender.publish("order.created", seed=2)  # both due at once: sent together, results applied in order
    _run(sender)
    assert len(receiver.requests) == 2
    assert _states(sender) == ["suspended", "suspended"]


@pytest.mark.parametrize(("fresh", "attempts_before_disabled_again"), [(True, 4), (False, 1)])
def test_the_failure_window_after_a_re_enable(
    tmp_path: Path, fresh: bool, attempts_before_disabled_again: int
) -> None:
    receiver = Receiver(lambda n: 500)
    sender = _disabling_sender(tmp_path, receiver, fresh_window_on_enable=fresh)
    sub = sender.add_subscription(URL, event_names=["order.created"])
    for n in range(4):
        sender.publish("order.created", at=T0 + timedelta(minutes=n))
    _run(sender)
    assert not sender.subscription(sub.id).enabled
    sender.enable(sub.id)
    for n in range(4):
        sender.publish("order.created", at=T0 + timedelta(minutes=10 + n))
    _run(sender)
    assert not sender.subscription(sub.id).enabled
    assert len(receiver.requests) == 4 + attempts_before_disabled_again
