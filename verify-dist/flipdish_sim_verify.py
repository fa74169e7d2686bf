"""Check that a webhook really comes from Flipdish: a legacy verify token or a v3 signature.

This module is for receivers, in production as much as in tests. It uses the standard library only and
imports nothing else from flipdish-sim, so you may copy this one file into your service.

Legacy (API v1.0) webhooks carry ``X-Verify-Token: <your token>`` (the token itself, no hash):

    if not verify_token(request.headers.get("X-Verify-Token"), os.environ["FLIPDISH_VERIFY_TOKEN"]):
        return 401

v3 webhooks carry ``X-Flipdish-Timestamp: 2025-08-14T12:34:56.789Z`` and
``X-Flipdish-Signature: t=2025-08-14T12:34:56.789Z,sha256=<hex>``, an HMAC-SHA256 under the
subscription's shared secret. Pass the raw body bytes, exactly as received (not re-serialised JSON):

    try:
        verify_signature(request.headers.get("X-Flipdish-Signature"), raw_body, [current, previous])
    except InvalidSignature as exc:
        return 401  # exc.reason is "missing", "malformed", "mismatch", "too-old" or "too-new"

What is signed. Flipdish documents the header layout and the algorithm but not the exact signed string.
The default, ``SIGNED_TIMESTAMP_DOT_BODY``, signs ``<timestamp> + "." + <raw body>`` (the Stripe-like
construction the ``t=...,sha256=...`` layout suggests); ``SIGNED_BODY`` signs the raw body alone. Pass
``signed=`` to choose; confirm with Flipdish before relying on either.

Key rotation. A header may hold several ``sha256=`` entries (one per active secret of the sender) and you may
pass several secrets: the request is accepted when any entry matches any secret. Every comparison is
constant-time (:func:`hmac.compare_digest`).

Replay window. The signed timestamp must lie within ``tolerance`` (default 5 minutes) of ``now``, in both
directions: too old is rejected as a replay, too far ahead as a forged or badly skewed clock. ``now`` defaults
to the real current time (``datetime.now(timezone.utc)``) - the only function in flipdish-sim outside its
clock module that reads real time, because a production receiver must. Tests pass ``now=`` explicitly.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

__all__ = [
    "SIGNED_BODY",
    "SIGNED_TIMESTAMP_DOT_BODY",
    "InvalidSignature",
    "expected_signature",
    "parse_signature",
    "parse_timestamp",
    "verify_signature",
    "verify_token",
]

SIGNED_TIMESTAMP_DOT_BODY = "timestamp.body"
"""Sign ``<timestamp>.<raw body>`` (the default; an inference, Flipdish does not publish it)."""
SIGNED_BODY = "body"
"""Sign the raw body alone."""

_SIGNED_MODES = (SIGNED_TIMESTAMP_DOT_BODY, SIGNED_BODY)
_HEX_DIGITS = frozenset("0123456789abcdef")


class InvalidSignature(ValueError):
    """The request is not provably from the holder of the secret.

    ``reason`` is one of ``"missing"`` (no header), ``"malformed"`` (not ``t=...,sha256=...``),
    ``"mismatch"`` (no entry matches any secret), ``"too-old"`` or ``"too-new"`` (authentic, but the
    timestamp is outside the tolerance).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _signed_bytes(timestamp: str, body: bytes, signed: str) -> bytes:
    if signed == SIGNED_TIMESTAMP_DOT_BODY:
        return timestamp.encode("utf-8") + b"." + body
    if signed == SIGNED_BODY:
        return body
    raise ValueError(f"signed must be one of {_SIGNED_MODES!r}, not {signed!r}")


def expected_signature(
    secret: str, timestamp: str, body: bytes, *, signed: str = SIGNED_TIMESTAMP_DOT_BODY
) -> str:
    """The lowercase hex HMAC-SHA256 of the signed string under ``secret``."""
    message = _signed_bytes(timestamp, body, signed)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO-8601 timestamp with an explicit offset or ``Z``; raise ``InvalidSignature`` otherwise."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidSignature("malformed", f"signature timestamp {value!r} is not ISO-8601") from None
    if parsed.tzinfo is None:
        raise InvalidSignature("malformed", f"signature timestamp {value!r} has no time zone")
    return parsed


def parse_signature(header: str | None) -> tuple[str, tuple[str, ...]]:
    """Split ``t=<timestamp>,sha256=<hex>[,sha256=<hex>...]`` into the timestamp and the digests.

    Unknown ``key=value`` entries are ignored (room for future schemes); digests are lowercased.
    """
    if header is None or not header.strip():
        raise InvalidSignature("missing", "no X-Flipdish-Signature header")
    timestamps: list[str] = []
    digests: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise InvalidSignature("malformed", "signature header entries must look like key=value")
        key, value = key.strip(), value.strip()
        if key == "t":
            timestamps.append(value)
        elif key == "sha256":
            digest = value.lower()
            if len(digest) != 64 or not set(digest) <= _HEX_DIGITS:
                raise InvalidSignature("malformed", "a sha256= entry is not 64 hexadecimal digits")
            digests.append(digest)
    if len(timestamps) != 1 or not timestamps[0]:
        raise InvalidSignature("malformed", "signature header must hold exactly one t=<timestamp>")
    if not digests:
        raise InvalidSignature("malformed", "signature header holds no sha256=<hex> entry")
    return timestamps[0], tuple(digests)


def verify_signature(
    header: str | None,
    body: bytes,
    secrets: str | Sequence[str],
    *,
    now: datetime | None = None,
    tolerance: timedelta = timedelta(minutes=5),
    signed: str = SIGNED_TIMESTAMP_DOT_BODY,
) -> None:
    """Return if ``header`` authenticates ``body`` under one of ``secrets``; else raise ``InvalidSignature``.

    ``now`` defaults to the real current time in UTC; it must be timezone-aware when given.
    """
    secret_list = [secrets] if isinstance(secrets, str) else list(secrets)
    if not secret_list or not all(secret_list):
        raise ValueError("verify_signature needs at least one non-empty secret")
    if now is None:
        now = datetime.now(timezone.utc)  # noqa: UP017 - kept for copy-paste into Python < 3.11
    elif now.tzinfo is None:
        raise ValueError("now must be a timezone-aware datetime")
    timestamp, digests = parse_signature(header)
    signed_at = parse_timestamp(timestamp)
    matched = False
    for secret in secret_list:
        wanted = expected_signature(secret, timestamp, body, signed=signed).encode("ascii")
        for digest in digests:
            # No short-circuit: every pair is compared, each in constant time.
            matched |= hmac.compare_digest(wanted, digest.encode("ascii"))
    if not matched:
        raise InvalidSignature("mismatch", "no sha256= entry matches any secret")
    if now - signed_at > tolerance:
        raise InvalidSignature("too-old", f"signature timestamp {timestamp} is older than {tolerance}")
    if signed_at - now > tolerance:
        raise InvalidSignature("too-new", f"signature timestamp {timestamp} is more than {tolerance} ahead")


def verify_token(header: str | None, expected: str) -> bool:
    """True when the ``X-Verify-Token`` header equals ``expected`` (constant-time comparison).

    A missing header is False. An empty ``expected`` raises ``ValueError``: an unset token must not
    accept every request.
    """
    if not expected:
        raise ValueError("verify_token needs a non-empty expected token")
    if header is None:
        return False
    return hmac.compare_digest(header.encode("utf-8"), expected.encode("utf-8"))
