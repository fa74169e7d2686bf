"""Plain records the dashboard and the simulator API render, computed by the backend from the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["DisableState", "EventSummary", "Filters"]


@dataclass(frozen=True, slots=True)
class DisableState:
    """The auto-disable rule of one subscription evaluated now over its rolling window."""

    subscription_id: int
    enabled: bool
    window_hours: float
    threshold: float
    min_sample: int
    unit: str
    failures: int
    total: int
    rule_enabled: bool = True
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    disabled_failures: int | None = None
    disabled_sample: int | None = None
    window_since: datetime | None = None  # the window restarted here (a re-enable)

    @property
    def share(self) -> float:
        """The failure share over the window (0.0 when nothing was sent)."""
        return self.failures / self.total if self.total else 0.0

    def as_json(self) -> dict[str, object]:
        """The ``/_sim/subscriptions/{id}/disable-rule`` document."""
        return {
            "subscriptionId": self.subscription_id,
            "enabled": self.enabled,
            "rule": {
                "enabled": self.rule_enabled,
                "windowHours": self.window_hours,
                "threshold": self.threshold,
                "minSample": self.min_sample,
                "unit": self.unit,
            },
            "window": {"failures": self.failures, "total": self.total, "share": round(self.share, 4)},
            "windowSince": self.window_since.isoformat() if self.window_since else None,
            "disabledAt": self.disabled_at.isoformat() if self.disabled_at else None,
            "disabledReason": self.disabled_reason,
            "disabledOn": (
                None
                if self.disabled_sample is None
                else {"failures": self.disabled_failures, "total": self.disabled_sample}
            ),
        }


@dataclass(frozen=True, slots=True)
class EventSummary:
    """One delivery of an event to a subscription: attempts made and the latest response."""

    delivery_id: int
    event_id: str
    event_name: str
    attempts: int
    state: str
    duplicate: bool
    latest_at: datetime | None
    latest_outcome: str | None
    latest_status: int | None
    next_attempt_at: datetime | None = None
    """When a pending delivery's next attempt is due (None once it is no longer pending)."""
    resend_of: int | None = None
    """The delivery this one resends by hand (None: the sender's own delivery)."""


@dataclass(frozen=True, slots=True)
class Filters:
    """What the details page's lists are narrowed to (None: any); ``until`` is exclusive.

    ``outcome``: an attempt outcome (``acknowledged``, ``http-error``, ``timeout``, ...) or ``failed`` (any
    but acknowledged). The Events list matches on each delivery's latest attempt and its creation time,
    the Attempts list on each attempt and its time."""

    event_name: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @property
    def active(self) -> bool:
        return any(value is not None for value in (self.event_name, self.outcome, self.since, self.until))
