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
same decision incrementally, O(1) amortised per attempt, for engines that evaluate on every attempt.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

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
            raise ValueError(f"the disable window must be positive, got {self.window}")
        if not 0.0 <= self.threshold < 1.0:
            raise ValueError(f"the disable threshold must be in [0, 1), got {self.threshold}")
        if self.min_sample < 1:
            raise ValueError(f"min_sample must be at least 1, got {self.min_sample}")
        if self.unit not in ("attempts", "events"):
            raise ValueError(f"unit must be 'attempts' or 'events', not {self.unit!r}")

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


@dataclass
class RollingWindow:
    """The same decision as :meth:`DisablePolicy.evaluate`, maintained incrementally.

    Feed observations with :meth:`add`; each call returns the decision at the latest time seen so far.
    Observations may arrive a little out of time order, because concurrent attempts finish in any order:
    each one is placed by its time, and one that is already older than the window is ignored. The cost is
    O(1) amortised plus how far an observation is out of order. :meth:`decision` evaluates the window at any
    ``now`` not earlier than the latest observation, for example to report. Memory holds one window.
    """

    policy: DisablePolicy = field(default_factory=DisablePolicy)
    _items: deque[Observation] = field(default_factory=deque)
    _failures: int = 0
    _events: dict[str, list[int]] = field(default_factory=dict)  # event -> [attempts, acknowledged]
    _failed_events: int = 0
    _last: datetime | None = None  # the latest observation time
    _now: datetime | None = None  # the latest time observed or evaluated

    def add(self, observation: Observation) -> DisableDecision:
        """Record one attempt and return the decision at the latest time seen (observed or evaluated)."""
        if self._now is not None and observation.at <= self._now - self.policy.window:
            return self.decision(self._now)  # already outside the window: it can never count again
        if self._last is None or observation.at >= self._last:
            self._last = observation.at
            self._items.append(observation)
        else:
            index = len(self._items)
            while index > 0 and self._items[index - 1].at > observation.at:
                index -= 1
            self._items.insert(index, observation)
        if self.policy.unit == "attempts":
            self._failures += not observation.ok
        else:
            counts = self._events.setdefault(_event_id(observation), [0, 0])
            was_failed = counts[0] > 0 and counts[1] == 0
            counts[0] += 1
            counts[1] += observation.ok
            self._failed_events += (counts[1] == 0) - was_failed
        return self.decision(observation.at if self._now is None else max(self._now, observation.at))

    def decision(self, now: datetime) -> DisableDecision:
        """The decision for the window ending at ``now`` (not earlier than any time seen before)."""
        if self._now is not None and now < self._now:
            raise ValueError("a rolling window cannot be evaluated before its last observation or evaluation")
        self._now = now
        self._evict(now - self.policy.window)
        if self.policy.unit == "attempts":
            return self.policy.decide(self._failures, len(self._items), now)
        return self.policy.decide(self._failed_events, len(self._events), now)

    def __len__(self) -> int:
        """How many observations the window holds since the last evaluation."""
        return len(self._items)

    def _evict(self, start: datetime) -> None:
        while self._items and self._items[0].at <= start:
            old = self._items.popleft()
            if self.policy.unit == "attempts":
                self._failures -= not old.ok
                continue
            event = _event_id(old)
            counts = self._events[event]
            was_failed = counts[1] == 0
            counts[0] -= 1
            counts[1] -= old.ok
            if counts[0] == 0:
                del self._events[event]
                self._failed_events -= was_failed
            else:
                self._failed_events += (counts[1] == 0) - was_failed
