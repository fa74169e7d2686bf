"""The dashboard's routes: pages, the one-time token link, and the two POST forms (re-enable, trigger)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.engine._resend import DisabledSubscriptionError
from flipdish_sim.simulator.server.attempt_page import render_attempt
from flipdish_sim.simulator.server.auth import SESSION_COOKIE, TokenKeys
from flipdish_sim.simulator.server.backend import Backend
from flipdish_sim.simulator.server.curl import curl_script
from flipdish_sim.simulator.server.dashboard import (
    TriggerForm,
    render_overview,
    render_page,
    render_subscription,
)
from flipdish_sim.simulator.server.filters import filter_form, parse_filters
from flipdish_sim.simulator.server.state import Filters
from flipdish_sim.simulator.server.v3_page import render_v3_section
from flipdish_sim.simulator.server.validation import path_id, read_body

__all__ = ["routes"]

#: Fixed flash messages (the query names a key; no text from the URL reaches the page).
FLASH = {
    "enabled": ("Webhook re-enabled: pending deliveries resume.", False),
    "sent": ("Event sent: it is delivered on the simulator's schedule.", False),
    "refused": ("That form was refused (stale page or another site): reload the dashboard and retry.", True),
    "bad-event": ("Unknown event name, or a bad seed or count.", True),
    "resent": ("Resent: a new delivery of the same body, logged as a manual resend.", False),
    "resend-disabled": ("This webhook is disabled: re-enable it before resending.", True),
}
_FORM_LIMIT = 16_384


def _keys(request: Request) -> TokenKeys:
    keys: TokenKeys = request.app.state.keys
    return keys


def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


def _flash(request: Request) -> tuple[str, bool]:
    failure = _backend(request).failure
    if failure is not None:  # deliveries stopped: say so on every page until the server restarts
        return f"Deliveries have stopped ({failure}); restart flipdish-sim serve.", True
    return FLASH.get(request.query_params.get("flash", ""), ("", False))


def _locked(status: int = 401) -> Response:
    content = (
        "<h1>Sign in</h1><p>Open the dashboard with the link <code>flipdish-sim serve</code> printed "
        "(it ends in <code>?token=…</code>),"
        " or add <code>?token=&lt;API token&gt;</code> to this address.</p>"
    )
    return HTMLResponse(render_page("Sign in", content, clock=""), status_code=status)


async def overview(request: Request) -> Response:
    keys = _keys(request)
    token = request.query_params.get("token")
    if token is not None:
        if not keys.token_ok(token):
            return _locked()
        response = RedirectResponse("/dashboard", status_code=303)
        response.set_cookie(SESSION_COOKIE, keys.session, httponly=True, samesite="strict", path="/")
        return response
    if not keys.session_ok(request):
        return _locked()
    backend = _backend(request)
    message, error = _flash(request)
    page = render_overview(
        backend.cards(),
        event_names=backend.event_names(),
        csrf=keys.csrf,
        clock=backend.clock_label(),
        flash=message,
        error=error,
        v3=render_v3_section(request.app.state.v3.live()),
        sent=_sent(request, backend.event_names()),
    )
    return HTMLResponse(page)


async def details(request: Request) -> Response:
    if not _keys(request).session_ok(request):
        return _locked()
    backend = _backend(request)
    sub_id = path_id(request, "id")
    message, error = _flash(request)
    card = backend.card(sub_id)
    status = 200
    try:
        filters = parse_filters(request.query_params)
    except UsageError as err:
        filters, message, error, status = Filters(), f"{err} (showing everything)", True, 400
    page = render_subscription(
        card,
        events=backend.event_summaries(sub_id, filters),
        attempts=backend.latest_attempts(sub_id, filters),
        csrf=_keys(request).csrf,
        clock=backend.clock_label(),
        flash=message,
        error=error,
        filters=filter_form(f"/dashboard/subscriptions/{sub_id}", filters, card.subscription.event_names),
        matching=backend.count_attempts(sub_id, filters) if filters.active else None,
    )
    return HTMLResponse(page, status_code=status)


async def attempt(request: Request) -> Response:
    if not _keys(request).session_ok(request):
        return _locked()
    backend = _backend(request)
    sub_id = path_id(request, "id")
    row = backend.attempt(sub_id, path_id(request, "attempt", "attempt"))
    enabled = backend.subscription(sub_id).enabled
    page = render_attempt(row, clock=backend.clock_label(), csrf=_keys(request).csrf, enabled=enabled)
    return HTMLResponse(page)


async def curl(request: Request) -> Response:
    """One attempt as a curl script (text/plain), what "copy as curl" copies."""
    if not _keys(request).session_ok(request):
        return _locked()
    row = _backend(request).attempt(path_id(request, "id"), path_id(request, "attempt", "attempt"))
    return PlainTextResponse(curl_script(row))


async def _form(request: Request) -> dict[str, str] | None:
    raw = await read_body(request, limit=_FORM_LIMIT)
    form = dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    return form if _keys(request).form_ok(request, form) else None


async def enable(request: Request) -> Response:
    sub_id = path_id(request, "id")
    back = f"/dashboard/subscriptions/{sub_id}"
    if await _form(request) is None:
        return RedirectResponse(back + "?flash=refused", status_code=303)
    await _backend(request).enable(sub_id)
    return RedirectResponse(back + "?flash=enabled", status_code=303)


async def resend(request: Request) -> Response:
    """Resend one delivery (the Resend button of an event or an attempt), back to the details page."""
    sub_id = path_id(request, "id")
    delivery_id = path_id(request, "delivery", "delivery")
    back = f"/dashboard/subscriptions/{sub_id}"
    if await _form(request) is None:
        return RedirectResponse(back + "?flash=refused", status_code=303)
    try:
        await _backend(request).resend(sub_id, delivery_id)
    except DisabledSubscriptionError:
        return RedirectResponse(back + "?flash=resend-disabled", status_code=303)
    return RedirectResponse(back + "?flash=resent", status_code=303)


def _small_int(text: str, default: int | None, high: int) -> int | None:
    text = text.strip()
    if not text:
        return default
    digits = text.isascii() and text.isdigit()  # "²".isdigit() is True, and int("²") fails
    if not digits or len(text.lstrip("0")) > len(str(high)) or int(text) > high:
        raise UsageError(f"expected an integer up to {high}, not {text!r}")
    return int(text)


def _sent(request: Request, names: tuple[str, ...]) -> TriggerForm | None:
    """The values the trigger form last sent (the redirect carries them), if they are still valid."""
    query = request.query_params
    if query.get("event") not in names:
        return None
    try:
        seed = _small_int(query.get("seed", ""), None, 2**63 - 1)
        count = _small_int(query.get("count", ""), 1, 100) or 1
    except UsageError:
        return None
    return TriggerForm(event=query["event"], seed=seed, count=count)


async def trigger(request: Request) -> Response:
    form = await _form(request)
    if form is None:
        return RedirectResponse("/dashboard?flash=refused", status_code=303)
    backend = _backend(request)
    name = form.get("event", "")
    try:
        seed = _small_int(form.get("seed", ""), None, 2**63 - 1)
        count = _small_int(form.get("count", ""), 1, 100) or 1
    except UsageError:
        return RedirectResponse("/dashboard?flash=bad-event", status_code=303)
    if name not in backend.event_names():
        return RedirectResponse("/dashboard?flash=bad-event", status_code=303)
    await backend.trigger(name, payload=None, seed=seed, count=count)
    kept = {"flash": "sent", "event": name, "count": str(count)}
    if seed is not None:
        kept["seed"] = str(seed)
    return RedirectResponse(f"/dashboard?{urlencode(kept)}", status_code=303)


async def home(request: Request) -> Response:
    return RedirectResponse("/dashboard", status_code=307)


def routes() -> list[Route]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/dashboard", overview, methods=["GET"]),
        Route("/dashboard/subscriptions/{id:digits}", details, methods=["GET"]),
        Route("/dashboard/subscriptions/{id:digits}/attempts/{attempt:digits}", attempt, methods=["GET"]),
        Route("/dashboard/subscriptions/{id:digits}/attempts/{attempt:digits}/curl", curl, methods=["GET"]),
        Route("/dashboard/subscriptions/{id:digits}/enable", enable, methods=["POST"]),
        Route("/dashboard/trigger", trigger, methods=["POST"]),
        Route(
            "/dashboard/subscriptions/{id:digits}/deliveries/{delivery:digits}/resend",
            resend,
            methods=["POST"],
        ),
    ]
