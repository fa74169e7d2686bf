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

__all__ = ["AiohttpDeliveryTransport", "translate"]

_SKIP_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")
_CHUNK = 65536


def translate(exc: BaseException, request: httpx.Request) -> httpx.TransportError:
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
        try:
            async for chunk in self._response.content.iter_chunked(_CHUNK):
                yield chunk
        except (aiohttp.ClientError, OSError) as exc:
            error = translate(exc, self._request)
            raise error from error.__cause__ or exc

    async def aclose(self) -> None:
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()  # the rest is never downloaded: drop the connection


class AiohttpDeliveryTransport(httpx.AsyncBaseTransport):
    """One aiohttp session per transport, created on first use inside the running event loop."""

    def __init__(
        self,
        *,
        verify_tls: bool | ssl.SSLContext = True,
        proxy: Callable[[str], str | None] | None = None,
        max_connections: int = 200,
        resolver: aiohttp.abc.AbstractResolver | None = None,
    ) -> None:
        """``resolver``: how host names become addresses (default: the system's, as Flipdish's would);
        tests pass one that maps every name to 127.0.0.1, so arbitrary host names never leave the machine."""
        if isinstance(verify_tls, ssl.SSLContext):
            self._ssl: ssl.SSLContext | bool = verify_tls
        else:
            self._ssl = ssl.create_default_context() if verify_tls else False
        self._max_connections = max_connections
        self._resolver = resolver
        self._proxy = proxy  # the proxy for a URL (None: direct), see simulator/network.py
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections, ssl=self._ssl, resolver=self._resolver
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

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._get_session()
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "host"]
        try:
            response = await session.request(
                request.method,
                str(request.url),
                headers=headers,
                data=await request.aread(),
                allow_redirects=False,
                proxy=self._proxy(str(request.url)) if self._proxy else None,
            )
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            error = translate(exc, request)
            raise error from error.__cause__ or exc
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
