"""The sender engine: events, signing, delivery, retries, duplicates, auto-disable, clocks, the log.

The names below load on first use, so ``import flipdish_sim.simulator`` (which every ``flipdish-sim``
command does) stays cheap::

    from flipdish_sim.simulator import Sender, SenderPolicy, Store, VirtualClock
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flipdish_sim.simulator.clock import Clock, VirtualClock, WallClock
    from flipdish_sim.simulator.engine import AttemptReport, Sender, SenderPolicy
    from flipdish_sim.simulator.log import Store
    from flipdish_sim.simulator.model import Attempt, Outcome
    from flipdish_sim.simulator.policy import DisablePolicy, DuplicatePolicy, ReorderPolicy, RetryPolicy
    from flipdish_sim.simulator.scenario import load_scenario
    from flipdish_sim.simulator.wire import RequestOptions

_WHERE = {
    "Attempt": "model",
    "AttemptReport": "engine",
    "Clock": "clock",
    "DisablePolicy": "policy",
    "DuplicatePolicy": "policy",
    "Outcome": "model",
    "ReorderPolicy": "policy",
    "RequestOptions": "wire",
    "RetryPolicy": "policy",
    "Sender": "engine",
    "SenderPolicy": "engine",
    "Store": "log",
    "VirtualClock": "clock",
    "WallClock": "clock",
    "load_scenario": "scenario",
}

__all__ = [
    "Attempt",
    "AttemptReport",
    "Clock",
    "DisablePolicy",
    "DuplicatePolicy",
    "Outcome",
    "ReorderPolicy",
    "RequestOptions",
    "RetryPolicy",
    "Sender",
    "SenderPolicy",
    "Store",
    "VirtualClock",
    "WallClock",
    "load_scenario",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
