"""What the sender reports: each committed attempt (:class:`AttemptReport`) and what recovery found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flipdish_sim.simulator.model._attempt import Attempt, Outcome
from flipdish_sim.simulator.model._subscription import DeliveryState, DisableRecord

__all__ = ["AttemptReport", "Interrupted", "Recovery"]


@dataclass(frozen=True, slots=True)
class AttemptReport:
    """What the ``on_attempt`` hooks receive after each attempt is recorded in the log."""

    subscription_id: int
    delivery_id: int
    webhook_id: str
    event_id: str
    event_name: str
    attempt_no: int
    offset: timedelta  # from the delivery's first attempt
    attempt: Attempt
    state: DeliveryState  # the delivery's state after this attempt
    next_attempt_at: datetime | None
    duplicate: bool
    disabled: DisableRecord | None  # set when this attempt disabled the subscription


@dataclass(frozen=True, slots=True)
class Recovery:
    """What :meth:`Sender.recover` found in the log."""

    resumed: int  # pending deliveries put back on the agenda
    interrupted: int  # attempts that were in flight when the previous run stopped
    expired: int  # interrupted deliveries whose retry window had closed


@dataclass(frozen=True, slots=True)
class Interrupted:
    """The attempt recorded for one that was in flight when the previous process stopped."""

    at: datetime
    outcome: str = Outcome.INTERRUPTED.value
    status_code: int | None = None
    duration: float = 0.0
    response_headers: tuple[tuple[str, str], ...] = ()
    response_body: bytes = b""
    error: str | None = (
        "the sender stopped while this attempt was in flight; the receiver may have received it"
    )
