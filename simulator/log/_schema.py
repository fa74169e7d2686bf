"""The log's SQLite schema, its statements and the conversions between rows and records.

Times are stored as integer microseconds since the Unix epoch (UTC). The schema version lives in
``PRAGMA user_version`` (and ``application_id`` marks a flipdish-sim log); opening a file of another
schema (or not SQLite at all) raises StoreError. ``journal_mode=WAL`` with ``synchronous=NORMAL``
survives a ``kill -9`` of the process (an OS crash may lose the last commits, never corrupt the file).

Queries the dashboard needs are indexed: attempts of a subscription over time (``attempts_by_sub_at``),
its latest response (same index, descending), the failure share over the last 72 h (same index) and a
delivery's attempts (``attempts_by_delivery``). A trigger moves a delivery to the state recorded with
each new attempt and clears its in-flight mark, so the two are always written together.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from flipdish_sim.errors import StoreError
from flipdish_sim.simulator.log._versions import (
    CAPTURES_SCHEMA,
    MARK_RESEND,
    MIGRATES_FROM,
    SCHEMA_BASE,
    SCHEMA_VERSION,
    V3_SUBSCRIPTIONS_SCHEMA,
    migrate,
)
from flipdish_sim.simulator.log._where import FAILED
from flipdish_sim.simulator.model._attempt import Outcome
from flipdish_sim.simulator.model._subscription import (
    Delivery,
    DeliveryState,
    DisableRecord,
    Subscription,
    from_us,
    to_us,
)
from flipdish_sim.simulator.wire._headers import headers_text

__all__ = [
    "APPLICATION_ID",
    "CAPTURES_SCHEMA",
    "FAILED",
    "INTERRUPTED",
    "MARK_RESEND",
    "MIGRATES_FROM",
    "SCHEMA_VERSION",
    "V3_SUBSCRIPTIONS_SCHEMA",
    "AttemptData",
    "AttemptRow",
    "Transaction",
    "configure",
    "headers_text",
]

APPLICATION_ID = 0x46445331  # "FDS1": marks a flipdish-sim log

INTERRUPTED = Outcome.INTERRUPTED.value
"""The outcome filter that matches every attempt but an acknowledged one."""

INSERT_SUBSCRIPTION = (
    "INSERT INTO subscriptions (owner_user_id, callback_url, family, version, event_names,"
    " enabled, verify_token, secrets, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_SUBSCRIPTION = (
    "UPDATE subscriptions SET callback_url = ?, event_names = ?, verify_token = ?, secrets = ?,"
    " version = ? WHERE id = ?"
)
ENABLE_SUBSCRIPTION = (
    "UPDATE subscriptions SET enabled = ?, disabled_us = ?, disabled_reason = ?,"
    " disabled_numbers = ?, window_since_us = coalesce(?, window_since_us) WHERE id = ?"
)

SCHEMA = """
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
    next_attempt_us INTEGER,
    url TEXT NOT NULL,
    version TEXT NOT NULL
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

SUBSCRIPTION_COLUMNS = (
    "id, owner_user_id, callback_url, family, version, event_names, enabled, verify_token, secrets,"
    " created_us, disabled_us, disabled_reason, disabled_numbers, window_since_us"
)
MARK = "UPDATE deliveries SET in_flight_us = ? WHERE id = ?"
SUSPEND_OPEN = "UPDATE deliveries SET state = 'suspended' WHERE subscription_id = ? AND state = 'pending'"
INSERT_EVENT = "INSERT INTO events (seq, id, name, body, created_us) VALUES (?, ?, ?, ?, ?)"
INSERT_DELIVERY = (
    "INSERT INTO deliveries (id, event_seq, subscription_id, webhook_id, state, created_us,"
    " first_attempt_us, next_attempt_us, attempts_made, duplicate_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
DISABLE = (
    "UPDATE subscriptions SET enabled = ?, disabled_us = ?, disabled_reason = ?, disabled_numbers = ?"
    " WHERE id = ?"
)
RECORD = (
    "INSERT INTO attempts (delivery_id, subscription_id, attempt_no, at_us, request_headers, outcome,"
    " status_code, duration, response_headers, response_body, error, state_after, first_attempt_us,"
    " next_attempt_us, url, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


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
    """The URL this attempt was sent to (a later change of the subscription does not rewrite it)."""
    version: str
    """The subscription version this attempt was sent under."""
    resend_of: int | None = None
    """The delivery this attempt's delivery resends by hand (None: the sender's own delivery)."""


def opt_us(at: datetime | None) -> int | None:
    return None if at is None else to_us(at)


def opt_dt(us: int | None) -> datetime | None:
    return None if us is None else from_us(us)


def configure(db: sqlite3.Connection, path: str) -> None:
    """Refuse another application's or version's file before changing anything in it; then set the
    pragmas, and create the schema in a new (empty) file."""
    db.execute("PRAGMA busy_timeout = 5000")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    app = db.execute("PRAGMA application_id").fetchone()[0]
    tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    if version == 0 and app == 0 and tables:
        raise StoreError(f"{path} is an SQLite file of another application, not a flipdish-sim log")
    if (version, app) != (0, 0) and (
        app != APPLICATION_ID or (version != SCHEMA_VERSION and version not in MIGRATES_FROM)
    ):
        raise StoreError(
            f"{path} holds schema version {version} (application id {app:#x}); "
            f"this flipdish-sim reads versions {', '.join(map(str, (*MIGRATES_FROM, SCHEMA_VERSION)))}:"
            " use a new --db file"
        )
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA wal_autocheckpoint = 16000")  # fewer checkpoints: a page rewritten often, copied once
    db.execute("PRAGMA cache_size = -32768")  # 32 MB at most: index pages stay in memory
    db.execute("PRAGMA foreign_keys = ON")
    if version == 0:
        db.executescript(
            f"BEGIN IMMEDIATE; {SCHEMA} PRAGMA application_id = {APPLICATION_ID};"
            f" PRAGMA user_version = {SCHEMA_BASE}; COMMIT;"
        )
        version = SCHEMA_BASE
    if version != SCHEMA_VERSION:
        migrate(db, path)


def open_delivery(r: tuple[Any, ...]) -> tuple[Delivery, datetime | None]:
    delivery = Delivery(
        id=r[0],
        event_seq=r[1],
        subscription_id=r[2],
        webhook_id=r[3],
        state=DeliveryState(r[4]),
        created_at=from_us(r[5]),
        first_attempt_at=opt_dt(r[6]),
        next_attempt_at=opt_dt(r[7]),
        attempts_made=r[8],
        duplicate_of=r[9],
        event_id=r[11],
        event_name=r[12],
        body=r[13],
    )
    return delivery, opt_dt(r[10])


def delivery_row(d: Delivery) -> tuple[object, ...]:
    return (
        d.id or None,
        d.event_seq,
        d.subscription_id,
        d.webhook_id,
        d.state.value,
        opt_us(d.created_at) or 0,
        opt_us(d.first_attempt_at),
        opt_us(d.next_attempt_at),
        d.attempts_made,
        d.duplicate_of,
    )


def disable_statement(subscription_id: int, record: DisableRecord) -> tuple[str, tuple[object, ...]]:
    numbers = {
        "failures": record.failures,
        "sample": record.sample,
        "unit": record.unit,
        "window_seconds": record.window_seconds,
    }
    return DISABLE, (0, to_us(record.at), record.reason, json.dumps(numbers), subscription_id)


def subscription_from_row(row: tuple[Any, ...]) -> Subscription:
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
        window_since=opt_dt(since),
    )


class Transaction:
    """``BEGIN IMMEDIATE`` .. ``COMMIT``, rolled back on any exception (never half-written).

    Inside a transaction already open on the connection (:meth:`Store.atomic`) it joins it: the outer
    one commits or rolls back everything together."""

    __slots__ = ("_db", "_joined")

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._joined = False

    def __enter__(self) -> None:
        self._joined = self._db.in_transaction
        if not self._joined:
            self._db.execute("BEGIN IMMEDIATE")

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._joined:
            return  # the enclosing transaction decides
        if kind is None:
            self._db.execute("COMMIT")
        else:
            self._db.execute("ROLLBACK")
