"""Run conformance checks against a target: the engine behind pytest items and ``flipdish-sim conformance``.

report = run_suite_sync(Target.from_app(app), SuiteConfig(family=Family.V3, secrets=("s3cret",)))
assert report.exit_code == 0, report.outcomes()
"""

from __future__ import annotations

import asyncio
import random
import secrets as system_random
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from flipdish_sim.contracts.catalogue import get_event
from flipdish_sim.errors import UsageError
from flipdish_sim.plugin.conformance.checks import Check, select_checks
from flipdish_sim.plugin.conformance.context import CheckContext, Probe
from flipdish_sim.plugin.conformance.model import CheckOutcome, CheckResult, SuiteConfig
from flipdish_sim.plugin.conformance.report import SuiteReport, safe_url
from flipdish_sim.plugin.conformance.reproducer import write_reproducer
from flipdish_sim.plugin.target import Target
from flipdish_sim.simulator.attempt import Outcome
from flipdish_sim.simulator.clock import Clock, WallClock
from flipdish_sim.simulator.delivery import make_client

__all__ = [
    "ReceiverUnreachableError",
    "combine",
    "run_check",
    "run_suite",
    "run_suite_sync",
    "validate_events",
]

_UNREACHABLE = (Outcome.CONNECTION_REFUSED, Outcome.CONNECTION_ERROR, Outcome.TLS_ERROR)


class ReceiverUnreachableError(UsageError):
    """The receiver cannot be reached at all (refused, unresolvable, TLS failure): nothing can be graded."""


def validate_events(config: SuiteConfig) -> None:
    """Every graded event exists and belongs to the configured family (``UsageError`` otherwise)."""
    for name in config.selected_events:
        spec = get_event(name)
        if spec.family is not config.family:
            raise UsageError(
                f"{name} is a {spec.family.value} event; --family {config.family.value} grades "
                f"{config.family.value} events"
            )


def combine(check_id: str, results: Sequence[CheckResult]) -> CheckResult:
    """One verdict from per-event verdicts: the first failure, else passed if any passed, else skipped."""
    for result in results:
        if result.outcome is CheckOutcome.FAILED:
            return result
    passed = [r for r in results if r.outcome is CheckOutcome.PASSED]
    if not passed:
        return (
            replace(results[0], event=None)
            if results
            else CheckResult(check_id, CheckOutcome.SKIPPED, "no events")
        )
    if len(results) == 1:
        return replace(passed[0], event=None)
    skipped = len(results) - len(passed)
    extra = f", {skipped} skipped" if skipped else ""
    return CheckResult(
        check_id, CheckOutcome.PASSED, f"{len(passed)} events passed{extra}; e.g. {passed[0].detail}"
    )


async def run_check(ctx: CheckContext, check: Check, events: Sequence[str]) -> CheckResult:
    """Run ``check`` over ``events`` (once per event for per-event checks) and combine the verdicts."""
    if check.per_event:
        assert check.run_event is not None
        return combine(check.id, [await check.run_event(ctx, event) for event in events])
    assert check.run_suite is not None
    return await check.run_suite(ctx, tuple(events))


async def _preflight(ctx: CheckContext) -> None:
    event = ctx.config.selected_events[0]
    exchange = await ctx.deliver(event, label=f"a first valid {event}")
    if exchange.attempt.outcome in _UNREACHABLE:
        raise ReceiverUnreachableError(
            f"cannot reach the receiver at {safe_url(ctx.target.url)}: {exchange.attempt.error}"
        )


def _with_reproducer(result: CheckResult, ctx: CheckContext, directory: Path) -> CheckResult:
    if result.evidence is None:
        return result
    name = f"{result.id}-{result.event or result.evidence.event}"
    script, _ = write_reproducer(
        result.evidence, directory, name, signed=ctx.config.options.signed, in_process=ctx.target.in_process
    )
    return replace(result, reproducer=script)


async def run_suite(
    target: Target,
    config: SuiteConfig,
    *,
    checks: Iterable[str] = (),
    probe: Probe | None = None,
    reproducer_dir: Path | None = None,
    clock: Clock | None = None,
    preflight: bool = True,
) -> SuiteReport:
    """Run the selected checks (default: all) in registry order; failures carry reproducers."""
    selected = select_checks(checks)
    validate_events(config)
    started = time.perf_counter()
    rng = random.Random(config.seed if config.seed is not None else system_random.randbits(64))
    async with make_client(transport=target.transport()) as client:
        ctx = CheckContext(target, config, client=client, clock=clock or WallClock(), rng=rng, probe=probe)
        if preflight:
            await _preflight(ctx)
        results = [await run_check(ctx, check, config.selected_events) for check in selected]
    if any(result.failed for result in results):
        directory = reproducer_dir or Path(tempfile.mkdtemp(prefix="flipdish-sim-reproducers-"))
        results = [_with_reproducer(result, ctx, directory) for result in results]
    shown = target.describe() if target.in_process else safe_url(target.url)
    return SuiteReport(shown, config.family.value, tuple(results), time.perf_counter() - started)


def run_suite_sync(target: Target, config: SuiteConfig, **kwargs: object) -> SuiteReport:
    """:func:`run_suite` on a fresh event loop (for synchronous callers)."""
    return asyncio.run(run_suite(target, config, **kwargs))  # type: ignore[arg-type]
