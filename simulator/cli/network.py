"""``--ca-bundle``, ``--trust-env``, ``--insecure``, ``--proxy``: the same options on each command that sends.

By default a command delivers as Flipdish does (the system trust store, no proxy, the environment's CA and
proxy variables ignored); these options reach a staging endpoint behind an internal CA or a proxy. They
build a :class:`~flipdish_sim.simulator.http._network.Network` and make it current for the command, so every
HTTP client the command makes (``make_client``) uses it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from flipdish_sim.simulator.http._network import Network, use

__all__ = ["INSECURE_WARNING", "network_options"]

F = TypeVar("F", bound=Callable[..., Any])

INSECURE_WARNING = (
    "Warning: --insecure: receiver certificates are not checked; Flipdish checks them and would refuse "
    "a certificate this run accepts."
)

_OPTIONS = (
    click.option(
        "--ca-bundle",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="Also trust the CA certificates in this PEM file (a staging CA).",
    ),
    click.option(
        "--trust-env",
        is_flag=True,
        default=False,
        help="Honour SSL_CERT_FILE, SSL_CERT_DIR, HTTPS_PROXY, HTTP_PROXY and NO_PROXY (Flipdish would not).",
    ),
    click.option(
        "--insecure",
        is_flag=True,
        default=False,
        help="Do not check receiver certificates (Flipdish would refuse what this accepts).",
    ),
    click.option("--proxy", metavar="URL", default=None, help="Send every delivery through this HTTP proxy."),
)


def network_options(command: F) -> F:
    """Add the four options to a click command and run it with the :class:`Network` they describe."""

    @functools.wraps(command)
    def run(
        *args: Any, ca_bundle: Path | None, trust_env: bool, insecure: bool, proxy: str | None, **kwargs: Any
    ) -> Any:
        network = Network(ca_bundle=ca_bundle, trust_env=trust_env, insecure=insecure, proxy=proxy)
        if ca_bundle is not None:  # a bundle that is not PEM certificates fails here, before anything is sent
            network.ssl_context()
        if insecure:
            click.echo(INSECURE_WARNING, err=True)
        with use(network):
            return command(*args, **kwargs)

    for option in reversed(_OPTIONS):
        run = option(run)
    return run  # type: ignore[return-value]
