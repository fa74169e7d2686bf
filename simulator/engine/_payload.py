"""What is stored and sent for an event's payload: pure, so the prefetch worker makes it ahead too.

A generated payload gets this run's ids (:class:`~flipdish_sim.simulator.model.RunIdentity`); a legacy
body is wrapped in its ``{Type, CreateTime, Body}`` envelope; the bytes are the JSON Flipdish would send.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flipdish_sim.contracts.catalogue import Family, get_event
from flipdish_sim.simulator.model._identity import RunIdentity
from flipdish_sim.simulator.wire._envelope import encode_json, legacy_envelope

__all__ = ["finished"]


def finished(
    event_name: str, at: datetime, payload: Mapping[str, object], identity: RunIdentity | None
) -> tuple[Mapping[str, object], bytes]:
    """The payload as published (``identity``: a generated payload's ids made this run's; None: kept) and
    its body bytes. A legacy payload that is not already a whole envelope becomes the envelope's Body."""
    if identity is not None and not identity.fixed:
        payload = identity.freshen(payload)
    if get_event(event_name).family is Family.LEGACY and not {"Type", "Body"} <= payload.keys():
        payload = legacy_envelope(event_name, at, payload)
    return payload, encode_json(payload)
