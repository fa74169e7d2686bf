"""Why a v3 receiver rejects every valid delivery: is it verifying re-serialised JSON?

A receiver that parses the body and signs ``json.dumps(parsed)`` instead of the raw bytes rejects every
delivery whose bytes differ from its own rendering: with Python's default separators (``", "``, ``": "``)
that is every delivery. ``ack.2xx`` would then fail and block everything, blaming the symptom. So when the
valid deliveries that open the run are all refused with 401/403 although a secret is configured, the same
event is sent again, correctly signed, rendered the way common JSON libraries re-serialise it; if one of
those is accepted, the cause is ``auth.raw-body``'s, and the verdict says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from flipdish_sim.conformance.context import Blocked, CheckContext
from flipdish_sim.conformance.model import CheckResult
from flipdish_sim.conformance.verdict import failed
from flipdish_sim.contracts.catalogue import Family

__all__ = ["RENDERINGS", "diagnose_rejections"]

RENDERINGS: dict[str, Callable[[object], str]] = {
    "json.dumps(body) (Python's default: ', ' and ': ', \\u escapes)": json.dumps,
    "json.dumps(body, ensure_ascii=False)": lambda v: json.dumps(v, ensure_ascii=False),
    "json.dumps(body, separators=(',', ':'))": lambda v: json.dumps(v, separators=(",", ":")),
    "json.dumps(body, sort_keys=True)": lambda v: json.dumps(v, sort_keys=True),
    "JSON with sorted keys, compact": lambda v: json.dumps(v, sort_keys=True, separators=(",", ":")),
}
"""Renderings a re-serialising receiver may compare the signature against."""


def _rejected_for_auth(ctx: CheckContext) -> bool:
    valid = [x for x in ctx.exchanges if x.valid]
    return bool(valid) and all(x.attempt.status_code in (401, 403) for x in valid)


async def diagnose_rejections(ctx: CheckContext) -> CheckResult | None:
    """An ``auth.raw-body`` failure when the rejections come from verifying re-serialised JSON, else None."""
    if ctx.blocker != "ack.2xx" or ctx.family is not Family.V3 or not ctx.config.secrets:
        return None
    if not _rejected_for_auth(ctx):
        return None
    rejected = next(x for x in ctx.exchanges if x.valid)
    event = rejected.event
    ctx.blocker, ctx.check = None, "auth.raw-body"
    try:
        for name, render in RENDERINGS.items():
            document = ctx.payload(event)
            request = ctx.with_body(ctx.request(event, document), render(document).encode())
            exchange = await ctx.send(request, event=event, label=f"{event} rendered as {name}")
            if exchange.attempt.ok:
                return failed(
                    "auth.raw-body",
                    f"every valid delivery was answered {rejected.attempt.status_code}, but {event} signed "
                    f"the same way and rendered as {name} was accepted: the receiver seems to verify "
                    "re-serialised JSON instead of the raw bytes it received (check the signature over the "
                    "request body as received, before parsing it)",
                    rejected,
                    event,
                )
    except Blocked:
        pass
    finally:
        ctx.blocker = ctx.blocker or "ack.2xx"
    return None
