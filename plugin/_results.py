"""What a simulator run returns: one event's attempts, or a scenario's (re-exported by ``simulator``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flipdish_sim.plugin.assertions import assert_acknowledged, assert_attempts
from flipdish_sim.simulator.engine import AttemptReport
from flipdish_sim.simulator.model._attempt import Attempt
from flipdish_sim.simulator.model._subscription import Event

__all__ = ["DeliveryResult", "ScenarioResult"]


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """One published event and every attempt made to deliver it."""

    event: Event
    reports: tuple[AttemptReport, ...]
    note: str = ""
    """Context for a failure (for example: the app's lifespan is off), added to assertion messages."""

    @property
    def attempts(self) -> tuple[Attempt, ...]:
        return tuple(report.attempt for report in self.reports)

    @property
    def acknowledged(self) -> bool:
        return bool(self.reports) and self.reports[-1].attempt.ok

    def assert_acknowledged(self) -> None:
        assert_acknowledged(self.attempts, event=self.event.name, note=self.note)

    def assert_attempts(self, count: int) -> None:
        assert_attempts(self.attempts, count, event=self.event.name)


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """What a scenario run did: every attempt, and the log's summary."""

    reports: tuple[AttemptReport, ...]
    summary: Any

    @property
    def acknowledged(self) -> bool:
        return bool(self.summary.acknowledged == self.summary.deliveries)
