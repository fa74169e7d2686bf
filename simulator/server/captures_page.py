"""The dashboard's Captures view: what ``flipdish-sim listen`` recorded, its verdicts and the drift summary.

The captures come from the log named by ``serve --captures FILE`` (a listen log, read without its lock while
``listen`` writes it), or else from the server's own log. Every value is escaped and every header masked
(``CaptureRow.masked``: verify tokens, credentials and signature digests); the page runs no inline script.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import files
from pathlib import Path
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.listen import DriftSummary, drift_summary
from flipdish_sim.simulator.log import (
    CaptureRow,
    Store,
    capture_count,
    find_capture,
    open_log,
    read_captures,
)
from flipdish_sim.simulator.model import ContractVerdict
from flipdish_sim.simulator.server.dashboard import h, render_page
from flipdish_sim.simulator.server.validation import path_id

__all__ = ["PAGE_SIZE", "routes"]

PAGE_SIZE = 500
"""The newest captures listed (the drift summary counts them all)."""
BODY_PREVIEW = 65_536


@cache
def _template() -> Template:
    return Template(files(__package__).joinpath("templates").joinpath("captures.html").read_text("utf-8"))


@contextmanager
def _store(request: Request) -> Iterator[Store]:
    path: Path | None = request.app.state.captures_log
    if path is None:
        yield request.app.state.backend.store
        return
    with open_log(path, existing=True, write=False) as store:
        yield store


def _clock(request: Request) -> str:
    return str(request.app.state.backend.clock_label())


def _signed_in(request: Request) -> bool:
    return bool(request.app.state.keys.session_ok(request))


async def captures(request: Request) -> Response:
    if not _signed_in(request):
        return RedirectResponse("/dashboard", status_code=303)  # the sign-in page
    source = request.app.state.captures_log
    try:
        with _store(request) as store:
            total = capture_count(store)
            summary = drift_summary(row.verdict for row in read_captures(store))
            rows = list(read_captures(store, newest_first=True, limit=PAGE_SIZE))
    except UsageError as err:
        return HTMLResponse(
            render_page("Captures", "<h1>Captures</h1>", clock=_clock(request), flash=str(err), error=True)
        )
    content = _template().substitute(
        source=f"<code>{h(source)}</code>"
        if source
        else "this server's log (start <code>serve --captures FILE</code> to show a listen log)",
        shown=len(rows),
        total=total,
        drift=_drift_table(summary),
        captures=_captures_table(rows),
    )
    return HTMLResponse(render_page("Captures", content, clock=_clock(request), refresh=5))


async def capture(request: Request) -> Response:
    if not _signed_in(request):
        return RedirectResponse("/dashboard", status_code=303)
    seq = path_id(request, "seq", "capture")
    try:
        with _store(request) as store:
            found = find_capture(store, seq=seq)
    except UsageError as err:
        return HTMLResponse(render_page("Capture", "", clock=_clock(request), flash=str(err), error=True))
    if found is None:
        return HTMLResponse(
            render_page("Capture", "<h1>No such capture</h1>", clock=_clock(request)), status_code=404
        )
    return HTMLResponse(render_page(f"Capture {seq}", _capture_page(found), clock=_clock(request)))


def routes() -> list[Route]:
    return [
        Route("/dashboard/captures", captures, methods=["GET"]),
        Route("/dashboard/captures/{seq:digits}", capture, methods=["GET"]),
    ]


def _drift_table(summary: DriftSummary) -> str:
    if not summary.captures:
        return '<p class="empty">No deliveries captured yet.</p>'
    head = _head(
        "Event", "Family", "Seen", "Documented fails", "Observed fails", "Auth fails", "Unknown fields"
    )
    body = "".join(
        f"<tr><td><code>{h(e.event_type)}</code></td><td>{h(e.family)}</td><td>{e.deliveries}</td>"
        f"{_count(e.failures['documented'])}{_count(e.failures['observed'])}{_count(e.auth_failures)}"
        f"<td>{_unknown(e.unknown_fields.items())}</td></tr>"
        for e in summary.events
    )
    note = (
        f'<p class="hint">{summary.unjudged} captures have no verdicts (listen stopped mid-way).</p>'
        if summary.unjudged
        else ""
    )
    return f'<table class="drift">{head}{body}</table>{note}'


def _head(*names: str) -> str:
    return "<tr>" + "".join(f"<th>{h(name)}</th>" for name in names) + "</tr>"


def _unknown(fields: Iterable[tuple[str, int]]) -> str:
    return "<br>".join(f"<code>{h(pointer)}</code> ({n})" for pointer, n in sorted(fields)) or "—"


def _count(n: int) -> str:
    return f'<td class="bad">{n}</td>' if n else '<td class="ok">0</td>'


def _captures_table(rows: list[CaptureRow]) -> str:
    if not rows:
        return (
            '<p class="empty">None yet: point a subscription or <code>flipdish-sim send</code> at'
            " <code>flipdish-sim listen</code>.</p>"
        )
    head = _head("Received", "Event", "Family", "Auth", "Contracts", "Unknown", "Answer", "Latency")
    return f'<table class="captures">{head}{"".join(_capture_row(r) for r in rows)}</table>'


def _capture_row(row: CaptureRow) -> str:
    link = f"/dashboard/captures/{row.seq}"
    at = row.capture.received_at
    time = f'<time datetime="{h(at.isoformat())}">{h(at.strftime("%Y-%m-%d %H:%M:%S"))}</time>'
    verdict = row.verdict
    event = (verdict.event_type if verdict else None) or f"{row.capture.method} {row.capture.path}"
    auth = verdict.auth.value if verdict else "—"
    auth_class = "ok" if auth == "valid" else ("bad" if verdict and auth != "unchecked" else "")
    latency = f"{row.forward_duration * 1000:.0f} ms" if row.forward_duration is not None else "—"
    return (
        f'<tr><td><a href="{link}">{time}</a></td>'
        f"<td><code>{h(event)}</code></td><td>{h((verdict.family if verdict else None) or '—')}</td>"
        f'<td class="{auth_class}">{h(auth)}</td><td>{_contracts(row)}</td>'
        f"<td>{len(verdict.unknown_fields) if verdict and verdict.unknown_fields else '—'}</td>"
        f"<td>{_answer(row)}</td><td>{latency}</td></tr>"
    )


def _contracts(row: CaptureRow) -> str:
    if row.verdict is None:
        return "—"
    parts = []
    for c in row.verdict.contracts:
        if not c.checked:
            parts.append(f'{h(c.profile)}: <span class="muted">unchecked</span>')
        elif c.valid:
            parts.append(f"{h(c.profile)}: ok")
        else:
            pointer, message = c.issues[0]
            failed = f'<span class="bad">{c.count} failed</span>'
            parts.append(f"{h(c.profile)}: {failed} <code>{h(pointer)}</code> {h(message)}")
    return "<br>".join(parts)


def _answer(row: CaptureRow) -> str:
    if row.answered_status is None:
        return "—"
    why = "" if row.forward_status is not None else f" ({h(row.forward_outcome or '')})"
    return f"{row.answered_status}{why}"


def _capture_page(row: CaptureRow) -> str:
    shown = row.masked()
    verdict = row.verdict
    facts = [
        ("Received", shown.received_at.isoformat()),
        ("Request", f"{shown.method} {shown.path}"),
        ("Capture id", shown.id),
    ]
    if verdict is not None:
        facts += [
            ("Family", verdict.family or "unknown"),
            ("Event", verdict.event_type or "unknown"),
            ("Event id", verdict.event_id or "—"),
            ("Authentication", f"{verdict.auth.value}: {verdict.auth_detail}"),
        ]
    facts += [
        ("Forwarded", f"{row.forward_outcome or '—'} {row.forward_status or ''}".strip()),
        ("Answered", str(row.answered_status or "—")),
    ]
    if row.forward_error:
        facts.append(("Error", row.forward_error))
    issues = ""
    if verdict is not None:
        issues = "".join(
            f"<h3>{h(c.profile)}: {_said(c)}</h3>"
            + "".join(f"<p><code>{h(p)}</code> {h(m)}</p>" for p, m in c.issues)
            for c in verdict.contracts
        )
        if verdict.unknown_fields:
            issues += "<h3>Unknown fields</h3>" + "".join(
                f"<p><code>{h(p)}</code></p>" for p in verdict.unknown_fields
            )
    headers = "\n".join(f"{name}: {value}" for name, value in shown.headers)
    return (
        '<p><a href="/dashboard/captures">← Captures</a></p>'
        f"<h1>Capture {row.seq}</h1>"
        '<section class="card"><dl class="facts">'
        + "".join(f"<dt>{h(k)}</dt><dd>{h(v)}</dd>" for k, v in facts)
        + f"</dl></section><h2>Contracts</h2>{issues or '<p>—</p>'}"
        f"<h2>Request headers (secrets masked)</h2><pre>{h(headers)}</pre>"
        f"<h2>Request body ({len(shown.body)} bytes)</h2><pre>{h(_body(shown.body))}</pre>"
    )


def _said(c: ContractVerdict) -> str:
    if not c.checked:
        return f"unchecked: {h(c.note)}"
    return "ok" if c.valid else f"{c.count} failed"


def _body(body: bytes) -> str:
    if len(body) <= BODY_PREVIEW:
        try:
            return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        except ValueError:
            pass
    cut = body[:BODY_PREVIEW].decode("utf-8", errors="replace")
    return cut + (f"\n… ({len(body) - BODY_PREVIEW} more bytes)" if len(body) > BODY_PREVIEW else "")
