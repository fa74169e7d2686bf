from __future__ import annotations

import ast
import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flipdish_sim import verify
from flipdish_sim.simulator.http import _delivery as delivery
from flipdish_sim.simulator.model._attempt import Attempt
from flipdish_sim.simulator.wire._envelope import OutgoingRequest, legacy_envelope, legacy_request, v3_request
from flipdish_sim.verify import (
    SIGNED_BODY,
    InvalidSignature,
    expected_signature,
    parse_signature,
    verify_signature,
    verify_token,
)

TS = "2025-08-14T12:34:56.789Z"
AT = datetime(2025, 8, 14, 12, 34, 56, 789000, tzinfo=UTC)
BODY = b'{"type":"menu.published.v1","id":"evt_1"}'
# Computed by hand: hmac.new(b"whsec_test", TS.encode() + b"." + BODY, hashlib.sha256).hexdigest()
DIGEST_TEST = "119a341f9e8c1748e2ba4f1a40e90f61c96d44b031a2c26fe3c1033040f4cad9"
# hmac.new(b"whsec_test", BODY, hashlib.sha256).hexdigest()
DIGEST_BODY_ONLY = "4382dbf1afe0634530053ac499cb07b4118fa7d67519ddf1ebfa536325bfebc8"
# hmac.new(b"whsec_old", TS.encode() + b"." + BODY, hashlib.sha256).hexdigest()
DIGEST_OLD = "21e21a86baf536c9e309adbdc0c4382d52121723715b6b941698e0a765653892"


def test_expected_signature_matches_hand_computed_vectors() -> None:
    assert expected_signature("whsec_test", TS, BODY) == DIGEST_TEST
    assert expected_signature("whsec_test", TS, BODY, signed=SIGNED_BODY) == DIGEST_BODY_ONLY


def test_expected_signature_matches_rfc4231_test_case_2() -> None:
    digest = expected_signature("Jefe", "ignored", b"what do ya want for nothing?", signed=SIGNED_BODY)
    assert digest == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_unknown_signed_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="signed must be one of"):
        expected_signature("s", TS, BODY, signed="header.body")


def test_valid_signature_passes() -> None:
    verify_signature(f"t={TS},sha256={DIGEST_TEST}", BODY, "whsec_test", now=AT)


def test_body_only_mode_passes_only_with_the_matching_mode() -> None:
    header = f"t={TS},sha256={DIGEST_BODY_ONLY}"
    verify_signature(header, BODY, "whsec_test", now=AT, signed=SIGNED_BODY)
    with pytest.raises(InvalidSignature) as info:
        verify_signature(header, BODY, "whsec_test", now=AT)
    assert info.value.reason == "mismatch"


@pytest.mark.parametrize(
    ("header", "secrets"),
    [
        (f"t={TS},sha256={DIGEST_OLD}", ["whsec_test", "whsec_old"]),  # receiver knows both secrets
        (f"t={TS},sha256={DIGEST_OLD},sha256={DIGEST_TEST}", ["whsec_test"]),  # sender sends both
        (f"t={TS},sha256={DIGEST_TEST.upper()}", "whsec_test"),  # uppercase hex is still the digest
        (f" t={TS} , v0=whatever , sha256={DIGEST_TEST} ", "whsec_test"),  # spaces, unknown entries
    ],
)
def test_rotation_accepts_any_entry_under_any_secret(header: str, secrets: str | list[str]) -> None:
    verify_signature(header, BODY, secrets, now=AT)


@pytest.mark.parametrize(
    ("header", "body", "reason"),
    [
        (None, BODY, "missing"),
        ("", BODY, "missing"),
        (f"sha256={DIGEST_TEST}", BODY, "malformed"),
        (f"t={TS}", BODY, "malformed"),
        (f"t={TS},t={TS},sha256={DIGEST_TEST}", BODY, "malformed"),
        (f"t={TS},sha256=abc", BODY, "malformed"),
        (f"t={TS},sha256={DIGEST_TEST},garbage", BODY, "malformed"),
        (f"t=yesterday,sha256={DIGEST_TEST}", BODY, "malformed"),
        (f"t=2025-08-14T12:34:56.789,sha256={DIGEST_TEST}", BODY, "malformed"),  # no zone
        (f"t={TS},sha256={DIGEST_TEST}", BODY + b" ", "mismatch"),
        (f"t=2025-08-14T12:34:56.788Z,sha256={DIGEST_TEST}", BODY, "mismatch"),
        (f"t={TS},sha256={DIGEST_OLD}", BODY, "mismatch"),
    ],
)
def test_bad_signatures_are_rejected_with_a_reason(header: str | None, body: bytes, reason: str) -> None:
    with pytest.raises(InvalidSignature) as info:
        verify_signature(header, body, "whsec_test", now=AT)
    assert info.value.reason == reason


@pytest.mark.parametrize(
    ("offset", "reason"),
    [
        (timedelta(minutes=5), None),
        (timedelta(minutes=5, milliseconds=1), "too-old"),
        (-timedelta(minutes=5), None),
        (-timedelta(minutes=5, milliseconds=1), "too-new"),
        (timedelta(days=365), "too-old"),
    ],
)
def test_timestamp_tolerance_applies_both_ways(offset: timedelta, reason: str | None) -> None:
    header = f"t={TS},sha256={DIGEST_TEST}"
    if reason is None:
        verify_signature(header, BODY, "whsec_test", now=AT + offset)
        return
    with pytest.raises(InvalidSignature) as info:
        verify_signature(header, BODY, "whsec_test", now=AT + offset)
    assert info.value.reason == reason


def test_tolerance_is_configurable() -> None:
    header = f"t={TS},sha256={DIGEST_TEST}"
    verify_signature(header, BODY, "whsec_test", now=AT + timedelta(hours=1), tolerance=timedelta(hours=2))


def test_configuration_errors_are_value_errors_not_silent_acceptance() -> None:
    header = f"t={TS},sha256={DIGEST_TEST}"
    with pytest.raises(ValueError, match="non-empty secret"):
        verify_signature(header, BODY, [], now=AT)
    with pytest.raises(ValueError, match="non-empty secret"):
        verify_signature(header, BODY, "", now=AT)
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_signature(header, BODY, "whsec_test", now=datetime(2025, 8, 14, 12, 34, 56))


def test_default_now_is_the_real_time() -> None:
    # A signature stamped in 2025 is stale against the real current time.
    with pytest.raises(InvalidSignature) as info:
        verify_signature(f"t={TS},sha256={DIGEST_TEST}", BODY, "whsec_test")
    assert info.value.reason == "too-old"


def test_parse_signature_returns_timestamp_and_lowercased_digests() -> None:
    assert parse_signature(f"t={TS},sha256={DIGEST_TEST.upper()},sha256={DIGEST_OLD}") == (
        TS,
        (DIGEST_TEST, DIGEST_OLD),
    )


@pytest.mark.parametrize(
    ("header", "expected", "result"),
    [
        ("tok-123", "tok-123", True),
        ("tok-124", "tok-123", False),
        ("tok-12", "tok-123", False),
        ("", "tok-123", False),
        (None, "tok-123", False),
        ("jeton-é", "jeton-é", True),
    ],
)
def test_verify_token(header: str | None, expected: str, result: bool) -> None:
    assert verify_token(header, expected) is result


def test_verify_token_refuses_an_empty_expected_token() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        verify_token("", "")


@given(secret=st.text(min_size=1), body=st.binary(), seconds=st.integers(0, 86_400 * 365))
def test_property_a_fresh_signature_always_verifies(secret: str, body: bytes, seconds: int) -> None:
    at = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    ts = f"{at:%Y-%m-%dT%H:%M:%S}.000Z"
    verify_signature(f"t={ts},sha256={expected_signature(secret, ts, body)}", body, [secret], now=at)


@given(body=st.binary(), flip=st.integers(0, 10_000))
def test_property_any_changed_body_byte_is_a_mismatch(body: bytes, flip: int) -> None:
    tampered = bytearray(body + b"x")
    tampered[flip % len(tampered)] ^= 0x01
    header = f"t={TS},sha256={expected_signature('k', TS, body + b'x')}"
    with pytest.raises(InvalidSignature) as info:
        verify_signature(header, bytes(tampered), "k", now=AT)
    assert info.value.reason == "mismatch"


def test_module_is_stdlib_only_so_receivers_can_copy_it() -> None:
    tree = ast.parse(Path(verify.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "hashlib", "hmac", "collections", "datetime"}


# -- the receiver snippets in docs/verify.md, run for real

DOCS = Path(__file__).resolve().parents[1] / "docs" / "verify.md"


def _snippet(heading: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.parametrize(("heading", "kind"), [("Flask", "wsgi"), ("FastAPI", "asgi")])
def test_documented_receivers_accept_real_webhooks_and_reject_forgeries(
    heading: str, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLIPDISH_VERIFY_TOKEN", "tok-123")
    monkeypatch.setenv("FLIPDISH_WEBHOOK_SECRETS", "current,previous")
    namespace: dict[str, object] = {"__name__": f"snippet_{kind}"}
    exec(compile(_snippet(heading), str(DOCS), "exec"), namespace)
    processed: list[tuple[str, object]] = []
    namespace["process"] = lambda event_type, body: processed.append((event_type, body))
    app = namespace["app"]
    transport = delivery.wsgi_transport(app) if kind == "wsgi" else delivery.asgi_transport(app)

    def send(request: OutgoingRequest) -> Attempt:
        async def run() -> Attempt:
            async with delivery.make_client(transport=transport) as client:
                return await delivery.attempt(client, request, at=AT)

        return asyncio.run(run())

    now = datetime.now(UTC)  # the snippets check against the real time, as in production
    envelope = legacy_envelope("order.created", now, {"OrderId": 7})
    base = "http://receiver.local/flipdish"
    v3 = v3_request(
        base + "/v3", "menu.published.v1", {"menuId": 1}, secrets=["previous"], at=now, event_id="e1"
    )
    stale = v3_request(
        base + "/v3", "menu.published.v1", {}, secrets=["current"], at=now - timedelta(hours=1), event_id="e2"
    )
    forged = v3_request(base + "/v3", "menu.published.v1", {}, secrets=["guessed"], at=now, event_id="e3")
    results = {
        "legacy": send(legacy_request(base + "/legacy", envelope, verify_token="tok-123")).status_code,
        "legacy, wrong token": send(
            legacy_request(base + "/legacy", envelope, verify_token="nope")
        ).status_code,
        "legacy, no token": send(legacy_request(base + "/legacy", envelope, verify_token=None)).status_code,
        "v3, previous secret": send(v3).status_code,
        "v3, stale": send(stale).status_code,
        "v3, forged": send(forged).status_code,
        "v3, body changed": send(
            OutgoingRequest(v3.url, v3.headers, v3.body.replace(b"1", b"2"))
        ).status_code,
    }
    assert results == {
        "legacy": 204,
        "legacy, wrong token": 401,
        "legacy, no token": 401,
        "v3, previous secret": 204,
        "v3, stale": 401,
        "v3, forged": 401,
        "v3, body changed": 401,
    }
    assert processed == [("order.created", envelope["Body"]), ("menu.published.v1", {"menuId": 1})]
