"""The engine's bookkeeping: the agenda of due deliveries and a compact auto-disable window.

The agenda is a heap of (due time in microseconds, scheduling order, delivery id) with lazy deletion:
rescheduling or suspending a delivery just forgets its live entry; stale entries are skipped when they
surface. Ties keep scheduling order, so a run is deterministic.
"""

from __future__ import annotations

import heapq
import itertools
from array import array

__all__ = ["Agenda", "AttemptWindow"]


class Agenda:
    """Deliveries by due time; ties keep scheduling order (deterministic)."""

    __slots__ = ("_heap", "_live", "_order")

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, int]] = []
        self._live: dict[int, int] = {}
        self._order = itertools.count()

    def push(self, delivery_id: int, due_us: int) -> None:
        self._live[delivery_id] = due_us
        heapq.heappush(self._heap, (due_us, next(self._order), delivery_id))

    def discard(self, delivery_id: int) -> None:
        self._live.pop(delivery_id, None)

    def _prune(self) -> None:
        heap = self._heap
        while heap and self._live.get(heap[0][2]) != heap[0][0]:
            heapq.heappop(heap)

    def peek(self) -> int | None:
        """The earliest due time, or None when nothing is scheduled."""
        self._prune()
        return self._heap[0][0] if self._heap else None

    def pop(self) -> tuple[int, int]:
        """(due time, delivery id) of the earliest entry; call only when :meth:`peek` is not None."""
        self._prune()
        due, _, delivery_id = heapq.heappop(self._heap)
        del self._live[delivery_id]
        return due, delivery_id

    def __len__(self) -> int:
        return len(self._live)

    def __contains__(self, delivery_id: object) -> bool:
        return delivery_id in self._live


class AttemptWindow:
    """The auto-disable window for ``unit="attempts"`` in 9 bytes per attempt (two flat arrays).

    Same decision as :class:`~flipdish_sim.simulator.policy._disable.RollingWindow`
    (window ``(now - window, now]``), without an object per attempt: a run of a million attempts inside
    72 h stays a few megabytes.
    """

    __slots__ = ("_failed", "_head", "_times", "failures", "window_us")

    def __init__(self, window_us: int) -> None:
        self.window_us = window_us
        self._times = array("q")
        self._failed = array("b")
        self._head = 0
        self.failures = 0

    @property
    def total(self) -> int:
        return len(self._times) - self._head

    def add(self, at_us: int, failed: bool) -> None:
        """Count an attempt (in time order) and forget those that left the window at ``at_us``."""
        self._times.append(at_us)
        self._failed.append(failed)
        self.failures += failed
        self.evict(at_us)

    def evict(self, now_us: int) -> None:
        start = now_us - self.window_us
        times, failed, head = self._times, self._failed, self._head
        while head < len(times) and times[head] <= start:
            self.failures -= failed[head]
            head += 1
        if head > 4096 and head * 2 > len(times):  # compact: drop the evicted prefix
            del times[:head]
            del failed[:head]
            head = 0
        self._head = head
