"""The closing summary of a run, computed from the log (so a resumed run reports the whole story)."""

from __future__ import annotations

from dataclasses import dataclass

from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.model._subscription import DisableRecord

__all__ = ["NotSent", "RunSummary", "summarize"]


@dataclass(frozen=True, slots=True)
class NotSent:
    """Deliveries of one subscription that a disable kept from the receiver."""

    subscription_id: int
    suspended: int  # waiting for a re-enable (they resume inside their 24 h retry window)
    dropped: int  # never sent (``on_disabled="drop"``): a re-enable does not bring them back
    disabled: DisableRecord | None  # the disable still in force, if any

    def line(self, how_to_enable: str) -> str:
        """``not sent: 10 deliveries ...``; ``how_to_enable`` names the way (``{id}``: the subscription)."""
        kinds = ((self.suspended, "suspended"), (self.dropped, "dropped"))
        counts = [f"{n} {what}" for n, what in kinds if n]
        total = self.suspended + self.dropped
        text = f"not sent: {total} deliver{'y' if total == 1 else 'ies'} ({', '.join(counts)})"
        text += f" of subscription {self.subscription_id}"
        if self.disabled is not None:
            text += f", disabled at {self.disabled.at.isoformat()} ({self.disabled.reason})"
        else:
            text += " while it was disabled"
        if self.suspended and self.disabled is not None:
            enable = how_to_enable.replace("{id}", str(self.subscription_id))
            text += f"; to send the suspended ones: {enable}"
        if self.dropped:
            text += "; dropped ones are never sent"
        return text


@dataclass(frozen=True, slots=True)
class RunSummary:
    events: int
    deliveries: int
    attempts: int
    acknowledged: int  # deliveries acknowledged
    failed_attempts: int  # attempts that were not a 2xx
    expired: int  # deliveries given up after the retry window
    pending: int  # deliveries still waiting for a retry (a run stopped early)
    suspended: int  # deliveries stopped by a disabled subscription
    dropped: int  # events not delivered because their subscription was disabled
    duplicates_sent: int  # duplicate deliveries that were attempted at least once
    disabled: tuple[tuple[int, DisableRecord], ...]  # (subscription id, when/why)
    p50_ms: float | None
    p95_ms: float | None
    not_sent: tuple[NotSent, ...] = ()

    def lines(self, how_to_enable: str = "re-enable subscription {id}") -> list[str]:
        """The summary for people, one fact per line; ``how_to_enable``: see :meth:`NotSent.line`."""
        latency = (
            f"latency p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms"
            if self.p50_ms is not None and self.p95_ms is not None
            else "latency: no attempts"
        )
        out = [
            f"events {self.events}, deliveries {self.deliveries}, attempts {self.attempts}",
            f"acknowledged {self.acknowledged}, failed attempts {self.failed_attempts},"
            f" expired {self.expired}",
            f"duplicates sent {self.duplicates_sent}",
            latency,
        ]
        if self.pending or self.suspended or self.dropped:
            out.append(f"pending {self.pending}, suspended {self.suspended}, dropped {self.dropped}")
        for sub_id, record in self.disabled:
            numbers = f"{record.failures}/{record.sample} {record.unit} failed ({record.share:.0%})"
            detail = f" on {numbers}" if record.sample else ""
            out.append(f"subscription {sub_id} disabled at {record.at.isoformat()}: {record.reason}{detail}")
        out += [item.line(how_to_enable) for item in self.not_sent]
        return out


def _percentile(store: Store, count: int, fraction: float, after_seq: int) -> float | None:
    if count == 0:
        return None
    index = min(count - 1, int(fraction * count))
    rows = store.query(
        "SELECT a.duration FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.event_seq > ?"
        " ORDER BY a.duration LIMIT 1 OFFSET ?",
        (after_seq, index),
    )
    return float(rows[0][0]) * 1000


def summarize(store: Store, *, after_event_seq: int = 0) -> RunSummary:
    """Counts over the events after ``after_event_seq`` (0: the whole log; a run passes its own start)."""
    only = (after_event_seq,)
    states = {
        str(k): int(v)
        for k, v in store.query(
            "SELECT state, count(*) FROM deliveries WHERE event_seq > ? GROUP BY state", only
        )
    }
    (attempts, failed), *_ = store.query(
        "SELECT count(*), coalesce(sum(a.outcome != 'acknowledged'), 0) FROM attempts a"
        " JOIN deliveries d ON d.id = a.delivery_id WHERE d.event_seq > ?",
        only,
    )
    (events,), *_ = store.query("SELECT count(*) FROM events WHERE seq > ?", only)
    (dups,), *_ = store.query(
        "SELECT count(*) FROM deliveries"
        " WHERE duplicate_of IS NOT NULL AND attempts_made > 0 AND event_seq > ?",
        only,
    )
    involved = {
        int(r[0])
        for r in store.query("SELECT DISTINCT subscription_id FROM deliveries WHERE event_seq > ?", only)
    }
    count = int(attempts)
    disabled = {s.id: s.disabled for s in store.subscriptions() if s.disabled and not s.enabled}
    held: dict[int, dict[str, int]] = {}
    for sub_id, state, n in store.query(
        "SELECT subscription_id, state, count(*) FROM deliveries WHERE event_seq > ?"
        " AND state IN ('suspended', 'dropped') GROUP BY subscription_id, state ORDER BY subscription_id",
        only,
    ):
        held.setdefault(int(sub_id), {})[str(state)] = int(n)
    return RunSummary(
        events=int(events),
        deliveries=sum(states.values()),
        attempts=count,
        acknowledged=states.get("acknowledged", 0),
        failed_attempts=int(failed),
        expired=states.get("expired", 0),
        pending=states.get("pending", 0),
        suspended=states.get("suspended", 0),
        dropped=states.get("dropped", 0),
        duplicates_sent=int(dups),
        disabled=tuple(
            (s.id, s.disabled)
            for s in store.subscriptions()
            if s.disabled and not s.enabled and (s.id in involved or not after_event_seq)
        ),
        p50_ms=_percentile(store, count, 0.50, after_event_seq),
        p95_ms=_percentile(store, count, 0.95, after_event_seq),
        not_sent=tuple(
            NotSent(sub_id, n.get("suspended", 0), n.get("dropped", 0), disabled.get(sub_id))
            for sub_id, n in held.items()
        ),
    )
