"""The simulator's own event loop, one for its whole life, driven from sync or async code.

:meth:`SenderLoop.call` runs a function that drives the loop: in the calling thread, or, when an event loop
is already running there (a sync API called from an ``async def`` test), in a worker thread while the caller
waits, instead of failing with "Runner.run() cannot be called from a running event loop".
:meth:`SenderLoop.acall` runs it in a worker thread without blocking the caller's loop (asyncio or trio,
through anyio). Coroutines are created where they run (``run(make)`` takes a factory), so a failure never
leaves one unawaited.

The loop is never any thread's "current" loop (``asyncio.Runner(loop_factory=...)``), so it cannot be
confused with a test's loop (pytest-asyncio, anyio), and its clock stays real while a receiver's time is
frozen (:class:`RealTimeLoop`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, TypeVar

from flipdish_sim._aio import inside_event_loop

__all__ = ["HeldOpen", "RealTimeLoop", "SenderLoop"]

T = TypeVar("T")


class RealTimeLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock is real even inside a freezer (``asyncio.sleep``, deadlines, timeouts).

    freezegun's ``real_asyncio=True`` does this for the outermost freezer only; a user's own
    ``@freeze_time`` without it would otherwise freeze the sender's deadlines too.
    """

    _monotonic = staticmethod(time.monotonic)  # a class attribute: freezegun patches module attributes only

    def time(self) -> float:
        return self._monotonic()


def loop_running_here() -> bool:
    """Whether an event loop (asyncio's or trio's) is running in the current thread."""
    return inside_event_loop()


class SenderLoop:
    """One private event loop; :meth:`close` releases it (from any thread, running loop or not)."""

    def __init__(self) -> None:
        self._runner = asyncio.Runner(loop_factory=RealTimeLoop)

    def run(self, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run the coroutine ``make()`` on the loop, from a thread where no loop runs (see :meth:`call`)."""
        coroutine = make()
        try:
            return self._runner.run(coroutine)
        finally:
            coroutine.close()  # a no-op once it ran; one the runner refused then never warns "never awaited"

    def call(self, function: Callable[[], T]) -> T:
        """``function()``, in a worker thread if an event loop is running in this one."""
        if not loop_running_here():
            return function()
        with ThreadPoolExecutor(1, thread_name_prefix="flipdish-sim") as worker:
            return worker.submit(function).result()

    @staticmethod
    async def acall(function: Callable[[], T]) -> T:
        """``function()`` in a worker thread, awaited without blocking the caller's event loop."""
        import anyio.to_thread

        return await anyio.to_thread.run_sync(function)

    def close(self) -> None:
        """Cancel what is left on the loop and close it."""
        self.call(self._runner.close)


class HeldOpen(Generic[T]):
    """An async context manager held open across separate :meth:`SenderLoop.run` calls: entered by
    :meth:`enter`, left by :meth:`release`, both inside one task (as an ASGI lifespan needs), which waits
    in between. A failure to enter is raised by :meth:`enter`; a failure to leave by :meth:`release`."""

    def __init__(self, manager: Callable[[], AbstractAsyncContextManager[T]]) -> None:
        self._manager = manager
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def enter(self) -> T:
        ready: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._hold(ready, self._stop))
        return await ready

    async def _hold(self, ready: asyncio.Future[T], stop: asyncio.Event) -> None:
        try:
            async with self._manager() as value:
                ready.set_result(value)
                await stop.wait()
        except BaseException as exc:
            if ready.done():
                raise
            ready.set_exception(exc)

    async def release(self) -> None:
        assert self._stop is not None
        assert self._task is not None
        self._stop.set()
        await self._task
