"""A correct Flipdish webhook receiver for the documentation's snippets (tests/test_docs_snippets.py).

The snippets name a receiver they do not define (``app``, ``myservice.web.create_app``, a staging URL) and
use several tokens and secrets (``"t"``, ``"my-token"``, ``"s3cret"``...). This receiver stands in for all of
them: every POST path is a webhook endpoint, a request with ``X-Flipdish-Event-Type`` is v3 (its signature
checked over the raw bytes against any of :data:`SECRETS`), any other is legacy (its ``X-Verify-Token``
against any of :data:`TOKENS`); one side effect per event id; ``GET .../applied`` is the idempotency probe.
It passes the conformance suite, so a documented gate that runs against it must exit 0.
"""

from __future__ import annotations

import hashlib
import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flipdish_sim.verify import InvalidSignature, verify_signature, verify_token

TOKEN = "docs-verify-token"
SECRET = "whsec_docs_secret"
TOKENS = (TOKEN, "t", "my-token", "test-token")
"""Every verify token a snippet configures."""
SECRETS = [SECRET, "s3cret", "whsec_test"]
"""Every v3 secret a snippet configures."""

__all__ = ["SECRET", "SECRETS", "TOKEN", "TOKENS", "create_app"]


def _event_key(raw: bytes, headers: dict[str, str], legacy: bool) -> str:
    if not legacy:
        return headers.get("x-flipdish-idempotency-key") or hashlib.sha256(raw).hexdigest()
    try:
        document = json.loads(raw)
    except ValueError:
        return hashlib.sha256(raw).hexdigest()
    body = document.get("Body") if isinstance(document, dict) else None
    event_id = body.get("FlipdishEventId") if isinstance(body, dict) else None
    return str(event_id) if event_id is not None else hashlib.sha256(raw).hexdigest()


def create_app() -> Starlette:
    """A fresh receiver (its own idempotency state)."""
    seen: set[str] = set()

    async def webhook(request: Request) -> Response:
        raw = await request.body()
        headers = {key.lower(): value for key, value in request.headers.items()}
        legacy = "x-flipdish-event-type" not in headers
        if legacy:
            header = headers.get("x-verify-token")
            if not any(verify_token(header, token) for token in TOKENS):
                return Response(status_code=401)
        else:
            try:
                verify_signature(headers.get("x-flipdish-signature"), raw, SECRETS)
            except InvalidSignature as exc:
                return Response(exc.reason, status_code=401)
        seen.add(_event_key(raw, headers, legacy))
        return Response(status_code=200)

    async def applied(request: Request) -> Response:
        return JSONResponse({"applied": len(seen)})

    return Starlette(
        routes=[
            Route("/{path:path}/applied", applied, methods=["GET"]),
            Route("/{path:path}", webhook, methods=["POST"]),
        ]
    )
