"""``flipdish-sim replay``: captured deliveries re-sent over loopback HTTP, with duplicates and reordering."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import receivers
from capture_files import SECRET, TOKEN, legacy_capture, stale, v3_capture, write
from click.testing import CliRunner
from flawed_receivers import receiver, served

from examples.legacy_fastapi.app import create_app as legacy_example
from examples.v3_fastapi.app import create_app as v3_example
from flipdish_sim.simulator.cli import main

NO_ENV = {"FLIPDISH_SIM_VERIFY_TOKEN": None, "FLIPDISH_SIM_SECRET": None}
EXAMPLE_PATH = "/webhooks/flipdish"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``flipdish-sim replay ARGS`` in a real process."""
    code = "from flipdish_sim.simulator.cli import main; main()"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLIPDISH_SIM_")}
    command = [sys.executable, "-c", code, "replay", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["replay", *args], env=NO_ENV)
    return result.exit_code, result.stdout, result.stderr


def applied(url: str) -> int:
    return int(httpx.get(url).json()["applied"])


@pytest.mark.parametrize("family", ["legacy", "v3"])
def test_duplicates_and_reordering_against_an_idempotent_example_apply_each_event_once(
    family: str, tmp_path: Path
) -> None:
    if family == "legacy":
        app, captures, creds = (
            legacy_example(TOKEN),
            [legacy_capture(n) for n in range(5)],
            ["--verify-token", TOKEN],
        )
    else:
        app, captures, creds = v3_example([SECRET]), [v3_capture(n, masked=True) for n in range(5)], []
        creds = ["--re-sign", "--secret", SECRET]
    file = write(tmp_path / "captures.jsonl", captures)
    with served(app) as base:
        url = base + EXAMPLE_PATH
        done = cli("--captures", str(file), "--to", url, "--duplicates", "2", "--out-of-order",
                   *creds, "--log", str(tmp_path / "replay.db"))  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert applied(url + "/applied") == 5
    assert "events 5, deliveries 15, attempts 15" in done.stdout
    assert "acknowledged 15" in done.stdout
    assert "duplicates sent 10" in done.stdout


@pytest.mark.parametrize("family", ["legacy", "v3"])
def test_against_a_non_idempotent_receiver_the_probe_shows_the_excess(family: str, tmp_path: Path) -> None:
    if family == "legacy":
        captures, creds = [legacy_capture(n) for n in range(4)], ["--verify-token", TOKEN]
    else:
        captures, creds = [v3_capture(n) for n in range(4)], ["--re-sign", "--secret", SECRET]
    file = write(tmp_path / "captures.jsonl", captures)
    with served(receiver(family, "not-idempotent")) as base:
        done = cli("--captures", str(file), "--to", base + "/webhook", "--duplicates", "2", "--out-of-order",
                   *creds, "--log", str(tmp_path / "replay.db"))  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert applied(base + "/applied") == 12  # 4 events applied 3 times each


def test_out_of_order_changes_the_order_the_receiver_sees(tmp_path: Path) -> None:
    captures = [legacy_capture(n) for n in range(8)]
    file = write(tmp_path / "captures.jsonl", captures)
    orders = []
    for flag in ([], ["--out-of-order"]):
        with receivers.ok() as target:
            code, _, err = invoke("--captures", str(file), "--to", target.url, "--verify-token", TOKEN, *flag,
                                  "--log", str(tmp_path / f"replay{len(flag)}.db"))  # fmt: skip
            assert code == 0, err
            orders.append([r.body for r in target.requests])
    assert orders[0] == [c.body for c in captures]  # the bytes, exactly as captured, in the captured order
    assert sorted(orders[1]) == sorted(orders[0])
    assert orders[1] != orders[0]


def test_a_v3_replay_with_re_sign_verifies_and_without_it_a_stale_capture_is_refused(tmp_path: Path) -> None:
    file = write(tmp_path / "captures.jsonl", [v3_capture(1, signed_at=stale())])
    with served(v3_example([SECRET])) as base:
        url = base + EXAMPLE_PATH
        refused = cli("--captures", str(file), "--to", url, "--log", str(tmp_path / "a.db"))
        assert refused.returncode == 2
        [line] = refused.stderr.splitlines()
        assert "cannot be replayed: it was signed at" in line
        assert "past the receiver's 300 s window: add --re-sign --secret S" in line
        assert applied(url + "/applied") == 0
        assert not (tmp_path / "a.db").exists()  # refused before a log was opened
        done = cli(
            "--captures",
            str(file),
            "--to",
            url,
            "--re-sign",
            "--secret",
            SECRET,
            "--log",
            str(tmp_path / "b.db"),
        )
        assert done.returncode == 0, done.stderr
        assert applied(url + "/applied") == 1


def test_a_fresh_v3_capture_is_sent_with_its_own_signature(tmp_path: Path) -> None:
    capture = v3_capture(2)
    file = write(tmp_path / "captures.jsonl", [capture])
    with receivers.ok() as target:
        code, _, err = invoke("--captures", str(file), "--to", target.url, "--log", str(tmp_path / "r.db"))
        assert code == 0, err
        [seen] = target.requests
    assert seen.header("X-Flipdish-Signature") == capture.header("X-Flipdish-Signature")
    assert seen.body == capture.body


def test_a_run_log_replays_its_deliveries_byte_for_byte(tmp_path: Path) -> None:
    log = tmp_path / "send.db"
    with served(legacy_example(TOKEN)) as first:
        sent = CliRunner().invoke(main, ["send", "order.created", "--url", first + EXAMPLE_PATH,
                                         "--verify-token", TOKEN, "--db", str(log)], env=NO_ENV)  # fmt: skip
        assert sent.exit_code == 0, sent.output
    app = legacy_example(TOKEN)
    with served(app) as second:
        code, out, err = invoke("--db", str(log), "--to", second + EXAMPLE_PATH, "--verify-token", TOKEN,
                                "--log", str(tmp_path / "replay.db"))  # fmt: skip
        assert code == 0, err
    [envelope] = app.state.applied
    assert envelope["Type"] == "order.created"
    assert "events 1, deliveries 1, attempts 1" in out


def test_filters_choose_captures_and_say_when_nothing_matches(tmp_path: Path) -> None:
    file = write(tmp_path / "captures.jsonl", [legacy_capture(n) for n in range(3)])
    with receivers.ok() as target:
        code, _, err = invoke("--captures", str(file), "--to", target.url, "--verify-token", TOKEN,
                                "--event-id", "evt-1", "--log", str(tmp_path / "r.db"))  # fmt: skip
        assert code == 0, err
        assert [b"evt-1" in r.body for r in target.requests] == [True]
        code, _out, err = invoke("--captures", str(file), "--to", target.url, "--verify-token", TOKEN,
                                "--type", "order.refunded", "--since", "2020-01-01T00:00:00Z")  # fmt: skip
    assert code == 2
    assert err.splitlines() == [
        "Error: no capture matches --type order.refunded --since 2020-01-01T00:00:00+00:00 (of 3 read)"
    ]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, ["--re-sign"], "Error: --re-sign signs with the subscription's secret: pass --secret S"),
        (None, [], "Error: legacy captures hold the verify token masked: pass --verify-token T"),
        (b"", ["--verify-token", TOKEN], "holds no captures"),
        (b"\n", ["--verify-token", TOKEN], "holds no captures"),
        (
            b"broken",
            ["--verify-token", TOKEN],
            "captures.jsonl line 2: not JSON (Expecting value at column 1)",
        ),
        (
            b'{"x": 1}',
            ["--verify-token", TOKEN],
            "captures.jsonl line 2: not a capture (no FlipdishSimCapture key)",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_is_sent(
    tmp_path: Path, content: bytes | None, args: list[str], message: str
) -> None:
    file = write(tmp_path / "captures.jsonl", [legacy_capture(0)])
    if content is not None:
        good = file.read_bytes()
        file.write_bytes(good + content + b"\n" + good if content.strip() else content)
    with receivers.ok() as target:
        code, _out, err = invoke(
            "--captures", str(file), "--to", target.url, *args, "--log", str(tmp_path / "r.db")
        )
        assert target.requests == []
    assert code == 2
    [line] = err.splitlines()
    assert message in line
    assert not (tmp_path / "r.db").exists()


def test_a_db_that_is_not_a_log_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    other.write_text("shopping list\n")
    code, _, err = invoke("--db", str(other), "--to", "http://127.0.0.1:9/x", "--verify-token", TOKEN)
    assert code == 2
    assert err.splitlines() == [
        f"Error: {other} is not a flipdish-sim log (not an SQLite file); use a new --db file"
    ]
    assert other.read_text() == "shopping list\n"


def test_a_url_that_refuses_is_exit_2_after_the_schedule_is_logged(tmp_path: Path) -> None:
    file = write(tmp_path / "captures.jsonl", [legacy_capture(0)])
    url = receivers.refused_url()
    done = cli(
        "--captures",
        str(file),
        "--to",
        url,
        "--verify-token",
        TOKEN,
        "--log",
        str(tmp_path / "r.db"),
    )
    assert done.returncode == 2
    assert (
        done.stderr.splitlines()[-1]
        == f"Error: could not reach {url}: nothing answered (see the attempts above)"
    )
    assert "connection-refused" in done.stdout
    assert "expired 1" in done.stdout


def test_without_log_each_replay_writes_a_new_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    file = write(tmp_path / "captures.jsonl", [legacy_capture(0)])
    with receivers.ok() as target:
        for _ in range(2):
            code, out, err = invoke("--captures", str(file), "--to", target.url, "--verify-token", TOKEN)
            assert code == 0, err
    logs = {f"flipdish-sim-runs/{p.name}" for p in (tmp_path / "flipdish-sim-runs").iterdir()}
    assert len(logs) == 2
    assert out.splitlines()[0].removeprefix("log: ") in logs


def test_the_token_never_reaches_the_output_or_the_log(tmp_path: Path) -> None:
    file = write(tmp_path / "captures.jsonl", [legacy_capture(0)])
    with receivers.ok() as target:
        code, out, err = invoke("--captures", str(file), "--to", target.url, "--verify-token", TOKEN,
                                "--log", str(tmp_path / "r.db"))  # fmt: skip
        assert target.requests[0].header("X-Verify-Token") == TOKEN
    assert code == 0
    assert TOKEN not in out + err
    exported = CliRunner().invoke(main, ["logs", "export", "--db", str(tmp_path / "r.db")], env=NO_ENV)
    assert "X-Verify-Token" in exported.stdout
    assert TOKEN not in exported.stdout


def test_a_log_that_holds_a_run_is_not_appended_to(tmp_path: Path) -> None:
    file = write(tmp_path / "captures.jsonl", [legacy_capture(0)])
    log = tmp_path / "r.db"
    with receivers.ok() as target:
        first = invoke(
            "--captures", str(file), "--to", target.url, "--verify-token", TOKEN, "--log", str(log)
        )
        assert first[0] == 0, first[2]
        code, _, err = invoke(
            "--captures", str(file), "--to", target.url, "--verify-token", TOKEN, "--log", str(log)
        )
        assert len(target.requests) == 1
    assert code == 2
    assert err.splitlines() == [f"Error: --log {log} already holds a run; pass a new file"]


def test_a_listen_log_replays_its_captures_with_the_body_bytes_as_received(tmp_path: Path) -> None:
    from flipdish_sim.simulator.log import CaptureLog
    from flipdish_sim.simulator.log._file import open_log

    log = tmp_path / "listen.db"
    captures = [legacy_capture(n) for n in range(3)]
    with open_log(log) as store:
        for capture in captures:
            CaptureLog(store).record(capture)
    with served(legacy_example(TOKEN)) as base:
        url = base + EXAMPLE_PATH
        done = cli("--db", str(log), "--to", url, "--verify-token", TOKEN, "--log", str(tmp_path / "r.db"))
        assert done.returncode == 0, done.stderr
        assert applied(url + "/applied") == 3
    assert "events 3, deliveries 3, attempts 3" in done.stdout
    with open_log(tmp_path / "r.db", existing=True, write=False) as replayed:
        sent = sorted(row.request_body for row in replayed.attempts())
    assert sent == sorted(capture.body for capture in captures)
