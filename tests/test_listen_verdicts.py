"""What ``listen`` concludes about one delivery: family, event, authentication, contracts, unknown fields."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from flipdish_sim.contracts.catalogue import Family, Profile, V3Shape, catalogue
from flipdish_sim.contracts.examples import example
from flipdish_sim.simulator.listen import Credentials, drift_summary, judge
from flipdish_sim.simulator.model import AuthVerdict, Capture
from flipdish_sim.simulator.wire import legacy_request, v3_request

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
V3_EVENT = "menu.published.v1"


def _legacy(payload: dict[str, object] | None = None, token: str | None = "tok") -> Capture:
    request = legacy_request("http://x/", payload or example("order.created"), verify_token=token)
    return Capture("c", NOW, "POST", "/", request.headers, request.body)


def _v3(
    *, signed_at: datetime = NOW, secret: str = "s3cret", payload: dict[str, object] | None = None
) -> Capture:
    body = payload or example(V3_EVENT)
    request = v3_request("http://x/", V3_EVENT, body, secrets=[secret], at=signed_at, event_id="ev-9")
    return Capture("c", NOW, "POST", "/", request.headers, request.body)


@pytest.mark.parametrize(
    ("token", "expected"),
    [("tok", AuthVerdict.VALID), ("nope", AuthVerdict.WRONG), (None, AuthVerdict.MISSING)],
)
def test_a_legacy_token_is_checked_against_verify_token(token: str | None, expected: AuthVerdict) -> None:
    verdict = judge(_legacy(token=token), Credentials(verify_token="tok"))
    assert (verdict.family, verdict.event_type, verdict.auth) == ("legacy", "order.created", expected)
    assert verdict.event_id


@pytest.mark.parametrize(
    ("capture", "expected"),
    [
        (_v3(), AuthVerdict.VALID),
        (_v3(secret="other"), AuthVerdict.WRONG),
        (_v3(signed_at=NOW - timedelta(minutes=6)), AuthVerdict.TOO_OLD),
        (_v3(signed_at=NOW + timedelta(minutes=6)), AuthVerdict.TOO_NEW),
    ],
)
def test_a_v3_signature_is_verified_at_the_time_of_receipt(capture: Capture, expected: AuthVerdict) -> None:
    verdict = judge(capture, Credentials(secrets=["s3cret"]))
    assert (verdict.family, verdict.event_type, verdict.event_id, verdict.auth) == (
        "v3",
        V3_EVENT,
        "ev-9",
        expected,
    )


def test_a_v3_delivery_without_signature_is_missing_and_without_secret_unchecked() -> None:
    capture = _v3()
    stripped = Capture(
        "c", NOW, "POST", "/", tuple(h for h in capture.headers if "Signature" not in h[0]), capture.body
    )
    assert judge(stripped, Credentials(secrets=["s3cret"]), family="v3").auth is AuthVerdict.MISSING
    assert judge(capture, Credentials()).auth is AuthVerdict.UNCHECKED


def test_a_drifted_legacy_body_fails_the_observed_profile_and_names_its_unknown_fields() -> None:
    payload = example("order.created")
    body = payload["Body"]
    assert isinstance(body, dict)
    body["Surprise"] = {"nested": 1}
    del body["Order"]["Channel"]
    verdict = judge(_legacy(payload), Credentials())
    documented, observed = verdict.contract("documented"), verdict.contract("observed")
    assert documented is not None
    assert documented.valid
    assert observed is not None
    assert observed.count >= 1
    assert observed.issues[0] == ("/Body/Order/Channel", "'Channel' is a required property")
    assert verdict.unknown_fields == ("/Body/Surprise",)


@pytest.mark.parametrize("name", [spec.name for spec in catalogue()])
def test_no_catalogue_example_has_unknown_fields_or_fails_its_own_profile(name: str) -> None:
    spec = next(s for s in catalogue() if s.name == name)
    shapes = list(V3Shape) if spec.family is Family.V3 else [V3Shape.PROPERTIES]
    for shape in shapes:
        payload = example(name, profile=Profile.OBSERVED, shape=shape)
        body = json.dumps(payload).encode()
        headers = (("X-Flipdish-Event-Type", name),) if spec.family is Family.V3 else ()
        verdict = judge(Capture("c", NOW, "POST", "/", headers, body), Credentials())
        assert verdict.unknown_fields == ()
        assert all(c.valid for c in verdict.contracts if c.profile == "observed"), verdict.contracts


DEEP = b'{"Type": "order.created", "Body": ' + b"[" * 5000 + b"]" * 5000 + b"}"


@pytest.mark.parametrize(
    "body",
    [b"", b"garbage", b"\xff\xfe\x00", b"[1, 2]", b"null", b'{"Type": 5}', b'{"Type": "no.such.event"}', DEEP,
     b'{"Type": "order.created", "Body": {"Amount": NaN}}'],
)  # fmt: skip
def test_a_body_no_contract_applies_to_is_unchecked_not_an_error(body: bytes) -> None:
    verdict = judge(Capture("c", NOW, "POST", "/", (), body), Credentials(verify_token="tok"))
    assert all(not c.checked and c.note for c in verdict.contracts)
    assert verdict.unknown_fields == ()


def test_the_drift_summary_counts_failures_per_profile_and_unknown_fields_per_event() -> None:
    drifted = example("order.created")
    drifted["Body"]["Extra"] = 1  # type: ignore[index]
    del drifted["Body"]["Order"]["Channel"]  # type: ignore[index]
    verdicts = [judge(_legacy(p), Credentials()) for p in (example("order.created"), drifted)]
    summary = drift_summary([*verdicts, None])
    (line,) = summary.events
    assert (line.event_type, line.deliveries, line.failures) == (
        "order.created",
        2,
        {"documented": 0, "observed": 1},
    )
    assert dict(line.unknown_fields) == {"/Body/Extra": 1}
    assert (summary.captures, summary.unjudged, summary.drifted) == (3, 1, True)
    text = "\n".join(summary.lines())
    assert "unknown field /Body/Extra (1 of 2)" in text
    assert "/Body/Order/Channel" in text
