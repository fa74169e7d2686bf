"""``listen --mode ack``: the caller gets 200 at once; a sender delivers to the local receiver with retries.

Real processes on loopback: a ``listen`` subprocess whose sender runs on a compressed wall clock, and a
receiver that is down (503) for its first answers.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

import httpx
import receivers
from capture_files import SECRET, TOKEN, legacy_capture, v3_capture
from listening import cli, start_listen

from flipdish_sim.simulator.log._replay_sources import captures_from_log
from flipdish_sim.verify import verify_signature


def _wait_for(receiver: receivers.Receiver, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout  # bounded: the retries are 5 s and 5 min apart, run 1000x faster
    while len(receiver.requests) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def _send(url: str, capture_headers: tuple[tuple[str, str], ...], body: bytes) -> httpx.Response:
    skip = {"host", "content-length"}
    return httpx.post(
        url, content=body, headers=[(k, v) for k, v in capture_headers if k.lower() not in skip]
    )


def test_ack_answers_200_at_once_and_the_sender_retries_until_the_receiver_takes_it(tmp_path: Path) -> None:
    db = tmp_path / "ack.db"
    capture = legacy_capture(1)
    headers = tuple((k, TOKEN if k.lower() == "x-verify-token" else v) for k, v in capture.headers)
    with receivers.sequence([503, 503]) as receiver:
        listen = start_listen(
            db, receiver.url, "--mode", "ack", "--verify-token", TOKEN, "--time-scale", "1000"
        )
        try:
            answer = _send(listen.url, headers, capture.body)
            _wait_for(receiver, 3)
        finally:
            status, out, err = listen.stop()
    assert answer.status_code == 200  # the receiver was down: pass mode would have answered 503
    assert status == 0, err
    assert [r.body for r in receiver.requests] == [capture.body] * 3  # the bytes as received, each time
    assert {r.header("X-Verify-Token") for r in receiver.requests} == {TOKEN}
    assert "handed to the sender" in out
    attempts = [line for line in out.splitlines() if " attempt " in line]
    assert len(attempts) == 3
    assert "attempt 1 of order.created" in attempts[0]
    assert "-> 503" in attempts[0]
    assert "next retry at" in attempts[0]
    assert "-> 200" in attempts[2]
    with closing(sqlite3.connect(db)) as log:
        statuses = [row[0] for row in log.execute("SELECT status_code FROM attempts ORDER BY id")]
        (outcome,) = log.execute("SELECT forward_outcome FROM captures").fetchone()
        raw = b"".join(bytes(row[0], "utf-8") for row in log.execute("SELECT request_headers FROM attempts"))
    assert statuses == [503, 503, 200]
    assert outcome == "handed-to-sender"
    assert TOKEN.encode() not in raw  # the log masks the token it sent
    (replayable,) = captures_from_log(db)  # replay --db: the capture once, not again as its relayed attempt
    assert replayable.body == capture.body


def test_ack_re_signs_v3_deliveries_with_the_secret(tmp_path: Path) -> None:
    db = tmp_path / "ack.db"
    capture = v3_capture(2)
    with receivers.sequence([503]) as receiver:
        listen = start_listen(db, receiver.url, "--mode", "ack", "--secret", SECRET, "--time-scale", "1000")
        try:
            answer = _send(listen.url, capture.headers, capture.body)
            _wait_for(receiver, 2)
        finally:
            status, _, err = listen.stop()
    assert (answer.status_code, status) == (200, 0), err
    assert len(receiver.requests) == 2
    for request in receiver.requests:
        assert request.body == capture.body
        signature = request.header("X-Flipdish-Signature")
        assert signature is not None
        verify_signature(signature, request.body, [SECRET])


def test_ack_without_a_verify_token_refuses_a_legacy_delivery_with_the_reason(tmp_path: Path) -> None:
    db = tmp_path / "ack.db"
    capture = legacy_capture(3)
    with receivers.ok() as receiver:
        listen = start_listen(db, receiver.url, "--mode", "ack")
        try:
            answer = _send(listen.url, capture.headers, capture.body)
        finally:
            listen.stop()
    assert answer.status_code == 400
    assert "--verify-token" in answer.text
    assert receiver.requests == []
    report = cli("listen", "report", "--db", str(db))
    assert "1 deliveries captured" in report.stdout  # recorded all the same


def test_time_scale_without_ack_is_a_usage_error(tmp_path: Path) -> None:
    result = cli(
        "listen", "--forward-to", "http://127.0.0.1:1/", "--time-scale", "60", "--db", str(tmp_path / "l.db")
    )
    assert result.returncode == 2
    assert "--mode ack" in result.stderr
