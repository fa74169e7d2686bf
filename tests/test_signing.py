from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flipdish_sim.errors import SignatureError
from flipdish_sim.simulator.wire._signing import (
    SIGNED_BODY,
    format_timestamp,
    parse_signature_header,
    signature_header,
)
from flipdish_sim.verify import verify_signature

AT = datetime(2025, 8, 14, 12, 34, 56, 789999, tzinfo=UTC)
BODY = b'{"type":"menu.published.v1","id":"evt_1"}'
# Computed by hand: hmac.new(b"whsec_test", b"2025-08-14T12:34:56.789Z." + BODY, hashlib.sha256).hexdigest()
DIGEST_TEST = "119a341f9e8c1748e2ba4f1a40e90f61c96d44b031a2c26fe3c1033040f4cad9"
DIGEST_OLD = "21e21a86baf536c9e309adbdc0c4382d52121723715b6b941698e0a765653892"
DIGEST_BODY_ONLY = "4382dbf1afe0634530053ac499cb07b4118fa7d67519ddf1ebfa536325bfebc8"


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (AT, "2025-08-14T12:34:56.789Z"),  # milliseconds truncated, never rounded up
        (datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01T00:00:00.000Z"),
        (
            datetime(2026, 1, 1, 1, 0, 0, 1000, tzinfo=timezone(timedelta(hours=1))),
            "2026-01-01T00:00:00.001Z",
        ),
    ],
)
def test_format_timestamp(at: datetime, expected: str) -> None:
    assert format_timestamp(at) == expected


def test_format_timestamp_refuses_naive() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_timestamp(datetime(2026, 1, 1))


def test_signature_header_known_answers() -> None:
    ts = "2025-08-14T12:34:56.789Z"
    assert signature_header(["whsec_test"], AT, BODY) == f"t={ts},sha256={DIGEST_TEST}"
    assert (
        signature_header(["whsec_test", "whsec_old"], AT, BODY)
        == f"t={ts},sha256={DIGEST_TEST},sha256={DIGEST_OLD}"
    )
    assert (
        signature_header(["whsec_test"], AT, BODY, signed=SIGNED_BODY) == f"t={ts},sha256={DIGEST_BODY_ONLY}"
    )


@pytest.mark.parametrize("secrets", [[], [""], ("a", "")])
def test_signature_header_needs_secrets(secrets: list[str]) -> None:
    with pytest.raises(ValueError, match="non-empty secret"):
        signature_header(secrets, AT, BODY)


def test_signature_header_refuses_a_bare_string() -> None:
    with pytest.raises(TypeError, match="sequence"):
        signature_header("whsec_test", AT, BODY)


def test_parse_signature_header_round_trip_and_errors() -> None:
    assert parse_signature_header(signature_header(["whsec_test", "whsec_old"], AT, BODY)) == (
        "2025-08-14T12:34:56.789Z",
        (DIGEST_TEST, DIGEST_OLD),
    )
    with pytest.raises(SignatureError, match="t=<timestamp>"):
        parse_signature_header("sha256=" + DIGEST_TEST)


@given(
    secrets=st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=3),
    body=st.binary(max_size=200),
    ms=st.integers(0, 10**11),
    signed=st.sampled_from(["timestamp.body", "body"]),
)
def test_property_what_the_sender_signs_the_receiver_verifies(
    secrets: list[str], body: bytes, ms: int, signed: str
) -> None:
    at = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    header = signature_header(secrets, at, body, signed=signed)
    ts, digests = parse_signature_header(header)
    assert ts == format_timestamp(at)
    assert len(digests) == len(secrets)
    for secret in secrets:  # each single secret alone verifies (rotation on the receiver's side)
        verify_signature(header, body, secret, now=at, signed=signed)


@given(
    st.datetimes(
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=-11)), timezone(timedelta(hours=5, minutes=30))]
        )
    )
)
def test_format_timestamp_is_strftimes_text(at: datetime) -> None:
    utc = at.astimezone(UTC)
    assert format_timestamp(at) == f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"
