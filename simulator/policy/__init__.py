"""How the sender behaves: :class:`SenderPolicy` and every default, retries, auto-disable, faults.

Pure (no I/O, no clock): importing it is cheap, so the names are imported here directly.
"""

from __future__ import annotations

from flipdish_sim.simulator.policy._disable import DisableDecision, DisablePolicy
from flipdish_sim.simulator.policy._faults import DuplicatePolicy, ReorderPolicy
from flipdish_sim.simulator.policy._policy import (
    DEFAULT_CONCURRENCY,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES,
    OnDisabled,
    SenderPolicy,
)
from flipdish_sim.simulator.policy._retry import RetryPolicy

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DisableDecision",
    "DisablePolicy",
    "DuplicatePolicy",
    "OnDisabled",
    "ReorderPolicy",
    "RetryPolicy",
    "SenderPolicy",
]
