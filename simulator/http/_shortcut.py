"""A delivery attempt's request as httpx's client would send it, built without the client.

``delivery.attempt`` takes one of three paths: make_client's aiohttp transport called directly
(:func:`target`, :func:`wire_headers`, :func:`answer_headers`: no httpx objects at all), a client's own
transport given a request built once (:func:`plain_transport`, :func:`plain_request`), or ``client.send``.
The first two apply only while the client adds nothing of its own (:func:`adds_nothing`); each gives the
same bytes on the wire and the same classification as ``client.send`` (``tests/test_delivery.py``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

import httpx

from flipdish_sim.simulator.wire._envelope import OutgoingRequest

__all__ = [
    "NO_TIMEOUT",
    "adds_nothing",
    "answer_headers",
    "check_location",
    "parsed",
    "plain_request",
    "plain_transport",
    "target",
    "wire_headers",
]

NO_TIMEOUT = httpx.Timeout(None)
_NO_TIMEOUT_EXTENSIONS = {"timeout": NO_TIMEOUT.as_dict()}
_AUTO_HEADERS = frozenset({"host", "content-length", "transfer-encoding"})
_HTTPX_LOG = logging.getLogger("httpx")


def adds_nothing(client: httpx.AsyncClient) -> bool:
    """Whether ``client.send`` would add nothing of its own to a request: no auth, default headers, params,
    cookies, event hooks or mounts, not closed, and httpx's INFO log off (it logs each request)."""
    return not (
        client.auth is not None
        or client.headers
        or client.params
        or client.cookies
        or client.is_closed
        or client.event_hooks["request"]
        or client.event_hooks["response"]
        or getattr(client, "_mounts", None) != {}
        or _HTTPX_LOG.isEnabledFor(logging.INFO)
    )


def plain_transport(
    client: httpx.AsyncClient, url: httpx.URL, request: OutgoingRequest
) -> httpx.AsyncBaseTransport | None:
    """The client's transport when ``client.send`` would add nothing to the request but its transport's
    answer (None otherwise: the full client path then runs).

    So it is for the delivery client (:func:`make_client`) over an in-process or mock transport (its aiohttp
    transport is called more directly still, see :class:`DeliveryClient`): no auth, event hooks, default
    headers, params, cookies or mounts, no INFO log of httpx's. Without the client's layers (auth flow,
    redirect loop, hooks, stream wrapper) an in-process delivery costs about 30 us less; the request is the
    same (:func:`plain_request`), and so are the bytes sent.
    """
    if not adds_nothing(client) or not request.body or not url.host or url.userinfo:
        return None  # (userinfo: httpx turns it into an Authorization header)
    transport = getattr(client, "_transport", None)
    if not isinstance(transport, httpx.AsyncBaseTransport):
        return None
    for name, _ in request.headers:
        if name.lower() in _AUTO_HEADERS:
            return None
    return transport


def check_location(response: httpx.Response) -> None:
    """What ``client.send`` raises for a redirect it cannot parse (a 3xx is never followed either way)."""
    try:
        httpx.URL(response.headers["Location"])
    except httpx.InvalidURL as exc:
        raise httpx.RemoteProtocolError(
            f"Invalid URL in location header: {exc}.", request=response.request
        ) from None


def plain_request(url: httpx.URL, request: OutgoingRequest) -> httpx.Request:
    """``client.build_request("POST", url, headers=..., content=body)`` of a client without defaults: the
    same headers in the same order (``Host``, the request's, ``Content-Length``) and the same body stream,
    without merging empty client defaults and re-normalising the headers three times."""
    headers = [
        ("Host", url.netloc.decode("ascii")),
        *request.headers,
        ("Content-Length", str(len(request.body))),
    ]
    outgoing = httpx.Request(
        "POST", url, headers=headers, stream=httpx.ByteStream(request.body), extensions=_NO_TIMEOUT_EXTENSIONS
    )
    outgoing.read()  # its content held, as with ``content=``
    return outgoing


@functools.lru_cache(maxsize=256)  # a few hundred callback URLs at most; an error is raised again each time
def parsed(url: str) -> httpx.URL:
    """``httpx.URL(url)``, parsed once per callback URL."""
    return httpx.URL(url)


@functools.lru_cache(maxsize=256)
def target(url: str) -> str:
    """The URL as httpx would send it (parsed, IDNA-encoded, percent-encoded), or httpx's error for it."""
    found = parsed(url)
    if found.userinfo:  # httpx would add Basic auth from them, which aiohttp then refuses to combine
        raise ValueError("Cannot combine AUTHORIZATION header with credentials encoded in URL")
    return str(found)


def wire_headers(headers: Iterable[tuple[str, str]], body: bytes) -> list[tuple[str, str]]:
    """The request's headers as ``client.build_request`` and the transport pass them on: names lower-cased,
    values ASCII (else the same ``UnicodeEncodeError``), ``Host`` left to aiohttp, ``Content-Length`` last
    unless given."""
    out: list[tuple[str, str]] = []
    length = True
    for name, value in headers:
        value.encode("ascii")
        key = name.lower()
        if key == "host":
            continue
        if key == "content-length":
            length = False
        out.append((key, value))
    if length:
        out.append(("content-length", str(len(body))))
    return out


def answer_headers(raw: Iterable[tuple[bytes, bytes]]) -> tuple[tuple[str, str], ...]:
    """The answer's headers as ``httpx.Headers.multi_items`` gives them: names lower-cased, decoded as
    ASCII, else UTF-8, else ISO-8859-1 (one encoding for all, chosen as httpx chooses it)."""
    pairs = tuple(raw)
    for encoding in ("ascii", "utf-8", "iso-8859-1"):
        try:
            return tuple((k.lower().decode(encoding), v.decode(encoding)) for k, v in pairs)
        except UnicodeDecodeError:
            continue
    raise AssertionError("ISO-8859-1 decodes every byte")  # pragma: no cover
