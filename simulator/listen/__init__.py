"""``flipdish-sim listen``: a webhook endpoint that records real deliveries, judges and forwards them.

Each POST is recorded byte for byte in the log (``captures`` table), its authentication and contracts are
judged, its exact bytes are forwarded to the local receiver, and the caller gets the receiver's answer
(``--mode ack``: 200 at once, and a sender delivers to the local receiver with retries: :class:`Relay`).
See docs/listen.md.

The names below load on first use (the modules behind them are private).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flipdish_sim._lazy import exports

if TYPE_CHECKING:
    from flipdish_sim.simulator.listen._app import MAX_BODY_BYTES, HandledRequest, ListenSettings, listen_app
    from flipdish_sim.simulator.listen._drift import DriftSummary, EventDrift, drift_summary
    from flipdish_sim.simulator.listen._inspect import Credentials, judge
    from flipdish_sim.simulator.listen._relay import Relay
    from flipdish_sim.simulator.listen._unknown import unknown_fields

__all__ = [
    "MAX_BODY_BYTES",
    "Credentials",
    "DriftSummary",
    "EventDrift",
    "HandledRequest",
    "ListenSettings",
    "Relay",
    "drift_summary",
    "judge",
    "listen_app",
    "unknown_fields",
]

__getattr__ = exports(
    __name__,
    {
        "MAX_BODY_BYTES": "_app",
        "Credentials": "_inspect",
        "DriftSummary": "_drift",
        "EventDrift": "_drift",
        "HandledRequest": "_app",
        "ListenSettings": "_app",
        "Relay": "_relay",
        "drift_summary": "_drift",
        "judge": "_inspect",
        "listen_app": "_app",
        "unknown_fields": "_unknown",
    },
)
