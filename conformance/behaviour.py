"""The behaviour checks: ``idempotency.duplicates``, ``ordering.out-of-order``, ``compat.unknown-event``,
``compat.extra-fields`` and ``contract.fuzz``."""

from __future__ import annotations

import copy

from flipdish_sim.conformance.context import CheckContext, Payload, with_headers
from flipdish_sim.conformance.fuzz import edge_payloads, fuzz_payloads
from flipdish_sim.conformance.model import CheckOutcome, CheckResult, Exchange
from flipdish_sim.conformance.verdict import accepting, blamed_elsewhere, blocked, failed, passed, skipped
from flipdish_sim.contracts.catalogue import Family
from flipdish_sim.contracts.examples import example, order_lifecycle
from flipdish_sim.errors import FlipdishSimError

__all__ = [
    "LIFECYCLE",
    "UNKNOWN_EVENT",
    "check_duplicates",
    "check_extra_fields",
    "check_fuzz",
    "check_out_of_order",
    "check_unknown_event",
]

LIFECYCLE = {
    Family.LEGACY: ("order.created", "order.accepted", "order.dispatched"),
    Family.V3: ("sale.created.v1", "sale.accepted.v1", "sale.status.updated.v1"),
}
"""The events of one order, in the order Flipdish emits them."""

UNKNOWN_EVENT = {Family.LEGACY: "flipdish_sim.unknown_event", Family.V3: "flipdish_sim.unknown_event.v1"}
"""An event type no receiver knows (a stand-in for one Flipdish adds tomorrow)."""


async def check_duplicates(ctx: CheckContext, events: tuple[str, ...]) -> CheckResult:
    event = events[0]
    if ctx.probe is None:
        return skipped(
            "idempotency.duplicates",
            f'no probe: pass {ctx.config.route.probe} (a GET answering {{"applied": N}}) to count the '
            "side effects applied",
        )
    distinct, copies = ctx.config.duplicate_events, ctx.config.duplicate_copies
    try:
        before = await ctx.applied()
        exchanges: list[Exchange] = []
        for number in range(1, distinct + 1):
            request = ctx.request(event, ctx.payload(event))
            for copy_number in range(1, copies + 1):
                if copy_number > 1 and ctx.family is Family.V3:
                    request = ctx.resigned(request)  # a redelivery is stamped and signed afresh
                label = f"copy {copy_number} of {copies} of {event} #{number}"
                first = copy_number == 1  # a plain valid delivery: a non-2xx to it is ack.2xx's
                exchanges.append(await ctx.send(request, event=event, label=label, valid=first))
        after = await ctx.applied()
    except FlipdishSimError as exc:
        return skipped("idempotency.duplicates", f"the probe could not be read: {exc}")
    verdict = accepting("idempotency.duplicates", exchanges, "duplicate deliveries")
    if verdict.outcome is not CheckOutcome.PASSED:
        return verdict
    unacknowledged = [cause for x in exchanges if not x.attempt.ok and (cause := blamed_elsewhere(x))]
    if unacknowledged:  # a side effect count over deliveries that were not all taken proves nothing
        return blocked("idempotency.duplicates", unacknowledged[0], "not every copy was acknowledged")
    moved = (after or 0) - (before or 0)
    if moved != distinct:
        return failed(
            "idempotency.duplicates",
            f"the probe moved by {moved} for {distinct} distinct {event} events, each delivered {copies} "
            "times: Flipdish delivers at least once, so apply one side effect per event id",
            exchanges[1] if len(exchanges) > 1 else None,
        )
    return passed(
        "idempotency.duplicates",
        f"{distinct} distinct events delivered {copies} times each moved the probe by {moved}",
    )


def _lifecycle(ctx: CheckContext, names: list[str]) -> list[tuple[str, Payload]]:
    seed = ctx.seed()
    if ctx.family is Family.LEGACY:
        return [(name, payload) for name, payload in order_lifecycle(seed=seed) if name in names]
    first = example(names[0], seed=seed, profile=ctx.config.profile)
    shared: dict[str, object] = {
        key: first[key] for key in ("saleId", "externalId", "orgId", "brandId", "propertyId") if key in first
    }
    return [(name, {**example(name, seed=seed, profile=ctx.config.profile), **shared}) for name in names]


async def check_out_of_order(ctx: CheckContext, events: tuple[str, ...]) -> CheckResult:
    names = [name for name in LIFECYCLE[ctx.family] if name in events]
    if len(names) < 2:
        wanted = ", ".join(LIFECYCLE[ctx.family])
        return skipped("ordering.out-of-order", f"needs two or more of {wanted} among the graded events")
    pending = [(name, ctx.request(name, payload)) for name, payload in reversed(_lifecycle(ctx, names))]
    last: list[Exchange] = []
    for round_number in range(len(pending) + 1):
        last, still = [], []
        for name, request in pending:
            if round_number and ctx.family is Family.V3:
                request = ctx.resigned(request)
            when = "delivered newest first" if round_number == 0 else f"retry {round_number}"
            exchange = await ctx.send(request, event=name, label=f"{name} of one order, {when}")
            last.append(exchange)
            if not exchange.attempt.ok:
                still.append((name, request))
        if not still:
            order = " then ".join(reversed(names))
            return passed(
                "ordering.out-of-order", f"{order} acknowledged (after {round_number} retry round(s))"
            )
        if round_number and len(still) == len(pending):
            break  # no progress: retrying again changes nothing
        pending = still
    verdict = accepting("ordering.out-of-order", last, "events of one order out of order")
    if verdict.failed:
        return failed(
            "ordering.out-of-order",
            f"{verdict.detail}; retrying after the earlier events arrived did not help",
            verdict.evidence,
        )
    return verdict


async def check_unknown_event(ctx: CheckContext, events: tuple[str, ...]) -> CheckResult:
    unknown = UNKNOWN_EVENT[ctx.family]
    payload = ctx.payload(events[0])
    if ctx.family is Family.LEGACY:
        payload["Type"] = unknown
        body = payload.get("Body")
        if isinstance(body, dict) and "EventName" in body:
            body["EventName"] = unknown
    exchange = await ctx.send(
        ctx.request(unknown, payload), event=unknown, label=f"an event of unknown type {unknown}"
    )
    return accepting("compat.unknown-event", [exchange], "an unknown event type")


_EXTRA = {
    "futureField": "added by Flipdish later",
    "futureObject": {"nested": [1, "two", None, {"deep": True}]},
}


def _with_extras(payload: Payload) -> Payload:
    result = copy.deepcopy(payload)
    result.update(copy.deepcopy(_EXTRA))
    for value in list(result.values()):
        if isinstance(value, dict) and value is not result:
            value.update(copy.deepcopy(_EXTRA))
            for inner in list(value.values()):
                if isinstance(inner, dict):
                    inner["futureField"] = 42
                    break
            break
    return result


async def check_extra_fields(ctx: CheckContext, event: str) -> CheckResult:
    request = ctx.request(event, _with_extras(ctx.payload(event)))
    request = with_headers(request, {"X-Flipdish-Future-Header": "1"})
    exchange = await ctx.send(request, event=event, label=f"{event} with fields the receiver does not know")
    return accepting("compat.extra-fields", [exchange], f"{event} with unknown fields", event)


async def check_fuzz(ctx: CheckContext, event: str) -> CheckResult:
    seed = ctx.seed()
    cases = edge_payloads(event, seed=seed, profile=ctx.config.profile)
    config = ctx.config
    drawn = fuzz_payloads(event, count=config.fuzz_examples, seed=config.fuzz_seed, profile=config.profile)
    cases += [(f"generated payload {number}", payload) for number, payload in enumerate(drawn, start=1)]
    exchanges = []
    for name, payload in cases:
        exchange = await ctx.send(ctx.request(event, payload), event=event, label=f"{event}: {name}")
        exchanges.append(exchange)
        if not exchange.attempt.ok and blamed_elsewhere(exchange) is None:
            break  # the first failure is the evidence; the rest would only repeat it
    return accepting("contract.fuzz", exchanges, f"{len(exchanges)} contract-valid {event} payloads", event)
