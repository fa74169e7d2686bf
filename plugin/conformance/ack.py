"""The acknowledgement checks: ``ack.2xx``, ``ack.deadline``, ``ack.no-redirect`` (FACTS 5)."""

from __future__ import annotations

from flipdish_sim.plugin.assertions import consequence
from flipdish_sim.plugin.conformance.context import CheckContext
from flipdish_sim.plugin.conformance.model import CheckResult
from flipdish_sim.plugin.conformance.verdict import accepting, failed, passed
from flipdish_sim.simulator.attempt import Outcome

__all__ = ["check_2xx", "check_deadline", "check_no_redirect"]


async def check_2xx(ctx: CheckContext, event: str) -> CheckResult:
    exchange = await ctx.deliver(event, label=f"a valid {event}")
    return accepting("ack.2xx", [exchange], f"a valid {event}", event)


async def check_deadline(ctx: CheckContext, event: str) -> CheckResult:
    """Time one normal delivery against the deadline; waits no longer than the deadline itself."""
    limit = ctx.config.deadline
    request = ctx.request(event, ctx.payload(event))
    exchange = await ctx.send(request, event=event, label=f"a valid {event}", deadline=limit)
    result = exchange.attempt
    if result.outcome is Outcome.TIMEOUT or result.duration > limit:
        return failed("ack.deadline", consequence(event, result), exchange)
    return passed(
        "ack.deadline", f"{event} answered in {result.duration * 1000:.0f} ms (limit {limit:g} s)", event
    )


async def check_no_redirect(ctx: CheckContext, event: str) -> CheckResult:
    exchange = await ctx.deliver(event, label=f"a valid {event}")
    status = exchange.attempt.status_code
    if status is not None and 300 <= status < 400:
        return failed("ack.no-redirect", consequence(event, exchange.attempt), exchange)
    return passed(
        "ack.no-redirect", f"{event} answered {status if status is not None else 'without a status'}", event
    )
