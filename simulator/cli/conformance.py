"""``flipdish-sim conformance``: grade a webhook receiver against Flipdish's delivery contract.

The same checks as ``pytest --flipdish-conformance``. Exit 0 when every check passed or was skipped, 1 when
any failed or was blocked, 2 for a usage error or a receiver that cannot be reached at all. Imports no pytest.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.cli._options import credential_options, deadline_option, family_option
from flipdish_sim.simulator.cli.network import network_options
from flipdish_sim.simulator.environment import split_secrets

__all__ = ["conformance"]


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _family(family: str | None, events: tuple[str, ...], secrets: tuple[str, ...]) -> str:
    from flipdish_sim.contracts.catalogue import get_event

    if family:
        return family
    if events:
        return get_event(events[0]).family.value
    return "v3" if secrets else "legacy"


def _list_checks() -> None:
    from flipdish_sim.conformance.checks import CHECKS

    for check in CHECKS:
        click.echo(f"{check.id:24} {check.summary}")


@click.command()
@click.argument("names", nargs=-1, metavar="[EVENTS]...")
@click.option("--url", help="The receiver's URL (with --app: the path the app serves).")
@click.option(
    "--app", "app_spec", metavar="MODULE:ATTR", help="Grade an ASGI/WSGI app in-process, no server."
)
@family_option("Default: from --events, else v3 with --secret.")
@credential_options
@click.option("--events", "events", multiple=True, help="Events to grade (repeat, or comma-separate).")
@click.option("--probe-url", help='GET answering {"applied": N}: enables idempotency.duplicates.')
@click.option("--check", "checks", multiple=True, help="Run only these check ids (repeat or comma-separate).")
@click.option("--junitxml", type=click.Path(dir_okay=False), help="Write a JUnit XML report here.")
@click.option("--report-json", type=click.Path(dir_okay=False), help="Write the JSON report here.")
@click.option(
    "--reproducers",
    "reproducer_dir",
    type=click.Path(file_okay=False),
    default="flipdish-reproducers",
    show_default=True,
    help="Where each failing request is saved as an executable curl script (its body inline).",
)
@deadline_option("Seconds: any attempt answered later fails ack.deadline.")
@click.option(
    "--max-time", type=click.FloatRange(min=1), default=600.0, show_default=True,
    help="Seconds the whole run may take; checks it cuts short are reported blocked (exit 1).",
)  # fmt: skip
@click.option(
    "--valid-deliveries", type=click.IntRange(1, 10000), default=44, show_default=True,
    help="Plain valid deliveries sent first (44 catch a receiver slow on 1 in 10 with 99 % probability).",
)  # fmt: skip
@click.option("--fuzz-examples", type=click.IntRange(0, 1000), default=10, show_default=True)
@click.option("--seed", type=int, help="Seed ids and payloads (default: fresh ids every run).")
@click.option(
    "--signed", type=click.Choice(["timestamp.body", "body"]), default="timestamp.body", show_default=True,
    help="v3: what the signature covers (Flipdish does not publish it).",
)  # fmt: skip
@click.option("--list-checks", is_flag=True, help="List the check ids and exit.")
@network_options
def conformance(
    names: tuple[str, ...],
    url: str | None,
    app_spec: str | None,
    family: str | None,
    verify_token: str | None,
    secrets: tuple[str, ...],
    events: tuple[str, ...],
    probe_url: str | None,
    checks: tuple[str, ...],
    junitxml: str | None,
    report_json: str | None,
    reproducer_dir: str,
    deadline: float,
    max_time: float,
    valid_deliveries: int,
    fuzz_examples: int,
    seed: int | None,
    signed: str,
    list_checks: bool,
) -> None:
    """Grade a webhook receiver (--url, or --app in-process) against Flipdish's delivery contract.

    \b
    One row per check: passed, failed (with the receiver's answer and an executable curl reproducer),
    skipped (not applicable, and why) or blocked (by the check that failed first, or by --max-time).
    A line per check as it starts and ends (plain lines when not on a terminal, as in CI).
    Exit: 0 every check passed or was skipped; 1 a check failed or was blocked; 2 usage error or
    unreachable receiver.
    """
    if list_checks:
        _list_checks()
        return
    from rich.console import Console

    from flipdish_sim.conformance import Route, SuiteConfig, run_suite
    from flipdish_sim.conformance.checks import select_checks
    from flipdish_sim.conformance.probe import http_probe
    from flipdish_sim.conformance.progress import progress_printer
    from flipdish_sim.conformance.report import render_table
    from flipdish_sim.conformance.target import Target
    from flipdish_sim.contracts.catalogue import Family
    from flipdish_sim.simulator.wire._envelope import RequestOptions

    selected = _split(events + names)
    secrets = split_secrets(secrets)
    chosen = Family(_family(family, selected, secrets))
    if chosen is Family.LEGACY and secrets:
        raise UsageError("--secret signs v3 deliveries; a legacy receiver takes --verify-token")
    if chosen is Family.V3 and verify_token and not secrets:
        raise UsageError("--verify-token is for legacy receivers; a v3 receiver takes --secret")
    from flipdish_sim.simulator.model._subscription_rules import check_secrets, check_verify_token

    check_verify_token(verify_token)  # the subscription rule, as for every entry point
    check_secrets(secrets)
    if app_spec:
        target = Target.from_spec(app_spec, url=url)
    elif url:
        from flipdish_sim.simulator.engine import check_url

        target = Target.from_url(url)
        check_url(url)
    else:
        raise UsageError("give the receiver: --url URL, or --app MODULE:ATTR for an in-process app")
    select_checks(checks)
    config = SuiteConfig(
        family=chosen,
        verify_token=verify_token if chosen is Family.LEGACY else None,
        secrets=tuple(secrets),
        events=selected,
        deadline=deadline,
        max_time=max_time,
        valid_deliveries=valid_deliveries,
        route=Route.cli(),
        fuzz_examples=fuzz_examples,
        fuzz_seed=seed or 0,
        seed=seed,
        options=RequestOptions(signed=signed),
    )
    probe = http_probe(target, probe_url) if probe_url else None
    console = Console(soft_wrap=False)
    report = asyncio.run(
        run_suite(
            target,
            config,
            checks=checks,
            probe=probe,
            reproducer_dir=Path(reproducer_dir),
            progress=progress_printer(console),
        )
    )
    render_table(report, console)
    if report_json:
        report.write_json(Path(report_json))
    if junitxml:
        report.write_junit(Path(junitxml))
    raise SystemExit(report.exit_code)
