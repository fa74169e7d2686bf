"""``flipdish-sim scenarios``: the built-in scenarios (``list``) and their YAML (``show NAME``)."""

from __future__ import annotations

import click

__all__ = ["scenarios"]


@click.group()
def scenarios() -> None:
    """Built-in scenarios for 'flipdish-sim run'. Exit: 0 ok; 2 unknown scenario."""


@scenarios.command("list")
def list_() -> None:
    """Each built-in scenario: name and what it does."""
    from flipdish_sim.simulator.scenario._load import builtin_scenarios

    found = builtin_scenarios()
    width = max(len(name) for name, _ in found)
    for name, description in found:
        click.echo(f"{name:<{width}}  {description}")


@scenarios.command()
@click.argument("name")
def show(name: str) -> None:
    """Print the YAML of built-in scenario NAME (copy it to start your own)."""
    from flipdish_sim.simulator.scenario._load import builtin_text

    click.echo(builtin_text(name), nl=False)
