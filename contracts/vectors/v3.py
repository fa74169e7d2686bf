"""The v3 signature vectors: the shared inputs (secrets, bodies, instants) and the deliveries to accept.

The deliveries to reject are in :mod:`.v3_rejected`. Pure and deterministic: fixed secrets, fixed bodies,
fixed instants; the HMAC is :func:`flipdish_sim.verify.expected_signature`, the function the simulator's
sender signs with.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from flipdish_sim.verify import SIGNED_BODY, SIGNED_TIMESTAMP_DOT_BODY, expected_signature

__all__ = ["NOW", "TOLERANCE", "case", "digest", "header", "stamp", "valid_cases"]

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
"""The receiver's clock in every case unless a case says otherwise."""
TOLERANCE = timedelta(minutes=5)

CURRENT = "fdsec_current_9f8e7d6c5b4a3f2e"
PREVIOUS = "fdsec_previous_0a1b2c3d4e5f6a7b"
RETIRED = "fdsec_retired_6a5b4c3d2e1f0a9b"
GUESSED = "fdsec_guessed_0000000000000000"

SNOOZED = ("menu.item.snoozed.v1", b"".join([
    b'{"orgId":"org26932","brandId":"b79374","propertyId":"p76756","salesChannelId":"306691",',
    b'"salesChannelType":"FlipdishMobileApp","menuId":"e06a63f8-b04e-5be8-865f-07b35bffda14",',
    b'"menuRevisionId":375,"menuItemType":"CategoryItem","menuItemId":"5357039",',
    b'"expiry":"2026-01-15T18:00:00.000Z"}',
]))  # fmt: skip
_FAILED = (
    '{{"orgId":"org26932","brandId":"b79374","propertyId":"p76756","salesChannelId":"306691",'
    '"salesChannelType":"FlipdishWebApp","menuId":"e06a63f8-b04e-5be8-865f-07b35bffda14",'
    '"menuRevisionId":376,"menuPublishId":"2f0c5a9e-8d1b-4c3e-9a7f-6b5d4e3c2b1a","error":"{error}"}}'
)
NON_ASCII = (
    "menu.validation.failed.v1",
    _FAILED.format(error="Artikel „Käsespätzle“ (5,50 €) hat keinen Preis — 北京烤鸭 🍕").encode(),
)
ESCAPED_SLASH = (
    "menu.validation.failed.v1",
    _FAILED.format(error="See https:\\/\\/portal.flipdish.com\\/menus\\/376 (price missing)").encode(),
)
ESCAPED_UNICODE = (
    "menu.validation.failed.v1",
    _FAILED.format(error="Cr\\u00e8me br\\u00fbl\\u00e9e has no price \\ud83c\\udf70").encode(),
)

Delivery = tuple[str, bytes]
JSON = dict[str, object]


def stamp(offset: timedelta = timedelta(0)) -> str:
    at = NOW + offset
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"


def digest(secret: str, timestamp: str, body: bytes, signed: str = SIGNED_TIMESTAMP_DOT_BODY) -> str:
    return expected_signature(secret, timestamp, body, signed=signed)


def header(timestamp: str, body: bytes, secrets: list[str], signed: str = SIGNED_TIMESTAMP_DOT_BODY) -> str:
    return ",".join([f"t={timestamp}", *(f"sha256={digest(s, timestamp, body, signed)}" for s in secrets)])


def case(
    case_id: str,
    why: str,
    *,
    delivery: Delivery = SNOOZED,
    signature: str | None,
    secrets: list[str],
    verdict: str,
    reason: str | None = None,
    timestamp: str | None = None,
    signed: str = SIGNED_TIMESTAMP_DOT_BODY,
    lenient: bool = False,
) -> JSON:
    event_type, body = delivery
    headers = {
        "Content-Type": "application/json",
        "X-Flipdish-Event-Type": event_type,
        "X-Flipdish-Event-Version": "v1",
        "X-Flipdish-Timestamp": timestamp or stamp(),
    }
    if signature is not None:
        headers["X-Flipdish-Signature"] = signature
    return {
        "id": case_id,
        "why": why,
        "expected": {"verdict": verdict, "reason": reason},
        "lenient": lenient,
        "now": stamp(),
        "secrets": secrets,
        "signed": signed,
        "headers": headers,
        "body": body.decode("utf-8"),
        "body_base64": base64.b64encode(body).decode("ascii"),
    }


def _accepted(
    case_id: str, why: str, secrets: list[str], signers: list[str], *, delivery: Delivery = SNOOZED
) -> JSON:
    return case(
        case_id,
        why,
        delivery=delivery,
        signature=header(stamp(), delivery[1], signers),
        secrets=secrets,
        verdict="accept",
    )


def valid_cases() -> list[JSON]:
    """Deliveries a correct receiver accepts."""
    edge_old, edge_new = stamp(-TOLERANCE), stamp(TOLERANCE)
    plus_one = "2026-01-15T13:00:00.000+01:00"  # NOW, written with an offset
    body = SNOOZED[1]
    return [
        _accepted("single-secret", "One secret, one sha256= entry, signed now.", [CURRENT], [CURRENT]),
        _accepted(
            "rotation-receiver-has-new-secret",
            "The sender signs with both active secrets; a receiver that switched holds only the new one.",
            [CURRENT],
            [CURRENT, PREVIOUS],
        ),
        _accepted(
            "rotation-receiver-has-old-secret",
            "The sender signs with both active secrets; a receiver that has not switched holds the old one.",
            [PREVIOUS],
            [CURRENT, PREVIOUS],
        ),
        _accepted(
            "rotation-receiver-holds-both",
            "The sender still signs with the old secret only; the receiver accepts the new and the old.",
            [CURRENT, PREVIOUS],
            [PREVIOUS],
        ),
        _accepted(
            "rotation-third-entry-matches",
            "Any entry may match: here only the third of three.",
            [RETIRED],
            [CURRENT, PREVIOUS, RETIRED],
        ),
        _accepted(
            "non-ascii-body",
            "Raw UTF-8 (Flipdish's .NET serialiser writes non-ASCII unescaped): sign the bytes as received.",
            [CURRENT],
            [CURRENT],
            delivery=NON_ASCII,
        ),
        _accepted(
            "escaped-slash-body",
            "The body escapes '/' as '\\/': the signature covers those bytes; do not unescape first.",
            [CURRENT],
            [CURRENT],
            delivery=ESCAPED_SLASH,
        ),
        _accepted(
            "escaped-unicode-body",
            "The body escapes non-ASCII as \\uXXXX (surrogate pair included): sign the bytes as received.",
            [CURRENT],
            [CURRENT],
            delivery=ESCAPED_UNICODE,
        ),
        case(
            "tolerance-edge-old",
            "Signed exactly 300.000 s before now: the window includes its edge.",
            signature=header(edge_old, body, [CURRENT]),
            timestamp=edge_old,
            secrets=[CURRENT],
            verdict="accept",
        ),
        case(
            "tolerance-edge-new",
            "Signed exactly 300.000 s after now (the sender's clock is ahead): the window includes its edge.",
            signature=header(edge_new, body, [CURRENT]),
            timestamp=edge_new,
            secrets=[CURRENT],
            verdict="accept",
        ),
        case(
            "signed-body-only-mode",
            "Under the alternative construction (HMAC over the raw body alone) a body-only signature passes.",
            signature=header(stamp(), body, [CURRENT], SIGNED_BODY),
            secrets=[CURRENT],
            verdict="accept",
            signed=SIGNED_BODY,
        ),
        *_lenient_cases(body, plus_one),
    ]


def _lenient_cases(body: bytes, plus_one: str) -> list[JSON]:
    """Accepted by flipdish_sim.verify; a stricter receiver may reject them without being wrong."""
    hexdigest = digest(CURRENT, stamp(), body)
    return [
        case(
            "uppercase-hex-digest",
            "Hex digits compare case-insensitively (the simulator sends lowercase).",
            signature=f"t={stamp()},sha256={hexdigest.upper()}",
            secrets=[CURRENT],
            verdict="accept",
            lenient=True,
        ),
        case(
            "spaces-after-commas",
            "Whitespace around entries is ignored.",
            signature=f"t={stamp()}, sha256={hexdigest}",
            secrets=[CURRENT],
            verdict="accept",
            lenient=True,
        ),
        case(
            "unknown-entry-ignored",
            "Entries other than t= and sha256= are ignored (room for future schemes).",
            signature=f"t={stamp()},v0=not-a-digest,sha256={hexdigest}",
            secrets=[CURRENT],
            verdict="accept",
            lenient=True,
        ),
        case(
            "digest-before-timestamp",
            "Entries may come in any order.",
            signature=f"sha256={hexdigest},t={stamp()}",
            secrets=[CURRENT],
            verdict="accept",
            lenient=True,
        ),
        case(
            "timestamp-with-offset",
            "An explicit +01:00 offset names the same instant as Z (Flipdish sends Z).",
            signature=header(plus_one, body, [CURRENT]),
            timestamp=plus_one,
            secrets=[CURRENT],
            verdict="accept",
            lenient=True,
        ),
    ]
