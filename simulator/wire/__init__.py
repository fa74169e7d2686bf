"""What goes on the wire, pure: the envelope, the v3 signature, the request template.

Pure (no I/O, no clock): importing it is cheap, so the names are imported here directly.
"""

from __future__ import annotations

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
