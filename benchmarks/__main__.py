"""``python -m benchmarks``: run every benchmark, print the table of ratios, write benchmarks/results.json.

    python -m benchmarks                     # everything (about 5 minutes on 2 cores)
    python -m benchmarks --quick             # shorter runs, 1M scale point skipped
    python -m benchmarks --only loopback     # one section (see --help for the list)

Each ratio compares two figures measured in this same run: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results.json")
SECTIONS = ("loopback", "user", "engine", "scale", "conformance", "examples", "freezer")


def _section(name: str, args: argparse.Namespace) -> Callable[[], Any]:
    if name == "loopback":
        from benchmarks import bench_loopback

        return lambda: bench_loopback.run(seconds=args.seconds, repeat=args.repeat)
    if name == "user":
        from benchmarks import bench_user

        return lambda: bench_user.run(rounds=args.rounds, events=args.user_events)
    if name == "engine":
        from benchmarks import bench_engine

        return lambda: bench_engine.run(quick=args.quick)
    if name == "scale":
        from benchmarks import bench_scale

        return lambda: bench_scale.run(largest=args.scale_max)
    if name == "examples":
        from benchmarks import bench_examples

        return lambda: bench_examples.run(quick=args.quick)
    if name == "freezer":
        from benchmarks import bench_freezer

        return lambda: bench_freezer.run(quick=args.quick)
    from benchmarks import bench_conformance

    return lambda: bench_conformance.run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", action="append", choices=SECTIONS, help="run only this section (repeatable)"
    )
    parser.add_argument("--quick", action="store_true", help="short runs; the scale series stops at 100k")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per loopback measurement")
    parser.add_argument("--repeat", type=int, default=1, help="best of N per loopback measurement")
    parser.add_argument(
        "--rounds", type=int, default=3, help="user section: rounds per concurrency (median and spread)"
    )
    parser.add_argument(
        "--user-events", type=int, default=None, help="user section: events per run (default 10,000)"
    )
    parser.add_argument("--scale-max", type=int, default=None, help="largest scale point (default 1,000,000)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    args.seconds = args.seconds or (1.5 if args.quick else 3.0)
    args.user_events = args.user_events or 10_000
    args.scale_max = args.scale_max or (100_000 if args.quick else 1_000_000)

    results: dict[str, Any] = {
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
        "sections": {},
    }
    started = time.perf_counter()
    for name in args.only or SECTIONS:
        print(f"== {name}", flush=True)
        try:
            results["sections"][name] = _section(name, args)()
        except ImportError as err:  # a part of flipdish-sim this section needs does not exist yet
            results["sections"][name] = {"skipped": f"not available: {err}"}
            print(f"  skipped: {err}", flush=True)
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["machine"]["load_after"] = os.getloadavg()

    from benchmarks.table import goals, render

    results["goals"] = goals(results["sections"])
    print(render(results))
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
