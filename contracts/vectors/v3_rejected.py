"""The v3 deliveries a receiver must reject: forged, stale or future, malformed, or misconfigured."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta

from flipdish_sim.contracts.vectors.v3 import (
    CURRENT,
    ESCAPED_SLASH,
    GUESSED,
    JSON,
    NON_ASCII,
    NOW,
    PREVIOUS,
    RETIRED,
    SNOOZED,
    Delivery,
    case,
    digest,
    header,
    stamp,
)
from flipdish_sim.verify import SIGNED_BODY

__all__ = ["cases"]


def _rejected(
    case_id: str,
    why: str,
    reason: str,
    *,
    signature: str | None,
    secrets: list[str] | None = None,
    delivery: Delivery = SNOOZED,
    timestamp: str | None = None,
) -> JSON:
    return case(
        case_id,
        why,
        delivery=delivery,
        signature=signature,
        secrets=[CURRENT] if secrets is None else secrets,
        verdict="reject",
        reason=reason,
        timestamp=timestamp,
    )


def _reserialised(
    delivery: Delivery,
    *,
    ensure_ascii: bool = False,
    sort_keys: bool = False,
    separators: tuple[str, str] | None = None,
) -> Delivery:
    """The body parsed and written again, as a receiver that verifies parsed JSON would see it."""
    document = json.loads(delivery[1])
    text = json.dumps(document, ensure_ascii=ensure_ascii, sort_keys=sort_keys, separators=separators)
    return delivery[0], text.encode("utf-8")


def forged_cases() -> list[JSON]:
    """Deliveries whose content or signature cannot be trusted: reason ``mismatch``."""
    body = SNOOZED[1]
    signed = header(stamp(), body, [CURRENT])
    hour_ago = stamp(-timedelta(hours=1))
    return [
        _rejected("wrong-secret", "Signed under a secret the receiver does not hold.", "mismatch",
                  signature=header(stamp(), body, [GUESSED])),
        _rejected("retired-secret", "Signed only under a secret the receiver has retired.", "mismatch",
                  signature=header(stamp(), body, [RETIRED]), secrets=[CURRENT, PREVIOUS]),
        _rejected("tampered-body", "One digit of the body changed (menuRevisionId 375 -> 376).", "mismatch",
                  signature=signed, delivery=(SNOOZED[0], body.replace(b":375,", b":376,"))),
        _rejected("trailing-newline-added", "A newline appended to the body changes the signed bytes.",
                  "mismatch", signature=signed, delivery=(SNOOZED[0], body + b"\n")),
        _rejected("reserialised-body-whitespace",
                  "The body parsed and serialised again with spaces (Python's json.dumps default).",
                  "mismatch",
                  signature=signed, delivery=_reserialised(SNOOZED)),
        _rejected("reserialised-body-key-order", "The body parsed and serialised again with sorted keys.",
                  "mismatch", signature=signed,
                  delivery=_reserialised(SNOOZED, sort_keys=True, separators=(",", ":"))),
        _rejected("reserialised-escaped-slash",
                  "The escaped-slash body's signature over the same JSON re-serialised without '\\/'.",
                  "mismatch", signature=header(stamp(), ESCAPED_SLASH[1], [CURRENT]),
                  delivery=_reserialised(ESCAPED_SLASH, separators=(",", ":"))),
        _rejected("reserialised-non-ascii-escaped",
                  "The non-ASCII body's signature over the same JSON re-serialised with \\uXXXX escapes.",
                  "mismatch", signature=header(stamp(), NON_ASCII[1], [CURRENT]),
                  delivery=_reserialised(NON_ASCII, ensure_ascii=True, separators=(",", ":"))),
        _rejected("timestamp-replaced",
                  "A replay whose t= was refreshed: t is signed, so the digest no longer matches.",
                  "mismatch", signature=header(hour_ago, body, [CURRENT]).replace(hour_ago, stamp())),
        _rejected("body-only-signature-under-default",
                  "A body-only HMAC checked under the default <timestamp>.<body> construction.", "mismatch",
                  signature=header(stamp(), body, [CURRENT], SIGNED_BODY)),
        _rejected("unkeyed-sha256", "A plain SHA-256 of the body is not an HMAC: anyone can compute it.",
                  "mismatch", signature=f"t={stamp()},sha256={hashlib.sha256(body).hexdigest()}"),
    ]  # fmt: skip


def stale_cases() -> list[JSON]:
    """Authentic deliveries outside the replay window: reasons ``too-old`` and ``too-new``."""
    body = SNOOZED[1]
    rows = [
        ("stale-by-one-millisecond", "Signed 300.001 s before now: just outside.", -300_001, "too-old"),
        ("stale-replay", "Signed an hour before now: a replayed delivery.", -3_600_000, "too-old"),
        ("future-by-one-millisecond", "Signed 300.001 s after now: just outside.", 300_001, "too-new"),
        ("future-far", "Signed a day after now: a forged or badly skewed clock.", 86_400_000, "too-new"),
    ]  # fmt: skip
    cases = []
    for case_id, why, offset_ms, reason in rows:
        at = stamp(timedelta(milliseconds=offset_ms))
        signature = header(at, body, [CURRENT])
        cases.append(_rejected(case_id, why, reason, signature=signature, timestamp=at))
    return cases


def malformed_cases() -> list[JSON]:
    """Headers that are absent or not ``t=<ISO-8601>,sha256=<64 hex>``: reasons ``missing``, ``malformed``."""
    body, now = SNOOZED[1], stamp()
    hexdigest = digest(CURRENT, now, body)
    unix = str(int(NOW.timestamp()))
    naive = now.removesuffix("Z")
    return [
        _rejected("missing-header", "No X-Flipdish-Signature header at all.", "missing", signature=None),
        _rejected("empty-header", "An empty X-Flipdish-Signature header.", "missing", signature=""),
        _rejected("no-timestamp", "No t= entry.", "malformed", signature=f"sha256={hexdigest}"),
        _rejected("two-timestamps", "Two t= entries: which one was signed is ambiguous.", "malformed",
                  signature=f"t={now},t={now},sha256={hexdigest}"),
        _rejected("empty-timestamp", "An empty t= entry.", "malformed", signature=f"t=,sha256={hexdigest}"),
        _rejected("no-digest", "No sha256= entry.", "malformed", signature=f"t={now}"),
        _rejected("digest-too-short", "A sha256= entry of 63 hex digits.", "malformed",
                  signature=f"t={now},sha256={hexdigest[:-1]}"),
        _rejected("digest-not-hex", "A sha256= entry with a non-hex digit.", "malformed",
                  signature=f"t={now},sha256={hexdigest[:-1]}g"),
        _rejected("digest-base64", "A base64 digest where hex is documented.", "malformed",
                  signature=f"t={now},sha256={base64.b64encode(bytes.fromhex(hexdigest)).decode()}"),
        _rejected("not-key-value", "An entry that is not key=value.", "malformed",
                  signature=f"t={now},{hexdigest}"),
        _rejected("stripe-v1-scheme", "Stripe's v1= scheme name instead of sha256= (correct digest).",
                  "malformed", signature=f"t={now},v1={hexdigest}"),
        _rejected("timestamp-unix-seconds", "A Unix-seconds t= (Stripe's), not ISO-8601 (correctly signed).",
                  "malformed", signature=header(unix, body, [CURRENT]), timestamp=unix),
        _rejected("timestamp-without-zone", "An ISO-8601 t= without Z or offset (correctly signed).",
                  "malformed", signature=header(naive, body, [CURRENT]), timestamp=naive),
    ]  # fmt: skip


def misconfigured_cases() -> list[JSON]:
    """A receiver with no usable secret must refuse to run, never accept everything: verdict ``error``."""
    signature = header(stamp(), SNOOZED[1], [CURRENT])
    return [
        case("no-secrets", "The receiver holds no secret at all.", signature=signature, secrets=[],
              verdict="error", reason="misconfigured"),
        case("empty-secret", "The receiver's secret is the empty string (an unset variable).",
              signature=signature, secrets=[""], verdict="error", reason="misconfigured"),
    ]  # fmt: skip


def cases() -> list[JSON]:
    """Every rejected v3 case, in the file's order."""
    return [*forged_cases(), *stale_cases(), *malformed_cases(), *misconfigured_cases()]
