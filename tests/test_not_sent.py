"""Say what was not sent: deliveries a disable suspended or dropped are named, with the way to send them."""

from __future__ import annotations

from pathlib import Path

import receivers
from click.testing import CliRunner, Result

from flipdish_sim.simulator.cli import main

ENV = {"FLIPDISH_SIM_VERIFY_TOKEN": "tok-0123456789abcdef", "FLIPDISH_SIM_SECRET": None}
FLAKY = """\
name: flaky
subscription: {family: legacy, verify_token_env: FLIPDISH_SIM_VERIFY_TOKEN}
events:
  - {event: order.created, count: 6, rate: 1/minute}
policy:
  retry: {offsets: [30s, 10m]}
  disable: {min_sample: 4}
  on_disabled: hold
"""


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=ENV)


def test_send_names_the_deliveries_the_auto_disable_suspended() -> None:
    with receivers.ok(500) as receiver:
        result = _invoke("send", "order.created", "--url", receiver.url, "--duplicates", "19")
    assert result.exit_code == 1
    held = 20 - len(receiver.requests)  # how many the auto-disable kept back depends on what was in flight
    assert held > 0
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("not sent:")]
    many = "delivery" if held == 1 else "deliveries"
    assert line.startswith(f"not sent: {held} {many} ({held} suspended) of subscription 1, disabled at ")
    assert "(auto-disabled: " in line
    assert "keep the log with --db FILE; 'flipdish-sim subscriptions enable 1 --db FILE'" in line


def test_send_with_a_log_says_how_to_re_enable_it(tmp_path: Path) -> None:
    db = tmp_path / "send.db"
    with receivers.ok(500) as receiver:
        result = _invoke(
            "send", "order.created", "--url", receiver.url, "--duplicates", "19", "--db", str(db)
        )
    assert f"to send the suspended ones: flipdish-sim subscriptions enable 1 --db {db}" in result.stdout
    enabled = _invoke("subscriptions", "enable", "1", "--db", str(db))
    assert enabled.exit_code == 0
    assert f"{20 - len(receiver.requests)} deliveries pending" in enabled.stdout


def test_a_run_names_what_it_did_not_send_and_the_same_command_sends_it_after_a_re_enable(
    tmp_path: Path,
) -> None:
    scenario = tmp_path / "flaky.yaml"
    scenario.write_text(FLAKY)
    db = str(tmp_path / "run.db")
    status = [500]

    def answer(conn: receivers.Connection, request: receivers.RecordedRequest) -> bool:
        conn.send(receivers.response_head(status[0]))
        return True

    with receivers.Receiver(answer) as receiver:
        first = _invoke("run", str(scenario), "--url", receiver.url, "--db", db, "--no-progress")
        assert first.exit_code == 1
        (line,) = [line for line in first.stdout.splitlines() if line.startswith("not sent:")]
        assert "suspended) of subscription 1, disabled at " in line
        command = f"flipdish-sim run {scenario} --url {receiver.url} --db {db}"
        assert f"flipdish-sim subscriptions enable 1 --db {db}, then {command}" in line
        sent_before = len(receiver.requests)
        status[0] = 200  # the receiver is fixed
        assert _invoke("subscriptions", "enable", "1", "--db", db).exit_code == 0
        again = _invoke("run", str(scenario), "--url", receiver.url, "--db", db, "--no-progress")
    assert again.exit_code == 0, again.output
    assert "resuming flaky" in again.stdout
    assert "not sent" not in again.stdout
    bodies = {r.body for r in receiver.requests[sent_before:]}
    assert len(bodies) == len(receiver.requests) - sent_before > 0, "each suspended delivery sent once"
    finished = _invoke("run", str(scenario), "--url", receiver.url, "--db", db)
    assert finished.exit_code == 2, "now the run is finished"
