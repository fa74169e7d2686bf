"""A captured request sent again: what it is (family, event, signed time) and the headers of a replay. Pure.

A capture keeps the bytes and headers a receiver saw (:class:`~flipdish_sim.simulator.model.Capture`). To
send it again the body goes exactly as captured; the headers go as captured except:

* the transport's own (``Host``, ``Content-Length``, ``Connection``, ``Transfer-Encoding``...), which the
  HTTP client writes for the new connection;
* legacy: ``X-Verify-Token`` comes from the subscription replayed to (captures hold it masked);
* v3 re-signed: ``X-Flipdish-Timestamp`` and ``X-Flipdish-Signature`` are made afresh from the
  subscription's secrets by the one signature-header builder (:func:`._signing.signed_header`); without
  re-signing they go unchanged, so the receiver sees the original signature and timestamp.

:func:`replay_problem` says why a capture cannot be sent as it is (a stale or masked v3 signature).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flipdish_sim.simulator.model._capture import Capture
from flipdish_sim.simulator.wire._envelope import MASK
from flipdish_sim.simulator.wire._signing import format_timestamp, signed_header
from flipdish_sim.verify import InvalidSignature, parse_signature, parse_timestamp

__all__ = ["REPLAY_TOLERANCE", "CaptureIdentity", "identify", "replay_headers", "replay_problem"]

Headers = tuple[tuple[str, str], ...]

REPLAY_TOLERANCE = timedelta(minutes=5)
"""How old a v3 signature may be and still verify: ``verify_signature``'s default window (fidelity table)."""

_TRANSPORT = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "proxy-connection",
        "expect",
    }
)
_SIGNING = frozenset({"x-flipdish-timestamp", "x-flipdish-signature"})


@dataclass(frozen=True, slots=True)
class CaptureIdentity:
    """What a capture is: its family, event type and id, and (v3) the time its signature was made."""

    family: str  # "legacy" or "v3"
    event_name: str
    event_id: str
    signed_at: datetime | None = None
    signature_masked: bool = False


def identify(capture: Capture) -> CaptureIdentity:
    """The family (v3 when a Flipdish v3 header is present), event type and event id of ``capture``.

    Legacy: ``Type`` and ``Body.FlipdishEventId`` of the JSON envelope. v3: ``X-Flipdish-Event-Type`` and the
    idempotency key, else the body's ``detail-type`` and ``id``. What cannot be read is ``unknown`` (type)
    or the capture's own id (event id)."""
    document = _json(capture.body)
    v3 = capture.header("X-Flipdish-Signature") is not None or capture.header("X-Flipdish-Event-Type")
    if not v3:
        body = document.get("Body")
        event_id = body.get("FlipdishEventId") if isinstance(body, dict) else None
        return CaptureIdentity("legacy", _text(document.get("Type")), _text(event_id, capture.id))
    name = capture.header("X-Flipdish-Event-Type") or _text(document.get("detail-type"))
    event_id = capture.header("X-Flipdish-Idempotency-Key") or _text(document.get("id"), capture.id)
    signed_at, masked = _signature_time(capture)
    return CaptureIdentity("v3", name, event_id, signed_at, masked)


def replay_problem(identity: CaptureIdentity, *, resign: bool, now: datetime) -> str | None:
    """Why ``identity``'s capture cannot be sent without re-signing at ``now`` (None: it can)."""
    if identity.family != "v3" or resign:
        return None
    if identity.signature_masked:
        return "its signature is masked (logs and exports never keep it): add --re-sign --secret S"
    if identity.signed_at is None:
        return "it has no readable X-Flipdish-Signature timestamp: add --re-sign --secret S"
    age = now - identity.signed_at
    if age > REPLAY_TOLERANCE:
        return (
            f"it was signed at {format_timestamp(identity.signed_at)}, {int(age.total_seconds())} s ago, past"
            f" the receiver's {int(REPLAY_TOLERANCE.total_seconds())} s window: add --re-sign --secret S"
        )
    return None


def replay_headers(
    capture: Capture,
    *,
    family: str,
    verify_token: str | None = None,
    secrets: Sequence[str] = (),
    stamp: datetime | None = None,
    signed: str,
) -> Headers:
    """The headers to send ``capture`` with (see the module docstring); ``stamp``: v3 re-sign at this time
    with ``secrets`` (None: keep the captured signature)."""
    kept = [(k, v) for k, v in capture.headers if k.lower() not in _TRANSPORT]
    if family == "legacy":
        kept = [(k, v) for k, v in kept if k.lower() != "x-verify-token"]
        return (*kept, ("X-Verify-Token", verify_token)) if verify_token else tuple(kept)
    if stamp is None:
        return tuple(kept)
    timestamp = format_timestamp(stamp)
    fresh = {
        "x-flipdish-timestamp": timestamp,
        "x-flipdish-signature": signed_header(secrets, timestamp, capture.body, signed=signed),
    }
    out = [(k, fresh.pop(k.lower())) if k.lower() in _SIGNING else (k, v) for k, v in kept]
    out += [(name.title(), value) for name, value in fresh.items()]  # a capture that had neither header
    return tuple(out)


def _signature_time(capture: Capture) -> tuple[datetime | None, bool]:
    header = capture.header("X-Flipdish-Signature")
    if header is None:
        return None, False
    masked = f"={MASK}" in header
    try:
        timestamp, _ = parse_signature(header)
        return parse_timestamp(timestamp), masked
    except (InvalidSignature, ValueError):
        return None, masked


def _json(body: bytes) -> dict[str, object]:
    try:
        document = json.loads(body)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def _text(value: object, default: str = "unknown") -> str:
    return value if isinstance(value, str) and value else default
