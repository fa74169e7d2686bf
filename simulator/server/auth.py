"""Who may call what: the bearer token for the APIs, a cookie and a form token for the dashboard.

* ``/api/v1.0/...`` and ``/_sim/...`` (except ``/_sim/health``) need ``Authorization: Bearer <token>``;
  anything else gets 401 with a Flipdish-style error body.
* The dashboard is opened once with ``/dashboard?token=<token>`` (the URL ``serve`` prints): the server
  answers with an HttpOnly, SameSite=Strict cookie holding a value derived from the token (never the token
  itself) and redirects to ``/dashboard``, so the token leaves the address bar and the history.
* The dashboard's POST forms (re-enable, trigger) carry a CSRF token derived from the API token, and are
  refused when the cookie is missing, the form token is wrong, or an ``Origin`` header names another host.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from flipdish_sim.simulator.server.errors import error_response

__all__ = ["SESSION_COOKIE", "BearerAuth", "TokenKeys", "new_token"]

SESSION_COOKIE = "flipdish_sim_session"
_PROTECTED = ("/api/", "/_sim/")
_OPEN = ("/_sim/health",)


def new_token() -> str:
    """A fresh random API token (URL-safe, 192 bits)."""
    return secrets.token_urlsafe(24)


class TokenKeys:
    """The API token and the values derived from it (cookie session, form token)."""

    __slots__ = ("_token", "csrf", "session")

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("the API token must not be empty")
        self._token = token
        self.session = self._derive(b"dashboard-session")
        self.csrf = self._derive(b"dashboard-csrf")

    def _derive(self, purpose: bytes) -> str:
        return hmac.new(self._token.encode(), purpose, hashlib.sha256).hexdigest()

    def bearer_ok(self, header: str | None) -> bool:
        """Whether an ``Authorization`` header carries the token."""
        if not header:
            return False
        scheme, _, value = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), self._token.encode()
        )

    def token_ok(self, value: str | None) -> bool:
        return value is not None and hmac.compare_digest(value.encode(), self._token.encode())

    def session_ok(self, request: Request) -> bool:
        cookie = request.cookies.get(SESSION_COOKIE)
        return cookie is not None and hmac.compare_digest(cookie.encode(), self.session.encode())

    def form_ok(self, request: Request, form: Mapping[str, str]) -> bool:
        """A dashboard POST: session cookie, form token, and (if sent) an Origin naming this host."""
        origin = request.headers.get("origin")
        if origin is not None and origin.partition("://")[2] != request.headers.get("host", ""):
            return False  # another site, or an opaque ("null") origin
        supplied = form.get("csrf", "")
        return self.session_ok(request) and hmac.compare_digest(supplied.encode(), self.csrf.encode())


class BearerAuth:
    """ASGI middleware: 401 (Flipdish-style JSON) for API paths without the bearer token."""

    def __init__(self, app: ASGIApp, keys: TokenKeys) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(_PROTECTED) and path not in _OPEN:
            request = Request(scope)
            if not self.keys.bearer_ok(request.headers.get("authorization")):
                response = error_response(
                    401,
                    "unauthorized",
                    "Authorization has been denied for this request: send 'Authorization: Bearer <token>'",
                    headers={"WWW-Authenticate": "Bearer"},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
