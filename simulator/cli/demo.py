"""``flipdish-sim demo``: the simulator, an example receiver and a scenario, with nothing else installed."""

from __future__ import annotations

import asyncio

import click
import httpx

from flipdish_sim.simulator.cli._demo_stack import print_summary, run_demo

__all__ = ["demo"]


@click.command()
@click.option("--no-browser", is_flag=True, help="Do not open the dashboard in a browser.")
@click.option(
    "--duration",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Real seconds the story takes (the virtual clock covers 26 hours meanwhile).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port of the simulator (default 8080, or any free port when it is taken; 0: any).",
)
@click.option(
    "--keep-serving", is_flag=True, help="Keep the server running after the summary (Ctrl+C stops)."
)
def demo(no_browser: bool, duration: float, port: int | None, keep_serving: bool) -> None:
    """Show retries, duplicates, an auto-disable and a re-enable against a misbehaving example receiver."""
    try:
        result = asyncio.run(
            run_demo(duration=duration, port=port, browser=not no_browser, keep_serving=keep_serving)
        )
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except OSError as err:
        raise click.UsageError(f"cannot start the demo servers: {err}") from err
    except httpx.HTTPError as err:
        raise click.ClickException(f"the demo's call to the simulator failed: {err}") from err
    if not keep_serving:
        print_summary(result)
    if not result.complete:
        raise click.ClickException(
            "the demo did not show an auto-disable, a re-enable and acknowledged deliveries"
        )
