"""What installing flipdish-sim costs a project that does not use it: pytest start-up, and packages.

    python -m benchmarks.bench_startup                # about 2 minutes: three fresh venvs, 15 runs each
    python -m benchmarks.bench_startup --max-added 0.3   # exit 1 when the median added time is larger

Four fresh virtualenvs from this interpreter, each with the same pytest version as the running one:

* ``bare``: pytest alone;
* ``httpx``: pytest and httpx (so anyio and its pytest plugin), as in any FastAPI/Starlette/httpx project;
* ``sim``: pytest and flipdish-sim (a wheel of this checkout, with its default dependencies);
* ``verify``: flipdish-sim-verify alone (``verify-dist/``), what a production receiver installs.

A one-test project (``def test_one(): pass``, no configuration) is run with ``python -m pytest -q`` in
``bare``, ``httpx`` and ``sim`` in turn; the figure is the difference of the medians (wall time of the
whole process, so interpreter start-up cancels out). Then, in ``sim``, each third-party ``pytest11``
plugin is blocked in turn (``-p no:NAME``) to show what each one costs. The venvs run on the same machine
in the same minutes, so the differences, not the absolute times, are the figures to read.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEST = "def test_one():\n    pass\n"


def _run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, cwd=cwd, check=False)
    if done.returncode != 0:
        raise SystemExit(
            f"Error: {' '.join(map(str, command))} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return done.stdout


def _venv(root: Path, name: str, *requirements: str | Path) -> Path:
    python = root / name / "bin" / "python"
    _run(sys.executable, "-m", "venv", root / name)
    _run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *requirements)
    return python


def _packages(python: Path) -> int:
    """Distributions installed in the venv, pip, setuptools and wheel left out."""
    listed = json.loads(_run(python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"))
    return len([p for p in listed if p["name"].lower() not in {"pip", "setuptools", "wheel"}])


def _plugins(python: Path) -> list[tuple[str, str]]:
    """The ``pytest11`` entry points of a venv: (name, distribution)."""
    code = (
        "import importlib.metadata as m, json;"
        "print(json.dumps(sorted({(e.name, e.dist.name) for e in m.entry_points(group='pytest11')})))"
    )
    return [tuple(pair) for pair in json.loads(_run(python, "-c", code))]  # type: ignore[misc]


def _time(python: Path, project: Path, *options: str) -> float:
    started = time.perf_counter()
    _run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options, cwd=project)
    return time.perf_counter() - started


def _medians(pythons: dict[str, tuple[Path, tuple[str, ...]]], project: Path, runs: int) -> dict[str, float]:
    """Median wall time per variant, the variants interleaved run by run (one warm-up each)."""
    seconds: dict[str, list[float]] = {name: [] for name in pythons}
    for _ in range(runs + 1):
        for name, (python, options) in pythons.items():
            seconds[name].append(_time(python, project, *options))
    return {name: statistics.median(values[1:]) for name, values in seconds.items()}


def run(runs: int = 15) -> dict[str, object]:
    pytest_version = importlib.metadata.version("pytest")
    with tempfile.TemporaryDirectory(prefix="flipdish-startup-") as tmp:
        root = Path(tmp)
        wheels = root / "wheels"
        _run(
            sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, REPO, REPO / "verify-dist"
        )
        (sim_wheel,) = wheels.glob("flipdish_sim-*.whl")
        (verify_wheel,) = wheels.glob("flipdish_sim_verify-*.whl")
        pytest_req = f"pytest=={pytest_version}"
        bare = _venv(root, "bare", pytest_req)
        with_httpx = _venv(root, "httpx", pytest_req, "httpx")
        sim = _venv(root, "sim", pytest_req, sim_wheel)
        verify = _venv(root, "verify", verify_wheel)
        project = root / "project"
        project.mkdir()
        (project / "test_one.py").write_text(TEST, encoding="utf-8")

        foreign = [(name, dist) for name, dist in _plugins(sim) if (name, dist) not in _plugins(bare)]
        variants: dict[str, tuple[Path, tuple[str, ...]]] = {
            "bare": (bare, ()),
            "httpx": (with_httpx, ()),
            "sim": (sim, ()),
        }
        for name, _dist in foreign:
            variants[f"sim -p no:{name}"] = (sim, ("-p", f"no:{name}"))
        blocked = tuple(option for name, _ in foreign for option in ("-p", f"no:{name}"))
        variants["sim, every plugin blocked"] = (sim, blocked)
        medians = _medians(variants, project, runs)
        packages = {"bare": _packages(bare), "sim": _packages(sim), "verify": _packages(verify)}

    added = medians["sim"] - medians["bare"]
    return {
        "pytest": pytest_version,
        "python": sys.version.split()[0],
        "runs": runs,
        "median_s": {name: round(value, 3) for name, value in medians.items()},
        "added_s": round(added, 3),
        "added_to_an_httpx_project_s": round(medians["sim"] - medians["httpx"], 3),
        "plugin_cost_s": {
            f"{name} ({dist})": round(medians["sim"] - medians[f"sim -p no:{name}"], 3)
            for name, dist in foreign
        },
        "packages": packages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=15, help="timed runs per variant (default 15)")
    parser.add_argument("--max-added", type=float, default=None, help="exit 1 above this many seconds")
    args = parser.parse_args()
    result = run(args.runs)
    print(json.dumps(result, indent=2))
    print(
        f"pytest start-up added by installing flipdish-sim: {result['added_s']:.3f} s (median of {args.runs})"
    )
    if args.max_added is not None and float(result["added_s"]) > args.max_added:  # type: ignore[arg-type]
        print(f"Error: more than {args.max_added} s", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
