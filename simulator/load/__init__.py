"""Load tests with Locust: the locustfile (:mod:`.locustfile`) and the delivery plan it runs.

The names below load on first use (the modules behind them are private).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flipdish_sim._lazy import exports

if TYPE_CHECKING:
    from flipdish_sim.simulator.load._plan import LoadOptions, LoadPlanner

__all__ = [
    "LoadOptions",
    "LoadPlanner",
]

__getattr__ = exports(
    __name__,
    {
        "LoadOptions": "_plan",
        "LoadPlanner": "_plan",
    },
)
