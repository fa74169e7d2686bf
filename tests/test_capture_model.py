"""The capture line format: what ``listen`` writes and ``replay`` reads must round-trip byte for byte."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from flipdish_sim.simulator.model import Capture, CaptureFormatError, capture_from_json, capture_to_json

AT = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def _capture(body: bytes) -> Capture:
    return Capture(
        id="cap_1",
        received_at=AT,
        method="POST",
        path="/webhooks?x=1",
        headers=(("Content-Type", "application/json"), ("X-Flipdish-Signature", "t=1,sha256=ab")),
        body=body,
    )


@pytest.mark.parametrize(
    "body",
    [b'{"Type":"order.created","Body":{"Name":"Caf\xc3\xa9 \\/ \\u00e9"}}', b"\xff\xfe not utf-8", b""],
)
def test_a_capture_survives_a_json_line_byte_for_byte(body: bytes) -> None:
    line = json.dumps(capture_to_json(_capture(body)), ensure_ascii=False)
    back = capture_from_json(json.loads(line))
    assert back == _capture(body)
    assert back.header("x-flipdish-signature") == "t=1,sha256=ab"


@pytest.mark.parametrize(
    ("record", "says"),
    [
        ({"Type": "order.created"}, "not a capture"),
        ({"FlipdishSimCapture": 99}, "format 99"),
        ({**capture_to_json(_capture(b"{}")), "received_at": "2026-12-02T09:30:00"}, "no UTC offset"),
        ({**capture_to_json(_capture(b"{}")), "headers": [["a"]]}, "headers"),
        ({**capture_to_json(_capture(b"{}")), "body_base64": "AA=="}, "exactly one"),
        ({**capture_to_json(_capture(b"{}")), "method": ""}, "method"),
    ],
)
def test_a_line_that_is_not_a_capture_is_refused_with_the_field_named(record: object, says: str) -> None:
    with pytest.raises(CaptureFormatError, match=says):
        capture_from_json(record)
