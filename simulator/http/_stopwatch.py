"""The sender's stopwatch: how long an attempt took, in real time, whatever time a receiver is shown.

The pytest plugin freezes an in-process receiver's clocks at the simulated time while it delivers
(freezegun). Its freezer's ignore list names this module, and only this one of the sender's: freezegun then
answers calls made from here with real time. No receiver code ever runs beneath this module, so the ignore
list cannot hand a receiver real time (it would, if it named a module on the receiver's call path, such as
``delivery``).
"""

from __future__ import annotations

import time

__all__ = ["elapsed", "start"]


def start() -> float:
    """A reading to pass to :func:`elapsed` (seconds, arbitrary origin)."""
    return time.perf_counter()


def elapsed(since: float) -> float:
    """Real seconds since the reading ``since``."""
    return time.perf_counter() - since
