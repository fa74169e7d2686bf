"""Payload determinism: the same arguments give byte-for-byte the same examples as the pinned release.

Receivers' own tests, recorded fixtures and ``flipdish-sim run --seed`` replays rely on ``example(name,
seed=s)`` never changing under them. The pins in ``tests/data/example_pins.json`` are SHA-256 digests of the
JSON (key order kept, as delivered) of every catalogue event under several seeds, both profiles and both v3
shapes, plus every order lifecycle. A change of payloads must be deliberate: regenerate the pins with

    python tests/test_examples_determinism.py

and say in the commit (and the changelog) why seeds now give different payloads.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flipdish_sim.contracts.catalogue import Family, Profile, V3Shape, catalogue
from flipdish_sim.contracts.examples import OUTCOMES, example, examples, order_lifecycle

PINS = Path(__file__).with_name("data") / "example_pins.json"
SEEDS = (0, 1, 2, 7, 123_456_789)
AT = datetime(2026, 3, 29, 0, 59, 59, 999_000, tzinfo=UTC)  # the night Dublin's clocks go forward


def _digest(payloads: object) -> str:
    raw = json.dumps(payloads, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def _cases() -> dict[str, tuple[str, Profile, V3Shape]]:
    """Every pinned case, by a readable key; evaluated lazily so a failure names its case."""
    cases: dict[str, tuple[str, Profile, V3Shape]] = {}
    for spec in catalogue(Family.LEGACY):
        for profile in Profile:
            cases[f"{spec.name} {profile.value}"] = (spec.name, profile, V3Shape.PROPERTIES)
    for spec in catalogue(Family.V3):
        for profile in Profile:
            for shape in V3Shape:
                cases[f"{spec.name} {profile.value} {shape.value}"] = (spec.name, profile, shape)
    return cases


def _payloads(name: str, profile: Profile, shape: V3Shape) -> list[object]:
    out: list[object] = [example(name, seed=s, profile=profile, shape=shape) for s in SEEDS]
    out.append(example(name, seed=3, profile=profile, shape=shape, at=AT))
    return out


def _lifecycles(outcome: str) -> list[object]:
    out: list[object] = []
    for seed in SEEDS:
        for profile in Profile:
            out.append(order_lifecycle(seed=seed, outcome=outcome, profile=profile))
    out.append(order_lifecycle(seed=4, outcome=outcome, at=AT))
    return out


_RUN = "examples order.created x50"


def _keys() -> list[str]:
    return [*_cases(), *(f"lifecycle {outcome}" for outcome in OUTCOMES), _RUN]


def _compute() -> dict[str, str]:
    pins = {key: _digest(_payloads(*args)) for key, args in _cases().items()}
    for outcome in OUTCOMES:
        pins[f"lifecycle {outcome}"] = _digest(_lifecycles(outcome))
    pins[_RUN] = _digest(examples("order.created", seed=1000, count=50))
    return pins


@pytest.fixture(scope="module")
def pinned() -> dict[str, str]:
    data: dict[str, str] = json.loads(PINS.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("key", list(_cases()))
def test_every_event_gives_the_pinned_payloads(key: str, pinned: dict[str, str]) -> None:
    name, profile, shape = _cases()[key]
    assert _digest(_payloads(name, profile, shape)) == pinned[key], f"{key}: payloads changed"


@pytest.mark.parametrize("outcome", list(OUTCOMES))
def test_every_lifecycle_gives_the_pinned_payloads(outcome: str, pinned: dict[str, str]) -> None:
    assert _digest(_lifecycles(outcome)) == pinned[f"lifecycle {outcome}"]


def test_a_run_of_order_created_gives_the_pinned_payloads(pinned: dict[str, str]) -> None:
    assert _digest(examples("order.created", seed=1000, count=50)) == pinned[_RUN]


def test_the_pins_cover_the_whole_catalogue(pinned: dict[str, str]) -> None:
    assert sorted(pinned) == sorted(_keys())


_PROBE = """
import hashlib, json
from flipdish_sim.contracts.examples import example, order_lifecycle
names = ("order.created", "menu.updated", "sale.created.v1", "store.opening_hours.updated")
payloads = [example(n, seed=s) for n in names for s in range(40)]
payloads.append(order_lifecycle(seed=9, outcome="refunded"))
raw = json.dumps(payloads, ensure_ascii=False, separators=(",", ":"))
print(hashlib.sha256(raw.encode()).hexdigest())
"""


def test_processes_with_different_hash_seeds_give_the_same_payloads() -> None:
    """Compiled fill code, caches and sets must not make a payload depend on ``str`` hashing."""
    digests = set()
    for hash_seed in ("1", "2", "random"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        argv = [sys.executable, "-c", _PROBE]
        digests.add(subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout.strip())
    assert len(digests) == 1, digests


if __name__ == "__main__":  # regenerate the pins after a deliberate, documented change of payloads
    PINS.write_text(json.dumps(_compute(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    sys.exit(0)
