"""The conformance suite grades correct receivers as passing and catches each flaw with exactly one check."""

from __future__ import annotations

import json
import os
from pathlib import Path

import flawed_receivers
import pytest
from flawed_receivers import FLAWS, SECRET, SLOW_SECONDS, TOKEN

from flipdish_sim.conformance import CHECKS, SuiteConfig, SuiteReport, Target, run_suite_sync
from flipdish_sim.conformance.bodies import VARIANTS, variants
from flipdish_sim.conformance.probe import http_probe
from flipdish_sim.conformance.runner import ReceiverUnreachableError
from flipdish_sim.contracts.catalogue import Family
from flipdish_sim.errors import UsageError

LEGACY_ONLY = {"auth.verify-token"}
V3_ONLY = {"auth.signature", "auth.replay"}
FAST_EVENTS = {"legacy": ("order.created", "order.accepted"), "v3": ("sale.created.v1", "sale.accepted.v1")}


def _config(family: str, **overrides: object) -> SuiteConfig:
    base: dict[str, object] = {"events": FAST_EVENTS[family], "fuzz_examples": 3, "seed": 7}
    if family == "legacy":
        base.update(family=Family.LEGACY, verify_token=TOKEN)
    else:
        base.update(family=Family.V3, secrets=(SECRET,))
    base.update(overrides)
    return SuiteConfig(**base)  # type: ignore[arg-type]


def _grade(family: str, flaw: str | None, tmp_path: Path, **overrides: object) -> SuiteReport:
    target = Target.from_app(flawed_receivers.receiver(family, flaw), url="/webhook")
    probe = http_probe(target, "/applied")
    return run_suite_sync(target, _config(family, **overrides), probe=probe, reproducer_dir=tmp_path)


def _expected(family: str, failing: str | None = None, *, blocks: tuple[str, ...] = ()) -> dict[str, str]:
    """Every applicable check passed, but ``failing`` failed and the checks in ``blocks`` are blocked."""
    other = V3_ONLY if family == "legacy" else LEGACY_ONLY
    outcomes = {check.id: "skipped" if check.id in other else "passed" for check in CHECKS}
    outcomes |= {check: "blocked" for check in blocks if check not in other}
    if failing:
        outcomes[failing] = "failed"
    return outcomes


EVERY_CHECK_BUT_DEADLINE = tuple(check.id for check in CHECKS if check.id != "ack.deadline")
GRADING_EACH_EVENT = (*(check.id for check in CHECKS if check.per_event), "ordering.out-of-order")
ANSWERED_IN_TIME = ("ack.deadline", "ack.no-redirect", "auth.raw-body")
BLOCKED = {
    "redirects": EVERY_CHECK_BUT_DEADLINE,
    "slow": GRADING_EACH_EVENT,
    "reserialises-json-python-default": tuple(c.id for c in CHECKS if c.id not in ANSWERED_IN_TIME),
}
"""What each flaw blocks: a receiver that redirects everything can be graded no further; one that is always
late on order.accepted blocks every check that grades order.accepted (the others still pass); one that
verifies ``json.dumps(parsed)`` rejects every delivery, and the cause is auth.raw-body's, not ack.2xx's."""


@pytest.mark.parametrize("family", ["legacy", "v3"])
def test_a_correct_receiver_passes_every_applicable_check(family: str, tmp_path: Path) -> None:
    report = _grade(family, None, tmp_path)
    assert report.outcomes() == _expected(family)
    assert report.exit_code == 0


@pytest.mark.parametrize(("family", "flaw"), [(f, flaw) for f, flaws in FLAWS.items() for flaw in flaws])
def test_each_flaw_is_caught_by_exactly_the_check_that_names_it(
    family: str, flaw: str, tmp_path: Path
) -> None:
    slow = flaw.startswith("slow")
    overrides: dict[str, object] = {"deadline": SLOW_SECONDS / 2} if slow else {}
    report = _grade(family, flaw, tmp_path, **overrides)
    assert report.outcomes() == _expected(family, FLAWS[family][flaw], blocks=BLOCKED.get(flaw, ()))
    assert report.exit_code == 1
    assert not report.ok
    failure = next(result for result in report.results if result.failed)
    assert failure.reproducer is not None
    assert "curl" in failure.reproducer
    assert failure.answer is not None
    assert failure.reproducer_path is not None
    assert os.access(failure.reproducer_path, os.X_OK)
    blocked = [result for result in report.results if result.blocked]
    assert all(result.blocked_by == failure.id for result in blocked)


def test_a_verifier_of_python_default_json_is_blamed_on_raw_body_not_on_ack_2xx(tmp_path: Path) -> None:
    report = _grade("v3", "reserialises-json-python-default", tmp_path)
    raw = next(r for r in report.results if r.id == "auth.raw-body")
    assert "seems to verify re-serialised JSON instead of the raw bytes" in raw.detail
    assert "json.dumps(body) (Python's default" in raw.detail
    ack = next(r for r in report.results if r.id == "ack.2xx")
    assert ack.blocked_by == "auth.raw-body"


def test_a_redirect_is_explained_as_flipdish_would_treat_it(tmp_path: Path) -> None:
    report = _grade("legacy", "redirects", tmp_path)
    detail = next(r.detail for r in report.results if r.id == "ack.no-redirect")
    assert "answered 303: Flipdish treats redirects as failures and retries for 24 h" in detail


def test_idempotency_is_skipped_without_a_probe_and_says_so(tmp_path: Path) -> None:
    target = Target.from_app(flawed_receivers.receiver("legacy", "not-idempotent"), url="/webhook")
    report = run_suite_sync(target, _config("legacy"), checks=["idempotency.duplicates"])
    (result,) = report.results
    assert result.outcome.value == "skipped"
    assert "no probe" in result.detail


def test_token_checks_are_skipped_without_a_token_and_say_why(tmp_path: Path) -> None:
    target = Target.from_app(flawed_receivers.receiver("legacy", "no-token-check"), url="/webhook")
    report = run_suite_sync(target, _config("legacy", verify_token=None), checks=["auth.verify-token"])
    assert report.results[0].outcome.value == "skipped"
    assert "no verify token" in report.results[0].detail


def test_reproducers_never_reveal_the_token_or_secret(tmp_path: Path) -> None:
    for family, flaw in (("legacy", "rejects-extra-fields"), ("v3", "reserialises-json")):
        report = _grade(family, flaw, tmp_path)
        text = json.dumps(report.to_json()) + report.junit_xml()
        text += "".join(path.read_text(encoding="utf-8") for path in tmp_path.glob("*.sh"))
        assert TOKEN not in text
        assert SECRET not in text
        assert "$FLIPDISH_SIM_VERIFY_TOKEN" in text or "$FLIPDISH_SIM_SECRET" in text


def test_the_json_report_has_the_documented_shape(tmp_path: Path) -> None:
    report = _grade("legacy", "rejects-unknown-events", tmp_path)
    document = report.to_json()
    assert document["family"] == "legacy"
    assert document["summary"] == {"passed": 9, "failed": 1, "skipped": 2, "blocked": 0}
    assert document["valid_deliveries"] == 44
    assert document["attempts"] > 44
    check = next(c for c in document["checks"] if c["id"] == "compat.unknown-event")  # type: ignore[union-attr]
    assert check["outcome"] == "failed"
    assert {"id", "outcome", "detail", "reproducer", "reproducer_path", "answer", "blocked_by"} <= set(check)
    assert check["answer"] == {"status": 400, "body": "unknown event type", "waited": None, "error": None}


def test_an_unreachable_receiver_is_a_usage_error() -> None:
    target = Target.from_url("http://127.0.0.1:9/webhook")
    with pytest.raises(ReceiverUnreachableError, match="cannot reach the receiver"):
        run_suite_sync(target, _config("legacy"))


def test_events_of_the_other_family_are_refused() -> None:
    target = Target.from_app(flawed_receivers.receiver("legacy"), url="/webhook")
    with pytest.raises(UsageError, match="is a v3 event"):
        run_suite_sync(target, _config("legacy", events=("sale.created.v1",)))


@pytest.mark.parametrize("name", VARIANTS)
def test_every_raw_body_variant_parses_to_the_same_document(name: str) -> None:
    document = {
        "Description": "12/05 Café 🍕",
        "Amount": 14.9,
        "Items": [{"Price": 2.5, "Id": 9007199254740993}],
    }
    assert json.loads(variants(document)[name]) == document
