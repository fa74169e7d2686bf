"""One log, one writer: a second process on a log in use is refused at once; a dead owner's lock is taken."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
import receivers

from flipdish_sim.simulator.log._lock import LogInUseError, LogLock, lock_path
from flipdish_sim.simulator.log._store import Store

TOKEN = "tok-0123456789abcdef"
SCENARIO = """\
name: owned
subscription:
  family: legacy
  verify_token_env: FLIPDISH_SIM_VERIFY_TOKEN
events:
  - {event: order.created, count: 4, rate: 1/minute, seed: 5}
policy:
  disable: {enabled: false}
"""


def test_a_second_run_on_a_log_in_use_exits_2_at_once_and_nothing_is_sent_twice(tmp_path: Path) -> None:
    scenario = tmp_path / "owned.yaml"
    scenario.write_text(SCENARIO)
    db = tmp_path / "run.db"
    first_seen, release = threading.Event(), threading.Event()

    def answer(conn: receivers.Connection, request: receivers.RecordedRequest) -> bool:
        first_seen.set()
        release.wait(60)  # the first run holds its first attempt in flight while the second one starts
        conn.send(receivers.response_head(200))
        return True

    with receivers.Receiver(answer) as receiver:
        first = receivers.start_run(scenario, receiver.url, db, TOKEN)
        try:
            assert first_seen.wait(60), "the first run never sent"
            second = receivers.start_run(scenario, receiver.url, db, TOKEN)
            _, err = second.communicate(timeout=60)
        finally:
            release.set()
        out, first_err = first.communicate(timeout=60)
        seen = [json.loads(r.body)["Body"]["FlipdishEventId"] for r in receiver.requests]

    assert second.returncode == 2
    lines = err.decode().strip().splitlines()
    assert lines == [
        f"Error: the log {db} is in use by process {first.pid} (one writer at a time); wait for"
        " it to finish, or use another --db"
    ]
    assert first.returncode == 0, (out + first_err).decode()[-2000:]
    assert len(seen) == 4
    assert len(set(seen)) == 4, "each delivery reached the receiver once"
    assert not lock_path(db).exists()


def test_a_lock_held_in_this_process_names_its_pid(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    with Store(db, owner=True):
        with pytest.raises(LogInUseError, match=f"in use by process {os.getpid()} "):
            Store(db, owner=True)
        assert oct(lock_path(db).stat().st_mode & 0o777) == "0o600"
    with Store(db, owner=True):  # released on close: the next writer gets it
        pass


def test_a_dead_owners_lock_file_is_taken_over(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    lock_path(db).write_text("999999999\n")  # what a kill -9 leaves: the file, but no lock held on it
    lock = LogLock(db)
    lock.acquire()
    assert lock_path(db).read_text() == f"{os.getpid()}\n"
    lock.release()
    assert not lock_path(db).exists()


def test_readers_need_no_lock(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    with Store(db, owner=True), Store(db) as reader:
        assert reader.subscriptions() == []
