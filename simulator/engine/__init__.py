"""The sender: subscriptions, publish and fan-out, the agenda, the run loops.

The names below load on first use (the modules behind them are private).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flipdish_sim._lazy import exports

if TYPE_CHECKING:
    from flipdish_sim.simulator.engine._feed import Publishable
    from flipdish_sim.simulator.engine._sender import Sender, check_url
    from flipdish_sim.simulator.model import AttemptReport, Recovery
    from flipdish_sim.simulator.policy import DEFAULT_CONCURRENCY, SenderPolicy

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
        "DEFAULT_CONCURRENCY": "flipdish_sim.simulator.policy",
        "AttemptReport": "flipdish_sim.simulator.model",
        "Publishable": "_feed",
        "Recovery": "flipdish_sim.simulator.model",
        "Sender": "_sender",
        "SenderPolicy": "flipdish_sim.simulator.policy",
        "check_url": "_sender",
    },
)
