"""The captures table of the log: what ``listen`` records, how it is read back, and what never reaches it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from old_logs import version_2_log

from flipdish_sim.simulator.log import (
    CaptureLog,
    capture_count,
    find_capture,
    iter_captures,
    open_log,
    read_captures,
)
from flipdish_sim.simulator.log._lock import LogInUseError
from flipdish_sim.simulator.log._store import SCHEMA_VERSION
from flipdish_sim.simulator.model import AuthVerdict, Capture, CaptureVerdict, ContractVerdict

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SIGNATURE = "t=2026-03-01T12:00:00.000Z,sha256=" + "ab" * 32
BODY = b'{"Type":"order.created","Body":{"FlipdishEventId":"e-1"}}\xff'


def _capture(n: int = 1, *, at: datetime = AT) -> Capture:
    headers = (
        ("content-type", "application/json"),
        ("x-verify-token", "tok-SECRET"),
        ("authorization", "Bearer cred-SECRET"),
        ("x-flipdish-signature", SIGNATURE),
    )
    return Capture(f"c-{n}", at, "POST", "/hook?x=1", headers, BODY)


def _verdict() -> CaptureVerdict:
    return CaptureVerdict(
        family="legacy",
        event_type="order.created",
        event_id="e-1",
        auth=AuthVerdict.WRONG,
        auth_detail="X-Verify-Token differs",
        contracts=(
            ContractVerdict("documented", True),
            ContractVerdict("observed", True, 2, (("/Body/Order", "'Order' is a required property"),)),
        ),
        unknown_fields=("/Body/Extra",),
    )


def test_a_capture_reads_back_with_its_body_verdicts_and_forwarding(tmp_path: Path) -> None:
    with open_log(tmp_path / "listen.db") as store:
        log = CaptureLog(store)
        log.record(_capture())
        log.judge("c-1", _verdict())
        log.forwarded("c-1", outcome="http-error", status=500, duration=0.25, error="HTTP 500", answered=500)
        log.record(_capture(2, at=AT + timedelta(seconds=1)))
    (first, second) = list(iter_captures(tmp_path / "listen.db"))
    assert first.capture.body == BODY  # byte for byte, non-UTF-8 included
    assert (first.capture.path, first.capture.received_at) == ("/hook?x=1", AT)
    assert first.verdict == _verdict()
    assert (first.forward_outcome, first.forward_status, first.answered_status) == ("http-error", 500, 500)
    assert second.verdict is None
    assert second.forward_outcome is None


def test_the_verify_token_never_reaches_the_file_and_the_shown_signature_is_masked(
    tmp_path: Path,
) -> None:
    path = tmp_path / "listen.db"
    with open_log(path) as store:
        CaptureLog(store).record(_capture())
        (row,) = list(read_captures(store))
    assert path.stat().st_mode & 0o777 == 0o600  # the signature is kept: the file is its owner's only
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert b"tok-SECRET" not in raw
    assert b"cred-SECRET" not in raw
    assert row.capture.header("x-flipdish-signature") == SIGNATURE  # kept: a fresh capture replays as is
    shown = row.masked()
    assert "ab" * 32 not in repr(shown.headers)
    assert shown.header("x-verify-token") == "***"


def test_reads_filter_by_time_and_count(tmp_path: Path) -> None:
    with open_log(tmp_path / "listen.db") as store:
        log = CaptureLog(store)
        for n in range(3):
            log.record(_capture(n, at=AT + timedelta(minutes=n)))
        assert capture_count(store) == 3
        found = find_capture(store, capture_id="c-1")
        assert found is not None
        assert find_capture(store, seq=found.seq) == found
        assert find_capture(store, capture_id="nope") is None
        later = [r.capture.id for r in read_captures(store, since=AT + timedelta(minutes=1))]
        newest = [r.capture.id for r in read_captures(store, newest_first=True, limit=1)]
    assert later == ["c-1", "c-2"]
    assert newest == ["c-2"]


def test_a_version_2_log_gains_the_captures_table_on_open(tmp_path: Path) -> None:
    path = version_2_log(tmp_path / "old.db")
    with open_log(path) as store:
        CaptureLog(store).record(_capture())
        assert capture_count(store) == 1
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3


def test_a_second_writer_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "listen.db"
    with open_log(path), pytest.raises(LogInUseError, match="in use by process") as err:
        open_log(path)
    assert "\n" not in str(err.value)
