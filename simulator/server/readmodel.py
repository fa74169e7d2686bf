"""What the dashboard and the simulator API read from the log: cards, event summaries, the rule's numbers.

Read-only queries over :class:`~flipdish_sim.simulator.log._store.Store` (its ``attempts`` stream and its
``query``), with "now" passed in: nothing here reads a clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flipdish_sim.simulator.log._store import AttemptRow, Store
from flipdish_sim.simulator.model._attempt import Outcome
from flipdish_sim.simulator.model._subscription import Subscription, from_us
from flipdish_sim.simulator.policy._disable import DisablePolicy, RollingWindow
from flipdish_sim.simulator.server.chart import Bucket, bucketize
from flipdish_sim.simulator.server.dashboard import Card
from flipdish_sim.simulator.server.state import DisableState, EventSummary, Filters

__all__ = [
    "attempt",
    "card",
    "count_attempts",
    "disable_state",
    "event_summaries",
    "latest_attempts",
    "timeline",
]

#: No narrowing: every attempt and delivery.
NO_FILTERS = Filters()
#: The one outcome that is not a failure (a 2xx).
OK_OUTCOME = "acknowledged"
#: Attempts recorded on recovery for a sender that died mid-attempt: not counted by the disable rule.
INTERRUPTED = Outcome.INTERRUPTED.value


def _window_start(sub: Subscription, now: datetime, policy: DisablePolicy) -> datetime:
    start = now - policy.window
    since = sub.window_since  # set by a re-enable: the window starts afresh
    return max(start, since) if since is not None else start


def disable_state(store: Store, sub: Subscription, now: datetime, policy: DisablePolicy) -> DisableState:
    """The rule's numbers for ``sub`` now (the engine's policy, evaluated over the log), and when/why."""
    window = RollingWindow(policy)  # the engine's window, fed from the log
    for at, outcome, key in store.outcomes_since(sub.id, _window_start(sub, now, policy)):
        if outcome != INTERRUPTED and at <= now:
            window.add(at, outcome == OK_OUTCOME, str(key))
    decision = window.decision(now)
    record, since = sub.disabled, sub.window_since
    return DisableState(
        subscription_id=sub.id,
        enabled=sub.enabled,
        window_hours=policy.window.total_seconds() / 3600,
        threshold=policy.threshold,
        min_sample=policy.min_sample,
        unit=policy.unit,
        failures=decision.failures,
        total=decision.total,
        rule_enabled=policy.enabled,
        disabled_at=record.at if record else None,
        disabled_reason=record.reason if record else None,
        disabled_failures=record.failures if record and record.sample else None,
        disabled_sample=record.sample if record and record.sample else None,
        window_since=since if since is not None and since > now - policy.window else None,
    )


def timeline(
    store: Store, sub_id: int, now: datetime, window: timedelta, count: int = 24
) -> tuple[Bucket, ...]:
    """Attempts and failures in ``count`` slices, from the first attempt in the window (or 1 min) to now."""
    outcomes = store.outcomes_since(sub_id, now - window)
    start = outcomes[0][0] if outcomes else now - timedelta(minutes=1)
    start = min(start, now - timedelta(seconds=count))
    points = [(at, outcome == OK_OUTCOME) for at, outcome, _ in outcomes]
    return bucketize(points, start=start, end=now, count=count)


def _narrowed(filters: Filters) -> dict[str, Any]:
    return {
        "event_name": filters.event_name,
        "outcome": filters.outcome,
        "start": filters.since,
        "end": filters.until,
    }


def count_attempts(store: Store, sub_id: int, filters: Filters = NO_FILTERS) -> int:
    """How many attempts of a subscription match ``filters``."""
    return store.count_attempts(subscription_id=sub_id, **_narrowed(filters))


def latest_attempts(
    store: Store, sub_id: int, limit: int = 200, filters: Filters = NO_FILTERS
) -> list[AttemptRow]:
    """The newest ``limit`` attempts of a subscription that match ``filters``, newest first."""
    narrowed = _narrowed(filters)
    total = store.count_attempts(subscription_id=sub_id, **narrowed)
    rows = store.attempts(subscription_id=sub_id, offset=max(0, total - limit), limit=limit, **narrowed)
    return list(rows)[::-1]


def attempt(store: Store, sub_id: int, attempt_id: int) -> AttemptRow | None:
    """One attempt of ``sub_id`` by its id (None when there is no such attempt of that subscription)."""
    at = store.attempt_time(sub_id, attempt_id)
    if at is None:
        return None
    rows = store.attempts(subscription_id=sub_id, start=at, end=at + timedelta(microseconds=1))
    return next((row for row in rows if row.id == attempt_id), None)


def card(store: Store, sub: Subscription, now: datetime, policy: DisablePolicy) -> Card:
    """Everything a subscription's summary card shows."""
    latest = latest_attempts(store, sub.id, limit=1)
    return Card(
        subscription=sub,
        rule=disable_state(store, sub, now, policy),
        buckets=timeline(store, sub.id, now, policy.window),
        latest=latest[0] if latest else None,
        attempts=store.count_attempts(subscription_id=sub.id),
    )


def event_summaries(
    store: Store, sub_id: int, limit: int = 200, filters: Filters = NO_FILTERS
) -> list[EventSummary]:
    """Each delivery of an event to ``sub_id`` (newest first) that matches ``filters``: attempts made and
    the latest response."""
    return [
        EventSummary(
            delivery_id=row.delivery_id,
            event_id=row.event_id,
            event_name=row.event_name,
            attempts=row.attempts_made,
            state=row.state,
            duplicate=row.duplicate_of is not None,
            latest_at=None if row.latest_at_us is None else from_us(row.latest_at_us),
            latest_outcome=row.latest_outcome,
            latest_status=row.latest_status,
            next_attempt_at=None if row.next_attempt_us is None else from_us(row.next_attempt_us),
            resend_of=row.resend_of,
        )
        for row in store.latest_by_delivery(sub_id, limit, **_narrowed(filters))
    ]
