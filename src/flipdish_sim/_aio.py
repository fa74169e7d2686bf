"""Whether this thread is inside an event loop: asyncio's, or trio's (anyio's trio backend)."""

from __future__ import annotations

import asyncio
import sys

__all__ = ["inside_event_loop"]


def inside_event_loop() -> bool:
    """True in a thread where asyncio or trio is running, where a blocking ``asyncio.run`` must not run.

    trio is checked only when already imported (as sniffio does); inside trio, running asyncio in the same
    thread makes anyio-based libraries pick trio's primitives inside asyncio tasks.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return True
    trio = sys.modules.get("trio")
    if trio is None:
        return False
    try:
        trio.lowlevel.current_task()
    except RuntimeError:
        return False
    return True
