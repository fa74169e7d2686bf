"""What goes on the wire, pure: the envelope, the v3 signature, the request template.

The names below load on first use (the modules behind them are private).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flipdish_sim._lazy import exports

if TYPE_CHECKING:
    from flipdish_sim.simulator.wire._envelope import (
        OutgoingRequest,
        RequestOptions,
        legacy_request,
        mask_headers,
        v3_request,
    )
    from flipdish_sim.simulator.wire._signing import parse_signature_header, signature_header
    from flipdish_sim.simulator.wire._template import RequestTemplates

__all__ = [
    "OutgoingRequest",
    "RequestOptions",
    "RequestTemplates",
    "legacy_request",
    "mask_headers",
    "parse_signature_header",
    "signature_header",
    "v3_request",
]

__getattr__ = exports(
    __name__,
    {
        "OutgoingRequest": "_envelope",
        "RequestOptions": "_envelope",
        "RequestTemplates": "_template",
        "legacy_request": "_envelope",
        "mask_headers": "_envelope",
        "parse_signature_header": "_signing",
        "signature_header": "_signing",
        "v3_request": "_envelope",
    },
)
