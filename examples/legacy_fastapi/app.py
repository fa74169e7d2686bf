"""A correct legacy Flipdish webhook receiver (FastAPI).

    FLIPDISH_VERIFY_TOKEN=... uvicorn examples.legacy_fastapi.app:app

Same behaviour as the Flask example: constant-time token check (401), immediate 200, one side effect per
``Body.FlipdishEventId``, unknown event types and fields accepted. ``GET /webhooks/flipdish/applied`` is the
idempotency probe (``{"applied": N}``).
"""

from __future__ import annotations

import json
import os

from fastapi import FastAPI, Request, Response

from flipdish_sim.verify import verify_token


def create_app(token: str | None = None) -> FastAPI:
    app = FastAPI()
    seen: set[str] = set()
    applied: list[object] = []
    app.state.applied = applied

    @app.post("/webhooks/flipdish")
    async def webhook(request: Request) -> Response:
        expected = token or os.environ.get("FLIPDISH_VERIFY_TOKEN", "")
        if not expected:
            return Response("verify token not configured", status_code=503)
        if not verify_token(request.headers.get("X-Verify-Token"), expected):
            return Response(status_code=401)
        try:
            envelope = json.loads(await request.body())
        except ValueError:
            return Response("body is not JSON", status_code=400)
        body = envelope.get("Body") if isinstance(envelope, dict) else None
        event_id = body.get("FlipdishEventId") if isinstance(body, dict) else None
        if isinstance(event_id, str) and event_id in seen:
            return Response(status_code=200)  # a redelivery: acknowledge, apply nothing
        if isinstance(event_id, str):
            seen.add(event_id)
        applied.append(envelope)  # a real service enqueues here and answers at once
        return Response(status_code=200)

    @app.get("/webhooks/flipdish/applied")
    async def applied_count() -> dict[str, int]:
        return {"applied": len(applied)}

    return app


app = create_app()
