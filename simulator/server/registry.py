"""Subscriptions as Flipdish's v1.0 API sees them: changed through the running sender, deletions kept.

:class:`Registry` changes subscriptions through the :class:`~flipdish_sim.simulator.engine.Sender` (so its
in-memory view and the log agree) and keeps deletions in the log's ``meta`` table.

Delete (an assumption; Flipdish publishes nothing on it): the subscription is disabled with the reason
``deleted``, receives no event name any more, and disappears from every listing; its past attempts stay
in the log (Flipdish's v3 documentation says the same of its deliveries).
"""

from __future__ import annotations

import json
from dataclasses import replace

from flipdish_sim.simulator.engine import Sender
from flipdish_sim.simulator.log._store import Store, UnknownSubscriptionError
from flipdish_sim.simulator.model._subscription import Subscription

__all__ = ["DELETED_REASON", "Registry"]

DELETED_REASON = "deleted through the API"
_DELETED_KEY = "server.deleted_subscriptions"


class Registry:
    """Subscriptions as the API sees them: live ones only, changed through the sender."""

    def __init__(self, sender: Sender, store: Store) -> None:
        self._sender = sender
        self._store = store

    def deleted(self) -> frozenset[int]:
        raw = self._store.get_meta(_DELETED_KEY)
        return frozenset(int(i) for i in json.loads(raw)) if raw else frozenset()

    def all(self) -> list[Subscription]:
        gone = self.deleted()
        return sorted((s for s in self._sender.subscriptions() if s.id not in gone), key=lambda s: s.id)

    def get(self, sub_id: int) -> Subscription:
        if sub_id in self.deleted():
            raise UnknownSubscriptionError(f"no subscription {sub_id}")
        return self._sender.subscription(sub_id)

    def create(
        self,
        callback_url: str,
        *,
        event_names: tuple[str, ...],
        verify_token: str | None,
        version: str | None,
        enabled: bool,
    ) -> Subscription:
        """A new legacy subscription (event names may be empty: add them later, as in Flipdish's portal)."""
        sub = self._sender.add_subscription(
            callback_url, event_names=event_names, verify_token=verify_token, version=version
        )
        if not enabled:
            sub = self._sender.disable(sub.id, reason="created disabled through the API")
        return sub

    def replace(self, sub: Subscription) -> Subscription:
        """Store ``sub``'s writable fields through the sender (which checks them)."""
        return self._sender.update_subscription(
            sub.id,
            callback_url=sub.callback_url,
            event_names=sub.event_names,
            verify_token=sub.verify_token or "",
            version=sub.version,
        )

    def delete(self, sub_id: int) -> None:
        sub = self.get(sub_id)
        if sub.enabled:
            self._sender.disable(sub_id, reason=DELETED_REASON)
        self.replace(replace(self._sender.subscription(sub_id), event_names=()))
        self._store.set_meta(_DELETED_KEY, json.dumps(sorted({*self.deleted(), sub_id})))
