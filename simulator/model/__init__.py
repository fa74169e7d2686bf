"""The records of a run, pure data: subscriptions, events, deliveries, attempts and their reports.

Pure (no I/O, no clock): importing it is cheap, so the names are imported here directly.
"""

from __future__ import annotations

from flipdish_sim.simulator.model._attempt import Attempt, Outcome
from flipdish_sim.simulator.model._identity import RunIdentity
from flipdish_sim.simulator.model._report import AttemptReport, Interrupted, Recovery
from flipdish_sim.simulator.model._subscription import (
    Delivery,
    DeliveryState,
    DisableRecord,
    Event,
    Subscription,
)
from flipdish_sim.simulator.model._subscription_rules import InvalidSubscriptionError, check_subscription

__all__ = [
    "Attempt",
    "AttemptReport",
    "Delivery",
    "DeliveryState",
    "DisableRecord",
    "Event",
    "Interrupted",
    "InvalidSubscriptionError",
    "Outcome",
    "Recovery",
    "RunIdentity",
    "Subscription",
    "check_subscription",
]
