"""The ``flipdish-sim`` command line: one click group whose subcommands load lazily.

Each subcommand lives in its own module and is imported only when it runs, so ``flipdish-sim --help``
and ``flipdish-sim events list`` never import the server or the HTTP stack.

Exit statuses: 0 success; 1 a failure the command reports (an invalid payload, a failed delivery, a
failed check); 2 a usage error (bad option, unknown event, unreadable or malformed input).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

import click

from flipdish_sim.errors import FlipdishSimError, UsageError

__all__ = ["LOG_ID", "main"]

#: A subscription (or other log) id on the command line: the log's ids are SQLite integers, 1..2**63-1.
LOG_ID = click.IntRange(1, 2**63 - 1)

#: name -> "module:attribute" of each subcommand, imported on first use.
SUBCOMMANDS: dict[str, str] = {
    name: f"flipdish_sim.simulator.cli.{module}:{attribute}"
    for name, module, attribute in [
        ("events", "events", "events"),
        ("contracts", "contracts", "contracts"),
        ("send", "send", "send"),
        ("run", "run", "run"),
        ("scenarios", "scenarios", "scenarios"),
        ("subscriptions", "subscriptions", "subscriptions"),
        ("logs", "logs", "logs"),
        ("conformance", "conformance", "conformance"),
        ("serve", "serve", "serve"),
        ("demo", "demo", "demo"),
        ("load", "load", "load"),
        ("vectors", "vectors", "vectors"),
        ("replay", "replay", "replay"),
        ("listen", "listen", "listen"),
        ("captures", "captures", "captures"),
    ]
}

F = TypeVar("F", bound=Callable[..., Any])


class LazyGroup(click.Group):
    """A group whose commands are imported on demand (click's documented lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *SUBCOMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):  # pragma: no cover - a wiring mistake
            raise TypeError(f"{target} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as err:
            raise BadInput(one_line(str(err))) from err
        except click.UsageError as err:  # click's own: a bad option or argument of a subcommand
            where = f" (see '{err.ctx.command_path} --help')" if err.ctx is not None else ""
            raise BadInput(one_line(f"{err.format_message()}{where}")) from err
        except FlipdishSimError as err:
            raise click.ClickException(one_line(str(err))) from err
        except click.ClickException as err:  # raised by a command itself: one line as well
            if err.message.isprintable():
                raise
            kind = BadInput if err.exit_code == BadInput.exit_code else click.ClickException
            raise kind(one_line(err.message)) from err


def one_line(message: str) -> str:
    """``message`` on one printable line: a line break, control character or lone surrogate taken from
    user input (a file name, an option value) is shown escaped (``\\n``, ``\\x85``, ``\\ud800``)."""
    if message.isprintable():
        return message
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode() for c in message
    )


class BadInput(click.ClickException):
    """A usage error shown as one line, ``Error: ...``, with exit status 2."""

    exit_code = 2


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="flipdish-sim")
def main() -> None:
    """Flipdish's webhook sender, emulated offline: prove a webhook receiver right before production."""
