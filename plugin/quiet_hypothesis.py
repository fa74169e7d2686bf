"""Keep Hypothesis's pytest plugin from importing Hypothesis in sessions that never used it.

flipdish-sim depends on Hypothesis (the conformance suite's fuzz check), so Hypothesis's pytest plugin is
loaded in every pytest run of a project that has flipdish-sim installed. That plugin means to import
Hypothesis only once a test uses it, but its ``pytest_terminal_summary`` imports
``hypothesis.internal.observability`` unconditionally, which imports all of Hypothesis: about 1 s of
every pytest run (``benchmarks/bench_startup.py``). When the session ends and Hypothesis was never
imported, that summary has nothing to report (no statistics, failing examples or observations exist), so
this plugin unregisters it just before it would run. Sessions that import Hypothesis, or whose reports
carry Hypothesis data (pytest-xdist workers that used it), are left alone.

It is a ``pytest11`` entry point of its own: ``-p no:flipdish_sim_quiet_hypothesis`` turns it off.
"""

from __future__ import annotations

import sys

import pytest

__all__ = ["HYPOTHESIS_PLUGIN", "pytest_sessionfinish"]

HYPOTHESIS_PLUGIN = "hypothesispytest"
"""The name of Hypothesis's ``pytest11`` entry point."""


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    manager = session.config.pluginmanager
    if "hypothesis" in sys.modules or not manager.has_plugin(HYPOTHESIS_PLUGIN):
        return
    reporter = manager.get_plugin("terminalreporter")
    reports = [r for rs in getattr(reporter, "stats", {}).values() for r in rs]
    if any(key.startswith("_hypothesis") for r in reports for key in getattr(r, "__dict__", {})):
        return  # a worker process used Hypothesis: its summary has something to say
    manager.unregister(name=HYPOTHESIS_PLUGIN)
