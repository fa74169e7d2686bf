"""The demo's bundled example receiver: a Flipdish webhook endpoint that misbehaves, then recovers.

While ``broken`` it answers in turn 500, a 302 redirect, a hang past the sender's deadline, 503 and 500
(Flipdish counts redirects and timeouts as failures: FACTS.md 5). Once ``broken`` is cleared it does what a
good receiver does: checks ``X-Verify-Token`` with a constant-time comparison, acknowledges at once with
200, and ignores a duplicate delivery of an event it has already handled (same ``FlipdishEventId``).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from flipdish_sim.verify import verify_token

__all__ = ["BROKEN_ANSWERS", "ExampleReceiver"]

#: What the broken receiver answers, in turn.
BROKEN_ANSWERS = ("500", "302", "hang", "503", "500")


@dataclass
class ExampleReceiver:
    """State and counters of the example receiver; :meth:`app` is its ASGI app (``POST /webhooks``)."""

    verify_token: str
    hang_seconds: float = 1.5
    broken: bool = True
    requests: int = 0
    failures_sent: int = 0
    handled: set[str] = field(default_factory=set)
    duplicates_ignored: int = 0
    _turn: int = 0

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/webhooks", self._hook, methods=["POST"])])

    async def _hook(self, request: Request) -> Response:
        self.requests += 1
        body = await request.body()
        if self.broken:
            self.failures_sent += 1
            return await self._misbehave()
        if not verify_token(request.headers.get("x-verify-token"), self.verify_token):
            return JSONResponse({"error": "bad verify token"}, status_code=401)
        event_id = _event_id(body)
        if event_id in self.handled:
            self.duplicates_ignored += 1
            return JSONResponse({"status": "duplicate ignored", "id": event_id})
        if event_id:
            self.handled.add(event_id)
        return JSONResponse({"status": "ok", "id": event_id})

    async def _misbehave(self) -> Response:
        answer = BROKEN_ANSWERS[self._turn % len(BROKEN_ANSWERS)]
        self._turn += 1
        if answer == "302":
            return RedirectResponse("/webhooks/moved", status_code=302)
        if answer == "hang":
            await asyncio.sleep(self.hang_seconds)  # longer than the demo sender's deadline
            return Response("too late", status_code=200)
        return Response(
            f"<h1>{answer}</h1><script>alert('escaped by the dashboard')</script>", status_code=int(answer)
        )


def _event_id(body: bytes) -> str:
    try:
        document = json.loads(body)
        event_id = document["Body"]["FlipdishEventId"]
    except (ValueError, KeyError, TypeError):
        return ""
    return str(event_id)
