"""Records of the sender's world: subscriptions, events, deliveries and the numbers behind a disable.

A *subscription* is a callback URL that receives some event names (FACTS.md 4.1 ``WebhookSubscription``).
An *event* is one published occurrence (its ``id`` is the ``FlipdishEventId`` a receiver deduplicates on).
A *delivery* is one event sent to one subscription: it owns the attempts, its own ``webhook_id`` (the
``FlipdishWebhookId`` of ``WebhookLog``, one per delivery) and a state::

    pending ──2xx──> acknowledged
       │  └─24 h of failures──> expired
       └─subscription disabled──> suspended ──re-enabled──> pending (or expired past its 24 h)
    new event for a disabled subscription ──> dropped (on_disabled="drop") | suspended (on_disabled="hold")

Secrets and verify tokens never appear in ``repr`` and are masked by :func:`mask_secret`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

__all__ = [
    "FAMILIES",
    "Delivery",
    "DeliveryState",
    "DisableRecord",
    "Event",
    "FamilyName",
    "Subscription",
    "from_us",
    "mask_secret",
    "to_us",
]

FamilyName = Literal["legacy", "v3"]
FAMILIES: tuple[FamilyName, ...] = ("legacy", "v3")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(at: datetime) -> int:
    """Microseconds since the Unix epoch of a timezone-aware datetime (the store's time column)."""
    if at.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware datetime (e.g. datetime.now(UTC))")
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    """The UTC datetime of a microsecond timestamp written by :func:`to_us`."""
    seconds, micros = divmod(us, 1_000_000)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=micros)


def mask_secret(value: str | None) -> str | None:
    """``abcd…`` for display: the first 4 characters of long values, nothing of short ones."""
    if value is None:
        return None
    if len(value) < 12:
        return "****"
    return value[:4] + "****"


class DeliveryState(StrEnum):
    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    EXPIRED = "expired"
    DROPPED = "dropped"
    SUSPENDED = "suspended"

    @property
    def final(self) -> bool:
        return self in (DeliveryState.ACKNOWLEDGED, DeliveryState.EXPIRED, DeliveryState.DROPPED)


@dataclass(frozen=True, slots=True)
class DisableRecord:
    """When and on what numbers a subscription was disabled (or by whom, for a manual disable)."""

    at: datetime
    reason: str
    failures: int = 0
    sample: int = 0
    unit: str = "attempts"
    window_seconds: float = 0.0

    @property
    def share(self) -> float:
        return self.failures / self.sample if self.sample else 0.0


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    callback_url: str
    family: FamilyName
    event_names: tuple[str, ...]
    version: str = "2.0"
    owner_user_id: int = 1
    enabled: bool = True
    verify_token: str | None = field(default=None, repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False)
    created_at: datetime | None = None
    disabled: DisableRecord | None = None
    window_since: datetime | None = None  # the failure window counts from here (the last re-enable)

    def receives(self, event_name: str) -> bool:
        return event_name in self.event_names

    def masked(self) -> dict[str, object]:
        """A display dict with the verify token and secrets masked (``subscriptions list``, the server)."""
        return {
            "id": self.id,
            "owner_user_id": self.owner_user_id,
            "callback_url": self.callback_url,
            "family": self.family,
            "version": self.version,
            "event_names": list(self.event_names),
            "enabled": self.enabled,
            "verify_token": mask_secret(self.verify_token),
            "secrets": [mask_secret(s) for s in self.secrets],
            "disabled_at": self.disabled.at.isoformat() if self.disabled else None,
            "disabled_reason": self.disabled.reason if self.disabled else None,
        }


@dataclass(frozen=True, slots=True)
class Event:
    """One published event; ``id`` is its FlipdishEventId, ``seq`` its row in the log."""

    seq: int
    id: str
    name: str
    payload: Mapping[str, object] = field(repr=False, compare=False)
    created_at: datetime


@dataclass(slots=True)
class Delivery:
    """One event to one subscription; mutable: the engine advances it and the store persists it."""

    id: int
    event_seq: int
    event_id: str
    event_name: str
    subscription_id: int
    webhook_id: str
    body: bytes = field(repr=False)
    state: DeliveryState = DeliveryState.PENDING
    next_attempt_at: datetime | None = None
    first_attempt_at: datetime | None = None
    attempts_made: int = 0
    duplicate_of: int | None = None
    created_at: datetime | None = None

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of is not None
