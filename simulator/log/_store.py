"""The durable log: subscriptions, events, deliveries and attempts in one SQLite file (WAL mode).

Crash safety. Before an attempt is sent its delivery's *in-flight* mark is committed; the attempt is
written together with its delivery's next state (one INSERT, a trigger advances the delivery and clears
the mark) before the next attempt of that delivery can start. A run restarted on the same file resumes:
a delivery still marked in flight had an attempt whose outcome is unknown (the receiver may or may not
have seen it); the resumed engine records it as outcome ``interrupted`` and retries it, which is the
at-least-once a real sender has.

Staged writes. The engine's hot path stages its writes (:meth:`Store.stage_event`,
:meth:`Store.stage_attempt`, :meth:`Store.stage_in_flight`) and :meth:`Store.commit` writes them in ONE
transaction: per batch of attempts, the previous batch's attempts, the events published since and the
next batch's in-flight marks. Every other method commits what is staged first (readers always see every
write made before them, immediate writes stay in order), and :meth:`Store.close` commits.

Schema, statements and row conversions: :mod:`~flipdish_sim.simulator.log._schema`; reads:
:mod:`~flipdish_sim.simulator.log._reader`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType

from flipdish_sim.errors import StoreError
from flipdish_sim.simulator.log._lock import LogLock
from flipdish_sim.simulator.log._reader import LogReader, UnknownSubscriptionError
from flipdish_sim.simulator.log._schema import (
    APPLICATION_ID,
    INSERT_DELIVERY,
    INSERT_EVENT,
    INTERRUPTED,
    MARK,
    RECORD,
    SCHEMA_VERSION,
    SUSPEND_OPEN,
    AttemptData,
    AttemptRow,
    Transaction,
    configure,
    delivery_row,
    disable_statement,
    headers_text,
    opt_us,
)
from flipdish_sim.simulator.model._subscription import (
    Delivery,
    DisableRecord,
    FamilyName,
    Subscription,
    to_us,
)

STAGED_EVENTS = 1000
"""At most this many staged events (and their bodies) wait in memory for a commit."""

__all__ = [
    "APPLICATION_ID",
    "INTERRUPTED",
    "SCHEMA_VERSION",
    "AttemptData",
    "AttemptRow",
    "Store",
    "UnknownSubscriptionError",
    "headers_text",
]


def _create_private(path: str) -> None:
    """Create an absent log file 0600 (SQLite gives its -wal and -shm files the same mode)."""
    if path == ":memory:" or path.startswith("file:") or os.path.exists(path):
        return
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


class Store(LogReader):
    """One SQLite log; use as a context manager or call :meth:`close`. Not shared across threads at once."""

    def __init__(self, path: str | Path, *, owner: bool = False) -> None:
        """Open (or create, readable by its owner only: it holds tokens and secrets) the log at ``path``.

        ``owner``: this process is the log's one writer; another live process holding it raises
        :class:`~flipdish_sim.simulator.log._lock.LogInUseError` before the file is opened."""
        self.path = str(path)
        self._staged: list[tuple[str, list[tuple[object, ...]]]] = []
        self._next_seq: int | None = None
        self._staged_events = 0
        self._lock = LogLock(path) if owner and self.path != ":memory:" else None
        if self._lock is not None:
            self._lock.acquire()
        try:
            _create_private(self.path)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as err:
            self._release()
            raise StoreError(f"cannot open the log {self.path}: {err}") from err
        try:
            configure(self._db, self.path)
        except sqlite3.DatabaseError as err:
            self._db.close()
            self._release()
            raise StoreError(f"{self.path} is not a flipdish-sim log: {err}") from err
        except StoreError:
            self._db.close()
            self._release()
            raise

    # -- lifecycle ---------------------------------------------------------------------------------
    def close(self) -> None:
        """Commit what is staged, close the file and let the next writer have it."""
        try:
            self.commit()
        finally:
            self._db.close()
            self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _write(self) -> Transaction:
        """A transaction for an immediate write; what is staged is committed first (writes stay in order)."""
        self.commit()
        return Transaction(self._db)

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
        self._staged_events = 0
        db = self._db
        if len(staged) == 1 and len(staged[0][1]) == 1:  # one statement is one (autocommitted) transaction
            db.execute(staged[0][0], staged[0][1][0])
            return
        with Transaction(db):
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
            values: tuple[object, ...] = (1, None, None, None, opt_us(at), subscription_id)
            sql = (
                "UPDATE subscriptions SET enabled = ?, disabled_us = ?, disabled_reason = ?,"
                " disabled_numbers = ?, window_since_us = coalesce(?, window_since_us) WHERE id = ?"
            )
        else:
            sql, values = disable_statement(subscription_id, record)
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
            cursor = self._db.execute(INSERT_EVENT, (None, event_id, name, body, to_us(created_at)))
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
        cursor = self._db.execute(INSERT_DELIVERY, delivery_row(d))
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
        else is staged (a sender stages a burst of events and commits once, before the next attempt); at
        most ``STAGED_EVENTS`` wait, so a burst of publishes never piles up in memory."""
        if self._staged_events >= STAGED_EVENTS:
            self.commit()
        self._staged_events += 1
        seq = self._next_seq
        if seq is None:
            seq = int(self._db.execute("SELECT coalesce(max(seq), 0) + 1 FROM events").fetchone()[0])
        self._next_seq = seq + 1
        self._stage(INSERT_EVENT, (seq, event_id, name, body, to_us(created_at)))
        for delivery in deliveries:
            delivery.event_seq = seq
        self.stage_deliveries(deliveries)
        return seq

    def stage_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        """Stage new deliveries (with their ids and event_seq) for :meth:`commit`."""
        for delivery in deliveries:
            if not delivery.id:
                raise ValueError("a staged delivery needs its id (the sender allocates them)")
            self._stage(INSERT_DELIVERY, delivery_row(delivery))

    def mark_in_flight(self, deliveries: Sequence[Delivery], at: datetime) -> None:
        """Record, before sending, that these deliveries have an attempt in flight (one transaction)."""
        self.stage_in_flight(deliveries, at)
        self.commit()

    def stage_in_flight(self, deliveries: Sequence[Delivery], at: datetime) -> None:
        """Stage the in-flight mark of these deliveries; :meth:`commit` it BEFORE sending them."""
        at_us = to_us(at)
        for delivery in deliveries:
            self._stage(MARK, (at_us, delivery.id))

    def record_attempt(
        self,
        delivery: Delivery,
        attempt: AttemptData,
        request_headers: Sequence[tuple[str, str]] | str,
        *,
        url: str | None = None,
        version: str | None = None,
        disable: tuple[int, DisableRecord] | None = None,
    ) -> None:
        """Append attempt ``delivery.attempts_made`` and the delivery's new state in ONE transaction.

        See :meth:`stage_attempt`; this one commits at once."""
        self.stage_attempt(delivery, attempt, request_headers, url=url, version=version, disable=disable)
        self.commit()

    def stage_attempt(
        self,
        delivery: Delivery,
        attempt: AttemptData,
        request_headers: Sequence[tuple[str, str]] | str,
        *,
        url: str | None = None,
        version: str | None = None,
        disable: tuple[int, DisableRecord] | None = None,
    ) -> None:
        """Stage attempt ``delivery.attempts_made`` and the delivery's new state for :meth:`commit`.

        ``url`` and ``version``: where the request went and the subscription version it was sent under
        (the sender passes what it used; None: the subscription's as stored now).

        One INSERT: a trigger moves the delivery to the state recorded with the attempt (``state_after``,
        ``next_attempt_us``) and clears its in-flight mark, so the attempt and the delivery's next state
        are always written together. ``request_headers`` must already be masked (a str is taken as their
        stored text, see :func:`headers_text`). ``disable`` (subscription id, record) also disables a
        subscription and suspends its open deliveries, in the same transaction.
        """
        first = delivery.first_attempt_at or attempt.at
        response_headers = attempt.response_headers
        if url is None or version is None:
            sub = self.subscription(delivery.subscription_id)
            url, version = url or sub.callback_url, version or sub.version
        self._stage(
            RECORD,
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
                url,
                version,
            ),
        )
        if disable is not None:
            self._stage(*disable_statement(disable[0], disable[1]))
            self._stage(SUSPEND_OPEN, (disable[0],))

    def _update_delivery(self, d: Delivery) -> None:
        self._db.execute(
            "UPDATE deliveries SET state = ?, first_attempt_us = ?, next_attempt_us = ?, attempts_made = ?,"
            " in_flight_us = NULL WHERE id = ?",
            (d.state.value, opt_us(d.first_attempt_at), opt_us(d.next_attempt_at), d.attempts_made, d.id),
        )

    def _suspend_open(self, subscription_id: int) -> None:
        self._db.execute(SUSPEND_OPEN, (subscription_id,))

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

    def set_meta(self, key: str, value: str) -> None:
        with self._write():
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
