"""The ``listen`` endpoint: record every POST, judge it, forward its bytes, answer with the receiver's status.

One request's life (``--mode pass``):

1. Read the body (at most ``max_body`` bytes: beyond, 413 and the capture records why, body not kept).
2. **Record** the request as received (:meth:`CaptureLog.record`, committed) before anything else.
3. **Judge** it (:func:`~._inspect.judge`): family, event, authentication, both contract profiles, unknown
   fields; stored with the capture. The judging runs in a worker thread while step 4 forwards.
4. **Forward** the exact body bytes and the request's end-to-end headers (``Host``, ``Content-Length`` and
   hop-by-hop headers are dropped; the HTTP stack sets its own) to ``forward_to`` through the sender's HTTP
   stack: one POST, Flipdish's deadline (10 s) over the whole exchange, no redirect followed.
5. **Answer** the caller with the receiver's status, ``Content-Type`` and body (at most 64 KiB), so the
   caller's own retries apply. When nothing usable came back the caller gets 504 (the receiver did not
   answer within the deadline) or 502 (refused, reset, not HTTP, TLS or DNS failure), with a Flipdish-style
   error JSON naming the failure; the capture records the same.

``--mode ack`` (a :class:`~._relay.Relay` given): steps 1-3 as above, then the capture is handed to a
running sender that delivers it to ``forward_to`` on its retry schedule (see :mod:`._relay`), and the caller
gets 200 at once; a delivery the sender cannot take (not a Flipdish delivery it can identify, a legacy one
without ``--verify-token``) gets 400 naming why, and is recorded with that reason.

Methods other than POST get 405 and are not recorded (health checks of tunnels).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from flipdish_sim.simulator.http._delivery import attempt
from flipdish_sim.simulator.listen._inspect import Credentials, judge
from flipdish_sim.simulator.listen._relay import Relay
from flipdish_sim.simulator.log._captures import CaptureLog
from flipdish_sim.simulator.model._attempt import Attempt, Outcome
from flipdish_sim.simulator.model._capture import Capture
from flipdish_sim.simulator.model._verdict import CaptureVerdict
from flipdish_sim.simulator.server.errors import error_response
from flipdish_sim.simulator.wire._envelope import OutgoingRequest

__all__ = ["MAX_BODY_BYTES", "HandledRequest", "ListenSettings", "listen_app"]

MAX_BODY_BYTES = 2**20
"""The largest body ``listen`` accepts: 1 MiB (Flipdish's bodies are a few KiB; larger bodies would also make
the HTTP stack's one write of the body block its event loop). Beyond, 413."""
NOT_FORWARDED = "not-forwarded"
HANDED_TO_SENDER = "handed-to-sender"
"""``--mode ack``: the forward outcome of a capture the sender delivers (its attempts are in the log)."""

_DROPPED = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "expect",
    }
)


@dataclass(frozen=True, slots=True)
class ListenSettings:
    """Where and how ``listen`` forwards, and what it checks deliveries against."""

    forward_to: str
    credentials: Credentials = field(default_factory=Credentials)
    family: str = "auto"
    deadline: float = 10.0
    max_body: int = MAX_BODY_BYTES


@dataclass(frozen=True, slots=True)
class HandledRequest:
    """One handled request, for the terminal line: the capture, its verdicts, the forwarding, the answer."""

    capture: Capture
    verdict: CaptureVerdict | None
    forward: Attempt | None
    answered: int
    note: str = ""


def listen_app(
    log: CaptureLog,
    client: httpx.AsyncClient,
    settings: ListenSettings,
    on_delivery: Callable[[HandledRequest], None] = lambda delivery: None,
    relay: Relay | None = None,
) -> Starlette:
    """The ASGI app: every path accepts POST (the path and query are recorded, not forwarded).

    ``relay``: ``--mode ack`` (answer 200 once handed to the sender); None: ``--mode pass``."""

    async def receive(request: Request) -> Response:
        if request.method != "POST":
            return error_response(
                405, "method_not_allowed", "listen records POST requests only", headers={"Allow": "POST"}
            )
        received_at = datetime.now(UTC)
        body, too_large = await _read_body(request, settings.max_body)
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        headers = tuple((_text(k), _text(v)) for k, v in request.headers.raw)
        capture = Capture(str(uuid.uuid4()), received_at, "POST", path, headers, body)
        log.record(capture)
        if too_large:
            note = f"body over the {settings.max_body} byte limit: not kept, not forwarded"
            return _refused(log, capture, on_delivery, 413, "payload_too_large", note)
        if relay is not None:
            return await _relayed(log, relay, settings, capture, on_delivery)
        # judged in a worker thread while the bytes are forwarded: the answer waits for the slower of the two
        judging = asyncio.ensure_future(
            asyncio.to_thread(judge, capture, settings.credentials, family=settings.family)
        )
        result = await _forward(client, settings, capture)
        verdict = await judging
        log.judge(capture.id, verdict)
        response, answered = _answer(result, settings.forward_to)
        log.forwarded(
            capture.id,
            outcome=result.outcome.value,
            status=result.status_code,
            duration=result.duration,
            error=result.error,
            answered=answered,
        )
        on_delivery(HandledRequest(capture, verdict, result, answered))
        return response

    methods = ["POST", "GET", "PUT", "PATCH", "DELETE", "OPTIONS"]
    routes = [Route("/", receive, methods=methods), Route("/{path:path}", receive, methods=methods)]
    return Starlette(routes=routes)


async def _relayed(
    log: CaptureLog,
    relay: Relay,
    settings: ListenSettings,
    capture: Capture,
    on_delivery: Callable[[HandledRequest], None],
) -> Response:
    """``--mode ack``: judge, hand to the sender, answer 200 (or 400 with why the sender cannot take it)."""
    verdict = await asyncio.to_thread(judge, capture, settings.credentials, family=settings.family)
    log.judge(capture.id, verdict)
    refused = relay.hand(capture)
    if refused is not None:
        log.forwarded(
            capture.id, outcome=NOT_FORWARDED, status=None, duration=None, error=refused, answered=400
        )
        on_delivery(HandledRequest(capture, verdict, None, 400, f"not relayed: {refused}"))
        return error_response(400, "not_relayed", refused)
    log.forwarded(capture.id, outcome=HANDED_TO_SENDER, status=None, duration=None, error=None, answered=200)
    on_delivery(HandledRequest(capture, verdict, None, 200, "handed to the sender"))
    return Response(b"", status_code=200)


def _text(raw: bytes) -> str:
    """A header name or value as text: UTF-8 when it is, else Latin-1 (every byte kept)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


async def _read_body(request: Request, limit: int) -> tuple[bytes, bool]:
    """The body, or (empty, True) once it passes ``limit`` bytes (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return b"", True
            chunks.append(chunk)
    except ClientDisconnect:
        pass  # what arrived is what the caller sent: recorded as such
    return b"".join(chunks), False


def _refused(
    log: CaptureLog,
    capture: Capture,
    on_delivery: Callable[[HandledRequest], None],
    status: int,
    code: str,
    note: str,
) -> Response:
    log.forwarded(capture.id, outcome=NOT_FORWARDED, status=None, duration=None, error=note, answered=status)
    on_delivery(HandledRequest(capture, None, None, status, note))
    return error_response(status, code, note)


async def _forward(client: httpx.AsyncClient, settings: ListenSettings, capture: Capture) -> Attempt:
    """One POST of the capture's bytes and end-to-end headers to ``forward_to`` (never raises)."""
    headers = tuple((k, v) for k, v in capture.headers if k.lower() not in _DROPPED)
    request = OutgoingRequest(url=settings.forward_to, headers=headers, body=capture.body)
    return await attempt(client, request, at=capture.received_at, deadline=settings.deadline)


def _answer(result: Attempt, forward_to: str) -> tuple[Response, int]:
    """What the caller gets: the receiver's answer, or 504/502 with a Flipdish-style error naming why."""
    if result.status_code is not None and result.outcome in (Outcome.ACKNOWLEDGED, Outcome.HTTP_ERROR):
        kind = next((v for k, v in result.response_headers if k.lower() == "content-type"), None)
        return Response(
            result.response_body, status_code=result.status_code, media_type=kind
        ), result.status_code
    status = 504 if result.outcome is Outcome.TIMEOUT else 502
    message = f"{forward_to}: {result.outcome.value}: {result.error or 'no answer'}"
    return error_response(status, "forward_failed", message), status
