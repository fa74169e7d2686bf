"""Turn the measured sections into goal rows (ratios against same-run baselines) and a printable table."""

from __future__ import annotations

from typing import Any

FLIPDISH_CLIENTS = (
    "flipdish-sim attempt (make_client)",
    "flipdish-sim attempt (httpx-aiohttp transport)",
    "flipdish-sim attempt (proposed aiohttp transport)",
    "flipdish-sim engine (make_client)",
    "flipdish-sim engine (proposed aiohttp transport)",
)


def _loopback_rates(rows: list[dict[str, Any]]) -> dict[tuple[str, int], float]:
    return {(r["client"], r["concurrency"]): r["per_second"] for r in rows if "per_second" in r}


def _row(
    figure: str, value: str, baseline: str, ratio: float | None, goal: str, met: bool | None
) -> dict[str, Any]:
    return {
        "figure": figure,
        "value": value,
        "baseline": baseline,
        "ratio": None if ratio is None else round(ratio, 3),
        "goal": goal,
        "met": met,
    }


def loopback_goals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rates = _loopback_rates(rows)
    out = []
    for (client, concurrency), rate in sorted(rates.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if client == "wrk":
            continue
        wrk = rates.get(("wrk", concurrency))
        bare = rates.get(("httpx", concurrency))
        if wrk:
            goal = client in FLIPDISH_CLIENTS and concurrency in (10, 100)
            ratio = rate / wrk
            out.append(
                _row(
                    f"loopback c={concurrency} {client} / wrk",
                    f"{rate:,.0f}/s",
                    f"{wrk:,.0f}/s",
                    ratio,
                    ">= 0.50" if goal else "",
                    ratio >= 0.5 if goal else None,
                )
            )
        if bare and client in FLIPDISH_CLIENTS:
            ratio = rate / bare
            out.append(
                _row(
                    f"loopback c={concurrency} {client} / bare httpx",
                    f"{rate:,.0f}/s",
                    f"{bare:,.0f}/s",
                    ratio,
                    ">= 1.00",
                    ratio >= 1.0,
                )
            )
    return out


def goals(sections: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    loopback = sections.get("loopback")
    if isinstance(loopback, list):
        out += loopback_goals(loopback)
    for name in ("user", "engine", "scale", "conformance", "examples", "freezer"):
        section = sections.get(name)
        if isinstance(section, dict):
            out += section.get("goals", [])
    return out


def render(results: dict[str, Any]) -> str:
    machine = results["machine"]
    lines = [
        f"flipdish-sim benchmarks, {results['taken_at']}, {machine['cpus']} CPUs, "
        f"load average before {machine['load'][0]:.2f} after {machine['load_after'][0]:.2f}",
        "",
    ]
    loopback = results["sections"].get("loopback")
    if isinstance(loopback, list):
        rates = _loopback_rates(loopback)
        clients = list(dict.fromkeys(r["client"] for r in loopback))
        levels = sorted({c for _, c in rates})
        lines.append("| loopback client (deliveries/s) | " + " | ".join(f"c={c}" for c in levels) + " |")
        lines.append("|---|" + "---|" * len(levels))
        for client in clients:
            cells = [f"{rates[(client, c)]:,.0f}" if (client, c) in rates else "n/a" for c in levels]
            lines.append(f"| {client} | " + " | ".join(cells) + " |")
        lines.append("")
    rows = results.get("goals", [])
    if rows:
        lines.append("| figure | value | baseline (same run) | ratio | goal | met |")
        lines.append("|---|---|---|---|---|---|")
        for r in rows:
            met = {True: "yes", False: "NO", None: ""}[r["met"]]
            ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
            lines.append(
                f"| {r['figure']} | {r['value']} | {r['baseline']} | {ratio} | {r['goal']} | {met} |"
            )
    for name, section in results["sections"].items():
        if isinstance(section, dict) and "skipped" in section:
            lines.append(f"\n{name}: skipped ({section['skipped']})")
    return "\n".join(lines)
