"""The structure users and contributors rely on: a pure core, and exports that are complete."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

#: The pure core does no I/O and reads no clock: it may not import these.
FORBIDDEN = {"httpx", "click", "pytest", "time", "sqlite3", "starlette", "uvicorn", "socket", "asyncio"}

CORE = [
    "flipdish_sim.errors",
    "flipdish_sim.verify",
    "flipdish_sim.contracts.catalogue",
    "flipdish_sim.contracts.document",
    "flipdish_sim.simulator.wire._signing",
    "flipdish_sim.simulator.wire._envelope",
    "flipdish_sim.simulator.model._attempt",
    "flipdish_sim.simulator.policy._retry",
    "flipdish_sim.simulator.policy._disable",
    "flipdish_sim.simulator.policy._faults",
    "flipdish_sim.simulator.model._subscription_rules",
    "flipdish_sim.contracts.vectors.v3",
    "flipdish_sim.contracts.vectors.v3_rejected",
    "flipdish_sim.contracts.vectors.legacy",
    "flipdish_sim.contracts.refinements",
]


def _imports(module: str) -> set[str]:
    spec = importlib.util.find_spec(module)
    assert spec is not None, module
    assert spec.origin is not None, module
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_no_io(module: str) -> None:
    assert _imports(module) & FORBIDDEN == set()


PUBLIC = ["flipdish_sim", "flipdish_sim.errors", "flipdish_sim.contracts", "flipdish_sim.simulator"]


@pytest.mark.parametrize("module", PUBLIC)
def test_all_is_sorted_and_names_exist(module: str) -> None:
    mod = importlib.import_module(module)
    exported = list(mod.__all__)
    assert exported == sorted(exported)
    for name in exported:
        assert hasattr(mod, name), f"{module}.__all__ names {name!r}, which does not exist"


def test_importing_the_package_never_imports_the_plugin_or_pytest() -> None:
    import subprocess
    import sys

    code = "import sys, flipdish_sim, flipdish_sim.contracts, flipdish_sim.simulator; " + (
        "print(any(m.startswith(('flipdish_sim.plugin', 'pytest', '_pytest')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

