"""The server's ASGI application: Flipdish's v1.0 webhook API, the simulator's API and the dashboard.

``create_app(backend, api_token=...)`` wires routes, auth and error handling; the Starlette lifespan starts
the backend's delivery loop (an asyncio task) and stops it on shutdown. Bad input never produces a 500
with a traceback: refusals are Flipdish-style JSON errors, and anything unexpected is a bare JSON 500.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flipdish_sim.simulator.server import captures_page, flipdish_api, pages, sim_api, v3_api
from flipdish_sim.simulator.server.auth import BearerAuth, TokenKeys
from flipdish_sim.simulator.server.backend import Backend
from flipdish_sim.simulator.server.errors import CatchAll, exception_handlers
from flipdish_sim.simulator.server.v3_registry import V3Registry

__all__ = ["SECURITY_HEADERS", "STATIC", "create_app"]

#: Sent with every response: no inline script, no framing, no referrer to other sites, no caching.
#: (``same-origin``, not ``no-referrer``: with ``no-referrer`` Chromium sends ``Origin: null`` on form POSTs.)
SECURITY_HEADERS = (
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
)


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


#: The dashboard's only assets (package data; no CDN).
STATIC = {"dashboard.css": "text/css; charset=utf-8", "dashboard.js": "text/javascript; charset=utf-8"}


async def _static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        raise HTTPException(404, f"no static file {name!r}")
    text = files(__package__).joinpath("static").joinpath(name).read_text(encoding="utf-8")
    return Response(text, media_type=STATIC[name])


def create_app(
    backend: Backend,
    *,
    api_token: str,
    reveal_verify_token: bool = True,
    v3_allow_local_http: bool = False,
    captures_log: Path | None = None,
) -> Starlette:
    """The ASGI app over ``backend``; ``api_token`` guards the APIs and the dashboard.

    ``reveal_verify_token``: whether ``GET .../subscriptions`` returns verify tokens unmasked to the
    token holder, as Flipdish does (every other response and page masks them).
    ``v3_allow_local_http``: whether v3 callbacks may be ``http://127.0.0.1`` / ``http://localhost``
    (Flipdish takes HTTPS only).
    ``captures_log``: a ``listen`` log the Captures page shows (default: the server's own log).
    """
    keys = TokenKeys(api_token)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await backend.start()
        try:
            yield
        finally:
            await backend.stop()

    app = Starlette(
        routes=[
            *flipdish_api.routes(),
            *sim_api.routes(),
            *v3_api.routes(),
            *pages.routes(),
            *captures_page.routes(),
            Route("/static/{name}", _static, methods=["GET"]),
        ],
        middleware=[Middleware(SecurityHeaders), Middleware(CatchAll), Middleware(BearerAuth, keys=keys)],
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
    app.state.backend = backend
    app.state.keys = keys
    app.state.reveal_verify_token = reveal_verify_token
    app.state.v3 = V3Registry(backend)
    app.state.v3_allow_local_http = v3_allow_local_http
    app.state.captures_log = captures_log
    return app
