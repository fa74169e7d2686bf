"""``flipdish-sim run`` and the log commands around it, against real loopback receivers."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path

import pytest
import receivers
from click.testing import CliRunner, Result

from flipdish_sim.simulator.cli import main

TOKEN = "tok-0123456789abcdef"
ENV = {"FLIPDISH_SIM_VERIFY_TOKEN": TOKEN}

FAILING = """\
name: failing
subscription:
  family: legacy
  verify_token_env: FLIPDISH_SIM_VERIFY_TOKEN
events:
  - {event: order.created, count: 3, rate: 1/minute}
policy:
  retry: {offsets: [1m, 2m]}
  disable: {min_sample: 100}
"""


def _invoke(*args: str, env: Mapping[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=ENV if env is None else env)


def test_a_builtin_scenario_runs_to_a_summary(tmp_path: Path) -> None:
    db = tmp_path / "run.db"
    with receivers.ok(200) as receiver:
        result = _invoke("run", "order-lifecycle", "--url", receiver.url, "--db", str(db), "--no-progress")
    assert result.exit_code == 0, result.output
    assert "events 14, deliveries 14, attempts 14" in result.stdout
    assert "acknowledged 14" in result.stdout
    assert "latency p50" in result.stdout
    assert len(receiver.requests) == 14
    assert all(r.header("X-Verify-Token") == TOKEN for r in receiver.requests)
    assert TOKEN not in result.output


def test_a_progress_bar_run_ends_with_the_same_summary(tmp_path: Path) -> None:
    with receivers.ok(200) as receiver:
        result = _invoke(
            "run", "order-lifecycle", "--url", receiver.url, "--db", str(tmp_path / "r.db"), "--progress"
        )
    assert result.exit_code == 0, result.output
    assert "acknowledged 14" in result.stdout


def test_expired_deliveries_exit_1_and_show_in_the_summary(tmp_path: Path) -> None:
    (tmp_path / "failing.yaml").write_text(FAILING)
    with receivers.ok(503) as receiver:
        result = _invoke(
            "run", str(tmp_path / "failing.yaml"), "--url", receiver.url, "--db", str(tmp_path / "r.db")
        )
    assert result.exit_code == 1, result.output
    assert "attempts 9" in result.stdout
    assert "expired 3" in result.stdout
    assert len(receiver.requests) == 9


def test_subscriptions_and_logs_of_a_run(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    (tmp_path / "failing.yaml").write_text(FAILING)
    with receivers.ok(503) as receiver:
        _invoke("run", str(tmp_path / "failing.yaml"), "--url", receiver.url, "--db", db)
    listed = _invoke("subscriptions", "list", "--db", db)
    assert listed.exit_code == 0
    assert "legacy" in listed.stdout
    assert TOKEN not in listed.stdout
    assert _invoke("subscriptions", "disable", "1", "--db", db).exit_code == 0
    assert "DISABLED" in _invoke("subscriptions", "list", "--db", db).stdout
    assert _invoke("subscriptions", "enable", "1", "--db", db).exit_code == 0
    assert _invoke("subscriptions", "enable", "9", "--db", db).exit_code == 2
    out = tmp_path / "log.csv"
    exported = _invoke("logs", "export", "--db", db, "--format", "csv", "--output", str(out))
    assert exported.exit_code == 0
    with out.open(newline="") as handle:
        assert len(list(csv.reader(handle))) == 10  # header + 9 attempts
    lines = _invoke("logs", "export", "--db", db, "--subscription", "1").stdout.splitlines()
    assert [json.loads(line)["RetryCount"] for line in lines] == [0, 1, 0, 2, 1, 0, 2, 1, 2]


def test_scenarios_list_and_show() -> None:
    listed = _invoke("scenarios", "list")
    assert listed.exit_code == 0
    assert {line.split()[0] for line in listed.stdout.splitlines()} >= {
        "order-lifecycle",
        "outage-recovery",
        "burst",
    }
    shown = _invoke("scenarios", "show", "burst")
    assert "events:" in shown.stdout
    assert _invoke("scenarios", "show", "nope").exit_code == 2


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["run", "order-lifecycle", "--url", "http://127.0.0.1:9/x"],
            {"FLIPDISH_SIM_VERIFY_TOKEN": None, "FLIPDISH_VERIFY_TOKEN": "old-name"},
            "FLIPDISH_SIM_VERIFY_TOKEN is not set",
        ),
        (["run", "nope", "--url", "http://127.0.0.1:9/x"], ENV, "no built-in scenario 'nope'"),
        (["run", "order-lifecycle"], ENV, "pass --url URL"),
        (["run", "order-lifecycle", "--url", "ftp://x"], ENV, "invalid callback URL"),
    ],
)
def test_bad_input_exits_2_before_the_log_is_written(
    tmp_path: Path, args: list[str], env: dict[str, str | None], message: str
) -> None:
    db = tmp_path / "never.db"
    result = _invoke(*args, "--db", str(db), env=env)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not db.exists()


def test_a_malformed_scenario_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "subscription: {}\nevents:\n  - event: order.created\n    rate: fast\n"
    )
    result = _invoke(
        "run", str(tmp_path / "bad.yaml"), "--url", "http://127.0.0.1:9/x", "--db", str(tmp_path / "d")
    )
    assert result.exit_code == 2
    assert "bad.yaml:4: events[0].rate" in result.stderr


def test_a_log_of_another_application_is_refused(tmp_path: Path) -> None:
    (tmp_path / "other.db").write_bytes(b"not sqlite at all" * 200)
    result = _invoke("subscriptions", "list", "--db", str(tmp_path / "other.db"))
    assert result.exit_code == 2, "a --db that is not a log is bad input"
    assert "not a flipdish-sim log" in result.stderr


def test_a_finished_run_is_not_appended_to(tmp_path: Path) -> None:
    """Behaviour change: a second run on a finished run's log used to append a second copy of its events."""
    db = str(tmp_path / "r.db")
    with receivers.ok(200) as receiver:
        first = _invoke("run", "order-lifecycle", "--url", receiver.url, "--db", db)
        second = _invoke("run", "order-lifecycle", "--url", receiver.url, "--db", db)
    assert first.exit_code == 0
    assert second.exit_code == 2
    assert "holds a finished run of order-lifecycle" in second.stderr
    assert len(receiver.requests) == 14


def test_runs_in_one_folder_never_send_to_each_others_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run A then run B in the same folder, no --db: B's events never reach A's URL."""
    monkeypatch.chdir(tmp_path)
    with receivers.ok(200) as a, receivers.ok(200) as b:
        first = _invoke("run", "order-lifecycle", "--url", a.url)
        second = _invoke("run", str(_failing(tmp_path)), "--url", b.url)
    assert first.exit_code == 0, first.output
    assert len(a.requests) == 14, "A's URL received A's run and nothing of B's"
    assert len(b.requests) == 3
    logs = sorted(p.name for p in (tmp_path / "flipdish-sim-runs").iterdir())
    assert len(logs) == 2, "one log per run, and no lock file left behind"
    first_log = next(name for name in logs if name.endswith("-order-lifecycle.db"))
    second_log = next(name for name in logs if name.endswith("-failing.db"))
    assert f"log: {Path('flipdish-sim-runs') / first_log}" in first.stdout
    assert f"log: {Path('flipdish-sim-runs') / second_log}" in second.stdout
    assert not (tmp_path / "flipdish-sim.db").exists()


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (["--seed", "3"], "holds an unfinished run of order-lifecycle"),
        (["--url", "http://127.0.0.1:9/elsewhere"], "delivers to http://127.0.0.1:"),
    ],
)
def test_an_unfinished_run_resumes_only_as_itself(tmp_path: Path, second: list[str], message: str) -> None:
    import sqlite3

    db = tmp_path / "r.db"
    with receivers.ok(200) as receiver:
        assert _invoke("run", "order-lifecycle", "--url", receiver.url, "--db", str(db)).exit_code == 0
        log = sqlite3.connect(db)  # as if interrupted: the run is not marked finished
        log.execute("UPDATE meta SET value = replace(value, ', \"finished\": true', '') WHERE key = 'run'")
        log.commit()
        log.close()
        args = ["run", "order-lifecycle", "--url", receiver.url, "--db", str(db), *second]
        refused = _invoke(*args)
        again = _invoke("run", "order-lifecycle", "--url", receiver.url, "--db", str(db))
    assert refused.exit_code == 2
    assert message in refused.stderr
    assert again.exit_code == 0, again.output
    assert "resuming order-lifecycle" in again.stdout
    assert len(receiver.requests) == 14


def test_a_log_that_run_did_not_write_is_refused(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from flipdish_sim.simulator.log._store import Store

    db = tmp_path / "served.db"
    with Store(db) as store:  # e.g. a serve log, with someone else's subscription
        store.add_subscription(
            callback_url="https://staging.example/hook",
            family="legacy",
            event_names=["order.created"],
            created_at=datetime.now(UTC),
        )
    with receivers.ok(200) as receiver:
        result = _invoke("run", "order-lifecycle", "--url", receiver.url, "--db", str(db))
    assert result.exit_code == 2
    assert "was not written by 'run'" in result.stderr
    assert receiver.requests == []


def _failing(tmp_path: Path) -> Path:
    path = tmp_path / "failing.yaml"
    path.write_text(FAILING.replace("retry: {offsets: [1m, 2m]}", "retry: {offsets: [1m]}"))
    return path
