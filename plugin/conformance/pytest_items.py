"""The conformance suite as pytest items: ``pytest --flipdish-conformance`` adds one item per check and event.

The receiver comes from the options or ini keys (``--flipdish-app``/``--flipdish-url``, ``--flipdish-family``,
``--flipdish-verify-token``, ``--flipdish-secret``, ``--flipdish-events``, ``--flipdish-check``,
``--flipdish-probe-url``). Item ids are ``flipdish-conformance::<check>[<event>]``, so ``-k`` selects checks.

To grade a receiver provided by your own fixtures instead, put this in a test module::

    from flipdish_sim.plugin.conformance.pytest_items import conformance_suite
    test_flipdish_conformance = conformance_suite(family="v3")   # uses flipdish_receiver, flipdish_probe...
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from flipdish_sim.contracts.catalogue import Family
from flipdish_sim.errors import FlipdishSimError
from flipdish_sim.plugin.conformance.checks import Check, get_check, select_checks
from flipdish_sim.plugin.conformance.context import CheckContext, Probe
from flipdish_sim.plugin.conformance.model import DEFAULT_EVENTS, CheckOutcome, CheckResult, SuiteConfig
from flipdish_sim.plugin.conformance.probe import http_probe
from flipdish_sim.plugin.conformance.reproducer import write_reproducer
from flipdish_sim.plugin.conformance.runner import run_check, validate_events
from flipdish_sim.plugin.fixtures import setting
from flipdish_sim.plugin.target import Target
from flipdish_sim.simulator.clock import WallClock
from flipdish_sim.simulator.delivery import make_client
from flipdish_sim.simulator.environment import SECRET_ENV, split_secrets
from flipdish_sim.simulator.environment import VERIFY_TOKEN_ENV as TOKEN_ENV

__all__ = ["ConformanceItem", "conformance_items", "conformance_suite"]

SUITE = "flipdish-conformance"


@dataclass(frozen=True, slots=True)
class _Suite:
    target: Target
    config: SuiteConfig
    probe: Probe | None
    reproducers: Path


class ConformanceFailure(AssertionError):
    """A failed check (its result carries the evidence and the reproducer)."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.detail)
        self.result = result


def _suite(config: pytest.Config) -> _Suite:
    app, url = setting(config, "app"), setting(config, "url")
    if not app and not url:
        raise pytest.UsageError(
            "--flipdish-conformance needs a receiver: --flipdish-app MODULE:ATTR or --flipdish-url"
        )
    try:
        target = Target.from_spec(app, url=url) if app else Target.from_url(str(url))
        secret = setting(config, "secret", env=SECRET_ENV)
        family = Family(setting(config, "family") or ("v3" if secret else "legacy"))
        events_text = config.getoption("flipdish_events") or ",".join(config.getini("flipdish_events"))
        events = tuple(e.strip() for e in str(events_text).split(",") if e.strip())
        deadline = config.getoption("flipdish_deadline")
        suite_config = SuiteConfig(
            family=family,
            verify_token=setting(config, "verify-token", env=TOKEN_ENV) if family is Family.LEGACY else None,
            secrets=split_secrets([secret or ""]) if family is Family.V3 else (),
            events=events,
            **({"deadline": deadline} if deadline else {}),
        )
        validate_events(suite_config)
    except (FlipdishSimError, ValueError) as exc:
        raise pytest.UsageError(f"flipdish conformance: {exc}") from exc
    probe_url = setting(config, "probe-url")
    probe = http_probe(target, probe_url) if probe_url else None
    return _Suite(target, suite_config, probe, Path(tempfile.mkdtemp(prefix="flipdish-sim-reproducers-")))


async def _grade(suite: _Suite, check: Check, events: tuple[str, ...]) -> CheckResult:
    async with make_client(transport=suite.target.transport()) as client:
        ctx = CheckContext(
            suite.target,
            suite.config,
            client=client,
            clock=WallClock(),
            rng=random.Random(),
            probe=suite.probe,
        )
        result = await run_check(ctx, check, events)
    if result.evidence is not None:
        name = f"{check.id}-{events[0] if len(events) == 1 else 'suite'}"
        script, _ = write_reproducer(
            result.evidence,
            suite.reproducers,
            name,
            signed=suite.config.options.signed,
            in_process=suite.target.in_process,
        )
        result = CheckResult(result.id, result.outcome, result.detail, result.event, result.evidence, script)
    return result


def _verdict(result: CheckResult) -> None:
    if result.outcome is CheckOutcome.SKIPPED:
        pytest.skip(result.detail)
    if result.outcome is CheckOutcome.FAILED:
        raise ConformanceFailure(result)


class ConformanceItem(pytest.Item):
    """One check (for one event, or over all events for suite-wide checks)."""

    def __init__(self, *, check: Check, events: tuple[str, ...], suite: _Suite, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check, self.events, self.suite = check, events, suite

    def runtest(self) -> None:
        _verdict(asyncio.run(_grade(self.suite, self.check, self.events)))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ConformanceFailure):
            result = excinfo.value.result
            return f"{result.id}: {result.detail}\n\nreproduce:\n{result.reproducer or '(no request)'}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, ""  # an empty domain: pytest shows the node id (check ids keep their dots)


def conformance_items(session: pytest.Session) -> list[pytest.Item]:
    """The items ``--flipdish-conformance`` adds, from the options and ini keys."""
    suite = _suite(session.config)
    ids = session.config.getoption("flipdish_check")
    items: list[pytest.Item] = []
    for check in select_checks([ids] if ids else []):
        groups = (
            [(e,) for e in suite.config.selected_events]
            if check.per_event
            else [suite.config.selected_events]
        )
        for events in groups:
            name = f"{check.id}[{events[0]}]" if check.per_event else check.id
            items.append(
                ConformanceItem.from_parent(
                    session, name=name, nodeid=f"{SUITE}::{name}", check=check, events=events, suite=suite
                )
            )
    return items


def conformance_suite(
    *, family: str = "legacy", events: tuple[str, ...] = (), checks: tuple[str, ...] = ()
) -> Callable[..., None]:
    """A test function, parametrised by check and event, grading the ``flipdish_receiver`` fixture."""
    chosen = events or DEFAULT_EVENTS[Family(family)]
    cases = [
        pytest.param(check.id, event, id=f"{check.id}[{event}]" if event else check.id)
        for check in select_checks(checks)
        for event in (chosen if check.per_event else (None,))
    ]

    @pytest.mark.parametrize(("check_id", "event"), cases)
    def test_flipdish_conformance(check_id: str, event: str | None, flipdish_conformance: Any) -> None:
        get_check(check_id)
        scope = (event,) if event else chosen
        report = flipdish_conformance(checks=(check_id,), events=scope, family=Family(family))
        _verdict(report.results[0])

    return cast(Callable[..., None], test_flipdish_conformance)
