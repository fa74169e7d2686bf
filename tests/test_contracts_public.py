"""Every ``flipdish_sim.contracts`` name README.md and docs/ document imports; nothing more is public.

The contracts' internals are private modules (``_plan``, ``_compiler``, ``_vendored``, ...); the public
surface is each package's ``__init__`` plus the modules the docs name (``catalogue``, ``validate``,
``build``, ``diff``, ``refinements``, ``vectors``).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import flipdish_sim.contracts

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: ``from flipdish_sim.contracts[.module] import a, b`` in a code block or in prose.
_FROM_IMPORT = re.compile(r"from (flipdish_sim\.contracts(?:\.\w+)*) import ([\w, ]+)")
#: ``flipdish_sim.contracts.name`` in prose (a module or a name of the package).
_DOTTED = re.compile(r"`(flipdish_sim\.contracts(?:\.\w+)+)")

#: Names the README's contracts sections document in prose, without an import line.
PROSE = {
    "flipdish_sim.contracts": ["V3Shape", "profile_conflicts", "from_schema", "UnsupportedSchemaError"],
}

#: The modules other packages and the docs name by path. ``document`` (main's strict JSON reader, which the
#: simulator imports) is public where it exists; the vectors' builders are named by test_architecture.py.
PUBLIC_MODULES = {
    *("build", "catalogue", "diff", "document", "examples", "refinements", "strategies", "validate"),
    *("vectors", "vectors.legacy", "vectors.v3", "vectors.v3_rejected"),
}


def _documented() -> list[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for module, names in _FROM_IMPORT.findall(text):
            found.update((module, name.strip()) for name in names.split(",") if name.strip())
        for dotted in _DOTTED.findall(text):
            module, _, name = dotted.removesuffix("(").rpartition(".")
            found.add((module, name))
    for module, names in PROSE.items():
        found.update((module, name) for name in names)
    return sorted(found)


def test_the_docs_document_contracts_names() -> None:
    documented = _documented()
    assert ("flipdish_sim.contracts", "validate") in documented
    assert ("flipdish_sim.contracts", "payloads") in documented
    assert ("flipdish_sim.contracts", "Family") in documented


@pytest.mark.parametrize(("module", "name"), _documented())
def test_every_documented_name_imports(module: str, name: str) -> None:
    mod = importlib.import_module(module)
    if not hasattr(mod, name):
        importlib.import_module(f"{module}.{name}")  # a documented submodule
    else:
        assert getattr(mod, name) is not None


def test_internal_modules_are_private() -> None:
    """A new contracts module is either named in the docs' public surface or starts with ``_``."""
    public = set()
    for package in (
        flipdish_sim.contracts,
        *(
            importlib.import_module(f"flipdish_sim.contracts.{m}")
            for m in ("examples", "strategies", "vectors")
        ),
    ):
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_"):
                public.add(f"{package.__name__}.{info.name}".removeprefix("flipdish_sim.contracts."))
    assert public - PUBLIC_MODULES == set(), (
        "a new contracts module is public: name it _module or document it"
    )
    assert {"catalogue", "validate", "examples", "strategies"} <= public
