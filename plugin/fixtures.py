"""The plugin's fixtures. Every name starts with ``flipdish_``; the configuration fixtures are cheap and meant
to be overridden in your ``conftest.py``. Reference (scope, type, default): docs/plugin.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from flipdish_sim.simulator.environment import SECRET_ENV, split_secrets
from flipdish_sim.simulator.environment import VERIFY_TOKEN_ENV as TOKEN_ENV

if TYPE_CHECKING:  # imported lazily below: the plugin loads in every pytest run of every user
    from flipdish_sim.conformance import Probe, SuiteReport
    from flipdish_sim.conformance.target import Target
    from flipdish_sim.plugin.flipdish_api import FlipdishApi
    from flipdish_sim.plugin.replay import ReplayReport
    from flipdish_sim.plugin.simulator import AsyncSimulator, DeliveryResult, ScenarioResult, Simulator
    from flipdish_sim.simulator.clock import VirtualClock
    from flipdish_sim.simulator.model import Capture
    from flipdish_sim.simulator.policy._retry import RetryPolicy

__all__ = [
    "flipdish_api",
    "flipdish_async_simulator",
    "flipdish_clock",
    "flipdish_conformance",
    "flipdish_deliver",
    "flipdish_event",
    "flipdish_family",
    "flipdish_probe",
    "flipdish_receiver",
    "flipdish_replay",
    "flipdish_retry_policy",
    "flipdish_scenario",
    "flipdish_secret",
    "flipdish_simulator",
    "flipdish_verify_token",
    "setting",
]


def setting(config: pytest.Config, name: str, *, env: str | None = None) -> str | None:
    """``--flipdish-<name>``, else ini ``flipdish_<name>``, else the environment variable ``env``."""
    value = config.getoption(f"flipdish_{name.replace('-', '_')}", default=None)
    if not value:
        value = config.getini(f"flipdish_{name.replace('-', '_')}") or None
    if not value and env:
        value = os.environ.get(env) or None
    return str(value) if value else None


@pytest.fixture
def flipdish_receiver(request: pytest.FixtureRequest) -> Target | str | object:
    """The receiver under test: override to return your ASGI/WSGI app, a URL or a ``Target``."""
    from flipdish_sim.conformance.target import Target

    app = setting(request.config, "app")
    url = setting(request.config, "url")
    if app:
        return Target.from_spec(app, url=url)
    if url:
        return Target.from_url(url)
    pytest.fail(
        "no receiver configured: override the flipdish_receiver fixture, or pass --flipdish-app MODULE:ATTR "
        "or --flipdish-url URL (ini flipdish_app / flipdish_url)",
        pytrace=False,
    )


@pytest.fixture
def flipdish_verify_token(request: pytest.FixtureRequest) -> str | None:
    """The legacy verify token (``--flipdish-verify-token``, ini, or env FLIPDISH_SIM_VERIFY_TOKEN)."""
    return setting(request.config, "verify-token", env=TOKEN_ENV)


@pytest.fixture
def flipdish_secret(request: pytest.FixtureRequest) -> str | None:
    """The v3 signing secret (``--flipdish-secret``, ini ``flipdish_secret``, or env FLIPDISH_SIM_SECRET).

    Several secrets separated by commas (``new,old``) sign each delivery once per secret (a rotation).
    """
    return setting(request.config, "secret", env=SECRET_ENV)


@pytest.fixture
def flipdish_family(request: pytest.FixtureRequest, flipdish_secret: str | None) -> str:
    """``legacy`` or ``v3`` (``--flipdish-family``; default v3 when a secret is configured)."""
    from flipdish_sim.contracts.catalogue import Family

    chosen = setting(request.config, "family") or ("v3" if flipdish_secret else "legacy")
    return Family(chosen).value


@pytest.fixture
def flipdish_clock() -> VirtualClock:
    """A fresh virtual clock per test, starting 2026-01-01T00:00:00Z."""
    from flipdish_sim.simulator.clock import VirtualClock

    return VirtualClock()


@pytest.fixture
def flipdish_retry_policy() -> RetryPolicy:
    """The retry schedule (default: the simulator's Flipdish-like 24 h schedule)."""
    from flipdish_sim.simulator.policy._retry import FLIPDISH_DEFAULT

    return FLIPDISH_DEFAULT


@pytest.fixture
def flipdish_probe() -> Callable[[], int] | None:
    """Override to return a zero-argument callable giving the number of side effects your receiver applied."""
    return None


@pytest.fixture
def flipdish_simulator(
    request: pytest.FixtureRequest,
    flipdish_receiver: Target | str | object,
    flipdish_family: str,
    flipdish_verify_token: str | None,
    flipdish_secret: str | None,
    flipdish_clock: VirtualClock,
    flipdish_retry_policy: RetryPolicy,
) -> Iterator[Simulator]:
    """Flipdish's sender bound to the receiver and the virtual clock; ``@pytest.mark.flipdish(**kwargs)``
    passes ``Simulator`` keyword arguments."""
    from flipdish_sim.conformance.target import Target
    from flipdish_sim.plugin.simulator import Simulator
    from flipdish_sim.simulator.engine import SenderPolicy

    kwargs: dict[str, Any] = {
        "family": flipdish_family,
        "verify_token": flipdish_verify_token if flipdish_family == "legacy" else None,
        "secrets": list(split_secrets([flipdish_secret or ""])) if flipdish_family == "v3" else [],
        "clock": flipdish_clock,
        "policy": SenderPolicy(retry=flipdish_retry_policy),
    }
    lifespan = _lifespan_setting(request.config)
    chosen_by_target = isinstance(flipdish_receiver, Target) and flipdish_receiver.lifespan is not None
    if lifespan is not None and not chosen_by_target:  # the marker wins, then the Target, then the ini
        kwargs["lifespan"] = lifespan
    for marker in reversed(list(request.node.iter_markers("flipdish"))):
        kwargs.update(marker.kwargs)
    with Simulator(flipdish_receiver, **kwargs) as simulator:
        yield simulator


def _lifespan_setting(config: pytest.Config) -> bool | None:
    """ini ``flipdish_lifespan``: true/false, or None when not set (the target decides; default on)."""
    raw = str(config.getini("flipdish_lifespan") or "").strip().lower()
    if not raw:
        return None
    if raw in ("true", "1", "yes", "on"):
        return True
    if raw in ("false", "0", "no", "off"):
        return False
    raise pytest.UsageError(f"ini flipdish_lifespan must be true or false, got {raw!r}")


@pytest.fixture
def flipdish_async_simulator(flipdish_simulator: Simulator) -> AsyncSimulator:
    """``flipdish_simulator`` with coroutines, for ``async def`` tests: ``await sim.send(...)``.

    A plain fixture (no event loop needed to set it up), so it works under pytest-asyncio (auto or strict
    mode) and anyio's plugin alike; the sender runs its own loop in a worker thread while the test awaits.
    """
    from flipdish_sim.plugin.simulator import AsyncSimulator

    return AsyncSimulator(flipdish_simulator)


def _set_path(payload: dict[str, Any], path: str, value: object) -> None:
    node = payload
    *parents, leaf = path.split("__")
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[leaf] = value


@pytest.fixture
def flipdish_event(flipdish_clock: VirtualClock) -> Callable[..., dict[str, Any]]:
    """``make(name="order.created", *, seed=0, **overrides)``: a realistic payload with overrides.

    Overrides address the legacy ``Body`` (or the v3 body); ``__`` descends: ``Order__Customer__Name=None``.
    """

    def make(
        name: str = "order.created", *, seed: int = 0, at: datetime | None = None, **overrides: object
    ) -> dict[str, Any]:
        from flipdish_sim.contracts.catalogue import Family, Profile, get_event
        from flipdish_sim.contracts.examples import example

        payload: dict[str, Any] = example(
            name, seed=seed, profile=Profile.OBSERVED, at=at or flipdish_clock.now()
        )
        legacy = get_event(name).family is Family.LEGACY
        target = payload["Body"] if legacy and isinstance(payload.get("Body"), dict) else payload
        for path, value in overrides.items():
            _set_path(target, path, value)
        return payload

    return make


@pytest.fixture
def flipdish_deliver(flipdish_simulator: Simulator) -> Callable[..., DeliveryResult]:
    """``deliver(event="order.created", payload=None)``: publish one event, run its retries to the end."""

    def deliver(event: str = "order.created", payload: Mapping[str, object] | None = None) -> DeliveryResult:
        return flipdish_simulator.send(event, payload)

    return deliver


@pytest.fixture
def flipdish_scenario(flipdish_simulator: Simulator) -> Callable[..., ScenarioResult]:
    """``run(name_or_path, *, seed=0)``: a built-in or YAML scenario against the receiver, virtual time."""

    def run(scenario: str | Path, *, seed: int = 0) -> ScenarioResult:
        return flipdish_simulator.run_scenario(scenario, seed=seed)

    return run


@pytest.fixture
def flipdish_api() -> Iterator[FlipdishApi]:
    """A respx mock of Flipdish's REST API (webhook subscriptions, order accept/reject); other hosts pass."""
    from flipdish_sim.plugin.flipdish_api import FlipdishApi

    with FlipdishApi() as api:
        yield api


@pytest.fixture
def flipdish_conformance(
    flipdish_receiver: Target | str | object,
    flipdish_family: str,
    flipdish_verify_token: str | None,
    flipdish_secret: str | None,
    flipdish_probe: Callable[[], int] | None,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> Callable[..., SuiteReport]:
    """``grade(*, checks=(), **SuiteConfig fields) -> SuiteReport``: the conformance suite on the receiver.

    The probe is ``flipdish_probe`` (override it), else ``--flipdish-probe-url`` / ini ``flipdish_probe_url``.
    Reproducers go to ``tmp_path``; ``report.assert_passed()`` lists every failure with its path.
    """

    def grade(*, checks: tuple[str, ...] = (), **fields: Any) -> SuiteReport:
        from flipdish_sim.conformance import Route, SuiteConfig, run_suite_sync
        from flipdish_sim.conformance.probe import http_probe
        from flipdish_sim.contracts.catalogue import Family
        from flipdish_sim.plugin.simulator import as_target

        family = Family(fields.pop("family", flipdish_family))
        base: dict[str, Any] = {
            "family": family,
            "verify_token": flipdish_verify_token if family is Family.LEGACY else None,
            "secrets": split_secrets([flipdish_secret]) if flipdish_secret and family is Family.V3 else (),
            "route": Route.pytest(),
        }
        config = SuiteConfig(**{**base, **fields})
        target = as_target(flipdish_receiver)
        probe: Probe | None = None
        probe_url = setting(request.config, "probe-url")
        if flipdish_probe is not None:
            reader = flipdish_probe

            async def probe_async() -> int:
                return reader()

            probe = probe_async
        elif probe_url:
            probe = http_probe(target, probe_url)
        return run_suite_sync(target, config, checks=checks, probe=probe, reproducer_dir=tmp_path)

    return grade


@pytest.fixture
def flipdish_replay(
    request: pytest.FixtureRequest, flipdish_verify_token: str | None, flipdish_secret: str | None
) -> Callable[..., ReplayReport]:
    """``replay(captures, *, to=None, url=None, re_sign=False, duplicates=0, out_of_order=False,
    verify_token=None, secrets=None) -> ReplayReport``: a JSON Lines capture file (or Capture records)
    replayed into ``to`` (default: ``flipdish_receiver``) on the virtual clock. Credentials default to
    ``flipdish_verify_token`` and ``flipdish_secret``."""

    def replay(
        captures: str | Path | Sequence[Capture],
        *,
        to: Target | str | object | None = None,
        verify_token: str | None = None,
        secrets: Sequence[str] | None = None,
        **options: Any,
    ) -> ReplayReport:
        from flipdish_sim.plugin.replay import replay_captures

        receiver = request.getfixturevalue("flipdish_receiver") if to is None else to
        keys = split_secrets([flipdish_secret or ""]) if secrets is None else tuple(secrets)
        token = verify_token if verify_token is not None else flipdish_verify_token
        return replay_captures(captures, receiver, verify_token=token, secrets=keys, **options)

    return replay
