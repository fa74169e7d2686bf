"""One subscription's bad data never stops the sender: its attempts fail as ``invalid-request``, the others
keep receiving, and a dead background loop shows in ``/_sim/health`` and on the dashboard.

Real HTTP on 127.0.0.1 through the real transport (aiohttp underneath httpx). A resolver maps every host
name to 127.0.0.1, so arbitrary host names never leave the machine.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp.abc
import httpx
import pytest
import receivers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flipdish_sim.errors import FlipdishSimError
from flipdish_sim.simulator.clock import VirtualClock, WallClock
from flipdish_sim.simulator.engine import Sender, SenderPolicy
from flipdish_sim.simulator.http._delivery import make_client
from flipdish_sim.simulator.http._transport import AiohttpDeliveryTransport
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.policy._disable import DisablePolicy
from flipdish_sim.simulator.policy._retry import RetryPolicy
from flipdish_sim.simulator.server.app import create_app
from flipdish_sim.simulator.server.backend import Backend
from flipdish_sim.simulator.server.runner import ServerThread

T0 = datetime(2026, 1, 1, tzinfo=UTC)
TOKEN = "isolation-api-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TWO_TRIES = RetryPolicy((timedelta(seconds=5),), window=timedelta(minutes=1))
POLICY = SenderPolicy(retry=TWO_TRIES, disable=DisablePolicy(enabled=False))


class LoopbackResolver(aiohttp.abc.AbstractResolver):
    """Every host name resolves to 127.0.0.1: tests talk to loopback only, whatever the URL says. The name
    is encoded first as ``socket.getaddrinfo`` encodes it (IDNA), so a name the system refuses fails here."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[aiohttp.abc.ResolveResult]:
        host.encode("idna")  # what the system resolver does before any lookup (UnicodeError if refused)
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


def loopback_client() -> httpx.AsyncClient:
    return make_client(transport=AiohttpDeliveryTransport(resolver=LoopbackResolver()))


def _bad(port: int) -> dict[str, tuple[str, str | None]]:
    """name -> (callback URL, verify token): each reached main accepted and then killed the sender."""
    return {
        "cafe-token": (f"http://127.0.0.1:{port}/bad", "café"),
        "crlf-token": (f"http://127.0.0.1:{port}/bad", "tok\r\nX-Injected: 1"),
        "userinfo-url": (f"http://user:pass@127.0.0.1:{port}/bad", None),
        "long-host-label": (f"http://{'a' * 64}.test:{port}/bad", None),
    }


BAD = list(_bad(0))


def _plant(store: Store, url: str, token: str | None) -> int:
    """Write a subscription straight into the log, as a version before the subscription rule did: the
    rule refuses these values at every entry point now, so only an older log can still hold them."""
    return store.add_subscription(
        callback_url=url, family="legacy", event_names=("order.created",), created_at=T0, verify_token=token
    ).id


@pytest.fixture(scope="module")
def receiver() -> Iterator[receivers.Receiver]:
    with receivers.ok(200) as running:
        yield running


def _good_url(receiver: receivers.Receiver) -> str:
    return f"http://127.0.0.1:{receiver.port}/good"


def _outcomes(store: Store, sub_id: int) -> list[str]:
    return [a.outcome for a in store.attempts(subscription_id=sub_id)]


@pytest.mark.parametrize("bad", BAD)
def test_a_bad_subscription_fails_alone_through_the_engine(
    tmp_path: Path, receiver: receivers.Receiver, bad: str
) -> None:
    url, token = _bad(receiver.port)[bad]
    receiver.requests.clear()

    async def go(store: Store) -> Sender:
        async with loopback_client() as client:
            sender = Sender(store, clock=VirtualClock(T0), client=client, policy=POLICY)
            good = sender.add_subscription(_good_url(receiver), event_names=["order.created"])
            for seed in range(3):
                sender.publish("order.created", seed=seed)
            await sender.run_until_idle()  # all three due together: one batch holds both subscriptions
            assert good.id == 2
            return sender

    with Store(tmp_path / "log.db") as store:
        assert _plant(store, url, token) == 1
        asyncio.run(go(store))
        assert _outcomes(store, 2) == ["acknowledged"] * 3  # received AND logged
        assert _outcomes(store, 1) == ["invalid-request"] * 6  # two tries each, then expired
        errors = {a.error for a in store.attempts(subscription_id=1)}
        states = {row[0] for row in store.query("SELECT state FROM deliveries WHERE subscription_id = 1")}
    assert states == {"expired"}
    assert all(e and e.startswith("invalid request:") and "café" not in e for e in errors)
    assert [r.path for r in receiver.requests] == ["/good"] * 3


@pytest.mark.parametrize("bad", BAD)
def test_a_log_holding_a_bad_subscription_keeps_serving_the_good_one(
    tmp_path: Path, receiver: receivers.Receiver, bad: str
) -> None:
    """Through the server (virtual clock): events still go out, the API never answers 500, health stays ok."""
    url, token = _bad(receiver.port)[bad]
    receiver.requests.clear()
    store = Store(tmp_path / "server.db")
    client = loopback_client()
    _plant(store, url, token)  # an older log
    sender = Sender(store, clock=VirtualClock(T0), client=client, policy=POLICY)
    sender.add_subscription(_good_url(receiver), event_names=["order.created"])
    backend = Backend(sender, store)
    with ServerThread(create_app(backend, api_token=TOKEN)) as live, httpx.Client(base_url=live.url) as http:
        for _ in range(2):
            response = http.post("/_sim/events", json={"event": "order.created"}, headers=AUTH)
            assert response.status_code == 202
        assert http.post("/_sim/clock/advance", json={"seconds": 60}, headers=AUTH).status_code == 200
        assert http.get("/_sim/health").json() == {"ok": True}
        logs = http.get(
            "/api/v1.0/s/webhooks/a/subscriptions/1/logs",
            params={"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z", "limit": 50},
            headers=AUTH,
        ).json()
    store.close()
    assert [r.path for r in receiver.requests] == ["/good"] * 2
    assert logs["TotalRecordCount"] == 4
    assert {record["HttpResponseStatus"] for record in logs["Data"]} == {"InvalidRequest"}


def test_a_dead_delivery_loop_shows_in_health_and_on_the_dashboard(tmp_path: Path) -> None:
    store = Store(tmp_path / "server.db")
    sender = Sender(store, clock=WallClock(), client=httpx.AsyncClient())

    async def dies() -> None:
        raise OSError(28, "No space left on device")

    sender.serve = dies  # type: ignore[method-assign]
    backend = Backend(sender, store)
    with ServerThread(create_app(backend, api_token=TOKEN)) as live, httpx.Client(base_url=live.url) as http:
        health = http.get("/_sim/health")
        page = http.get("/dashboard", params={"token": TOKEN}, follow_redirects=True)
    store.close()
    assert health.status_code == 503
    assert health.json() == {
        "ok": False,
        "reason": "background deliveries stopped: OSError: [Errno 28] No space left on device",
    }
    assert "Deliveries have stopped" in page.text
    assert "No space left on device" in page.text


# -- the property: whatever one subscription holds, the others keep receiving ------------------------

_host = st.one_of(
    st.sampled_from(["127.0.0.1", "localhost"]),
    st.text(min_size=0, max_size=80).map(lambda label: f"{label}.test"),
    st.from_regex(r"[a-z0-9-]{1,80}(\.[a-z0-9-]{1,70}){0,3}", fullmatch=True).map(lambda h: f"{h}.test"),
)
_userinfo = st.one_of(st.just(""), st.text(max_size=20).map(lambda u: f"{u}@"))
_path = st.text(max_size=40)
_token = st.one_of(st.none(), st.text(max_size=60))
_legacy_events = st.sampled_from(["order.created", "order.accepted", "store.updated", "customer.created"])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(userinfo=_userinfo, host=_host, path=_path, token=_token, event=_legacy_events)
def test_any_subscription_data_leaves_the_other_subscriptions_receiving(
    tmp_path_factory: pytest.TempPathFactory,
    receiver: receivers.Receiver,
    userinfo: str,
    host: str,
    path: str,
    token: str | None,
    event: str,
) -> None:
    receiver.requests.clear()
    url = f"http://{userinfo}{host}:{receiver.port}/fuzz/{path}"

    async def go(store: Store) -> tuple[int | None, int]:
        async with loopback_client() as client:
            sender = Sender(store, clock=VirtualClock(T0), client=client, policy=POLICY)
            first = sender.add_subscription(_good_url(receiver), event_names=[event])
            try:
                fuzzed: int | None = sender.add_subscription(url, event_names=[event], verify_token=token).id
            except FlipdishSimError:
                fuzzed = None  # refused where it entered: fine too
            last = sender.add_subscription(_good_url(receiver), event_names=[event])
            sender.publish(event, seed=1)
            sender.publish(event, seed=2)
            await sender.run_until_idle()
            assert (first.id, last.id) in ((1, 3), (1, 2))
            return fuzzed, last.id

    with Store(tmp_path_factory.mktemp("prop") / "log.db") as store:
        fuzzed, last = asyncio.run(go(store))
        for good in (1, last):
            assert _outcomes(store, good) == ["acknowledged"] * 2
        if fuzzed is not None:
            assert len(_outcomes(store, fuzzed)) >= 2  # every attempt of it was logged, whatever it was
        (open_count,) = store.query("SELECT count(*) FROM deliveries WHERE in_flight_us IS NOT NULL")[0]
    assert open_count == 0
    assert sum(r.path == "/good" for r in receiver.requests) == 4


# -- no client state between deliveries ----------------------------------------------------------------


def _cookie_setter() -> receivers.Receiver:
    def answer(conn: receivers.Connection, request: receivers.RecordedRequest) -> bool:
        headers = [("Set-Cookie", f"session=s{len(request.path)}; Path=/"), ("Set-Cookie", "tracker=1")]
        conn.send(receivers.response_head(200, headers))
        return True

    return receivers.Receiver(answer)


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
def test_no_delivery_ever_carries_a_cookie(tmp_path: Path, transport: str) -> None:
    """Two subscriptions on one host, a receiver that sets cookies on every answer: no request sends one."""
    with _cookie_setter() as receiver:
        # aiohttp keeps no cookie for an IP address anyway: a host name (resolved to 127.0.0.1) tests its jar
        host = "hooks.test" if transport == "aiohttp" else "127.0.0.1"
        base = f"http://{host}:{receiver.port}"

        async def go(store: Store) -> None:
            client = (
                loopback_client()
                if transport == "aiohttp"
                else make_client(transport=httpx.AsyncHTTPTransport())
            )
            async with client:
                sender = Sender(store, clock=VirtualClock(T0), client=client, policy=POLICY)
                sender.add_subscription(f"{base}/one", event_names=["order.created"])
                sender.add_subscription(f"{base}/two", event_names=["order.created"])
                for seed in range(3):
                    sender.publish("order.created", seed=seed, at=T0 + timedelta(minutes=seed))
                await sender.run_until_idle()

        with Store(tmp_path / "log.db") as store:
            asyncio.run(go(store))
        assert len(receiver.requests) == 6
        assert all(r.header("Set-Cookie") is None for r in receiver.requests)
        assert [r.header("Cookie") for r in receiver.requests] == [None] * 6


def test_a_wall_clock_server_keeps_delivering_to_the_good_subscription(tmp_path: Path) -> None:
    """Every bad value at once beside a good subscription, on the wall clock (the background loop)."""
    got_two = threading.Event()

    def answer(conn: receivers.Connection, request: receivers.RecordedRequest) -> bool:
        conn.send(receivers.response_head(200))
        if sum(r.path == "/good" for r in receiver.requests) >= 2:
            got_two.set()
        return True

    with receivers.Receiver(answer) as receiver:
        store = Store(tmp_path / "server.db")
        for url, token in _bad(receiver.port).values():
            _plant(store, url, token)  # an older log
        sender = Sender(store, clock=WallClock(), client=loopback_client(), policy=POLICY)
        good = sender.add_subscription(_good_url(receiver), event_names=["order.created"])
        backend = Backend(sender, store)
        app = create_app(backend, api_token=TOKEN)
        with ServerThread(app) as live, httpx.Client(base_url=live.url) as http:
            for _ in range(2):
                assert (
                    http.post("/_sim/events", json={"event": "order.created"}, headers=AUTH).status_code
                    == 202
                )
            assert got_two.wait(30), "the good subscription stopped receiving"
            health = http.get("/_sim/health")
        outcomes = {sub: _outcomes(store, sub) for sub in range(1, good.id)}
        store.close()
    assert health.status_code == 200
    assert backend.failure is None
    assert [r.path for r in receiver.requests] == ["/good", "/good"]
    for sub, seen in outcomes.items():
        assert seen, sub
        assert set(seen) == {"invalid-request"}, (sub, seen)
