"""``flipdish-sim subscriptions``: list, enable and disable the subscriptions of a log."""

from __future__ import annotations

import click

from flipdish_sim.simulator.cli import LOG_ID
from flipdish_sim.simulator.cli._options import existing_log_option

__all__ = ["subscriptions"]


@click.group()
def subscriptions() -> None:
    """Subscriptions of a log. Exit: 0 ok; 1 the log fails; 2 usage error (unknown id, not a log)."""


@subscriptions.command("list")
@existing_log_option
def list_(db_path: str) -> None:
    """Every subscription: id, state, family, URL, event names; tokens and secrets masked."""
    from flipdish_sim.simulator.log._file import open_log
    from flipdish_sim.simulator.model._subscription import mask_secret

    with open_log(db_path, existing=True, write=False) as store:
        found = store.subscriptions()
    if not found:
        click.echo("no subscriptions")
    for sub in found:
        shown = sub.masked()
        state = "enabled" if sub.enabled else "DISABLED"
        auth = f"verify-token {shown['verify_token']}" if sub.verify_token else ""
        if sub.secrets:
            auth = "secrets " + ",".join(str(mask_secret(s)) for s in sub.secrets)
        click.echo(f"{sub.id:>3}  {state:<8}  {sub.family:<6}  {sub.callback_url}  {auth}".rstrip())
        click.echo(f"     events: {', '.join(sub.event_names)}")
        if sub.disabled is not None:
            click.echo(f"     disabled at {sub.disabled.at.isoformat()}: {sub.disabled.reason}")


@subscriptions.command()
@click.argument("subscription_id", type=LOG_ID)
@existing_log_option
def enable(subscription_id: int, db_path: str) -> None:
    """Re-enable a subscription: suspended retries resume inside their 24 h window, or expire."""
    from flipdish_sim.simulator.engine import Sender
    from flipdish_sim.simulator.log._file import open_log
    from flipdish_sim.simulator.scenario._run import clock_for_log

    with open_log(db_path, existing=True) as store:
        sender = Sender(store, clock=clock_for_log(store))
        sub = sender.enable(subscription_id)
        resumed = sender.pending
    click.echo(f"subscription {sub.id} enabled; {resumed} deliveries pending (they go out on the next run)")


@subscriptions.command()
@click.argument("subscription_id", type=LOG_ID)
@click.option("--reason", default="disabled by hand", show_default=True)
@existing_log_option
def disable(subscription_id: int, reason: str, db_path: str) -> None:
    """Disable a subscription: its pending retries are suspended, new events dropped (or held)."""
    from flipdish_sim.simulator.engine import Sender
    from flipdish_sim.simulator.log._file import open_log
    from flipdish_sim.simulator.scenario._run import clock_for_log

    with open_log(db_path, existing=True) as store:
        sender = Sender(store, clock=clock_for_log(store))
        sub = sender.disable(subscription_id, reason)
    click.echo(f"subscription {sub.id} disabled: {reason}")
