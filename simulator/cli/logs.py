"""``flipdish-sim logs export``: the log as Flipdish's WebhookLog records (JSON Lines or CSV)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import click

from flipdish_sim.simulator.cli import LOG_ID
from flipdish_sim.simulator.cli._options import existing_log_option

__all__ = ["logs"]


@click.group()
def logs() -> None:
    """The delivery log. Exit: 0 ok; 1 the log fails while read; 2 usage error (not a log, unknown id)."""


@logs.command()
@existing_log_option
@click.option("--subscription", "subscription_id", type=LOG_ID, help="Only this subscription's attempts.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option(
    "--output", type=click.Path(dir_okay=False, writable=True), help="Write here (default: stdout)."
)
def export(db_path: str, subscription_id: int | None, fmt: str, output: str | None) -> None:
    """One record per attempt with exactly Flipdish's WebhookLog fields, plus a "FlipdishSim" key.

    Verify tokens and secrets are masked. CSV puts the project's fields in FlipdishSim.* columns.
    """
    from flipdish_sim.simulator.log._export import export_logs
    from flipdish_sim.simulator.log._file import open_log

    with open_log(db_path, existing=True, write=False) as store:
        if subscription_id is not None:
            store.subscription(subscription_id)  # an unknown id is a usage error, before any output
        if output is None:
            count = export_logs(store, sys.stdout, fmt=fmt, subscription_id=subscription_id)
        else:
            count = _export_to_file(
                Path(output), lambda out: export_logs(store, out, fmt=fmt, subscription_id=subscription_id)
            )
    if output is not None:
        click.echo(f"{count} records -> {output}", err=True)


def _export_to_file(target: Path, write: Callable[[TextIO], int]) -> int:
    """Write through a temporary file next to ``target`` and rename it: never a half-written export."""
    from flipdish_sim.errors import UsageError

    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            count = write(out)
        os.replace(partial, target)
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise UsageError(f"cannot write {target}: {err.strerror or err}") from err
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count
