"""Flipdish-style error responses: every 4xx/5xx of the server is a small JSON object, never a traceback.

Shape (chosen, documented in docs/server.md)::

    {"error": {"errorMessage": "callback URL must use http or https", "errorCode": "invalid_callback_url"}}

Flipdish's error-handling page names the two fields ``errorMessage`` and ``errorCode`` and shows them
wrapped in an ``error`` object (FACTS.md 4.1, [V-3p]); the OpenAPI extract's ``FlipdishError`` schema has
the same shape, so clients written against either will read it.

    ApiError(UsageError)        a request the server refuses; carries the HTTP status and the error code
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flipdish_sim.errors import FlipdishSimError, UsageError
from flipdish_sim.simulator.log._store import UnknownSubscriptionError
from flipdish_sim.simulator.model._subscription_rules import InvalidSubscriptionError

__all__ = ["ApiError", "CatchAll", "error_response", "exception_handlers"]

_log = logging.getLogger("flipdish_sim.server")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


class ApiError(UsageError):
    """A request the server refuses: ``status`` is the HTTP status, ``code`` the programmatic error code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(
    status: int, code: str, message: str, *, headers: dict[str, str] | None = None
) -> Response:
    """The Flipdish-style JSON error body with ``status``."""
    body = {"error": {"errorMessage": message, "errorCode": code}}
    return JSONResponse(body, status_code=status, headers=headers)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return error_response(exc.status, exc.code, exc.message, headers=headers)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    return error_response(exc.status_code, code, str(exc.detail), headers=dict(exc.headers or {}))


async def _invalid_subscription(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidSubscriptionError)
    return error_response(400, exc.code, str(exc))


async def _usage_error(request: Request, exc: Exception) -> Response:
    return error_response(400, "bad_request", str(exc))


async def _sim_error(request: Request, exc: Exception) -> Response:
    _log.error("%s %s failed: %s", request.method, request.url.path, type(exc).__name__)
    return error_response(500, "simulator_error", str(exc))


async def _not_found(request: Request, exc: Exception) -> Response:
    return error_response(404, "not_found", str(exc))


def exception_handlers() -> dict[type[Exception] | int, Callable[[Request, Exception], Awaitable[Response]]]:
    """Starlette ``exception_handlers``: ApiError, unknown ids, refused subscription fields (the
    subscription rule, 400 with the field's code), other usage errors, HTTP errors -> JSON."""
    return {
        ApiError: _api_error,
        UnknownSubscriptionError: _not_found,
        InvalidSubscriptionError: _invalid_subscription,
        UsageError: _usage_error,
        FlipdishSimError: _sim_error,
        HTTPException: _http_exception,
    }


class CatchAll:
    """ASGI middleware: any other exception becomes a 500 JSON error; the traceback goes to the log only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if scope["type"] != "http" or started:
                raise
            _log.exception("%s %s failed unexpectedly", scope.get("method"), scope.get("path"))
            response = error_response(500, "internal_error", "the simulator failed to handle this request")
            await response(scope, receive, send)
