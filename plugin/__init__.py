"""The pytest plugin (``pytest11`` entry point ``flipdish_sim``): thin hooks, fixtures load lazily."""

from __future__ import annotations

import pytest

__all__ = ["pytest_addoption"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("flipdish-sim", "Flipdish webhook sender simulator")
    group.addoption("--flipdish-url", help="receiver URL to deliver webhooks to")
    parser.addini("flipdish_url", "receiver URL to deliver webhooks to", default=None)
