"""What a user measures: ``flipdish-sim run`` of 10,000 ``order.created`` as a subprocess, against wrk.

The receiver is the bare ASGI app under uvicorn on 127.0.0.1 (``benchmarks.receivers.bare_asgi``). For each
concurrency (the scenario's ``policy.concurrency``), in turns within one run:

* ``wrk -t1 -c<c>`` POSTs a ~2 KB legacy envelope (the size of an ``order.created``) to the same app;
* ``flipdish-sim run scenario.yaml --url <app> --db <new file> --no-progress`` is timed as a whole process:
  interpreter start-up, imports, the log's creation, generating and publishing every event, every delivery,
  the closing summary and exit. Its stdout (one line per attempt, what a CI job would see) is read and
  discarded. The rate is events / wall seconds; the figure is that rate over wrk's.

Where the gap comes from is measured too, in CPU: the run's processes (``getrusage`` of the reaped
subprocess and its worker) per event, and the receiver's per request (``/proc``). The two share the
machine's cores; at a rate of ``0.5 * wrk`` the receiver needs ``0.5 * wrk * receiver_cpu`` of them, and
the run's event loop, one thread, has at most ``1 / (0.5 * wrk)`` seconds of CPU per event. The section
prints that budget beside what the run spends.

Each concurrency is measured ``rounds`` times (wrk, then run, alternating); the section reports every
ratio, the median and the spread. ``wrk`` not installed: the section says so and skips, it never crashes.

    python -m benchmarks --only user
    python -m benchmarks.bench_user --events 3000 --rounds 1     # a quick look
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_loopback import wrk_rate
from benchmarks.harness import REPO, receiver_cpu_seconds, sample_body, uvicorn_receiver

CONCURRENCIES = (10, 100)
EVENTS = 10_000
GOAL = 0.5

SCENARIO = """\
name: bench-user
description: {events} order.created at one instant, {concurrency} in flight.
subscription:
  family: legacy
  version: "2.0"
  event_names: [order.created]
  verify_token_env: FLIPDISH_SIM_VERIFY_TOKEN
events:
  - event: order.created
    count: {events}
    seed: 1
policy:
  concurrency: {concurrency}
"""


def wrk_missing() -> str | None:
    """Why the section cannot run (None: it can)."""
    if shutil.which("wrk") is None and not Path("/usr/bin/wrk").exists():
        return "wrk is not installed (apt-get install wrk): the user-level figures are ratios against it"
    return None


def flipdish_sim_command() -> list[str]:
    """``flipdish-sim`` beside this interpreter, else ``python -m flipdish_sim.simulator.cli``."""
    script = Path(sys.executable).with_name("flipdish-sim")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "flipdish_sim.simulator.cli"]


def time_run(url: str, concurrency: int, events: int, folder: Path) -> dict[str, Any]:
    """One ``flipdish-sim run`` subprocess, timed from spawn to exit."""
    scenario = folder / f"bench-user-c{concurrency}.yaml"
    scenario.write_text(SCENARIO.format(events=events, concurrency=concurrency), encoding="utf-8")
    db = folder / f"run-{time.monotonic_ns()}.db"
    command = [*flipdish_sim_command(), "run", str(scenario), "--url", url, "--db", str(db), "--no-progress"]
    env = {**os.environ, "FLIPDISH_SIM_VERIFY_TOKEN": "bench-token"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    receiver_before = receiver_cpu_seconds(url)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=folder, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    receiver_after = receiver_cpu_seconds(url)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"flipdish-sim run exited {done.returncode}: " + " | ".join(tail))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    out = {"events": events, "seconds": round(seconds, 3), "per_second": round(events / seconds, 1)}
    out["run_cpu_us_per_event"] = round(cpu / events * 1e6, 1)
    if receiver_before is not None and receiver_after is not None:
        out["receiver_cpu_us_per_request"] = round((receiver_after - receiver_before) / events * 1e6, 1)
    return out


def run(
    *,
    events: int = EVENTS,
    concurrencies: tuple[int, ...] = CONCURRENCIES,
    rounds: int = 3,
    wrk_seconds: float = 3.0,
) -> dict[str, Any]:
    missing = wrk_missing()
    if missing is not None:
        print(f"  skipped: {missing}", flush=True)
        return {"skipped": missing}
    body = sample_body()
    rows: list[dict[str, Any]] = []
    goals: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, uvicorn_receiver() as url:
        folder = Path(tmp)
        for concurrency in concurrencies:
            turns: list[dict[str, Any]] = []
            for _ in range(rounds):
                wrk = wrk_rate(url, body, concurrency, wrk_seconds).per_second
                measured = time_run(url, concurrency, events, folder)
                ratio = measured["per_second"] / wrk
                budget = 1e6 / (GOAL * wrk)  # CPU per event of one event loop at GOAL x wrk
                turns.append(
                    {
                        **measured,
                        "wrk_per_second": round(wrk, 1),
                        "ratio": round(ratio, 3),
                        "loop_budget_us_per_event": round(budget, 1),
                    }
                )
                receiver = measured.get("receiver_cpu_us_per_request")
                print(
                    f"  user c={concurrency:<3} flipdish-sim run {events:,} events:"
                    f" {measured['seconds']:6.2f} s {measured['per_second']:7.0f}/s"
                    f"   wrk {wrk:7.0f}/s   ratio {ratio:.2f}"
                    f"   CPU per event: run {measured['run_cpu_us_per_event']:.0f} us"
                    + (f", receiver {receiver:.0f} us" if receiver is not None else "")
                    + f"; at {GOAL} x wrk the run's loop may spend {budget:.0f} us",
                    flush=True,
                )
            ratios = [t["ratio"] for t in turns]
            median = statistics.median(ratios)
            rates = sorted(t["per_second"] for t in turns)
            wrks = sorted(t["wrk_per_second"] for t in turns)
            rows.append(
                {
                    "concurrency": concurrency,
                    "events": events,
                    "rounds": turns,
                    "median_ratio": round(median, 3),
                    "spread": [min(ratios), max(ratios)],
                }
            )
            goals.append(
                {
                    "figure": f"user: `flipdish-sim run` of {events:,} order.created (whole process)"
                    f" / wrk, c={concurrency}, median of {rounds}"
                    f" (spread {min(ratios):.2f}-{max(ratios):.2f})",
                    "value": f"{statistics.median(rates):,.0f}/s",
                    "baseline": f"wrk {statistics.median(wrks):,.0f}/s",
                    "ratio": round(median, 3),
                    "goal": f">= {GOAL:.2f}",
                    "met": median >= GOAL,
                }
            )
    return {"rows": rows, "goals": goals}


def main(argv: list[str] | None = None) -> int:
    doc = (__doc__ or "").splitlines()[0]
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_user", description=doc)
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, action="append", help="repeatable (default: 10 and 100)")
    args = parser.parse_args(argv)
    levels = tuple(args.concurrency or CONCURRENCIES)
    result = run(events=args.events, rounds=args.rounds, concurrencies=levels)
    for goal in result.get("goals", []):
        print(f"{goal['figure']}: {goal['value']} vs {goal['baseline']}, ratio {goal['ratio']:.2f}")
    return 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
