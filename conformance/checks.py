"""The registry of conformance checks. Ids are stable: reports, CI gates and ``--check`` refer to them.

| id | what the receiver must do |
|---|---|
| ``ack.2xx`` | answer 2xx to every valid delivery of each event type it subscribes to |
| ``ack.deadline`` | answer every attempt within Flipdish's 10 s |
| ``ack.no-redirect`` | never answer 3xx (a redirect is a failure at Flipdish) |

The three ``ack`` checks judge every attempt of the run, whichever check made it (:mod:`.ack`).
| ``auth.verify-token`` | legacy: reject a delivery with a missing or wrong ``X-Verify-Token`` |
| ``auth.signature`` | v3: reject a missing or malformed signature, a wrong secret, a tampered body |
| ``auth.replay`` | v3: reject a correctly signed delivery stamped an hour old, or an hour ahead |
| ``auth.raw-body`` | accept authentic bodies whose bytes vary (escapes, whitespace, key order, numbers) |
| ``idempotency.duplicates`` | apply one side effect per event however often it arrives (needs a probe) |
| ``ordering.out-of-order`` | acknowledge one order's events delivered newest first, at latest on a retry |
| ``compat.unknown-event`` | answer 2xx to an event type it does not know |
| ``compat.extra-fields`` | answer 2xx when the envelope, body and headers carry fields it does not know |
| ``contract.fuzz`` | answer 2xx to many contract-valid payloads per event (edges, nulls, pickup, delivery) |
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from flipdish_sim.conformance import auth, behaviour
from flipdish_sim.conformance.context import CheckContext
from flipdish_sim.conformance.model import CheckResult
from flipdish_sim.errors import UsageError

__all__ = ["CHECKS", "Check", "get_check", "select_checks"]

EventCheck = Callable[[CheckContext, str], Awaitable[CheckResult]]
SuiteCheck = Callable[[CheckContext, tuple[str, ...]], Awaitable[CheckResult]]


@dataclass(frozen=True, slots=True)
class Check:
    """One check: ``per_event`` checks run once per graded event, the others once over all of them; the
    ``ack`` checks have no runner of their own: they judge every attempt of the run."""

    id: str
    summary: str
    per_event: bool
    run_event: EventCheck | None = None
    run_suite: SuiteCheck | None = None


CHECKS: tuple[Check, ...] = (
    Check("ack.2xx", "answer 2xx to every valid delivery (all attempts of the run judged)", False),
    Check("ack.deadline", "answer every attempt within Flipdish's 10 s deadline", False),
    Check("ack.no-redirect", "never answer 3xx: a redirect is a failure at Flipdish", False),
    Check("auth.verify-token", "legacy: reject a missing or wrong X-Verify-Token", True,
          auth.check_verify_token),
    Check("auth.signature", "v3: reject missing, malformed, wrongly keyed or tampered signatures", True,
          auth.check_signature),
    Check("auth.replay", "v3: reject correctly signed deliveries stamped an hour old or ahead", True,
          auth.check_replay),
    Check("auth.raw-body", "accept authentic bodies whose bytes vary: verify the raw bytes", True,
          auth.check_raw_body),
    Check("idempotency.duplicates", "apply one side effect per event however often it is delivered", False,
          run_suite=behaviour.check_duplicates),
    Check("ordering.out-of-order", "acknowledge one order's events out of order, at latest on a retry", False,
          run_suite=behaviour.check_out_of_order),
    Check("compat.unknown-event", "answer 2xx to an event type it does not know", False,
          run_suite=behaviour.check_unknown_event),
    Check("compat.extra-fields", "answer 2xx when envelope, body and headers carry unknown fields", True,
          behaviour.check_extra_fields),
    Check("contract.fuzz", "answer 2xx to many contract-valid payloads (edges, nulls, pickups...)", True,
          behaviour.check_fuzz),
)  # fmt: skip

_BY_ID = {check.id: check for check in CHECKS}


def get_check(check_id: str) -> Check:
    """The check with this id; an unknown id is a ``UsageError`` listing the known ones."""
    try:
        return _BY_ID[check_id]
    except KeyError:
        known = ", ".join(_BY_ID)
        raise UsageError(f"unknown check {check_id!r}; known checks: {known}") from None


def select_checks(ids: Iterable[str] = ()) -> tuple[Check, ...]:
    """The checks named (comma-separated lists allowed), in registry order; all when none are named."""
    wanted = {part.strip() for item in ids for part in item.split(",") if part.strip()}
    for check_id in wanted:
        get_check(check_id)
    return tuple(check for check in CHECKS if not wanted or check.id in wanted)
