"""The conformance suite as pytest items: ``pytest --flipdish-conformance`` adds one item per check.

Items are named by check id (``flipdish-conformance::ack.2xx``), so ``-k`` and ``--deselect`` select checks.
The suite runs once, in the first item, through the ``flipdish_conformance`` fixture, so every
``flipdish_*`` fixture you override in a conftest (``flipdish_probe``, ``flipdish_receiver``,
``flipdish_secret``...) is honoured: the items sit in the folder of the deepest conftest that overrides one.
The receiver comes from that fixture or from ``--flipdish-app``/``--flipdish-url``; ``--flipdish-events``,
``--flipdish-check``, ``--flipdish-probe-url``, ``--flipdish-deadline`` and ``--flipdish-max-time`` tune it.

To grade a receiver in your own test module instead::

    from flipdish_sim.plugin.conformance.pytest_items import conformance_suite
    test_flipdish_conformance = conformance_suite(family="v3")   # uses flipdish_receiver, flipdish_probe...
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

from flipdish_sim.conformance.checks import Check, get_check, select_checks
from flipdish_sim.conformance.model import DEFAULT_EVENTS, CheckOutcome, CheckResult
from flipdish_sim.contracts.catalogue import Family, get_event
from flipdish_sim.errors import FlipdishSimError

if TYPE_CHECKING:
    from flipdish_sim.conformance.report import SuiteReport

__all__ = [
    "DIRECTORIES",
    "ConformanceFailure",
    "ConformanceItem",
    "ConformanceSuite",
    "conformance_items",
    "conformance_suite",
]

SUITE = "flipdish-conformance"
DIRECTORIES = pytest.StashKey[dict[Path, pytest.Collector]]()
"""The folder collectors seen during collection (``pytest_collectstart``), to place the items under one."""


class ConformanceFailure(AssertionError):
    """A failed or blocked check: its detail, the receiver's answer and the reproducer's path."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(_message(result))
        self.result = result


def _message(result: CheckResult) -> str:
    lines = [f"{result.id} {result.outcome.value}: {result.detail}"]
    if result.answer is not None:
        lines.append(f"the receiver answered: {result.answer.describe()}")
    if result.reproducer_path:
        lines.append(f"reproduce: {result.reproducer_path}")
    return "\n".join(lines)


def _verdict(result: CheckResult) -> None:
    if result.outcome is CheckOutcome.SKIPPED:
        pytest.skip(result.detail)
    if result.outcome in (CheckOutcome.FAILED, CheckOutcome.BLOCKED):
        raise ConformanceFailure(result)


class ConformanceSuite(pytest.Collector):
    """The items' parent: holds the options of the run and, once the first item ran it, the report."""

    def __init__(self, *, settings: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.report: SuiteReport | None = None

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        return []  # the items are made by ``conformance_items``

    def grade(self, grade: Callable[..., SuiteReport]) -> SuiteReport:
        """Run the suite once (for every check still selected) and keep the report for the other items."""
        if self.report is None:
            chosen = [
                i.check.id for i in self.session.items if isinstance(i, ConformanceItem) and i.parent is self
            ]
            self.report = grade(checks=tuple(chosen), **self.settings)
        return self.report


def _check(request: pytest.FixtureRequest, flipdish_conformance: Callable[..., SuiteReport]) -> None:
    item = request.node
    assert isinstance(item, ConformanceItem)
    report = item.suite.grade(flipdish_conformance)
    _verdict(next(result for result in report.results if result.id == item.check.id))


class ConformanceItem(pytest.Function):
    """One check of the suite, named by its id."""

    def __init__(self, *, check: Check, **kwargs: Any) -> None:
        super().__init__(callobj=_check, **kwargs)
        self.check = check

    @property
    def suite(self) -> ConformanceSuite:
        assert isinstance(self.parent, ConformanceSuite)
        return self.parent

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str:  # type: ignore[override]
        if isinstance(excinfo.value, ConformanceFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        # the headline of a failure: the check and what it asks (not a suffix of the node id, which keeps
        # pytest from turning the id's dots into "::")
        return self.path, None, f"{self.check.id}: {self.check.summary}"


def _settings(config: pytest.Config) -> dict[str, Any]:
    from flipdish_sim.plugin.fixtures import setting

    events_text = config.getoption("flipdish_events") or ",".join(config.getini("flipdish_events"))
    events = tuple(e.strip() for e in str(events_text).split(",") if e.strip())
    settings: dict[str, Any] = {"events": events} if events else {}
    family = setting(config, "family")
    try:
        for name in events:
            spec = get_event(name)
            if family and spec.family is not Family(family):
                raise FlipdishSimError(
                    f"{name} is a {spec.family.value} event; --flipdish-family is {family}"
                )
        select_checks([config.getoption("flipdish_check") or ""])
    except (FlipdishSimError, ValueError) as exc:
        raise pytest.UsageError(f"flipdish conformance: {exc}") from exc
    if events and not family:
        settings["family"] = get_event(events[0]).family
    for option, field in (("flipdish_deadline", "deadline"), ("flipdish_max_time", "max_time")):
        value = config.getoption(option, default=None)
        if value:
            settings[field] = value
    return settings


def _home(session: pytest.Session) -> pytest.Collector:
    """The deepest collected folder whose conftest overrides a ``flipdish_*`` fixture, else the session."""
    folders = session.config.stash.get(DIRECTORIES, {})
    homes = []
    for plugin in session.config.pluginmanager.get_plugins():
        path = Path(str(getattr(plugin, "__file__", "") or ""))
        if path.name == "conftest.py" and any(name.startswith("flipdish_") for name in vars(plugin)):
            folder = folders.get(path.parent)
            if folder is not None:
                homes.append(folder)
    return max(homes, key=lambda node: len(node.path.parts), default=session)


def conformance_items(session: pytest.Session) -> list[pytest.Item]:
    """The items ``--flipdish-conformance`` adds: one per selected check."""
    config = session.config
    settings = _settings(config)
    home = _home(session)
    suite = ConformanceSuite.from_parent(home, name=SUITE, nodeid=SUITE, settings=settings)
    ids = config.getoption("flipdish_check")
    return [
        ConformanceItem.from_parent(suite, name=check.id, check=check) for check in select_checks([ids or ""])
    ]


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
