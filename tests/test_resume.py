"""Resume after ``kill -9``: the receiver kills the sender mid-attempt; a second run on the same log finishes.

Deterministic: the loopback receiver itself sends SIGKILL to the ``flipdish-sim run`` process when the
k-th request arrives, before answering it, so that attempt is in flight when the process dies.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
import receivers

pytestmark = pytest.mark.slow

TOKEN = "tok-resume-0123456789"
SCENARIO = """\
name: resume
subscription:
  family: legacy
  verify_token_env: FLIPDISH_SIM_VERIFY_TOKEN
events:
  - {event: order.created, count: 12, rate: 1/minute, seed: 5}
policy:
  retry: {offsets: [30s, 2m, 5m]}
  disable: {enabled: false}
"""
KILL_AT = 7  # the 7th request is in flight when the sender dies


def test_a_killed_run_resumes_with_no_attempt_lost_or_repeated(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    scenario = tmp_path / "resume.yaml"
    scenario.write_text(SCENARIO)
    db = tmp_path / "run.db"
    victim: list[int] = []

    def answer(conn: receivers.Connection, request: receivers.RecordedRequest) -> bool:
        n = len(receiver.requests)
        if n == KILL_AT and victim:
            os.kill(victim[0], signal.SIGKILL)  # mid-attempt: this request is never answered
            return False
        status = 500 if n in (3, 5) else 200
        conn.send(receivers.response_head(status))
        return True

    with receivers.Receiver(answer) as receiver:
        first = receivers.start_run(scenario, receiver.url, db, TOKEN)
        victim.append(first.pid)
        first.communicate(timeout=60)
        assert first.returncode == -signal.SIGKILL
        second = receivers.start_run(scenario, receiver.url, db, TOKEN)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, (out + err).decode()[-3000:]
        seen = [json.loads(r.body)["Body"]["FlipdishEventId"] for r in receiver.requests]

    assert b"resumed: " in out
    log = sqlite3.connect(db)
    request.addfinalizer(log.close)
    states = Counter(state for (state,) in log.execute("SELECT state FROM deliveries"))
    assert states == {"acknowledged": 12}, "every event reached a final state"
    assert log.execute("SELECT count(*) FROM deliveries WHERE in_flight_us IS NOT NULL").fetchone() == (0,)
    rows = log.execute(
        "SELECT e.id, a.attempt_no, a.outcome FROM attempts a JOIN deliveries d ON d.id = a.delivery_id"
        " JOIN events e ON e.seq = d.event_seq ORDER BY a.at_us, a.id"
    ).fetchall()
    interrupted = [row for row in rows if row[2] == "interrupted"]
    assert len(interrupted) == 1, "exactly the attempt in flight at the kill is marked"
    assert interrupted[0][0] == seen[KILL_AT - 1]
    recorded = Counter(event_id for event_id, _, outcome in rows)
    assert recorded == Counter(seen), "every request the receiver saw is in the log once, nothing else"
    for event_id in recorded:
        numbers = [n for e, n, _ in rows if e == event_id]
        assert numbers == list(range(1, len(numbers) + 1)), "attempt numbers have no gap and no repeat"
    log.close()


BURST = """\
name: resume-burst
subscription:
  family: legacy
  verify_token_env: FLIPDISH_SIM_VERIFY_TOKEN
events:
  - {event: order.created, count: 400, seed: 9}
policy:
  concurrency: 10
  disable: {enabled: false}
"""


def test_a_killed_burst_resumes_with_its_payloads_made_ahead(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """400 events at one instant: past the first 256 their payloads come from the worker process that
    makes examples ahead. A kill -9 then loses nothing, the worker does not outlive the run (the log is
    free for the resumed run), and every event is delivered with the payload its seed gives."""
    scenario = tmp_path / "burst.yaml"
    scenario.write_text(BURST)
    db = tmp_path / "run.db"
    victim: list[int] = []

    def answer(conn: receivers.Connection, request: receivers.RecordedRequest) -> bool:
        if len(receiver.requests) == 320 and victim:
            os.kill(victim[0], signal.SIGKILL)
            return False
        conn.send(receivers.response_head(200))
        return True

    with receivers.Receiver(answer) as receiver:
        first = receivers.start_run(scenario, receiver.url, db, TOKEN, "--fixed-ids")
        victim.append(first.pid)
        first.communicate(timeout=60)
        assert first.returncode == -signal.SIGKILL
        second = receivers.start_run(scenario, receiver.url, db, TOKEN, "--fixed-ids")
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, (out + err).decode()[-3000:]
        bodies = [r.body for r in receiver.requests]

    log = sqlite3.connect(db)
    request.addfinalizer(log.close)
    assert log.execute("SELECT state, count(*) FROM deliveries GROUP BY state").fetchall() == [
        ("acknowledged", 400)
    ]
    (interrupted,) = log.execute("SELECT count(*) FROM attempts WHERE outcome = 'interrupted'").fetchone()
    from flipdish_sim.simulator.engine._loop import WINDOW

    # started and not yet applied at the kill: at most WINDOW x concurrency (results apply in start order)
    assert 1 <= interrupted <= WINDOW * 10, "only attempts in flight at the kill"
    from flipdish_sim.contracts.examples import example
    from flipdish_sim.simulator.model._subscription import from_us
    from flipdish_sim.simulator.wire._envelope import encode_json

    sent = {json.loads(b)["Body"]["FlipdishEventId"]: b for b in bodies}
    stored = {event_id: bytes(body) for event_id, body in log.execute("SELECT id, body FROM events")}
    assert sent == stored, "what was sent is what the log holds, each event once"
    ((start_us, count),) = log.execute("SELECT min(created_us), count(DISTINCT created_us) FROM events")
    assert count == 1
    expected = [encode_json(example("order.created", seed=9 + n, at=from_us(start_us))) for n in range(400)]
    assert sorted(stored.values()) == sorted(expected), "each payload is the one its seed gives"
