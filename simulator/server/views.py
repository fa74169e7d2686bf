"""What the HTTP layers read through the backend: the clock as pages show it, subscription cards, events,
attempts and Flipdish's webhook logs, with any echo of a token or secret masked.

The read half of :class:`~flipdish_sim.simulator.server.backend.Backend` (its base class); the queries
themselves are in :mod:`.readmodel` and the log package.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from flipdish_sim.simulator.engine import Sender
from flipdish_sim.simulator.log._export import Masker, webhook_logs
from flipdish_sim.simulator.log._store import AttemptRow, Store, UnknownSubscriptionError
from flipdish_sim.simulator.server import readmodel
from flipdish_sim.simulator.server.dashboard import Card
from flipdish_sim.simulator.server.registry import Registry
from flipdish_sim.simulator.server.state import DisableState, EventSummary, Filters
from flipdish_sim.simulator.wire._signing import format_timestamp

__all__ = ["Views"]


class Views:
    """The backend's reads (set by ``Backend.__init__``: the sender, its log, the registry)."""

    sender: Sender
    store: Store
    registry: Registry
    include_sim_fields: bool

    # -- clock -----------------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.sender.clock.now()

    def clock_json(self) -> dict[str, object]:
        clock = self.sender.clock
        return {
            "now": format_timestamp(clock.now()),
            "virtual": clock.is_virtual,
            "timeScale": getattr(clock, "time_scale", None),
            "pending": self.sender.pending,
        }

    def clock_label(self) -> str:
        """The header's clock, saying what it is: the wall clock, or simulated time (and how it moves)."""
        clock = self.sender.clock
        at = self.now().strftime("%Y-%m-%d %H:%M:%S")
        if clock.is_virtual:
            return f"{at} UTC · simulated (virtual clock, moved through /_sim/clock/advance)"
        scale = getattr(clock, "time_scale", 1.0)
        if scale != 1.0:
            return f"{at} UTC · simulated, ×{scale:g} real time"
        if abs((self.now() - datetime.now(UTC)).total_seconds()) > 1:  # resumed after a faster run
            return f"{at} UTC · simulated, real-time pace"
        return f"{at} UTC · wall clock"

    # -- reading ---------------------------------------------------------------------------------------
    def webhook_logs(
        self, sub_id: int, *, start: datetime, end: datetime, offset: int, limit: int
    ) -> tuple[int, list[dict[str, object]]]:
        """``(TotalRecordCount, WebhookLog records)`` of ``[start, end)``; sim fields only on request."""
        total = self.store.count_attempts(subscription_id=sub_id, start=start, end=end)
        records = list(
            webhook_logs(self.store, subscription_id=sub_id, start=start, end=end, offset=offset, limit=limit)
        )
        if not self.include_sim_fields:
            for record in records:
                record.pop("FlipdishSim", None)
        return total, records

    def disable_state(self, sub_id: int) -> DisableState:
        sub = self.registry.get(sub_id)
        return readmodel.disable_state(self.store, sub, self.now(), self.sender.policy.disable)

    def _masker(self) -> Masker:
        """What pages show of a receiver's answer, with any echo of a token or secret masked."""
        return Masker(self.store.subscriptions())

    def _masked_card(self, card: Card, mask: Masker) -> Card:
        return card if card.latest is None else replace(card, latest=mask.row(card.latest))

    def cards(self) -> list[Card]:
        now, policy, mask = self.now(), self.sender.policy.disable, self._masker()
        return [
            self._masked_card(readmodel.card(self.store, sub, now, policy), mask)
            for sub in self.registry.all()
        ]

    def card(self, sub_id: int) -> Card:
        card = readmodel.card(self.store, self.registry.get(sub_id), self.now(), self.sender.policy.disable)
        return self._masked_card(card, self._masker())

    def event_summaries(self, sub_id: int, filters: Filters = readmodel.NO_FILTERS) -> list[EventSummary]:
        return readmodel.event_summaries(self.store, sub_id, filters=filters)

    def count_attempts(self, sub_id: int, filters: Filters) -> int:
        return readmodel.count_attempts(self.store, sub_id, filters)

    def attempt(self, sub_id: int, attempt_id: int) -> AttemptRow:
        found = readmodel.attempt(self.store, self.registry.get(sub_id).id, attempt_id)
        if found is None:
            raise UnknownSubscriptionError(f"subscription {sub_id} has no attempt {attempt_id}")
        return self._masker().row(found)

    def latest_attempts(self, sub_id: int, filters: Filters = readmodel.NO_FILTERS) -> list[AttemptRow]:
        mask = self._masker()
        return [mask.row(row) for row in readmodel.latest_attempts(self.store, sub_id, filters=filters)]
