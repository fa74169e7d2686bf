"""One attempt on demand: its request (headers masked, body) and the response (headers, body), escaped."""

from __future__ import annotations

import json
from collections.abc import Sequence

from flipdish_sim.simulator.log._store import AttemptRow
from flipdish_sim.simulator.server.curl import curl_script
from flipdish_sim.simulator.server.dashboard import h, human_time, kind, render_page, resend_form
from flipdish_sim.simulator.wire._envelope import mask_headers

__all__ = ["BODY_PREVIEW", "render_attempt"]

#: Bytes of a request or response body shown (the rest is cut, and the page says so).
BODY_PREVIEW = 65_536


def _text(body: bytes) -> str:
    cut = body[:BODY_PREVIEW].decode("utf-8", errors="replace")
    return cut + (f"\n… ({len(body) - BODY_PREVIEW} more bytes)" if len(body) > BODY_PREVIEW else "")


def _pretty(body: bytes) -> tuple[str, str]:
    """A JSON body indented for reading (and a note saying so), any other body as text."""
    if len(body) <= BODY_PREVIEW:
        try:
            return json.dumps(
                json.loads(body), indent=2, ensure_ascii=False
            ), " (indented here; sent compact)"
        except ValueError:
            pass
    return _text(body), ""


def _headers(headers: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in headers)


def _curl_section(a: AttemptRow) -> str:
    """The request as a curl script, with a Copy button (dashboard.js) and a plain-text link."""
    link = f"/dashboard/subscriptions/{a.subscription_id}/attempts/{a.id}/curl"
    return (
        '<section class="curl"><h2>Copy as curl</h2>'
        '<p class="hint">The same request again, from a shell: the body inline, the verify token from'
        " <code>$FLIPDISH_SIM_VERIFY_TOKEN</code>, a v3 signature made afresh from"
        " <code>$FLIPDISH_SIM_SECRET</code> (openssl). Secrets never appear here.</p>"
        '<p><button type="button" class="copy" data-copy-target="curl-script">Copy as curl</button>'
        f' <a href="{link}" class="curl-text">as a plain-text script</a>'
        ' <span class="copied" role="status" aria-live="polite"></span></p>'
        f'<pre id="curl-script" class="curl-script">{h(curl_script(a))}</pre></section>'
    )


def render_attempt(a: AttemptRow, *, clock: str, csrf: str = "", enabled: bool = True) -> str:
    """The page of one attempt of subscription ``a.subscription_id``."""
    status = str(a.status_code) if a.status_code is not None else "no HTTP response"
    back = f"/dashboard/subscriptions/{a.subscription_id}"
    request_body, note = _pretty(a.request_body)
    content = (
        f'<p><a href="{back}">← Webhook details #{a.subscription_id}</a></p>'
        f"<h1>Attempt {a.attempt_no} of <code>{h(a.event_name)}</code></h1>"
        '<section class="card"><dl class="facts">'
        f"<dt>Time</dt><dd>{human_time(a.at, ms=True)} UTC</dd>"
        f'<dt>Outcome</dt><dd class="outcome">{h(a.outcome)} ({h(status)})</dd>'
        f"<dt>Duration</dt><dd>{a.duration * 1000:.0f} ms</dd>"
        f"<dt>FlipdishEventId</dt><dd><code>{h(a.event_id)}</code></dd>"
        f"<dt>FlipdishWebhookId</dt><dd><code>{h(a.webhook_id)}</code></dd>"
        f"<dt>Delivery</dt><dd>{h(kind(a.duplicate_of is not None, a.resend_of))}"
        f"{f' of delivery {a.resend_of}' if a.resend_of is not None else ''}"
        f" {resend_form(a.subscription_id, a.delivery_id, csrf, enabled=enabled and bool(csrf))}</dd>"
        f"<dt>Callback URL</dt><dd>{h(a.callback_url)}</dd>"
        f"{f'<dt>Error</dt><dd>{h(a.error)}</dd>' if a.error else ''}</dl></section>"
        f"<h2>Request headers</h2><pre>{h(_headers(mask_headers(a.request_headers)))}</pre>"
        f"<h2>Request body{note}</h2><pre>{h(request_body)}</pre>"
        f"<h2>Response headers</h2><pre>{h(_headers(a.response_headers))}</pre>"
        f'<h2>Response body</h2><pre class="response-body">{h(_text(a.response_body))}</pre>'
        f"{_curl_section(a)}"
    )
    return render_page(f"Attempt {a.id}", content, clock=clock)
