"""The v3 subscription API end to end: a real ``flipdish-sim serve`` process and the v3 example receiver.

Through the HTTP API only: create, update, trigger, list and delete v3 subscriptions; the trigger's signed
deliveries are verified by examples/v3_fastapi (which answers 401 to any signature it cannot verify, so a
``delivered`` status from ``/synthetic-delivery`` means the receiver verified it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from examples.v3_fastapi.app import create_app as v3_receiver
from flipdish_sim.simulator.server.runner import ServerThread

TOKEN = "e2e-api-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CLI = [sys.executable, "-c", "from flipdish_sim.simulator.cli import main; main()"]


def _serve(db: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """``flipdish-sim serve`` on a free loopback port; its URL once it listens."""
    process = subprocess.Popen(
        [*CLI, "serve", "--db", str(db), "--port", "0", "--clock", "virtual", "--api-token", TOKEN, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert process.stdout is not None
    url = ""
    for line in process.stdout:  # ends at "Press Ctrl+C", printed once the server listens
        if line.startswith("flipdish-sim serve: "):
            url = line.split()[2]
        if line.startswith("Press Ctrl+C"):
            break
    assert url.startswith("http://127.0.0.1:"), process.stderr.read() if process.poll() is not None else url
    return process, url


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[str], list[object]]]:
    """The v3 FastAPI example on loopback: its URL, its (mutable) secrets and what it applied."""
    secrets: list[str] = []
    app = v3_receiver(secrets)
    with ServerThread(app) as live:
        yield f"{live.url}/webhooks/flipdish", secrets, app.state.applied


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.communicate(timeout=30)


def test_create_update_trigger_list_delete_through_a_served_api(
    tmp_path: Path, receiver: tuple[str, list[str], list[object]]
) -> None:
    url, receiver_secrets, applied = receiver
    process, base = _serve(tmp_path / "v3.db", "--v3-allow-local-http")
    try:
        with httpx.Client(base_url=base, headers=AUTH, timeout=30) as api:
            subs = "/webhooks/orgs/org4242/subscriptions"
            created = api.post(subs, json={"callbackUrl": url, "eventTypes": ["sale.created.v1"]})
            assert created.status_code == 201, created.text
            sub = created.json()
            receiver_secrets.append(sub["secret"])  # shown once: the receiver's configuration
            one = f"{subs}/{sub['id']}"

            updated = api.patch(
                one, json={"eventTypes": ["sale.created.v1", "menu.item.snoozed.v1"], "propertyIds": ["p17"]}
            )
            assert updated.status_code == 200, updated.text
            assert updated.json()["eventTypes"] == ["sale.created.v1", "menu.item.snoozed.v1"]

            triggered = api.get(f"{one}/trigger")
            assert triggered.status_code == 200, triggered.text
            ids = triggered.json()["eventIds"]
            assert len(ids) == 2
            report = api.get("/synthetic-delivery", params={"eventIds": ",".join(ids)}).json()
            assert sorted((d["eventType"], d["status"], d["lastStatusCode"]) for d in report["data"]) == [
                ("menu.item.snoozed.v1", "delivered", 204),
                ("sale.created.v1", "delivered", 204),
            ]
            assert len(applied) == 2  # verified, parsed and applied by the example receiver

            (listed,) = api.get(subs).json()["data"]
            assert listed == updated.json()
            assert "secret" not in listed

            assert api.delete(one).status_code == 204
            assert api.get(subs).json() == {"data": []}
            assert api.get(f"{one}/trigger").status_code == 404
            kept = api.get("/synthetic-delivery", params={"eventIds": ids}).json()
            assert len(kept["data"]) == 2  # past deliveries stay in the log
    finally:
        _stop(process)


def test_a_wrong_secret_shows_as_a_failed_delivery(
    tmp_path: Path, receiver: tuple[str, list[str], list[object]]
) -> None:
    url, receiver_secrets, applied = receiver
    receiver_secrets.append("not-the-subscription-secret")
    process, base = _serve(tmp_path / "v3.db", env={"FLIPDISH_SIM_V3_ALLOW_LOCAL_HTTP": "1"})
    try:
        with httpx.Client(base_url=base, headers=AUTH, timeout=30) as api:
            subs = "/webhooks/orgs/org1/subscriptions"
            sub = api.post(subs, json={"callbackUrl": url, "eventTypes": ["menu.published.v1"]}).json()
            ids = api.get(f"{subs}/{sub['id']}/trigger").json()["eventIds"]
            (row,) = api.get("/synthetic-delivery", params={"eventIds": ids}).json()["data"]
            assert (row["status"], row["lastStatusCode"]) == ("pending", 401)  # retried later, as any failure
            assert applied == []
    finally:
        _stop(process)


def test_without_the_switch_local_http_callbacks_are_refused(tmp_path: Path) -> None:
    process, base = _serve(tmp_path / "v3.db")
    try:
        with httpx.Client(base_url=base, headers=AUTH, timeout=30) as api:
            response = api.post(
                "/webhooks/orgs/org1/subscriptions",
                json={"callbackUrl": "http://127.0.0.1:9/hook", "eventTypes": ["menu.published.v1"]},
            )
            assert response.status_code == 400
            assert response.json()["error"]["code"] == "invalid_callback_url"
            assert "--v3-allow-local-http" in response.json()["error"]["message"]
    finally:
        _stop(process)
