"""The receiver conformance suite: stable checks, one engine, three entry points (library, CLI, pytest).

    from flipdish_sim.conformance import SuiteConfig, Target, run_suite_sync
    report = run_suite_sync(Target.from_app(app, url="/webhooks/flipdish"), SuiteConfig(verify_token="t"))
    report.assert_passed()      # raises with every failure, the receiver's answer and the reproducer path

Nothing here imports pytest: ``pip install flipdish-sim`` alone runs ``flipdish-sim conformance``. The pytest
items live in :mod:`flipdish_sim.plugin.conformance`.
"""

from __future__ import annotations

from flipdish_sim.conformance.answer import Answer
from flipdish_sim.conformance.checks import CHECKS, Check, get_check, select_checks
from flipdish_sim.conformance.context import CheckContext, Probe
from flipdish_sim.conformance.model import (
    DEFAULT_EVENTS,
    CheckOutcome,
    CheckResult,
    Exchange,
    Route,
    SuiteConfig,
)
from flipdish_sim.conformance.report import ConformanceFailedError, SuiteReport
from flipdish_sim.conformance.runner import (
    ProgressEvent,
    ReceiverUnreachableError,
    run_check,
    run_suite,
    run_suite_sync,
)
from flipdish_sim.conformance.target import Target

__all__ = [
    "CHECKS",
    "DEFAULT_EVENTS",
    "Answer",
    "Check",
    "CheckContext",
    "CheckOutcome",
    "CheckResult",
    "ConformanceFailedError",
    "Exchange",
    "Probe",
    "ProgressEvent",
    "ReceiverUnreachableError",
    "Route",
    "SuiteConfig",
    "SuiteReport",
    "Target",
    "get_check",
    "run_check",
    "run_suite",
    "run_suite_sync",
    "select_checks",
]
