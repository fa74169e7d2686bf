"""The sender's HTTP/1.1 transport: httpx's API over aiohttp's connection engine.

Why: on loopback, httpx's own AsyncClient transport collapses as concurrency grows (about 100 deliveries/s
at 100 in flight on this project's 2-core machines, against ~4,300/s for wrk), while aiohttp keeps pace
(see README, Performance). The sender keeps httpx's API (requests, responses, ``MockTransport``, the
in-process ASGI/WSGI transports) and swaps only the engine underneath. The httpx-aiohttp package as is
misclassifies failures under ``delivery.attempt`` (a reset surfaces as ``ConnectTimeout``; broken HTTP
escapes as an unmapped ``aiohttp.ClientResponseError``), so this transport raises the httpx exception whose
chain carries the OS or TLS error itself, and ``delivery.classify_exception`` stays unchanged.

Flipdish fidelity: aiohttp's automatic ``Accept``, ``Accept-Encoding`` and ``User-Agent`` headers are
skipped (``make_client`` already drops httpx's), bodies are not decompressed, redirects are never followed,
nothing comes from the environment (proxies, netrc), and no cookie is ever kept or sent.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable

import aiohttp
import aiohttp.abc
import httpx

__all__ = ["AiohttpDeliveryTransport", "chunks", "finish", "translate"]

_SKIP_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")
_CHUNK = 65536


def translate(exc: BaseException, request: httpx.Request | None = None) -> httpx.TransportError:
    """The httpx exception for an aiohttp one; its ``__cause__`` is the underlying OS/TLS error if any."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout(message, request=request)
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        error: httpx.TransportError = httpx.ConnectError(message, request=request)
        error.__cause__ = exc.certificate_error
        return error
    if isinstance(exc, aiohttp.ClientConnectorError):
        error = httpx.ConnectError(message, request=request)
        error.__cause__ = exc.os_error
        return error
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(
            "Server disconnected without sending a complete response.", request=request
        )
    if isinstance(exc, aiohttp.ClientOSError):
        error = httpx.ReadError(message, request=request)
        error.__cause__ = ConnectionResetError(exc.errno, message) if exc.errno else exc
        return error
    if isinstance(exc, ssl.SSLError):
        error = httpx.ConnectError(message, request=request)
        error.__cause__ = exc
        return error
    if isinstance(exc, aiohttp.ClientResponseError | aiohttp.ClientPayloadError):
        return httpx.RemoteProtocolError(message, request=request)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(message, request=request)
    return httpx.ConnectError(message, request=request)


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in chunks(self._response, self._request):
            yield chunk

    async def aclose(self) -> None:
        finish(self._response)


async def chunks(
    response: aiohttp.ClientResponse, request: httpx.Request | None = None
) -> AsyncIterator[bytes]:
    """The raw body as it arrives; aiohttp's errors raised as httpx's (see :func:`translate`)."""
    try:
        async for chunk in response.content.iter_chunked(_CHUNK):
            yield chunk
    except (aiohttp.ClientError, OSError) as exc:
        error = translate(exc, request)
        raise error from error.__cause__ or exc


def finish(response: aiohttp.ClientResponse) -> None:
    """Give the connection back if the body was read to its end; else drop it (the rest is never read)."""
    if response.content.at_eof():
        response.release()
    else:
        response.close()


class AiohttpDeliveryTransport(httpx.AsyncBaseTransport):
    """One aiohttp session per transport, created on first use inside the running event loop."""

    def __init__(
        self,
        *,
        verify_tls: bool | ssl.SSLContext | Callable[[], ssl.SSLContext | bool] = True,
        proxy: Callable[[str], str | None] | None = None,
        max_connections: int = 200,
        resolver: aiohttp.abc.AbstractResolver | None = None,
    ) -> None:
        """``resolver``: how host names become addresses (default: the system's, as Flipdish's would);
        tests pass one that maps every name to 127.0.0.1, so arbitrary host names never leave the machine.
        ``verify_tls``: True the system's trust, False none, or the context (or what makes it on the first
        https delivery: loading a trust store costs ~60 ms that a plain-HTTP run never needs)."""
        self._trust = verify_tls
        self._ssl: ssl.SSLContext | bool | None = (
            verify_tls if isinstance(verify_tls, ssl.SSLContext) else None
        )
        self._max_connections = max_connections
        self._resolver = resolver
        self._proxy = proxy  # the proxy for a URL (None: direct), see simulator/network.py
        self._session: aiohttp.ClientSession | None = None

    def _tls(self) -> ssl.SSLContext | bool:
        """The TLS settings of https deliveries, made once."""
        if self._ssl is None:
            trust = self._trust
            if callable(trust):
                self._ssl = trust()
            else:
                self._ssl = ssl.create_default_context() if trust else False
        return self._ssl

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            # with a proxy the trust is needed for its tunnels too; else each https request passes it
            connector = aiohttp.TCPConnector(
                limit=self._max_connections, ssl=self._tls() if self._proxy else True, resolver=self._resolver
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                skip_auto_headers=_SKIP_AUTO_HEADERS,
                auto_decompress=False,
                trust_env=False,
                cookie_jar=aiohttp.DummyCookieJar(),  # no state between deliveries, as Flipdish's sender
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

    async def exchange(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes,
        request: httpx.Request | None = None,
    ) -> aiohttp.ClientResponse:
        """Send ``body`` to ``url`` (already normalised by ``httpx.URL``) with exactly ``headers`` (aiohttp
        adds ``Host``); the answer's body is left unread. aiohttp's errors are raised as httpx's. The
        delivery client's attempts call this directly, without httpx's request and response objects."""
        session = self._get_session()
        try:
            return await session.request(
                method,
                url,
                headers=headers,
                data=body,
                allow_redirects=False,
                proxy=self._proxy(url) if self._proxy else None,
                ssl=self._tls() if url[:6].lower() == "https:" else True,
            )
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            error = translate(exc, request)
            raise error from error.__cause__ or exc

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "host"]
        body = await request.aread()
        response = await self.exchange(request.method, str(request.url), headers, body, request)
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_Body(response, request),
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": (response.reason or "").encode()},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
