"""The receiver conformance suite: stable checks, one engine, two entry points (pytest and the CLI).

from flipdish_sim.plugin.conformance import SuiteConfig, Target, run_suite_sync
report = run_suite_sync(Target.from_app(app, url="/webhooks/flipdish"), SuiteConfig(verify_token="t"))
assert report.exit_code == 0, report.outcomes()
"""

from __future__ import annotations

from flipdish_sim.plugin.conformance.checks import CHECKS, Check, get_check, select_checks
from flipdish_sim.plugin.conformance.context import CheckContext, Probe
from flipdish_sim.plugin.conformance.model import (
    DEFAULT_EVENTS,
    CheckOutcome,
    CheckResult,
    Exchange,
    SuiteConfig,
)
from flipdish_sim.plugin.conformance.report import SuiteReport
from flipdish_sim.plugin.conformance.runner import (
    ReceiverUnreachableError,
    run_check,
    run_suite,
    run_suite_sync,
)
from flipdish_sim.plugin.target import Target

__all__ = [
    "CHECKS",
    "DEFAULT_EVENTS",
    "Check",
    "CheckContext",
    "CheckOutcome",
    "CheckResult",
    "Exchange",
    "Probe",
    "ReceiverUnreachableError",
    "SuiteConfig",
    "SuiteReport",
    "Target",
    "get_check",
    "run_check",
    "run_suite",
    "run_suite_sync",
    "select_checks",
]
