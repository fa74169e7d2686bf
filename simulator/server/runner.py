"""Run ASGI apps with uvicorn inside the caller's event loop, and learn the ports they bound.

``serve`` runs one app; ``demo`` runs the simulator and its example receiver side by side; the tests run a
server in a background thread (:class:`ServerThread`) on an ephemeral port (``port=0``).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable, Coroutine
from typing import TypeVar

import uvicorn
from starlette.types import ASGIApp

__all__ = ["RunningServer", "ServerThread", "bind", "start_server"]

T = TypeVar("T")


class RunningServer:
    """A started uvicorn server: its URL, and ``stop()``."""

    def __init__(self, server: uvicorn.Server, task: asyncio.Task[None], host: str, port: int) -> None:
        self._server = server
        self._task = task
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def finished(self) -> asyncio.Task[None]:
        return self._task

    async def stop(self) -> None:
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket on ``host:port`` (``OSError`` when taken or not allowed)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


async def start_server(app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Start ``app`` and return once it listens (``OSError`` when the port is taken)."""
    sock = bind(host, port)
    bound_port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(3000):  # up to 30 s for the lifespan startup
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    if not server.started:
        server.should_exit = True
        sock.close()
        raise OSError(f"the server on {host}:{bound_port} did not start")
    return RunningServer(server, task, host, bound_port)


class ServerThread:
    """A server in its own thread and event loop (tests): ``with ServerThread(app) as running:``."""

    def __init__(self, app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._running: RunningServer | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="flipdish-sim-server", daemon=True)

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            # As asyncio.run does: cancel what is left (helpers of a cancelled delivery loop), then close.
            leftovers = asyncio.all_tasks(self._loop)
            for task in leftovers:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    async def _serve(self) -> None:
        try:
            self._running = await start_server(self._app, host=self._host, port=self._port)
        except BaseException as err:  # reported to the starting thread
            self._error = err
            self._ready.set()
            return
        self._ready.set()
        await self._running.finished

    def __enter__(self) -> RunningServer:
        self._thread.start()
        if not self._ready.wait(timeout=30):
            raise TimeoutError("the server did not start within 30 s")
        if self._error is not None:
            raise self._error
        assert self._running is not None
        return self._running

    def call(self, fn: Callable[[], Coroutine[object, object, T]], timeout: float = 30) -> T:
        """Run a coroutine function in the server's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(fn(), self._loop).result(timeout)

    def __exit__(self, *exc: object) -> None:
        if self._running is not None and self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._running.stop(), self._loop).result(30)
        self._thread.join(timeout=30)
