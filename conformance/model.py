"""The records of a conformance run: its configuration, each exchange, each check's result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Literal

from flipdish_sim.conformance.answer import Answer
from flipdish_sim.contracts.catalogue import Family, Profile
from flipdish_sim.simulator.model._attempt import Attempt
from flipdish_sim.simulator.policy._policy import DEFAULT_DEADLINE
from flipdish_sim.simulator.wire._envelope import OutgoingRequest, RequestOptions

__all__ = [
    "DEFAULT_EVENTS",
    "CheckOutcome",
    "CheckResult",
    "Credential",
    "Exchange",
    "Route",
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
    """``blocked``: not graded, because the check it names (``blocked_by``) showed the receiver cannot meet
    a precondition (it times out, redirects or rejects valid deliveries), or the run reached ``max_time``."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    BLOCKED = "blocked"


@dataclass(frozen=True, slots=True)
class Route:
    """How the user configures this run, so every hint names a setting they can actually pass."""

    token: str
    secret: str
    probe: str
    deadline: str

    @classmethod
    def cli(cls) -> Route:
        return cls("--verify-token", "--secret", "--probe-url", "--deadline")

    @classmethod
    def pytest(cls) -> Route:
        return cls(
            "--flipdish-verify-token or the flipdish_verify_token fixture",
            "--flipdish-secret or the flipdish_secret fixture",
            "--flipdish-probe-url or override the flipdish_probe fixture",
            "--flipdish-deadline",
        )

    @classmethod
    def library(cls) -> Route:
        return cls("SuiteConfig(verify_token=...)", "SuiteConfig(secrets=...)", "run_suite(probe=...)",
                   "SuiteConfig(deadline=...)")  # fmt: skip


@dataclass(frozen=True, slots=True)
class SuiteConfig:
    """How to grade a receiver. Every field has a default; ``deadline`` is Flipdish's 10 s (FACTS 5).

    ``patience`` is how long any attempt waits for an answer (default: the deadline, at least 10 s); every
    attempt answered later than ``deadline`` fails ``ack.deadline``, whichever check sent it.
    ``valid_deliveries`` plain valid deliveries are sent first, spread over the events (44: a receiver slow
    or failing on 1 delivery in 10 is caught with 99 % probability by them alone). ``give_up_after``
    consecutive timeouts, redirects or rejected valid deliveries block the checks that need answers.
    ``max_time`` bounds the whole run (seconds); checks it cuts short are ``blocked``. ``seed`` None draws
    fresh ids for every run, so a receiver with a persistent store never sees an event twice across runs.
    ``fuzz_seed`` fixes the generated ``contract.fuzz`` payloads: the same every run (generated once per
    process).
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
    valid_deliveries: int = 44
    max_time: float | None = None
    give_up_after: int = 3
    route: Route = field(default_factory=Route.library)

    def __post_init__(self) -> None:
        if self.deadline <= 0:
            raise ValueError(f"deadline must be > 0 seconds, got {self.deadline}")
        if self.fuzz_examples < 0:
            raise ValueError(f"fuzz_examples must be >= 0, got {self.fuzz_examples}")
        if self.valid_deliveries < 1:
            raise ValueError(f"valid_deliveries must be >= 1, got {self.valid_deliveries}")
        if self.max_time is not None and self.max_time <= 0:
            raise ValueError(f"max_time must be > 0 seconds, got {self.max_time}")
        if self.give_up_after < 1:
            raise ValueError(f"give_up_after must be >= 1, got {self.give_up_after}")

    @property
    def selected_events(self) -> tuple[str, ...]:
        return self.events or DEFAULT_EVENTS[self.family]

    @property
    def wait(self) -> float:
        """How long any attempt waits for an answer."""
        return self.patience if self.patience is not None else max(self.deadline, DEFAULT_DEADLINE)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request the suite sent and the attempt it produced.

    ``credential`` says how the request is authenticated (reproducers mask the real token and secret);
    ``fixed_time`` marks a request whose timestamp is the point of the test (a replay), kept when reproduced.
    ``check`` is the check that sent it; ``valid`` marks a plain, valid, correctly authenticated delivery,
    whose non-2xx answer fails ``ack.2xx`` whichever check sent it.
    """

    label: str
    event: str
    request: OutgoingRequest
    attempt: Attempt
    credential: Credential = "real"
    fixed_time: bool = False
    check: str = ""
    valid: bool = False


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict of one check (for one event, or for all events it covers)."""

    id: str
    outcome: CheckOutcome
    detail: str
    event: str | None = None
    evidence: Exchange | None = None
    reproducer: str | None = None
    """The reproducer script's text (secrets read from the environment)."""
    reproducer_path: str | None = None
    blocked_by: str | None = None
    answer: Answer | None = None
    """The receiver's answer to the evidence: status and body excerpt (secrets masked), or the time waited."""

    @property
    def failed(self) -> bool:
        return self.outcome is CheckOutcome.FAILED

    @property
    def blocked(self) -> bool:
        return self.outcome is CheckOutcome.BLOCKED
