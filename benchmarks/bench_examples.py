"""Realistic example generation: ``order.created`` examples per second per core, against the code before.

``flipdish-sim run`` generates a payload per event, so the generator's speed caps what a run can publish.
Measured as CPU time of one process (so per core), each example with a distinct seed as a run draws them:

- *today*: ``example("order.created", seed=s)`` of this checkout;
- *before*: the same call on ``BEFORE`` (the commit before the generator was sped up, issue 14), exported
  with ``git archive`` into a temporary folder and run in a child process that does not see this checkout;
- *yardstick*: ``json.loads`` of one stored order.created payload, in each of those processes, so the two
  figures can also be compared when the machine's load changes between them.

Both processes are measured ``rounds`` times, alternating; the best round of each counts. Skips, saying
why, when git or the ``BEFORE`` commit is not available (e.g. outside a git checkout).

    python -m benchmarks.bench_examples            # prints the section as JSON
"""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.harness import REPO

BEFORE = "ad38ea8"  # main before issue 14's generator work: the walker checked every value per payload
GOAL = 10.0

_PROBE = r"""
import json, sys, time
from flipdish_sim.contracts.examples import example

count, repeat = int(sys.argv[1]), int(sys.argv[2])
raw = json.dumps(example("order.created", seed=0))

def best(step):
    fastest = float("inf")
    for r in range(repeat):
        started = time.process_time()
        step(r)
        fastest = min(fastest, time.process_time() - started)
    return count / fastest

def generate(r):
    for seed in range(r * count, (r + 1) * count):
        example("order.created", seed=seed)

def parse(r):
    for _ in range(count):
        json.loads(raw)

generate(0)  # plans compiled, imports done
print(json.dumps({"examples_per_s": best(generate), "loads_per_s": best(parse), "bytes": len(raw)}))
"""


def _probe(command: list[str], env: dict[str, str] | None, count: int, repeat: int) -> dict[str, float]:
    argv = [*command, "-c", _PROBE, str(count), str(repeat)]
    out = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, check=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def _export_before(folder: Path) -> Path | None:
    """``BEFORE``'s package laid out as installed (``flipdish_sim/contracts`` ...); None without git."""
    if shutil.which("git") is None:
        return None
    archive = subprocess.run(
        ["git", "archive", BEFORE, "src/flipdish_sim", "contracts"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        return None
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    tree = folder / "tree"
    tree.mkdir()
    (folder / "src" / "flipdish_sim").rename(tree / "flipdish_sim")
    (folder / "contracts").rename(tree / "flipdish_sim" / "contracts")
    return tree


def run(*, quick: bool = False, rounds: int | None = None) -> dict[str, Any]:
    count, repeat = (200, 3) if quick else (500, 5)
    rounds = rounds or (2 if quick else 3)
    today: list[dict[str, float]] = []
    before: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="flipdish-sim-before-") as tmp:
        tree = _export_before(Path(tmp))
        # -S: no site .pth files, so the editable install of this checkout cannot shadow the export
        paths = ":".join([str(tree), *site.getsitepackages()]) if tree else ""
        for _ in range(rounds):
            if tree is not None:
                before.append(_probe([sys.executable, "-S"], {"PYTHONPATH": paths}, count, repeat))
            today.append(_probe([sys.executable], None, count, repeat))
    now = max(today, key=lambda r: r["examples_per_s"])
    section: dict[str, Any] = {"today": now, "rounds": {"today": today, "before": before}}
    goals = [
        _goal(
            "order.created examples/s per core / json.loads of the same payload",
            now["examples_per_s"],
            f"{now['loads_per_s']:,.0f}/s",
            now["examples_per_s"] / now["loads_per_s"],
            "",
        )
    ]
    if not before:
        section["skipped_before"] = f"git or commit {BEFORE} not available: no same-run baseline"
        print(f"  examples: {section['skipped_before']}", flush=True)
    else:
        then = max(before, key=lambda r: r["examples_per_s"])
        section["before"] = then
        speedup = now["examples_per_s"] / then["examples_per_s"]
        goals.append(
            _goal(
                f"order.created examples/s per core, today / {BEFORE} (same run)",
                now["examples_per_s"],
                f"{then['examples_per_s']:,.0f}/s",
                speedup,
                f">= {GOAL:.0f}",
            )
        )
        relative = (now["examples_per_s"] / now["loads_per_s"]) / (
            then["examples_per_s"] / then["loads_per_s"]
        )
        section["speedup_against_yardstick"] = round(relative, 2)
    section["goals"] = goals
    print(f"  examples: {json.dumps({k: v for k, v in section.items() if k != 'rounds'})}", flush=True)
    return section


def _goal(figure: str, rate: float, baseline: str, ratio: float, goal: str) -> dict[str, Any]:
    return {
        "figure": figure,
        "value": f"{rate:,.0f}/s",
        "baseline": baseline,
        "ratio": round(ratio, 3),
        "goal": goal,
        "met": (ratio >= GOAL) if goal else None,
    }


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
