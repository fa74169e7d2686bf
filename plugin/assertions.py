"""Assertions for receiver tests, with failure messages that say what Flipdish would have done.

    assert_acknowledged(attempts, event="order.created")
    # DeliveryAssertionError: attempt 1 of order.created answered 302: Flipdish treats redirects as
    # failures and retries for 24 h

The same sentences explain conformance failures (:func:`consequence`). Messages are built explicitly (never a
bare ``assert``) because this code also runs from the command line, outside pytest's assertion rewriting.
"""

from __future__ import annotations

from collections.abc import Sequence

from flipdish_sim.errors import DeliveryAssertionError
from flipdish_sim.simulator.attempt import Attempt, Outcome

__all__ = [
    "RETRY_WINDOW",
    "assert_acknowledged",
    "assert_attempts",
    "assert_rejected",
    "consequence",
    "describe_answer",
]

RETRY_WINDOW = "24 h"
"""How long Flipdish keeps retrying a failed webhook (FACTS 5)."""


def describe_answer(result: Attempt) -> str:
    """``answered 302``, ``got no answer within 10 s``, ``could not connect (connection refused ...)``."""
    if result.outcome is Outcome.TIMEOUT:
        return f"got no complete answer in time ({result.error or 'timeout'})"
    if result.status_code is not None:
        return f"answered {result.status_code}"
    return f"could not be delivered ({result.outcome.value}: {result.error or 'no detail'})"


def consequence(event: str, result: Attempt, *, number: int = 1) -> str:
    """One sentence: what attempt ``number`` of ``event`` got, and what Flipdish does about it."""
    head = f"attempt {number} of {event} {describe_answer(result)}"
    if result.ok:
        return f"{head}: Flipdish counts this as delivered"
    status = result.status_code
    if result.outcome is Outcome.HTTP_ERROR and status is not None and 300 <= status < 400:
        return f"{head}: Flipdish treats redirects as failures and retries for {RETRY_WINDOW}"
    if result.outcome is Outcome.TIMEOUT:
        return f"{head}: Flipdish waits at most 10 s, counts a failure and retries for {RETRY_WINDOW}"
    if result.outcome is Outcome.HTTP_ERROR:
        return f"{head}: Flipdish counts any non-2xx answer as a failure and retries for {RETRY_WINDOW}"
    return f"{head}: Flipdish counts a failure and retries for {RETRY_WINDOW}"


def assert_acknowledged(attempts: Sequence[Attempt], *, event: str = "the event", note: str = "") -> None:
    """The last attempt was acknowledged (2xx); otherwise say what Flipdish would do (and ``note``)."""
    if not attempts:
        raise DeliveryAssertionError(f"expected {event} to be delivered, but no attempt was made")
    last = attempts[-1]
    if not last.ok:
        message = consequence(event, last, number=len(attempts))
        raise DeliveryAssertionError(f"{message}; note: {note}" if note else message)


def assert_rejected(attempts: Sequence[Attempt], *, event: str = "the event", why: str = "") -> None:
    """Every attempt was answered non-2xx (a forged or stale delivery must not be accepted)."""
    for number, result in enumerate(attempts, start=1):
        if result.ok:
            reason = f" ({why})" if why else ""
            raise DeliveryAssertionError(
                f"attempt {number} of {event}{reason} answered {result.status_code}: the receiver accepted a "
                "delivery it should have rejected with a non-2xx status"
            )


def assert_attempts(attempts: Sequence[Attempt], count: int, *, event: str = "the event") -> None:
    """Exactly ``count`` attempts were made; the message lists the outcomes found."""
    if len(attempts) != count:
        found = ", ".join(result.describe() for result in attempts) or "none"
        raise DeliveryAssertionError(
            f"expected {count} attempt(s) of {event}, found {len(attempts)}: {found}"
        )
