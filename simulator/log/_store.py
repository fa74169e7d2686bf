"""The durable log: subscriptions, events, deliveries and attempts in one SQLite file (WAL mode).

Crash safety. Before an attempt is sent its delivery's *in-flight* mark is committed; the attempt is
written together with its delivery's next state (one INSERT, a trigger advances the delivery and clears
the mark) before the next attempt of that delivery can start. A run restarted on the same file resumes:
a delivery still marked in flight had an attempt whose outcome is unknown (the receiver may or may not
have seen it); the resumed engine records it as outcome ``interrupted`` and retries it, which is the
at-least-once a real sender has.

Staged writes. The engine's hot path stages its writes (:meth:`Store.stage_event`,
:meth:`Store.stage_attempt`, :meth:`Store.stage_in_flight`) and :meth:`Store.commit` writes them in ONE
transaction before the engine sends new attempts: the attempts applied since the last commit, the events
published since and the new attempts' in-flight marks (group commit).
Every other method commits what is staged first (readers always see every
write made before them, immediate writes stay in order), and :meth:`Store.close` commits.

Schema, statements and row conversions: :mod:`~flipdish_sim.simulator.log._schema`; reads:
:mod:`~flipdish_sim.simulator.log._reader`.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType

from flipdish_sim.errors import StoreError
from flipdish_sim.simulator.log._lock import LogLock, create_private
from flipdish_sim.simulator.log._reader import UnknownSubscriptionError
from flipdish_sim.simulator.log._schema import (
    APPLICATION_ID,
    ENABLE_SUBSCRIPTION,
    INSERT_DELIVERY,
    INSERT_EVENT,
    INSERT_SUBSCRIPTION,
    INTERRUPTED,
    MARK_RESEND,
    SCHEMA_VERSION,
    SUSPEND_OPEN,
    UPDATE_SUBSCRIPTION,
    AttemptData,
    AttemptRow,
    Transaction,
    configure,
    delivery_row,
    disable_statement,
    headers_text,
    opt_us,
)
from flipdish_sim.simulator.log._staging import STAGED_EVENTS, StagedWrites
from flipdish_sim.simulator.model._subscription import (
    Delivery,
    DisableRecord,
    FamilyName,
    Subscription,
    to_us,
)

__all__ = [
    "APPLICATION_ID",
    "INTERRUPTED",
    "SCHEMA_VERSION",
    "STAGED_EVENTS",
    "AttemptData",
    "AttemptRow",
    "Store",
    "UnknownSubscriptionError",
    "headers_text",
]


class Store(StagedWrites):
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
            create_private(self.path)
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

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """Every write made inside (immediate or staged) is ONE transaction: all of it is in the log, or,
        on an exception or a crash, none of it. The block must not await: nothing else may write meanwhile.
        """
        with self._write():
            yield
            self.commit()

    def _write(self) -> Transaction:
        """A transaction for an immediate write; what is staged is committed first (writes stay in order)."""
        self.commit()
        return Transaction(self._db)

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
                INSERT_SUBSCRIPTION,
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
                UPDATE_SUBSCRIPTION,
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
            sql = ENABLE_SUBSCRIPTION
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

    def add_resend(self, delivery: Delivery, of: int) -> None:
        """Insert a delivery made by hand that resends delivery ``of`` (sets its id), in one transaction."""
        with self._write():
            self._insert_delivery(delivery)
            self._db.execute(MARK_RESEND, (of, delivery.id))

    def _insert_delivery(self, d: Delivery) -> None:
        cursor = self._db.execute(INSERT_DELIVERY, delivery_row(d))
        assert cursor.lastrowid is not None
        d.id = cursor.lastrowid

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
