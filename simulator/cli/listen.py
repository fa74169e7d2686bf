"""``flipdish-sim listen``: record real deliveries, judge them, forward them to a local receiver.

``listen --forward-to URL`` serves until Ctrl+C or SIGTERM, then prints the drift summary (exit 0);
``listen report --db FILE`` prints the drift summary of a listen log. See docs/listen.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.cli._options import time_scale_option
from flipdish_sim.simulator.cli.network import network_options
from flipdish_sim.simulator.environment import SECRET_ENV, VERIFY_TOKEN_ENV, split_secrets

if TYPE_CHECKING:
    import httpx

    from flipdish_sim.simulator.listen import HandledRequest, ListenSettings, Relay
    from flipdish_sim.simulator.log import Store
    from flipdish_sim.simulator.model import AttemptReport, CaptureVerdict

__all__ = ["attempt_line", "delivery_line", "listen"]


@click.group(invoke_without_command=True)
@click.option("--forward-to", metavar="URL", help="The local receiver every delivery is forwarded to.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8090, show_default=True, help="0: any free port."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    help="The log (SQLite). Default: a new file under flipdish-sim-runs/ (its path printed).",
)
@click.option(
    "--family",
    type=click.Choice(["auto", "legacy", "v3"]),
    default="auto",
    show_default=True,
    help="auto: v3 when a X-Flipdish-Signature or X-Flipdish-Event-Type header is present, else legacy.",
)
@click.option(
    "--verify-token", envvar=VERIFY_TOKEN_ENV, help=f"Legacy token to check [env {VERIFY_TOKEN_ENV}]."
)
@click.option(
    "--secret",
    "secrets",
    multiple=True,
    envvar=SECRET_ENV,
    help=f"v3 secret to verify signatures with; repeat while rotating [env {SECRET_ENV}].",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    help="v3: seconds a signature timestamp may differ from the time of receipt.",
)
@click.option(
    "--mode",
    type=click.Choice(["pass", "ack"]),
    default="pass",
    show_default=True,
    help="pass: answer with the receiver's status (Flipdish's retries apply). ack: answer 200 at once and"
    " deliver to --forward-to on the sender's retry schedule, every attempt in the log.",
)
@time_scale_option(
    default=1.0,
    help="--mode ack: the sender's retry schedule runs this many times faster (60: a 5 min retry in 5 s).",
)
@network_options
@click.pass_context
def listen(
    ctx: click.Context,
    forward_to: str | None,
    port: int,
    host: str,
    db_path: str | None,
    family: str,
    verify_token: str | None,
    secrets: tuple[str, ...],
    tolerance: float,
    mode: str,
    time_scale: float,
) -> None:
    """Receive webhooks on --host:--port, record each byte for byte, judge it, forward it to --forward-to.

    \b
    Each POST (any path) is committed to the log first; then its authentication (legacy verify token,
    v3 signature) and its contracts (both profiles) are judged, and its exact bytes and headers go to
    --forward-to (one POST, 10 s deadline, no redirect followed). The caller gets the receiver's status:
    502 when the receiver cannot be reached, 504 when it does not answer in time; 413 for a body over
    1 MiB. With --mode ack the caller gets 200 once the delivery is recorded, and the sender delivers it
    to --forward-to on its retry schedule (a legacy delivery with --verify-token; a v3 one re-signed with
    --secret when given); run again on the same --db to resume what is pending.
    One line per delivery (and per attempt with --mode ack); Ctrl+C or SIGTERM stops and prints the drift
    summary.
    Exit: 0 stopped; 2 usage error (bad URL or option, port taken, log in use or not a log).
    """
    if ctx.invoked_subcommand is not None:
        return
    from flipdish_sim.simulator.listen import Credentials, ListenSettings
    from flipdish_sim.simulator.model._subscription_rules import (
        check_callback_url,
        check_secrets,
        check_verify_token,
    )

    if not forward_to:
        raise UsageError("--forward-to URL is required: the local receiver to forward deliveries to")
    check_callback_url(forward_to)
    secrets = check_secrets(split_secrets(secrets))
    verify_token = check_verify_token(verify_token or None)
    if family == "legacy" and secrets:
        raise UsageError("--secret verifies v3 signatures; a legacy delivery carries --verify-token")
    if family == "v3" and verify_token:
        raise UsageError("--verify-token checks legacy deliveries; v3 deliveries are signed (--secret)")
    credentials = Credentials(verify_token, secrets, timedelta(seconds=tolerance))
    if time_scale != 1.0 and mode != "ack":
        raise UsageError("--time-scale speeds up the sender's retries: it applies to --mode ack only")
    settings = ListenSettings(forward_to, credentials, family)
    _run(settings, db_path, host, port, ack=mode == "ack", time_scale=time_scale)


def _run(
    settings: ListenSettings,
    db_path: str | None,
    host: str,
    port: int,
    *,
    ack: bool = False,
    time_scale: float = 1.0,
) -> None:
    from flipdish_sim.simulator.cli.run import new_run_path
    from flipdish_sim.simulator.log import open_log

    _check_port(host, port)  # before a log is created: a port in use leaves no file behind
    if db_path is None:
        db_path = str(new_run_path("listen"))
    stops: list[int] = []
    previous = {sig: signal.signal(sig, _noting(stops)) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with open_log(db_path) as store:
            asyncio.run(_serve(store, settings, host, port, db_path, stops, ack=ack, time_scale=time_scale))
            _print_summary(store)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _check_port(host: str, port: int) -> None:
    from flipdish_sim.simulator.server.runner import bind

    try:
        bind(host, port).close()
    except OSError as err:
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err


def _noting(stops: list[int]) -> Callable[[int, FrameType | None], None]:
    """A handler that only notes the signal: uvicorn stops the server on it, then hands it back to us."""

    def note(sig: int, frame: FrameType | None) -> None:
        stops.append(sig)

    return note


async def _serve(
    store: Store,
    settings: ListenSettings,
    host: str,
    port: int,
    db_path: str,
    stops: list[int],
    *,
    ack: bool = False,
    time_scale: float = 1.0,
) -> None:
    from flipdish_sim.simulator.http import make_client
    from flipdish_sim.simulator.listen import listen_app
    from flipdish_sim.simulator.log import CaptureLog
    from flipdish_sim.simulator.server.runner import start_server

    echo = _printer()
    async with make_client() as client, contextlib.AsyncExitStack() as stack:
        relay = _relay(store, client, settings, echo, stack, time_scale) if ack else None
        app = listen_app(
            CaptureLog(store), client, settings, on_delivery=lambda d: echo(delivery_line(d)), relay=relay
        )
        try:
            running = await start_server(app, host=host, port=port)
        except OSError as err:
            raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
        mode = " (ack: the sender delivers, with retries)" if ack else ""
        click.echo(f"flipdish-sim listen: {running.url} -> {settings.forward_to}{mode}, log {db_path}")
        click.echo("Press Ctrl+C to stop (a drift summary follows).")
        if stops:  # a signal came while starting, before the server could catch it
            await running.stop()
        await running.finished


def _relay(
    store: Store,
    client: httpx.AsyncClient,
    settings: ListenSettings,
    echo: Callable[[str], None],
    stack: contextlib.AsyncExitStack,
    time_scale: float,
) -> Relay:
    """``--mode ack``: a sender on the wall clock over the listen log, serving until listen stops."""
    from flipdish_sim.simulator.clock import WallClock
    from flipdish_sim.simulator.engine import Sender
    from flipdish_sim.simulator.listen import Relay

    sender = Sender(store, clock=WallClock(time_scale), client=client)
    sender.on_attempt.append(lambda report: echo(attempt_line(report)))
    serving = asyncio.ensure_future(sender.serve())

    async def stop() -> None:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving

    stack.push_async_callback(stop)
    credentials = settings.credentials
    return Relay(
        sender, settings.forward_to, verify_token=credentials.verify_token, secrets=tuple(credentials.secrets)
    )


def attempt_line(report: AttemptReport) -> str:
    """``--mode ack``: one attempt of the sender on one line: event, attempt number, answer, what next."""
    attempt = report.attempt
    answer = str(attempt.status_code) if attempt.status_code is not None else attempt.outcome.value
    parts = [
        f"{attempt.at:%H:%M:%S}",
        f"  attempt {report.attempt_no} of {report.event_name} ({report.event_id})",
        f"-> {answer}  {attempt.duration * 1000:.0f} ms",
    ]
    if report.next_attempt_at is not None:
        parts.append(f"next retry at {report.next_attempt_at:%H:%M:%S}")
    elif not attempt.outcome.ok:
        parts.append(f"delivery {report.state.value}")
    if report.disabled is not None:
        parts.append("the subscription is now auto-disabled (over 50% failed in 72 h)")
    return _one_line("  ".join(parts))


def _print_summary(store: Store) -> None:
    from flipdish_sim.simulator.listen import drift_summary
    from flipdish_sim.simulator.log import read_captures

    for line in drift_summary(row.verdict for row in read_captures(store)).lines():
        click.echo(line)


def _printer() -> Callable[[str], None]:
    if sys.stdout.isatty():
        from rich.console import Console

        console = Console(highlight=False)
        return lambda line: console.print(_colour(line))
    return lambda line: click.echo(line)


def _colour(line: str) -> str:
    from rich.markup import escape

    text = escape(line)
    for word, style in (("=ok", "green"), ("=valid", "green"), ("=FAIL", "red"), ("=wrong", "red")):
        text = text.replace(word, f"=[{style}]{word[1:]}[/{style}]")
    return text


def delivery_line(delivery: HandledRequest) -> str:
    """One delivery on one line: time, event (id), family, auth, contracts, unknown fields, answer, time."""
    capture, verdict = delivery.capture, delivery.verdict
    parts = [f"{capture.received_at:%H:%M:%S}"]
    if verdict is None:
        parts += [f"{capture.method} {capture.path}", f"-> {delivery.answered}", delivery.note]
        return _one_line("  ".join(parts))
    event = verdict.event_type or "(no event type)"
    parts += [event + (f" ({verdict.event_id})" if verdict.event_id else ""), verdict.family or "?"]
    parts.append(f"auth={verdict.auth.value}")
    parts += _contract_words(verdict)
    unknown = verdict.unknown_fields
    if unknown:
        parts.append(
            f"unknown={','.join(unknown[:3])}" + (f" (+{len(unknown) - 3})" if len(unknown) > 3 else "")
        )
    forward = delivery.forward
    if forward is not None:
        answer = str(delivery.answered)
        if forward.status_code is None:
            answer += f" ({forward.outcome.value}: {forward.error})"
        parts.append(f"-> {answer}  {forward.duration * 1000:.0f} ms")
    elif delivery.note:
        parts.append(f"-> {delivery.answered} ({delivery.note})")
    return _one_line("  ".join(parts))


def _contract_words(verdict: CaptureVerdict) -> list[str]:
    """``documented=ok  observed=FAIL(2) /Body/X: ...``; one ``contract=...`` when both say the same (v3
    events have one contract; a body no contract applies to is unchecked under both)."""
    said = []
    for contract in verdict.contracts:
        if not contract.checked:
            said.append(f"unchecked ({contract.note})")
        elif contract.valid:
            said.append("ok")
        else:
            pointer, message = contract.issues[0]
            said.append(f"FAIL({contract.count}) {pointer}: {message}")
    if len(set(said)) == 1:
        return [f"contract={said[0]}"]
    return [f"{c.profile}={words}" for c, words in zip(verdict.contracts, said, strict=True)]


def _one_line(text: str) -> str:
    from flipdish_sim.simulator.cli import one_line

    return one_line(text)


@listen.command()
@click.option(
    "--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="A listen log."
)
def report(db_path: Path) -> None:
    """Print the drift summary of a listen log: per event type, deliveries, failures, unknown fields.

    Exit: 0 printed; 2 the file is not a flipdish-sim log.
    """
    from flipdish_sim.simulator.log import open_log

    with open_log(db_path, existing=True, write=False) as store:
        _print_summary(store)
