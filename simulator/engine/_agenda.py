"""The engine's bookkeeping: the agenda of due deliveries and a compact auto-disable window.

The agenda is a heap of (due time in microseconds, scheduling order, delivery id) with lazy deletion:
rescheduling or suspending a delivery just forgets its live entry; stale entries are skipped when they
surface. Ties keep scheduling order, so a run is deterministic.
"""

from __future__ import annotations

import heapq
import itertools

__all__ = ["Agenda"]


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
