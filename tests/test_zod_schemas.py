"""Examples of every catalogue event pass Flipdish's own Zod schemas (``@flipdish/events``), run by Node.

Optional: skipped when Node is absent, or when the npm package is neither given
(``FLIPDISH_SIM_EVENTS_MODULES`` = a ``node_modules`` folder holding it) nor installable (the npm registry
unreachable). Once installed it is kept in a cache folder beside pytest's temporary folders. The version is
the one ``contracts/upstream`` was converted from, so this checks the carried-over refinements
(``contracts/refinements.py``), not later upstream drift.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from flipdish_sim.contracts import Family, Profile, V3Shape, catalogue, example, validate
from flipdish_sim.contracts.refinements import DATE_TIME, GENERATOR_ONLY, LEGACY, TIME_OF_DAY, V3

EVENTS_VERSION = "1.26265.0"  # contracts/upstream/ORIGIN.md
SEEDS = 25
SCRIPT = Path(__file__).parent / "zod" / "zod_check.mjs"


def _installed(modules: Path) -> bool:
    manifest = modules / "@flipdish" / "events" / "package.json"
    return manifest.is_file() and json.loads(manifest.read_text("utf-8")).get("version") == EVENTS_VERSION


def _install(cache: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed, so @flipdish/events cannot be installed")
    staging = cache.with_name(f"{cache.name}.{os.getpid()}")
    command = [npm, "install", "--prefix", str(staging), "--no-audit", "--no-fund", "--ignore-scripts"]
    command += ["--fetch-retries=1", "--fetch-timeout=30000", f"@flipdish/events@{EVENTS_VERSION}"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    except subprocess.TimeoutExpired:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.skip("the npm registry did not answer within 300 s")
    if result.returncode != 0 or not _installed(staging / "node_modules"):
        shutil.rmtree(staging, ignore_errors=True)
        errors = [
            line.removeprefix("npm error").strip()
            for line in result.stderr.splitlines()
            if line.startswith("npm error") and "complete log" not in line
        ]
        reason = "; ".join(errors[:2]) or f"npm exited with status {result.returncode}"
        pytest.skip(f"cannot install @flipdish/events@{EVENTS_VERSION} from the npm registry: {reason}")
    try:
        staging.rename(cache)  # atomic: a concurrent run that finished first keeps its copy
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    return cache / "node_modules"


@pytest.fixture(scope="module")
def zod(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """(node, a node_modules folder holding @flipdish/events at EVENTS_VERSION)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    given = os.environ.get("FLIPDISH_SIM_EVENTS_MODULES")
    if given:
        if not _installed(Path(given)):
            pytest.fail(f"FLIPDISH_SIM_EVENTS_MODULES={given} holds no @flipdish/events@{EVENTS_VERSION}")
        return node, Path(given)
    cache = tmp_path_factory.getbasetemp().parent / f"flipdish-events-{EVENTS_VERSION}"
    modules = cache / "node_modules"
    return node, modules if _installed(modules) else _install(cache)


def _node(zod: tuple[str, Path], *args: str) -> Any:
    node, modules = zod
    command = [node, str(SCRIPT), str(modules), *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _check(zod: tuple[str, Path], items: list[dict[str, Any]], tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "examples.json"
    path.write_text(json.dumps(items), "utf-8")
    return list(_node(zod, "check", str(path)))


def _examples() -> list[dict[str, Any]]:
    items = []
    for spec in catalogue():
        shapes = [V3Shape.PROPERTIES, V3Shape.EVENT] if spec.family is Family.V3 else [V3Shape.PROPERTIES]
        for shape in shapes:
            for seed in range(SEEDS):
                payload = example(spec.name, seed=seed, profile=Profile.OBSERVED, shape=shape)
                items.append(
                    {"name": spec.name, "family": spec.family.value, "shape": shape.value, "seed": seed}
                    | {"payload": payload}
                )
    return items


def test_examples_of_every_event_pass_flipdishs_zod_schemas(zod: tuple[str, Path], tmp_path: Path) -> None:
    results = _check(zod, _examples(), tmp_path)
    invalid = [f"{r['name']} ({r['shape']}, seed {r['seed']}): {r['issues'][:3]}" for r in results]
    invalid = [line for line, r in zip(invalid, results, strict=True) if r["status"] == "invalid"]
    assert invalid == []
    unchecked = {r["name"] for r in results if r["status"] == "no-schema"}
    assert unchecked == {s.name for s in catalogue() if not s.observed}  # Flipdish publishes no body
    assert sum(r["status"] == "ok" for r in results) >= 100 * SEEDS


def test_the_refinement_table_matches_the_zod_schemas(zod: tuple[str, Path]) -> None:
    """A refinement Flipdish adds (or moves) upstream fails here until contracts/refinements.py has it."""
    names = {spec.name.lower(): spec.name for spec in catalogue()}
    kinds = {"DateTimeSchema": {"pattern": DATE_TIME}, "TimeSchema": {"pattern": TIME_OF_DAY}}
    found: dict[str, dict[str, object]] = {}
    for event_type, refined in _node(zod, "refinements").items():
        name = names.get(event_type.removesuffix(".v3"))
        if name is None:
            continue  # a zeus event that is not a webhook in the catalogue
        for path, kind in refined:
            found.setdefault(name, {})[path] = kinds.get(kind, kind)
    expected: dict[str, dict[str, object]] = {}
    for name, paths in LEGACY.items():
        expected[name] = dict(paths)
    for name, paths in V3.items():
        expected[name] = dict.fromkeys(paths, "refine:string")
    for name, paths in GENERATOR_ONLY.items():
        expected.setdefault(name, {}).update(dict.fromkeys(paths, "refine:object"))
    assert found == expected


@pytest.mark.parametrize(
    ("name", "pointer", "value"),
    [
        ("store.preorder_config.updated", ["Body", "PreOrderConfig", "CutOffTimeCurrentDayBasic"], "Counter"),
        ("store.opening_hours.updated", ["Body", "BusinessHoursPeriod", "StartTime"], "Lunch"),
        ("menu.created", ["Body", "Menu", "ModifiedTime"], "yesterday"),
        ("menu.published.v1", ["propertyCountryCode"], "ZZ"),
    ],
)
def test_zod_and_the_contract_reject_the_same_broken_value(
    zod: tuple[str, Path], tmp_path: Path, name: str, pointer: list[str], value: str
) -> None:
    payload = example(name, seed=3, profile=Profile.OBSERVED)
    assert validate(payload, name, profile=Profile.OBSERVED) == []
    parent: Any = payload
    for key in pointer[:-1]:
        parent = parent[key]
    parent[pointer[-1]] = value
    family = "v3" if name.endswith(".v1") else "legacy"
    item = {"name": name, "family": family, "shape": "properties", "seed": 3, "payload": payload}
    (result,) = _check(zod, [item], tmp_path)
    assert result["status"] == "invalid"
    issues = validate(payload, name, profile=Profile.OBSERVED)
    assert [issue.pointer for issue in issues] == ["/" + "/".join(pointer)]
