"""``flipdish-sim captures export``: the captures of a ``listen`` log as JSON Lines, secrets masked.

Each line is :func:`~flipdish_sim.simulator.model.capture_to_json` of one capture (format
``FlipdishSimCapture: 1``), readable by ``flipdish-sim contracts validate`` and by ``replay``. Headers are
masked: ``X-Verify-Token`` and credentials as ``***``, the v3 signature's digests as ``sha256=***`` (a v3
replay of an export re-signs with ``--secret``).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import click

from flipdish_sim.errors import UsageError

__all__ = ["captures"]


@click.group()
def captures() -> None:
    """Deliveries recorded by 'flipdish-sim listen'."""


@captures.command()
@click.option(
    "--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="A listen log."
)
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here (replaced whole, never half-written); default: stdout.",
)
def export(db_path: Path, fmt: str, out: Path | None) -> None:
    """Write every capture of --db as JSON Lines, in arrival order, secrets masked.

    Exit: 0 written; 2 the file is not a log, or --out cannot be written.
    """
    from flipdish_sim.simulator.log import open_log, read_captures
    from flipdish_sim.simulator.model import capture_to_json

    with open_log(db_path, existing=True, write=False) as store:
        lines = (
            json.dumps(capture_to_json(row.masked()), ensure_ascii=False) + "\n"
            for row in read_captures(store)
        )
        if out is None:
            for line in lines:
                click.echo(line, nl=False)
            return
        count = _write_whole(out, lines)
    click.echo(f"wrote {count} captures to {out}", err=True)


def _write_whole(out: Path, lines: Iterable[str]) -> int:
    """Write ``lines`` to a temporary file beside ``out``, then rename it over ``out``."""
    folder = out.parent if str(out.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=folder)
    except OSError as err:
        raise UsageError(f"cannot write {out}: {err.strerror or err}") from err
    count = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            for line in lines:
                stream.write(line)
                count += 1
        os.replace(temporary, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return count
