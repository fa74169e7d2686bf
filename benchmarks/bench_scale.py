"""Scale: the engine on the virtual clock, a 72 h window of traffic, 60% of attempts failing, flat memory.

Each point runs in its own process (``python -m benchmarks.bench_scale --events N``) so its peak RSS is its
own. Events are spread evenly over ``--spread-hours`` (72 by default) and published from a lazy feed; the
in-process ASGI receiver fails a deterministic 6 attempts in 10 (a counter), so an event takes about 2.5
attempts and ~400k events make ~1M attempts. The auto-disable rule stays on but with a 65% threshold, or it
would (correctly) disable the subscription within minutes and end the benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import receivers
from benchmarks.harness import REPO, peak_rss_mb, sample_body

URL = "http://receiver.local/webhooks"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
ATTEMPTS_PER_EVENT = 2.5  # 60% of attempts fail: 1 / 0.4


def _feed(events: int, spread: timedelta) -> Iterator[Any]:
    from flipdish_sim.simulator.scenario import PlannedEvent

    payload = json.loads(sample_body(1024))
    step = spread / events if events else timedelta(0)
    for i in range(events):
        yield PlannedEvent(at=T0 + step * i, name="order.created", payload=payload, seed=i)


async def _run(events: int, spread: timedelta, db: Path) -> dict[str, Any]:
    from flipdish_sim.simulator.clock import VirtualClock
    from flipdish_sim.simulator.engine import Sender, SenderPolicy
    from flipdish_sim.simulator.http import _delivery as delivery
    from flipdish_sim.simulator.log._store import Store
    from flipdish_sim.simulator.policy._disable import DisablePolicy

    client = delivery.make_client(transport=delivery.asgi_transport(receivers.failing_asgi(6)))
    policy = SenderPolicy(disable=DisablePolicy(threshold=0.65))
    counts = {"attempts": 0, "acknowledged": 0, "expired": 0}

    def tally(report: Any) -> None:
        counts["attempts"] += 1
        counts["acknowledged"] += report.attempt.ok
        counts["expired"] += report.state.value == "expired"

    with Store(db) as store:
        sender = Sender(store, clock=VirtualClock(T0), client=client, policy=policy)
        sender.add_subscription(URL, event_names=["order.created"], verify_token="bench-token")
        sender.on_attempt.append(tally)
        started = time.perf_counter()
        await sender.run_until_idle(feed=_feed(events, spread))
        seconds = time.perf_counter() - started
        disabled = any(not s.enabled for s in sender.subscriptions())
    await client.aclose()
    return {
        "events": events,
        **counts,
        "disabled": disabled,
        "seconds": round(seconds, 2),
        "attempts_per_second": round(counts["attempts"] / seconds, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "db_mb": round(sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20, 1),
    }


def run_point(events: int, spread_hours: float = 72.0, profile: str | None = None) -> dict[str, Any]:
    """One scale point in a fresh process; returns its figures."""
    command = [sys.executable, "-m", "benchmarks.bench_scale", "--events", str(events)]
    command += ["--spread-hours", str(spread_hours)]
    if profile:
        command += ["--profile", profile]
    out = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def run(largest: int = 1_000_000) -> dict[str, Any]:
    points = [n for n in (10_000, 100_000, 1_000_000) if n <= largest]
    rows = []
    for attempts in points:
        row = run_point(round(attempts / ATTEMPTS_PER_EVENT))
        rows.append(row)
        print(f"  scale   {row}", flush=True)
    goals: list[dict[str, Any]] = []
    first = rows[0]
    for row in rows:
        growth = (row["seconds"] / first["seconds"]) / (row["attempts"] / first["attempts"])
        goals.append(
            {
                "figure": f"scale {row['attempts']:,} attempts (72 h, 60% failing): time per attempt vs 10k",
                "value": f"{row['seconds']:.1f} s, {row['attempts_per_second']:,.0f}/s",
                "baseline": f"{first['seconds']:.1f} s for {first['attempts']:,}",
                "ratio": round(growth, 3),
                "goal": "<= 1.25 (linear)",
                "met": growth <= 1.25,
            }
        )
        goals.append(
            {
                "figure": f"scale {row['attempts']:,} attempts: peak RSS",
                "value": f"{row['peak_rss_mb']:.0f} MB",
                "baseline": "",
                "ratio": None,
                "goal": "< 300 MB",
                "met": row["peak_rss_mb"] < 300,
            }
        )
    return {"rows": rows, "goals": goals}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--spread-hours", type=float, default=72.0)
    parser.add_argument("--profile", help="write a pyinstrument HTML profile here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        coroutine = _run(args.events, timedelta(hours=args.spread_hours), Path(tmp, "scale.db"))
        if args.profile:
            from pyinstrument import Profiler

            with Profiler(async_mode="enabled") as profiler:
                result = asyncio.run(coroutine)
            Path(args.profile).write_text(profiler.output_text(unicode=False, color=False, show_all=False))
        else:
            result = asyncio.run(coroutine)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
