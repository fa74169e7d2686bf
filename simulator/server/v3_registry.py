"""v3 (org-owned) subscriptions over the running sender: create, update, delete, trigger, delivery status.

A v3 subscription is a sender subscription of family v3 (callback URL, event types, enabled flag, signing
secret) plus its :class:`~flipdish_sim.simulator.log._v3.V3Meta` (``sub_<uuid>`` id, org, property scope).
The registry registers the property scope with the sender (``Sender.accepts``), so an event reaches a
scoped subscription only when its ``propertyId`` is in scope. Facts and assumptions:
V3-SUBSCRIPTIONS.md (fact sheet) and docs/fidelity.md.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from flipdish_sim.simulator.log._v3 import TestDelivery, V3Meta, V3Rows
from flipdish_sim.simulator.model._subscription import Subscription
from flipdish_sim.simulator.server.backend import Backend
from flipdish_sim.simulator.server.v3_input import V3Change, V3Error
from flipdish_sim.simulator.wire._v3_api import (
    SYNTHETIC_TTL_DAYS,
    TEST_FLAG_FIELD,
    Code,
    Status,
    property_of,
)

__all__ = ["SECRET_BYTES", "V3Registry", "new_secret"]

#: Random bytes in a generated signing secret (format and length: [U], an assumption).
SECRET_BYTES = 32
DISABLED_REASON = "disabled through the v3 API"


def new_secret() -> str:
    """A fresh signing secret: ``SECRET_BYTES`` random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(SECRET_BYTES)


class V3Registry:
    """The v3 API's subscriptions of one backend; see the module docstring."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self._rows = V3Rows(backend.store)
        self._meta: dict[int, V3Meta] = {m.subscription_id: m for m in self._rows.all()}
        self._rng = random.Random()
        hooks = backend.sender.accepts  # one registry per sender owns the scope: drop an earlier one's hook
        hooks[:] = [hook for hook in hooks if not isinstance(getattr(hook, "__self__", None), V3Registry)]
        hooks.append(self._in_scope)

    def _in_scope(self, sub: Subscription, payload: Mapping[str, object]) -> bool:
        meta = self._meta.get(sub.id)
        if meta is None or meta.property_ids is None:
            return True
        return property_of(payload) in meta.property_ids

    # -- reading ------------------------------------------------------------------------------------------
    def metas(self) -> list[V3Meta]:
        """Every live v3 API subscription's metadata (the dashboard's view)."""
        return [m for m in self._meta.values() if m.deleted_at is None]

    def meta_of(self, sub_id: int) -> V3Meta | None:
        meta = self._meta.get(sub_id)
        return meta if meta is not None and meta.deleted_at is None else None

    def live(self) -> list[tuple[Subscription, V3Meta]]:
        """Every live v3 API subscription with its metadata, every org (the dashboard's view)."""
        sender = self._backend.sender
        return [(sender.subscription(m.subscription_id), m) for m in self.metas()]

    def of_org(self, org_id: str) -> list[tuple[Subscription, V3Meta]]:
        sender = self._backend.sender
        return [(sender.subscription(m.subscription_id), m) for m in self.metas() if m.org_id == org_id]

    def get(self, org_id: str, public_id: str) -> tuple[Subscription, V3Meta]:
        """The live subscription ``public_id`` of ``org_id``; 404 for unknown, deleted or another org's."""
        for meta in self.metas():
            if meta.public_id == public_id and meta.org_id == org_id:
                return self._backend.sender.subscription(meta.subscription_id), meta
        raise V3Error(Code.NOT_FOUND, "subscription_not_found", f"{org_id} has no subscription {public_id}")

    # -- writing ------------------------------------------------------------------------------------------
    def create(self, org_id: str, change: V3Change) -> tuple[Subscription, V3Meta, str]:
        """A new subscription with a server-generated secret (returned here, and never again)."""
        secret, now = new_secret(), self._backend.now()
        with self._backend.store.atomic():  # the subscription, its v3 row and its status: all or nothing
            return self._create(org_id, change, secret, now)

    def _create(
        self, org_id: str, change: V3Change, secret: str, now: datetime
    ) -> tuple[Subscription, V3Meta, str]:
        assert change.callback_url is not None
        assert change.event_types is not None
        sender = self._backend.sender
        sub = sender.add_subscription(
            change.callback_url, event_names=change.event_types, family="v3", secrets=(secret,)
        )
        meta = self._rows.add(
            sub.id,
            public_id=f"sub_{uuid.uuid4()}",
            org_id=org_id,
            property_ids=change.property_ids,
            at=now,
        )
        self._meta[sub.id] = meta
        if change.status == Status.DISABLED:
            sub = sender.disable(sub.id, reason=DISABLED_REASON)
        return sub, meta, secret

    async def update(self, org_id: str, public_id: str, change: V3Change) -> tuple[Subscription, V3Meta]:
        """Apply ``change`` as a whole: every field was validated before this call, and its writes are one
        log transaction (a crash leaves all or none of them); events published after it see the new
        configuration."""
        sub, meta = self.get(org_id, public_id)
        enable = change.status == Status.ENABLED and not sub.enabled
        meta = await self._backend.atomically(lambda: self._update(sub, meta, change), catch_up=enable)
        return self._backend.sender.subscription(sub.id), meta

    def _update(self, sub: Subscription, meta: V3Meta, change: V3Change) -> V3Meta:
        sender, now = self._backend.sender, self._backend.now()
        if change.callback_url is not None or change.event_types is not None:
            sub = sender.update_subscription(
                sub.id, callback_url=change.callback_url, event_names=change.event_types
            )
        if change.scope_given and change.property_ids != meta.property_ids:
            self._rows.set_scope(sub.id, change.property_ids, now)
            meta = V3Meta(meta.subscription_id, meta.public_id, meta.org_id, change.property_ids, now)
        if change.status == Status.ENABLED and not sub.enabled:
            sender.enable(sub.id)
        elif change.status == Status.DISABLED and sub.enabled:
            sender.disable(sub.id, reason=DISABLED_REASON)
        self._meta[sub.id] = meta  # in memory once every write is made
        return meta

    def delete(self, org_id: str, public_id: str) -> None:
        """Permanent: no more deliveries, gone from every listing; past deliveries stay in the log."""
        sub, meta = self.get(org_id, public_id)
        self._backend.registry.delete(sub.id)
        now = self._backend.now()
        self._rows.mark_deleted(sub.id, now)
        self._meta[sub.id] = V3Meta(
            meta.subscription_id, meta.public_id, meta.org_id, meta.property_ids, meta.updated_at, now
        )

    # -- the test trigger ---------------------------------------------------------------------------------
    async def trigger(self, org_id: str, public_id: str) -> list[str]:
        """One synthetic, test-flagged event per event type, to this subscription only; their event ids."""
        sub, meta = self.get(org_id, public_id)
        if not sub.enabled:
            raise V3Error(
                Code.CONFLICT,
                "subscription_disabled",
                f"subscription {public_id} is disabled: enable it (status) before triggering a test",
            )
        events = [(name, self._synthetic(name, meta)) for name in sub.event_names]
        ids = await self._backend.publish_to(sub.id, events)
        self._rows.record_tests(sub.id, list(zip(ids, sub.event_names, strict=True)), self._backend.now())
        return ids

    def _synthetic(self, name: str, meta: V3Meta) -> dict[str, object]:
        """A realistic example of ``name`` about this org (and a property in scope), flagged as a test."""
        from flipdish_sim.contracts.examples import example  # the generator loads slowly: on first use

        body = dict(example(name, seed=self._rng.randrange(2**31), at=self._backend.now()))
        body["orgId"] = meta.org_id
        if meta.property_ids is not None:
            body["propertyId"] = meta.property_ids[0]
        body[TEST_FLAG_FIELD] = True
        return body

    def test_deliveries(self, event_ids: list[str]) -> tuple[list[TestDelivery], list[str]]:
        """``(deliveries found, ids not found)`` of trigger test events of the last 7 days."""
        since = self._backend.now() - timedelta(days=SYNTHETIC_TTL_DAYS)
        found: list[TestDelivery] = []
        missing: list[str] = []
        for event_id in event_ids:
            rows = self._rows.test_deliveries(event_id, since=since)
            found += rows
            if not rows:
                missing.append(event_id)
        return found, missing
