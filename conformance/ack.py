"""The acknowledgement checks, judged over every attempt of the run: ``ack.deadline``, ``ack.no-redirect``,
``ack.2xx`` (FACTS 5).

The runner opens the run with plain valid deliveries spread over the graded events (enough
to catch a receiver slow or failing on 1 delivery in 10); the judges then look at *every* attempt any check
made, so a slow answer hidden by a later retry, or a redirect met by ``contract.fuzz``, is still caught.
"""

from __future__ import annotations

from collections.abc import Sequence

from flipdish_sim.conformance.answer import consequence
from flipdish_sim.conformance.model import CheckResult, Exchange, SuiteConfig
from flipdish_sim.conformance.verdict import blocked, failed, is_late, is_redirect, passed
from flipdish_sim.contracts.catalogue import Family
from flipdish_sim.simulator.environment import SECRET_ENV, VERIFY_TOKEN_ENV

__all__ = ["ACK_CHECKS", "RETRY", "judge", "judge_2xx", "judge_deadline", "judge_no_redirect", "sampled"]

ACK_CHECKS = ("ack.2xx", "ack.deadline", "ack.no-redirect")
RETRY = "Flipdish's retry of "
"""The label prefix of the one retry of an opening valid delivery that failed or came late."""


def sampled(exchanges: Sequence[Exchange]) -> tuple[int, int]:
    """How many opening valid deliveries were sent, and how many of them were retried."""
    opening = [x for x in exchanges if x.check == "ack"]
    retries = sum(1 for x in opening if x.label.startswith(RETRY))
    return len(opening) - retries, retries


def _where(exchange: Exchange) -> str:
    if exchange.check in ("", "ack"):
        return exchange.label
    return f"{exchange.check}, {exchange.label}"


def _hidden_by_retry(exchange: Exchange, exchanges: Sequence[Exchange], deadline: float) -> bool:
    later = exchanges[exchanges.index(exchange) + 1 :]
    body = exchange.request.body
    return any(x.request.body == body and x.attempt.ok and not is_late(x, deadline) for x in later)


def _sample(exchanges: Sequence[Exchange]) -> str:
    sent, retries = sampled(exchanges)
    again = f", {retries} retried" if retries else ""
    return f"{sent} valid deliveries sent to sample it{again}"


def judge_deadline(exchanges: Sequence[Exchange], config: SuiteConfig) -> CheckResult:
    """Every attempt answered within the deadline; a failure names the check and event that met it."""
    limit = config.deadline
    late = [x for x in exchanges if is_late(x, limit)]
    if not late:
        slowest = max((x.attempt.duration for x in exchanges), default=0.0)
        return passed(
            "ack.deadline",
            f"all {len(exchanges)} attempts answered within {limit:g} s ({_sample(exchanges)}; slowest "
            f"{slowest * 1000:.0f} ms)",
        )
    first = late[0]
    note = ""
    if _hidden_by_retry(first, exchanges, limit):
        note = "; a retry hid it: the same delivery sent again was acknowledged in time"
    took = f"answered {first.attempt.status_code} after {first.attempt.duration:.1f} s"
    what = consequence(first.event, first.attempt) if first.attempt.status_code is None else took
    return failed(
        "ack.deadline",
        f"{len(late)} of {len(exchanges)} attempts missed the {limit:g} s deadline ({_sample(exchanges)}); "
        f"first in {_where(first)}: {what}{note}",
        first,
    )


def judge_no_redirect(exchanges: Sequence[Exchange], config: SuiteConfig) -> CheckResult:
    """No answer anywhere was a 3xx."""
    answered = [x for x in exchanges if x.attempt.status_code is not None]
    if exchanges and not answered:
        return blocked("ack.no-redirect", "ack.deadline", "the receiver never answered")
    redirects = [x for x in answered if is_redirect(x)]
    if not redirects:
        return passed("ack.no-redirect", f"none of {len(answered)} answers was a redirect")
    first = redirects[0]
    return failed(
        "ack.no-redirect",
        f"{len(redirects)} of {len(answered)} answers were redirects; first in {_where(first)}: "
        f"{consequence(first.event, first.attempt)}",
        first,
    )


def _missing_credential(config: SuiteConfig) -> str | None:
    route = config.route
    if config.family is Family.LEGACY and not config.verify_token:
        return "no verify token was configured, so no X-Verify-Token was sent: set " + _where_set(
            route.token, VERIFY_TOKEN_ENV, "flipdish_verify_token"
        )
    if config.family is Family.V3 and not config.secrets:
        return (
            "no signing secret was configured, so deliveries were signed with a made-up one: set "
            + _where_set(route.secret, SECRET_ENV, "flipdish_secret")
        )
    return None


def _where_set(option: str, env: str, fixture: str) -> str:
    in_pytest = "" if fixture in option else f" (in pytest: the {fixture} fixture)"
    return f"{option}, or the environment variable {env}{in_pytest}"


def judge_2xx(exchanges: Sequence[Exchange], config: SuiteConfig) -> CheckResult:
    """Every valid, correctly authenticated delivery that got a timely non-redirect answer got a 2xx."""
    valid = [x for x in exchanges if x.valid]
    judged = [x for x in valid if not is_late(x, config.deadline) and not is_redirect(x)]
    if valid and not judged:
        cause = "ack.deadline" if any(is_late(x, config.deadline) for x in valid) else "ack.no-redirect"
        return blocked("ack.2xx", cause, "no valid delivery got an answer to judge")
    rejected = [x for x in judged if not x.attempt.ok]
    events = sorted({x.event for x in judged})
    if not rejected:
        aside = len(valid) - len(judged)
        note = f"; {aside} late or redirected, judged by ack.deadline / ack.no-redirect" if aside else ""
        return passed(
            "ack.2xx",
            f"all {len(judged)} valid deliveries answered were acknowledged ({', '.join(events)}){note}",
        )
    first = rejected[0]
    detail = (
        f"{len(rejected)} of {len(judged)} valid deliveries were not acknowledged; "
        f"first in {_where(first)}: {consequence(first.event, first.attempt)}"
    )
    missing = _missing_credential(config)
    if missing and first.attempt.status_code in (401, 403):
        detail += f"; {missing}"
    return failed("ack.2xx", detail, first)


def judge(check_id: str, exchanges: Sequence[Exchange], config: SuiteConfig) -> CheckResult:
    """The verdict of the ``ack`` check ``check_id`` over every exchange of the run."""
    if check_id == "ack.deadline":
        return judge_deadline(exchanges, config)
    if check_id == "ack.no-redirect":
        return judge_no_redirect(exchanges, config)
    return judge_2xx(exchanges, config)
