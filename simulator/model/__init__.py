"""The records of a run, pure data: subscriptions, events, deliveries, attempts and their reports.

Pure (no I/O, no clock): importing it is cheap, so the names are imported here directly.
"""

from __future__ import annotations

from flipdish_sim.simulator.model._attempt import Attempt, Outcome
from flipdish_sim.simulator.model._capture import (
    CAPTURE_FORMAT,
    Capture,
    CaptureFormatError,
    capture_from_json,
    capture_to_json,
)
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
from flipdish_sim.simulator.model._verdict import AuthVerdict, CaptureVerdict, ContractVerdict

__all__ = [
    "CAPTURE_FORMAT",
    "Attempt",
    "AttemptReport",
    "AuthVerdict",
    "Capture",
    "CaptureFormatError",
    "CaptureVerdict",
    "ContractVerdict",
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
    "capture_from_json",
    "capture_to_json",
    "check_subscription",
]
