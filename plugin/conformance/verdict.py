"""Turning exchanges into a check's verdict, with each failure blamed on exactly one check.

A redirect answer is blamed on ``ack.no-redirect`` and a missing answer (no reply within the patience)
on ``ack.deadline`` wherever it appears; every other check judges the remaining answers. So a receiver
with one flaw fails one check, and the report points at the cause rather than at its echoes.
"""

from __future__ import annotations

from collections.abc import Sequence

from flipdish_sim.plugin.assertions import consequence
from flipdish_sim.plugin.conformance.model import CheckOutcome, CheckResult, Exchange
from flipdish_sim.simulator.attempt import Outcome

__all__ = ["accepting", "blamed_elsewhere", "failed", "passed", "rejecting", "skipped"]


def passed(check: str, detail: str, event: str | None = None) -> CheckResult:
    return CheckResult(check, CheckOutcome.PASSED, detail, event)


def failed(check: str, detail: str, evidence: Exchange | None, event: str | None = None) -> CheckResult:
    return CheckResult(
        check, CheckOutcome.FAILED, detail, event or (evidence.event if evidence else None), evidence
    )


def skipped(check: str, reason: str, event: str | None = None) -> CheckResult:
    return CheckResult(check, CheckOutcome.SKIPPED, reason, event)


def blamed_elsewhere(exchange: Exchange) -> str | None:
    """The check a failed answer is blamed on instead of the current one, if any."""
    result = exchange.attempt
    if result.outcome is Outcome.TIMEOUT:
        return "ack.deadline"
    if (
        result.outcome is Outcome.HTTP_ERROR
        and result.status_code is not None
        and 300 <= result.status_code < 400
    ):
        return "ack.no-redirect"
    return None


def accepting(check: str, exchanges: Sequence[Exchange], what: str, event: str | None = None) -> CheckResult:
    """Pass when every exchange was acknowledged (2xx), redirects and missing answers aside."""
    judged = [x for x in exchanges if blamed_elsewhere(x) is None]
    for exchange in judged:
        if not exchange.attempt.ok:
            return failed(
                check, f"{exchange.label}: {consequence(exchange.event, exchange.attempt)}", exchange, event
            )
    deferred = sorted({name for x in exchanges if (name := blamed_elsewhere(x))})
    if exchanges and not judged:
        return skipped(check, f"no answer to judge: every one is reported under {', '.join(deferred)}", event)
    note = (
        f" ({len(exchanges) - len(judged)} answer(s) reported under {', '.join(deferred)})"
        if deferred
        else ""
    )
    return passed(check, f"{what}: {len(judged)} acknowledged{note}", event)


def rejecting(check: str, exchanges: Sequence[Exchange], what: str, event: str | None = None) -> CheckResult:
    """Pass when every exchange was answered non-2xx: the receiver refused what it must refuse."""
    for exchange in exchanges:
        if exchange.attempt.ok:
            return failed(
                check,
                f"{exchange.label} was answered {exchange.attempt.status_code}: the receiver accepted a "
                "delivery it must reject with a non-2xx status",
                exchange,
                event,
            )
    return passed(check, f"{what}: {len(exchanges)} rejected", event)
