"""The gate against flawed receivers on real loopback sockets: each flaw blamed once, the run bounded.

Timing flaws run with a short deadline and patience (the suite's rules are the same at any scale); one slow
test keeps Flipdish's real 10 s and proves a receiver that never answers still ends the run in bounded time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import receivers
from click.testing import CliRunner
from flawed_receivers import SECRET, TOKEN, receiver, served
from receivers import CLI

from flipdish_sim.conformance import SuiteConfig, SuiteReport, Target, run_suite_sync
from flipdish_sim.conformance.bodies import variants
from flipdish_sim.conformance.model import Exchange
from flipdish_sim.conformance.reproducer import write_reproducer
from flipdish_sim.contracts.catalogue import Family
from flipdish_sim.simulator.cli import main
from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.model._attempt import Attempt, Outcome
from flipdish_sim.simulator.wire._envelope import legacy_request

LEGACY = {"family": Family.LEGACY, "verify_token": TOKEN, "events": ("order.created", "order.accepted")}
V3 = {"family": Family.V3, "secrets": (SECRET,), "events": ("sale.created.v1", "sale.accepted.v1")}
QUICK = {"fuzz_examples": 2, "seed": 3}
LEGACY_ONLY, V3_ONLY = {"auth.verify-token"}, {"auth.signature", "auth.replay"}


def _grade(url: str, tmp_path: Path, **fields: object) -> SuiteReport:
    config = SuiteConfig(**{**QUICK, **fields})  # type: ignore[arg-type]
    return run_suite_sync(Target.from_url(url), config, reproducer_dir=tmp_path)


def _not_applicable(family: Family) -> set[str]:
    return V3_ONLY if family is Family.LEGACY else LEGACY_ONLY


def _only(report: SuiteReport, failing: str, *, passing: tuple[str, ...] = (), family: Family) -> None:
    """``failing`` failed; every other applicable check not in ``passing`` (or skipped) is blocked by it."""
    for result in report.results:
        if result.id == failing:
            assert result.failed, result
        elif result.id in _not_applicable(family) or result.outcome.value == "skipped":
            assert result.outcome.value == "skipped", result
        elif result.id in passing:
            assert result.outcome.value == "passed", result
        else:
            assert result.blocked, result
            assert result.blocked_by == failing, result
    assert report.exit_code == 1


def test_a_receiver_slow_on_one_delivery_in_ten_fails_ack_deadline_only(tmp_path: Path) -> None:
    with served(receiver("legacy", "slow-one-in-ten")) as base:
        report = _grade(f"{base}/webhook", tmp_path, **LEGACY, deadline=0.3)
    outcomes = report.outcomes()
    assert outcomes.pop("ack.deadline") == "failed"
    assert set(outcomes.values()) <= {"passed", "skipped"}
    deadline = next(r for r in report.results if r.id == "ack.deadline")
    assert "44 valid deliveries sent" in deadline.detail
    assert "first in valid delivery 10 of 44: order.accepted: answered 200 after 0.6 s" in deadline.detail
    assert "a retry hid it" in deadline.detail  # Flipdish's retry was acknowledged in time
    assert report.valid_deliveries == 44


def test_a_receiver_always_late_fails_ack_deadline_and_blocks_the_rest(tmp_path: Path) -> None:
    with served(receiver("legacy", "slow")) as base:
        report = _grade(
            f"{base}/webhook", tmp_path, **{**LEGACY, "events": ("order.accepted",)}, deadline=0.3
        )
    _only(report, "ack.deadline", passing=("ack.no-redirect",), family=Family.LEGACY)
    assert report.attempts == 3  # three late answers in a row, then nothing more is sent


def test_a_receiver_that_never_answers_is_blamed_on_ack_deadline_quickly(tmp_path: Path) -> None:
    with receivers.silent() as silent:
        report = _grade(silent.url, tmp_path, **LEGACY, deadline=0.2, patience=0.3)
    _only(report, "ack.deadline", family=Family.LEGACY)
    deadline = next(r for r in report.results if r.id == "ack.deadline")
    assert deadline.answer is not None
    assert deadline.answer.describe().startswith("no answer after waiting 0.3 s")
    assert report.attempts == 3


def test_a_receiver_redirecting_everything_fails_ack_no_redirect_only(tmp_path: Path) -> None:
    with receivers.redirect() as redirecting:
        report = _grade(redirecting.url, tmp_path, **V3)
    _only(report, "ack.no-redirect", passing=("ack.deadline",), family=Family.V3)
    duplicates = next(r for r in report.results if r.id == "idempotency.duplicates")
    assert "apply one side effect" not in duplicates.detail


def test_a_re_serialising_verifier_fails_auth_raw_body_only_with_the_raw_bytes_hint(tmp_path: Path) -> None:
    with served(receiver("v3", "reserialises-json")) as base:
        report = _grade(f"{base}/webhook", tmp_path, **V3)
    outcomes = report.outcomes()
    assert outcomes.pop("auth.raw-body") == "failed"
    assert set(outcomes.values()) <= {"passed", "skipped"}, outcomes
    raw = next(r for r in report.results if r.id == "auth.raw-body")
    assert "seems to verify re-serialised JSON instead of the raw bytes" in raw.detail
    assert raw.answer is not None
    assert raw.answer.status == 401


@pytest.mark.parametrize(
    ("family", "args", "names"),
    [
        (
            "legacy",
            ("--events", "order.created,order.accepted"),
            ("--verify-token", "FLIPDISH_SIM_VERIFY_TOKEN"),
        ),
        ("v3", ("--events", "sale.created.v1,sale.accepted.v1"), ("--secret", "FLIPDISH_SIM_SECRET")),
    ],
)
def test_without_a_credential_the_verdict_names_the_option_env_and_fixture(
    family: str,
    args: tuple[str, ...],
    names: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FLIPDISH_SIM_VERIFY_TOKEN", raising=False)
    monkeypatch.delenv("FLIPDISH_SIM_SECRET", raising=False)
    report = tmp_path / "report.json"
    with served(receiver(family)) as base:
        result = CliRunner().invoke(
            main,
            ["conformance", "--url", f"{base}/webhook", "--family", family, *args,
             "--report-json", str(report), "--reproducers", str(tmp_path / "repro"),
             "--junitxml", str(tmp_path / "junit.xml")],
        )  # fmt: skip
    assert result.exit_code == 1, result.output
    checks = {c["id"]: c for c in json.loads(report.read_text(encoding="utf-8"))["checks"]}
    failed = [c["id"] for c in checks.values() if c["outcome"] == "failed"]
    assert failed == ["ack.2xx"]
    detail = checks["ack.2xx"]["detail"]
    fixture = "flipdish_verify_token" if family == "legacy" else "flipdish_secret"
    for name in (*names, fixture):
        assert name in detail
    assert checks["ack.2xx"]["answer"]["status"] == 401
    junit = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert "the receiver answered: 401 with an empty body" in junit
    assert 'type="blocked"' in junit
    assert {c["blocked_by"] for c in checks.values() if c["outcome"] == "blocked"} == {"ack.2xx"}


def test_max_time_blocks_what_it_cuts_short_and_fails_the_gate(tmp_path: Path) -> None:
    with served(receiver("legacy", "slow-one-in-ten")) as base:
        result = CliRunner().invoke(
            main,
            ["conformance", "--url", f"{base}/webhook", "--verify-token", TOKEN, "--events", "order.created",
             "--max-time", "1", "--report-json", str(tmp_path / "r.json"), "--reproducers", str(tmp_path)],
        )  # fmt: skip
    assert result.exit_code == 1, result.output
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    blocked = [c for c in document["checks"] if c["outcome"] == "blocked"]
    assert blocked
    assert all(c["blocked_by"] == "max-time" for c in blocked)
    assert "time limit (1 s)" in blocked[0]["detail"]
    assert document["summary"]["blocked"] == len(blocked)
    assert {c["outcome"] for c in document["checks"]} <= {"passed", "skipped", "blocked", "failed"}


def _eleven_seconds() -> receivers.Receiver:
    """Answers 200 to every request, 11 s after reading it (a cold start that never warms up)."""

    def answer(conn: receivers.Connection, _request: receivers.RecordedRequest) -> bool:
        if conn.wait(11):
            return False
        conn.send(receivers.response_head(200))
        return True

    return receivers.Receiver(answer)


@pytest.mark.slow
@pytest.mark.parametrize("make", [receivers.silent, _eleven_seconds], ids=["never-answers", "always-11-s"])
def test_a_receiver_too_slow_for_flipdish_ends_the_run_well_under_two_minutes(
    make: Callable[[], receivers.Receiver], tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLIPDISH_SIM_")}
    with make() as silent:
        command = [*CLI, "conformance", "--url", silent.url,
                   "--verify-token", TOKEN, "--report-json", str(tmp_path / "r.json"),
                   "--reproducers", str(tmp_path)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    checks = {c["id"]: c for c in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["checks"]}
    assert checks["ack.deadline"]["outcome"] == "failed"
    assert checks["ack.deadline"]["answer"]["waited"] >= 10
    assert {c["outcome"] for i, c in checks.items() if i != "ack.deadline"} <= {"blocked", "skipped"}
    assert [line for line in done.stdout.splitlines() if "started" in line]  # progress was visible


@pytest.mark.skipif(not shutil.which("curl"), reason="needs curl")
def test_a_reproducer_sends_the_exact_bytes_from_any_folder(tmp_path: Path) -> None:
    document = {"Type": "order.created", "Body": {"Description": "12/05 'Café' $HOME `x` \\ done"}}
    body = variants(document)["unusual whitespace"] + b"\n\n"
    with receivers.ok(200) as ok:
        request = legacy_request(ok.url, document, verify_token=TOKEN)
        request = replace(request, body=body)
        attempt = Attempt(VirtualClock().now(), Outcome.HTTP_ERROR, 500, 0.01)
        exchange = Exchange("order.created with unusual whitespace", "order.created", request, attempt)
        _, path = write_reproducer(exchange, tmp_path / "repro", "raw-body")
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        env = {**os.environ, "FLIPDISH_SIM_VERIFY_TOKEN": TOKEN}
        run = subprocess.run([str(path)], cwd=elsewhere, capture_output=True, env=env, timeout=30)
    assert run.returncode == 0, run.stderr
    assert ok.requests[0].body == body
    assert ok.requests[0].header("X-Verify-Token") == TOKEN
    assert TOKEN not in path.read_text(encoding="utf-8")
