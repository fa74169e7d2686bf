"""Capture files as ``listen`` and ``captures export`` write them, for the replay tests.

Legacy captures hold the verify token masked (as every log and export does); v3 captures keep their
signature unless ``masked`` (an export masks the digests).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flipdish_sim.contracts.examples import example
from flipdish_sim.simulator.model import Capture, capture_to_json
from flipdish_sim.simulator.wire import mask_headers, signature_header

TOKEN = "legacy-verify-token"
SECRET = "v3-signing-secret"
V3_EVENT = "sale.created.v1"


def legacy_capture(n: int, *, at: datetime | None = None) -> Capture:
    """A legacy ``order.created`` as received, with event id ``evt-<n>``; spaces no encoder of ours writes."""
    at = at or datetime.now(UTC)
    envelope = example("order.created", seed=n, at=at)
    envelope["Body"]["FlipdishEventId"] = f"evt-{n}"  # type: ignore[index]
    body = json.dumps(envelope, indent=1).encode()
    headers = (("Host", "tunnel.example"), ("Content-Type", "application/json"), ("X-Verify-Token", TOKEN))
    return Capture(f"cap-{n}", at, "POST", "/webhooks/flipdish", mask_headers(headers), body)


def v3_capture(n: int, *, signed_at: datetime | None = None, masked: bool = False) -> Capture:
    """A v3 ``sale.created.v1`` as received (idempotency key ``v3-evt-<n>``), signed at ``signed_at``."""
    signed_at = signed_at or datetime.now(UTC)
    body = json.dumps(example(V3_EVENT, seed=n, at=signed_at), indent=1).encode()
    signature = signature_header([SECRET], signed_at, body)
    headers = (
        ("Content-Type", "application/json"),
        ("X-Flipdish-Event-Type", V3_EVENT),
        ("X-Flipdish-Timestamp", signature.split(",")[0][2:]),
        ("X-Flipdish-Signature", signature),
        ("X-Flipdish-Idempotency-Key", f"v3-evt-{n}"),
    )
    return Capture(
        f"v3cap-{n}",
        signed_at,
        "POST",
        "/webhooks/flipdish",
        mask_headers(headers) if masked else headers,
        body,
    )


def write(path: Path, captures: Sequence[Capture]) -> Path:
    path.write_text("".join(json.dumps(capture_to_json(c)) + "\n" for c in captures), encoding="utf-8")
    return path


def stale() -> datetime:
    return datetime.now(UTC) - timedelta(hours=1)
