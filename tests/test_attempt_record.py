"""Each attempt records where it went and under which subscription version: a later PUT rewrites nothing."""

from __future__ import annotations

import io
import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from flipdish_sim.errors import StoreError
from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import Sender
from flipdish_sim.simulator.http._delivery import asgi_transport
from flipdish_sim.simulator.log._export import export_logs
from flipdish_sim.simulator.log._file import open_log
from flipdish_sim.simulator.log._store import SCHEMA_VERSION, Store
from flipdish_sim.simulator.server.app import create_app
from flipdish_sim.simulator.server.backend import Backend
from flipdish_sim.simulator.server.runner import ServerThread

T0 = datetime(2026, 1, 1, tzinfo=UTC)
TOKEN = "record-api-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SUBS = "/api/v1.0/store/webhooks/app/subscriptions"
WINDOW = {"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"}


def _receiver(paths: list[str]) -> Starlette:
    async def hook(request: Request) -> Response:
        paths.append(request.url.path)
        return Response(b"ok")

    return Starlette(routes=[Route("/old", hook, methods=["POST"]), Route("/new", hook, methods=["POST"])])


def test_a_new_callback_url_leaves_old_attempts_showing_the_old_one(tmp_path: Path) -> None:
    paths: list[str] = []
    store = Store(tmp_path / "server.db")
    client = httpx.AsyncClient(transport=asgi_transport(_receiver(paths)))
    backend = Backend(Sender(store, clock=VirtualClock(T0), client=client), store)
    with ServerThread(create_app(backend, api_token=TOKEN)) as live, httpx.Client(base_url=live.url) as http:
        body = {"CallbackUrl": "http://r.test/old", "EventNames": ["order.created"], "Version": "2.0"}
        sub = http.post(SUBS, json=body, headers=AUTH).json()["Data"]
        assert http.post("/_sim/events", json={"event": "order.created"}, headers=AUTH).status_code == 202
        changed = {"CallbackUrl": "http://r.test/new", "Version": "2.1"}
        assert http.put(f"{SUBS}/{sub}", json=changed, headers=AUTH).status_code == 200
        assert http.post("/_sim/events", json={"event": "order.created"}, headers=AUTH).status_code == 202
        logs = http.get(f"{SUBS}/{sub}/logs", params=WINDOW, headers=AUTH).json()["Data"]
        http.get("/dashboard", params={"token": TOKEN})
        first_page = http.get(f"/dashboard/subscriptions/{sub}/attempts/1")
    exported = io.StringIO()
    export_logs(store, exported)
    store.close()
    assert paths == ["/old", "/new"]
    assert [(r["WebhookSubscriptionCallbackUrl"], r["Version"]) for r in logs] == [
        ("http://r.test/old", "2.0"),
        ("http://r.test/new", "2.1"),
    ]
    records = [json.loads(line) for line in exported.getvalue().splitlines()]
    assert [r["WebhookSubscriptionCallbackUrl"] for r in records] == [
        "http://r.test/old",
        "http://r.test/new",
    ]
    assert first_page.status_code == 200
    assert "http://r.test/old" in first_page.text
    assert "http://r.test/new" not in first_page.text.split("Callback URL", 1)[1].split("</dd>", 1)[0]


def _version_1_log(path: Path) -> None:
    """A log as flipdish-sim wrote it before attempts recorded their URL (schema version 1)."""
    with Store(path) as store:
        sender = Sender(store, clock=VirtualClock(T0), client=httpx.AsyncClient())
        sender.add_subscription("http://r.test/hook", event_names=["order.created"], version="2.0")
        event = sender.publish("order.created", seed=1)
        delivery_id = store.query("SELECT id FROM deliveries")[0][0]
        store.commit()
    db = sqlite3.connect(path)
    db.execute(
        "INSERT INTO attempts (delivery_id, subscription_id, attempt_no, at_us, request_headers, outcome,"
        " status_code, duration, response_headers, response_body, error, state_after, first_attempt_us,"
        " url, version) VALUES (?, 1, 1, 1, '', 'acknowledged', 200, 0.1, '', x'', NULL, 'acknowledged', 1,"
        " '', '')",
        (delivery_id,),
    )
    db.execute("ALTER TABLE attempts DROP COLUMN url")
    db.execute("ALTER TABLE attempts DROP COLUMN version")
    db.execute("ALTER TABLE deliveries DROP COLUMN resend_of")  # schema 3
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    assert event.id


def test_a_version_1_log_is_migrated_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _version_1_log(path)
    with open_log(path) as store:
        (row,) = list(store.attempts())
    assert (row.callback_url, row.version) == ("http://r.test/hook", "2.0")
    with closing(sqlite3.connect(path)) as db:  # closed: 3.13 warns about a connection left to the GC
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_log_of_a_newer_version_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(Exception, match="written by a newer flipdish-sim") as err:
        open_log(path)
    assert "\n" not in str(err.value)
    with pytest.raises(StoreError, match=f"schema version {SCHEMA_VERSION + 1}"):
        Store(path)
