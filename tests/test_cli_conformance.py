"""``flipdish-sim conformance``: exit statuses, reports, reproducers, in-process apps, a loopback server."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import random
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from flawed_receivers import SECRET, TOKEN
from receivers import running
from werkzeug.serving import make_server

from flipdish_sim.conformance import CHECKS, CheckContext, Exchange, SuiteConfig, Target
from flipdish_sim.conformance.reproducer import write_reproducer
from flipdish_sim.contracts.catalogue import Family
from flipdish_sim.simulator.cli import main
from flipdish_sim.simulator.clock import WallClock
from flipdish_sim.simulator.http._delivery import make_client

ROOT = Path(__file__).resolve().parent.parent

FAST = ["--events", "order.created,order.accepted", "--fuzz-examples", "3"]


def _invoke(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["conformance", *args, "--reproducers", str(tmp_path / "repro")])
    return result.exit_code, result.output


@contextmanager
def _serve(app: object) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]
    with running(server):
        yield f"http://127.0.0.1:{server.server_port}"


def test_a_correct_in_process_app_exits_0_and_writes_both_reports(tmp_path: Path) -> None:
    report, junit = tmp_path / "r.json", tmp_path / "j.xml"
    code, output = _invoke(
        tmp_path, "--app", "flawed_receivers:legacy_correct", "--url", "/webhook",
        "--verify-token", TOKEN, "--probe-url", "/applied", "--report-json", str(report),
        "--junitxml", str(junit), *FAST,
    )  # fmt: skip
    assert code == 0, output
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["summary"] == {"passed": 10, "failed": 0, "skipped": 2, "blocked": 0}
    assert [check["id"] for check in document["checks"]] == [check.id for check in CHECKS]
    assert 'tests="12" failures="0" skipped="2"' in junit.read_text(encoding="utf-8")
    assert "idempotency.duplicates" in output


def test_a_flawed_app_exits_1_with_a_reproducer_and_no_token(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    code, output = _invoke(
        tmp_path, "--app", "flawed_receivers:legacy_rejects_unknown_events", "--url", "/webhook",
        "--verify-token", TOKEN, "--report-json", str(report), *FAST,
    )  # fmt: skip
    assert code == 1
    checks = {c["id"]: c for c in json.loads(report.read_text(encoding="utf-8"))["checks"]}
    failed = checks["compat.unknown-event"]
    assert failed["outcome"] == "failed"
    assert "curl" in failed["reproducer"]
    assert "$FLIPDISH_SIM_VERIFY_TOKEN" in failed["reproducer"]
    (script,) = (tmp_path / "repro").glob("*.sh")
    assert os.access(script, os.X_OK)
    assert str(script) in output.replace("\n", "")  # the terminal lists every reproducer's path
    assert TOKEN not in output + report.read_text(encoding="utf-8")


def test_a_real_loopback_server_passes_over_http(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    create_app = importlib.import_module("examples.v3_flask.app").create_app
    with _serve(create_app([SECRET])) as base:
        code, output = _invoke(
            tmp_path, "--url", f"{base}/webhooks/flipdish", "--secret", SECRET,
            "--probe-url", f"{base}/webhooks/flipdish/applied",
            "sale.created.v1", "--events", "sale.accepted.v1", "--fuzz-examples", "3",
        )  # fmt: skip
    assert code == 0, output
    assert "auth.replay" in output


def test_an_unreachable_receiver_exits_2_with_one_clear_line(tmp_path: Path) -> None:
    code, output = _invoke(tmp_path, "--url", "http://127.0.0.1:9/webhook", "--verify-token", TOKEN)
    assert code == 2
    assert "cannot reach the receiver at http://127.0.0.1:9/webhook" in output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give the receiver"),
        (("--url", "http://x.test/", "--check", "ack.nope"), "unknown check 'ack.nope'"),
        (("--url", "http://x.test/", "--family", "legacy", "--secret", "s"), "--secret signs v3 deliveries"),
        (("--url", "http://x.test/", "--events", "order.creatd"), "unknown event 'order.creatd'"),
        (("--url", "ftp://x.test/"), "absolute http(s) URL"),
        (("--app", "no_such_module:app"), "cannot import module"),
        (
            ("--url", "http://x.test/", "--family", "v3", "--secret", "s", "--events", "order.created"),
            "is a legacy",
        ),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    code, output = _invoke(tmp_path, *args)
    assert code == 2
    assert message in output


def test_list_checks_names_every_stable_id(tmp_path: Path) -> None:
    code, output = _invoke(tmp_path, "--list-checks")
    assert code == 0
    assert [line.split()[0] for line in output.splitlines()] == [check.id for check in CHECKS]


@pytest.mark.skipif(not (shutil.which("openssl") and shutil.which("curl")), reason="needs openssl and curl")
def test_a_v3_reproducer_re_signs_from_the_environment_and_reproduces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    create_app = importlib.import_module("examples.v3_flask.app").create_app
    config = SuiteConfig(family=Family.V3, secrets=(SECRET,))
    with _serve(create_app([SECRET])) as base:
        target = Target.from_url(f"{base}/webhooks/flipdish")

        async def deliver() -> Exchange:
            async with make_client() as client:
                ctx = CheckContext(target, config, client=client, clock=WallClock(), rng=random.Random(3))
                return await ctx.deliver("sale.created.v1", label="a valid sale.created.v1")

        exchange = asyncio.run(deliver())
        script, _ = write_reproducer(exchange, tmp_path, "replay")
        assert SECRET not in script
        answers = {}
        for secret in (SECRET, "not-the-secret"):
            env = {**os.environ, "FLIPDISH_SIM_SECRET": secret}
            run = subprocess.run(["sh", "-c", script], capture_output=True, text=True, env=env, timeout=30)
            answers[secret] = run.stdout.splitlines()[0]
    assert " 204 " in answers[SECRET]
    assert " 401 " in answers["not-the-secret"]


def test_progress_on_a_terminal_marks_each_check_as_it_ends() -> None:
    import io

    from rich.console import Console

    from flipdish_sim.conformance import CheckOutcome, CheckResult, ProgressEvent
    from flipdish_sim.conformance.progress import progress_printer

    out = io.StringIO()
    show = progress_printer(Console(file=out, force_terminal=True, width=100))
    show(ProgressEvent("auth.signature", None, 0.5))
    show(ProgressEvent("auth.signature", CheckResult("auth.signature", CheckOutcome.FAILED, "x"), 1.25))
    blocked = CheckResult("contract.fuzz", CheckOutcome.BLOCKED, "x", blocked_by="ack.deadline")
    show(ProgressEvent("contract.fuzz", blocked, 2.0))
    text = out.getvalue()
    assert "\x1b[" in text  # styled on a terminal
    assert "auth.signature started" in text
    assert "✗" in text
    assert "auth.signature failed" in text
    assert "contract.fuzz blocked by ack.deadline" in text
