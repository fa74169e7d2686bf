"""Done when (issue 12): the sender -> ``listen --forward-to`` -> an example receiver, real processes.

For each family: ``flipdish-sim send`` (the Sender on the wall clock) posts to a ``flipdish-sim listen``
subprocess that forwards to the example receiver. The receiver verifies every forwarded delivery (its token
or its signature over the raw bytes), the bytes it got are the bytes listen recorded, the log holds every
delivery with its verdicts, and a drifted delivery (an extra field, a missing required field) shows in the
drift summary, in ``captures export`` and in ``contracts validate`` of that export.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import pytest
from flawed_receivers import served
from listening import cli, start_listen

from examples.legacy_fastapi.app import create_app as legacy_app
from examples.v3_fastapi.app import create_app as v3_app
from flipdish_sim.contracts.examples import example
from flipdish_sim.simulator.log import iter_captures
from flipdish_sim.simulator.model import AuthVerdict, capture_from_json

TOKEN = "tok-loopback-SECRET"
SECRET = "whsec-loopback-SECRET"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


class Recording:
    """An ASGI wrapper that keeps the raw body bytes of every request its app receives."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.bodies: list[bytes] = []

    async def __call__(
        self,
        scope: Scope,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def recording() -> Message:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                self.bodies.append(b"".join(chunks))
            return message

        await self.app(scope, recording, send)


def _drifted(event: str, family: str) -> dict[str, object]:
    payload = example(event, seed=3)
    if family == "legacy":
        body = payload["Body"]
        assert isinstance(body, dict)
        body["SurpriseField"] = "new in production"
        del body["Order"]["Channel"]  # required by the observed profile
    else:
        payload["surpriseField"] = "new in production"
        del payload["menuId"]  # required by the v3 contract
    return payload


CASES = {
    "legacy": (
        "order.created",
        lambda: legacy_app(token=TOKEN),
        ["--verify-token", TOKEN],
        "/Body/SurpriseField",
    ),
    "v3": ("menu.published.v1", lambda: v3_app(secrets=[SECRET]), ["--secret", SECRET], "/surpriseField"),
}


@pytest.mark.parametrize("family", ["legacy", "v3"])
def test_sender_to_listen_to_example_receiver(tmp_path: Path, family: str) -> None:
    event, make_app, credentials, unknown = CASES[family]
    app = make_app()
    recording = Recording(app)
    drifted = tmp_path / "drifted.json"
    drifted.write_text(json.dumps(_drifted(event, family)))
    db = tmp_path / "listen.db"
    with served(recording) as base:  # type: ignore[arg-type]
        listen = start_listen(db, f"{base}/webhooks/flipdish", *credentials)
        try:
            sends = [
                cli("send", event, "--url", f"{listen.url}/flipdish", *credentials, "--seed", str(n))
                for n in (1, 2)
            ]
            sends.append(
                cli("send", event, "--url", f"{listen.url}/flipdish", *credentials, "--payload", str(drifted))
            )
        finally:
            status, out, err = listen.stop()
    assert [s.returncode for s in sends] == [0, 0, 0], [s.stdout + s.stderr for s in sends]
    assert status == 0, err
    assert len(app.state.applied) == 3  # the receiver verified and applied every forwarded delivery

    rows = list(iter_captures(db))
    assert [row.capture.body for row in rows] == recording.bodies  # forwarded byte for byte
    for row in rows:
        assert row.verdict is not None
        assert (row.verdict.family, row.verdict.event_type, row.verdict.auth) == (
            family,
            event,
            AuthVerdict.VALID,
        )
        assert all(contract.checked for contract in row.verdict.contracts)
        assert (row.forward_outcome, row.answered_status) == ("acknowledged", row.forward_status)
    clean, drift = rows[:2], rows[2]
    assert all(c.valid for row in clean for c in row.verdict.contracts)  # type: ignore[union-attr]
    assert drift.verdict is not None
    assert drift.verdict.unknown_fields == (unknown,)
    observed = drift.verdict.contract("observed")
    assert observed is not None
    assert not observed.valid

    assert "drift summary: 3 deliveries captured" in out
    assert f"unknown field {unknown} (1 of 3)" in out
    assert TOKEN not in out + err
    assert SECRET not in out + err
    report = cli("listen", "report", "--db", str(db))
    assert report.stdout == out[out.index("drift summary:") :]

    exported = cli("captures", "export", "--db", str(db))
    assert exported.returncode == 0, exported.stderr
    assert TOKEN not in exported.stdout
    lines = exported.stdout.splitlines()
    assert [capture_from_json(json.loads(line)).body for line in lines] == recording.bodies
    signatures = [capture_from_json(json.loads(line)).header("x-flipdish-signature") for line in lines]
    assert all(s is None or s.endswith("sha256=***") for s in signatures)
    (tmp_path / "captures.jsonl").write_text(exported.stdout)
    validated = cli("contracts", "validate", str(tmp_path / "captures.jsonl"), "--profile", "observed")
    assert validated.returncode == 1
    assert validated.stdout.splitlines()[:2] == [f"ok 1 {event}", f"ok 2 {event}"]
    assert validated.stdout.splitlines()[2].startswith(f"FAIL 3 {event} /")
