"""The dashboard's Captures page: a listen log's deliveries, verdicts, drift summary; escaped and masked."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from flipdish_sim.contracts.examples import example
from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import Sender
from flipdish_sim.simulator.http._delivery import asgi_transport
from flipdish_sim.simulator.listen import Credentials, judge
from flipdish_sim.simulator.log import CaptureLog, open_log
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.model import Capture
from flipdish_sim.simulator.server.app import create_app
from flipdish_sim.simulator.server.backend import Backend
from flipdish_sim.simulator.server.runner import ServerThread
from flipdish_sim.simulator.wire import legacy_request, v3_request

TOKEN = "dash-token-0123456789"
EVIL = '<script>alert("x")</script>'
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def listen_log(path: Path) -> None:
    """A listen log of three captures (a drifted legacy one, a v3 one, a hostile one), judged."""
    drifted = example("order.created")
    drifted["Body"]["Surprise"] = EVIL  # type: ignore[index]
    legacy = legacy_request("http://x/", drifted, verify_token="tok-SECRET")
    v3 = v3_request(
        "http://x/", "menu.published.v1", example("menu.published.v1"), secrets=["s"], at=NOW, event_id="e"
    )
    captures = [
        Capture("a", NOW, "POST", f"/hook?{EVIL}", legacy.headers, legacy.body),
        Capture("b", NOW, "POST", "/hook", v3.headers, v3.body),
        Capture("c", NOW, "POST", "/hook", (("x-evil", EVIL),), EVIL.encode()),
    ]
    with open_log(path) as store:
        log = CaptureLog(store)
        for capture in captures:
            log.record(capture)
            log.judge(capture.id, judge(capture, Credentials(verify_token="tok-SECRET", secrets=["s"])))
            log.forwarded(
                capture.id, outcome="acknowledged", status=200, duration=0.01, error=None, answered=200
            )


@pytest.fixture
def http(tmp_path: Path) -> Iterator[httpx.Client]:
    listen_log(tmp_path / "listen.db")
    store = Store(tmp_path / "serve.db")
    client = httpx.AsyncClient(transport=asgi_transport(lambda scope, receive, send: None))
    backend = Backend(Sender(store, clock=VirtualClock(), client=client), store)
    app = create_app(backend, api_token=TOKEN, captures_log=tmp_path / "listen.db")
    with ServerThread(app) as live, httpx.Client(base_url=live.url) as http:
        assert http.get("/dashboard", params={"token": TOKEN}).status_code == 303
        yield http
    asyncio.run(client.aclose())
    store.close()


def test_the_captures_page_lists_verdicts_and_the_drift_summary_escaped_and_masked(
    http: httpx.Client,
) -> None:
    page = http.get("/dashboard/captures")
    assert page.status_code == 200
    assert "content-security-policy" in page.headers
    text = page.text
    assert EVIL not in text
    assert "<script>alert" not in text
    assert "tok-SECRET" not in text
    assert "order.created" in text
    assert "menu.published.v1" in text
    assert "/Body/Surprise" in text  # the unknown field, in the drift summary
    assert not re.search(r"<script(?![^>]*src=\"/static/dashboard\.js\")", text)  # no inline script
    assert 'href="/dashboard/captures"' in text  # the nav


def test_a_capture_page_shows_headers_masked_and_the_body(http: httpx.Client) -> None:
    pages = [http.get(f"/dashboard/captures/{seq}") for seq in (1, 2, 3)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    text = "".join(p.text for p in pages)
    assert "tok-SECRET" not in text
    assert "x-verify-token: ***" in text.lower()
    assert "sha256=***" in text  # the v3 signature, kept in the log, masked when shown
    assert EVIL not in text
    assert "&lt;script&gt;" in text
    assert http.get("/dashboard/captures/99").status_code == 404


def test_the_captures_pages_need_the_sign_in(http: httpx.Client) -> None:
    http.cookies.clear()
    answer = http.get("/dashboard/captures")
    assert (answer.status_code, answer.headers["location"]) == (303, "/dashboard")
