"""The conformance suite's own run time against correct in-process receivers (goal: whole suite < 10 s).

Grades ``examples/legacy_fastapi`` and ``examples/v3_fastapi`` (correct receivers, so no check waits out a
deadline) in-process with every check, and reports wall time and the outcome counts. Each family runs in a
fresh process (``python -m benchmarks.bench_conformance --family legacy``): imports are done before the
clock starts, but nothing the suite caches (generated fuzz payloads, schemas) is warm, as for a user.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from benchmarks.harness import REPO

URL = "/webhooks/flipdish"


def _grade(family: str) -> dict[str, Any]:
    from flipdish_sim.conformance import SuiteConfig, Target, run_suite_sync
    from flipdish_sim.contracts.catalogue import Family

    if family == "legacy":
        from examples.legacy_fastapi.app import create_app as legacy_app

        app = legacy_app("bench-token")
        config = SuiteConfig(family=Family.LEGACY, verify_token="bench-token", seed=1)
    else:
        from examples.v3_fastapi.app import create_app as v3_app

        app = v3_app(["bench-secret"])
        config = SuiteConfig(family=Family.V3, secrets=("bench-secret",), seed=1)
    started = time.perf_counter()
    report = run_suite_sync(Target.from_app(app, url=URL), config)
    seconds = time.perf_counter() - started
    return {"family": family, "seconds": round(seconds, 2), "summary": dict(report.summary)}


def _grade_in_fresh_process(family: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.bench_conformance", "--family", family]
    out = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def run() -> dict[str, Any]:
    rows = []
    goals = []
    for family in ("legacy", "v3"):
        row = _grade_in_fresh_process(family)
        rows.append(row)
        print(f"  conformance {family}: {row}", flush=True)
        goals.append(
            {
                "figure": f"conformance suite, {family} receiver in-process (all checks, cold caches)",
                "value": f"{row['seconds']:.1f} s ({row['summary']})",
                "baseline": "",
                "ratio": None,
                "goal": "< 10 s",
                "met": row["seconds"] < 10,
            }
        )
    return {"rows": rows, "goals": goals}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--family", choices=["legacy", "v3"], required=True)
    args = parser.parse_args()
    # imports first (not timed): the suite, the example receivers, FastAPI
    import examples.legacy_fastapi.app
    import examples.v3_fastapi.app  # noqa: F401
    import flipdish_sim.conformance  # noqa: F401

    print(json.dumps(_grade(args.family)))


if __name__ == "__main__":
    main()
