"""The one exception classifier: what went wrong in an attempt, as an :class:`Outcome` and one line.

Every HTTP client of the product ends here: the delivery client (httpx; the aiohttp transport translates
aiohttp's exceptions into httpx's, keeping the OS or TLS error as the cause) and load mode's Locust client
(geventhttpclient, whose own exceptions are recognised by name, so this module never imports it).
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator

import httpx

from flipdish_sim.simulator.model._attempt import Outcome

__all__ = ["classify_exception"]

#: Locust's client's exceptions, by class name (geventhttpclient is not imported here).
_TIMEOUTS = frozenset({"Timeout", "ConnectionTimeout"})
_MALFORMED = frozenset({"HTTPParseError", "BadStatusLine", "LineTooLong", "HTTPProtocolViolationError"})


def classify_exception(exc: BaseException) -> tuple[Outcome, str]:
    """A transport exception (httpx, httpcore, ssl, OS, Locust's client) as an outcome and one line."""
    chain = list(_chain(exc))
    if any(
        isinstance(e, httpx.TimeoutException | TimeoutError) or type(e).__name__ in _TIMEOUTS for e in chain
    ):
        return Outcome.TIMEOUT, "no response within the deadline"
    for e in chain:
        if isinstance(e, ssl.SSLCertVerificationError):
            reason = getattr(e, "verify_message", None) or _first_line(e)  # aiohttp's subclass lacks it
            return Outcome.TLS_ERROR, f"TLS certificate rejected: {reason}"
        if isinstance(e, ssl.SSLError):
            return Outcome.TLS_ERROR, f"TLS error: {_first_line(e)}"
    if any(
        isinstance(e, ConnectionRefusedError) or getattr(e, "errno", None) == errno.ECONNREFUSED
        for e in chain
    ):
        return Outcome.CONNECTION_REFUSED, "connection refused: nothing listens at that address"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return Outcome.CONNECTION_ERROR, f"host name did not resolve: {_first_line(exc)}"
    if any(isinstance(e, ConnectionResetError | BrokenPipeError | ConnectionAbortedError) for e in chain):
        return Outcome.CONNECTION_RESET, "connection reset by the receiver"
    if type(exc).__name__ in _MALFORMED:
        return Outcome.MALFORMED_RESPONSE, f"response is not valid HTTP: {_first_line(exc)}"
    if isinstance(exc, httpx.RemoteProtocolError):
        message = _first_line(exc)
        if "disconnected" in message or "peer closed" in message:
            return Outcome.CONNECTION_RESET, f"receiver closed the connection: {message}"
        return Outcome.MALFORMED_RESPONSE, f"response is not valid HTTP: {message}"
    if isinstance(exc, httpx.DecodingError):
        return Outcome.MALFORMED_RESPONSE, f"response body could not be decoded: {_first_line(exc)}"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return Outcome.CONNECTION_RESET, f"connection dropped: {_first_line(exc)}"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return Outcome.CONNECTION_ERROR, f"invalid callback URL: {_first_line(exc)}"
    return Outcome.CONNECTION_ERROR, f"could not reach the receiver: {_first_line(exc)}"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            for inner in current.exceptions:
                yield from _chain(inner)
        current = current.__cause__ or current.__context__


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text and text[0] else type(exc).__name__
