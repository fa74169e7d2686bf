"""The v3 management API's rows: subscription metadata and the trigger's test events (schema version 3).

A v3 API subscription is a ``subscriptions`` row of family v3 plus a ``v3_subscriptions`` row (see
:data:`~flipdish_sim.simulator.log._schema.V3_SUBSCRIPTIONS_SCHEMA`). This module holds every SQL
statement over those two tables; the server calls :class:`V3Rows` and writes no SQL of its own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flipdish_sim.simulator.model._subscription import from_us, to_us

if TYPE_CHECKING:
    from flipdish_sim.simulator.log._store import Store

__all__ = ["TestDelivery", "V3Meta", "V3Rows"]

_META_COLUMNS = "subscription_id, public_id, org_id, property_ids, updated_us, deleted_us"
_INSERT_META = (
    "INSERT INTO v3_subscriptions (subscription_id, public_id, org_id, property_ids, updated_us)"
    " VALUES (?, ?, ?, ?, ?)"
)
_UPDATE_SCOPE = "UPDATE v3_subscriptions SET property_ids = ?, updated_us = ? WHERE subscription_id = ?"
_DELETE = "UPDATE v3_subscriptions SET deleted_us = ? WHERE subscription_id = ? AND deleted_us IS NULL"
_INSERT_TEST = (
    "INSERT OR IGNORE INTO v3_test_events (event_id, subscription_id, event_type, created_us)"
    " VALUES (?, ?, ?, ?)"
)
_TEST_DELIVERIES = """
SELECT t.event_id, t.event_type, v.public_id, t.created_us, d.state, d.attempts_made, a.at_us,
       a.outcome, a.status_code
FROM v3_test_events t
JOIN v3_subscriptions v ON v.subscription_id = t.subscription_id
JOIN events e ON e.id = t.event_id
JOIN deliveries d ON d.event_seq = e.seq AND d.subscription_id = t.subscription_id
LEFT JOIN attempts a ON a.id = d.last_attempt_id
WHERE t.event_id = ? AND t.created_us >= ?
ORDER BY d.id
"""


@dataclass(frozen=True, slots=True)
class V3Meta:
    """What the v3 API adds to a subscription; ``property_ids`` None: all of the org's properties."""

    subscription_id: int
    public_id: str
    org_id: str
    property_ids: tuple[str, ...] | None
    updated_at: datetime
    deleted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TestDelivery:
    """One trigger test event's delivery, as ``GET /synthetic-delivery`` reports it."""

    event_id: str
    event_type: str
    public_id: str
    created_at: datetime
    state: str
    attempts: int
    last_attempt_at: datetime | None
    last_outcome: str | None
    last_status: int | None


def _meta(row: tuple[Any, ...]) -> V3Meta:
    sid, public, org, scope, updated, deleted = row
    return V3Meta(
        subscription_id=sid,
        public_id=public,
        org_id=org,
        property_ids=None if scope is None else tuple(json.loads(scope)),
        updated_at=from_us(updated),
        deleted_at=None if deleted is None else from_us(deleted),
    )


def _scope(property_ids: Sequence[str] | None) -> str | None:
    return None if property_ids is None else json.dumps(list(property_ids))


class V3Rows:
    """The v3 tables of one :class:`~flipdish_sim.simulator.log._store.Store` (same connection)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def all(self) -> list[V3Meta]:
        """Every v3 API subscription, deleted ones included, in creation order."""
        self._store.commit()
        rows = self._store._db.execute(
            f"SELECT {_META_COLUMNS} FROM v3_subscriptions ORDER BY subscription_id"
        ).fetchall()
        return [_meta(r) for r in rows]

    def add(
        self,
        subscription_id: int,
        *,
        public_id: str,
        org_id: str,
        property_ids: Sequence[str] | None,
        at: datetime,
    ) -> V3Meta:
        with self._store._write():
            self._store._db.execute(
                _INSERT_META, (subscription_id, public_id, org_id, _scope(property_ids), to_us(at))
            )
        return V3Meta(
            subscription_id, public_id, org_id, None if property_ids is None else tuple(property_ids), at
        )

    def set_scope(self, subscription_id: int, property_ids: Sequence[str] | None, at: datetime) -> None:
        with self._store._write():
            self._store._db.execute(_UPDATE_SCOPE, (_scope(property_ids), to_us(at), subscription_id))

    def mark_deleted(self, subscription_id: int, at: datetime) -> None:
        with self._store._write():
            self._store._db.execute(_DELETE, (to_us(at), subscription_id))

    def record_tests(self, subscription_id: int, events: Sequence[tuple[str, str]], at: datetime) -> None:
        """Remember a trigger's ``(event id, event type)`` pairs (with the events' own transaction)."""
        with self._store._write():
            self._store._db.executemany(
                _INSERT_TEST, [(eid, subscription_id, name, to_us(at)) for eid, name in events]
            )

    def test_deliveries(self, event_id: str, *, since: datetime) -> list[TestDelivery]:
        """The deliveries of the test event ``event_id`` recorded at or after ``since`` (the TTL)."""
        self._store.commit()
        rows = self._store._db.execute(_TEST_DELIVERIES, (event_id, to_us(since))).fetchall()
        return [
            TestDelivery(
                event_id=r[0],
                event_type=r[1],
                public_id=r[2],
                created_at=from_us(r[3]),
                state=r[4],
                attempts=r[5],
                last_attempt_at=None if r[6] is None else from_us(r[6]),
                last_outcome=r[7],
                last_status=r[8],
            )
            for r in rows
        ]
