"""Done when (issue 12), with the server as the sender: a real ``flipdish-sim serve`` process delivers,
through its own APIs, to a ``flipdish-sim listen`` subprocess, which forwards to an example receiver.

Legacy: a v1.0 subscription created through Flipdish's API, events published through ``/_sim/events``.
v3: a subscription created through the v3 API, its test deliveries sent by ``.../trigger``. In both, the
receiver verifies and applies every forwarded delivery, and the listen log judges each one valid.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from flawed_receivers import served
from listening import start_listen
from test_server_v3_e2e import AUTH, _serve, _stop

from examples.legacy_fastapi.app import create_app as legacy_app
from examples.v3_fastapi.app import create_app as v3_app
from flipdish_sim.simulator.log import iter_captures
from flipdish_sim.simulator.model import AuthVerdict

TOKEN = "tok-listen-serve-123"
EXAMPLE = "/webhooks/flipdish"


def _until(done: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout  # bounded: the virtual clock sends at once
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)


def _applied(url: str) -> int:
    return int(httpx.get(url + "/applied").json()["applied"])


def _judged(db: Path) -> list[tuple[str | None, AuthVerdict | None, bool]]:
    rows = []
    for row in iter_captures(db):
        verdict = row.verdict
        ok = verdict is not None and all(c.valid for c in verdict.contracts)
        rows.append((verdict.event_type if verdict else None, verdict.auth if verdict else None, ok))
    return rows


def test_serve_delivers_legacy_events_through_listen_to_the_example(tmp_path: Path) -> None:
    with served(legacy_app(TOKEN)) as base:
        target = base + EXAMPLE
        listen = start_listen(tmp_path / "listen.db", target, "--verify-token", TOKEN)
        process, api = _serve(tmp_path / "serve.db")
        try:
            body = {
                "CallbackUrl": listen.url + "/hook",
                "EventNames": ["order.created"],
                "VerifyToken": TOKEN,
            }
            created = httpx.post(f"{api}/api/v1.0/app/webhooks/oauth/subscriptions", json=body, headers=AUTH)
            assert created.status_code == 200, created.text
            for _ in range(2):
                sent = httpx.post(f"{api}/_sim/events", json={"event": "order.created"}, headers=AUTH)
                assert sent.status_code == 202, sent.text
            _until(lambda: _applied(target) == 2)
            assert _applied(target) == 2  # verified (token) and applied, each once
        finally:
            _stop(process)
            status, out, err = listen.stop()
    assert status == 0, err
    assert _judged(tmp_path / "listen.db") == [("order.created", AuthVerdict.VALID, True)] * 2
    assert "no contract drift" in out


def test_serve_triggers_v3_test_deliveries_through_listen_to_the_example(tmp_path: Path) -> None:
    with socket.socket() as probe:  # listen's port, known before the subscription that points at it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process, api = _serve(tmp_path / "serve.db", "--v3-allow-local-http")
    try:
        subs = f"{api}/webhooks/orgs/org7/subscriptions"
        body = {"callbackUrl": f"http://127.0.0.1:{port}/hook", "eventTypes": ["sale.created.v1"]}
        created = httpx.post(subs, json=body, headers=AUTH)
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        with served(v3_app([secret])) as base:
            target = base + EXAMPLE
            listen = start_listen(tmp_path / "listen.db", target, "--secret", secret, "--port", str(port))
            try:
                trigger = httpx.get(f"{subs}/{created.json()['id']}/trigger", headers=AUTH)
                assert trigger.status_code == 200, trigger.text
                _until(lambda: _applied(target) == 1)
                assert _applied(target) == 1  # the signature verified over the forwarded bytes
            finally:
                status, _, err = listen.stop()
    finally:
        _stop(process)
    assert status == 0, err
    assert _judged(tmp_path / "listen.db") == [("sale.created.v1", AuthVerdict.VALID, True)]
