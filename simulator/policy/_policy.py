"""How the sender behaves: :class:`SenderPolicy`, every field a documented default or an assumption."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.policy._disable import DisablePolicy
from flipdish_sim.simulator.policy._faults import DuplicatePolicy, ReorderPolicy
from flipdish_sim.simulator.policy._retry import FLIPDISH_DEFAULT, RetryPolicy
from flipdish_sim.simulator.wire._envelope import RequestOptions

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "OnDisabled",
    "SenderPolicy",
]

DEFAULT_DEADLINE = 10.0
"""Flipdish waits at most 10 s for a response (FACTS 5)."""
DEFAULT_MAX_RESPONSE_BYTES = 65536
"""How much of a response body is read and kept (assumption: Flipdish logs a response body, limit unknown)."""

OnDisabled = Literal["drop", "hold"]
DEFAULT_CONCURRENCY = 10
"""Attempts in flight at once (an assumption: Flipdish publishes no concurrency)."""


@dataclass(frozen=True, slots=True)
class SenderPolicy:
    """Everything about how the sender behaves; each field is a documented default or an assumption."""

    retry: RetryPolicy = FLIPDISH_DEFAULT
    disable: DisablePolicy = field(default_factory=DisablePolicy)
    deadline: float = DEFAULT_DEADLINE
    duplicates: DuplicatePolicy | None = None
    reorder: ReorderPolicy | None = None
    request: RequestOptions = field(default_factory=RequestOptions)
    concurrency: int = DEFAULT_CONCURRENCY
    on_disabled: OnDisabled = "drop"
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    fresh_window_on_enable: bool = True  # a re-enabled subscription's failure window starts empty
    signing_time: Literal["real", "simulated"] = "real"
    """The time in v3's X-Flipdish-Timestamp and signature. Flipdish stamps the moment it sends, and a live
    receiver checks it against its own real clock, so "real" (the default) keeps v3 deliveries verifiable
    while the simulated clock runs ahead; "simulated" stamps the clock's time, for in-process receivers
    that see the simulated time too (the pytest plugin's frozen receivers). The log records simulated time."""

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise UsageError(f"concurrency must be at least 1, got {self.concurrency}")
        if self.signing_time not in ("real", "simulated"):
            raise UsageError(f"signing_time must be 'real' or 'simulated', got {self.signing_time!r}")
        if self.on_disabled not in ("drop", "hold"):
            raise UsageError(f"on_disabled must be 'drop' or 'hold', got {self.on_disabled!r}")
