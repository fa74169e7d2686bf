""" "Copy as curl": one logged attempt as the shell script that sends the same request again.

The script is the conformance suite's reproducer (:func:`flipdish_sim.conformance.reproducer.reproducer`),
fed with the attempt as the log holds it: the URL it went to, its headers in order, its body byte for
byte. Secrets never appear: the headers are masked first, then the reproducer turns ``X-Verify-Token`` into
``"$FLIPDISH_SIM_VERIFY_TOKEN"`` and re-signs a v3 request from ``"$FLIPDISH_SIM_SECRET"`` with openssl,
with a fresh timestamp (the logged one would be stale).
"""

from __future__ import annotations

from flipdish_sim.simulator.log._store import AttemptRow
from flipdish_sim.simulator.model._attempt import Attempt, Outcome
from flipdish_sim.simulator.wire._envelope import OutgoingRequest, mask_headers

__all__ = ["curl_script"]


def curl_script(row: AttemptRow) -> str:
    """A ``/bin/sh`` script that POSTs ``row``'s request again with curl (secrets from the environment)."""
    from flipdish_sim.conformance.model import Exchange  # the suite's package: loaded on first use
    from flipdish_sim.conformance.reproducer import reproducer

    request = OutgoingRequest(
        url=row.callback_url, headers=tuple(mask_headers(row.request_headers)), body=row.request_body
    )
    try:
        outcome = Outcome(row.outcome)
    except ValueError:
        outcome = Outcome.HTTP_ERROR
    attempt = Attempt(at=row.at, outcome=outcome, status_code=row.status_code, duration=row.duration)
    label = f"attempt {row.attempt_no} of {row.event_name} {row.event_id} (webhook {row.subscription_id})"
    exchange = Exchange(
        label=label, event=row.event_name, request=request, attempt=attempt, check="flipdish-sim dashboard"
    )
    return reproducer(exchange)
