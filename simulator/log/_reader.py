"""Reading the log: records, streams of attempts and counts (the read side of ``store.Store``).

Every read first commits what the store has staged, so a reader always sees every write made before it.
Attempts are streamed in time order, never all in memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from flipdish_sim.errors import StoreError, UsageError
from flipdish_sim.simulator.log._schema import (
    SUBSCRIPTION_COLUMNS,
    AttemptRow,
    open_delivery,
    opt_dt,
    subscription_from_row,
)
from flipdish_sim.simulator.log._where import Where
from flipdish_sim.simulator.model._subscription import Delivery, Event, Subscription, from_us, to_us
from flipdish_sim.simulator.wire._headers import headers_from

__all__ = ["LogReader", "UnknownSubscriptionError"]


class UnknownSubscriptionError(UsageError):
    """A subscription id that is not in the log."""


class DeliveryLatest(NamedTuple):
    """One delivery, its event and its latest attempt (``None`` fields: no attempt yet)."""

    delivery_id: int
    event_id: str
    event_name: str
    attempts_made: int
    state: str
    duplicate_of: int | None
    latest_at_us: int | None
    latest_outcome: str | None
    latest_status: int | None
    next_attempt_us: int | None
    resend_of: int | None


_LATEST_BY_DELIVERY = """
SELECT d.id, e.id, e.name, d.attempts_made, d.state, d.duplicate_of, a.at_us, a.outcome, a.status_code,
    d.next_attempt_us, d.resend_of
FROM deliveries d
JOIN events e ON e.seq = d.event_seq
LEFT JOIN attempts a ON a.id = (
    SELECT id FROM attempts WHERE delivery_id = d.id ORDER BY attempt_no DESC LIMIT 1)
WHERE d.subscription_id = ?{filters}
ORDER BY d.id DESC
LIMIT ?
"""


def _delivery_filters(
    event_name: str | None, outcome: str | None, start: datetime | None, end: datetime | None
) -> Where:
    """Extra clauses of :data:`_LATEST_BY_DELIVERY`: the event's name, the latest attempt's outcome
    (``"failed"``: any but acknowledged; a delivery not attempted yet matches no outcome), and when the
    delivery was made (``end`` exclusive)."""
    where = Where().equal("e.name", event_name).outcome("a.outcome", outcome)
    return where.between("d.created_us", start, end)


def attempt_filter(
    subscription_id: int | None,
    start: datetime | None,
    end: datetime | None,
    *,
    event_name: str | None = None,
    outcome: str | None = None,
) -> Where:
    """The WHERE clause over ``attempts a`` (no join needed); ``outcome="failed"``: any but acknowledged."""
    where = Where().equal("a.subscription_id", subscription_id).between("a.at_us", start, end)
    if event_name is not None:
        where.add(
            "a.delivery_id IN (SELECT fd.id FROM deliveries fd JOIN events fe ON fe.seq = fd.event_seq"
            " WHERE fe.name = ?)",
            event_name,
        )
    return where.outcome("a.outcome", outcome)


_DELIVERY_SELECT = (
    "SELECT d.id, d.event_seq, d.subscription_id, d.webhook_id, d.state, d.created_us,"
    " d.first_attempt_us, d.next_attempt_us, d.attempts_made, d.duplicate_of, d.in_flight_us,"
    " e.id, e.name, e.body FROM deliveries d JOIN events e ON e.seq = d.event_seq"
)


class LogReader:
    """The read side of the log; :class:`~flipdish_sim.simulator.log._store.Store` adds the writes."""

    path: str
    _db: sqlite3.Connection

    def commit(self) -> None:
        """Write what is staged (the store overrides this)."""

    def subscription(self, subscription_id: int) -> Subscription:
        self.commit()
        row = self._db.execute(
            f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE id = ?", (subscription_id,)
        ).fetchone()
        if row is None:
            raise UnknownSubscriptionError(f"no subscription {subscription_id} in {self.path}")
        return subscription_from_row(row)

    def subscriptions(self) -> list[Subscription]:
        self.commit()
        return [
            subscription_from_row(r)
            for r in self._db.execute(f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions ORDER BY id")
        ]

    def open_deliveries(
        self, subscription_id: int | None = None
    ) -> Iterator[tuple[Delivery, datetime | None]]:
        """Pending and suspended deliveries with their in-flight mark (the engine's resume), by id."""
        self.commit()
        only = "" if subscription_id is None else " AND d.subscription_id = ?"
        rows = self._db.execute(
            f"{_DELIVERY_SELECT} WHERE d.state IN ('pending', 'suspended'){only} ORDER BY d.id",
            () if subscription_id is None else (subscription_id,),
        )
        return (open_delivery(r) for r in rows)

    def delivery(self, delivery_id: int) -> Delivery:
        """One delivery with its event's name, id and body, whatever its state (StoreError if unknown)."""
        self.commit()
        row = self._db.execute(f"{_DELIVERY_SELECT} WHERE d.id = ?", (delivery_id,)).fetchone()
        if row is None:
            raise StoreError(f"no delivery {delivery_id} in {self.path}")
        return open_delivery(row)[0]

    def event(self, seq: int) -> Event:
        self.commit()
        row = self._db.execute("SELECT seq, id, name, body, created_us FROM events WHERE seq = ?", (seq,))
        found = row.fetchone()
        if found is None:
            raise StoreError(f"no event #{seq} in {self.path}")
        return Event(found[0], found[1], found[2], json.loads(found[3]), from_us(found[4]))

    def outcomes_since(self, subscription_id: int, since: datetime) -> list[tuple[datetime, str, str]]:
        """(at, outcome, event id) of a subscription's attempts since ``since``, oldest first."""
        self.commit()
        rows = self._db.execute(
            "SELECT a.at_us, a.outcome, e.id FROM attempts a JOIN deliveries d ON d.id = a.delivery_id"
            " JOIN events e ON e.seq = d.event_seq WHERE a.subscription_id = ? AND a.at_us >= ?"
            " ORDER BY a.at_us, a.id",
            (subscription_id, to_us(since)),
        )
        return [(from_us(r[0]), r[1], r[2]) for r in rows]

    def attempts(
        self,
        *,
        subscription_id: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        offset: int = 0,
        limit: int | None = None,
        event_name: str | None = None,
        outcome: str | None = None,
    ) -> Iterator[AttemptRow]:
        """Stored attempts in time order, streamed (never all in memory); ``end`` is exclusive.

        ``event_name``, ``outcome`` (an outcome, or ``"failed"``: any but acknowledged) narrow them."""
        self.commit()
        where = attempt_filter(subscription_id, start, end, event_name=event_name, outcome=outcome)
        sql = (
            "SELECT a.id, a.attempt_no, a.at_us, a.outcome, a.status_code, a.duration, a.request_headers,"
            " e.body, a.response_headers, a.response_body, a.error, d.id, d.webhook_id, d.duplicate_of,"
            " d.first_attempt_us, e.id, e.name, e.created_us, s.id, s.owner_user_id, a.url, a.version,"
            " d.resend_of"
            " FROM attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN events e ON e.seq = d.event_seq"
            f" JOIN subscriptions s ON s.id = a.subscription_id{where.sql} ORDER BY a.at_us, a.id"
            " LIMIT ? OFFSET ?"
        )
        cursor = self._db.execute(sql, (*where.params, -1 if limit is None else limit, offset))
        for r in cursor:
            yield AttemptRow(
                id=r[0],
                attempt_no=r[1],
                at=from_us(r[2]),
                outcome=r[3],
                status_code=r[4],
                duration=r[5],
                request_headers=headers_from(r[6]),
                request_body=r[7],
                response_headers=headers_from(r[8]),
                response_body=r[9],
                error=r[10],
                delivery_id=r[11],
                webhook_id=r[12],
                duplicate_of=r[13],
                first_attempt_at=opt_dt(r[14]),
                event_id=r[15],
                event_name=r[16],
                event_created=from_us(r[17]),
                subscription_id=r[18],
                owner_user_id=r[19],
                callback_url=r[20],
                version=r[21],
                resend_of=r[22],
            )

    def count_attempts(
        self,
        *,
        subscription_id: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        event_name: str | None = None,
        outcome: str | None = None,
    ) -> int:
        self.commit()
        where = attempt_filter(subscription_id, start, end, event_name=event_name, outcome=outcome)
        sql = f"SELECT count(*) FROM attempts a{where.sql}"
        return int(self._db.execute(sql, where.params).fetchone()[0])

    def latest_time(self) -> datetime | None:
        """The latest time the log mentions (attempt, in-flight mark, event): where a resumed run starts."""
        self.commit()
        row = self._db.execute(
            "SELECT max(coalesce((SELECT max(at_us) FROM attempts), 0), coalesce((SELECT max(in_flight_us)"
            " FROM deliveries), 0), coalesce((SELECT max(created_us) FROM events), 0))"
        ).fetchone()
        return from_us(row[0]) if row and row[0] else None

    def max_delivery_id(self) -> int:
        self.commit()
        return int(self._db.execute("SELECT coalesce(max(id), 0) FROM deliveries").fetchone()[0])

    def get_meta(self, key: str) -> str | None:
        self.commit()
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def attempt_time(self, subscription_id: int, attempt_id: int) -> datetime | None:
        """When attempt ``attempt_id`` of ``subscription_id`` started (None: no such attempt of it)."""
        self.commit()
        row = self._db.execute(
            "SELECT at_us FROM attempts WHERE id = ? AND subscription_id = ?", (attempt_id, subscription_id)
        ).fetchone()
        return None if row is None else from_us(int(row[0]))

    def latest_by_delivery(
        self,
        subscription_id: int,
        limit: int,
        *,
        event_name: str | None = None,
        outcome: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[DeliveryLatest]:
        """Each delivery to ``subscription_id`` (newest first) with its event and its latest attempt,
        narrowed by event name, latest outcome and creation time (see :func:`_delivery_filters`)."""
        self.commit()
        filters = _delivery_filters(event_name, outcome, start, end)
        sql = _LATEST_BY_DELIVERY.format(filters=filters.and_sql)
        rows = self._db.execute(sql, (subscription_id, *filters.params, limit))
        return [DeliveryLatest(*row) for row in rows]

    def has_waiting_deliveries(self) -> bool:
        """True while a delivery is still pending or suspended (held by a disabled subscription)."""
        self.commit()
        sql = "SELECT 1 FROM deliveries WHERE state IN ('pending', 'suspended') LIMIT 1"
        return self._db.execute(sql).fetchone() is not None

    def count_events(self) -> int:
        self.commit()
        return int(self._db.execute("SELECT count(*) FROM events").fetchone()[0])

    def delivery_states(self) -> list[str]:
        """The state of every delivery, in delivery order."""
        self.commit()
        return [str(row[0]) for row in self._db.execute("SELECT state FROM deliveries ORDER BY id")]

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """A read-only SQL query (summaries, the dashboard); never used to write."""
        self.commit()
        return [tuple(r) for r in self._db.execute(sql, params)]
