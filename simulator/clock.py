"""Time as a parameter: the virtual clock (discrete-event) and the wall clock (optionally compressed).

Everything in flipdish-sim that needs "now" or "wait until" takes a :class:`Clock`. This module is the only
place in the sender that reads real time.

* :class:`VirtualClock` never sleeps: ``sleep_until`` moves its time forward and returns, so a whole 24 h
  retry schedule and a 72 h disable window run as fast as the receiver answers, deterministically.
  Its time only moves forward; naive datetimes are refused.
* :class:`WallClock` follows real time. With ``time_scale`` > 1 simulated time runs that many times faster
  than real time (``--time-scale 60``: a 5-minute retry interval is waited in 5 real seconds).

Signature timestamps are the exception. A receiver checks ``X-Flipdish-Timestamp`` against its own real
clock (5 minutes of tolerance by default), so v3 requests sent to a live receiver must be stamped with
:func:`utc_now`, not with virtual or compressed time. Otherwise every signature would be "too old" or
"too new".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

__all__ = ["DEFAULT_START", "Clock", "VirtualClock", "WallClock"]

DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)


@runtime_checkable
class Clock(Protocol):
    """What the sender needs from time."""

    @property
    def is_virtual(self) -> bool: ...

    def now(self) -> datetime: ...

    async def sleep_until(self, when: datetime) -> None: ...


def utc_now() -> datetime:
    """The real current time in UTC (for stamping requests that a live receiver checks against its clock)."""
    return datetime.now(UTC)


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value.isoformat()}")
    return value


class VirtualClock:
    """A discrete-event clock: time moves only when told to, and only forward."""

    __slots__ = ("_now",)

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        self._now = _aware(start, "start").astimezone(UTC)

    @property
    def is_virtual(self) -> bool:
        return True

    def now(self) -> datetime:
        return self._now

    def tick(self, delta: timedelta | float = 1.0) -> datetime:
        """Advance by ``delta`` (a timedelta or seconds, >= 0) and return the new time."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        if step < timedelta(0):
            raise ValueError(f"a virtual clock cannot tick backwards ({step})")
        self._now += step
        return self._now

    def move_to(self, target: datetime) -> datetime:
        """Jump to ``target`` (timezone-aware, not earlier than now) and return it."""
        target = _aware(target, "target").astimezone(UTC)
        if target < self._now:
            raise ValueError(
                f"a virtual clock cannot move backwards from {self._now.isoformat()} to {target.isoformat()}"
            )
        self._now = target
        return self._now

    async def sleep_until(self, when: datetime) -> None:
        """Move to ``when`` if it is in the future (no real waiting), then yield to the event loop once."""
        when = _aware(when, "when")
        if when > self._now:
            self._now = when.astimezone(UTC)
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"VirtualClock({self._now.isoformat()})"


class WallClock:
    """Real time, optionally compressed: simulated time runs ``time_scale`` times faster than real time.

    ``start`` (default: the real current time), ``monotonic`` and ``sleep`` are injectable so that the
    clock itself is testable without waiting.
    """

    __slots__ = ("_monotonic", "_origin", "_origin_mono", "_sleep", "time_scale")

    def __init__(
        self,
        time_scale: float = 1.0,
        *,
        start: datetime | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not time_scale > 0:
            raise ValueError(f"time_scale must be > 0, got {time_scale}")
        self.time_scale = float(time_scale)
        self._origin = datetime.now(UTC) if start is None else _aware(start, "start").astimezone(UTC)
        self._monotonic = monotonic
        self._origin_mono = monotonic()
        self._sleep = sleep

    @property
    def is_virtual(self) -> bool:
        return False

    def now(self) -> datetime:
        elapsed = (self._monotonic() - self._origin_mono) * self.time_scale
        return self._origin + timedelta(seconds=elapsed)

    async def sleep_until(self, when: datetime) -> None:
        """Wait (in real time, compressed by ``time_scale``) until simulated time reaches ``when``."""
        remaining = (_aware(when, "when") - self.now()).total_seconds()
        await self._sleep(max(0.0, remaining) / self.time_scale)

    def __repr__(self) -> str:
        return f"WallClock(time_scale={self.time_scale})"
