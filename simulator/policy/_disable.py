"""Auto-disable. Pure.

"When over 50% of webhooks receive a non-2xx response over a 72 hour period, your webhook will be disabled."

That sentence comes from the seed documentation of this project; no public Flipdish source was found for it
(FACTS 5 [?]). It is modelled as configurable data (:class:`DisablePolicy`) with these choices:

* Window: rolling, ``(now - 72 h, now]``; an attempt exactly 72 h old has left it.
* Unit ``"attempts"`` (default): every delivery attempt counts; a failure is any outcome but a 2xx (timeouts
  and connection errors included). Unit ``"events"``: every event with at least one attempt in the window
  counts once, and it is failed when none of its attempts in the window was acknowledged (an event still
  being retried counts as failed until an attempt succeeds).
* Threshold: strictly over ``threshold`` (0.5): 5 failures out of 10 is not enough, 6 is.
* Minimum sample: nothing is decided before ``min_sample`` (default 10) units are in the window, so a new or
  quiet subscription is not disabled by its first failed test webhook (1 of 1 = 100 %). Flipdish publishes no
  minimum; 10 is small enough that a real outage still disables within hours under the default retry schedule.
* ``enabled=False`` turns the rule off.

:meth:`DisablePolicy.evaluate` is the reference definition over a history. :class:`RollingWindow` computes the
same decision incrementally, O(1) amortised per attempt: the engine keeps one per subscription.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from flipdish_sim.errors import UsageError

__all__ = [
    "DISABLE_WINDOW",
    "DisableDecision",
    "DisablePolicy",
    "Observation",
    "RollingWindow",
]

DISABLE_WINDOW = timedelta(hours=72)
Unit = Literal["attempts", "events"]


@dataclass(frozen=True, slots=True)
class Observation:
    """One attempt as the disable rule sees it: when, whether it was acknowledged, and for which event."""

    at: datetime
    ok: bool
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class DisableDecision:
    """The verdict and the numbers it rests on (recorded when a subscription is disabled)."""

    disable: bool
    failures: int
    total: int
    share: float
    window_start: datetime
    window_end: datetime
    unit: Unit = "attempts"

    def describe(self) -> str:
        """``6 of 10 attempts failed (60.0%) between <start> and <end>``."""
        return (
            f"{self.failures} of {self.total} {self.unit} failed ({self.share:.1%}) "
            f"between {self.window_start.isoformat()} and {self.window_end.isoformat()}"
        )


@dataclass(frozen=True, slots=True)
class DisablePolicy:
    """When to disable a subscription; see the module docstring for every choice."""

    window: timedelta = DISABLE_WINDOW
    threshold: float = 0.5
    min_sample: int = 10
    unit: Unit = "attempts"
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.window <= timedelta(0):
            raise UsageError(f"the disable window must be positive, got {self.window}")
        if not 0.0 <= self.threshold < 1.0:
            raise UsageError(f"the disable threshold must be in [0, 1), got {self.threshold}")
        if self.min_sample < 1:
            raise UsageError(f"min_sample must be at least 1, got {self.min_sample}")
        if self.unit not in ("attempts", "events"):
            raise UsageError(f"unit must be 'attempts' or 'events', not {self.unit!r}")

    def decide(self, failures: int, total: int, now: datetime) -> DisableDecision:
        """The decision for these counts in the window ending at ``now``."""
        share = failures / total if total else 0.0
        disable = self.enabled and total >= self.min_sample and share > self.threshold
        return DisableDecision(disable, failures, total, share, now - self.window, now, self.unit)

    def evaluate(self, history: Iterable[Observation], now: datetime) -> DisableDecision:
        """The reference definition: count the window ``(now - window, now]`` of ``history`` from scratch."""
        start = now - self.window
        inside = [o for o in history if start < o.at <= now]
        if self.unit == "attempts":
            return self.decide(sum(not o.ok for o in inside), len(inside), now)
        acknowledged: dict[str, bool] = {}
        for o in inside:
            acknowledged[_event_id(o)] = acknowledged.get(_event_id(o), False) or o.ok
        return self.decide(sum(not ok for ok in acknowledged.values()), len(acknowledged), now)


def _event_id(observation: Observation) -> str:
    if observation.event_id is None:
        raise ValueError("the 'events' disable unit needs an event_id on every observation")
    return observation.event_id


class RollingWindow:
    """The one auto-disable window: the decision of :meth:`DisablePolicy.evaluate`, maintained incrementally.

    The engine keeps one per subscription and feeds every attempt with :meth:`add`, which returns the
    decision when the rule says disable and ``None`` otherwise (the common case builds nothing).
    Attempts may arrive a little out of time order, because concurrent attempts finish in any order: each
    is placed by its time, and one already older than the window is ignored. The cost is O(1) amortised
    plus how far an attempt is out of order; memory is one window in flat arrays (9 bytes an attempt, plus
    the event id under ``unit="events"``), so a million attempts inside 72 h stay a few megabytes.
    :meth:`decision` evaluates the window at any ``now`` not earlier than the latest time seen, to report.
    """

    __slots__ = (
        "_by_event",
        "_events",
        "_failed",
        "_failed_events",
        "_head",
        "_ids",
        "_now",
        "_now_us",
        "_times",
        "_window_us",
        "failures",
        "policy",
    )

    def __init__(self, policy: DisablePolicy | None = None) -> None:
        self.policy = policy if policy is not None else DisablePolicy()
        self._times = array("q")  # microseconds since the epoch, in time order
        self._failed = array("b")
        self._ids: deque[str] = deque()  # the event of each attempt in the window (unit "events" only)
        self._head = 0  # attempts before it have left the window
        self.failures = 0  # failed attempts in the window
        self._events: dict[str, list[int]] = {}  # event -> [attempts, acknowledged] (unit "events")
        self._failed_events = 0
        self._now: datetime | None = None  # the latest time observed or evaluated
        self._now_us = 0
        self._window_us = _us(_EPOCH + self.policy.window)
        self._by_event = self.policy.unit == "events"

    def __len__(self) -> int:
        """How many attempts the window holds since the last evaluation."""
        return len(self._times) - self._head

    def add(self, at: datetime, ok: bool, event_id: str | None = None) -> DisableDecision | None:
        """Count one attempt; the decision at the latest time seen when it says disable, else None."""
        if self._by_event and event_id is None:
            raise ValueError("the 'events' disable unit needs an event_id on every observation")
        at_us, now_us = _us(at), self._now_us
        if self._now is not None and at_us <= now_us - self._window_us:
            return self._verdict(self._now)  # already outside the window: it can never count again
        self._insert(at_us, ok, event_id if self._by_event else None)
        if self._now is None or at_us > now_us:
            self._now, self._now_us = at, at_us
        self._evict(self._now_us - self._window_us)
        return self._verdict(self._now)

    def decision(self, now: datetime) -> DisableDecision:
        """The decision for the window ending at ``now`` (not earlier than any time seen before)."""
        if self._now is not None and now < self._now:
            raise ValueError("a rolling window cannot be evaluated before its last observation or evaluation")
        self._now, self._now_us = now, _us(now)
        self._evict(self._now_us - self._window_us)
        return self.policy.decide(*self._counts(), now)

    def _counts(self) -> tuple[int, int]:
        if self._by_event:
            return self._failed_events, len(self._events)
        return self.failures, len(self._times) - self._head

    def _verdict(self, now: datetime) -> DisableDecision | None:
        failures, total = self._counts()
        rule = self.policy
        if not rule.enabled or total < rule.min_sample or failures / total <= rule.threshold:
            return None
        return rule.decide(failures, total, now)

    def _insert(self, at_us: int, ok: bool, event_id: str | None) -> None:
        times, index = self._times, len(self._times)
        if index == self._head or times[-1] <= at_us:
            times.append(at_us)
            self._failed.append(not ok)
        else:
            while index > self._head and times[index - 1] > at_us:
                index -= 1
            times.insert(index, at_us)
            self._failed.insert(index, not ok)
        self.failures += not ok
        if event_id is None:
            return
        self._ids.insert(index - self._head, event_id)
        counts = self._events.setdefault(event_id, [0, 0])
        was_failed = counts[0] > 0 and counts[1] == 0
        counts[0] += 1
        counts[1] += ok
        self._failed_events += (counts[1] == 0) - was_failed

    def _evict(self, start_us: int) -> None:
        times, failed, head = self._times, self._failed, self._head
        while head < len(times) and times[head] <= start_us:
            self.failures -= failed[head]
            if self._ids:
                self._forget(self._ids.popleft(), not failed[head])
            head += 1
        if head > 4096 and head * 2 > len(times):  # compact: drop the evicted prefix
            del times[:head]
            del failed[:head]
            head = 0
        self._head = head

    def _forget(self, event: str, ok: bool) -> None:
        counts = self._events[event]
        was_failed = counts[1] == 0
        counts[0] -= 1
        counts[1] -= ok
        if counts[0] == 0:
            del self._events[event]
            self._failed_events -= was_failed
        else:
            self._failed_events += (counts[1] == 0) - was_failed


def _us(at: datetime) -> int:
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
