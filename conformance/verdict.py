"""Turning exchanges into a check's verdict, with each failure blamed on exactly one check.

Three rules judge every attempt of the run, whichever check sent it (:mod:`.judge`): an answer later than
the deadline (or none) is ``ack.deadline``'s, a 3xx answer is ``ack.no-redirect``'s, and a non-2xx answer to
a plain valid, correctly authenticated delivery is ``ack.2xx``'s. Every other check judges the remaining
answers, and is ``blocked`` by the rule that took them when none remain. So a receiver with one flaw fails
one check, and the report points at the cause rather than at its echoes.
"""

from __future__ import annotations

from collections.abc import Sequence

from flipdish_sim.conformance.answer import consequence
from flipdish_sim.conformance.model import CheckOutcome, CheckResult, Exchange
from flipdish_sim.simulator.model._attempt import Outcome

__all__ = ["accepting", "blamed_elsewhere", "blocked", "failed", "is_late", "passed", "rejecting", "skipped"]


def passed(check: str, detail: str, event: str | None = None) -> CheckResult:
    return CheckResult(check, CheckOutcome.PASSED, detail, event)


def failed(check: str, detail: str, evidence: Exchange | None, event: str | None = None) -> CheckResult:
    return CheckResult(
        check, CheckOutcome.FAILED, detail, event or (evidence.event if evidence else None), evidence
    )


def skipped(check: str, reason: str, event: str | None = None) -> CheckResult:
    return CheckResult(check, CheckOutcome.SKIPPED, reason, event)


def blocked(check: str, by: str, why: str = "") -> CheckResult:
    detail = f"blocked by {by}" + (f": {why}" if why else "")
    return CheckResult(check, CheckOutcome.BLOCKED, detail, blocked_by=by)


def is_late(exchange: Exchange, deadline: float) -> bool:
    """No complete answer in time, or one that came after ``deadline`` seconds."""
    result = exchange.attempt
    return result.outcome is Outcome.TIMEOUT or result.duration > deadline


def is_redirect(exchange: Exchange) -> bool:
    status = exchange.attempt.status_code
    return exchange.attempt.outcome is Outcome.HTTP_ERROR and status is not None and 300 <= status < 400


def blamed_elsewhere(exchange: Exchange, deadline: float | None = None) -> str | None:
    """The suite-wide check a failed answer is blamed on instead of the current one, if any."""
    result = exchange.attempt
    if result.outcome is Outcome.TIMEOUT or (deadline is not None and result.duration > deadline):
        return "ack.deadline"
    if is_redirect(exchange):
        return "ack.no-redirect"
    if exchange.valid and not result.ok:
        return "ack.2xx"  # not ok, yet neither late nor a redirect: rejected (or the connection failed)
    return None


def _judged(check: str, exchanges: Sequence[Exchange]) -> tuple[list[Exchange], CheckResult | None]:
    judged = [x for x in exchanges if blamed_elsewhere(x) is None]
    if exchanges and not judged:
        causes = sorted({name for x in exchanges if (name := blamed_elsewhere(x))})
        return judged, blocked(check, causes[0], "no answer left to judge")
    return judged, None


def accepting(check: str, exchanges: Sequence[Exchange], what: str, event: str | None = None) -> CheckResult:
    """Pass when every exchange was acknowledged (2xx), answers judged by the suite-wide rules aside."""
    judged, stop = _judged(check, exchanges)
    if stop is not None:
        return stop
    for exchange in judged:
        if not exchange.attempt.ok:
            return failed(
                check, f"{exchange.label}: {consequence(exchange.event, exchange.attempt)}", exchange, event
            )
    aside = len(exchanges) - len(judged)
    note = f" ({aside} answer(s) judged by the ack checks)" if aside else ""
    return passed(check, f"{what}: {len(judged)} acknowledged{note}", event)


def rejecting(check: str, exchanges: Sequence[Exchange], what: str, event: str | None = None) -> CheckResult:
    """Pass when every exchange was answered non-2xx: the receiver refused what it must refuse."""
    judged, stop = _judged(check, exchanges)
    if stop is not None:
        return stop
    for exchange in judged:
        if exchange.attempt.ok:
            return failed(
                check,
                f"{exchange.label} was answered {exchange.attempt.status_code}: the receiver accepted a "
                "delivery it must reject with a non-2xx status",
                exchange,
                event,
            )
    return passed(check, f"{what}: {len(judged)} rejected", event)
