"""``flipdish-sim listen`` and ``listen report`` as a user runs them: real processes, one log, signals."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import httpx
import pytest
import receivers
from listening import cli, start_listen


def test_sigterm_stops_listen_cleanly_with_the_drift_summary(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    with receivers.ok(204) as receiver:
        listen = start_listen(db, receiver.url)
        try:
            assert httpx.post(listen.url, content=b'{"Type":"order.created","Body":{}}').status_code == 204
        finally:
            status, out, err = listen.stop(signal.SIGTERM)
    assert status == 0, err
    assert "drift summary: 1 deliveries captured" in out
    assert "order.created" in out
    assert "Traceback" not in err
    report = cli("listen", "report", "--db", str(db))
    assert report.returncode == 0
    assert report.stdout.splitlines()[0] == "drift summary: 1 deliveries captured"


def test_a_second_listen_on_one_log_is_refused_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    with receivers.ok() as receiver:
        first = start_listen(db, receiver.url)
        try:
            second = cli("listen", "--forward-to", receiver.url, "--port", "0", "--db", str(db), timeout=30)
        finally:
            status, _, _ = first.stop()
    assert second.returncode == 2
    assert second.stderr.count("\n") == 1
    assert "in use by process" in second.stderr
    assert status == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "--forward-to URL is required"),
        (["--forward-to", "ftp://x/"], "invalid callback URL"),
        (
            ["--forward-to", "http://127.0.0.1:1/", "--family", "legacy", "--secret", "s"],
            "--secret verifies v3",
        ),
        (["--forward-to", "http://127.0.0.1:1/", "--port", "70000"], "--port"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = cli("listen", "--db", str(tmp_path / "l.db"), *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert message in result.stderr
    assert not (tmp_path / "l.db").exists()


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli(
            "listen",
            "--forward-to",
            "http://127.0.0.1:1/",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "l.db"),
        )
    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}")
    assert result.stderr.count("\n") == 1


def test_report_on_a_file_that_is_not_a_log_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "x.db").write_text("not sqlite")
    missing = cli("listen", "report", "--db", str(tmp_path / "none.db"))
    other = cli("listen", "report", "--db", str(tmp_path / "x.db"))
    assert (missing.returncode, other.returncode) == (2, 2)
    assert "no log at" in missing.stderr
    assert "not a flipdish-sim log" in other.stderr


def test_captures_export_out_writes_the_whole_file_and_validate_reads_its_lines(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    with receivers.ok(204) as receiver:
        listen = start_listen(db, receiver.url, "--verify-token", "tok-SECRET")
        try:
            headers = {"X-Verify-Token": "tok-SECRET"}
            httpx.post(
                listen.url, content=b'{"Type":"order.created","CreateTime":"x","Body":{}}', headers=headers
            )
            httpx.post(listen.url, content=b"\xff not json", headers=headers)
        finally:
            listen.stop()
    out = tmp_path / "captures.jsonl"
    result = cli("captures", "export", "--db", str(db), "--out", str(out))
    assert result.returncode == 0
    assert result.stderr == f"wrote 2 captures to {out}\n"
    text = out.read_text()
    assert "tok-SECRET" not in text
    assert '"body_base64"' in text  # the non-UTF-8 body, kept exactly
    validated = cli("contracts", "validate", str(out))
    lines = validated.stdout.splitlines()
    assert validated.returncode == 1
    assert lines[-1].startswith("FAIL 2 ? (root): capture ")
    assert lines[-1].endswith("its body is not JSON")
    assert [line.split()[:3] for line in lines[:-1]] == [["FAIL", "1", "order.created"]] * (len(lines) - 1)
    missing = cli("captures", "export", "--db", str(tmp_path / "none.db"))
    assert (missing.returncode, missing.stderr.count("\n")) == (2, 1)


def test_a_port_in_use_leaves_no_log_behind(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("listen", "--forward-to", "http://127.0.0.1:1/", "--port", str(port), cwd=tmp_path)
    assert result.returncode == 2
    assert list(tmp_path.iterdir()) == []  # no flipdish-sim-runs/ folder, no log


def test_a_verify_token_http_cannot_carry_is_refused_in_one_line(tmp_path: Path) -> None:
    result = cli(
        "listen",
        "--forward-to",
        "http://127.0.0.1:1/",
        "--verify-token",
        "bad\ttoken",
        "--db",
        str(tmp_path / "l.db"),
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "verify token" in result.stderr


def test_a_delivery_line_is_one_line_whatever_the_request_holds() -> None:
    from datetime import UTC, datetime

    from flipdish_sim.simulator.cli.listen import _colour, delivery_line
    from flipdish_sim.simulator.listen import Credentials, HandledRequest, judge
    from flipdish_sim.simulator.model import Capture

    body = b'{"Type": "order.created\\n[bold]x[/bold]", "Body": {}}'
    capture = Capture(
        "c", datetime(2026, 3, 1, tzinfo=UTC), "POST", "/p", (("x-verify-token", "tok-SECRET"),), body
    )
    line = delivery_line(
        HandledRequest(capture, judge(capture, Credentials(verify_token="tok-SECRET")), None, 200)
    )
    assert "\n" not in line
    assert "tok-SECRET" not in line
    assert "auth=valid" in line
    assert r"\[bold]" in _colour(line)  # user text is never rich markup
