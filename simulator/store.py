"""The durable log: subscriptions, events, deliveries and attempts in one SQLite file (WAL mode).

Crash safety. Every attempt is committed together with its delivery's next state in ONE transaction
before the next attempt of the run starts, and before an attempt is sent its delivery is marked
*in flight* (``in_flight_at``). ``journal_mode=WAL`` with ``synchronous=NORMAL`` survives a ``kill -9``
of the process (an OS crash may lose the last commits, never corrupt the file). A run restarted on the
same file resumes: a delivery still marked in flight had an attempt whose outcome is unknown (the
receiver may or may not have seen it); the resumed engine records it as outcome ``interrupted`` and
retries it, which is the at-least-once a real sender has.

Times are stored as integer microseconds since the Unix epoch (UTC). The schema version lives in
``PRAGMA user_version``; opening a file of another schema (or not SQLite at all) raises StoreError.

Queries the dashboard needs are indexed: attempts of a subscription over time (``attempts_by_sub_at``),
its latest response (same index, descending) and the failure share over the last 72 h (same index).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from flipdish_sim.errors import StoreError, UsageError
from flipdish_sim.simulator.subscription import (
    Delivery,
    DeliveryState,
    DisableRecord,
    Event,
    FamilyName,
    Subscription,
    from_us,
    to_us,
)

__all__ = [
    "INTERRUPTED",
    "SCHEMA_VERSION",
    "AttemptData",
    "AttemptRow",
    "Store",
    "UnknownSubscriptionError",
    "headers_text",
]

SCHEMA_VERSION = 1
APPLICATION_ID = 0x46445331  # "FDS1": marks a flipdish-sim log

INTERRUPTED = "interrupted"

_SCHEMA = """
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    owner_user_id INTEGER NOT NULL,
    callback_url TEXT NOT NULL,
    family TEXT NOT NULL CHECK (family IN ('legacy', 'v3')),
    version TEXT NOT NULL,
    event_names TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    verify_token TEXT,
    secrets TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    disabled_us INTEGER,
    disabled_reason TEXT,
    disabled_numbers TEXT,
    window_since_us INTEGER
);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    body BLOB NOT NULL,
    created_us INTEGER NOT NULL
);
CREATE INDEX events_by_id ON events (id);
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    event_seq INTEGER NOT NULL REFERENCES events (seq),
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id),
    webhook_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    first_attempt_us INTEGER,
    next_attempt_us INTEGER,
    attempts_made INTEGER NOT NULL DEFAULT 0,
    duplicate_of INTEGER REFERENCES deliveries (id),
    in_flight_us INTEGER,
    last_attempt_id INTEGER
);
CREATE INDEX deliveries_open ON deliveries (state, subscription_id) WHERE state IN ('pending', 'suspended');
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
    subscription_id INTEGER NOT NULL,
    attempt_no INTEGER NOT NULL,
    at_us INTEGER NOT NULL,
    request_headers TEXT NOT NULL,
    outcome TEXT NOT NULL,
    status_code INTEGER,
    duration REAL NOT NULL,
    response_headers TEXT NOT NULL,
    response_body BLOB NOT NULL,
    error TEXT,
    state_after TEXT NOT NULL,
    first_attempt_us INTEGER NOT NULL,
    next_attempt_us INTEGER
);
CREATE INDEX attempts_by_sub_at ON attempts (subscription_id, at_us, outcome);
CREATE INDEX attempts_by_delivery ON attempts (delivery_id);
CREATE TRIGGER attempts_advance_delivery AFTER INSERT ON attempts BEGIN
    UPDATE deliveries SET state = NEW.state_after, first_attempt_us = NEW.first_attempt_us,
        next_attempt_us = NEW.next_attempt_us, attempts_made = NEW.attempt_no, in_flight_us = NULL,
        last_attempt_id = NEW.id
    WHERE id = NEW.delivery_id;
END;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


_SUBSCRIPTION_COLUMNS = (
    "id, owner_user_id, callback_url, family, version, event_names, enabled, verify_token, secrets,"
    " created_us, disabled_us, disabled_reason, disabled_numbers, window_since_us"
)
_MARK = "UPDATE deliveries SET in_flight_us = ? WHERE id = ?"
_SUSPEND_OPEN = "UPDATE deliveries SET state = 'suspended' WHERE subscription_id = ? AND state = 'pending'"
_INSERT_EVENT = "INSERT INTO events (seq, id, name, body, created_us) VALUES (?, ?, ?, ?, ?)"
_INSERT_DELIVERY = (
    "INSERT INTO deliveries (id, event_seq, subscription_id, webhook_id, state, created_us,"
    " first_attempt_us, next_attempt_us, attempts_made, duplicate_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_DISABLE = (
    "UPDATE subscriptions SET enabled = ?, disabled_us = ?, disabled_reason = ?, disabled_numbers = ?"
    " WHERE id = ?"
)
_RECORD = (
    "INSERT INTO attempts (delivery_id, subscription_id, attempt_no, at_us, request_headers, outcome,"
    " status_code, duration, response_headers, response_body, error, state_after, first_attempt_us,"
    " next_attempt_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class UnknownSubscriptionError(UsageError):
    """A subscription id that is not in the log."""


class AttemptData(Protocol):
    """What the store needs of an attempt (H3a's ``attempt.Attempt`` has these)."""

    @property
    def at(self) -> datetime: ...
    @property
    def outcome(self) -> str: ...
    @property
    def status_code(self) -> int | None: ...
    @property
    def duration(self) -> float: ...
    @property
    def response_headers(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def response_body(self) -> bytes: ...
    @property
    def error(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class AttemptRow:
    """One stored attempt joined with its delivery, event and subscription (what an export needs)."""

    id: int
    attempt_no: int
    at: datetime
    outcome: str
    status_code: int | None
    duration: float
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes
    response_headers: tuple[tuple[str, str], ...]
    response_body: bytes
    error: str | None
    delivery_id: int
    webhook_id: str
    duplicate_of: int | None
    first_attempt_at: datetime | None
    event_id: str
    event_name: str
    event_created: datetime
    subscription_id: int
    owner_user_id: int
    callback_url: str
    version: str


def headers_text(headers: Iterable[tuple[str, str]]) -> str:
    """The stored form of a header list: ``Name: value`` lines joined by CRLF (values never hold CRLF)."""
    return "\r\n".join([f"{name}: {value}" for name, value in headers])


def _headers_from(text: str) -> tuple[tuple[str, str], ...]:
    if not text:
        return ()
    return tuple((name, value) for name, _, value in (line.partition(": ") for line in text.split("\r\n")))


def _opt_us(at: datetime | None) -> int | None:
    return None if at is None else to_us(at)


def _opt_dt(us: int | None) -> datetime | None:
    return None if us is None else from_us(us)


class Store:
    """One SQLite log; use as a context manager or call :meth:`close`. Not shared across threads at once."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._staged: list[tuple[str, list[tuple[object, ...]]]] = []
        self._next_seq: int | None = None
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as err:
            raise StoreError(f"cannot open the log {self.path}: {err}") from err
        try:
            self._configure()
        except sqlite3.DatabaseError as err:
            self._db.close()
            raise StoreError(f"{self.path} is not a flipdish-sim log: {err}") from err
        except StoreError:
            self._db.close()
            raise

    def _configure(self) -> None:
        db = self._db
        db.execute("PRAGMA busy_timeout = 5000")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA wal_autocheckpoint = 4000")
        db.execute("PRAGMA foreign_keys = ON")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        app = db.execute("PRAGMA application_id").fetchone()[0]
        if version == 0:
            tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            if tables:
                raise StoreError(
                    f"{self.path} is an SQLite file of another application, not a flipdish-sim log"
                )
            db.executescript(
                f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA application_id = {APPLICATION_ID};"
                f" PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            )
        elif app != APPLICATION_ID or version != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} holds schema version {version} (application id {app:#x}); "
                f"this flipdish-sim writes version {SCHEMA_VERSION}: use a new --db file"
            )

    # -- lifecycle ---------------------------------------------------------------------------------
    def close(self) -> None:
        """Commit what is staged and close the file."""
        try:
            self.commit()
        finally:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _write(self) -> _Transaction:
        """A transaction for an immediate write; what is staged is committed first (writes stay in order)."""
        self.commit()
        return _Transaction(self._db)

    # -- staged writes (the engine's hot path) -------------------------------------------------------
    def _stage(self, sql: str, row: tuple[object, ...]) -> None:
        staged = self._staged
        if staged and staged[-1][0] is sql:
            staged[-1][1].append(row)
        else:
            staged.append((sql, [row]))

    @property
    def staged(self) -> int:
        """How many staged statements wait for :meth:`commit`."""
        return sum(len(rows) for _, rows in self._staged)

    def commit(self) -> None:
        """Write everything staged, in staging order, in ONE transaction (nothing when nothing is staged).

        Every other public method commits what is staged first, so readers always see it; the engine
        calls this before each attempt goes out. On an error nothing staged is written and it is raised.
        """
        if not self._staged:
            return
        staged, self._staged = self._staged, []
        self._next_seq = None
        db = self._db
        if len(staged) == 1 and len(staged[0][1]) == 1:  # one statement is one (autocommitted) transaction
            db.execute(staged[0][0], staged[0][1][0])
            return
        with _Transaction(db):
            for sql, rows in staged:
                if len(rows) == 1:
                    db.execute(sql, rows[0])
                else:
                    db.executemany(sql, rows)

    # -- subscriptions -----------------------------------------------------------------------------
    def add_subscription(
        self,
        *,
        callback_url: str,
        family: FamilyName,
        event_names: Sequence[str],
        created_at: datetime,
        version: str = "2.0",
        owner_user_id: int = 1,
        verify_token: str | None = None,
        secrets: Sequence[str] = (),
        enabled: bool = True,
    ) -> Subscription:
        with self._write():
            cursor = self._db.execute(
                "INSERT INTO subscriptions (owner_user_id, callback_url, family, version, event_names,"
                " enabled, verify_token, secrets, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    owner_user_id,
                    callback_url,
                    family,
                    version,
                    json.dumps(list(event_names)),
                    int(enabled),
                    verify_token,
                    json.dumps(list(secrets)),
                    to_us(created_at),
                ),
            )
        assert cursor.lastrowid is not None
        return self.subscription(cursor.lastrowid)

    def subscription(self, subscription_id: int) -> Subscription:
        self.commit()
        row = self._db.execute(
            f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE id = ?", (subscription_id,)
        ).fetchone()
        if row is None:
            raise UnknownSubscriptionError(f"no subscription {subscription_id} in {self.path}")
        return _subscription(row)

    def subscriptions(self) -> list[Subscription]:
        self.commit()
        return [
            _subscription(r)
            for r in self._db.execute(f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions ORDER BY id")
        ]

    def update_subscription(self, sub: Subscription) -> None:
        """Persist the callback URL, event names, verify token, secrets and version (one transaction)."""
        with self._write():
            cursor = self._db.execute(
                "UPDATE subscriptions SET callback_url = ?, event_names = ?, verify_token = ?, secrets = ?,"
                " version = ? WHERE id = ?",
                (
                    sub.callback_url,
                    json.dumps(list(sub.event_names)),
                    sub.verify_token,
                    json.dumps(list(sub.secrets)),
                    sub.version,
                    sub.id,
                ),
            )
        if cursor.rowcount == 0:
            raise UnknownSubscriptionError(f"no subscription {sub.id} in {self.path}")

    def set_enabled(
        self, subscription_id: int, record: DisableRecord | None, *, at: datetime | None = None
    ) -> None:
        """Enable (``record`` None; its failure window restarts ``at``) or disable, in one transaction."""
        with self._write():
            self._set_enabled(subscription_id, record, at)

    def enable(self, subscription_id: int, at: datetime | None, deliveries: Sequence[Delivery]) -> None:
        """Re-enable a subscription and persist its resumed (or expired) deliveries, in one transaction.

        ``at``: its failure window counts from here on (None: keep counting from before)."""
        with self._write():
            self._set_enabled(subscription_id, None, at)
            for delivery in deliveries:
                self._update_delivery(delivery)

    def _set_enabled(
        self, subscription_id: int, record: DisableRecord | None, at: datetime | None = None
    ) -> None:
        if record is None:
            values: tuple[object, ...] = (1, None, None, None, _opt_us(at), subscription_id)
            sql = (
                "UPDATE subscriptions SET enabled = ?, disabled_us = ?, disabled_reason = ?,"
                " disabled_numbers = ?, window_since_us = coalesce(?, window_since_us) WHERE id = ?"
            )
        else:
            sql, values = _disable_statement(subscription_id, record)
        cursor = self._db.execute(sql, values)
        if cursor.rowcount == 0:
            raise UnknownSubscriptionError(f"no subscription {subscription_id} in {self.path}")

    # -- events and deliveries ---------------------------------------------------------------------
    def add_event(
        self,
        event_id: str,
        name: str,
        body: bytes,
        created_at: datetime,
        deliveries: Sequence[Delivery],
    ) -> int:
        """Insert one event (``body``: its JSON bytes as sent) and its deliveries in one transaction.

        Sets each delivery's event_seq (and id, when it has none)."""
        with self._write():
            cursor = self._db.execute(_INSERT_EVENT, (None, event_id, name, body, to_us(created_at)))
            seq = cursor.lastrowid
            assert seq is not None
            for delivery in deliveries:
                delivery.event_seq = seq
                self._insert_delivery(delivery)
        return seq

    def add_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        """Insert deliveries of an existing event (duplicates) in one transaction; sets their ids."""
        with self._write():
            for delivery in deliveries:
                self._insert_delivery(delivery)

    def _insert_delivery(self, d: Delivery) -> None:
        cursor = self._db.execute(_INSERT_DELIVERY, _delivery_row(d))
        assert cursor.lastrowid is not None
        d.id = cursor.lastrowid

    def stage_event(
        self,
        event_id: str,
        name: str,
        body: bytes,
        created_at: datetime,
        deliveries: Sequence[Delivery],
    ) -> int:
        """Stage one event and its deliveries (which must have ids) for :meth:`commit`; returns its seq.

        Sets each delivery's event_seq. Written with the next commit, in one transaction with whatever
        else is staged (a sender stages a burst of events and commits once, before the next attempt)."""
        seq = self._next_seq
        if seq is None:
            seq = int(self._db.execute("SELECT coalesce(max(seq), 0) + 1 FROM events").fetchone()[0])
        self._next_seq = seq + 1
        self._stage(_INSERT_EVENT, (seq, event_id, name, body, to_us(created_at)))
        for delivery in deliveries:
            delivery.event_seq = seq
        self.stage_deliveries(deliveries)
        return seq

    def stage_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        """Stage new deliveries (with their ids and event_seq) for :meth:`commit`."""
        for delivery in deliveries:
            if not delivery.id:
                raise ValueError("a staged delivery needs its id (the sender allocates them)")
            self._stage(_INSERT_DELIVERY, _delivery_row(delivery))

    def mark_in_flight(self, deliveries: Sequence[Delivery], at: datetime) -> None:
        """Record, before sending, that these deliveries have an attempt in flight (one transaction)."""
        self.stage_in_flight(deliveries, at)
        self.commit()

    def stage_in_flight(self, deliveries: Sequence[Delivery], at: datetime) -> None:
        """Stage the in-flight mark of these deliveries; :meth:`commit` it BEFORE sending them."""
        at_us = to_us(at)
        for delivery in deliveries:
            self._stage(_MARK, (at_us, delivery.id))

    def record_attempt(
        self,
        delivery: Delivery,
        attempt: AttemptData,
        request_headers: Sequence[tuple[str, str]] | str,
        *,
        disable: tuple[int, DisableRecord] | None = None,
    ) -> None:
        """Append attempt ``delivery.attempts_made`` and the delivery's new state in ONE transaction.

        See :meth:`stage_attempt`; this one commits at once."""
        self.stage_attempt(delivery, attempt, request_headers, disable=disable)
        self.commit()

    def stage_attempt(
        self,
        delivery: Delivery,
        attempt: AttemptData,
        request_headers: Sequence[tuple[str, str]] | str,
        *,
        disable: tuple[int, DisableRecord] | None = None,
    ) -> None:
        """Stage attempt ``delivery.attempts_made`` and the delivery's new state for :meth:`commit`.

        One INSERT: a trigger moves the delivery to the state recorded with the attempt (``state_after``,
        ``next_attempt_us``) and clears its in-flight mark, so the attempt and the delivery's next state
        are always written together. ``request_headers`` must already be masked (a str is taken as their
        stored text, see :func:`headers_text`). ``disable`` (subscription id, record) also disables a
        subscription and suspends its open deliveries, in the same transaction.
        """
        first = delivery.first_attempt_at or attempt.at
        response_headers = attempt.response_headers
        self._stage(
            _RECORD,
            (
                delivery.id,
                delivery.subscription_id,
                delivery.attempts_made,
                to_us(attempt.at),
                request_headers if isinstance(request_headers, str) else headers_text(request_headers),
                str(attempt.outcome),
                attempt.status_code,
                attempt.duration,
                headers_text(response_headers) if response_headers else "",
                attempt.response_body,
                attempt.error,
                delivery.state.value,
                to_us(first),
                None if delivery.next_attempt_at is None else to_us(delivery.next_attempt_at),
            ),
        )
        if disable is not None:
            self._stage(*_disable_statement(disable[0], disable[1]))
            self._stage(_SUSPEND_OPEN, (disable[0],))

    def _update_delivery(self, d: Delivery) -> None:
        self._db.execute(
            "UPDATE deliveries SET state = ?, first_attempt_us = ?, next_attempt_us = ?, attempts_made = ?,"
            " in_flight_us = NULL WHERE id = ?",
            (d.state.value, _opt_us(d.first_attempt_at), _opt_us(d.next_attempt_at), d.attempts_made, d.id),
        )

    def _suspend_open(self, subscription_id: int) -> None:
        self._db.execute(_SUSPEND_OPEN, (subscription_id,))

    def update_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        """Persist the state of several deliveries (suspend, resume, expire) in one transaction."""
        with self._write():
            for delivery in deliveries:
                self._update_delivery(delivery)

    def disable(self, subscription_id: int, record: DisableRecord) -> None:
        """Disable a subscription and suspend its pending deliveries, in one transaction."""
        with self._write():
            self._set_enabled(subscription_id, record)
            self._suspend_open(subscription_id)

    # -- reading -----------------------------------------------------------------------------------
    def open_deliveries(
        self, subscription_id: int | None = None
    ) -> Iterator[tuple[Delivery, datetime | None]]:
        """Pending and suspended deliveries with their in-flight mark (the engine's resume), by id."""
        self.commit()
        only = "" if subscription_id is None else " AND d.subscription_id = ?"
        rows = self._db.execute(
            "SELECT d.id, d.event_seq, d.subscription_id, d.webhook_id, d.state, d.created_us,"
            " d.first_attempt_us, d.next_attempt_us, d.attempts_made, d.duplicate_of, d.in_flight_us,"
            " e.id, e.name, e.body FROM deliveries d JOIN events e ON e.seq = d.event_seq"
            f" WHERE d.state IN ('pending', 'suspended'){only} ORDER BY d.id",
            () if subscription_id is None else (subscription_id,),
        )
        return (_open_delivery(r) for r in rows)

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
    ) -> Iterator[AttemptRow]:
        """Stored attempts in time order, streamed (never all in memory); ``end`` is exclusive."""
        self.commit()
        where, params = _attempt_filter(subscription_id, start, end)
        sql = (
            "SELECT a.id, a.attempt_no, a.at_us, a.outcome, a.status_code, a.duration, a.request_headers,"
            " e.body, a.response_headers, a.response_body, a.error, d.id, d.webhook_id, d.duplicate_of,"
            " d.first_attempt_us, e.id, e.name, e.created_us, s.id, s.owner_user_id, s.callback_url,"
            " s.version"
            " FROM attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN events e ON e.seq = d.event_seq"
            f" JOIN subscriptions s ON s.id = a.subscription_id{where} ORDER BY a.at_us, a.id"
            " LIMIT ? OFFSET ?"
        )
        cursor = self._db.execute(sql, (*params, -1 if limit is None else limit, offset))
        for r in cursor:
            yield AttemptRow(
                id=r[0],
                attempt_no=r[1],
                at=from_us(r[2]),
                outcome=r[3],
                status_code=r[4],
                duration=r[5],
                request_headers=_headers_from(r[6]),
                request_body=r[7],
                response_headers=_headers_from(r[8]),
                response_body=r[9],
                error=r[10],
                delivery_id=r[11],
                webhook_id=r[12],
                duplicate_of=r[13],
                first_attempt_at=_opt_dt(r[14]),
                event_id=r[15],
                event_name=r[16],
                event_created=from_us(r[17]),
                subscription_id=r[18],
                owner_user_id=r[19],
                callback_url=r[20],
                version=r[21],
            )

    def count_attempts(
        self,
        *,
        subscription_id: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        self.commit()
        where, params = _attempt_filter(subscription_id, start, end)
        return int(self._db.execute(f"SELECT count(*) FROM attempts a{where}", params).fetchone()[0])

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

    def set_meta(self, key: str, value: str) -> None:
        with self._write():
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """A read-only SQL query (summaries, the dashboard); never used to write."""
        self.commit()
        return [tuple(r) for r in self._db.execute(sql, params)]


def _open_delivery(r: tuple[Any, ...]) -> tuple[Delivery, datetime | None]:
    delivery = Delivery(
        id=r[0],
        event_seq=r[1],
        subscription_id=r[2],
        webhook_id=r[3],
        state=DeliveryState(r[4]),
        created_at=from_us(r[5]),
        first_attempt_at=_opt_dt(r[6]),
        next_attempt_at=_opt_dt(r[7]),
        attempts_made=r[8],
        duplicate_of=r[9],
        event_id=r[11],
        event_name=r[12],
        body=r[13],
    )
    return delivery, _opt_dt(r[10])


def _delivery_row(d: Delivery) -> tuple[object, ...]:
    return (
        d.id or None,
        d.event_seq,
        d.subscription_id,
        d.webhook_id,
        d.state.value,
        _opt_us(d.created_at) or 0,
        _opt_us(d.first_attempt_at),
        _opt_us(d.next_attempt_at),
        d.attempts_made,
        d.duplicate_of,
    )


def _disable_statement(subscription_id: int, record: DisableRecord) -> tuple[str, tuple[object, ...]]:
    numbers = {
        "failures": record.failures,
        "sample": record.sample,
        "unit": record.unit,
        "window_seconds": record.window_seconds,
    }
    return _DISABLE, (0, to_us(record.at), record.reason, json.dumps(numbers), subscription_id)


def _attempt_filter(
    subscription_id: int | None, start: datetime | None, end: datetime | None
) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if subscription_id is not None:
        clauses.append("a.subscription_id = ?")
        params.append(subscription_id)
    if start is not None:
        clauses.append("a.at_us >= ?")
        params.append(to_us(start))
    if end is not None:
        clauses.append("a.at_us < ?")
        params.append(to_us(end))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _subscription(row: tuple[Any, ...]) -> Subscription:
    (
        sid,
        owner,
        url,
        family,
        version,
        names,
        enabled,
        token,
        secrets,
        created,
        dis_us,
        dis_reason,
        dis_nums,
        since,
    ) = row
    disabled = None
    if dis_us is not None:
        numbers = json.loads(dis_nums) if dis_nums else {}
        disabled = DisableRecord(
            at=from_us(dis_us),
            reason=dis_reason,
            failures=int(numbers.get("failures", 0)),
            sample=int(numbers.get("sample", 0)),
            unit=str(numbers.get("unit", "attempts")),
            window_seconds=float(numbers.get("window_seconds", 0.0)),
        )
    return Subscription(
        id=sid,
        owner_user_id=owner,
        callback_url=url,
        family="v3" if family == "v3" else "legacy",
        version=version,
        event_names=tuple(json.loads(names)),
        enabled=bool(enabled),
        verify_token=token,
        secrets=tuple(json.loads(secrets)),
        created_at=from_us(created),
        disabled=disabled,
        window_since=_opt_dt(since),
    )


class _Transaction:
    """``BEGIN IMMEDIATE`` .. ``COMMIT``, rolled back on any exception (never half-written)."""

    __slots__ = ("_db",)

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self._db.execute("COMMIT")
        else:
            self._db.execute("ROLLBACK")
