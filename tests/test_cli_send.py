"""``flipdish-sim send`` against real loopback receivers: one line per attempt, exit status = acknowledged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import receivers
from click.testing import CliRunner

from flipdish_sim.simulator.cli import main
from flipdish_sim.simulator.environment import SECRET_ENV, VERIFY_TOKEN_ENV
from flipdish_sim.verify import verify_signature

TOKEN = "tok-0123456789abcdef"


NO_ENV: dict[str, str | None] = {VERIFY_TOKEN_ENV: None, SECRET_ENV: None}


def _send(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["send", *args], env={**NO_ENV, **(env or {})})
    return result.exit_code, result.stdout, result.stderr


def test_an_acknowledged_event_exits_0_with_one_attempt_line() -> None:
    with receivers.ok(204) as receiver:
        code, out, _ = _send("order.created", "--url", receiver.url, "--verify-token", TOKEN, "--seed", "4")
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("attempt")]
    assert len(lines) == 1
    assert "acknowledged" in lines[0]
    assert "204" in lines[0]
    (request,) = receiver.requests
    assert request.header("X-Verify-Token") == TOKEN
    assert json.loads(request.body)["Type"] == "order.created"
    assert TOKEN not in out


def test_a_failure_without_retry_is_one_attempt_and_exit_1() -> None:
    with receivers.ok(500) as receiver:
        code, out, _ = _send("order.created", "--url", receiver.url)
    assert code == 1
    assert [line.split()[2] for line in out.splitlines() if line.startswith("attempt")] == ["+0s"]
    assert "http-error" in out
    assert len(receiver.requests) == 1


def test_retry_follows_the_schedule_until_acknowledged() -> None:
    with receivers.sequence([503, 503]) as receiver:
        code, out, _ = _send("order.created", "--url", receiver.url, "--retry", "--time-scale", "100000")
    assert code == 0
    attempts = [line for line in out.splitlines() if line.startswith("attempt")]
    assert [line.split()[1] for line in attempts] == ["1", "2", "3"]
    assert "acknowledged" in attempts[-1]
    assert len(receiver.requests) == 3


def test_duplicates_carry_the_same_event() -> None:
    with receivers.ok(200) as receiver:
        code, out, _ = _send("order.created", "--url", receiver.url, "--duplicates", "2")
    assert code == 0
    assert out.count("duplicate") == 2
    bodies = {request.body for request in receiver.requests}
    assert len(receiver.requests) == 3
    assert len(bodies) == 1


def test_a_v3_event_is_signed_with_every_secret() -> None:
    with receivers.ok(200) as receiver:
        code, _, _ = _send(
            "sale.created.v1",
            "--url",
            receiver.url,
            "--secret",
            "old-secret-0123",
            "--secret",
            "new-secret-4567",
        )
    assert code == 0
    (request,) = receiver.requests
    header = request.header("X-Flipdish-Signature")
    assert header is not None
    assert header.count("sha256=") == 2
    from datetime import datetime

    timestamp = request.header("X-Flipdish-Timestamp")
    assert timestamp is not None
    now = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    verify_signature(header, request.body, "new-secret-4567", now=now)


def test_the_secret_and_token_come_from_flipdish_sim_variables_only() -> None:
    with receivers.ok(200) as receiver:
        code, _, _ = _send("sale.created.v1", "--url", receiver.url, env={SECRET_ENV: "new-4567, old-0123"})
        assert code == 0
        code, _, _ = _send("order.created", "--url", receiver.url, env={VERIFY_TOKEN_ENV: TOKEN})
        assert code == 0
    v3, legacy = receiver.requests
    assert (v3.header("X-Flipdish-Signature") or "").count("sha256=") == 2, "comma-separated: rotation"
    assert legacy.header("X-Verify-Token") == TOKEN
    code, _, err = _send(
        "sale.created.v1", "--url", "http://127.0.0.1:9/x", env={"FLIPDISH_WEBHOOK_SECRET": "s"}
    )
    assert code == 2
    assert f"set {SECRET_ENV}" in err


def test_a_payload_file_is_sent_as_given(tmp_path: Path) -> None:
    body = {"Order": {"OrderId": "forty-two"}}
    payload = {"Type": "order.created", "CreateTime": "2026-01-01T00:00:00.000Z", "Body": body}
    (tmp_path / "p.json").write_text(json.dumps(payload))
    with receivers.ok(200) as receiver:
        code, _, err = _send("order.created", "--url", receiver.url, "--payload", str(tmp_path / "p.json"))
    assert code == 0
    assert json.loads(receiver.requests[0].body) == payload
    assert "warning: payload breaks the order.created contract: /Body/Order/OrderId" in err


def test_strict_refuses_a_payload_that_breaks_its_contract(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(json.dumps({"Type": "order.created", "Body": {}}))
    code, _, err = _send(
        "order.created", "--url", "http://127.0.0.1:9/x", "--payload", str(tmp_path / "p.json"), "--strict"
    )
    assert code == 1
    assert "order.created" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["order.creatd", "--url", "http://127.0.0.1:9/x"], "unknown event 'order.creatd'"),
        (["order.created", "--url", "not-a-url"], "invalid callback URL"),
        (["sale.created.v1", "--url", "http://127.0.0.1:9/x"], "pass --secret"),
        (
            ["order.created", "--url", "http://127.0.0.1:9/x", "--payload", "/no/such.json"],
            "cannot read payload",
        ),
        (["order.created", "--url", "http://127.0.0.1:9/x", "--family", "v3"], "is a legacy event"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    code, _, err = _send(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_an_unreachable_url_is_exit_2() -> None:
    code, out, err = _send("order.created", "--url", receivers.refused_url())
    assert code == 2
    assert "connection-refused" in out
    assert "could not reach" in err


def test_a_kept_log_has_the_attempts(tmp_path: Path) -> None:
    with receivers.ok(200) as receiver:
        code, _, _ = _send("order.created", "--url", receiver.url, "--db", str(tmp_path / "send.db"))
    assert code == 0
    result = CliRunner().invoke(main, ["logs", "export", "--db", str(tmp_path / "send.db")])
    record = json.loads(result.stdout.splitlines()[0])
    assert record["HttpResponseStatusCode"] == "200"


def test_a_url_argument_that_is_not_utf8_is_one_error_line_in_a_real_process(tmp_path: Path) -> None:
    """argv bytes that are not UTF-8 reach Python as lone surrogates: refused, never a traceback."""
    import os
    import subprocess
    import sys

    script = "from flipdish_sim.simulator.cli import main; main()"
    argv = [
        sys.executable,
        "-c",
        script,
        "send",
        "order.created",
        "--url",
        b"http://a\xff.test/".decode("utf-8", "surrogateescape"),
    ]
    env = {k: v for k, v in os.environ.items() if k not in (VERIFY_TOKEN_ENV, SECRET_ENV)}
    result = subprocess.run(
        [os.fsencode(a) for a in argv], capture_output=True, cwd=tmp_path, env=env, timeout=60, check=False
    )
    stderr = result.stderr.decode("utf-8", "backslashreplace")
    assert result.returncode == 2, stderr
    assert stderr.startswith("Error: invalid callback URL")
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert list(tmp_path.iterdir()) == []
