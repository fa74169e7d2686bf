"""The dashboard's HTML and SVG: what a person reads, escaped, with secrets masked."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from receivers import HookReceiver

from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import Sender, SenderPolicy
from flipdish_sim.simulator.http._delivery import asgi_transport
from flipdish_sim.simulator.log._store import AttemptRow, Store
from flipdish_sim.simulator.model._subscription import DisableRecord, Subscription
from flipdish_sim.simulator.policy._disable import DisablePolicy
from flipdish_sim.simulator.server.app import create_app
from flipdish_sim.simulator.server.attempt_page import render_attempt
from flipdish_sim.simulator.server.backend import Backend
from flipdish_sim.simulator.server.chart import Bucket, bucketize, share_gauge_svg, timeline_svg
from flipdish_sim.simulator.server.dashboard import (
    Card,
    TriggerForm,
    excerpt,
    render_overview,
    render_subscription,
)
from flipdish_sim.simulator.server.runner import ServerThread
from flipdish_sim.simulator.server.state import DisableState, EventSummary

T0 = datetime(2026, 1, 1, tzinfo=UTC)
EVIL = '<script>alert("x")</script>'


def _sub(**changes: object) -> Subscription:
    fields: dict[str, object] = {
        "id": 7,
        "callback_url": "http://127.0.0.1:9/hook",
        "family": "legacy",
        "event_names": ("order.created",),
        "verify_token": "super-secret-verify-token",
    }
    fields.update(changes)
    return Subscription(**fields)  # type: ignore[arg-type]


def _rule(**changes: object) -> DisableState:
    fields: dict[str, object] = {
        "subscription_id": 7,
        "enabled": True,
        "window_hours": 72.0,
        "threshold": 0.5,
        "min_sample": 10,
        "unit": "attempts",
        "failures": 3,
        "total": 4,
    }
    fields.update(changes)
    return DisableState(**fields)  # type: ignore[arg-type]


def _attempt(**changes: object) -> AttemptRow:
    fields: dict[str, object] = {
        "id": 1,
        "attempt_no": 1,
        "at": T0,
        "outcome": "http-error",
        "status_code": 500,
        "duration": 0.012,
        "request_headers": (
            ("Content-Type", "application/json"),
            ("X-Verify-Token", "super-secret-verify-token"),
        ),
        "request_body": b'{"Type":"order.created"}',
        "response_headers": (("X-Evil", EVIL),),
        "response_body": EVIL.encode(),
        "error": None,
        "delivery_id": 1,
        "webhook_id": "wh-1",
        "duplicate_of": None,
        "first_attempt_at": T0,
        "event_id": "ev-1",
        "event_name": "order.created",
        "event_created": T0,
        "subscription_id": 7,
        "owner_user_id": 1,
        "callback_url": "http://127.0.0.1:9/hook",
        "version": "2.0",
    }
    fields.update(changes)
    return AttemptRow(**fields)  # type: ignore[arg-type]


def _card(sub: Subscription | None = None, **changes: object) -> Card:
    sub = sub or _sub()
    return Card(subscription=sub, rule=_rule(), buckets=(), latest=_attempt(), attempts=1, **changes)  # type: ignore[arg-type]


# -- chart -----------------------------------------------------------------------------------------


def test_bucketize_counts_attempts_and_failures_per_slice() -> None:
    points = [(T0, True), (T0 + timedelta(minutes=30), False), (T0 + timedelta(hours=2), False)]
    buckets = bucketize(points, start=T0, end=T0 + timedelta(hours=2), count=2)
    assert [(b.attempts, b.failures) for b in buckets] == [(2, 1), (1, 1)]


def test_bucketize_drops_points_outside_the_window() -> None:
    points = [(T0 - timedelta(seconds=1), False), (T0 + timedelta(hours=3), True)]
    assert sum(b.attempts for b in bucketize(points, start=T0, end=T0 + timedelta(hours=1))) == 0


def test_bucketize_refuses_an_empty_window() -> None:
    with pytest.raises(ValueError, match="end after start"):
        bucketize([], start=T0, end=T0)


@given(st.lists(st.tuples(st.integers(0, 3600), st.booleans()), max_size=50), st.integers(1, 30))
def test_every_point_in_the_window_is_counted_once(offsets: list[tuple[int, bool]], count: int) -> None:
    points = [(T0 + timedelta(seconds=s), ok) for s, ok in offsets]
    buckets = bucketize(points, start=T0, end=T0 + timedelta(hours=1), count=count)
    assert sum(b.attempts for b in buckets) == len(points)
    assert sum(b.failures for b in buckets) == sum(1 for _, ok in points if not ok)


def test_timeline_is_well_formed_svg_with_totals() -> None:
    buckets = (Bucket(T0, 4, 1), Bucket(T0 + timedelta(minutes=5), 2, 2))
    svg = timeline_svg(buckets, title="a < b")
    root = ElementTree.fromstring(svg)
    assert root.get("data-attempts") == "6"
    assert root.get("data-failures") == "3"
    assert len(root.findall("{http://www.w3.org/2000/svg}rect")) == 4
    assert "a &lt; b" in svg


def test_gauge_marks_the_threshold_and_turns_red_above_it() -> None:
    assert 'class="over"' in share_gauge_svg(0.6)
    assert 'class="under"' in share_gauge_svg(0.4)
    assert 'x1="100.0"' in share_gauge_svg(0.2, threshold=0.5, width=200)


# -- pages -----------------------------------------------------------------------------------------


def test_receiver_script_is_rendered_as_text_never_as_markup() -> None:
    page = render_subscription(
        _card(), events=[], attempts=[_attempt()], csrf="c", clock="2026-01-01 00:00:00 (virtual)"
    )
    assert EVIL not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert re.findall(r"<script\b[^>]*>", page) == ['<script src="/static/dashboard.js" defer>']


def test_verify_token_never_appears_on_a_page() -> None:
    card = _card()
    pages = [
        render_overview([card], event_names=["order.created"], csrf="c", clock="now"),
        render_subscription(card, events=[], attempts=[_attempt()], csrf="c", clock="now"),
    ]
    for page in pages:
        assert "super-secret-verify-token" not in page
        assert "supe****" in page


def test_callback_url_from_the_api_is_escaped() -> None:
    page = render_overview(
        [_card(_sub(callback_url='http://x/"><img src=y>'))], event_names=[], csrf="c", clock=""
    )
    assert '"><img' not in page


def test_disabled_subscription_shows_when_why_numbers_and_a_re_enable_button() -> None:
    record = DisableRecord(
        at=T0 + timedelta(hours=5), reason="auto-disable", failures=12, sample=20, window_seconds=72 * 3600
    )
    page = render_overview(
        [_card(_sub(enabled=False, disabled=record))], event_names=[], csrf="tok", clock=""
    )
    assert 'data-enabled="false"' in page
    assert "Disabled" in page
    assert "12 of 20 attempts failed (60%) in 72 h" in page
    assert "2026-01-01 05:00:00" in page
    assert page.count("Disabled") == 1  # stated once, with human times (no microsecond ISO)
    assert "+00:00" not in re.sub(r"<[^>]+>", "", page)  # ISO only in <time datetime>, not in the text
    assert 'action="/dashboard/subscriptions/7/enable"' in page
    assert 'name="csrf" value="tok"' in page


def test_enabled_subscription_has_no_re_enable_button() -> None:
    page = render_overview([_card()], event_names=["order.created"], csrf="c", clock="")
    assert "re-enable" not in page
    assert 'data-enabled="true"' in page


def test_failure_share_is_shown_against_the_50_percent_line() -> None:
    page = render_overview([_card()], event_names=[], csrf="c", clock="")
    assert "3 of 4 attempts failed (75%); disabled above 50% with at least 10 in 72 h" in page


def test_share_after_a_re_enable_says_where_its_window_starts() -> None:
    card = Card(subscription=_sub(), rule=_rule(window_since=T0), buckets=(), latest=None, attempts=0)
    page = render_overview([card], event_names=[], csrf="c", clock="")
    assert "counted since the re-enable at" in page


def test_latest_response_shows_status_and_an_escaped_excerpt() -> None:
    page = render_overview([_card()], event_names=[], csrf="c", clock="")
    assert re.search(r'class="latest">500 at .*<code class="excerpt">&lt;script&gt;', page)


def test_details_list_each_attempt_with_status_or_failure_class_duration_and_time() -> None:
    attempts = [
        _attempt(
            id=2,
            attempt_no=2,
            outcome="timeout",
            status_code=None,
            duration=10.0,
            at=T0 + timedelta(minutes=1),
        ),
        _attempt(),
    ]
    page = render_subscription(_card(), events=[], attempts=attempts, csrf="c", clock="")
    rows = re.findall(r'<tr class="attempt" data-outcome="([^"]+)"', page)
    assert rows == ["timeout", "http-error"]
    assert "10000 ms" in page
    assert "12 ms" in page
    assert ">500<" in page
    assert "2026-01-01 00:01:00" in page


def test_attempt_page_masks_request_headers_even_if_stored_unmasked() -> None:
    page = render_attempt(_attempt(), clock="")
    assert "X-Verify-Token: ***" in page
    assert "super-secret-verify-token" not in page


def test_attempt_page_shows_both_bodies_escaped() -> None:
    page = render_attempt(_attempt(), clock="")
    assert "&quot;Type&quot;: &quot;order.created&quot;" in page  # indented for reading
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert EVIL not in page
    assert "X-Evil: &lt;script&gt;" in page


def test_excerpt_is_one_short_line() -> None:
    assert excerpt(b"a\n  b\tc") == "a b c"
    assert excerpt(b"x" * 500, 10) == "x" * 10 + "…"


def test_events_table_counts_attempts_and_shows_the_latest_response() -> None:
    summary = EventSummary(
        delivery_id=1,
        event_id="ev-9",
        event_name="order.accepted",
        attempts=3,
        state="acknowledged",
        duplicate=True,
        latest_at=T0,
        latest_outcome="acknowledged",
        latest_status=204,
    )
    page = render_subscription(_card(), events=[summary], attempts=[], csrf="c", clock="")
    assert re.search(r"<td class='count'>3</td><td class='state'>acknowledged</td><td>204</td>", page)
    assert "duplicate" in page
    assert "<th></th>" not in page  # every column says what it holds


def test_a_pending_delivery_shows_its_next_attempt_number_and_time() -> None:
    summary = EventSummary(
        delivery_id=1,
        event_id="ev-9",
        event_name="order.accepted",
        attempts=2,
        state="pending",
        duplicate=False,
        latest_at=T0,
        latest_outcome="http-error",
        latest_status=500,
        next_attempt_at=T0 + timedelta(minutes=10),
    )
    page = render_subscription(_card(), events=[summary], attempts=[], csrf="c", clock="")
    assert re.search(r"attempt 3, next retry at <time[^>]*>2026-01-01 00:10:00</time>", page)


def test_a_manual_disable_states_its_reason_once() -> None:
    record = DisableRecord(at=T0, reason="disabled through the API")
    page = render_overview([_card(_sub(enabled=False, disabled=record))], event_names=[], csrf="c", clock="")
    assert page.count("disabled through the API") == 1
    assert "since <time" in page


def test_the_trigger_form_shows_again_what_was_sent() -> None:
    sent = TriggerForm(event="menu.updated", seed=42, count=3)
    page = render_overview([], event_names=["order.created", "menu.updated"], csrf="c", clock="", sent=sent)
    assert '<option value="menu.updated" selected>' in page
    assert 'name="seed" value="42"' in page
    assert 'name="count" value="3"' in page


def test_long_bodies_are_cut_and_say_so() -> None:
    page = render_attempt(_attempt(response_body=b"a" * 70_000), clock="")
    assert "(4464 more bytes)" in page


def test_trigger_form_lists_the_catalogue() -> None:
    page = render_overview([], event_names=["order.created", "menu.updated"], csrf="c", clock="")
    assert '<option value="menu.updated">' in page
    assert 'action="/dashboard/trigger"' in page
    assert "No subscriptions yet" in page


# -- the dashboard over HTTP: sign-in link, cookie, CSRF-safe forms ------------------------------------

TOKEN = "dashboard-test-token"


@dataclass
class _Site:
    http: httpx.Client
    receiver: HookReceiver
    backend: Backend
    sub_id: int

    def sign_in(self) -> None:
        response = self.http.get("/dashboard", params={"token": TOKEN})
        assert response.status_code == 303

    def csrf(self) -> str:
        match = re.search(r'name="csrf" value="([^"]+)"', self.http.get("/dashboard").text)
        assert match is not None
        return match.group(1)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[_Site]:
    receiver = HookReceiver(status=500, body=EVIL.encode())
    store = Store(tmp_path / "dash.db")
    client = httpx.AsyncClient(transport=asgi_transport(receiver.app()))
    policy = SenderPolicy(disable=DisablePolicy(min_sample=3))
    sender = Sender(store, clock=VirtualClock(), client=client, policy=policy)
    backend = Backend(sender, store)
    sub = sender.add_subscription(
        "http://receiver.test/hook", event_names=["order.created"], verify_token="tok-12345678"
    )
    with ServerThread(create_app(backend, api_token=TOKEN)) as live, httpx.Client(base_url=live.url) as http:
        yield _Site(http, receiver, backend, sub.id)
    asyncio.run(client.aclose())
    store.close()


def test_dashboard_needs_the_sign_in_link(site: _Site) -> None:
    assert site.http.get("/dashboard").status_code == 401
    assert site.http.get("/dashboard", params={"token": "wrong"}).status_code == 401
    assert "Sign in" in site.http.get("/dashboard").text


def test_sign_in_link_sets_a_strict_http_only_cookie_without_the_token(site: _Site) -> None:
    response = site.http.get("/dashboard", params={"token": TOKEN})
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert TOKEN not in cookie
    assert site.http.get("/dashboard").status_code == 200


def test_pages_forbid_inline_scripts_and_framing(site: _Site) -> None:
    site.sign_in()
    headers = site.http.get("/dashboard").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


def test_receiver_script_shows_as_text_on_the_details_page(site: _Site) -> None:
    site.sign_in()
    site.http.post("/dashboard/trigger", data={"event": "order.created", "count": "1", "csrf": site.csrf()})
    page = site.http.get(f"/dashboard/subscriptions/{site.sub_id}").text
    assert len(site.receiver.seen) == 1
    assert EVIL not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "tok-12345678" not in page


def _disable(site: _Site) -> None:
    csrf = site.csrf()
    for _ in range(3):
        site.http.post("/dashboard/trigger", data={"event": "order.created", "count": "1", "csrf": csrf})
    assert site.backend.subscription(site.sub_id).enabled is False


@pytest.mark.parametrize(
    ("form", "headers"),
    [
        ({}, {}),
        ({"csrf": "forged"}, {}),
        (None, {"Origin": "http://evil.example"}),
        (None, {"Origin": "null"}),
    ],
)
def test_re_enable_refuses_forged_forms(
    site: _Site, form: dict[str, str] | None, headers: dict[str, str]
) -> None:
    site.sign_in()
    _disable(site)
    data = {"csrf": site.csrf()} if form is None else form
    response = site.http.post(f"/dashboard/subscriptions/{site.sub_id}/enable", data=data, headers=headers)
    assert response.status_code == 303
    assert response.headers["location"].endswith("?flash=refused")
    assert site.backend.subscription(site.sub_id).enabled is False


def test_re_enable_without_the_cookie_is_refused(site: _Site) -> None:
    site.sign_in()
    _disable(site)
    csrf = site.csrf()
    site.http.cookies.clear()
    site.http.post(f"/dashboard/subscriptions/{site.sub_id}/enable", data={"csrf": csrf})
    assert site.backend.subscription(site.sub_id).enabled is False


def test_re_enable_button_re_enables_and_deliveries_resume(site: _Site) -> None:
    site.sign_in()
    _disable(site)
    page = site.http.get("/dashboard").text
    assert 'data-enabled="false"' in page
    assert "3 of 3 attempts failed (100%)" in page
    hits = len(site.receiver.seen)
    site.receiver.status = 200
    response = site.http.post(f"/dashboard/subscriptions/{site.sub_id}/enable", data={"csrf": site.csrf()})
    assert response.headers["location"].endswith("?flash=enabled")
    assert site.backend.subscription(site.sub_id).enabled is True
    advance = {"seconds": 3600}
    site.http.post("/_sim/clock/advance", json=advance, headers={"Authorization": f"Bearer {TOKEN}"})
    assert len(site.receiver.seen) > hits  # the suspended retries went out
    assert "Webhook re-enabled" in site.http.get(response.headers["location"]).text


def test_the_send_form_keeps_its_values_after_sending(site: _Site) -> None:
    site.sign_in()
    form = {"event": "order.created", "seed": "7", "count": "2", "csrf": site.csrf()}
    page = site.http.post("/dashboard/trigger", data=form, follow_redirects=True).text
    assert "Event sent" in page
    assert 'name="seed" value="7"' in page
    assert 'name="count" value="2"' in page
    assert '<option value="order.created" selected>' in page


def test_the_header_clock_says_it_is_simulated_on_the_virtual_clock(site: _Site) -> None:
    site.sign_in()
    page = site.http.get("/dashboard").text
    assert "simulated (virtual clock" in page
    assert "wall clock" not in page


def test_a_compressed_wall_clock_is_labelled_simulated_with_its_scale() -> None:
    from flipdish_sim.simulator.clock import WallClock

    with Store(":memory:") as store:
        backend = Backend(Sender(store, clock=WallClock(60)), store)
        assert "simulated, ×60 real time" in backend.clock_label()
        assert "wall clock" in Backend(Sender(store, clock=WallClock(1)), store).clock_label()


def _delivery_ids(site: _Site) -> list[int]:
    page = site.http.get(f"/dashboard/subscriptions/{site.sub_id}").text
    return [int(d) for d in re.findall(r'<tr class="event"[^>]* data-delivery="(\d+)"', page)]


def test_resend_button_sends_the_event_again_as_a_manual_resend(site: _Site) -> None:
    site.sign_in()
    site.receiver.status = 200
    site.http.post("/dashboard/trigger", data={"event": "order.created", "count": "1", "csrf": site.csrf()})
    (delivery,) = _delivery_ids(site)
    page = site.http.get(f"/dashboard/subscriptions/{site.sub_id}").text
    action = f"/dashboard/subscriptions/{site.sub_id}/deliveries/{delivery}/resend"
    assert page.count(f'action="{action}"') == 2  # on the event's row and on its attempt's row
    response = site.http.post(action, data={"csrf": site.csrf()})
    assert response.headers["location"].endswith("?flash=resent")
    assert len(site.receiver.seen) == 2  # through the sender: on the virtual clock it goes out at once
    page = site.http.get(response.headers["location"]).text
    assert "Resent:" in page
    assert re.search(r'<tr class="event"[^>]*data-kind="manual resend"', page)
    assert re.search(r'<tr class="attempt"[^>]*data-kind="manual resend"', page)


def test_resend_refuses_forged_forms_and_other_webhooks_deliveries(site: _Site) -> None:
    site.sign_in()
    site.http.post("/dashboard/trigger", data={"event": "order.created", "count": "1", "csrf": site.csrf()})
    (delivery,) = _delivery_ids(site)
    action = f"/dashboard/subscriptions/{site.sub_id}/deliveries/{delivery}/resend"
    assert site.http.post(action, data={"csrf": "forged"}).headers["location"].endswith("?flash=refused")
    other = site.backend.sender.add_subscription("http://receiver.test/other", event_names=["menu.updated"])
    elsewhere = f"/dashboard/subscriptions/{other.id}/deliveries/{delivery}/resend"
    assert site.http.post(elsewhere, data={"csrf": site.csrf()}).status_code == 404
    unknown = f"/dashboard/subscriptions/{site.sub_id}/deliveries/999/resend"
    assert site.http.post(unknown, data={"csrf": site.csrf()}).status_code == 404
    assert len(site.receiver.seen) == 1


def test_a_disabled_webhook_offers_no_resend_and_refuses_one(site: _Site) -> None:
    site.sign_in()
    _disable(site)
    page = site.http.get(f"/dashboard/subscriptions/{site.sub_id}").text
    assert "/resend" not in page
    delivery = _delivery_ids(site)[0]
    action = f"/dashboard/subscriptions/{site.sub_id}/deliveries/{delivery}/resend"
    response = site.http.post(action, data={"csrf": site.csrf()})
    assert response.headers["location"].endswith("?flash=resend-disabled")


def test_trigger_form_refuses_unknown_events(site: _Site) -> None:
    site.sign_in()
    response = site.http.post("/dashboard/trigger", data={"event": "nope", "csrf": site.csrf()})
    assert response.headers["location"].endswith("?flash=bad-event")
    assert site.receiver.seen == []


def test_each_attempt_opens_on_demand_with_its_request_and_response(site: _Site) -> None:
    site.sign_in()
    site.http.post("/dashboard/trigger", data={"event": "order.created", "count": "1", "csrf": site.csrf()})
    details = site.http.get(f"/dashboard/subscriptions/{site.sub_id}").text
    link = re.search(r'class="open-attempt" href="([^"]+)"', details)
    assert link is not None
    page = site.http.get(link.group(1))
    assert page.status_code == 200
    assert "X-Verify-Token: ***" in page.text
    assert "&quot;Type&quot;: &quot;order.created&quot;" in page.text
    assert EVIL not in page.text
    other = link.group(1).replace(f"/subscriptions/{site.sub_id}/", "/subscriptions/99/")
    assert site.http.get(other).status_code == 404
    assert site.http.get(f"/dashboard/subscriptions/{site.sub_id}/attempts/999").status_code == 404


def test_each_attempt_copies_as_a_curl_script_without_its_secrets(site: _Site) -> None:
    site.sign_in()
    site.http.post("/dashboard/trigger", data={"event": "order.created", "count": "1", "csrf": site.csrf()})
    details = site.http.get(f"/dashboard/subscriptions/{site.sub_id}").text
    match = re.search(r'class="secondary small copy" data-copy-url="([^"]+)"', details)
    assert match is not None
    script = site.http.get(match.group(1))
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/plain")
    assert script.text.startswith("#!/bin/sh")
    assert "curl -sS -i -X POST http://receiver.test/hook" in script.text
    assert '-H "X-Verify-Token: $FLIPDISH_SIM_VERIFY_TOKEN"' in script.text
    assert "tok-12345678" not in script.text
    page = site.http.get(match.group(1).removesuffix("/curl")).text
    assert 'data-copy-target="curl-script"' in page
    assert "tok-12345678" not in page
    site.http.cookies.clear()
    assert site.http.get(match.group(1)).status_code == 401


def test_the_details_page_filters_its_lists_from_the_query_string(site: _Site) -> None:
    site.sign_in()
    site.http.post("/dashboard/trigger", data={"event": "order.created", "count": "2", "csrf": site.csrf()})
    base = f"/dashboard/subscriptions/{site.sub_id}"
    everything = site.http.get(base).text
    assert everything.count('<tr class="attempt"') == 2
    none = site.http.get(base, params={"outcome": "acknowledged"})
    assert none.status_code == 200
    assert "No attempts match these filters." in none.text
    assert "No events match these filters." in none.text
    failed = site.http.get(base, params={"outcome": "http-error", "type": "order.created"}).text
    assert failed.count('<tr class="attempt"') == 2
    assert '<option value="http-error" selected>' in failed
    bad = site.http.get(base, params={"outcome": "<script>"})
    assert bad.status_code == 400
    assert "filter outcome" in bad.text
    assert "<script>" not in bad.text.split("<main>", 1)[1]
    assert bad.text.count('<tr class="attempt"') == 2  # shown unfiltered, and says so


def test_unknown_subscription_page_is_a_404(site: _Site) -> None:
    site.sign_in()
    assert site.http.get("/dashboard/subscriptions/999").status_code == 404


def test_assets_are_served_from_the_package_and_nothing_else(site: _Site) -> None:
    css = site.http.get("/static/dashboard.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert site.http.get("/static/dashboard.js").headers["content-type"].startswith("text/javascript")
    assert site.http.get("/static/__init__.py").status_code == 404
    page = site.http.get("/dashboard?token=" + TOKEN, follow_redirects=True).text
    assert re.findall(r'(?:src|href)="(https?:)?//', page) == []  # no external assets


# -- bad input on the dashboard (issue 10): a 4xx or a flash, never a 500 -----------------------------

HUGE = str(2**63)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/dashboard/subscriptions/{HUGE}"),
        ("GET", f"/dashboard/subscriptions/1/attempts/{HUGE}"),
        ("GET", f"/dashboard/subscriptions/{HUGE}/attempts/1"),
        ("POST", f"/dashboard/subscriptions/{HUGE}/enable"),
        ("GET", "/dashboard/subscriptions/" + "9" * 40),
    ],
)
def test_an_id_beyond_the_log_s_range_is_a_404(site: _Site, method: str, path: str) -> None:
    site.sign_in()
    response = site.http.request(method, path, data={"csrf": site.csrf()} if method == "POST" else None)
    assert response.status_code == 404, response.text


@pytest.mark.parametrize("count", ["²", "٣", "1e3", "-1", "101", "9" * 5000])
def test_a_count_that_is_not_a_plain_number_is_refused_with_a_flash(site: _Site, count: str) -> None:
    site.sign_in()
    response = site.http.post(
        "/dashboard/trigger", data={"event": "order.created", "count": count, "csrf": site.csrf()}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].endswith("?flash=bad-event")
    assert site.receiver.seen == []
