"""The ``listen`` endpoint on a real loopback port: record first, forward the exact bytes, answer as received.

Hostile input too: garbage and non-UTF-8 bodies, a body over the limit, missing headers, a receiver that is
down, silent or redirecting.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import receivers

from flipdish_sim.contracts.examples import example
from flipdish_sim.simulator.http import make_client
from flipdish_sim.simulator.listen import (
    MAX_BODY_BYTES,
    Credentials,
    HandledRequest,
    ListenSettings,
    listen_app,
)
from flipdish_sim.simulator.log import CaptureLog, CaptureRow, open_log, read_captures
from flipdish_sim.simulator.server.runner import ServerThread
from flipdish_sim.simulator.wire import legacy_request

LEGACY = legacy_request("http://x/", example("order.created"), verify_token="tok-SECRET")


@contextmanager
def listening(db: Path, forward_to: str, **settings: object) -> Iterator[tuple[str, list[HandledRequest]]]:
    """``listen`` in a server thread on an ephemeral port; yields its URL and the deliveries it handled."""
    lines: list[HandledRequest] = []
    client = make_client()
    with open_log(db) as store:
        config = ListenSettings(forward_to, Credentials(verify_token="tok-SECRET"), **settings)  # type: ignore[arg-type]
        app = listen_app(CaptureLog(store), client, config, on_delivery=lines.append)
        server = ServerThread(app)
        with server as running:
            try:
                yield running.url, lines
            finally:
                server.call(client.aclose)


def _rows(db: Path) -> list[CaptureRow]:
    with open_log(db, existing=True, write=False) as store:
        return list(read_captures(store))


def test_a_delivery_is_recorded_forwarded_byte_for_byte_and_answered_with_the_receivers_status(
    tmp_path: Path,
) -> None:
    json_answer = receivers.ok(202, b'{"ok":true}', [("Content-Type", "application/json")])
    with json_answer as receiver, listening(tmp_path / "l.db", receiver.url) as (url, lines):
        answer = httpx.post(f"{url}/hooks/flipdish?a=1", content=LEGACY.body, headers=dict(LEGACY.headers))
    assert (answer.status_code, answer.content) == (202, b'{"ok":true}')
    (forwarded,) = receiver.requests
    assert forwarded.body == LEGACY.body
    assert forwarded.header("X-Verify-Token") == "tok-SECRET"  # the receiver checks it: forwarded as is
    assert forwarded.path == "/webhook"  # --forward-to names the whole URL
    (row,) = _rows(tmp_path / "l.db")
    assert row.capture.body == LEGACY.body
    assert row.capture.path == "/hooks/flipdish?a=1"
    assert row.capture.header("x-verify-token") == "***"
    assert row.verdict is not None
    assert (row.verdict.event_type, row.verdict.auth.value) == ("order.created", "valid")
    assert (row.forward_outcome, row.forward_status, row.answered_status) == ("acknowledged", 202, 202)
    assert lines[0].answered == 202


@pytest.mark.parametrize("body", [b"garbage{", b"\xff\xfe\x80 not utf-8", b""])
def test_a_body_that_is_not_json_is_recorded_and_forwarded_unchanged(tmp_path: Path, body: bytes) -> None:
    with receivers.ok(400) as receiver, listening(tmp_path / "l.db", receiver.url) as (url, _):
        answer = httpx.post(url, content=body)
    assert answer.status_code == 400
    assert receiver.requests[0].body == body
    (row,) = _rows(tmp_path / "l.db")
    assert row.capture.body == body
    assert row.verdict is not None
    assert all(not c.checked for c in row.verdict.contracts)


def test_a_body_over_the_limit_gets_413_and_the_log_says_why(tmp_path: Path) -> None:
    with receivers.ok() as receiver, listening(tmp_path / "l.db", receiver.url, max_body=1000) as (url, _):
        answer = httpx.post(url, content=b"x" * 1001)
        fits = httpx.post(url, content=b"y" * 1000)
    assert answer.status_code == 413
    assert answer.json()["error"]["errorCode"] == "payload_too_large"
    assert fits.status_code == 200
    assert [r.body for r in receiver.requests] == [b"y" * 1000]
    big, small = _rows(tmp_path / "l.db")
    assert (big.forward_outcome, big.answered_status) == ("not-forwarded", 413)
    assert big.forward_error is not None
    assert "1000 byte limit" in big.forward_error
    assert small.capture.body == b"y" * 1000


def test_a_receiver_that_is_down_gives_the_caller_502_and_the_log_the_reason(tmp_path: Path) -> None:
    with listening(tmp_path / "l.db", receivers.refused_url()) as (url, _):
        answer = httpx.post(url, content=LEGACY.body, headers=dict(LEGACY.headers))
    assert answer.status_code == 502
    assert answer.json()["error"]["errorCode"] == "forward_failed"
    (row,) = _rows(tmp_path / "l.db")
    assert (row.forward_outcome, row.forward_status, row.answered_status) == ("connection-refused", None, 502)
    assert row.verdict is not None  # judged before forwarding


def test_a_silent_receiver_gives_504_after_the_deadline(tmp_path: Path) -> None:
    with receivers.silent() as receiver, listening(tmp_path / "l.db", receiver.url, deadline=0.3) as (url, _):
        answer = httpx.post(url, content=LEGACY.body, timeout=10)
    assert answer.status_code == 504
    (row,) = _rows(tmp_path / "l.db")
    assert row.forward_outcome == "timeout"


def test_a_redirect_is_not_followed_but_answered(tmp_path: Path) -> None:
    with receivers.redirect() as receiver, listening(tmp_path / "l.db", receiver.url) as (url, _):
        answer = httpx.post(url, content=LEGACY.body)
    assert answer.status_code == 302
    assert len(receiver.requests) == 1
    (row,) = _rows(tmp_path / "l.db")
    assert (row.forward_outcome, row.forward_status) == ("http-error", 302)


def test_a_request_with_no_headers_at_all_is_still_recorded(tmp_path: Path) -> None:
    with receivers.ok(204) as receiver, listening(tmp_path / "l.db", receiver.url) as (url, _):
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"POST /bare HTTP/1.0\r\n\r\n")
            reply = sock.recv(100)
    assert reply.startswith(b"HTTP/1.1 204")
    (row,) = _rows(tmp_path / "l.db")
    assert (row.capture.path, row.capture.body, row.answered_status) == ("/bare", b"", 204)


def test_other_methods_get_405_and_are_not_recorded(tmp_path: Path) -> None:
    with receivers.ok() as receiver, listening(tmp_path / "l.db", receiver.url) as (url, _):
        answer = httpx.get(url)
    assert (answer.status_code, answer.headers["allow"]) == (405, "POST")
    assert receiver.requests == []
    assert _rows(tmp_path / "l.db") == []


def test_a_non_ascii_header_is_recorded_and_its_forward_refused_with_the_reason(tmp_path: Path) -> None:
    with receivers.ok(204) as receiver, listening(tmp_path / "l.db", receiver.url) as (url, _):
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"POST /x HTTP/1.0\r\nX-Note: caf\xc3\xa9\r\nContent-Length: 2\r\n\r\n{}")
            reply = sock.recv(100)
    assert reply.startswith(b"HTTP/1.1 502")
    assert receiver.requests == []
    (row,) = _rows(tmp_path / "l.db")
    assert row.capture.header("x-note") == "café"
    assert row.forward_outcome == "invalid-request"
    assert row.forward_error is not None
    assert "not ASCII" in row.forward_error


def test_a_body_of_exactly_the_documented_limit_is_recorded_and_forwarded_whole(tmp_path: Path) -> None:
    body = bytes(range(256)) * (MAX_BODY_BYTES // 256)
    assert len(body) == MAX_BODY_BYTES
    with receivers.ok(204) as receiver, listening(tmp_path / "l.db", receiver.url) as (url, _):
        fits = httpx.post(url, content=body, timeout=30)
        over = httpx.post(url, content=body + b"!", timeout=30)
    assert (fits.status_code, over.status_code) == (204, 413)
    assert [r.body for r in receiver.requests] == [body]
    first, second = _rows(tmp_path / "l.db")
    assert first.capture.body == body
    assert (second.capture.body, second.forward_outcome) == (b"", "not-forwarded")
