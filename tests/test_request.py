from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flipdish_sim import __version__
from flipdish_sim.simulator.wire._envelope import (
    MASK,
    OutgoingRequest,
    RequestOptions,
    encode_json,
    legacy_envelope,
    legacy_request,
    mask_headers,
    v3_request,
)
from flipdish_sim.simulator.wire._signing import SIGNED_BODY
from flipdish_sim.verify import verify_signature

AT = datetime(2025, 8, 14, 12, 34, 56, 789000, tzinfo=UTC)
ENVELOPE = legacy_envelope(
    "order.created", AT, {"OrderId": 12334578, "Description": "Joe paid €14.90 for http://x/y"}
)


def names(request: OutgoingRequest) -> list[str]:
    return [name for name, _ in request.headers]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"a": 1, "b": [True, None]}, b'{"a":1,"b":[true,null]}'),
        ({"Description": "€14.90 Café"}, '{"Description":"€14.90 Café"}'.encode()),
        ({"Url": "https://x/y"}, b'{"Url":"https://x/y"}'),
        ({"Line": 'a"b\\c\n'}, b'{"Line":"a\\"b\\\\c\\n"}'),
    ],
)
def test_encode_json_like_newtonsoft_defaults(document: object, expected: bytes) -> None:
    assert encode_json(document) == expected


def test_encode_json_refuses_nan() -> None:
    with pytest.raises(ValueError, match="JSON"):
        encode_json({"x": float("nan")})


def test_legacy_envelope_shape() -> None:
    assert ENVELOPE["Type"] == "order.created"
    assert ENVELOPE["CreateTime"] == "2025-08-14T12:34:56.789Z"
    assert list(ENVELOPE) == ["Type", "CreateTime", "Body"]


def test_legacy_request_with_token() -> None:
    request = legacy_request("https://r.example/hook", ENVELOPE, verify_token="tok-123")
    assert request.method == "POST"
    assert request.url == "https://r.example/hook"
    assert request.header("content-type") == "application/json"
    assert request.header("X-Verify-Token") == "tok-123"
    assert request.header("User-Agent") == f"flipdish-sim/{__version__}"
    assert json.loads(request.body) == ENVELOPE
    assert not any(name.lower().startswith("x-flipdish") for name in names(request))  # never signed


@pytest.mark.parametrize("token", [None, ""])
def test_legacy_request_without_token_has_no_token_header(token: str | None) -> None:
    request = legacy_request("https://r.example/hook", ENVELOPE, verify_token=token)
    assert request.header("X-Verify-Token") is None


def test_v3_request_headers_and_signature_over_the_bytes_sent() -> None:
    payload = {"type": "menu.published.v1", "data": {"menuId": 7, "name": "Café"}}
    request = v3_request(
        "https://r.example/v3", "menu.published.v1", payload, secrets=["new", "old"], at=AT, event_id="evt_1"
    )
    assert names(request) == [
        "Content-Type",
        "User-Agent",
        "X-Flipdish-Event-Type",
        "X-Flipdish-Event-Version",
        "X-Flipdish-Timestamp",
        "X-Flipdish-Signature",
        "X-Flipdish-Idempotency-Key",
    ]
    assert request.header("X-Flipdish-Event-Type") == "menu.published.v1"
    assert request.header("X-Flipdish-Event-Version") == "v1"
    assert request.header("X-Flipdish-Timestamp") == "2025-08-14T12:34:56.789Z"
    assert request.header("X-Flipdish-Idempotency-Key") == "evt_1"
    signature = request.header("X-Flipdish-Signature")
    assert signature is not None
    assert signature.startswith("t=2025-08-14T12:34:56.789Z,sha256=")
    assert signature.count("sha256=") == 2
    assert request.body == encode_json(payload)
    verify_signature(signature, request.body, "old", now=AT)
    verify_signature(signature, request.body, "new", now=AT)


def test_v3_options_change_the_unpublished_details() -> None:
    options = RequestOptions(
        signed=SIGNED_BODY,
        idempotency_header="Idempotency-Key",
        user_agent=None,
        event_version="v2",
        extra_headers=(("X-Extra", "1"),),
    )
    request = v3_request(
        "https://r/x", "sale.created.v1", {}, secrets=["s"], at=AT, event_id="e", options=options
    )
    assert request.header("Idempotency-Key") == "e"
    assert request.header("X-Flipdish-Idempotency-Key") is None
    assert request.header("User-Agent") is None
    assert request.header("X-Flipdish-Event-Version") == "v2"
    assert request.header("X-Extra") == "1"
    verify_signature(request.header("X-Flipdish-Signature"), b"{}", "s", now=AT, signed=SIGNED_BODY)
    no_key = v3_request(
        "https://r/x",
        "sale.created.v1",
        {},
        secrets=["s"],
        at=AT,
        event_id="e",
        options=RequestOptions(idempotency_header=None),
    )
    assert not any("idempotency" in name.lower() for name in names(no_key))


def test_mask_headers_hides_tokens_and_digests() -> None:
    legacy = legacy_request("https://r/x", ENVELOPE, verify_token="tok-secret-123")
    v3 = v3_request("https://r/x", "sale.created.v1", {}, secrets=["a", "b"], at=AT, event_id="e")
    masked = dict(mask_headers(legacy.headers + v3.headers + (("authorization", "Bearer abc"),)))
    assert masked["X-Verify-Token"] == MASK
    assert masked["authorization"] == MASK
    assert masked["X-Flipdish-Signature"] == f"t=2025-08-14T12:34:56.789Z,sha256={MASK},sha256={MASK}"
    assert masked["Content-Type"] == "application/json"
    assert "tok-secret-123" not in repr(masked)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(document=st.dictionaries(st.text(), json_values, max_size=5))
def test_property_encoding_round_trips_and_is_compact(document: dict[str, object]) -> None:
    body = encode_json(document)
    assert json.loads(body) == document
    assert body == json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    assert not body.startswith(b" ")


@given(token=st.text(min_size=1).filter(lambda t: t.strip() == t and "\n" not in t and "\r" not in t))
def test_property_token_never_survives_masking(token: str) -> None:
    request = legacy_request("https://r/x", ENVELOPE, verify_token=token)
    assert dict(mask_headers(request.headers))["X-Verify-Token"] == MASK
