"""The drift summary of a listen log: per event type, deliveries, contract failures, unknown fields. Pure.

Read on exit of ``flipdish-sim listen``, by ``flipdish-sim listen report`` and by the dashboard's Captures
page, from the verdicts stored with each capture.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from flipdish_sim.simulator.model._verdict import AuthVerdict, CaptureVerdict

__all__ = ["DriftSummary", "EventDrift", "drift_summary"]

PROFILES = ("documented", "observed")
UNKNOWN_EVENT = "(unknown)"
"""The row of deliveries whose event type could not be read."""


@dataclass(slots=True)
class EventDrift:
    """One event type: deliveries, failures per profile, auth failures, unknown fields (with counts)."""

    event_type: str
    family: str
    deliveries: int = 0
    failures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROFILES, 0))
    auth_failures: int = 0
    unknown_fields: Counter[str] = field(default_factory=Counter)
    first_issue: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class DriftSummary:
    """Every event type seen, in name order; ``unjudged``: captures without verdicts (killed mid-way)."""

    events: list[EventDrift]
    captures: int
    unjudged: int

    @property
    def drifted(self) -> bool:
        return any(sum(e.failures.values()) or e.unknown_fields for e in self.events)

    def lines(self) -> list[str]:
        """The summary as terminal lines."""
        if not self.captures:
            return ["drift summary: no deliveries captured"]
        out = [f"drift summary: {self.captures} deliveries captured"]
        if self.unjudged:
            out[0] += f" ({self.unjudged} without verdicts)"
        width = max(len(e.event_type) for e in self.events) if self.events else 10
        out.append(f"  {'event':<{width}}  family  seen  documented-fail  observed-fail  auth-fail")
        for e in self.events:
            out.append(
                f"  {e.event_type:<{width}}  {e.family:<6}  {e.deliveries:>4}  {e.failures['documented']:>15}"
                f"  {e.failures['observed']:>13}  {e.auth_failures:>9}"
            )
            for profile, issue in sorted(e.first_issue.items()):
                out.append(f"    first {profile} failure: {issue}")
            for pointer, count in sorted(e.unknown_fields.items()):
                out.append(f"    unknown field {pointer} ({count} of {e.deliveries})")
        if not self.drifted:
            out.append("no contract drift: every judged delivery matched both profiles, no unknown fields")
        return out


def drift_summary(verdicts: Iterable[CaptureVerdict | None]) -> DriftSummary:
    """The summary of the verdicts of a log's captures (``None``: a capture not judged)."""
    by_event: dict[tuple[str, str], EventDrift] = {}
    captures = unjudged = 0
    for verdict in verdicts:
        captures += 1
        if verdict is None:
            unjudged += 1
            continue
        key = (verdict.event_type or UNKNOWN_EVENT, verdict.family or "?")
        line = by_event.setdefault(key, EventDrift(*key))
        line.deliveries += 1
        if verdict.auth not in (AuthVerdict.VALID, AuthVerdict.UNCHECKED):
            line.auth_failures += 1
        for contract in verdict.contracts:
            if contract.checked and contract.count and contract.profile in line.failures:
                line.failures[contract.profile] += 1
                if contract.issues:
                    pointer, message = contract.issues[0]
                    line.first_issue.setdefault(contract.profile, f"{pointer}: {message}")
        line.unknown_fields.update(verdict.unknown_fields)
    return DriftSummary(sorted(by_event.values(), key=lambda e: (e.event_type, e.family)), captures, unjudged)
