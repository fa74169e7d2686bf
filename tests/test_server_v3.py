"""Flipdish's v3 subscription API (org-owned), as a client sees it over HTTP on loopback.

The server runs on the virtual clock (a trigger's deliveries go out before it answers); the receiver is an
in-process ASGI app recording what it gets. The end-to-end test with the example receiver and a real
``flipdish-sim serve`` process is in tests/test_server_v3_e2e.py.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from old_logs import version_2_log
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import Sender
from flipdish_sim.simulator.http._delivery import asgi_transport
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.server.app import create_app
from flipdish_sim.simulator.server.backend import Backend
from flipdish_sim.simulator.server.runner import ServerThread
from flipdish_sim.verify import InvalidSignature, verify_signature

TOKEN = "test-api-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ORG = "org123"
SUBS = f"/webhooks/orgs/{ORG}/subscriptions"
HOOK = "https://receiver.test/hook"


@dataclass
class Receiver:
    status: int = 204
    seen: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            raw = await request.body()
            self.seen.append({"headers": dict(request.headers), "raw": raw, "body": json.loads(raw)})
            return Response(status_code=self.status)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


@dataclass
class Server:
    http: httpx.Client
    receiver: Receiver
    backend: Backend

    def create(self, **fields: object) -> dict[str, Any]:
        body = {"callbackUrl": HOOK, "eventTypes": ["sale.created.v1"], **fields}
        response = self.http.post(SUBS, json=body, headers=AUTH)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def publish(self, event: str, payload: dict[str, object]) -> None:
        response = self.http.post("/_sim/events", json={"event": event, "payload": payload}, headers=AUTH)
        assert response.status_code == 202, response.text


def _serve(tmp_path: Path, receiver: Receiver, *, local_http: bool = False) -> Iterator[Server]:
    store = Store(tmp_path / "server.db")
    client = httpx.AsyncClient(transport=asgi_transport(receiver.app()))
    backend = Backend(Sender(store, clock=VirtualClock(), client=client), store)
    app = create_app(backend, api_token=TOKEN, v3_allow_local_http=local_http)
    try:
        with ServerThread(app) as live, httpx.Client(base_url=live.url) as http:
            yield Server(http, receiver, backend)
    finally:  # also when closed early (closing(_serve(...))): the log is closed, never left to the GC
        asyncio.run(client.aclose())
        store.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    yield from _serve(tmp_path, Receiver())


def error_of(response: httpx.Response) -> str:
    """The v3 error code, after checking the documented shape ``{"error": {"message", "code"}}``."""
    doc = response.json()
    assert set(doc) == {"error"}
    assert set(doc["error"]) == {"message", "code"}
    assert doc["error"]["message"]
    return str(doc["error"]["code"])


# -- create and list ----------------------------------------------------------------------------------


def test_create_returns_the_subscription_and_its_secret_once(server: Server) -> None:
    created = server.create(propertyIds=["p1"])
    assert created["id"].startswith("sub_")
    assert created["orgId"] == ORG
    assert created["callbackUrl"] == HOOK
    assert created["eventTypes"] == ["sale.created.v1"]
    assert created["propertyIds"] == ["p1"]
    assert created["status"] == "enabled"
    assert len(created["secret"]) >= 32
    listed = server.http.get(SUBS, headers=AUTH).json()["data"]
    assert [s["id"] for s in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert created["secret"] not in server.http.get(SUBS, headers=AUTH).text


def test_a_subscription_belongs_to_its_org(server: Server) -> None:
    created = server.create()
    assert server.http.get("/webhooks/orgs/org999/subscriptions", headers=AUTH).json() == {"data": []}
    other = f"/webhooks/orgs/org999/subscriptions/{created['id']}"
    response = server.http.delete(other, headers=AUTH)
    assert response.status_code == 404
    assert error_of(response) == "subscription_not_found"


def test_event_types_must_be_v3_catalogue_types(server: Server) -> None:
    for types in (["order.created"], ["menu.published"], [], ["sale.created.v1", 3], "sale.created.v1"):
        response = server.http.post(SUBS, json={"callbackUrl": HOOK, "eventTypes": types}, headers=AUTH)
        assert response.status_code == 400, types
        assert error_of(response) in {"unknown_event_type", "invalid_event_types"}


def test_only_https_callbacks_unless_local_http_is_allowed(server: Server, tmp_path: Path) -> None:
    for url in ("http://127.0.0.1:9/hook", "http://localhost/hook", "http://example.com/hook", "ftp://x/y"):
        response = server.http.post(
            SUBS, json={"callbackUrl": url, "eventTypes": ["sale.created.v1"]}, headers=AUTH
        )
        assert response.status_code == 400
        assert error_of(response) == "invalid_callback_url"
    (tmp_path / "local").mkdir()
    with closing(_serve(tmp_path / "local", Receiver(), local_http=True)) as servers:
        local = next(servers)
        for url in ("http://127.0.0.1:9/hook", "http://localhost/hook"):
            assert local.create(callbackUrl=url)["callbackUrl"] == url
        response = local.http.post(
            SUBS,
            json={"callbackUrl": "http://example.com/hook", "eventTypes": ["sale.created.v1"]},
            headers=AUTH,
        )
        assert response.status_code == 400


# -- update ---------------------------------------------------------------------------------------------


def test_patch_changes_only_what_it_gives_and_put_replaces(server: Server) -> None:
    created = server.create(propertyIds=["p1"])
    one = f"{SUBS}/{created['id']}"
    patched = server.http.patch(one, json={"eventTypes": ["menu.published.v1"]}, headers=AUTH)
    assert patched.status_code == 200
    assert patched.json()["eventTypes"] == ["menu.published.v1"]
    assert patched.json()["propertyIds"] == ["p1"]
    assert "secret" not in patched.json()
    put = server.http.put(
        one, json={"callbackUrl": HOOK + "2", "eventTypes": ["sale.updated.v1"]}, headers=AUTH
    )
    assert put.status_code == 200
    assert put.json()["propertyIds"] is None  # replaced: all properties
    assert put.json()["callbackUrl"] == HOOK + "2"
    assert server.http.get(SUBS, headers=AUTH).json()["data"][0] == put.json()


def test_an_update_with_one_bad_field_changes_nothing(server: Server) -> None:
    created = server.create()
    one = f"{SUBS}/{created['id']}"
    before = server.http.get(SUBS, headers=AUTH).json()
    bad = {
        "callbackUrl": HOOK + "/new",
        "propertyIds": ["p9"],
        "status": "disabled",
        "eventTypes": ["sale.created.v1", "no.such.type.v1"],
    }
    response = server.http.patch(one, json=bad, headers=AUTH)
    assert response.status_code == 400
    assert error_of(response) == "unknown_event_type"
    assert server.http.get(SUBS, headers=AUTH).json() == before


def test_update_of_an_unknown_subscription_is_404(server: Server) -> None:
    one = f"{SUBS}/sub_00000000-0000-4000-8000-000000000000"
    response = server.http.patch(one, json={"status": "disabled"}, headers=AUTH)
    assert response.status_code == 404
    assert error_of(response) == "subscription_not_found"


# -- trigger, property scope, delete ---------------------------------------------------------------------


def test_trigger_sends_one_signed_test_event_per_type(server: Server) -> None:
    created = server.create(eventTypes=["sale.created.v1", "menu.published.v1"], propertyIds=["p42"])
    response = server.http.get(f"{SUBS}/{created['id']}/trigger", headers=AUTH)
    assert response.status_code == 200
    ids = response.json()["eventIds"]
    assert len(ids) == 2
    seen = server.receiver.seen
    assert sorted(r["headers"]["x-flipdish-event-type"] for r in seen) == [
        "menu.published.v1",
        "sale.created.v1",
    ]
    for request in seen:
        verify_signature(request["headers"]["x-flipdish-signature"], request["raw"], [created["secret"]])
        assert request["body"]["isTest"] is True
        assert request["body"]["orgId"] == ORG
        assert request["body"]["propertyId"] == "p42"
    status = server.http.get("/synthetic-delivery", params={"eventIds": ",".join(ids)}, headers=AUTH)
    assert status.status_code == 200
    assert {(d["eventId"], d["status"]) for d in status.json()["data"]} == {(i, "delivered") for i in ids}
    assert status.json()["notFound"] == []


def test_trigger_reaches_only_the_triggered_subscription(server: Server) -> None:
    first, second = server.create(), server.create()
    server.http.get(f"{SUBS}/{first['id']}/trigger", headers=AUTH)
    assert len(server.receiver.seen) == 1
    verify_signature(
        server.receiver.seen[0]["headers"]["x-flipdish-signature"],
        server.receiver.seen[0]["raw"],
        [first["secret"]],
    )
    assert second["secret"] != first["secret"]


def test_a_disabled_subscription_cannot_be_triggered(server: Server) -> None:
    created = server.create(status="disabled")
    response = server.http.get(f"{SUBS}/{created['id']}/trigger", headers=AUTH)
    assert response.status_code == 409
    assert error_of(response) == "subscription_disabled"
    assert server.receiver.seen == []
    server.http.patch(f"{SUBS}/{created['id']}", json={"status": "enabled"}, headers=AUTH)
    assert server.http.get(f"{SUBS}/{created['id']}/trigger", headers=AUTH).status_code == 200


def _sale(property_id: str) -> dict[str, object]:
    from flipdish_sim.contracts.examples import example

    return {**example("sale.created.v1", seed=3), "propertyId": property_id}


def test_property_scope_filters_the_events_a_subscription_receives(server: Server) -> None:
    scoped = server.create(propertyIds=["p1", "p2"])
    everything = server.create()
    for prop in ("p1", "p3", "p2"):
        server.publish("sale.created.v1", _sale(prop))
    by_secret: dict[str, list[str]] = {scoped["secret"]: [], everything["secret"]: []}
    for request in server.receiver.seen:
        for secret, got in by_secret.items():
            try:
                verify_signature(request["headers"]["x-flipdish-signature"], request["raw"], [secret])
            except InvalidSignature:
                continue
            got.append(request["body"]["propertyId"])
    assert by_secret[scoped["secret"]] == ["p1", "p2"]
    assert by_secret[everything["secret"]] == ["p1", "p3", "p2"]
    server.http.patch(f"{SUBS}/{scoped['id']}", json={"propertyIds": None}, headers=AUTH)
    server.receiver.seen.clear()
    server.publish("sale.created.v1", _sale("p3"))
    assert len(server.receiver.seen) == 2


def test_delete_stops_deliveries_and_keeps_past_ones_in_the_log(server: Server, tmp_path: Path) -> None:
    created = server.create()
    ids = server.http.get(f"{SUBS}/{created['id']}/trigger", headers=AUTH).json()["eventIds"]
    response = server.http.delete(f"{SUBS}/{created['id']}", headers=AUTH)
    assert response.status_code == 204
    assert response.content == b""
    assert server.http.get(SUBS, headers=AUTH).json() == {"data": []}
    assert server.http.delete(f"{SUBS}/{created['id']}", headers=AUTH).status_code == 404
    server.publish("sale.created.v1", _sale("p1"))
    assert len(server.receiver.seen) == 1  # the trigger's, nothing after the delete
    status = server.http.get("/synthetic-delivery", params={"eventIds": ids}, headers=AUTH).json()
    assert [d["status"] for d in status["data"]] == ["delivered"]
    with closing(sqlite3.connect(tmp_path / "server.db")) as db:
        assert db.execute("SELECT count(*) FROM attempts").fetchone()[0] == 1


def test_the_v3_subscription_survives_a_restart(tmp_path: Path) -> None:
    receiver = Receiver()
    with closing(_serve(tmp_path, receiver)) as servers:
        created = next(servers).create(propertyIds=["p7"])
    with closing(_serve(tmp_path, receiver)) as servers:
        again = next(servers)
        (listed,) = again.http.get(SUBS, headers=AUTH).json()["data"]
        assert listed["id"] == created["id"]
        again.publish("sale.created.v1", _sale("p8"))
        assert receiver.seen == []  # the scope came back with it
        again.http.get(f"{SUBS}/{created['id']}/trigger", headers=AUTH)
        verify_signature(
            receiver.seen[0]["headers"]["x-flipdish-signature"], receiver.seen[0]["raw"], [created["secret"]]
        )


def test_synthetic_delivery_forgets_unknown_ids(server: Server) -> None:
    response = server.http.get("/synthetic-delivery", params={"eventIds": "nope,also-nope"}, headers=AUTH)
    assert response.json() == {"data": [], "notFound": ["nope", "also-nope"]}
    response = server.http.get("/synthetic-delivery", headers=AUTH)
    assert response.status_code == 400
    assert error_of(response) == "invalid_request"


# -- auth, methods, hostile input: always a 4xx in the v3 error shape, never a 500 ----------------------

ONE_ID = "sub_c7129f82-c87d-470c-a8c8-cae6b07762e2"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", SUBS),
        ("POST", SUBS),
        ("PATCH", f"{SUBS}/{ONE_ID}"),
        ("PUT", f"{SUBS}/{ONE_ID}"),
        ("DELETE", f"{SUBS}/{ONE_ID}"),
        ("GET", f"{SUBS}/{ONE_ID}/trigger"),
        ("GET", "/synthetic-delivery?eventIds=x"),
    ],
)
@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}]
)
def test_every_v3_path_needs_the_bearer_token(
    server: Server, method: str, path: str, headers: dict[str, str]
) -> None:
    response = server.http.request(method, path, headers=headers, json={})
    assert response.status_code == 401
    assert error_of(response) == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", SUBS),
        ("GET", f"{SUBS}/{ONE_ID}"),
        ("POST", f"{SUBS}/{ONE_ID}/trigger"),
        ("POST", "/synthetic-delivery"),
    ],
)
def test_a_wrong_method_is_405_in_the_v3_shape(server: Server, method: str, path: str) -> None:
    response = server.http.request(method, path, headers=AUTH)
    assert response.status_code == 405
    assert error_of(response) == "method_not_allowed"
    assert response.headers["allow"]


BAD_ORGS = ["org", "123", "ORG1", "org-1", "org١٢٣", "org1 ", "org" + "9" * 19, "%00", "org1%2Fx", "p1"]
BAD_SUBS = [
    "sub_",
    "sub_123",
    ONE_ID[:-1],
    ONE_ID + "0",
    ONE_ID.replace("sub_", "SUB_"),
    "sub_" + "g" * 36,
    "x" * 5000,
]


@pytest.mark.parametrize("org", BAD_ORGS)
def test_a_malformed_org_id_is_400(server: Server, org: str) -> None:
    for method, path in (("GET", ""), ("POST", ""), ("DELETE", f"/{ONE_ID}"), ("GET", f"/{ONE_ID}/trigger")):
        response = server.http.request(
            method, f"/webhooks/orgs/{org}/subscriptions{path}", headers=AUTH, json={}
        )
        assert response.status_code in (400, 404), (method, org)
        if response.status_code == 400:
            assert error_of(response) in {"invalid_org_id", "invalid_request"}


@pytest.mark.parametrize("sub", BAD_SUBS)
def test_a_malformed_subscription_id_is_400(server: Server, sub: str) -> None:
    for method in ("PATCH", "PUT", "DELETE"):
        response = server.http.request(method, f"{SUBS}/{sub}", headers=AUTH, json={"status": "enabled"})
        assert response.status_code == 400, (method, sub)
        assert error_of(response) == "invalid_subscription_id"
    response = server.http.get(f"{SUBS}/{sub}/trigger", headers=AUTH)
    assert response.status_code == 400


HOSTILE_BODIES: list[bytes] = [
    b"",
    b"null",
    b"[]",
    b'"text"',
    b"{",
    b'{"callbackUrl": NaN}',
    b'{"callbackUrl": 1e999999, "eventTypes": ["sale.created.v1"]}',
    b"\xff\xfe\x00",
    b'{"callbackUrl": "\\ud800", "eventTypes": ["sale.created.v1"]}',
    b"[" * 10_000 + b"]" * 10_000,
    json.dumps({"callbackUrl": HOOK, "eventTypes": [{"a": 1}]}).encode(),
    json.dumps({"callbackUrl": HOOK, "eventTypes": "sale.created.v1"}).encode(),
    json.dumps({"callbackUrl": HOOK, "eventTypes": ["sale.created.v1"] * 101}).encode(),
    json.dumps({"callbackUrl": HOOK, "eventTypes": ["x" * 100_000]}).encode(),
    json.dumps({"callbackUrl": ["https://x"], "eventTypes": ["sale.created.v1"]}).encode(),
    json.dumps({"callbackUrl": "https://", "eventTypes": ["sale.created.v1"]}).encode(),
    json.dumps({"callbackUrl": "https://user:pw@x.test/", "eventTypes": ["sale.created.v1"]}).encode(),
    json.dumps({"callbackUrl": "https://x.test/\n", "eventTypes": ["sale.created.v1"]}).encode(),
    json.dumps(
        {"callbackUrl": "https://" + "a" * 3000 + ".test/", "eventTypes": ["sale.created.v1"]}
    ).encode(),
    json.dumps({"callbackUrl": HOOK, "eventTypes": ["sale.created.v1"], "propertyIds": []}).encode(),
    json.dumps({"callbackUrl": HOOK, "eventTypes": ["sale.created.v1"], "propertyIds": "p1"}).encode(),
    json.dumps({"callbackUrl": HOOK, "eventTypes": ["sale.created.v1"], "propertyIds": ["p١"]}).encode(),
    json.dumps({"callbackUrl": HOOK, "eventTypes": ["sale.created.v1"], "propertyIds": [1]}).encode(),
    json.dumps(
        {"callbackUrl": HOOK, "eventTypes": ["sale.created.v1"], "propertyIds": ["p1"] * 1001}
    ).encode(),
    json.dumps({"callbackUrl": HOOK, "eventTypes": ["sale.created.v1"], "status": "paused"}).encode(),
    json.dumps({"callbackUrl": HOOK, "eventTypes": ["sale.created.v1"], "status": ["enabled"]}).encode(),
    json.dumps({"callbackUrl": HOOK, "eventTypes": ["sale.created.v1"], "status": True}).encode(),
]


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=range(len(HOSTILE_BODIES)))
def test_a_hostile_body_is_refused_with_a_4xx_and_nothing_changes(server: Server, body: bytes) -> None:
    created = server.create()
    headers = {**AUTH, "Content-Type": "application/json"}
    before = server.http.get(SUBS, headers=AUTH).json()
    for method, path in (
        ("POST", SUBS),
        ("PUT", f"{SUBS}/{created['id']}"),
        ("PATCH", f"{SUBS}/{created['id']}"),
    ):
        response = server.http.request(method, path, content=body, headers=headers)
        assert 400 <= response.status_code < 500, (method, response.status_code, response.text[:200])
        error_of(response)
    after = server.http.get(SUBS, headers=AUTH).json()
    assert after == before


def test_an_oversized_body_is_413(server: Server) -> None:
    body = b'{"callbackUrl": "' + b"a" * 1_100_000 + b'"}'
    response = server.http.post(SUBS, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert error_of(response) == "payload_too_large"


@pytest.mark.parametrize(
    "query",
    [
        "eventIds=",
        "eventIds=,,,",
        "eventIds=" + ",".join(map(str, range(101))),
        "eventIds=" + "x" * 101,
        "other=1",
    ],
)
def test_synthetic_delivery_refuses_bad_queries(server: Server, query: str) -> None:
    response = server.http.get(f"/synthetic-delivery?{query}", headers=AUTH)
    assert response.status_code == 400
    assert error_of(response) == "invalid_request"


# -- the log: schema version 3 ------------------------------------------------------------------------------


def test_a_version_2_log_gains_the_v3_tables_on_open(tmp_path: Path) -> None:
    path = version_2_log(tmp_path / "v2.db")
    Store(path).close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 3
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"v3_subscriptions", "v3_test_events"} <= tables


# -- the dashboard ------------------------------------------------------------------------------------------


def test_the_dashboard_lists_v3_subscriptions_beside_legacy_ones(server: Server) -> None:
    scoped = server.create(
        callbackUrl="https://receiver.test/<script>", propertyIds=["p5"], status="disabled"
    )
    legacy = server.http.post(
        "/api/v1.0/app/webhooks/oauth/subscriptions",
        json={"CallbackUrl": "https://legacy.test/hook", "EventNames": ["order.created"]},
        headers=AUTH,
    )
    assert legacy.status_code == 200
    server.http.get("/dashboard", params={"token": TOKEN})  # sets the session cookie
    page = server.http.get("/dashboard").text
    assert scoped["id"] in page
    assert ORG in page
    assert "p5" in page
    assert "disabled" in page
    assert "https://legacy.test/hook" in page
    assert "<script>" not in page
    assert scoped["secret"] not in page


def test_v3_subscriptions_are_not_v1_webhooks(server: Server) -> None:
    server.create()
    legacy = "/api/v1.0/app/webhooks/oauth/subscriptions"
    assert server.http.get(legacy, headers=AUTH).json()["Data"] == []
    (sub_id,) = [s.id for s in server.backend.subscriptions()]
    for method, path in (("PUT", f"{legacy}/{sub_id}"), ("DELETE", f"{legacy}/{sub_id}")):
        response = server.http.request(method, path, headers=AUTH, json={"CallbackUrl": "http://x.test/"})
        assert response.status_code == 404
    assert len(server.http.get(SUBS, headers=AUTH).json()["data"]) == 1


def test_a_second_app_over_one_backend_leaves_one_scope_hook(server: Server) -> None:
    create_app(server.backend, api_token=TOKEN)
    create_app(server.backend, api_token=TOKEN)
    assert len(server.backend.sender.accepts) == 1


def test_test_delivery_records_expire_after_7_days(server: Server) -> None:
    created = server.create()
    ids = server.http.get(f"{SUBS}/{created['id']}/trigger", headers=AUTH).json()["eventIds"]
    advance = {"seconds": 7 * 86_400}
    assert server.http.post("/_sim/clock/advance", json=advance, headers=AUTH).status_code == 200
    assert (
        len(server.http.get("/synthetic-delivery", params={"eventIds": ids}, headers=AUTH).json()["data"])
        == 1
    )
    server.http.post("/_sim/clock/advance", json={"seconds": 1}, headers=AUTH)
    gone = server.http.get("/synthetic-delivery", params={"eventIds": ids}, headers=AUTH).json()
    assert gone == {"data": [], "notFound": ids}


def test_a_disabled_subscription_receives_nothing_until_enabled(server: Server) -> None:
    created = server.create()
    one = f"{SUBS}/{created['id']}"
    assert server.http.patch(one, json={"status": "disabled"}, headers=AUTH).json()["status"] == "disabled"
    server.publish("sale.created.v1", _sale("p1"))
    assert server.receiver.seen == []
    assert server.http.patch(one, json={"status": "enabled"}, headers=AUTH).json()["status"] == "enabled"
    server.publish("sale.created.v1", _sale("p1"))
    assert len(server.receiver.seen) == 1


def test_an_update_cut_short_between_its_writes_leaves_the_log_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writes of one update are one transaction: a failure (or a crash) after the URL is written and
    before the scope is leaves neither in the log."""
    from flipdish_sim.simulator.log._v3 import V3Rows

    receiver = Receiver()
    with closing(_serve(tmp_path, receiver)) as servers:
        server = next(servers)
        created = server.create(propertyIds=["p1"])

        def cut(*args: object) -> None:
            raise RuntimeError("the process stops here")

        monkeypatch.setattr(V3Rows, "set_scope", cut)
        change = {"callbackUrl": HOOK + "/new", "propertyIds": ["p2"]}
        answer = server.http.patch(f"{SUBS}/{created['id']}", json=change, headers=AUTH)
        assert answer.status_code == 500
    monkeypatch.undo()
    with closing(_serve(tmp_path, receiver)) as servers:
        (listed,) = next(servers).http.get(SUBS, headers=AUTH).json()["data"]
    assert (listed["callbackUrl"], listed["propertyIds"]) == (HOOK, ["p1"])
