"""A correct v3 Flipdish webhook receiver (FastAPI).

    FLIPDISH_WEBHOOK_SECRETS=current,previous uvicorn examples.v3_fastapi.app:app

What makes it correct (each point is a conformance check):
* it verifies ``X-Flipdish-Signature`` over the raw body bytes, never over re-serialised JSON (auth.signature,
  auth.raw-body), within a 5-minute replay window (auth.replay), with any of its active secrets (rotation);
* it acknowledges at once with 204 and never redirects (ack.*);
* it applies one side effect per idempotency key (``X-Flipdish-Idempotency-Key``; an assumption, see the
  README's fidelity table) however often an event arrives (idempotency.duplicates);
* it accepts event types and fields it does not know, and one sale's events in any order.

``GET /webhooks/flipdish/applied`` answers ``{"applied": N}``, the idempotency probe.
"""

from __future__ import annotations

import hashlib
import json
import os

from fastapi import FastAPI, Request, Response

from flipdish_sim.verify import InvalidSignature, verify_signature

IDEMPOTENCY_HEADER = "X-Flipdish-Idempotency-Key"


def create_app(secrets: list[str] | None = None) -> FastAPI:
    app = FastAPI()
    seen: set[str] = set()
    applied: list[object] = []
    app.state.applied = applied

    @app.post("/webhooks/flipdish")
    async def webhook(request: Request) -> Response:
        keys = secrets or [s for s in os.environ.get("FLIPDISH_WEBHOOK_SECRETS", "").split(",") if s]
        if not keys:
            return Response("signing secret not configured", status_code=503)
        raw = await request.body()  # the exact bytes: verify these, not a re-serialisation
        try:
            verify_signature(request.headers.get("X-Flipdish-Signature"), raw, keys)
        except InvalidSignature as exc:
            return Response(exc.reason, status_code=401)
        try:
            document = json.loads(raw)
        except ValueError:
            return Response("body is not JSON", status_code=400)
        key = request.headers.get(IDEMPOTENCY_HEADER) or hashlib.sha256(raw).hexdigest()
        if key in seen:
            return Response(status_code=204)  # a redelivery: acknowledge, apply nothing
        seen.add(key)
        applied.append((request.headers.get("X-Flipdish-Event-Type"), document))  # enqueue in a real service
        return Response(status_code=204)

    @app.get("/webhooks/flipdish/applied")
    async def applied_count() -> dict[str, int]:
        return {"applied": len(applied)}

    return app


app = create_app()
