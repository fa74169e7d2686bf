"""``flipdish-sim send``: one event to one URL, as Flipdish would send it, one line per attempt."""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from flipdish_sim.errors import ContractViolationError, PayloadError, UsageError
from flipdish_sim.simulator.cli._options import (
    credential_options,
    deadline_option,
    family_option,
    time_scale_option,
)
from flipdish_sim.simulator.cli.network import network_options
from flipdish_sim.simulator.environment import SECRET_ENV, split_secrets

if TYPE_CHECKING:
    from flipdish_sim.simulator.engine import AttemptReport
    from flipdish_sim.simulator.log._store import Store

__all__ = ["attempt_line", "format_offset", "send"]

_UNREACHABLE = {"connection-refused", "connection-error"}


def _read_payload(path: str) -> dict[str, object]:
    from flipdish_sim.contracts.document import JsonDocumentError, parse_json

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise PayloadError(f"cannot read payload {path}: {err.strerror or err}") from err
    except UnicodeDecodeError as err:
        raise PayloadError(f"payload {path} is not JSON: {err}") from err
    except ValueError as err:  # a name no file system takes: a NUL or a lone surrogate
        raise PayloadError(f"cannot read payload {path}: not a usable file name") from err
    try:
        document = parse_json(text)
    except JsonDocumentError as err:
        raise PayloadError(f"payload {path} cannot be sent: {err}") from err
    except json.JSONDecodeError as err:
        raise PayloadError(f"payload {path} is not JSON: {err}") from err
    if not isinstance(document, dict):
        raise PayloadError(f"payload {path} holds a JSON {type(document).__name__}, not an object")
    return document


def _check_payload(event: str, payload: dict[str, object], strict: bool) -> None:
    from flipdish_sim.contracts.validate import validate

    issues = validate(payload, event)
    if not issues:
        return
    if strict:
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        raise ContractViolationError(f"{event}: {issues[0]}{more}", tuple(issues))
    for issue in issues[:5]:
        click.echo(f"warning: payload breaks the {event} contract: {issue}", err=True)
    if len(issues) > 5:
        click.echo(f"warning: ... and {len(issues) - 5} more contract issues", err=True)


@click.command()
@click.argument("event")
@click.option("--url", required=True, help="The receiver's callback URL.")
@family_option("Default: the event's own family.")
@credential_options
@click.option(
    "--payload",
    "payload_file",
    type=click.Path(dir_okay=False),
    help="JSON payload file (legacy: envelope or body).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the example payload.")
@click.option(
    "--duplicates", type=click.IntRange(0, 100), default=0, help="Extra deliveries of the same event."
)
@click.option("--retry/--no-retry", default=False, help="Follow the 24 h retry schedule until acknowledged.")
@time_scale_option(
    default=3600.0, help="With --retry: simulated time runs this much faster (3600: 24 h in 24 s)."
)
@deadline_option("Seconds per attempt.")
@click.option(
    "--fixed-ids", is_flag=True, help="Event and order ids as seeded (default: unique to each send)."
)
@click.option("--strict", is_flag=True, help="Refuse a --payload that breaks its contract (exit 1).")
@click.option(
    "--db", "db_path", type=click.Path(dir_okay=False), help="Keep the log here (default: a temporary file)."
)
@network_options
def send(
    event: str,
    url: str,
    family: str | None,
    verify_token: str | None,
    secrets: tuple[str, ...],
    payload_file: str | None,
    seed: int,
    duplicates: int,
    retry: bool,
    time_scale: float,
    deadline: float,
    fixed_ids: bool,
    strict: bool,
    db_path: str | None,
) -> None:
    """Send one EVENT to --url and print each attempt: number, offset, outcome, status, duration.

    \b
    Without --retry one attempt; with --retry the whole schedule on the wall clock compressed by
    --time-scale, until acknowledged or expired after 24 simulated hours.
    Exit: 0 acknowledged; 1 not acknowledged (or --strict payload invalid); 2 usage error (unknown
    event, unreadable payload, invalid or unreachable URL, missing secret).
    """
    from flipdish_sim.contracts.catalogue import get_event
    from flipdish_sim.simulator.model._subscription_rules import check_subscription

    spec = get_event(event)
    chosen = family or spec.family.value
    if chosen != spec.family.value:
        raise UsageError(f"{event!r} is a {spec.family.value} event, not {chosen}")
    secrets = split_secrets(secrets)
    if chosen == "v3" and not secrets:
        raise UsageError(f"a v3 event is signed: pass --secret S (or set {SECRET_ENV})")
    if chosen == "legacy" and secrets:
        raise UsageError("--secret signs v3 events; a legacy subscription uses --verify-token")
    check_subscription(  # the rule every entry point uses: refused here, before a log is opened
        callback_url=url, family=chosen, event_names=[event], verify_token=verify_token, secrets=secrets
    )
    payload = _read_payload(payload_file) if payload_file else None
    if payload is not None:
        _check_payload(event, payload, strict)
    with contextlib.ExitStack() as stack:
        if db_path is not None:
            from flipdish_sim.simulator.log._file import check_log_file

            log = Path(db_path)
            check_log_file(log)  # before anything is sent: a file of another application stays as it is
        else:
            log = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="flipdish-sim-"))) / "send.db"
        ok, reached = _send(
            log,
            event,
            url,
            chosen,
            verify_token,
            secrets,
            payload,
            seed,
            duplicates,
            retry,
            time_scale,
            deadline,
            fixed_ids,
            kept=db_path is not None,
        )
    if not reached:
        raise click.UsageError(f"could not reach {url}: nothing answered (see the attempts above)")
    raise SystemExit(0 if ok else 1)


def _send(
    db: Path,
    event: str,
    url: str,
    family: str,
    verify_token: str | None,
    secrets: tuple[str, ...],
    payload: dict[str, object] | None,
    seed: int,
    duplicates: int,
    retry: bool,
    time_scale: float,
    deadline: float,
    fixed_ids: bool = False,
    *,
    kept: bool = True,
) -> tuple[bool, bool]:
    """(every delivery acknowledged, the receiver answered at least once)."""
    from flipdish_sim.simulator.clock import WallClock
    from flipdish_sim.simulator.engine import Sender, SenderPolicy
    from flipdish_sim.simulator.http._delivery import make_client
    from flipdish_sim.simulator.log._file import open_log
    from flipdish_sim.simulator.model._identity import RunIdentity
    from flipdish_sim.simulator.policy._faults import DuplicatePolicy
    from flipdish_sim.simulator.policy._retry import FLIPDISH_DEFAULT, NO_RETRIES

    policy = SenderPolicy(
        retry=FLIPDISH_DEFAULT if retry else NO_RETRIES,
        deadline=deadline,
        duplicates=DuplicatePolicy(count=duplicates) if duplicates else None,
    )
    outcomes: list[str] = []

    def show(report: AttemptReport) -> None:
        outcomes.append(report.attempt.outcome.value)
        click.echo(attempt_line(report))

    async def go(store: Store) -> bool:
        async with make_client() as client:
            sender = Sender(
                store,
                clock=WallClock(time_scale if retry else 1.0),
                client=client,
                policy=policy,
                rng_seed=seed,
                identity=RunIdentity(None) if fixed_ids else None,
            )
            sender.on_attempt.append(show)
            sender.add_subscription(
                url,
                event_names=[event],
                family="v3" if family == "v3" else "legacy",
                verify_token=verify_token,
                secrets=secrets,
            )
            sent = sender.publish(event, payload, seed=seed)
            click.echo(f"event {sent.name} {sent.id} -> {url}")
            await sender.run_until_idle()
            states = store.delivery_states()
            _say_not_sent(store, db if kept else None)
        return all(state == "acknowledged" for state in states)

    with open_log(db) as store:
        ok = asyncio.run(go(store))
    return ok, any(o not in _UNREACHABLE for o in outcomes)


def _say_not_sent(store: Store, kept: Path | None) -> None:
    """One line per subscription whose deliveries a disable kept back (e.g. ``--duplicates`` to a failing
    receiver trips the auto-disable), and how to send them."""
    from flipdish_sim.simulator.log._summary import summarize

    if kept is None:
        how = "keep the log with --db FILE; 'flipdish-sim subscriptions enable {id} --db FILE', then"
        how += " 'flipdish-sim serve --db FILE' sends them"
    else:
        how = f"flipdish-sim subscriptions enable {{id}} --db {kept}, then flipdish-sim serve --db {kept}"
    for item in summarize(store).not_sent:
        click.echo(item.line(how))


def attempt_line(report: AttemptReport) -> str:
    """``attempt  2  +5s  http-error  503  12.3 ms  <error>  (next at +5m5s)``: one attempt for people."""
    attempt = report.attempt
    status = str(attempt.status_code) if attempt.status_code is not None else "-"
    dup = " duplicate" if report.duplicate else ""
    offset = format_offset(report.offset.total_seconds())
    line = f"attempt {report.attempt_no:>2}{dup}  +{offset:<9} {attempt.outcome.value:<18} {status:>3}"
    line += f"  {attempt.duration * 1000:8.1f} ms"
    if attempt.error and not attempt.ok:
        line += f"  {attempt.error}"
    if report.next_attempt_at is not None:
        first = attempt.at - report.offset
        line += f"  (next at +{format_offset((report.next_attempt_at - first).total_seconds())})"
    elif report.state.value == "expired":
        line += "  (given up)"
    return line


def format_offset(seconds: float) -> str:
    """``0s``, ``5s``, ``5m5s``, ``2h35m5s``."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}h" if hours else ""
    text += f"{minutes}m" if minutes else ""
    return text + (f"{secs}s" if secs or not (hours or minutes) else "")
