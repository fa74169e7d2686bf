"""Manual resends: a delivery sent again by hand, through the sender, and logged as a resend.

A resend is a NEW delivery of the same event (the same body bytes, as stored) to the same subscription:
it gets its own ``FlipdishWebhookId``, its own attempts on the sender's retry schedule and its own
headers (a v3 delivery is signed afresh at each attempt, so its timestamp is current), and the log records
which delivery it resends (``deliveries.resend_of``), so exports and the dashboard tell it apart from the
sender's own deliveries and from injected duplicates. Due at once; no fault injection applies (a person
asked for exactly one more delivery).

Assumption (Flipdish documents no manual resend for v1.0 webhooks): a disabled subscription is refused,
since the sender would only suspend the resend; re-enable it first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.model._subscription import Delivery

if TYPE_CHECKING:
    from flipdish_sim.simulator.engine._sender import Sender

__all__ = ["DisabledSubscriptionError", "resend"]


class DisabledSubscriptionError(UsageError):
    """A resend asked of a disabled subscription."""


def resend(sender: Sender, delivery_id: int) -> Delivery:
    """Schedule a new delivery of ``delivery_id``'s event to its subscription, now; returns it.

    StoreError when the log has no such delivery; :class:`DisabledSubscriptionError` when its
    subscription is disabled."""
    original = sender.store.delivery(delivery_id)
    sub = sender.subscription(original.subscription_id)
    if not sub.enabled:
        raise DisabledSubscriptionError(
            f"webhook {sub.id} is disabled: re-enable it before resending delivery {delivery_id}"
        )
    now = sender.clock.now()
    copy = sender._new_delivery(sub, original.event_id, original.event_name, original.body, now, due=now)
    copy.event_seq = original.event_seq
    sender.store.add_resend(copy, of=original.id)
    sender._schedule(copy)
    return copy
