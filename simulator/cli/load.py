"""``flipdish-sim load``: Locust, headless, on this machine, sending Flipdish deliveries at a target rate.

A thin wrapper: it starts ``locust -f flipdish_sim/simulator/load.py`` (one process, or a master and
``--workers N`` worker processes) and prints the summary. To spread load over several machines run Locust
itself with ``--master`` / ``--worker`` (see ``flipdish_sim.simulator.load.locustfile``).
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.cli._options import credential_options, deadline_option, family_option
from flipdish_sim.simulator.cli.network import network_options
from flipdish_sim.simulator.engine import check_url
from flipdish_sim.simulator.http._network import Network
from flipdish_sim.simulator.http._network import current as current_network
from flipdish_sim.simulator.model._subscription_rules import check_secrets, check_verify_token

__all__ = ["load"]

F = TypeVar("F", bound=Callable[..., Any])

_DURATION = re.compile(r"^(?:\d+h)?(?:\d+m)?(?:\d+s)?$|^\d+$")


def _locustfile() -> str:
    if importlib.util.find_spec("locust") is None:
        raise UsageError("load mode needs Locust: pip install 'flipdish-sim[load]'")
    spec = importlib.util.find_spec("flipdish_sim.simulator.load.locustfile")
    assert spec is not None
    assert spec.origin is not None
    return spec.origin


def _probability(name: str, *, help: str) -> Callable[[F], F]:
    return click.option(name, type=click.FloatRange(0, 1), default=0.0, show_default=True, help=help)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def locust_arguments(
    *,
    url: str,
    rate: float,
    users: int,
    duration: str,
    family: str,
    events: str,
    duplicates: float,
    out_of_order: float,
    deadline: float,
    seed: int | None,
    summary: str,
) -> list[str]:
    """The Locust command line (after ``-f``) for one run; secrets are passed in the environment only."""
    arguments = [
        "--headless",
        "--only-summary",
        "--host",
        url,
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        duration,
        "--stop-timeout",
        str(math.ceil(deadline) + 1),
        "--flipdish-family",
        family,
        "--flipdish-user-rate",
        repr(rate / users),
        "--flipdish-duplicates",
        repr(duplicates),
        "--flipdish-out-of-order",
        repr(out_of_order),
        "--flipdish-deadline",
        repr(deadline),
        "--flipdish-summary",
        summary,
    ]
    if events:
        arguments += ["--flipdish-events", events]
    if seed is not None:
        arguments += ["--flipdish-seed", str(seed)]
    return arguments


def network_arguments(network: Network) -> list[str]:
    """The command's --ca-bundle/--trust-env/--insecure/--proxy, as the locustfile's options."""
    arguments = ["--flipdish-ca-bundle", str(network.ca_bundle)] if network.ca_bundle else []
    arguments += ["--flipdish-trust-env"] if network.trust_env else []
    arguments += ["--flipdish-insecure"] if network.insecure else []
    return arguments + (["--flipdish-proxy", network.proxy] if network.proxy else [])


def _run(base: list[str], arguments: list[str], workers: int, env: dict[str, str]) -> int:
    if workers == 0:
        return subprocess.run([*base, *arguments], env=env, check=False).returncode
    port = _free_port()
    master = subprocess.Popen(
        [
            *base,
            *arguments,
            "--master",
            "--master-bind-host",
            "127.0.0.1",
            "--master-bind-port",
            str(port),
            "--expect-workers",
            str(workers),
        ],
        env=env,
    )
    children = [
        subprocess.Popen(
            [*base, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        return master.wait()
    finally:
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


@click.command("load")
@click.option("--url", required=True, help="The receiver's callback URL.")
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Target deliveries per second, over all users.",
)
@click.option("--users", type=click.IntRange(min=1), default=10, show_default=True, help="Simulated senders.")
@click.option("--duration", default="30s", show_default=True, help="Run time: 45s, 10m, 1h30m.")
@family_option(default="legacy")
@click.option("--events", default="", help="Comma-separated lifecycle (default: an order's).")
@credential_options
@_probability("--duplicates", help="Probability an event is delivered twice.")
@_probability("--out-of-order", help="Probability a lifecycle has two neighbouring events swapped.")
@deadline_option("Seconds to connect and to read.")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Locust worker processes (0: one process).",
)
@click.option("--seed", type=int, default=None)
@click.option(
    "--summary",
    "summary_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the JSON summary here.",
)
@network_options
def load(
    url: str,
    rate: float,
    users: int,
    duration: str,
    family: str,
    events: str,
    verify_token: str | None,
    secrets: tuple[str, ...],
    duplicates: float,
    out_of_order: float,
    deadline: float,
    workers: int,
    seed: int | None,
    summary_path: str | None,
) -> None:
    """Send Flipdish deliveries at a target rate with Locust (headless, this machine)."""
    check_url(url)
    check_verify_token(verify_token)  # the subscription rule, as for every entry point
    check_secrets(secrets)
    if not _DURATION.match(duration) or duration in {"", "0"}:
        raise UsageError(f"--duration must look like 45s, 10m or 1h30m, got {duration!r}")
    if family == "v3" and not secrets:
        raise UsageError("v3 deliveries are signed: give --secret or set FLIPDISH_SIM_SECRET")
    base = [sys.executable, "-m", "locust", "-f", _locustfile()]
    env = {**os.environ, "FLIPDISH_SIM_SECRET": ",".join(secrets)}
    if verify_token:
        env["FLIPDISH_SIM_VERIFY_TOKEN"] = verify_token
    with tempfile.TemporaryDirectory() as tmp:
        summary = summary_path or str(Path(tmp, "summary.json"))
        arguments = locust_arguments(
            url=url,
            rate=rate,
            users=users,
            duration=duration,
            family=family,
            events=events,
            duplicates=duplicates,
            out_of_order=out_of_order,
            deadline=deadline,
            seed=seed,
            summary=summary,
        )
        arguments += network_arguments(current_network())
        code = _run(base, arguments, workers, env)
        if Path(summary).exists():
            total = json.loads(Path(summary).read_text(encoding="utf-8"))["total"]
            outcomes = ", ".join(f"{k.split(':', 1)[1]} {v}" for k, v in sorted(total.items()) if ":" in k)
            click.echo(
                f"sent {total.get('sent', 0)} deliveries ({total.get('duplicates', 0)} duplicates): "
                f"{outcomes or 'no outcome'}"
            )
    if code == 1:
        raise click.ClickException("some deliveries failed (see the outcomes above)")
    if code != 0:
        raise click.ClickException(f"locust exited with status {code}")
