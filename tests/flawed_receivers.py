"""Deliberately flawed webhook receivers, one flaw each, for the conformance suite's own tests.

``receiver(family, flaw)`` is an ASGI app that behaves exactly like a correct receiver (token or signature
checked over the raw bytes, 5-minute window, one side effect per event id, unknown events and fields
accepted) except for the one ``flaw``. ``FLAWS[family][flaw]`` is the id of the check that must catch it,
and no other check may fail. ``GET /applied`` answers ``{"applied": N}`` (the idempotency probe).
``served(app)`` serves one on a real loopback port (uvicorn in a thread).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flipdish_sim.contracts.catalogue import Family, catalogue
from flipdish_sim.verify import (
    InvalidSignature,
    parse_signature,
    parse_timestamp,
    verify_signature,
    verify_token,
)

TOKEN = "legacy-verify-token"
SECRET = "v3-signing-secret"
SLOW_EVENT = "order.accepted"
SLOW_SECONDS = 0.6
"""How long a slow receiver takes: grade it with ``deadline=SLOW_SECONDS / 2`` (a tenth of Flipdish's 10 s
scaled down, so the tests stay fast)."""

FLAWS: dict[str, dict[str, str]] = {
    "legacy": {
        "no-token-check": "auth.verify-token",
        "not-idempotent": "idempotency.duplicates",
        "rejects-unknown-events": "compat.unknown-event",
        "rejects-extra-fields": "compat.extra-fields",
        "redirects": "ack.no-redirect",
        "slow": "ack.deadline",
        "slow-one-in-ten": "ack.deadline",
        "rejects-out-of-order": "ordering.out-of-order",
        "fails-on-null": "contract.fuzz",
    },
    "v3": {
        "accepts-any-signature": "auth.signature",
        "no-replay-window": "auth.replay",
        "reserialises-json": "auth.raw-body",
        "reserialises-json-python-default": "auth.raw-body",
        "not-idempotent": "idempotency.duplicates",
        "redirects": "ack.no-redirect",
    },
}

_KNOWN = {spec.name for spec in catalogue(Family.LEGACY)}
_RANK = {
    "order.created": 0,
    "order.accepted": 1,
    "order.rejected": 1,
    "order.dispatched": 2,
    "order.refunded": 3,
}
_ENVELOPE = {"Type", "CreateTime", "Body"}


def _authentic_v3(flaw: str | None, headers: dict[str, str], raw: bytes) -> bool:
    header = headers.get("x-flipdish-signature")
    try:
        if flaw == "accepts-any-signature":  # checks the layout and the window, never the digest
            timestamp, _ = parse_signature(header)
            return abs(datetime.now(UTC) - parse_timestamp(timestamp)) <= timedelta(minutes=5)
        if flaw == "no-replay-window":
            verify_signature(header, raw, SECRET, tolerance=timedelta(days=3650))
        elif flaw == "reserialises-json":
            canonical = json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False).encode()
            verify_signature(header, canonical, SECRET)
        elif flaw == "reserialises-json-python-default":  # json.dumps(request.json()): ", " and ": "
            verify_signature(header, json.dumps(json.loads(raw)).encode(), SECRET)
        else:
            verify_signature(header, raw, SECRET)
    except (InvalidSignature, ValueError):
        return False
    return True


class _State:
    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.applied = 0
        self.ranks: dict[object, int] = {}


def _order_id(document: dict[str, object]) -> object:
    body = document.get("Body")
    order = body.get("Order") if isinstance(body, dict) else None
    return order.get("OrderId") if isinstance(order, dict) else None


def _legacy_flaw(flaw: str | None, document: dict[str, object], state: _State) -> Response | None:
    kind = document.get("Type")
    if flaw == "rejects-unknown-events" and kind not in _KNOWN:
        return Response("unknown event type", status_code=400)
    if flaw == "rejects-extra-fields" and set(document) - _ENVELOPE:
        return Response("unexpected envelope fields", status_code=422)
    if flaw == "fails-on-null":
        body = document.get("Body")
        order = body.get("Order") if isinstance(body, dict) else None
        customer = order.get("Customer") if isinstance(order, dict) else None
        if isinstance(customer, dict) and "Name" in customer:
            customer["Name"].split()  # greets the customer by first name; AttributeError on null -> 500
    if flaw == "rejects-out-of-order" and isinstance(kind, str) and kind in _RANK:
        order_id = _order_id(document)
        if order_id is not None:
            if _RANK[kind] < state.ranks.get(order_id, -1):
                return Response("stale state transition", status_code=409)
            state.ranks[order_id] = _RANK[kind]
    return None


def receiver(family: str, flaw: str | None = None) -> Starlette:
    """A receiver of ``family`` with one ``flaw`` (None: a correct receiver)."""
    if flaw is not None and flaw not in FLAWS[family]:
        raise ValueError(f"unknown {family} flaw {flaw!r}")
    state = _State()
    posts = itertools.count(1)

    async def webhook(request: Request) -> Response:
        raw = await request.body()
        if flaw == "slow-one-in-ten" and next(posts) % 10 == 0:
            await asyncio.sleep(SLOW_SECONDS)
        headers = {key.lower(): value for key, value in request.headers.items()}
        if family == "legacy":
            if flaw != "no-token-check" and not verify_token(headers.get("x-verify-token"), TOKEN):
                return Response(status_code=401)
        elif not _authentic_v3(flaw, headers, raw):
            return Response(status_code=401)
        document = json.loads(raw)
        if family == "legacy":
            problem = _legacy_flaw(flaw, document, state)
            if problem is not None:
                return problem
            if flaw == "slow" and document.get("Type") == SLOW_EVENT:
                await asyncio.sleep(SLOW_SECONDS)
            body = document.get("Body")
            key = (
                str(body.get("FlipdishEventId"))
                if isinstance(body, dict)
                else hashlib.sha256(raw).hexdigest()
            )
        else:
            key = headers.get("x-flipdish-idempotency-key") or hashlib.sha256(raw).hexdigest()
        if flaw == "not-idempotent" or key not in state.seen:
            state.seen.add(key)
            state.applied += 1
        if flaw == "redirects":
            return Response(status_code=303, headers={"Location": "/thanks"})
        return Response(status_code=200)

    async def applied(request: Request) -> Response:
        return JSONResponse({"applied": state.applied})

    return Starlette(routes=[Route("/webhook", webhook, methods=["POST"]), Route("/applied", applied)])


# Ready-made apps for ``--app tests.flawed_receivers:<name>`` (the CLI tests).
legacy_correct = receiver("legacy")
legacy_rejects_unknown_events = receiver("legacy", "rejects-unknown-events")
v3_correct = receiver("v3")


@contextmanager
def served(app: Starlette) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (an ephemeral port) in a thread; yield ``http://127.0.0.1:<port>``."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="error", access_log=False, lifespan="off",
        timeout_graceful_shutdown=1,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(1000):  # bounded: uvicorn starts in milliseconds
            if server.started or not thread.is_alive():
                break
            time.sleep(0.01)
        if not server.started:
            raise RuntimeError("uvicorn did not start")
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
