"""The records of a run, pure data: subscriptions, events, deliveries, attempts and their reports.

The names below load on first use (the modules behind them are private).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flipdish_sim._lazy import exports

if TYPE_CHECKING:
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

__getattr__ = exports(
    __name__,
    {
        "Attempt": "_attempt",
        "AttemptReport": "_report",
        "Delivery": "_subscription",
        "DeliveryState": "_subscription",
        "DisableRecord": "_subscription",
        "Event": "_subscription",
        "Interrupted": "_report",
        "InvalidSubscriptionError": "_subscription_rules",
        "Outcome": "_attempt",
        "Recovery": "_report",
        "RunIdentity": "_identity",
        "Subscription": "_subscription",
        "check_subscription": "_subscription_rules",
    },
)
