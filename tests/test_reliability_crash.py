"""Crash and resume: ``kill -9`` a ``flipdish-sim run`` at seeded moments, at least 20 times, same database.

The receiver (a real server on 127.0.0.1, in this process) fails an evenly spread 30% of the requests it
answers and picks the kill moments: on its seeded k-th request it either holds the answer until the test
has killed the sender (the attempt is in flight) or answers first (the kill races the commit). After every
kill the run is started again with the same database; the last run goes to the end. Then the log must show:

* every event final (acknowledged or expired), nothing left pending or in flight;
* every request the receiver saw recorded exactly once (same event id, same signed timestamp), and every
  recorded attempt the receiver never saw is one that was in flight at a kill (``interrupted``);
* attempt times on the retry schedule; the disable state what the rolling-window rule says.
"""

from __future__ import annotations

import importlib.util
import os
import random
import signal
import sqlite3
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from receivers import CLI, QuietHandler, serving

from flipdish_sim.simulator.policy._disable import DisablePolicy, Observation
from flipdish_sim.verify import verify_signature

pytestmark = [
    pytest.mark.faults,
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("flipdish_sim.simulator.cli.run") is None,
        reason="the 'flipdish-sim run' command (simulator/cli/run.py) does not exist yet",
    ),
]

SECRET = "crash-test-secret-5c1d"
KILLS = 20
SEED = 20260101
OFFSETS = ("1m", "5m", "30m", "2h")  # retries after the first attempt; 5 attempts in all
EVENTS = 100
CONCURRENCY = (
    10  # the engine's default: attempts due at one instant go out together, so a kill may cut several
)

SCENARIO = f"""\
name: crash-and-resume
subscription:
  family: v3
  secrets_env: FLIPDISH_CRASH_SECRET
events:
  - event: sale.created.v1
    count: {EVENTS}
    rate: 1/minute
    seed: 3
policy:
  retry:
    offsets: [{", ".join(OFFSETS)}]
  disable:
    min_sample: 20
"""


@dataclass
class KillSwitch:
    """Shared between the receiver's threads and the test: when to stop the sender, and how."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    answered: int = 0
    kill_at: int | None = None
    hold: bool = False
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    seen: list[tuple[str, int | None]] = field(default_factory=list)  # (event id, status answered or None)
    bad_signatures: int = 0


@pytest.fixture
def receiver() -> Iterator[tuple[str, KillSwitch]]:
    switch = KillSwitch()

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if len(body) < length:
                return  # the sender died mid-request: the receiver never got this one
            try:
                verify_signature(
                    self.headers.get("X-Flipdish-Signature"), body, SECRET, tolerance=timedelta(days=3650)
                )
            except ValueError:
                switch.bad_signatures += 1
            with switch.lock:
                switch.answered += 1
                n = switch.answered
                trigger = switch.kill_at == n
                status = 503 if (n * 3) // 10 > ((n - 1) * 3) // 10 else 200  # 30% failures, evenly spread
                held = trigger and switch.hold
                switch.seen.append((self.headers["X-Flipdish-Idempotency-Key"], None if held else status))
            if held:
                switch.reached.set()
                switch.released.wait(30)  # the sender is killed meanwhile; this answer goes nowhere
                return
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
            if trigger:
                switch.reached.set()

    # a killed sender leaves broken pipes and resets behind: expected here
    with serving(Handler, "/webhooks", quiet_errors=True) as url:
        try:
            yield url, switch
        finally:
            switch.released.set()  # before the server shuts down: a held answer stops waiting


def _start(scenario: Path, url: str, db: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FLIPDISH_CRASH_SECRET": SECRET}
    command = [
        *CLI,
        "run",
        str(scenario),
        "--url",
        url,
        "--db",
        str(db),
        "--clock",
        "virtual",
        "--seed",
        "1",
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _run_with_kills(scenario: Path, url: str, db: Path, switch: KillSwitch) -> int:
    rng = random.Random(SEED)
    kills = 0
    for _ in range(KILLS * 3):  # bounded: each round ends in a kill or the run's end
        with switch.lock:
            if kills < KILLS:
                switch.kill_at = switch.answered + rng.randint(1, 3)
                switch.hold = rng.random() < 0.5
            else:
                switch.kill_at = None
            switch.reached.clear()
            switch.released.clear()
        process = _start(scenario, url, db)
        try:
            while process.poll() is None and not switch.reached.wait(0.05):
                pass
            if process.poll() is None and switch.reached.is_set():
                process.send_signal(signal.SIGKILL)
                process.communicate(timeout=30)
                kills += 1
                switch.released.set()
                continue
            _, err = process.communicate(timeout=60)
            assert process.returncode in (0, 1), err.decode(errors="replace")[-2000:]  # 1: some expired
            assert b"Traceback" not in err, err.decode(errors="replace")[-3000:]
            return kills  # the run went to its end (possibly before the k-th request came)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    raise AssertionError("the run did not finish within the bounded number of restarts")


def test_kill_9_at_random_moments_loses_and_duplicates_nothing(
    receiver: tuple[str, KillSwitch], tmp_path: Path
) -> None:
    url, switch = receiver
    scenario = tmp_path / "crash.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    db = tmp_path / "run.db"

    kills = _run_with_kills(scenario, url, db, switch)
    assert kills >= KILLS
    assert switch.bad_signatures == 0

    with closing(sqlite3.connect(db)) as con:
        events = con.execute("SELECT count(*) FROM events").fetchone()[0]
        states = Counter(s for (s,) in con.execute("SELECT state FROM deliveries"))
        in_flight = con.execute("SELECT count(*) FROM deliveries WHERE in_flight_us IS NOT NULL").fetchone()[
            0
        ]
        rows = con.execute(
            "SELECT e.id, a.at_us, a.outcome, a.attempt_no, d.id, d.first_attempt_us FROM attempts a "
            "JOIN deliveries d ON d.id = a.delivery_id JOIN events e ON e.seq = d.event_seq "
            "ORDER BY d.id, a.attempt_no"
        ).fetchall()
        enabled = con.execute("SELECT enabled FROM subscriptions").fetchone()[0]

    # every event published once and final
    assert events == EVENTS
    assert set(states) <= {"acknowledged", "expired"}, states
    assert sum(states.values()) == EVENTS
    assert in_flight == 0

    # what the receiver saw == what the log holds, except attempts whose outcome died with the sender.
    # (v3 timestamps carry the real sending time, so requests and log rows are matched per event, in order)
    logged: dict[str, list[str]] = {}
    for event_id, _, outcome, *_ in rows:
        logged.setdefault(event_id, []).append(outcome)
    answered: dict[str, list[int | None]] = {}
    for event_id, status in switch.seen:
        answered.setdefault(event_id, []).append(status)
    assert set(answered) <= set(logged), "a delivery the receiver saw is missing from the log"
    killed_outcomes = 0
    for event_id, outcomes in logged.items():
        statuses = answered.get(event_id, [])
        assert len(statuses) <= len(outcomes), (
            f"{event_id}: the receiver saw more attempts than the log holds"
        )
        interrupted = outcomes.count("interrupted")
        assert len(outcomes) - len(statuses) <= interrupted, f"{event_id}: a logged attempt was never sent"
        killed_outcomes += interrupted
        # every outcome the log knows is the answer the receiver gave, in order
        known = [o for o in outcomes if o != "interrupted"]
        answers = iter("acknowledged" if s == 200 else "http-error" for s in statuses if s is not None)
        assert all(o in answers for o in known), (event_id, outcomes, statuses)
    from flipdish_sim.simulator.engine._loop import WINDOW  # started, not yet applied: WINDOW x concurrency

    assert killed_outcomes <= kills * CONCURRENCY * WINDOW, "more interrupted attempts than kills could cause"

    # attempt numbers are consecutive and the times follow the schedule
    offsets = [timedelta(0), *(timedelta(minutes=m) for m in (1, 5, 30, 120))]
    by_delivery: dict[int, list[tuple[int, int, str]]] = {}
    for _, at_us, outcome, attempt_no, delivery_id, first_us in rows:
        by_delivery.setdefault(delivery_id, []).append((attempt_no, at_us - first_us, outcome))
    for attempts in by_delivery.values():
        assert [n for n, _, _ in attempts] == list(range(1, len(attempts) + 1))
        assert len(attempts) <= len(offsets)
        for n, offset_us, _ in attempts:
            assert offset_us == offsets[n - 1] // timedelta(microseconds=1), attempts

    # the subscription is disabled exactly when the rolling-window rule, replayed over the log, says so
    # (an interrupted attempt has no known outcome: the engine leaves it out of the window, and so do we)
    policy = DisablePolicy(min_sample=20)
    history: list[Observation] = []
    tripped = False
    for event_id, at_us, outcome, *_ in sorted(rows, key=lambda row: row[1]):
        if outcome == "interrupted":
            continue
        history.append(
            Observation(datetime.fromtimestamp(at_us / 1e6, UTC), outcome == "acknowledged", event_id)
        )
        tripped = tripped or policy.evaluate(history, history[-1].at).disable
    assert enabled == (not tripped)
