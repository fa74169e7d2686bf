"""The dashboard in a real browser: a failing receiver gets its webhook disabled; re-enable brings it back;
the details page as a workbench (auto-refresh and its pause, filters, copy as curl, resend); the Captures
view of a listen log.

Playwright drives Debian's Chromium headless (``/usr/bin/chromium``; ``playwright install`` cannot download a
browser here). The simulator runs on the virtual clock, moved through its own API; the receiver is a real
HTTP server on 127.0.0.1 that fails until the test fixes it. No sleeps: Playwright's ``expect`` waits on
conditions, with timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from flipdish_sim.simulator.engine import Sender
from flipdish_sim.simulator.http._delivery import make_client
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.server.app import create_app
from flipdish_sim.simulator.server.backend import Backend
from flipdish_sim.simulator.server.launch import make_clock
from flipdish_sim.simulator.server.runner import ServerThread

CHROMIUM = "/usr/bin/chromium"
TOKEN = "browser-test-token"
API = {"Authorization": f"Bearer {TOKEN}"}
SUBS = "/api/v1.0/app/webhooks/oauth/subscriptions"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason=f"Chromium is not installed at {CHROMIUM}"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")


class FlakyReceiver(ThreadingHTTPServer):
    """Answers 500 with a script in the body until ``fixed`` is set, then 200."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fixed = threading.Event()
        self.acknowledged = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: FlakyReceiver

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ok = self.server.fixed.is_set()
        body = b"thanks" if ok else b"<script>alert('xss')</script> down for maintenance"
        self.send_response(200 if ok else 500)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.acknowledged += ok

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[FlakyReceiver]:
    server = FlakyReceiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[tuple[str, httpx.Client]]:
    store = Store(tmp_path / "browser.db")
    client = make_client()
    sender = Sender(store, clock=make_clock("virtual"), client=client)
    backend = Backend(sender, store)
    with (
        ServerThread(create_app(backend, api_token=TOKEN)) as live,
        httpx.Client(base_url=live.url, headers=API, timeout=30) as api,
    ):
        yield live.url, api
    asyncio.run(client.aclose())
    store.close()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, closed on exit."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()


def _fail_until_disabled(api: httpx.Client, sub_id: int) -> dict[str, object]:
    for _ in range(50):  # bounded: the default rule needs 10 attempts, an event makes up to 8
        rule = api.get(f"/_sim/subscriptions/{sub_id}/disable-rule").json()
        if rule["enabled"] is False:
            return dict(rule)
        api.post("/_sim/events", json={"event": "order.created"}).raise_for_status()
        api.post("/_sim/clock/advance", json={"seconds": 600}).raise_for_status()
    raise AssertionError("the subscription was never disabled")


def test_disabled_webhook_is_shown_re_enabled_by_a_click_and_deliveries_resume(
    simulator: tuple[str, httpx.Client], receiver: FlakyReceiver
) -> None:
    url, api = simulator
    body = {"CallbackUrl": receiver.url, "EventNames": ["order.created"], "VerifyToken": "verify-token-123"}
    sub_id = api.post(SUBS, json=body).json()["Data"]
    rule = _fail_until_disabled(api, sub_id)
    assert str(rule["disabledReason"]).startswith("auto-disabled")

    expect = sync_api.expect
    with chromium() as browser:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{url}/dashboard?token={TOKEN}")
        expect(page).to_have_url(f"{url}/dashboard")
        card = page.locator(f"#subscription-{sub_id}")
        expect(card).to_have_attribute("data-enabled", "false", timeout=10_000)
        expect(card.locator(".status.disabled")).to_have_text("Disabled")
        expect(card.locator(".disabled-detail")).to_contain_text("attempts failed")

        page.click(f"#subscription-{sub_id} h2 a")
        expect(page.locator("tr.attempt").first).to_contain_text("500")
        expect(page.locator("tr.attempt").first).to_contain_text("<script>alert('xss')</script>")
        page.locator("a.open-attempt").first.click()
        expect(page.locator("pre.response-body")).to_have_text(
            "<script>alert('xss')</script> down for maintenance"
        )
        expect(page.locator("pre").first).to_contain_text("X-Verify-Token: ***")
        page.go_back()

        receiver.fixed.set()
        page.click(f"button.re-enable[data-subscription='{sub_id}']")
        expect(page.locator(".flash")).to_contain_text("re-enabled")
        expect(page.locator(f"#subscription-{sub_id}")).to_have_attribute("data-enabled", "true")

        api.post("/_sim/clock/advance", json={"seconds": 3600}).raise_for_status()
        page.reload()
        acknowledged = page.locator('tr.attempt[data-outcome="acknowledged"]')
        expect(acknowledged.first).to_be_visible(timeout=10_000)
        assert receiver.acknowledged > 0

        before = receiver.acknowledged
        page.goto(f"{url}/dashboard")
        page.select_option("#trigger-event", "order.created")
        page.click("#trigger-send")
        expect(page.locator(".flash")).to_contain_text("Event sent")
        assert (
            receiver.acknowledged == before + 1
        )  # the virtual clock sends a new event's first attempt at once
        assert dialogs == []  # the receiver's <script> never ran

    logs = api.get(
        f"{SUBS}/{sub_id}/logs",
        params={"start": "2000-01-01T00:00:05Z", "end": "2100-01-01T00:00:00Z", "limit": 500},
    ).json()
    assert any(record["HttpResponseStatusCode"] == "200" for record in logs["Data"])
    assert "verify-token-123" not in json.dumps(logs)


def _rows(page: object, selector: str) -> int:
    return int(page.locator(selector).count())  # type: ignore[attr-defined]


def test_the_details_page_as_a_workbench_resend_copy_as_curl_filters_and_auto_refresh(
    simulator: tuple[str, httpx.Client], receiver: FlakyReceiver
) -> None:
    url, api = simulator
    receiver.fixed.set()
    body = {"CallbackUrl": receiver.url, "EventNames": ["order.created"], "VerifyToken": "verify-token-123"}
    sub_id = api.post(SUBS, json=body).json()["Data"]
    api.post("/_sim/events", json={"event": "order.created"}).raise_for_status()

    expect = sync_api.expect
    with chromium() as browser:
        context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(f"{url}/dashboard?token={TOKEN}")
        page.goto(f"{url}/dashboard/subscriptions/{sub_id}")
        attempts = page.locator("tr.attempt")
        expect(attempts).to_have_count(1)

        # Auto-refresh swaps the lists in place (no reload: the marker survives).
        page.evaluate("window.flipdishMarker = 1")
        toggle = page.locator("#refresh-toggle")
        expect(toggle).to_have_attribute("data-paused", "false")
        api.post("/_sim/events", json={"event": "order.created"}).raise_for_status()
        expect(attempts).to_have_count(2, timeout=20_000)
        assert page.evaluate("window.flipdishMarker") == 1

        # Paused, nothing moves; resumed, the new attempt shows.
        toggle.click()
        expect(toggle).to_have_attribute("data-paused", "true")
        page.evaluate("document.body.dataset.refreshPolls = document.body.dataset.refreshSkipped = '0'")
        api.post("/_sim/events", json={"event": "order.created"}).raise_for_status()
        expect(page.locator("body")).to_have_attribute("data-refresh-polls", "1", timeout=20_000)
        expect(page.locator("body")).to_have_attribute("data-refresh-skipped", "1")  # that poll
        expect(attempts).to_have_count(2)
        toggle.click()
        expect(attempts).to_have_count(3, timeout=20_000)

        # A form being edited is never swapped away.
        since = page.locator("#filter-since")
        since.fill("2000-01-01T00:00:05")
        page.evaluate("document.body.dataset.refreshSkipped = '0'")
        expect(page.locator("body")).to_have_attribute("data-refresh-skipped", "1", timeout=20_000)
        expect(since).to_have_value("2000-01-01T00:00:05")

        # Filters: server-side, kept in the address.
        page.select_option("#filter-outcome", "timeout")
        page.click("#filter-apply")
        expect(page).to_have_url(re.compile(r"outcome=timeout"))
        expect(page.locator("p.empty").first).to_contain_text("match these filters")
        page.select_option("#filter-outcome", "acknowledged")
        page.fill("#filter-since", "")
        page.click("#filter-apply")
        expect(attempts).to_have_count(3)
        expect(page.locator("#filter-outcome")).to_have_value("acknowledged")
        page.click("a.clear-filters")
        expect(page).to_have_url(f"{url}/dashboard/subscriptions/{sub_id}")

        # Copy as curl: the exact request, the token as an environment variable.
        copy = page.locator("tr.attempt button.copy").first
        copy.click()
        expect(copy).to_have_class(re.compile(r"\bdone\b"))
        copied = str(page.evaluate("navigator.clipboard.readText()"))
        assert copied.startswith("#!/bin/sh")
        assert f"curl -sS -i -X POST {receiver.url}" in copied
        assert '-H "X-Verify-Token: $FLIPDISH_SIM_VERIFY_TOKEN"' in copied
        assert "verify-token-123" not in copied
        assert copy.get_attribute("data-copied") == copied

        # Resend through the sender: a new delivery, labelled a manual resend.
        before = receiver.acknowledged
        page.locator("tr.event button.resend").first.click()
        expect(page.locator(".flash")).to_contain_text("Resent")
        expect(page.locator('tr.event[data-kind="manual resend"]')).to_have_count(1)
        expect(page.locator('tr.attempt[data-kind="manual resend"]')).to_have_count(1)
        assert receiver.acknowledged == before + 1
        page.locator('tr.attempt[data-kind="manual resend"] a.open-attempt').click()
        expect(page.locator("dl.facts")).to_contain_text("manual resend of delivery")
        page.click("section.curl button.copy")
        expect(page.locator("section.curl .copied")).to_have_text("Copied to the clipboard.")
        assert "verify-token-123" not in str(page.evaluate("navigator.clipboard.readText()"))
        assert errors == []


def test_the_captures_view_shows_verdicts_and_drift_escaped_and_masked(tmp_path: Path) -> None:
    from test_dashboard_captures import EVIL, listen_log

    listen_log(tmp_path / "listen.db")
    store = Store(tmp_path / "serve.db")
    client = make_client()
    backend = Backend(Sender(store, clock=make_clock("virtual"), client=client), store)
    expect = sync_api.expect
    try:
        with (
            ServerThread(create_app(backend, api_token=TOKEN, captures_log=tmp_path / "listen.db")) as live,
            chromium() as browser,
        ):
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(f"{live.url}/dashboard?token={TOKEN}")
            page.click("nav >> text=Captures")
            expect(page).to_have_url(f"{live.url}/dashboard/captures")
            drift = page.locator("table.drift")
            expect(drift).to_contain_text("order.created")
            expect(drift).to_contain_text("/Body/Surprise")  # the field Flipdish sent, unknown
            rows = page.locator("table.captures tr")
            expect(rows).to_have_count(4)  # a header and three captures
            expect(page.locator("table.captures")).to_contain_text("menu.published.v1")
            page.locator("table.captures a").last.click()  # the oldest: the drifted legacy one
            expect(page.locator("main")).to_contain_text(re.compile(r"x-verify-token: \*\*\*", re.I))
            expect(page.locator("main")).to_contain_text(EVIL)  # shown as text, never run
            assert "tok-SECRET" not in page.content()
            assert dialogs == []
    finally:
        asyncio.run(client.aclose())
        store.close()
