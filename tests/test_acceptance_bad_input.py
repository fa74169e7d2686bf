"""Issue 10's acceptance test: one real ``flipdish-sim serve`` process, every bad value, one good webhook.

Each subscription value the issue found stopping the sender (or answering 500) is offered to the running
server through Flipdish's API: each is refused at creation with a Flipdish-style 400, and at update too.
The one good subscription, subscribed to every legacy event, then receives every event, exactly once,
on a real loopback receiver; the server never answers 500 and stays healthy.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from receivers import CLI, QuietHandler, serving

from flipdish_sim.simulator.server.backend import legacy_event_names

pytestmark = pytest.mark.faults

TOKEN = "acceptance-api-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SUBS = "/api/v1.0/store/webhooks/app/subscriptions"
VERIFY = "good-verify-token-0001"

#: (field overrides as raw JSON text, expected errorCode): every bad value of the issue, and neighbours.
BAD_VALUES = [
    ('"VerifyToken": "café"', "invalid_verify_token"),
    ('"VerifyToken": "a\\r\\nX-Injected: 1"', "invalid_verify_token"),
    ('"VerifyToken": "\\ud800"', "invalid_json"),
    ('"Version": "\\ud800"', "invalid_json"),
    ('"CallbackUrl": "http://a.test/\\ud800"', "invalid_json"),
    ('"CallbackUrl": "http://user:s3cr3t@127.0.0.1:9/hook"', "invalid_callback_url"),
    ('"CallbackUrl": "http://' + "a" * 64 + '.test/hook"', "invalid_callback_url"),
    ('"CallbackUrl": "http://xn--/x"', "invalid_callback_url"),
    ('"CallbackUrl": "http://127.0.0.1:0/hook"', "invalid_callback_url"),
    ('"Version": "' + "v" * 65 + '"', "invalid_version"),
    ('"EventNames": ["order.created"], "Extra": ' + "[" * 1000 + "]" * 1000, "invalid_json"),
    ('"EventNames": ["order.created"], "Extra": NaN', "invalid_json"),
    ('"EventNames": ["order.created"], "Extra": 1e999999', "invalid_json"),
]


@dataclass
class Receiver:
    url: str = ""
    seen: list[dict[str, object]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real loopback receiver that acknowledges everything and records what it got."""
    found = Receiver()
    lock = threading.Lock()

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                found.seen.append({"token": self.headers.get("X-Verify-Token"), "body": json.loads(body)})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    with serving(Handler, "/hook") as found.url:
        yield found


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[httpx.Client]:
    """``flipdish-sim serve`` on the virtual clock in its own process, and a client for it."""
    process = subprocess.Popen(
        [*CLI, "serve", "--db", str(tmp_path / "s.db"), "--port", "0", "--clock", "virtual"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"FLIPDISH_SIM_API_TOKEN": TOKEN, "PATH": "/usr/bin:/bin"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # printed once the server listens
        assert first.startswith("flipdish-sim serve: http://127.0.0.1:"), first + process.stderr.read()
        base = first.split()[2]
        with httpx.Client(base_url=base, timeout=30) as http:
            yield http
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "Traceback" not in err, err
    assert "stopped" not in err, err


def _post(http: httpx.Client, text: str) -> httpx.Response:
    return http.post(SUBS, content=text.encode(), headers={**AUTH, "Content-Type": "application/json"})


def test_bad_subscriptions_are_refused_and_the_good_one_receives_every_event(
    serve: httpx.Client, receiver: Receiver
) -> None:
    http = serve
    for fields, code in BAD_VALUES:
        body = '{"CallbackUrl": "' + receiver.url + '", "EventNames": ["order.created"], ' + fields + "}"
        body = body.replace('"EventNames": ["order.created"], "EventNames"', '"EventNames"')
        response = _post(http, body)
        assert response.status_code == 400, (fields[:80], response.text)
        assert response.json()["error"]["errorCode"] == code, (fields[:80], response.text)
        assert "s3cr3t" not in response.text
    names = list(legacy_event_names())
    good = {"CallbackUrl": receiver.url, "EventNames": names, "VerifyToken": VERIFY, "Version": "2.0"}
    created = _post(http, json.dumps(good))
    assert created.status_code == 200, created.text
    sub_id = created.json()["Data"]
    for fields, _ in BAD_VALUES:  # the same values as an update of the good one: refused, nothing changes
        response = http.put(
            f"{SUBS}/{sub_id}",
            content=("{" + fields + "}").encode(),
            headers={**AUTH, "Content-Type": "application/json"},
        )
        assert response.status_code == 400, (fields[:80], response.text)
    listing = http.get(SUBS, headers=AUTH).json()
    assert listing["TotalRecordCount"] == 1
    assert listing["Data"][0]["CallbackUrl"] == receiver.url

    sent: list[str] = []
    for name in names:
        response = http.post("/_sim/events", json={"event": name}, headers=AUTH)
        assert response.status_code == 202, (name, response.text)
        sent.extend(response.json()["eventIds"])
    assert http.post("/_sim/clock/advance", json={"seconds": 60}, headers=AUTH).status_code == 200

    received = [item["body"] for item in receiver.seen]
    assert sorted(str(body["Type"]) for body in received) == sorted(names)  # type: ignore[index]
    assert {item["token"] for item in receiver.seen} == {VERIFY}
    assert http.get("/_sim/health").status_code == 200
    assert http.get("/_sim/clock", headers=AUTH).json()["pending"] == 0
    assert len(sent) == len(names) == len(received)
