"""``flipdish-sim serve``: Flipdish's webhook API, the simulator's API and the dashboard, on one port.

Deliveries run in the background on the sender's schedule; stopping and starting again on the same
``--db`` carries on (pending retries resume). See docs/server.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from pathlib import Path

import click

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.cli._options import clock_option, time_scale_option
from flipdish_sim.simulator.cli.network import network_options
from flipdish_sim.simulator.server.app import create_app
from flipdish_sim.simulator.server.auth import new_token
from flipdish_sim.simulator.server.launch import ClockKind, open_backend
from flipdish_sim.simulator.server.runner import start_server
from flipdish_sim.simulator.wire._v3_api import ALLOW_LOCAL_HTTP_ENV

__all__ = ["serve"]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_api_token(token: str) -> None:
    """A chosen token travels as ``Authorization: Bearer <token>`` and in ``?token=``: printable ASCII."""
    if not token.strip():
        raise click.BadParameter("must not be empty", param_hint="--api-token")
    if not all("!" <= char <= "~" for char in token):
        raise click.BadParameter(
            "use printable ASCII without spaces (it is sent as an Authorization header)",
            param_hint="--api-token",
        )


async def _serve(
    db: Path,
    host: str,
    port: int,
    clock: ClockKind,
    time_scale: float,
    token: str,
    generated: bool,
    reveal: bool,
    v3_local_http: bool = False,
    captures: Path | None = None,
) -> None:
    async with open_backend(db, clock=clock, time_scale=time_scale) as backend:
        app = create_app(
            backend,
            api_token=token,
            reveal_verify_token=reveal,
            v3_allow_local_http=v3_local_http,
            captures_log=captures,
        )
        try:
            running = await start_server(app, host=host, port=port)
        except OSError as err:
            raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
        recovery = backend.sender.recovery
        scale = f", time scale x{time_scale:g}" if clock == "wall" and time_scale != 1 else ""
        click.echo(f"flipdish-sim serve: {running.url} ({clock} clock{scale}), log {db}")
        click.echo(f"  Flipdish API:  {running.url}/api/v1.0/{{appId}}/webhooks/...")
        click.echo(f"  v3 API:        {running.url}/webhooks/orgs/{{orgId}}/subscriptions")
        click.echo(f"  simulator API: {running.url}/_sim/...")
        if generated:
            click.echo(f"  API token:     {token}")
            click.echo(f"  dashboard:     {running.url}/dashboard?token={token}")
        else:  # the user chose it (--api-token or FLIPDISH_SIM_API_TOKEN): never echo it to a terminal
            click.echo("  API token:     the one you gave (--api-token or FLIPDISH_SIM_API_TOKEN)")
            click.echo(f"  dashboard:     {running.url}/dashboard?token=<your API token>")
        if recovery.resumed or recovery.interrupted:
            click.echo(
                f"  resumed {recovery.resumed} pending deliveries ({recovery.interrupted} interrupted)"
            )
        if not _is_loopback(host):
            click.echo(
                f"  warning: listening on {host}, not loopback: anyone who can reach it needs only the token"
            )
        click.echo("Press Ctrl+C to stop.")
        await running.finished


@click.command()
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("flipdish-sim.db"),
    show_default=True,
    help="The SQLite log (created if missing; reused to carry on).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="0: any free port."
)
@clock_option(
    default="wall",
    help="wall: real time (see --time-scale); virtual: moves only via POST /_sim/clock/advance.",
)
@time_scale_option(
    default=1.0,
    help="Wall clock only: simulated time runs this many times faster (60: a 5 min retry in 5 s).",
)
@click.option(
    "--api-token", envvar="FLIPDISH_SIM_API_TOKEN", help="Bearer token for the APIs (default: random)."
)
@click.option(
    "--mask-verify-tokens",
    is_flag=True,
    help="Mask verify tokens in GET .../subscriptions too (Flipdish returns them to their owner).",
)
@click.option(
    "--v3-allow-local-http",
    is_flag=True,
    envvar=ALLOW_LOCAL_HTTP_ENV,
    help="Let v3 callbacks be http://127.0.0.1 or http://localhost (Flipdish takes HTTPS only).",
)
@click.option(
    "--captures",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A 'flipdish-sim listen' log the dashboard's Captures page shows (read while listen writes it).",
)
@network_options
def serve(
    db: Path,
    host: str,
    port: int,
    clock: ClockKind,
    time_scale: float,
    api_token: str | None,
    mask_verify_tokens: bool,
    v3_allow_local_http: bool,
    captures: Path | None,
) -> None:
    """Serve Flipdish's v1.0 webhook API, the simulator's API and the Webhook details dashboard."""
    if api_token is not None:
        _check_api_token(api_token)
    from flipdish_sim.simulator.log._file import check_log_file

    check_log_file(db)  # before anything listens: another file is refused in one line, exit 2
    if captures is not None:
        check_log_file(captures, existing=True)
    token = api_token or new_token()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            _serve(
                db,
                host,
                port,
                clock,
                time_scale,
                token,
                api_token is None,
                not mask_verify_tokens,
                v3_allow_local_http,
                captures,
            )
        )
