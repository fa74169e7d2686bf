"""A correct v3 Flipdish webhook receiver (Flask).

    FLIPDISH_WEBHOOK_SECRETS=current,previous flask --app examples.v3_flask.app run

Verifies the signature over ``request.get_data()`` (the raw bytes, never ``request.json`` re-serialised),
within a 5-minute window, acknowledges at once with 204 and applies one side effect per
``X-Flipdish-Idempotency-Key``. ``GET /webhooks/flipdish/applied`` is the idempotency probe.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading

from flask import Flask, Response, jsonify, request

from flipdish_sim.verify import InvalidSignature, verify_signature

IDEMPOTENCY_HEADER = "X-Flipdish-Idempotency-Key"


def create_app(secrets: list[str] | None = None) -> Flask:
    app = Flask(__name__)
    seen: set[str] = set()
    applied: list[object] = []
    lock = threading.Lock()
    app.extensions["flipdish_applied"] = applied

    @app.post("/webhooks/flipdish")
    def webhook() -> tuple[str, int]:
        keys = secrets or [s for s in os.environ.get("FLIPDISH_WEBHOOK_SECRETS", "").split(",") if s]
        if not keys:
            return "signing secret not configured", 503
        raw = request.get_data()
        try:
            verify_signature(request.headers.get("X-Flipdish-Signature"), raw, keys)
        except InvalidSignature as exc:
            return exc.reason, 401
        try:
            document = json.loads(raw)
        except ValueError:
            return "body is not JSON", 400
        key = request.headers.get(IDEMPOTENCY_HEADER) or hashlib.sha256(raw).hexdigest()
        with lock:
            if key in seen:
                return "", 204
            seen.add(key)
            applied.append((request.headers.get("X-Flipdish-Event-Type"), document))
        return "", 204

    @app.get("/webhooks/flipdish/applied")
    def applied_count() -> Response:
        return jsonify(applied=len(applied))

    return app


app = create_app()
