"""The v3 signature, sender side: ``X-Flipdish-Timestamp`` and ``X-Flipdish-Signature`` (FACTS 3.2).

Pure functions. The HMAC itself is :func:`flipdish_sim.verify.expected_signature`, the very function receivers
use, so sender and verifier cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from flipdish_sim.errors import SignatureError
from flipdish_sim.verify import (
    SIGNED_BODY,
    SIGNED_TIMESTAMP_DOT_BODY,
    InvalidSignature,
    expected_signature,
    parse_signature,
)

__all__ = [
    "SIGNED_BODY",
    "SIGNED_TIMESTAMP_DOT_BODY",
    "format_timestamp",
    "parse_signature_header",
    "signature_header",
    "signed_header",
]


def format_timestamp(at: datetime) -> str:
    """ISO-8601 UTC, milliseconds (truncated like .NET's ``fff``), ``Z``: ``2025-08-14T12:34:56.789Z``."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"format_timestamp needs a timezone-aware datetime, got naive {at.isoformat()}")
    utc = at if at.tzinfo is UTC else at.astimezone(UTC)
    if utc.year < 1000:  # isoformat pads the year to 4 digits, strftime's %Y does not
        return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"
    return utc.isoformat(timespec="milliseconds")[:-6] + "Z"  # truncated like %f // 1000; "+00:00" cut


def signature_header(
    secrets: Sequence[str], at: datetime, body: bytes, *, signed: str = SIGNED_TIMESTAMP_DOT_BODY
) -> str:
    """``t=<format_timestamp(at)>,sha256=<hex>[,sha256=<hex>...]``: one entry per active secret, in order."""
    if isinstance(secrets, str):
        raise TypeError("secrets must be a sequence of strings, not a single string")
    if not secrets or not all(secrets):
        raise ValueError("a v3 signature needs at least one non-empty secret")
    return signed_header(secrets, format_timestamp(at), body, signed=signed)


def signed_header(
    secrets: Sequence[str], timestamp: str, body: bytes, *, signed: str = SIGNED_TIMESTAMP_DOT_BODY
) -> str:
    """The header for an already formatted ``timestamp`` and checked ``secrets`` (the one place it is built;
    the request template calls it on every attempt, :func:`signature_header` once per request)."""
    entries = [f"sha256={expected_signature(secret, timestamp, body, signed=signed)}" for secret in secrets]
    return ",".join([f"t={timestamp}", *entries])


def parse_signature_header(value: str) -> tuple[str, tuple[str, ...]]:
    """Split a signature header into (timestamp, digests); raise ``SignatureError`` if it is malformed."""
    try:
        return parse_signature(value)
    except InvalidSignature as exc:
        raise SignatureError(str(exc)) from None
