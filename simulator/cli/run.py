"""``flipdish-sim run``: a scenario against a receiver, into a durable log, with a closing summary."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

import click

from flipdish_sim.simulator.cli.network import network_options

if TYPE_CHECKING:
    from flipdish_sim.simulator.engine import AttemptReport
    from flipdish_sim.simulator.session import ScenarioRun

__all__ = ["run"]


@click.command()
@click.argument("scenario")
@click.option("--url", help="The receiver's callback URL (overrides the scenario's).")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    default="flipdish-sim.db",
    show_default=True,
    help="The log (SQLite). Run again with the same file to resume an interrupted run.",
)
@click.option("--clock", type=click.Choice(["virtual", "wall"]), default="virtual", show_default=True)
@click.option(
    "--time-scale",
    type=click.FloatRange(min=1e-6),
    default=1.0,
    show_default=True,
    help="Wall clock only: simulated time runs this much faster than real time.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Shifts every payload seed; seeds the sender."
)
@click.option(
    "--progress/--no-progress", default=None, help="A progress bar (default: when stdout is a terminal)."
)
@network_options
def run(
    scenario: str,
    url: str | None,
    db_path: str,
    clock: str,
    time_scale: float,
    seed: int,
    progress: bool | None,
) -> None:
    """Run SCENARIO (a built-in name, see 'flipdish-sim scenarios list', or a YAML file).

    \b
    The virtual clock jumps from one due attempt to the next: the 24 h retry schedule runs as fast as
    the receiver answers. The wall clock waits in real time (compressed by --time-scale), e.g. to take
    a receiver down for a while during outage-recovery.
    Exit: 0 every delivery acknowledged; 1 some were not (expired, dropped, suspended) or the log failed
    during the run; 2 usage error (unknown scenario, malformed scenario, missing environment variable,
    invalid URL, a --db file that is not a flipdish-sim log); 130 interrupted (run again with the same
    --db to resume).
    """
    from flipdish_sim.simulator.delivery import make_client
    from flipdish_sim.simulator.logfile import open_log
    from flipdish_sim.simulator.scenario import load_scenario
    from flipdish_sim.simulator.session import callback_url, open_run, sender_policy
    from flipdish_sim.simulator.store import Store
    from flipdish_sim.simulator.summary import summarize

    loaded = load_scenario(scenario)  # every check happens before the log is opened
    callback_url(loaded, url)
    sender_policy(loaded)
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    show_bar = sys.stdout.isatty() if progress is None else progress

    async def go(store: Store) -> int:
        async with make_client() as client:
            session = open_run(loaded, store, client, url=url, clock=clock, time_scale=time_scale, seed=seed)
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
                session.sender.on_attempt.append(lambda report: click.echo(_plain(report)))
                await session.sender.run_until_idle(session.events())
            session.finish()
            return session.events_before

    with open_log(db_path) as store:
        try:
            events_before = asyncio.run(go(store))
        except KeyboardInterrupt:
            click.echo(f"interrupted; run again with --db {db_path} to resume", err=True)
            raise SystemExit(130) from None
        result = summarize(store, after_event_seq=events_before)
    for line in result.lines():
        click.echo(line)
    ok = result.acknowledged == result.deliveries
    raise SystemExit(0 if ok else 1)


def _plain(report: AttemptReport) -> str:
    from flipdish_sim.simulator.cli.send import attempt_line

    return f"{report.attempt.at.isoformat()}  {report.event_name}  {attempt_line(report)}"


async def _with_bar(session: ScenarioRun) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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
        await session.sender.run_until_idle(session.events())
