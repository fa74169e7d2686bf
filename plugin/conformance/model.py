"""The records of a conformance run: its configuration, each exchange, each check's result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Literal

from flipdish_sim.contracts.catalogue import Family, Profile
from flipdish_sim.simulator.attempt import Attempt
from flipdish_sim.simulator.delivery import DEFAULT_DEADLINE
from flipdish_sim.simulator.request import OutgoingRequest, RequestOptions

__all__ = [
    "DEFAULT_EVENTS",
    "CheckOutcome",
    "CheckResult",
    "Credential",
    "Exchange",
    "SuiteConfig",
]

DEFAULT_EVENTS: dict[Family, tuple[str, ...]] = {
    Family.LEGACY: (
        "order.created",
        "order.accepted",
        "order.rejected",
        "order.dispatched",
        "order.refunded",
    ),
    Family.V3: ("sale.created.v1", "sale.accepted.v1", "sale.updated.v1", "sale.status.updated.v1"),
}
"""Events graded when none are named: the order events most receivers subscribe to."""

Credential = Literal["real", "fake", "none"]
"""What authenticates a request: the user's token or secret, a made-up one, or nothing."""


class CheckOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class SuiteConfig:
    """How to grade a receiver. Every field has a default; ``deadline`` is Flipdish's 10 s (FACTS 5).

    ``patience`` is how long checks other than ``ack.deadline`` wait for an answer (default: the deadline,
    at least 10 s), so a slow answer is blamed on ``ack.deadline`` alone. ``seed`` None draws fresh ids for
    every run, so a receiver with a persistent store never sees an event twice across runs. ``fuzz_seed``
    fixes the generated ``contract.fuzz`` payloads: the same every run (and generated once per process).
    """

    family: Family = Family.LEGACY
    verify_token: str | None = None
    secrets: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    deadline: float = DEFAULT_DEADLINE
    patience: float | None = None
    fuzz_examples: int = 10
    fuzz_seed: int = 0
    seed: int | None = None
    options: RequestOptions = field(default_factory=RequestOptions)
    profile: Profile = Profile.OBSERVED
    replay_offset: timedelta = timedelta(hours=1)
    duplicate_events: int = 2
    duplicate_copies: int = 3

    def __post_init__(self) -> None:
        if self.deadline <= 0:
            raise ValueError(f"deadline must be > 0 seconds, got {self.deadline}")
        if self.fuzz_examples < 0:
            raise ValueError(f"fuzz_examples must be >= 0, got {self.fuzz_examples}")

    @property
    def selected_events(self) -> tuple[str, ...]:
        return self.events or DEFAULT_EVENTS[self.family]

    @property
    def wait(self) -> float:
        """How long checks other than ``ack.deadline`` wait for an answer."""
        return self.patience if self.patience is not None else max(self.deadline, DEFAULT_DEADLINE)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request the suite sent and the attempt it produced.

    ``credential`` says how the request is authenticated (reproducers mask the real token and secret);
    ``fixed_time`` marks a request whose timestamp is the point of the test (a replay), kept when reproduced.
    """

    label: str
    event: str
    request: OutgoingRequest
    attempt: Attempt
    credential: Credential = "real"
    fixed_time: bool = False


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict of one check (for one event, or for all events it covers)."""

    id: str
    outcome: CheckOutcome
    detail: str
    event: str | None = None
    evidence: Exchange | None = None
    reproducer: str | None = None

    @property
    def failed(self) -> bool:
        return self.outcome is CheckOutcome.FAILED
