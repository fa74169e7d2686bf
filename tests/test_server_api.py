"""Flipdish's v1.0 webhook API and the simulator's own API, as a client sees them over HTTP.

Every Flipdish-path response is validated against the OpenAPI extract of Flipdish's API, so code written
against Flipdish works against this server unchanged. The server runs on the virtual clock; the receiver is
an in-process ASGI app whose answer the test sets.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from receivers import HookReceiver as Receiver

from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import Sender, SenderPolicy
from flipdish_sim.simulator.http._delivery import asgi_transport
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.policy._disable import DisablePolicy
from flipdish_sim.simulator.server.app import create_app
from flipdish_sim.simulator.server.backend import Backend
from flipdish_sim.simulator.server.launch import make_clock
from flipdish_sim.simulator.server.runner import ServerThread

TOKEN = "test-api-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SUBS = "/api/v1.0/teststore/webhooks/oauth-app/subscriptions"
HOOK = "http://receiver.test/hook"


# -- the OpenAPI extract -----------------------------------------------------------------------------


#: Checked strictly: the management API's own models. Event models (a sample's Body) are Swagger 2.0 .NET
#: models where any property may be null (FACTS.md 2.5), so they are checked with ``nullable: true``.
STRICT = ("RestApi", "WebhookSubscription", "WebhookLog", "FlipdishError")


def _nullable(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _nullable(v) for k, v in node.items()}
        if "type" in out or "$ref" in out:
            out["nullable"] = True
        return out
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


@cache
def _spec() -> dict[str, Any]:
    text = (
        files("flipdish_sim.contracts")
        .joinpath("upstream")
        .joinpath("flipdish-v1-webhooks-events.extract.openapi.json")
    )
    spec = dict(json.loads(text.read_text(encoding="utf-8")))
    schemas = spec["components"]["schemas"]
    for name, schema in schemas.items():
        if not name.startswith(STRICT):
            schemas[name] = {**_nullable(schema), "nullable": False}
    return spec


def _operation(method: str, path: str) -> dict[str, Any]:
    for template, item in _spec()["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return dict(item[method.lower()])
    raise AssertionError(f"{method} {path} is not a Flipdish path")


def check(response: httpx.Response) -> httpx.Response:
    """Assert that the status is declared for the operation and the body matches its schema."""
    request = response.request
    operation = _operation(request.method, request.url.path)
    declared = operation["responses"].get(str(response.status_code))
    assert declared is not None, (
        f"{request.method} {request.url.path}: undeclared status {response.status_code}"
    )
    content = declared.get("content")
    if content is None:
        assert response.content == b"", "Flipdish answers this with an empty body"
        return response
    schema = {**content["application/json"]["schema"], "components": _spec()["components"]}
    OAS30Validator(schema, format_checker=oas30_format_checker).validate(response.json())
    return response


# -- the fixture: server + receiver -----------------------------------------------------------------


@dataclass
class Server:
    http: httpx.Client
    receiver: Receiver
    backend: Backend

    def create(self, **fields: object) -> int:
        body = {
            "CallbackUrl": HOOK,
            "EventNames": ["order.created"],
            "VerifyToken": "verify-me-please",
            **fields,
        }
        response = check(self.http.post(SUBS, json=body, headers=AUTH))
        assert response.status_code == 200
        return int(response.json()["Data"])

    def trigger(self, event: str = "order.created", **extra: object) -> httpx.Response:
        return self.http.post("/_sim/events", json={"event": event, **extra}, headers=AUTH)

    def advance(self, seconds: float) -> httpx.Response:
        return self.http.post("/_sim/clock/advance", json={"seconds": seconds}, headers=AUTH)


def _make(tmp_path: Path, receiver: Receiver, db: str = "server.db") -> tuple[Backend, httpx.AsyncClient]:
    store = Store(tmp_path / db)
    client = httpx.AsyncClient(transport=asgi_transport(receiver.app()))
    policy = SenderPolicy(disable=DisablePolicy(min_sample=4))
    sender = Sender(store, clock=VirtualClock(), client=client, policy=policy)
    return Backend(sender, store), client


@contextmanager
def running(backend: Backend) -> Iterator[httpx.Client]:
    """The app on a real loopback port (uvicorn in a thread), and a client for it."""
    with ServerThread(create_app(backend, api_token=TOKEN)) as live, httpx.Client(base_url=live.url) as http:
        yield http


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    receiver = Receiver()
    backend, client = _make(tmp_path, receiver)
    with running(backend) as http:
        yield Server(http, receiver, backend)
    asyncio.run(client.aclose())
    backend.store.close()


# -- auth --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}]
)
def test_flipdish_paths_need_the_bearer_token(server: Server, headers: dict[str, str]) -> None:
    response = check(server.http.get(SUBS, headers=headers))
    assert response.status_code == 401
    assert response.json()["error"]["errorCode"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


def test_sim_paths_need_the_token_but_health_does_not(server: Server) -> None:
    assert server.http.get("/_sim/clock").status_code == 401
    assert server.http.get("/_sim/health").json() == {"ok": True}


# -- Flipdish's v1.0 API -----------------------------------------------------------------------------


def test_event_names_lists_every_legacy_catalogue_event(server: Server) -> None:
    response = check(server.http.get("/api/v1.0/teststore/webhooks/events", headers=AUTH))
    names = response.json()["Data"]
    assert "order.created" in names
    assert "store.opening_hours.updated" in names or len(names) > 100
    assert not any(name.endswith(".v1") for name in names)  # v3 types are not v1.0 webhooks


def test_create_then_list_returns_a_webhook_subscription_page(server: Server) -> None:
    sub_id = server.create()
    page = check(server.http.get(SUBS, headers=AUTH)).json()
    assert page["Page"] == 1
    assert page["TotalRecordCount"] == 1
    assert page["Data"][0] == {
        "Id": sub_id,
        "OwnerUserId": 1,
        "Version": "2.0",
        "EventNames": ["order.created"],
        "CallbackUrl": HOOK,
        "Enabled": True,
        "VerifyToken": "verify-me-please",  # the owner's own listing, as at Flipdish
    }


def test_pages_are_one_based_with_limit(server: Server) -> None:
    ids = [server.create() for _ in range(5)]
    page = check(server.http.get(SUBS, params={"page": 2, "limit": 2}, headers=AUTH)).json()
    assert [s["Id"] for s in page["Data"]] == ids[2:4]
    assert (page["Page"], page["Limit"], page["TotalRecordCount"]) == (2, 2, 5)


@pytest.mark.parametrize("query", [{"page": "0"}, {"limit": "0"}, {"limit": "x"}, {"limit": "100000"}])
def test_bad_paging_is_a_400(server: Server, query: dict[str, str]) -> None:
    response = check(server.http.get(SUBS, params=query, headers=AUTH))
    assert response.status_code == 400
    assert response.json()["error"]["errorCode"] == "invalid_parameter"


def test_created_subscription_receives_deliveries_with_the_verify_token(server: Server) -> None:
    server.create()
    assert server.trigger(seed=3).status_code == 202
    assert len(server.receiver.seen) == 1
    delivery = server.receiver.seen[0]
    assert delivery["headers"]["x-verify-token"] == "verify-me-please"
    assert delivery["body"]["Type"] == "order.created"


def test_event_names_can_be_added_once_and_removed(server: Server) -> None:
    sub_id = server.create()
    one = f"{SUBS}/{sub_id}/events"
    assert check(server.http.post(f"{one}/order.accepted", headers=AUTH)).status_code == 200
    conflict = check(server.http.post(f"{one}/order.accepted", headers=AUTH))
    assert conflict.status_code == 409
    assert check(server.http.get(one, headers=AUTH)).json()["Data"] == ["order.created", "order.accepted"]
    assert check(server.http.delete(f"{one}/order.created", headers=AUTH)).status_code == 200
    assert check(server.http.get(one, headers=AUTH)).json()["Data"] == ["order.accepted"]


def test_an_unknown_event_name_is_refused(server: Server) -> None:
    sub_id = server.create()
    response = check(server.http.post(f"{SUBS}/{sub_id}/events/order.exploded", headers=AUTH))
    assert response.status_code == 400
    assert response.json()["error"]["errorCode"] == "unknown_event_name"


def test_update_changes_fields_and_keeps_the_rest(server: Server) -> None:
    sub_id = server.create()
    body = {"CallbackUrl": "http://receiver.test/v2", "EventNames": ["order.accepted"]}
    assert check(server.http.put(f"{SUBS}/{sub_id}", json=body, headers=AUTH)).status_code == 200
    (sub,) = server.http.get(SUBS, headers=AUTH).json()["Data"]
    assert sub["CallbackUrl"] == "http://receiver.test/v2"
    assert sub["EventNames"] == ["order.accepted"]
    assert sub["VerifyToken"] == "verify-me-please"


def test_delete_removes_the_subscription_and_its_deliveries_stop(server: Server) -> None:
    sub_id = server.create()
    assert check(server.http.delete(f"{SUBS}/{sub_id}", headers=AUTH)).status_code == 200
    assert server.http.get(SUBS, headers=AUTH).json()["TotalRecordCount"] == 0
    server.trigger()
    assert server.receiver.seen == []
    assert server.http.delete(f"{SUBS}/{sub_id}", headers=AUTH).status_code == 404


def test_sample_is_a_webhook_event_sample(server: Server) -> None:
    sub_id = server.create()
    sample = check(server.http.get(f"{SUBS}/{sub_id}/events/order.created/test", headers=AUTH)).json()
    assert sample["Type"] == "order.created"
    assert sample["Body"]["EventName"] == "order.created"


def test_sample_with_a_non_numeric_id_is_a_400(server: Server) -> None:
    response = check(server.http.get(f"{SUBS}/abc/events/order.created/test", headers=AUTH))
    assert response.status_code == 400


def test_logs_are_webhook_log_records_of_the_window(server: Server) -> None:
    sub_id = server.create()
    server.receiver.status = 500
    server.trigger(seed=1)
    server.advance(3600)
    params = {"start": "2025-12-31T00:00:00Z", "end": "2026-01-02T00:00:00Z", "limit": 2}
    page = check(server.http.get(f"{SUBS}/{sub_id}/logs", params=params, headers=AUTH)).json()
    assert page["TotalRecordCount"] >= 2
    first = page["Data"][0]
    assert first["HttpResponseStatusCode"] == "500"
    assert first["RetryCount"] == 0
    assert first["WebhookEventName"] == "order.created"
    assert "verify-me-please" not in json.dumps(page)  # masked in the logged request headers
    assert "FlipdishSim" not in first


@pytest.mark.parametrize("params", [{}, {"start": "2026-01-01T00:00:00Z"}, {"start": "x", "end": "y"}])
def test_logs_need_start_and_end(server: Server, params: dict[str, str]) -> None:
    sub_id = server.create()
    response = check(server.http.get(f"{SUBS}/{sub_id}/logs", params=params, headers=AUTH))
    assert response.status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"start": "0001-01-01T00:00+14:00", "end": "2030-01-01"},
        {"start": "2020-01-01", "end": "9999-12-31T23:59-14:00"},
        {"start": "0001-01-01000+0001", "end": "2030-01-01"},
    ],
)
def test_log_dates_beyond_the_calendar_are_a_400(server: Server, params: dict[str, str]) -> None:
    sub_id = server.create()
    response = check(server.http.get(f"{SUBS}/{sub_id}/logs", params=params, headers=AUTH))
    assert response.status_code == 400, response.text
    assert "out of the range of dates" in response.json()["error"]["errorMessage"]


def test_unknown_subscription_is_a_404_with_an_error_body(server: Server) -> None:
    response = server.http.get(f"{SUBS}/999/events", headers=AUTH)
    assert response.status_code == 404
    assert response.json()["error"]["errorCode"] == "not_found"


# -- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "invalid_json"),
        (b"[]", "invalid_subscription"),
        (b'{"EventNames": ["order.created"]}', "invalid_callback_url"),
        (b'{"CallbackUrl": "ftp://example.com/x"}', "invalid_callback_url"),
        (b'{"CallbackUrl": "http:///nohost"}', "invalid_callback_url"),
        (b'{"CallbackUrl": "not a url"}', "invalid_callback_url"),
        (b'{"CallbackUrl": "http://x:99999/"}', "invalid_callback_url"),
        (b'{"CallbackUrl": "http://x/", "EventNames": ["nope"]}', "unknown_event_name"),
        (b'{"CallbackUrl": "http://x/", "EventNames": "order.created"}', "invalid_subscription"),
        (b'{"CallbackUrl": "http://x/", "Enabled": "yes"}', "invalid_subscription"),
        (b'{"CallbackUrl": "http://x/", "VerifyToken": 5}', "invalid_subscription"),
        (b"\xff\xfe", "invalid_json"),
    ],
)
def test_bad_subscription_bodies_are_flipdish_style_400s(server: Server, body: bytes, code: str) -> None:
    response = check(
        server.http.post(SUBS, content=body, headers={**AUTH, "Content-Type": "application/json"})
    )
    assert response.status_code == 400
    assert response.json()["error"]["errorCode"] == code
    assert "Traceback" not in response.text


#: Subscription fields the sender cannot use (issue 10): refused at creation and at update, never stored.
BAD_FIELDS = [
    ({"VerifyToken": "café"}, "invalid_verify_token"),
    ({"VerifyToken": "a\r\nX-Injected: 1"}, "invalid_verify_token"),
    ({"VerifyToken": "\ud800"}, "invalid_json"),  # the strict JSON reader refuses lone surrogates
    ({"Version": "\ud800"}, "invalid_json"),
    ({"Version": "v" * 65}, "invalid_version"),
    ({"CallbackUrl": "http://user:s3cr3t@receiver.test/hook"}, "invalid_callback_url"),
    ({"CallbackUrl": "http://" + "a" * 64 + ".test/hook"}, "invalid_callback_url"),
    ({"CallbackUrl": "http://xn--/x"}, "invalid_callback_url"),
    ({"CallbackUrl": "http://receiver.test/\ud800"}, "invalid_json"),
    ({"CallbackUrl": "http://receiver.test/hook\r\n"}, "invalid_callback_url"),
]


@pytest.mark.parametrize(("fields", "code"), BAD_FIELDS)
def test_a_subscription_the_sender_cannot_use_is_refused_at_creation_and_update(
    server: Server, fields: dict[str, str], code: str
) -> None:
    good = {"CallbackUrl": HOOK, "EventNames": ["order.created"]}
    raw = json.dumps({**good, **fields})  # ensure_ascii: lone surrogates travel as \ud800 escapes
    headers = {**AUTH, "Content-Type": "application/json"}
    response = check(server.http.post(SUBS, content=raw, headers=headers))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["errorCode"] == code
    assert "s3cr3t" not in response.text
    assert check(server.http.get(SUBS, headers=AUTH)).json()["TotalRecordCount"] == 0
    sub_id = server.create()
    response = check(server.http.put(f"{SUBS}/{sub_id}", content=json.dumps(fields), headers=headers))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["errorCode"] == code
    assert server.trigger().status_code == 202
    assert len(server.receiver.seen) == 1  # the subscription is unchanged and still delivers


@pytest.mark.parametrize(
    ("path", "raw", "words"),
    [
        (SUBS, "[" * 1000 + "]" * 1000, "nested deeper than 64"),
        (SUBS, '{"CallbackUrl": ' + "[" * 100 + "]" * 100 + "}", "nested deeper than 64"),
        ("/_sim/events", '{"event": "order.created", "payload": {"a": "\\ud800"}}', "lone surrogate"),
        ("/_sim/events", '{"event": "order.created", "payload": {"\\udfff": 1}}', "lone surrogate"),
        ("/_sim/events", '{"event": "order.created", "payload": {"a": 1e999999}}', "out of range"),
        ("/_sim/events", '{"event": "order.created", "payload": {"a": -1e999999}}', "out of range"),
        ("/_sim/events", '{"event": "order.created", "payload": {"a": NaN}}', "NaN"),
        ("/_sim/events", '{"event": "order.created", "payload": {"a": -Infinity}}', "Infinity"),
        (
            "/_sim/events",
            '{"event": "order.created", "payload": ' + '{"a":' * 1000 + "1" + "}" * 1001,
            "nested",
        ),
        ("/_sim/clock/advance", '{"seconds": NaN}', "NaN"),
        ("/_sim/clock/advance", '{"seconds": 1e999999}', "out of range"),
    ],
)
def test_json_the_sender_could_not_send_back_is_a_400(
    server: Server, path: str, raw: str, words: str
) -> None:
    server.create()
    response = server.http.post(path, content=raw, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["errorCode"] == "invalid_json"
    assert words in response.json()["error"]["errorMessage"]
    assert server.receiver.seen == []


HUGE = str(2**63)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", f"{SUBS}/{HUGE}"),
        ("DELETE", f"{SUBS}/{HUGE}"),
        ("GET", f"{SUBS}/{HUGE}/events"),
        ("POST", f"{SUBS}/{HUGE}/events/order.created"),
        ("DELETE", f"{SUBS}/{HUGE}/events/order.created"),
        ("GET", f"{SUBS}/{HUGE}/events/order.created/test"),
        ("GET", f"{SUBS}/{HUGE}/logs?start=2026-01-01&end=2026-01-02"),
        ("GET", f"/_sim/subscriptions/{HUGE}/disable-rule"),
        ("GET", f"{SUBS}/{'9' * 5000}/events"),
    ],
)
def test_an_id_beyond_the_log_s_range_is_a_404(server: Server, method: str, path: str) -> None:
    response = server.http.request(method, path, json={}, headers=AUTH)
    assert response.status_code == 404, response.text
    assert response.json()["error"]["errorCode"] == "not_found"


def test_a_sample_with_a_non_ascii_digit_id_is_a_400(server: Server) -> None:
    response = server.http.get(f"{SUBS}/²/events/order.created/test", headers=AUTH)
    assert response.status_code == 400
    assert response.json()["error"]["errorCode"] == "invalid_parameter"


def test_oversized_bodies_are_refused_with_413(server: Server) -> None:
    body = b'{"CallbackUrl": "http://x/", "VerifyToken": "' + b"a" * 1_100_000 + b'"}'
    response = server.http.post(SUBS, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["errorCode"] == "payload_too_large"


def test_an_unexpected_failure_is_a_json_500_without_traceback(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom() -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(server.backend, "subscriptions", boom)
    response = server.http.get(SUBS, headers=AUTH)
    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "errorMessage": "the simulator failed to handle this request",
            "errorCode": "internal_error",
        }
    }


def test_unknown_paths_and_methods_get_json_errors(server: Server) -> None:
    assert server.http.get("/api/v1.0/x/nothing", headers=AUTH).json()["error"]["errorCode"] == "not_found"
    response = server.http.patch(SUBS, headers=AUTH)
    assert response.status_code == 405
    assert response.json()["error"]["errorCode"] == "method_not_allowed"


# -- the simulator's own API -------------------------------------------------------------------------


def test_failing_receiver_gets_the_subscription_disabled_and_put_enabled_true_re_enables(
    server: Server,
) -> None:
    sub_id = server.create()
    server.receiver.status = 503
    server.trigger(count=2)
    server.advance(24 * 3600)
    rule = server.http.get(f"/_sim/subscriptions/{sub_id}/disable-rule", headers=AUTH).json()
    assert rule["enabled"] is False
    assert rule["disabledOn"]["total"] >= 4
    assert rule["disabledOn"]["failures"] * 2 > rule["disabledOn"]["total"]
    assert rule["rule"] == {
        "enabled": True,
        "windowHours": 72.0,
        "threshold": 0.5,
        "minSample": 4,
        "unit": "attempts",
    }
    assert rule["disabledReason"].startswith("auto-disabled")
    (listed,) = server.http.get(SUBS, headers=AUTH).json()["Data"]
    assert listed["Enabled"] is False

    seen = len(server.receiver.seen)
    server.receiver.status = 200
    assert check(server.http.put(f"{SUBS}/{sub_id}", json={"Enabled": True}, headers=AUTH)).status_code == 200
    server.advance(3600)
    assert len(server.receiver.seen) > seen  # suspended retries resumed
    rule = server.http.get(f"/_sim/subscriptions/{sub_id}/disable-rule", headers=AUTH).json()
    assert rule["enabled"] is True
    assert rule["disabledAt"] is None


def test_trigger_with_a_payload_delivers_that_body(server: Server) -> None:
    server.create()
    body = {"OrderId": 42, "EventName": "order.created"}
    response = server.trigger(payload=body)
    assert response.status_code == 202
    assert server.receiver.seen[0]["body"]["Body"] == body
    assert response.json()["warnings"] == []


def test_a_payload_that_breaks_the_contract_is_sent_with_warnings(server: Server) -> None:
    server.create()
    response = server.trigger(payload={"EventName": "order.created", "Position": "first"})
    assert response.status_code == 202
    assert len(server.receiver.seen) == 1
    assert any(warning.startswith("/Body/Position") for warning in response.json()["warnings"])


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"event": "nope"}, "unknown_event_name"),
        ({"event": "order.created", "payload": [1]}, "invalid_payload"),
        ({"event": "order.created", "count": 0}, "invalid_parameter"),
        ({"event": "order.created", "seed": -1}, "invalid_parameter"),
        ([], "invalid_request"),
    ],
)
def test_trigger_refuses_bad_input(server: Server, body: object, code: str) -> None:
    response = server.http.post("/_sim/events", json=body, headers=AUTH)
    assert response.status_code == 400
    assert response.json()["error"]["errorCode"] == code


def test_advancing_the_virtual_clock_sends_due_retries(server: Server) -> None:
    server.create()
    server.receiver.status = 500
    server.trigger()
    assert len(server.receiver.seen) == 1
    before = server.http.get("/_sim/clock", headers=AUTH).json()
    after = server.advance(6 * 3600).json()
    assert after["virtual"] is True
    assert len(server.receiver.seen) > 1
    assert after["now"] > before["now"]


@pytest.mark.parametrize(
    "body", [{"seconds": -1}, {"seconds": "x"}, {"to": "yesterday"}, {"to": "2020-01-01T00:00:00Z"}]
)
def test_the_clock_only_moves_forward(server: Server, body: dict[str, object]) -> None:
    response = server.http.post("/_sim/clock/advance", json=body, headers=AUTH)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [{"seconds": 1e300}, {"seconds": 10**30}, {"to": "9999-12-31T23:50:00Z"}, {"to": "9000-01-01T00:00Z"}],
)
def test_the_clock_stops_short_of_the_end_of_time_and_the_sender_keeps_working(
    server: Server, body: dict[str, object]
) -> None:
    """An advance to year 9999 was accepted, and the next publish answered 500 (its retries overflowed)."""
    server.create()
    response = server.http.post("/_sim/clock/advance", json=body, headers=AUTH)
    assert response.status_code == 400, response.text
    assert "stops short of 9000-01-01" in response.json()["error"]["errorMessage"]
    assert server.trigger().status_code == 202
    assert len(server.receiver.seen) == 1


def test_a_built_in_scenario_publishes_to_the_subscriptions(server: Server) -> None:
    server.create(EventNames=["order.created", "order.accepted", "order.dispatched", "order.rejected"])
    names = server.http.get("/_sim/scenarios", headers=AUTH).json()["Data"]
    assert "order-lifecycle" in names
    response = server.http.post("/_sim/scenarios/order-lifecycle", headers=AUTH)
    assert response.status_code == 202
    assert response.json()["eventIds"]
    server.advance(7 * 24 * 3600)
    assert server.receiver.seen
    assert server.http.post("/_sim/scenarios/nope", headers=AUTH).status_code == 404


def test_restart_on_the_same_database_keeps_subscriptions_and_resumes_retries(tmp_path: Path) -> None:
    receiver = Receiver(status=500)
    backend, client = _make(tmp_path, receiver)
    with running(backend) as http:
        Server(http, receiver, backend).create()
        Server(http, receiver, backend).trigger()
    asyncio.run(client.aclose())
    backend.store.close()
    assert len(receiver.seen) == 1

    receiver.status = 200
    backend, client = _make(tmp_path, receiver)
    with running(backend) as http:
        assert http.get(SUBS, headers=AUTH).json()["TotalRecordCount"] == 1
        Server(http, receiver, backend).advance(24 * 3600)
    asyncio.run(client.aclose())
    backend.store.close()
    assert len(receiver.seen) == 2  # the pending retry went out after the restart, and was acknowledged


def test_on_the_wall_clock_deliveries_and_retries_run_in_the_background(tmp_path: Path) -> None:
    receiver = Receiver(status=500)
    store = Store(tmp_path / "wall.db")
    client = httpx.AsyncClient(transport=asgi_transport(receiver.app()))
    sender = Sender(store, clock=make_clock("wall", time_scale=3600.0), client=client)
    backend = Backend(sender, store)
    with running(backend) as http:
        server = Server(http, receiver, backend)
        server.create()
        assert server.trigger().status_code == 202
        for _ in range(2000):  # bounded polling: the 5 s and 5 min retries take ~0.1 s at x3600
            if len(receiver.seen) >= 3:
                break
            http.get("/_sim/health")
        assert len(receiver.seen) >= 3
        assert http.post("/_sim/clock/advance", json={"seconds": 1}, headers=AUTH).status_code == 409
    asyncio.run(client.aclose())
    store.close()


def test_put_enabled_false_disables_and_new_events_are_not_delivered(server: Server) -> None:
    sub_id = server.create()
    assert (
        check(server.http.put(f"{SUBS}/{sub_id}", json={"Enabled": False}, headers=AUTH)).status_code == 200
    )
    server.trigger()
    assert server.receiver.seen == []
    rule = server.http.get(f"/_sim/subscriptions/{sub_id}/disable-rule", headers=AUTH).json()
    assert rule["disabledReason"] == "disabled through the API"


def test_a_subscription_may_start_without_event_names(server: Server) -> None:
    sub_id = server.create(EventNames=[])
    assert check(server.http.get(f"{SUBS}/{sub_id}/events", headers=AUTH)).json()["Data"] == []
    server.trigger()
    assert server.receiver.seen == []


def test_verify_tokens_can_be_masked_in_the_listing_too(tmp_path: Path) -> None:
    receiver = Receiver()
    backend, client = _make(tmp_path, receiver)
    app = create_app(backend, api_token=TOKEN, reveal_verify_token=False)
    with ServerThread(app) as live, httpx.Client(base_url=live.url) as http:
        Server(http, receiver, backend).create()
        (sub,) = check(http.get(SUBS, headers=AUTH)).json()["Data"]
    asyncio.run(client.aclose())
    backend.store.close()
    assert sub["VerifyToken"] == "veri****"


def test_serve_refuses_a_taken_port_and_an_empty_token_in_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from flipdish_sim.simulator.cli import main
    from flipdish_sim.simulator.server.runner import bind

    taken = bind("127.0.0.1", 0)
    taken.listen()
    try:
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "s.db"), "--port", port])
    finally:
        taken.close()
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output
    empty = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "s.db"), "--api-token", " "])
    assert empty.exit_code == 2


@pytest.mark.parametrize("token", ["café", "two words", "tab\there", "\udcff"])
def test_serve_refuses_an_api_token_that_cannot_be_a_header(tmp_path: Path, token: str) -> None:
    from click.testing import CliRunner

    from flipdish_sim.simulator.cli import main

    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "s.db"), "--api-token", token])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "s.db").exists()


def test_serve_on_a_file_that_is_not_a_log_is_one_line_exit_2(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from flipdish_sim.simulator.cli import main

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not sqlite at all " * 10)
    result = CliRunner().invoke(main, ["serve", "--db", str(garbage), "--port", "0"])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"Error: {garbage} is not a flipdish-sim log (not an SQLite file); use a new --db file"
    ]
    assert garbage.read_bytes() == b"not sqlite at all " * 10
