"""Assertions for receiver tests, with failure messages that say what Flipdish would have done.

    assert_acknowledged(attempts, event="order.created")
    # DeliveryAssertionError: attempt 1 of order.created answered 302: Flipdish treats redirects as
    # failures and retries for 24 h

The same sentences explain conformance failures (:func:`consequence`). Messages are built explicitly (never a
bare ``assert``) because this code also runs from the command line, outside pytest's assertion rewriting.
"""

from __future__ import annotations

from collections.abc import Sequence

from flipdish_sim.conformance.answer import RETRY_WINDOW, consequence, describe_answer
from flipdish_sim.errors import DeliveryAssertionError
from flipdish_sim.simulator.model._attempt import Attempt

__all__ = [
    "RETRY_WINDOW",
    "assert_acknowledged",
    "assert_attempts",
    "assert_rejected",
    "consequence",
    "describe_answer",
]


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
