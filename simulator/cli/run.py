"""``flipdish-sim run``: a scenario against a receiver, into a durable log, with a closing summary."""

from __future__ import annotations

import asyncio
import re
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from flipdish_sim.simulator.cli._options import clock_option, time_scale_option
from flipdish_sim.simulator.cli.network import network_options

if TYPE_CHECKING:
    from flipdish_sim.simulator.engine import AttemptReport
    from flipdish_sim.simulator.scenario._run import ScenarioRun

__all__ = ["RUNS_FOLDER", "new_run_path", "run"]

RUNS_FOLDER = "flipdish-sim-runs"
"""Where ``run`` without ``--db`` writes each run's own log (relative to the working directory)."""


@click.command()
@click.argument("scenario")
@click.option("--url", help="The receiver's callback URL (overrides the scenario's).")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    help=f"The log (SQLite): a new file, or an interrupted run's to resume it. Default: a new log per run"
    f" under {RUNS_FOLDER}/.",
)
@clock_option(
    default="virtual",
    help="virtual: jumps from one due attempt to the next; wall: real time (see --time-scale).",
)
@time_scale_option(default=1.0, help="Wall clock only: simulated time runs this much faster than real time.")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Shifts every payload seed; seeds the sender."
)
@click.option(
    "--fixed-ids",
    is_flag=True,
    help="Event and order ids as seeded, so a rerun is byte-identical (default: unique to each run).",
)
@click.option(
    "--progress/--no-progress", default=None, help="A progress bar (default: when stdout is a terminal)."
)
@network_options
def run(
    scenario: str,
    url: str | None,
    db_path: str | None,
    clock: str,
    time_scale: float,
    seed: int,
    fixed_ids: bool,
    progress: bool | None,
) -> None:
    """Run SCENARIO (a built-in name, see 'flipdish-sim scenarios list', or a YAML file).

    \b
    The virtual clock jumps from one due attempt to the next: the 24 h retry schedule runs as fast as
    the receiver answers. The wall clock waits in real time (compressed by --time-scale), e.g. to take
    a receiver down for a while during outage-recovery.
    Each run writes its own log (default: a new file under flipdish-sim-runs/, its path printed), so a
    run only ever sends to the URL it was given. --db FILE names a new file, or an interrupted run's log
    to resume it (same scenario, --seed, --clock and URL); a finished run is never appended to.
    Exit: 0 every delivery acknowledged; 1 some were not (expired, dropped, suspended) or the log failed
    during the run; 2 usage error (unknown scenario, malformed scenario, missing environment variable,
    invalid URL, a --db file that is not a flipdish-sim log, holds a finished or another run, or is in
    use by another process); 130 interrupted (run again with the same --db to resume).
    """
    from flipdish_sim.simulator.http._delivery import make_client
    from flipdish_sim.simulator.log._file import open_log
    from flipdish_sim.simulator.log._store import Store
    from flipdish_sim.simulator.log._summary import summarize
    from flipdish_sim.simulator.scenario._load import load_scenario
    from flipdish_sim.simulator.scenario._run import callback_url, open_run

    loaded = load_scenario(scenario)  # every check happens before the log is opened
    callback_url(loaded, url)
    loaded.to_policy()
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    show_bar = sys.stdout.isatty() if progress is None else progress
    if db_path is None:
        db_path = str(new_run_path(loaded.name))
        click.echo(f"log: {db_path}")

    async def go(store: Store) -> int:
        async with make_client() as client:
            session = open_run(
                loaded,
                store,
                client,
                url=url,
                clock=clock,
                time_scale=time_scale,
                seed=seed,
                fixed_ids=fixed_ids,
            )
            verb = "resuming" if session.resumed else "running"
            target = session.sender.subscriptions()[-1].callback_url
            click.echo(f"{verb} {loaded.name}: {session.total_events} events -> {target}")
            if session.resumed:
                r = session.sender.recovery
                click.echo(
                    f"resumed: {session.skip} events already published, {r.resumed} deliveries pending,"
                    f" {r.interrupted} interrupted"
                )
            if show_bar:
                await _with_bar(session)
            else:
                from flipdish_sim.simulator.engine._prefetch import prefetched

                session.sender.on_attempt.append(lambda report: click.echo(_plain(report)))
                await session.sender.run_until_idle(prefetched(session.events(), session.sender.identity))
            session.finish()
            return session.events_before

    with open_log(db_path) as store:
        try:
            events_before = asyncio.run(go(store))
        except KeyboardInterrupt:
            click.echo(f"interrupted; run again with --db {db_path} to resume", err=True)
            raise SystemExit(130) from None
        result = summarize(store, after_event_seq=events_before)
    again = ["flipdish-sim", "run", scenario, *(["--url", url] if url else []), "--db", db_path]
    again += [*(["--seed", str(seed)] if seed else []), *(["--clock", clock] if clock != "virtual" else [])]
    enable = f"flipdish-sim subscriptions enable {{id}} --db {shlex.quote(db_path)}, then {shlex.join(again)}"
    for line in result.lines(how_to_enable=enable):
        click.echo(line)
    ok = result.acknowledged == result.deliveries
    raise SystemExit(0 if ok else 1)


def new_run_path(scenario_name: str, folder: Path | None = None) -> Path:
    """A new file ``<folder>/<UTC timestamp>-<scenario>.db`` (``-2``, ``-3`` ... if taken)."""
    from datetime import UTC, datetime

    folder = Path(RUNS_FOLDER) if folder is None else folder
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as err:
        raise click.UsageError(f"cannot create {folder}: {err.strerror or err}; pass --db FILE") from err
    stem = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', scenario_name)[:60]}"
    candidate, n = folder / f"{stem}.db", 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}.db"
    return candidate


def _plain(report: AttemptReport) -> str:
    from flipdish_sim.simulator.cli.send import attempt_line

    return f"{report.attempt.at.isoformat()}  {report.event_name}  {attempt_line(report)}"


async def _with_bar(session: ScenarioRun) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flipdish_sim.simulator.engine._prefetch import prefetched

    counts = {"attempts": 0, "acknowledged": 0, "failed": 0}
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
    ) as bar:
        task = bar.add_task("events", total=session.total_events, completed=session.skip, detail="")

        def on_attempt(report: AttemptReport) -> None:
            counts["attempts"] += 1
            counts["acknowledged" if report.attempt.ok else "failed"] += 1
            detail = (
                f"attempts {counts['attempts']}  ok {counts['acknowledged']}  failed {counts['failed']}"
                f"  sim {report.attempt.at:%Y-%m-%d %H:%M:%S}"
            )
            if report.disabled is not None:
                detail += "  [red]subscription disabled[/red]"
            bar.update(task, detail=detail)

        session.sender.on_attempt.append(on_attempt)
        session.sender.on_publish.append(lambda event: bar.advance(task))
        await session.sender.run_until_idle(prefetched(session.events(), session.sender.identity))
