"""The engine's hot path into the log: writes staged in memory, committed in ONE transaction.

:meth:`StagedWrites.commit` writes, before the engine sends new attempts, the attempts applied since the
last commit, the events published since and the new attempts' in-flight marks (group commit).
:class:`~flipdish_sim.simulator.log.Store` adds the
immediate writes, each committing what is staged first, so writes stay in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flipdish_sim.simulator.log._reader import LogReader
from flipdish_sim.simulator.log._schema import (
    INSERT_DELIVERY,
    INSERT_EVENT,
    MARK,
    RECORD,
    SUSPEND_OPEN,
    AttemptData,
    Transaction,
    delivery_row,
    disable_statement,
    headers_text,
)
from flipdish_sim.simulator.model._subscription import (
    Delivery,
    DisableRecord,
    to_us,
)

STAGED_EVENTS = 1000
"""At most this many staged events (and their bodies) wait in memory for a commit."""

__all__ = ["STAGED_EVENTS", "StagedWrites"]


class StagedWrites(LogReader):
    """Staging and committing (the base of the Store)."""

    _staged: list[tuple[str, list[tuple[object, ...]]]]
    _next_seq: int | None
    _staged_events: int

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
