"""A correct legacy Flipdish webhook receiver (Flask).

    FLIPDISH_VERIFY_TOKEN=... flask --app examples.legacy_flask.app run

What makes it correct (each point is a conformance check):
* it compares ``X-Verify-Token`` with your token in constant time, 401 otherwise (auth.verify-token);
* it acknowledges at once with 200 and leaves slow work to a queue (ack.2xx, ack.deadline), never redirects;
* it records each ``Body.FlipdishEventId`` once: a redelivered event is acknowledged and ignored
  (idempotency.duplicates);
* it accepts unknown event types and fields, and one order's events in any order (compat.*, ordering).

``GET /webhooks/flipdish/applied`` answers ``{"applied": N}``: the probe that
``flipdish-sim conformance --probe-url`` reads to check idempotency. Keep it out of production, or protect it.
"""

from __future__ import annotations

import json
import os
import threading

from flask import Flask, Response, jsonify, request

from flipdish_sim.verify import verify_token


def create_app(token: str | None = None) -> Flask:
    app = Flask(__name__)
    seen: set[str] = set()
    applied: list[dict[str, object]] = []
    lock = threading.Lock()

    @app.post("/webhooks/flipdish")
    def webhook() -> Response | tuple[str, int]:
        expected = token or os.environ.get("FLIPDISH_VERIFY_TOKEN", "")
        if not expected:
            return "verify token not configured", 503
        if not verify_token(request.headers.get("X-Verify-Token"), expected):
            return "", 401
        try:
            envelope = json.loads(request.get_data())
        except ValueError:
            return "body is not JSON", 400
        body = envelope.get("Body") if isinstance(envelope, dict) else None
        event_id = body.get("FlipdishEventId") if isinstance(body, dict) else None
        with lock:
            if isinstance(event_id, str) and event_id in seen:
                return "", 200  # a redelivery: acknowledge, apply nothing
            if isinstance(event_id, str):
                seen.add(event_id)
            applied.append(envelope)  # a real service enqueues here and answers at once
        return "", 200

    @app.get("/webhooks/flipdish/applied")
    def applied_count() -> Response:
        return jsonify(applied=len(applied))

    app.extensions["flipdish_applied"] = applied
    return app


app = create_app()
