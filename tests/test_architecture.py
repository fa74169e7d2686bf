"""The structure users and contributors rely on: a pure core, and exports that are complete."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
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


# -- the transitive import closure: what importing a layer really loads -----------------------------------
#: The pure core (the records, the clock, the policies, what goes on the wire) loads none of these, however
#: deep the import: each is I/O or an edge (HTTP, the log's SQLite, the server, the command line).
IO_LIBRARIES = {"aiohttp", "httpx", "sqlite3", "starlette", "click", "rich", "uvicorn"}
PURE_CORE = [
    "flipdish_sim.simulator.clock",
    "flipdish_sim.simulator.model",
    "flipdish_sim.simulator.policy",
    "flipdish_sim.simulator.wire",
]

# Imports a module and every module of its package (private ones included), in a fresh interpreter, and
# prints the top-level names of everything then loaded.
_CLOSURE = """
import importlib, json, pkgutil, sys
for root in sys.argv[1:]:
    module = importlib.import_module(root)
    for info in pkgutil.walk_packages(getattr(module, "__path__", []), root + "."):
        importlib.import_module(info.name)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _closure(*roots: str, path: Path | None = None) -> set[str]:
    env = dict(os.environ)
    # Hypothesis runs its third-party entry points on import; trio's imports pytest when pytest is
    # installed (trio.testing). That is the environment's, not ours: the closure measures our imports.
    env["HYPOTHESIS_NO_PLUGINS"] = "1"
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-c", _CLOSURE, *roots]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("module", PURE_CORE)
def test_pure_core_loads_no_io_library_transitively(module: str) -> None:
    assert _closure(module) & IO_LIBRARIES == set()


@pytest.mark.parametrize("package", ["flipdish_sim.conformance", "flipdish_sim.contracts"])
def test_libraries_load_no_pytest_transitively(package: str) -> None:
    assert _closure(package) & {"pytest", "_pytest"} == set()


def test_the_closure_check_sees_an_indirect_import(tmp_path: Path) -> None:
    """The check above is not vacuous: a core-like module that imports the HTTP layer loads aiohttp."""
    planted = tmp_path / "planted_core"
    planted.mkdir()
    (planted / "__init__.py").write_text("import flipdish_sim.simulator.wire\n", encoding="utf-8")
    (planted / "_uses_http.py").write_text(
        "from flipdish_sim.simulator.http import _delivery\n", encoding="utf-8"
    )
    assert _closure("planted_core", path=tmp_path) & IO_LIBRARIES >= {"aiohttp", "httpx"}


def test_nothing_outside_the_plugin_imports_the_plugin() -> None:
    offenders = []
    for folder in ("simulator", "contracts", "conformance", "src"):
        for path in sorted((_ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
                else:
                    continue
                if any(
                    name == "flipdish_sim.plugin" or name.startswith("flipdish_sim.plugin.") for name in names
                ):
                    offenders.append(f"{path.relative_to(_ROOT)}:{node.lineno}")
    assert offenders == []


def test_sql_lives_in_the_log_package_only() -> None:
    """The log's schema is the log package's business: no other product module imports sqlite3 or queries."""
    sql = re.compile(r"\bimport sqlite3\b|\.query\(|\.execute\(|\bSELECT\s+\S+\s+FROM\b")
    offenders = [
        str(path.relative_to(_ROOT))
        for folder in ("simulator", "contracts", "conformance", "plugin", "src")
        for path in sorted((_ROOT / folder).rglob("*.py"))
        if (_ROOT / "simulator" / "log") not in path.parents and sql.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
