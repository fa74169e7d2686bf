"""The pytest plugin (``pytest11`` entry point ``flipdish_sim``): thin hooks; fixtures live in ``fixtures``.

Options are per-run toggles and targets; ini keys (prefixed ``flipdish_``) hold per-project constants;
fixtures (prefixed ``flipdish_``) are what tests use and override. ``--flipdish-conformance`` adds the
conformance suite's items (one per check, named by its id) to the run. Reference: docs/plugin.md.
"""

from __future__ import annotations

import pytest

__all__ = ["pytest_addoption", "pytest_collection_modifyitems", "pytest_collectstart", "pytest_configure"]

pytest_plugins = ["flipdish_sim.plugin.fixtures"]

_SETTINGS = (
    ("url", "receiver URL (with --flipdish-app: the path the app serves)"),
    ("app", "receiver app as module:attr (ASGI or WSGI), driven in-process"),
    ("family", "webhook family: legacy or v3 (default: v3 when a secret is set)"),
    ("verify-token", "legacy X-Verify-Token (prefer env FLIPDISH_SIM_VERIFY_TOKEN)"),
    ("secret", "v3 signing secret (prefer env FLIPDISH_SIM_SECRET)"),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("flipdish-sim", "Flipdish webhook sender simulator")
    for name, help_text in _SETTINGS:
        group.addoption(f"--flipdish-{name}", dest=f"flipdish_{name.replace('-', '_')}", help=help_text)
        parser.addini(f"flipdish_{name.replace('-', '_')}", help_text, default=None)
    group.addoption(
        "--flipdish-conformance",
        action="store_true",
        default=False,
        help="add the receiver conformance suite (one item per check) to this run",
    )
    group.addoption("--flipdish-events", help="conformance: comma-separated event names to grade")
    group.addoption("--flipdish-check", help="conformance: comma-separated check ids to run")
    group.addoption("--flipdish-probe-url", help='conformance: GET answering {"applied": N} (idempotency)')
    group.addoption("--flipdish-deadline", type=float, default=None, help="conformance: deadline in seconds")
    parser.addini(
        "flipdish_lifespan",
        "run in-process ASGI apps' lifespan around the deliveries: true (default) or false",
        default=None,
    )
    group.addoption(
        "--flipdish-max-time", type=float, default=None, help="conformance: seconds the whole suite may take"
    )
    parser.addini("flipdish_events", "conformance: event names to grade", type="linelist", default=[])
    parser.addini("flipdish_probe_url", 'conformance: GET answering {"applied": N}', default=None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "flipdish(**kwargs): keyword arguments for the flipdish_simulator fixture's Simulator "
        "(family, verify_token, secrets, events, policy, clock...); see docs/plugin.md",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if config.getoption("flipdish_conformance", default=False):
        from flipdish_sim.plugin.conformance.pytest_items import conformance_items

        items.extend(conformance_items(session))


def pytest_collectstart(collector: pytest.Collector) -> None:
    """Remember folder collectors: ``--flipdish-conformance`` puts its items under the deepest folder whose
    conftest overrides a ``flipdish_*`` fixture, so that override is seen."""
    if isinstance(collector, pytest.Directory) and collector.config.getoption("flipdish_conformance", False):
        from flipdish_sim.plugin.conformance.pytest_items import DIRECTORIES

        collector.config.stash.setdefault(DIRECTORIES, {})[collector.path] = collector
