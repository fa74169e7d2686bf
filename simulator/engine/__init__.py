"""The sender: subscriptions, publish and fan-out, the agenda, the run loops.

The names below load on first use (the modules behind them are private).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flipdish_sim._lazy import exports

if TYPE_CHECKING:
    from flipdish_sim.simulator.engine._sender import (
        DEFAULT_CONCURRENCY,
        AttemptReport,
        Publishable,
        Recovery,
        Sender,
        SenderPolicy,
        check_url,
    )

__all__ = [
    "DEFAULT_CONCURRENCY",
    "AttemptReport",
    "Publishable",
    "Recovery",
    "Sender",
    "SenderPolicy",
    "check_url",
]

__getattr__ = exports(
    __name__,
    {
        "AttemptReport": "_sender",
        "DEFAULT_CONCURRENCY": "_sender",
        "Publishable": "_sender",
        "Recovery": "_sender",
        "Sender": "_sender",
        "SenderPolicy": "_sender",
        "check_url": "_sender",
    },
)
