"""Scenarios: YAML files of subscriptions, policies and events; the built-ins; running one.

The names below load on first use (the modules behind them are private).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flipdish_sim._lazy import exports

if TYPE_CHECKING:
    from flipdish_sim.simulator.scenario._load import (
        builtin_scenarios,
        builtin_text,
        load_scenario,
        parse_scenario,
    )
    from flipdish_sim.simulator.scenario._model import PlannedEvent, Scenario, parse_duration, parse_rate
    from flipdish_sim.simulator.scenario._plan import plan
    from flipdish_sim.simulator.scenario._run import ScenarioRun, open_run

__all__ = [
    "PlannedEvent",
    "Scenario",
    "ScenarioRun",
    "builtin_scenarios",
    "builtin_text",
    "load_scenario",
    "open_run",
    "parse_duration",
    "parse_rate",
    "parse_scenario",
    "plan",
]

__getattr__ = exports(
    __name__,
    {
        "PlannedEvent": "_model",
        "Scenario": "_model",
        "ScenarioRun": "_run",
        "builtin_scenarios": "_load",
        "builtin_text": "_load",
        "load_scenario": "_load",
        "open_run": "_run",
        "parse_duration": "_model",
        "parse_rate": "_model",
        "parse_scenario": "_load",
        "plan": "_plan",
    },
)
