"""The record of one delivery attempt and the classification of its outcome.

Success is a 2xx status and nothing else (FACTS 5): every 3xx, 304 included, is an ``HTTP_ERROR``, as are
4xx and 5xx. Transport failures get their own class so a receiver author can see what went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["Attempt", "Outcome"]


class Outcome(StrEnum):
    """How one attempt ended."""

    ACKNOWLEDGED = "acknowledged"
    """A 2xx status: the receiver took the webhook."""
    HTTP_ERROR = "http-error"
    """Any other status, redirects and 304 included (``status_code`` says which)."""
    TIMEOUT = "timeout"
    """The whole exchange did not finish within the deadline (10 s by default)."""
    CONNECTION_REFUSED = "connection-refused"
    """Nothing listens at the address."""
    CONNECTION_RESET = "connection-reset"
    """The peer reset or dropped the connection mid-exchange."""
    TLS_ERROR = "tls-error"
    """TLS handshake failed: untrusted or invalid certificate, protocol mismatch."""
    MALFORMED_RESPONSE = "malformed-response"
    """The peer answered something that is not HTTP."""
    CONNECTION_ERROR = "connection-error"
    """Any other failure to reach the peer: DNS, invalid host, unsupported URL."""
    INVALID_REQUEST = "invalid-request"
    """The request could not be built or sent as the subscription defines it (a header value HTTP cannot
    carry, a host name that is not a DNS name, credentials in the URL...): nothing reached the receiver.
    The subscription needs fixing; the other subscriptions are not affected."""
    INTERRUPTED = "interrupted"
    """The process stopped while the attempt was in flight (a log replays it on resume): no response known."""

    @property
    def ok(self) -> bool:
        return self is Outcome.ACKNOWLEDGED


@dataclass(frozen=True, slots=True)
class Attempt:
    """One POST and what came back.

    ``at`` is the (simulated) time it started; ``duration`` is real elapsed seconds.
    """

    at: datetime
    outcome: Outcome
    status_code: int | None
    duration: float
    response_headers: tuple[tuple[str, str], ...] = ()
    response_body: bytes = b""
    error: str | None = None
    response_truncated: bool = False
    """True when the receiver sent more than the bounded ``response_body`` (the rest was never read)."""

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.ACKNOWLEDGED

    def describe(self) -> str:
        """One line for people, e.g. ``http-error (302)`` or ``timeout: no response within 10 s``."""
        text = self.outcome.value
        if self.status_code is not None:
            text += f" ({self.status_code})"
        if self.error:
            text += f": {self.error}"
        return text
