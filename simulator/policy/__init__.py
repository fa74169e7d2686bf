"""How the sender behaves: :class:`SenderPolicy` and every default, retries, auto-disable, faults.

The names below load on first use (the modules behind them are private).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flipdish_sim._lazy import exports

if TYPE_CHECKING:
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

__getattr__ = exports(
    __name__,
    {
        "DEFAULT_CONCURRENCY": "_policy",
        "DEFAULT_DEADLINE": "_policy",
        "DEFAULT_MAX_RESPONSE_BYTES": "_policy",
        "DisableDecision": "_disable",
        "DisablePolicy": "_disable",
        "DuplicatePolicy": "_faults",
        "OnDisabled": "_policy",
        "ReorderPolicy": "_faults",
        "RetryPolicy": "_retry",
        "SenderPolicy": "_policy",
    },
)
