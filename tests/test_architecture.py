"""The structure users and contributors rely on: a pure core, and exports that are complete."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
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


#: The import lines README.md and docs/ showed when the simulator moved into subpackages (issue 11):
#: each keeps working, whatever the docs say today.
DOCUMENTED_IMPORTS = [
    "from flipdish_sim.conformance import SuiteConfig, Target, run_suite_sync",
    "from flipdish_sim.contracts import Profile, payloads",
    "from flipdish_sim.contracts import Profile, validate",
    "from flipdish_sim.contracts import example, examples, order_lifecycle",
    "from flipdish_sim.contracts.catalogue import Family",
    "from flipdish_sim.plugin.properties import every_payload",
    "from flipdish_sim.plugin.simulator import Simulator",
    "from flipdish_sim.plugin.target import Target",
    "from flipdish_sim.simulator import Sender, SenderPolicy, Store, VirtualClock",
    "from flipdish_sim.simulator.clock import VirtualClock",
    "from flipdish_sim.simulator.delivery import asgi_transport, make_client",
    "from flipdish_sim.simulator.engine import Sender, SenderPolicy",
    "from flipdish_sim.simulator.store import Store",
    "from flipdish_sim.verify import InvalidSignature, verify_signature, verify_token",
]

_IMPORT_LINE = re.compile(r"from flipdish_sim[a-z_.]* import [A-Za-z_, ]+")
_ROOT = Path(__file__).resolve().parent.parent


def _shown_in_docs() -> list[str]:
    pages = [_ROOT / "README.md", *sorted((_ROOT / "docs").glob("*.md"))]
    texts = [page.read_text("utf-8") for page in pages]
    return sorted({m.group(0).strip().rstrip(",") for text in texts for m in _IMPORT_LINE.finditer(text)})


@pytest.mark.parametrize("line", sorted(set(DOCUMENTED_IMPORTS) | set(_shown_in_docs())))
def test_documented_import_works(line: str) -> None:
    exec(compile(line, "<documented import>", "exec"), {})
