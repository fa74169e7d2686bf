"""Run conformance checks against a target: the engine behind ``flipdish-sim conformance`` and pytest items.

    report = run_suite_sync(Target.from_app(app), SuiteConfig(family=Family.V3, secrets=("s3cret",)))
    report.assert_passed()

The run opens with plain valid deliveries (``valid_deliveries`` when the ``ack`` checks are graded; the first
tells an unreachable receiver), then runs the other checks in registry order, then judges every attempt of
the run for the ``ack`` checks.
Once the receiver shows it cannot meet a precondition (``give_up_after`` timeouts, redirects or rejected valid
deliveries in a row), the checks still to run are ``blocked`` by the ``ack`` check that fails, without
waiting out their own timeouts; ``max_time`` blocks whatever it cuts short.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets as system_random
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from flipdish_sim._aio import inside_event_loop
from flipdish_sim.conformance.ack import ACK_CHECKS, RETRY, judge, sampled
from flipdish_sim.conformance.answer import Answer
from flipdish_sim.conformance.checks import Check, select_checks
from flipdish_sim.conformance.context import Blocked, CheckContext, Probe
from flipdish_sim.conformance.diagnosis import diagnose_rejections
from flipdish_sim.conformance.fuzz import fuzz_payloads
from flipdish_sim.conformance.model import CheckOutcome, CheckResult, SuiteConfig
from flipdish_sim.conformance.report import SuiteReport, safe_url
from flipdish_sim.conformance.reproducer import write_reproducer
from flipdish_sim.conformance.target import Target
from flipdish_sim.conformance.verdict import blocked, is_late
from flipdish_sim.contracts.catalogue import Family, get_event
from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.clock import Clock, WallClock
from flipdish_sim.simulator.http._delivery import make_client
from flipdish_sim.simulator.model._attempt import Outcome

__all__ = [
    "MAX_TIME",
    "Progress",
    "ProgressEvent",
    "ReceiverUnreachableError",
    "combine",
    "run_check",
    "run_suite",
    "run_suite_sync",
    "validate_events",
]

_UNREACHABLE = (Outcome.CONNECTION_REFUSED, Outcome.CONNECTION_ERROR, Outcome.TLS_ERROR)
MAX_TIME = "max-time"
"""The ``blocked_by`` of checks the run's time limit cut short."""

_WHY = {
    "ack.deadline": "the receiver stopped answering within the deadline",
    "ack.no-redirect": "the receiver answers with redirects",
    "ack.2xx": "the receiver rejects valid, correctly authenticated deliveries",
    "auth.raw-body": "the receiver verifies re-serialised JSON, so it rejects valid deliveries",
}


class ReceiverUnreachableError(UsageError):
    """The receiver cannot be reached at all (refused, unresolvable, TLS failure): nothing can be graded."""


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """A check started (``result`` None) or ended (with its result), ``elapsed`` seconds into the run."""

    check: str
    result: CheckResult | None
    elapsed: float


Progress = Callable[[ProgressEvent], None]


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
    """One verdict from per-event verdicts: the first failure, else the first blocked, else passed if any
    passed, else skipped."""
    for outcome in (CheckOutcome.FAILED, CheckOutcome.BLOCKED):
        for result in results:
            if result.outcome is outcome:
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
    """Run ``check`` over ``events`` (once per event for per-event checks) and combine the verdicts.

    A check stopped because the receiver cannot meet a precondition comes back ``blocked``.
    """
    ctx.check = check.id
    if check.per_event:
        assert check.run_event is not None
        return combine(
            check.id, [await _guarded(ctx, check, check.run_event(ctx, event)) for event in events]
        )
    assert check.run_suite is not None
    return await _guarded(ctx, check, check.run_suite(ctx, tuple(events)))


async def _guarded(ctx: CheckContext, check: Check, run: Awaitable[CheckResult]) -> CheckResult:
    try:
        return await run
    except Blocked as stop:
        return blocked(check.id, stop.by, _why(stop.by, ctx.config, stop.event))


def _why(by: str, config: SuiteConfig, event: str | None = None) -> str:
    if by == MAX_TIME:
        return f"the run reached its time limit ({config.max_time:g} s)"
    return _WHY.get(by, "") + (f" for {event}" if event else "")


async def _open(ctx: CheckContext, *, preflight: bool, sample: bool) -> None:
    """The valid deliveries that open the run; the first one tells an unreachable receiver.

    ``valid_deliveries`` of them when the ``ack`` checks are graded (``sample``), else one per event (enough
    to see that the receiver takes them). A delivery that fails or comes late is retried once, as Flipdish
    would: when the retry is acknowledged in time, ``ack.deadline`` still fails and says so.
    """
    events = ctx.config.selected_events
    total = max(ctx.config.valid_deliveries if sample else 1, len(events))
    ctx.check = "ack"
    for number in range(total):
        event = events[number % len(events)]
        label = f"valid delivery {number + 1} of {total}: {event}"
        try:
            exchange = await ctx.deliver(event, label=label)
            if number == 0 and preflight and exchange.attempt.outcome in _UNREACHABLE:
                raise ReceiverUnreachableError(
                    f"cannot reach the receiver at {safe_url(ctx.target.url)}: {exchange.attempt.error}"
                )
            if not exchange.attempt.ok or is_late(exchange, ctx.config.deadline):
                again = ctx.resigned(exchange.request) if ctx.family is Family.V3 else exchange.request
                await ctx.send(again, event=event, label=f"{RETRY}{label}", valid=True)
        except Blocked:
            if ctx.blocker is not None or len(ctx.blocked_events) == len(events):
                return
            # one event the receiver cannot take: keep sampling the others


class _Run:
    """One run's loop: progress, the time limit, and the results by check id."""

    def __init__(self, ctx: CheckContext, progress: Progress | None) -> None:
        self.ctx = ctx
        self.progress = progress
        self.started = time.perf_counter()
        limit = ctx.config.max_time
        self.ends_at = None if limit is None else asyncio.get_running_loop().time() + limit
        self.opening_cut = False
        self.diagnosis: CheckResult | None = None

    def tell(self, check: str, result: CheckResult | None = None) -> None:
        if self.progress is not None:
            self.progress(ProgressEvent(check, result, time.perf_counter() - self.started))

    async def open(self, *, preflight: bool, sample: bool) -> None:
        try:
            async with asyncio.timeout_at(self.ends_at):
                with contextlib.suppress(Blocked):
                    await _open(self.ctx, preflight=preflight, sample=sample)
                self.diagnosis = await diagnose_rejections(self.ctx)
                if self.diagnosis is not None:
                    self.ctx.blocker = self.diagnosis.id
        except TimeoutError:
            self.ctx.blocker, self.opening_cut = MAX_TIME, True

    async def check(self, check: Check) -> CheckResult:
        self.tell(check.id)
        if self.diagnosis is not None and check.id == self.diagnosis.id:
            self.tell(check.id, self.diagnosis)
            return self.diagnosis
        try:
            async with asyncio.timeout_at(self.ends_at):
                result = await run_check(self.ctx, check, self.ctx.config.selected_events)
        except TimeoutError:
            self.ctx.blocker = self.ctx.blocker or MAX_TIME
            result = blocked(check.id, MAX_TIME, _why(MAX_TIME, self.ctx.config))
        self.tell(check.id, result)
        return result

    def judge(self, check_id: str) -> CheckResult:
        result = judge(check_id, self.ctx.exchanges, self.ctx.config)
        if self.opening_cut and result.outcome is CheckOutcome.PASSED:
            result = blocked(check_id, MAX_TIME, _why(MAX_TIME, self.ctx.config))
        if self.diagnosis is not None and result.failed and check_id == "ack.2xx":  # the diagnosis' echo
            result = blocked(check_id, self.diagnosis.id, _why(self.diagnosis.id, self.ctx.config))
        self.tell(check_id, result)
        return result


async def _run(
    ctx: CheckContext, selected: Sequence[Check], progress: Progress | None, preflight: bool
) -> list[CheckResult]:
    run = _Run(ctx, progress)
    acks = [check.id for check in selected if check.id in ACK_CHECKS]
    for check_id in acks:
        run.tell(check_id)
    if any(check.id == "contract.fuzz" for check in selected):
        # generated before the first request: seconds of Hypothesis on the event loop between two requests
        # let a keep-alive connection go stale (uvicorn closes idle ones after 5 s) and fail a delivery
        config = ctx.config
        for event in config.selected_events:
            fuzz_payloads(event, count=config.fuzz_examples, seed=config.fuzz_seed, profile=config.profile)
    await run.open(preflight=preflight, sample=bool(acks))
    results = {check.id: await run.check(check) for check in selected if check.id not in ACK_CHECKS}
    results |= {check_id: run.judge(check_id) for check_id in acks}
    return [results[check.id] for check in selected]


def _finish(result: CheckResult, ctx: CheckContext, directory: Path | None) -> CheckResult:
    """``result`` with the receiver's answer (secrets masked) and, for a failure, its reproducer."""
    evidence = result.evidence
    if evidence is None:
        return result
    secrets = (ctx.config.verify_token, *ctx.config.secrets)
    result = replace(result, answer=Answer.of(evidence.attempt, secrets=secrets))
    if not result.failed or directory is None:
        return result
    name = f"{result.id}-{result.event or evidence.event}"
    script, path = write_reproducer(
        evidence,
        directory,
        name,
        signed=ctx.config.options.signed,
        in_process=ctx.target.in_process,
        answer=result.answer,
    )
    return replace(result, reproducer=script, reproducer_path=str(path))


async def run_suite(
    target: Target,
    config: SuiteConfig,
    *,
    checks: Iterable[str] = (),
    probe: Probe | None = None,
    reproducer_dir: Path | None = None,
    clock: Clock | None = None,
    preflight: bool = True,
    progress: Progress | None = None,
) -> SuiteReport:
    """Run the selected checks (default: all); failures carry the receiver's answer and a reproducer."""
    selected = select_checks(checks)
    validate_events(config)
    started = time.perf_counter()
    rng = random.Random(config.seed if config.seed is not None else system_random.randbits(64))
    async with target.served() as served, make_client(transport=served.transport) as client:
        ctx = CheckContext(target, config, client=client, clock=clock or WallClock(), rng=rng, probe=probe)
        results = await _run(ctx, selected, progress, preflight)
    directory = reproducer_dir
    if directory is None and any(result.failed for result in results):
        directory = Path(tempfile.mkdtemp(prefix="flipdish-sim-reproducers-"))
    results = [_finish(result, ctx, directory) for result in results]
    shown = target.describe() if target.in_process else safe_url(target.url)
    return SuiteReport(
        shown,
        config.family.value,
        tuple(results),
        time.perf_counter() - started,
        attempts=len(ctx.exchanges),
        valid_deliveries=sampled(ctx.exchanges)[0],
    )


def run_suite_sync(target: Target, config: SuiteConfig, **kwargs: object) -> SuiteReport:
    """:func:`run_suite` on a fresh event loop, for synchronous callers.

    Called where an event loop already runs (a sync helper inside an ``async def`` test, asyncio or trio),
    the suite runs on its own loop in a worker thread while the caller waits, not failing in ``asyncio.run``.
    """

    def run() -> SuiteReport:
        return asyncio.run(run_suite(target, config, **kwargs))  # type: ignore[arg-type]

    if not inside_event_loop():
        return run()
    with ThreadPoolExecutor(1, thread_name_prefix="flipdish-sim-conformance") as worker:
        return worker.submit(run).result()
