"""The exact bytes and headers of one webhook POST, legacy (FACTS 2.1, 3.1) or v3 (FACTS 3.2). Pure.

Legacy: ``Content-Type: application/json``, ``X-Verify-Token`` only when the subscription has a token, body =
the envelope ``{"Type", "CreateTime", "Body"}``, no signature (none is documented for legacy webhooks).

v3: ``X-Flipdish-Event-Type``, ``X-Flipdish-Event-Version``, ``X-Flipdish-Timestamp``,
``X-Flipdish-Signature`` and an idempotency header. The body is encoded once: the bytes signed are
the bytes sent.

Assumptions (Flipdish does not publish them; each is a :class:`RequestOptions` field):
* JSON encoding like Newtonsoft.Json's defaults (Flipdish runs .NET): compact, non-ASCII characters and ``/``
  not escaped.
* the idempotency header's name, default ``X-Flipdish-Idempotency-Key: <event id>``;
* the User-Agent, default an honest ``flipdish-sim/<version>``;
* the signed string, default ``<timestamp>.<raw body>``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from flipdish_sim import __version__
from flipdish_sim.simulator.wire._signing import SIGNED_TIMESTAMP_DOT_BODY, format_timestamp, signature_header

__all__ = [
    "DEFAULT_USER_AGENT",
    "MASK",
    "OutgoingRequest",
    "RequestOptions",
    "encode_json",
    "legacy_envelope",
    "legacy_request",
    "mask_headers",
    "v3_request",
]

DEFAULT_USER_AGENT = f"flipdish-sim/{__version__}"
MASK = "***"
Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class OutgoingRequest:
    """One POST as it goes on the wire: headers in order, body as bytes."""

    url: str
    headers: Headers
    body: bytes

    @property
    def method(self) -> str:
        return "POST"

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """The unpublished details of Flipdish's requests, as configurable defaults."""

    signed: str = SIGNED_TIMESTAMP_DOT_BODY
    idempotency_header: str | None = "X-Flipdish-Idempotency-Key"
    user_agent: str | None = DEFAULT_USER_AGENT
    event_version: str = "v1"
    extra_headers: Headers = ()


DEFAULT_OPTIONS = RequestOptions()


def encode_json(document: object) -> bytes:
    """UTF-8 JSON as Newtonsoft.Json writes it by default: no whitespace, non-ASCII and ``/`` unescaped.

    NaN and infinities are refused (``ValueError``): they are not JSON.
    """
    return _ENCODER.encode(document).encode("utf-8")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
"""What ``json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)`` uses, made once
(``dumps`` builds one per call)."""


def legacy_envelope(event_name: str, create_time: datetime, body: Mapping[str, object]) -> dict[str, object]:
    """The legacy envelope ``{"Type", "CreateTime", "Body"}`` (FACTS 2.1); CreateTime as ``...sss Z``."""
    return {"Type": event_name, "CreateTime": format_timestamp(create_time), "Body": dict(body)}


def _common_headers(options: RequestOptions) -> list[tuple[str, str]]:
    headers = [("Content-Type", "application/json")]
    if options.user_agent:
        headers.append(("User-Agent", options.user_agent))
    return headers


def legacy_request(
    url: str,
    payload: Mapping[str, object],
    *,
    verify_token: str | None,
    options: RequestOptions = DEFAULT_OPTIONS,
) -> OutgoingRequest:
    """A legacy webhook POST; ``payload`` is the whole envelope (see :func:`legacy_envelope`)."""
    headers = _common_headers(options)
    if verify_token:
        headers.append(("X-Verify-Token", verify_token))
    headers.extend(options.extra_headers)
    return OutgoingRequest(url=url, headers=tuple(headers), body=encode_json(payload))


def v3_request(
    url: str,
    event_type: str,
    payload: Mapping[str, object],
    *,
    secrets: Sequence[str],
    at: datetime,
    event_id: str,
    options: RequestOptions = DEFAULT_OPTIONS,
) -> OutgoingRequest:
    """A signed v3 webhook POST, stamped ``at`` (one ``sha256=`` entry per secret in ``secrets``)."""
    body = encode_json(payload)
    timestamp = format_timestamp(at)
    headers = _common_headers(options)
    headers += [
        ("X-Flipdish-Event-Type", event_type),
        ("X-Flipdish-Event-Version", options.event_version),
        ("X-Flipdish-Timestamp", timestamp),
        ("X-Flipdish-Signature", signature_header(secrets, at, body, signed=options.signed)),
    ]
    if options.idempotency_header:
        headers.append((options.idempotency_header, event_id))
    headers.extend(options.extra_headers)
    return OutgoingRequest(url=url, headers=tuple(headers), body=body)


_SECRET_HEADERS = frozenset({"x-verify-token", "authorization", "proxy-authorization", "cookie"})


def _mask_signature(value: str) -> str:
    parts = []
    for part in value.split(","):
        key, sep, _ = part.strip().partition("=")
        parts.append(f"{key}={MASK}" if sep and key.strip() != "t" else part.strip())
    return ",".join(parts)


def mask_headers(headers: Iterable[tuple[str, str]], *, keep_signature: bool = False) -> Headers:
    """Headers safe to log: verify tokens and credentials replaced by ``***``, signature digests masked.

    ``keep_signature``: leave ``X-Flipdish-Signature`` as it is (what ``listen`` stores in its 0600 log so a
    fresh capture replays without re-signing; every page, export and terminal line masks it)."""
    masked = []
    for name, value in headers:
        lowered = name.lower()
        if lowered in _SECRET_HEADERS:
            value = MASK
        elif lowered == "x-flipdish-signature" and not keep_signature:
            value = _mask_signature(value)
        masked.append((name, value))
    return tuple(masked)
