"""A scenario as values: its subscription, event sources, faults and policy overrides; durations and rates.

Parsing lives in :mod:`~flipdish_sim.simulator.scenario._load`, planning in
:mod:`~flipdish_sim.simulator.scenario._plan`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.model._subscription import FamilyName
from flipdish_sim.simulator.policy._disable import DisablePolicy
from flipdish_sim.simulator.policy._faults import DuplicatePolicy, ReorderPolicy
from flipdish_sim.simulator.policy._policy import DEFAULT_CONCURRENCY, DEFAULT_DEADLINE, SenderPolicy
from flipdish_sim.simulator.policy._retry import DEFAULT_OFFSETS, FLIPDISH_DEFAULT, RETRY_WINDOW, RetryPolicy

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "MAX_SPAN",
    "DisableSpec",
    "DuplicatesSpec",
    "EventSource",
    "PlannedEvent",
    "PolicySpec",
    "ReorderSpec",
    "RetrySpec",
    "Scenario",
    "SubscriptionSpec",
    "lifecycle_names",
    "parse_duration",
    "parse_rate",
    "source_length",
]

_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_RATE_UNITS = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0, "h": 3600.0}
_RATE_UNITS["hour"] = 3600.0


MAX_PAYLOAD_BYTES = 10_000_000
"""Largest payload file a scenario may name."""
MAX_SPAN = timedelta(days=3650)
"""Longest duration a scenario may give, and longest a source's events may span (keeps times in range)."""


def parse_duration(value: float | int | str) -> timedelta:
    """``30`` (seconds), ``"30s"``, ``"5m"``, ``"1h30m"``, ``"2d"``, ``"250ms"`` -> timedelta.

    ValueError for anything else, negative or not finite, or longer than :data:`MAX_SPAN` (10 years)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{value!r} is not a duration like 30s, 5m, 1h30m")
    if isinstance(value, str):
        parts = _DURATION.findall(value)
        if not parts or "".join(n + u for n, u in parts) != value:
            raise ValueError(f"{value!r} is not a duration like 30s, 5m, 1h30m")
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)
    else:
        seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{value!r} is not a duration of zero or more seconds")
    if seconds > MAX_SPAN.total_seconds():
        raise ValueError(f"{value!r} is longer than {MAX_SPAN.days // 365} years")
    return timedelta(seconds=seconds)


def parse_rate(value: float | int | str) -> float:
    """``10`` (per second), ``"10/second"``, ``"5/minute"``, ``"100/hour"`` -> events per second (> 0).

    ValueError for an unknown unit, a rate of zero or less, or one that is not finite."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{value!r} is not a rate like 10/second")
    if isinstance(value, str):
        count, _, unit = value.partition("/")
        if unit not in _RATE_UNITS:
            raise ValueError(f"{value!r} is not a rate like 10/second, 5/minute, 100/hour")
        try:
            per_second = float(count) / _RATE_UNITS[unit]
        except ValueError:
            raise ValueError(f"{value!r} is not a rate like 10/second, 5/minute, 100/hour") from None
    else:
        per_second = float(value)
    if not math.isfinite(per_second) or per_second <= 0:
        raise ValueError(f"{value!r} is not a rate above zero")
    return per_second


@dataclass(frozen=True, slots=True)
class SubscriptionSpec:
    callback_url: str | None
    family: FamilyName
    event_names: tuple[str, ...]
    version: str = "2.0"
    owner_user_id: int = 1
    verify_token: str | None = field(default=None, repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class EventSource:
    """One entry of ``events``: kind is ``payload`` | ``generator`` | ``lifecycle``."""

    kind: str
    event: str | None
    count: int
    interval: timedelta
    offset: timedelta
    seed: int
    payload: Mapping[str, object] | None = field(default=None, repr=False)
    outcomes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DuplicatesSpec:
    count: int | None = None
    probability: float | None = None
    mode: str = "immediate"
    delay: timedelta = timedelta(0)
    seed: int = 0

    def to_policy(self) -> DuplicatePolicy:
        try:
            return DuplicatePolicy(
                count=1 if self.count is None else self.count,
                probability=1.0 if self.probability is None else self.probability,
                mode=self.mode,  # type: ignore[arg-type]
                delay=self.delay,
                seed=self.seed,
            )
        except ValueError as err:
            raise UsageError(f"faults.duplicates: {err}") from err


@dataclass(frozen=True, slots=True)
class ReorderSpec:
    window: timedelta
    seed: int = 0

    def to_policy(self) -> ReorderPolicy:
        return ReorderPolicy(window=self.window, seed=self.seed)


@dataclass(frozen=True, slots=True)
class RetrySpec:
    """At most one of offsets, intervals, exponential (initial/factor/cap); the rest tune it."""

    offsets: tuple[timedelta, ...] | None = None
    intervals: tuple[timedelta, ...] | None = None
    initial: timedelta | None = None
    factor: float = 2.0
    cap: timedelta | None = None
    window: timedelta | None = None
    jitter: float = 0.0
    seed: int = 0
    max_attempts: int | None = None

    def to_policy(self) -> RetryPolicy:
        window = self.window or RETRY_WINDOW
        try:
            if self.offsets is not None:
                offsets = self.offsets
            elif self.intervals is not None:
                offsets = RetryPolicy.from_intervals(self.intervals, window=window).offsets
            elif self.initial is not None:
                cap = self.cap or max(self.initial, timedelta(hours=6))
                offsets = RetryPolicy.exponential(self.initial, self.factor, cap, window=window).offsets
            else:
                offsets = tuple(o for o in DEFAULT_OFFSETS if o <= window)
            return RetryPolicy(
                offsets, window=window, jitter=self.jitter, seed=self.seed, max_attempts=self.max_attempts
            )
        except ValueError as err:
            raise UsageError(f"policy.retry: {err}") from err


@dataclass(frozen=True, slots=True)
class DisableSpec:
    enabled: bool | None = None
    window: timedelta | None = None
    threshold: float | None = None
    min_sample: int | None = None
    unit: str | None = None

    def to_policy(self) -> DisablePolicy:
        default = DisablePolicy()
        try:
            return DisablePolicy(
                window=self.window or default.window,
                threshold=default.threshold if self.threshold is None else self.threshold,
                min_sample=self.min_sample or default.min_sample,
                unit=self.unit or default.unit,  # type: ignore[arg-type]
                enabled=default.enabled if self.enabled is None else self.enabled,
            )
        except ValueError as err:
            raise UsageError(f"policy.disable: {err}") from err


@dataclass(frozen=True, slots=True)
class PolicySpec:
    retry: RetrySpec | None = None
    deadline: timedelta | None = None
    disable: DisableSpec | None = None
    on_disabled: str | None = None
    concurrency: int | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    subscription: SubscriptionSpec
    events: tuple[EventSource, ...]
    duplicates: DuplicatesSpec | None = None
    out_of_order: ReorderSpec | None = None
    policy: PolicySpec = PolicySpec()
    start: datetime | None = None
    fixed_ids: bool = False
    source: str = "<string>"
    warnings: tuple[str, ...] = ()

    def to_policy(self) -> SenderPolicy:
        """The sender policy this scenario asks for (the defaults where it says nothing)."""
        spec = self.policy
        # in this order, so that of several bad sections the same one is reported first as before
        disable = DisablePolicy() if spec.disable is None else spec.disable.to_policy()
        duplicates = None if self.duplicates is None else self.duplicates.to_policy()
        reorder = None if self.out_of_order is None else self.out_of_order.to_policy()
        return SenderPolicy(
            retry=FLIPDISH_DEFAULT if spec.retry is None else spec.retry.to_policy(),
            disable=disable,
            deadline=DEFAULT_DEADLINE if spec.deadline is None else spec.deadline.total_seconds(),
            duplicates=duplicates,
            reorder=reorder,
            concurrency=spec.concurrency or DEFAULT_CONCURRENCY,
            on_disabled=spec.on_disabled or "drop",  # type: ignore[arg-type]
        )

    @property
    def event_count(self) -> int:
        """How many events :func:`plan` yields (lifecycles count every event they publish)."""
        return sum(source_length(s) for s in self.events)


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    """One event to publish ``at``: ``payload`` None means "a realistic example for ``seed``"."""

    at: datetime
    name: str
    payload: Mapping[str, object] | None
    seed: int
    user_supplied: bool = False


@cache
def lifecycle_names(outcomes: tuple[str, ...]) -> list[str]:
    from flipdish_sim.contracts.examples import order_lifecycle

    names: list[str] = []
    for outcome in outcomes:
        names += [name for name, _ in order_lifecycle(seed=0, outcome=outcome) if name not in names]
    return names


def source_length(source: EventSource) -> int:
    if source.kind != "lifecycle":
        return source.count
    k = len(source.outcomes)
    return sum(len(lifecycle_names((source.outcomes[n % k],))) for n in range(source.count))
