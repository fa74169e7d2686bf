"""Bare receivers the benchmarks deliver to: the baselines' targets, with nothing of flipdish-sim in them.

``bare_asgi`` is what uvicorn serves on 127.0.0.1 for the loopback figures; ``bare_wsgi`` and ``bare_asgi``
are also mounted in-process for the engine figures. ``failing_asgi``/``failing_wsgi`` answer 503 to a
deterministic 60% of requests (by a counter, so every run fails the same share).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]

_OK_HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"2")]


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def bare_asgi(scope: Scope, receive: Receive, send: Send) -> None:
    """Read the body, answer 200 ``{}``."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await _read_body(receive)
    await send({"type": "http.response.start", "status": 200, "headers": _OK_HEADERS})
    await send({"type": "http.response.body", "body": b"{}"})


def failing_share(share_out_of_ten: int = 6) -> Callable[[], bool]:
    """A deterministic predicate failing ``share_out_of_ten`` calls in ten, spread evenly.

    Call n fails when ``floor(n * share)`` steps up, so after any n calls the failure share is within 1/n
    of ``share`` (front-loading the failures would trip the auto-disable rule on its minimum sample).
    """
    counter = 0

    def fails() -> bool:
        nonlocal counter
        counter += 1
        return (counter * share_out_of_ten) // 10 > ((counter - 1) * share_out_of_ten) // 10

    return fails


def failing_asgi(share_out_of_ten: int = 6) -> Callable[[Scope, Receive, Send], Any]:
    fails = failing_share(share_out_of_ten)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await _read_body(receive)
        status = 503 if fails() else 200
        await send({"type": "http.response.start", "status": status, "headers": _OK_HEADERS})
        await send({"type": "http.response.body", "body": b"{}"})

    return app


WSGIStart = Callable[[str, list[tuple[str, str]]], Any]


def bare_wsgi(environ: dict[str, Any], start_response: WSGIStart) -> Iterable[bytes]:
    """Read the body, answer 200 ``{}``."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(length)
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
    return [b"{}"]


def failing_wsgi(share_out_of_ten: int = 6) -> Callable[[dict[str, Any], WSGIStart], Iterable[bytes]]:
    fails = failing_share(share_out_of_ten)

    def app(environ: dict[str, Any], start_response: WSGIStart) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"].read(length)
        status = "503 Service Unavailable" if fails() else "200 OK"
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", "2")])
        return [b"{}"]

    return app
