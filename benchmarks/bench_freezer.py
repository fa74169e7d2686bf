"""What freezing an in-process receiver's clocks adds to ``Simulator.send`` (goals: see ``GOALS``).

One fresh process (``python -m benchmarks.bench_freezer``) loads about a thousand modules, as a user's suite
does (Flask, Starlette, Hypothesis, pytest, the plugin), then times ``send`` against a bare WSGI receiver with
``freeze_receiver_time=True`` and, as the same-run baseline, with ``freeze_receiver_time=False``: two
simulators send in turn, so both see the same load on a shared machine; each figure is a median. It also times
what every send used to pay: freezegun's own outermost ``start()``/``stop()``, which reads every loaded
module. The receiver answers at once, so the ratio to the send is the worst case: an app's work dilutes it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from benchmarks.harness import REPO

#: what a user's test process typically has loaded besides the plugin
LOADED = (
    "flask",
    "starlette.applications",
    "fastapi",
    "hypothesis",
    "pydantic",
    "httpx",
    "anyio",
    "pytest",
    "uvicorn",
    "jinja2",
    "sqlite3",
    "email.mime.text",
    "http.server",
    "logging.handlers",
    "unittest",
    "decimal",
    "statistics",
    "multiprocessing",
    "ssl",
    "urllib.request",
    "flipdish_sim.plugin.fixtures",
    "flipdish_sim.plugin.properties",
)
#: frozen send / send, and the freezer's added cost / freezegun's own start+stop (what a send used to add)
GOALS = {"send": 2.5, "overhead": 0.25}


def receiver(environ: dict[str, Any], start_response: Callable[..., object]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b""]


def _send_ms(sends: int) -> tuple[float, float]:
    """Median ``send`` time in ms, receiver time frozen and not: two simulators, one send each in turn."""
    from flipdish_sim.plugin.simulator import Simulator

    frozen_times: list[float] = []
    real_times: list[float] = []
    with (
        Simulator(receiver, verify_token="bench-token", freeze_receiver_time=True) as frozen,
        Simulator(receiver, verify_token="bench-token", freeze_receiver_time=False) as real,
    ):
        for sim in (frozen, real):
            sim.send("order.created").assert_acknowledged()  # warm: first-time imports, caches
        for _ in range(sends):
            for sim, times in ((frozen, frozen_times), (real, real_times)):
                started = time.perf_counter()
                sim.send("order.created")
                times.append(time.perf_counter() - started)
    return statistics.median(frozen_times) * 1000, statistics.median(real_times) * 1000


def _freezegun_start_stop_ms(repeat: int) -> float:
    from freezegun import freeze_time

    from flipdish_sim.plugin._frozen import IGNORE

    times = []
    for _ in range(repeat):
        freezer = freeze_time("2026-01-01", ignore=IGNORE, real_asyncio=True)
        started = time.perf_counter()
        freezer.start()
        freezer.stop()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(rounds: int, sends: int) -> dict[str, Any]:
    for name in LOADED:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    frozen, real = _send_ms(rounds * sends)
    return {
        "modules_loaded": len(sys.modules),
        "send_ms": round(real, 2),
        "frozen_send_ms": round(frozen, 2),
        "freezegun_start_stop_ms": round(_freezegun_start_stop_ms(sends), 2),
    }


def run(quick: bool = False) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.bench_freezer", "--json"]
    command += ["--rounds", "3" if quick else "5", "--sends", "20" if quick else "40"]
    out = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True).stdout
    row: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    print(f"  freezer: {row}", flush=True)
    send, frozen, freezegun = row["send_ms"], row["frozen_send_ms"], row["freezegun_start_stop_ms"]
    ratio, overhead = frozen / send, (frozen - send) / freezegun
    goals = [
        {
            "figure": f"send, receiver time frozen / not frozen ({row['modules_loaded']} modules loaded)",
            "value": f"{frozen:.2f} ms",
            "baseline": f"{send:.2f} ms",
            "ratio": round(ratio, 3),
            "goal": f"<= {GOALS['send']:.2f}",
            "met": ratio <= GOALS["send"],
        },
        {
            "figure": "freezing's cost per send / freezegun's own start+stop (what each send paid before)",
            "value": f"{frozen - send:.2f} ms",
            "baseline": f"{freezegun:.2f} ms",
            "ratio": round(overhead, 3),
            "goal": f"<= {GOALS['overhead']:.2f}",
            "met": overhead <= GOALS["overhead"],
        },
    ]
    return {"rows": [row], "goals": goals}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="measure here, print one JSON line")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sends", type=int, default=40)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.rounds, args.sends)))
        return
    from benchmarks.table import render

    section = run(quick=args.rounds < 5)
    print(render({"taken_at": "now", "machine": _machine(), "sections": {}, "goals": section["goals"]}))


def _machine() -> dict[str, Any]:
    import os

    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "load": load, "load_after": load}


if __name__ == "__main__":
    main()
