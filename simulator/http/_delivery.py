"""The HTTP seam: one delivery attempt over an injected ``httpx.AsyncClient``, classified, never raising.

Flipdish's rules (FACTS 5): success is a 2xx status and nothing else; redirects are never followed (3xx
and 304 are failures); Flipdish waits at most 10 s. Here the deadline covers the whole exchange - connect,
TLS, send, wait, read - so a receiver that trickles its answer a byte at a time still fails at the deadline.
The response body is streamed and at most ``max_response_bytes`` raw bytes are read; the rest is never
downloaded.

Every transport problem becomes an :class:`~flipdish_sim.simulator.model._attempt.Attempt` with an
:class:`~flipdish_sim.simulator.model.Outcome` and a one-line ``error``; so does a request the HTTP stack
refuses to send as built (``invalid-request``: a non-ASCII or CR/LF header value, a host label over 63
characters, credentials in the URL). ``attempt`` raises only for programming errors.

In-process targets: :func:`wsgi_transport` runs a WSGI app (Flask, Django) synchronously in the calling
thread, :func:`asgi_transport` an ASGI app (FastAPI, Starlette) on the running loop. A synchronous WSGI
handler cannot be interrupted, so a slow one is classified ``timeout`` once it returns past the deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from http.cookiejar import Cookie, CookieJar, CookiePolicy
from typing import TYPE_CHECKING

import httpx

from flipdish_sim.simulator.http import _shortcut as shortcut
from flipdish_sim.simulator.http import _stopwatch as stopwatch
from flipdish_sim.simulator.http._classify import classify_exception
from flipdish_sim.simulator.http._network import Network
from flipdish_sim.simulator.http._network import current as current_network
from flipdish_sim.simulator.http._transport import AiohttpDeliveryTransport, chunks, finish
from flipdish_sim.simulator.model._attempt import Attempt, Outcome
from flipdish_sim.simulator.policy._policy import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES
from flipdish_sim.simulator.wire._envelope import OutgoingRequest

if TYPE_CHECKING:
    import urllib.request

__all__ = [
    "asgi_transport",
    "attempt",
    "classify_exception",
    "describe_invalid_request",
    "make_client",
    "wsgi_transport",
]

# httpx adds these to every request unless told otherwise; Flipdish's .NET HttpClient sends none of them.
_HTTPX_DEFAULT_HEADERS = ("Accept", "Accept-Encoding", "Connection", "User-Agent")


def make_client(
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    verify_tls: bool | ssl.SSLContext | None = None,
    network: Network | None = None,
    max_connections: int = 200,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for deliveries: no redirects, no httpx default headers, pooled connections.

    The pool waits count against each attempt's deadline, so keep the sender's concurrency at or below
    ``max_connections``. httpx's own timeouts are off: :func:`attempt` enforces one deadline over everything.
    ``network`` (default: :func:`.network.current`, which is Flipdish's behaviour unless a command's
    ``--ca-bundle``/``--trust-env``/``--insecure``/``--proxy`` say otherwise) decides the trusted certificates
    and the proxy; by default the system's trust store, no proxy, and the environment's CA and proxy
    variables ignored: Flipdish's sender knows nothing of your network. ``verify_tls`` overrides its trust:
    True the system's store, False any certificate, an ``ssl.SSLContext`` what it was given.
    No cookie jar: a ``Set-Cookie`` from one receiver is never stored nor sent to any delivery.
    With no ``transport``, real URLs go through :class:`.transport.AiohttpDeliveryTransport` (httpx's API
    over aiohttp's engine, which keeps its rate at 10 and 100 deliveries in flight); to mock
    the network with respx, pass ``transport=httpx.AsyncHTTPTransport()``, which respx patches.
    """
    if transport is None:
        network = network or current_network()
        # the trust is built on the first https delivery (~60 ms of start-up otherwise); a CA bundle is
        # read now, so a bad one fails before anything is sent
        trust = (
            (network.ssl_context() if network.ca_bundle else network.ssl_context)
            if verify_tls is None
            else verify_tls
        )
        proxied = network.proxy is not None or network.trust_env  # else every delivery goes direct
        transport = AiohttpDeliveryTransport(
            verify_tls=trust, proxy=network.proxy_for if proxied else None, max_connections=max_connections
        )
    client = DeliveryClient(
        transport=transport,
        follow_redirects=False,
        timeout=httpx.Timeout(None),
        trust_env=False,
        cookies=CookieJar(policy=_NoCookies()),  # kept as is (an httpx.Cookies would be copied)
    )
    for name in _HTTPX_DEFAULT_HEADERS:
        client.headers.pop(name, None)
    if type(getattr(client, "_cookies", None)) is httpx.Cookies:  # httpx 0.28 keeps its jar here
        client._cookies = _Unkept(client.cookies.jar)
    client.direct = transport if isinstance(transport, AiohttpDeliveryTransport) else None
    return client


class DeliveryClient(httpx.AsyncClient):
    """The client :func:`make_client` builds. ``direct``: its transport when that is the aiohttp one, which
    :func:`attempt` then calls without building httpx's request and response objects (a third of the CPU
    an attempt costs); the bytes on the wire, the answer read and every failure's classification are the
    same as through ``client.send`` (``tests/test_delivery.py`` compares both). Anything added to the
    client afterwards (auth, event hooks, default headers, params, cookies, mounts) or httpx's INFO log
    switched on sends through ``client.send`` again, so it takes effect."""

    direct: AiohttpDeliveryTransport | None = None


class _Unkept(httpx.Cookies):
    """The client's cookies, never extracted from answers: the jar's policy refuses them all anyway, and
    httpx would otherwise wrap every response and request in urllib objects to ask it (~5 % of a run)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class _NoCookies(CookiePolicy):
    """Flipdish's sender carries no state between deliveries: no cookie is kept, none is ever sent."""

    netscape = True
    rfc2965 = False
    hide_cookie2 = False

    def set_ok(self, cookie: Cookie, request: urllib.request.Request) -> bool:
        return False

    def return_ok(self, cookie: Cookie, request: urllib.request.Request) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: urllib.request.Request) -> bool:
        return False

    def path_return_ok(self, path: str, request: urllib.request.Request) -> bool:
        return False


async def attempt(
    client: httpx.AsyncClient,
    request: OutgoingRequest,
    *,
    at: datetime,
    deadline: float = DEFAULT_DEADLINE,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> Attempt:
    """POST ``request`` once and classify what happened; ``at`` is recorded as the simulated time."""
    if deadline <= 0:
        raise ValueError(f"deadline must be > 0 seconds, got {deadline}")
    started = stopwatch.start()
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body = b""
    truncated = False

    def failed(outcome: Outcome, error: str) -> Attempt:
        return Attempt(at, outcome, status, stopwatch.elapsed(started), headers, body, error)

    try:
        direct = client.direct if isinstance(client, DeliveryClient) else None
        if direct is not None and not shortcut.adds_nothing(client):
            direct = None  # something was added to the client: client.send applies it
        url = shortcut.parsed(request.url) if direct is None else None
        transport = None if url is None else shortcut.plain_transport(client, url, request)
        # an app in this thread cannot be interrupted (nothing in its exchange awaits): no timer to arm
        in_thread = type(transport) is _WSGIAsyncTransport
        async with _NO_TIMER if in_thread else asyncio.timeout(deadline):
            if direct is not None:
                target = shortcut.target(request.url)
                sent = shortcut.wire_headers(request.headers, request.body)
                answer = await direct.exchange("POST", target, sent, request.body)
                try:
                    status = answer.status
                    headers = shortcut.answer_headers(answer.raw_headers)
                    body, truncated = await _read_bounded(chunks(answer), max_response_bytes)
                finally:
                    finish(answer)
                return _classified(at, status, stopwatch.elapsed(started), headers, body, truncated, deadline)
            assert url is not None
            if transport is None:
                # what ``client.stream`` does, without its context-manager layer, and the URL parsed once
                outgoing = client.build_request(
                    "POST", url, headers=request.headers, content=request.body, timeout=shortcut.NO_TIMEOUT
                )
                response = await client.send(outgoing, stream=True, follow_redirects=False)
            else:
                outgoing = shortcut.plain_request(url, request)
                response = await transport.handle_async_request(outgoing)
                response.request = outgoing
            try:
                if transport is not None and response.has_redirect_location:
                    # before its status is taken, as client.send would raise
                    shortcut.check_location(response)
                status = response.status_code
                headers = tuple(response.headers.multi_items())
                body, truncated = await _read_body(response, max_response_bytes)
            finally:
                await response.aclose()
    except TimeoutError:
        return failed(Outcome.TIMEOUT, _timeout_message(deadline, status))
    except ValueError as exc:  # UnicodeError included: the stack refused the request (or, late, the answer)
        if status is None:
            return failed(Outcome.INVALID_REQUEST, describe_invalid_request(exc))
        return failed(Outcome.MALFORMED_RESPONSE, f"response could not be read: {type(exc).__name__}")
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError) as exc:
        kind, message = classify_exception(exc)
        if kind is Outcome.TIMEOUT:
            message = _timeout_message(deadline, status)
        return failed(kind, message)
    assert status is not None
    return _classified(at, status, stopwatch.elapsed(started), headers, body, truncated, deadline)


def _classified(
    at: datetime,
    status: int,
    duration: float,
    headers: tuple[tuple[str, str], ...],
    body: bytes,
    truncated: bool,
    deadline: float,
) -> Attempt:
    """The attempt of a complete answer: acknowledged (2xx) or an HTTP error; a timeout if it came late."""
    if duration > deadline:  # a synchronous in-process app blocked past the deadline
        error = _timeout_message(deadline, status)
        return Attempt(at, Outcome.TIMEOUT, status, duration, headers, body, error)
    if 200 <= status < 300:
        return Attempt(at, Outcome.ACKNOWLEDGED, status, duration, headers, body, None, truncated)
    error = _status_message(status)
    return Attempt(at, Outcome.HTTP_ERROR, status, duration, headers, body, error, truncated)


_NO_TIMER = contextlib.nullcontext()


async def _read_body(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """The first ``limit`` bytes of the body; a body a transport already loaded (MockTransport) is sliced."""
    try:
        loaded = response.content
    except httpx.ResponseNotRead:
        stream = response.stream  # the raw bytes, as aiter_raw yields them, without its bookkeeping
        if type(stream) is _SyncStream:  # an in-thread WSGI app's body: iterated as it is
            return _read_bounded_sync(stream.chunks, limit)
        assert isinstance(stream, httpx.AsyncByteStream)
        return await _read_bounded(aiter(stream), limit)
    return loaded[:limit], len(loaded) > limit


class _Bounded:
    """The first ``limit`` bytes of a body read chunk by chunk, and whether more were there."""

    __slots__ = ("limit", "parts", "size", "truncated")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self.truncated = False

    def full(self, chunk: bytes) -> bool:
        """Keep what fits of ``chunk``; True once the limit is passed (read no more)."""
        room = self.limit - self.size
        if len(chunk) > room:
            self.parts.append(chunk[:room])
            self.truncated = True
            return True
        self.parts.append(chunk)
        self.size += len(chunk)
        return False

    def result(self) -> tuple[bytes, bool]:
        return b"".join(self.parts), self.truncated


def _read_bounded_sync(chunks: Iterable[bytes], limit: int) -> tuple[bytes, bool]:
    """:func:`_read_bounded` of a synchronous stream."""
    kept = _Bounded(limit)
    for chunk in chunks:
        if kept.full(chunk):
            break
    return kept.result()


async def _read_bounded(chunks: AsyncIterator[bytes], limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of the stream, and whether more were there. Stops reading at the limit."""
    kept = _Bounded(limit)
    async for chunk in chunks:
        if kept.full(chunk):
            break
    return kept.result()


def _timeout_message(deadline: float, status: int | None) -> str:
    if status is None:
        return f"no response within the {deadline:g} s deadline"
    return f"status {status} arrived but the response did not complete within the {deadline:g} s deadline"


def _status_message(status: int) -> str:
    if 300 <= status < 400:
        return f"receiver answered {status}; redirects and 304 count as failures and are not followed"
    return f"receiver answered {status}; only 2xx acknowledges a webhook"


def describe_invalid_request(exc: BaseException) -> str:
    """One line on why a request could not be built or sent; never quotes a header value (it may be a
    verify token)."""
    text = str(exc)
    if isinstance(exc, UnicodeEncodeError) and exc.encoding in ("ascii", "latin-1"):
        return "invalid request: a header value holds a character HTTP headers cannot carry (not ASCII)"
    if isinstance(exc, UnicodeError) and "idna" in text:
        return (
            "invalid request: the callback URL's host is not a valid DNS name"
            " (a label over 63 characters, an empty label or a character IDNA refuses)"
        )
    if "credentials encoded in URL" in text:
        return "invalid request: the callback URL carries credentials (user:password@), which are not sent"
    if "newline" in text.lower() or "carriage return" in text.lower() or "\\r" in text or "\\n" in text:
        return "invalid request: a header value holds a line break (CR or LF)"
    return f"invalid request: {type(exc).__name__} while building or sending it"


# -- in-process targets


class _SyncStream(httpx.AsyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self.chunks = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk

    async def aclose(self) -> None:
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()


class _WSGIAsyncTransport(httpx.AsyncBaseTransport):
    """Adapts the synchronous ``httpx.WSGITransport`` to the async client; the app runs in this thread."""

    def __init__(self, app: object) -> None:
        self._sync = httpx.WSGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()  # the body is now held, so the sync transport reads the same request
        response = self._sync.handle_request(request)
        stream = response.stream
        assert isinstance(stream, Iterable)
        response.stream = _SyncStream(stream)  # the same response, its body iterated for the async client
        return response


def wsgi_transport(app: object) -> httpx.AsyncBaseTransport:
    """A transport that delivers into a WSGI app (Flask, Django...) in-process, synchronously, no threads.

    An exception inside the app becomes a 500 answer, as a real server would send.
    """
    return _WSGIAsyncTransport(app)


def asgi_transport(app: object) -> httpx.AsyncBaseTransport:
    """A transport that delivers into an ASGI app (FastAPI, Starlette...) on the running event loop.

    An exception inside the app becomes a 500 answer, as a real server would send.
    """
    return httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
