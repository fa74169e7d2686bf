"""The option groups several commands share, declared once: a flag reads the same, with the same envvar, range
and default, on every command that takes it.

- :func:`credential_options`: ``--verify-token`` and ``--secret`` (load, send, conformance).
- :func:`family_option`: ``--family legacy|v3`` (load, send, conformance, vectors).
- :func:`deadline_option`: ``--deadline`` seconds per attempt (load, send, conformance).
- :func:`clock_option` and :func:`time_scale_option`: which clock and how fast it runs (serve, run, send).
- :func:`existing_log_option`: ``--db`` naming an existing log (logs, subscriptions).

The network group (``--ca-bundle``, ``--trust-env``, ``--insecure``, ``--proxy``) lives in
:mod:`~flipdish_sim.simulator.cli.network`, with the code that applies it. Options that mean something
different on each command (``--db`` of ``serve``, ``send`` and ``run``, ``--seed``, ``--port``) stay with
their command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from flipdish_sim.simulator.environment import SECRET_ENV, VERIFY_TOKEN_ENV

__all__ = [
    "clock_option",
    "credential_options",
    "deadline_option",
    "existing_log_option",
    "family_option",
    "time_scale_option",
]

F = TypeVar("F", bound=Callable[..., Any])

_VERIFY_TOKEN = click.option(
    "--verify-token", envvar=VERIFY_TOKEN_ENV, help=f"Legacy X-Verify-Token [env {VERIFY_TOKEN_ENV}]."
)
_SECRET = click.option(
    "--secret",
    "secrets",
    multiple=True,
    envvar=SECRET_ENV,
    help=f"v3 signing secret; repeat while rotating [env {SECRET_ENV}: comma-separated].",
)


def credential_options(command: F) -> F:
    """``--verify-token`` (legacy, parameter ``verify_token``) and ``--secret`` (v3, repeatable, parameter
    ``secrets``), each also read from its ``FLIPDISH_SIM_*`` variable. The command checks them with the
    subscription rules (``check_verify_token``, ``check_secrets``)."""
    return _VERIFY_TOKEN(_SECRET(command))


def family_option(help: str | None = None, *, default: str | None = None) -> Callable[[F], F]:
    """``--family legacy|v3``: which generation of webhooks; ``default`` None lets the command decide."""
    return click.option(
        "--family",
        type=click.Choice(["legacy", "v3"]),
        default=default,
        show_default=default is not None,
        help=help,
    )


def deadline_option(help: str) -> Callable[[F], F]:
    """``--deadline`` seconds an attempt may take to connect and answer (default 10, Flipdish's assumed
    deadline); ``help`` says what the command does with a late answer."""
    return click.option(
        "--deadline", type=click.FloatRange(min=0.001), default=10.0, show_default=True, help=help
    )


def clock_option(*, default: str, help: str) -> Callable[[F], F]:
    """``--clock virtual|wall``: virtual time moves only when the sender (or the API) moves it; wall time is
    real time, compressed by ``--time-scale``."""
    return click.option(
        "--clock", type=click.Choice(["virtual", "wall"]), default=default, show_default=True, help=help
    )


def time_scale_option(*, default: float, help: str) -> Callable[[F], F]:
    """``--time-scale``: on the wall clock, simulated time runs this many times faster than real time
    (the wall clock's own rule: any number above 0)."""
    return click.option(
        "--time-scale",
        type=click.FloatRange(min=0, min_open=True),
        default=default,
        show_default=True,
        help=help,
    )


existing_log_option = click.option(
    "--db", "db_path", required=True, type=click.Path(dir_okay=False, exists=True), help="The log (SQLite)."
)
"""``--db FILE``: a log that must exist (parameter ``db_path``), for the commands that read or edit one."""
