"""When to try a failed webhook again. Pure: times in, times out.

Flipdish: "If a webhook is not successfully received, Flipdish will continue trying to send the webhook for
24 hours" (FACTS 5, verified). The intervals are not published (FACTS 5, 7.2), so the default schedule is an
assumption: the Standard Webhooks retry intervals (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h - the most widely
published schedule, used by Svix) clipped to Flipdish's 24 h window. Their running sum passes 24 h at the last
interval, so the last retry happens exactly 24 h after the first attempt::

    attempt   1     2     3         4          5          6          7           8
    offset    0     5 s   5 m 5 s   35 m 5 s   2 h 35 m   7 h 35 m   17 h 35 m   24 h     then: expired

A policy is a tuple of offsets from the first attempt. Build one from explicit offsets, from intervals, or as
a capped exponential; optionally add seeded jitter (deterministic for a seed and an attempt identity ``key``,
e.g. ``"<subscription>/<event id>"``). Jitter moves each retry earlier by up to ``jitter`` times the planned
interval before it, never to or before the previous planned retry, so jittered attempts stay strictly
increasing and never leave the window. An attempt exactly at the window's end is allowed; none after it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flipdish_sim.errors import UsageError

__all__ = [
    "DEFAULT_INTERVALS",
    "DEFAULT_OFFSETS",
    "FLIPDISH_DEFAULT",
    "MIN_GAP",
    "NO_RETRIES",
    "RETRY_WINDOW",
    "RetryPolicy",
    "seeded_fraction",
]

RETRY_WINDOW = timedelta(hours=24)
"""Flipdish keeps retrying for 24 hours after the first attempt (FACTS 5, verified)."""
DEFAULT_INTERVALS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
"""Standard Webhooks' intervals between attempts (an assumption: Flipdish publishes none)."""
MIN_GAP = timedelta(milliseconds=1)
"""A retry that is already due is sent this long after the previous attempt, never at the same instant."""
_MAX_OFFSETS = 10_000


def seeded_fraction(seed: int, *parts: object) -> float:
    """A deterministic number in [0, 1) for ``seed`` and ``parts`` (same inputs, same number, any process)."""
    text = "\x1f".join([str(seed), *(str(part) for part in parts)])
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _clip_to_window(
    cumulative: Iterable[timedelta], window: timedelta, final_at_window_end: bool
) -> tuple[timedelta, ...]:
    offsets: list[timedelta] = []
    for offset in cumulative:
        if offset > window:
            break
        offsets.append(offset)
        if len(offsets) > _MAX_OFFSETS:
            raise UsageError(f"a retry schedule may hold at most {_MAX_OFFSETS} retries")
    if final_at_window_end and (not offsets or offsets[-1] < window):
        offsets.append(window)
    return tuple(offsets)


def _running_sum(intervals: Iterable[timedelta]) -> Iterable[timedelta]:
    total = timedelta(0)
    for interval in intervals:
        total += interval
        yield total


DEFAULT_OFFSETS = _clip_to_window(_running_sum(DEFAULT_INTERVALS), RETRY_WINDOW, final_at_window_end=True)
"""5 s, 5 m 5 s, 35 m 5 s, 2 h 35 m 5 s, 7 h 35 m 5 s, 17 h 35 m 5 s, 24 h after the first attempt."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry offsets from the first attempt, within ``window``; ``jitter`` in [0, 1) shortens intervals."""

    offsets: tuple[timedelta, ...] = DEFAULT_OFFSETS
    window: timedelta = RETRY_WINDOW
    jitter: float = 0.0
    seed: int = 0
    max_attempts: int | None = None

    def __post_init__(self) -> None:
        if self.window <= timedelta(0):
            raise UsageError(f"the retry window must be positive, got {self.window}")
        if not 0.0 <= self.jitter < 1.0:
            raise UsageError(f"jitter must be in [0, 1), got {self.jitter}")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise UsageError(f"max_attempts must be at least 1, got {self.max_attempts}")
        previous = timedelta(0)
        for offset in self.offsets:
            if offset <= previous:
                raise UsageError("retry offsets must be positive and strictly increasing")
            previous = offset
        if self.offsets and self.offsets[-1] > self.window:
            raise UsageError(f"retry offset {self.offsets[-1]} lies after the {self.window} window")

    # -- constructors

    @classmethod
    def from_offsets(
        cls,
        offsets: Iterable[timedelta],
        *,
        window: timedelta = RETRY_WINDOW,
        jitter: float = 0.0,
        seed: int = 0,
        max_attempts: int | None = None,
    ) -> RetryPolicy:
        """Retries at these offsets from the first attempt."""
        return cls(tuple(offsets), window, jitter, seed, max_attempts)

    @classmethod
    def from_intervals(
        cls,
        intervals: Iterable[timedelta],
        *,
        window: timedelta = RETRY_WINDOW,
        final_at_window_end: bool = False,
        jitter: float = 0.0,
        seed: int = 0,
        max_attempts: int | None = None,
    ) -> RetryPolicy:
        """Retries after these waits, one after the other; those past ``window`` are dropped."""
        offsets = _clip_to_window(_running_sum(intervals), window, final_at_window_end)
        return cls(offsets, window, jitter, seed, max_attempts)

    @classmethod
    def exponential(
        cls,
        base: timedelta = timedelta(seconds=5),
        factor: float = 2.0,
        cap: timedelta = timedelta(hours=6),
        *,
        window: timedelta = RETRY_WINDOW,
        final_at_window_end: bool = True,
        jitter: float = 0.0,
        seed: int = 0,
        max_attempts: int | None = None,
    ) -> RetryPolicy:
        """Waits of ``base * factor**n``, each capped at ``cap``, until the window closes; one at its end."""
        if base <= timedelta(0) or factor < 1.0 or cap < base:
            raise UsageError("exponential retries need base > 0, factor >= 1 and cap >= base")

        def waits() -> Iterable[timedelta]:
            wait = base
            while True:
                yield wait
                wait = min(cap, wait * factor)

        offsets = _clip_to_window(_running_sum(waits()), window, final_at_window_end)
        return cls(offsets, window, jitter, seed, max_attempts)

    # -- the schedule

    @property
    def attempts(self) -> int:
        """How many attempts an always-failing webhook gets, the first included."""
        total = 1 + len(self.offsets)
        return total if self.max_attempts is None else min(total, self.max_attempts)

    def offset(self, retry: int, key: str = "") -> timedelta:
        """The offset from the first attempt of retry number ``retry`` (1-based), jitter applied."""
        if not 1 <= retry <= len(self.offsets):
            raise IndexError(f"retry {retry} is not in a schedule of {len(self.offsets)} retries")
        planned = self.offsets[retry - 1]
        if not self.jitter:
            return planned
        previous = self.offsets[retry - 2] if retry > 1 else timedelta(0)
        earlier = (planned - previous) * (self.jitter * seeded_fraction(self.seed, key, retry))
        return max(planned - earlier, previous + timedelta(microseconds=1))

    def next_attempt_at(
        self, first_at: datetime, attempts_made: int, last_at: datetime, *, key: str = ""
    ) -> datetime | None:
        """When to make attempt ``attempts_made + 1``, or None: the webhook expires (give up).

        A retry that is already due is sent :data:`MIN_GAP` after ``last_at``, so attempts are strictly
        increasing; a time after ``first_at + window`` is never returned.
        """
        if attempts_made < 1:
            return first_at
        if attempts_made >= self.attempts:
            return None
        planned = first_at + self.offset(attempts_made, key)
        when = max(planned, last_at + MIN_GAP)
        return when if when <= first_at + self.window else None

    def schedule(self, first_at: datetime, key: str = "") -> tuple[datetime, ...]:
        """Every attempt an always-failing webhook gets, the first included, with no delays."""
        times = [first_at]
        while (next_at := self.next_attempt_at(first_at, len(times), times[-1], key=key)) is not None:
            times.append(next_at)
        return tuple(times)


FLIPDISH_DEFAULT = RetryPolicy()
"""The default: 8 attempts over 24 h (see the module docstring)."""
NO_RETRIES = RetryPolicy(())
"""One attempt, no retries."""
