"""The log as Flipdish's WebhookLog: exactly its fields, our own under one key, secrets masked everywhere."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import Sender, SenderPolicy
from flipdish_sim.simulator.http._delivery import asgi_transport, make_client
from flipdish_sim.simulator.log._export import (
    SIM_FIELDS,
    WEBHOOK_LOG_FIELDS,
    export_logs,
    format_duration,
    status_text,
    webhook_log_page,
    webhook_logs,
)
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.policy._faults import DuplicatePolicy

T0 = datetime(2026, 1, 1, tzinfo=UTC)
TOKEN = "verify-token-0123456789"
SECRET = "whsec_secret_0123456789"


def _echo_app(statuses: list[int]) -> Any:
    """Answers with the next status and echoes the request headers back in its body (a careless receiver)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        status = statuses.pop(0) if statuses else 200
        echo = b"; ".join(k + b"=" + v for k, v in scope["headers"])
        headers = [(b"x-seen-token", dict(scope["headers"]).get(b"x-verify-token", b""))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": echo})

    return app


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "log.db")
    client = make_client(transport=asgi_transport(_echo_app([302, 500])))
    sender = Sender(
        store, clock=VirtualClock(T0), client=client, policy=SenderPolicy(duplicates=DuplicatePolicy(count=1))
    )
    sender.add_subscription("http://r.test/legacy", event_names=["order.created"], verify_token=TOKEN)
    sender.add_subscription(
        "http://r.test/v3", family="v3", event_names=["sale.created.v1"], secrets=[SECRET]
    )
    sender.publish("order.created", seed=1)
    sender.publish("sale.created.v1", seed=2, at=T0 + timedelta(minutes=1))
    asyncio.run(sender.run_until_idle())
    with store:
        yield store


def test_every_record_has_exactly_the_webhook_log_fields_and_one_own_key(store: Store) -> None:
    records = list(webhook_logs(store))
    assert len(records) == 6  # legacy: 302 and its duplicate 500, both retried to 200; v3: 200 twice
    for record in records:
        assert list(record) == [*WEBHOOK_LOG_FIELDS, "FlipdishSim"]
        assert set(record["FlipdishSim"]) == set(SIM_FIELDS)
        assert isinstance(record["HttpResponseStatusCode"], str)
        assert isinstance(record["Duration"], str)
        assert isinstance(record["RetryCount"], int)


def test_records_tell_the_story_of_each_delivery(store: Store) -> None:
    legacy = list(webhook_logs(store, subscription_id=1))
    assert [(r["HttpResponseStatusCode"], r["HttpResponseStatus"], r["RetryCount"]) for r in legacy] == [
        ("302", "Found", 0),
        ("500", "InternalServerError", 0),
        ("200", "OK", 1),
        ("200", "OK", 1),
    ]
    sims = [r["FlipdishSim"] for r in legacy]
    assert [s["duplicate"] for s in sims] == [False, True, False, True]
    assert len({s["event_id"] for s in sims}) == 1
    assert len({r["FlipdishWebhookId"] for r in legacy}) == 2
    assert [s["offset_seconds"] for s in sims] == [0.0, 0.0, 5.0, 5.0]
    assert legacy[0]["WebhookEventName"] == "order.created"
    assert legacy[0]["WebhookSubscriptionCallbackUrl"] == "http://r.test/legacy"
    assert legacy[0]["EventCreated"] == "2026-01-01T00:00:00.000Z"
    assert json.loads(str(legacy[0]["RequestBody"]))["Type"] == "order.created"


def test_tokens_and_secrets_never_appear_in_an_export(store: Store) -> None:
    for fmt in ("jsonl", "csv"):
        out = io.StringIO()
        export_logs(store, out, fmt=fmt)
        text = out.getvalue()
        assert TOKEN not in text
        assert SECRET not in text
        assert "***" in text


def test_csv_has_the_fields_then_prefixed_own_columns(store: Store) -> None:
    out = io.StringIO()
    count = export_logs(store, out, fmt="csv", subscription_id=2)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == [*WEBHOOK_LOG_FIELDS, *(f"FlipdishSim.{f}" for f in SIM_FIELDS)]
    assert count == len(rows) - 1 == 2


def test_a_page_is_flipdish_pagination(store: Store) -> None:
    page = webhook_log_page(store, 1, start=T0, end=T0 + timedelta(days=1), page=2, limit=3)
    assert (page["Page"], page["Limit"], page["TotalRecordCount"]) == (2, 3, 4)
    assert isinstance(page["Data"], list)
    assert len(page["Data"]) == 1


@pytest.mark.parametrize(
    ("status", "outcome", "text"),
    [
        (200, "acknowledged", "OK"),
        (304, "http-error", "NotModified"),
        (None, "timeout", "Timeout"),
        (599, "x", "599"),
    ],
)
def test_status_texts(status: int | None, outcome: str, text: str) -> None:
    assert status_text(status, outcome) == text


def test_durations_are_dotnet_timespans() -> None:
    assert format_duration(1.2345678) == "00:00:01.2345678"
    assert format_duration(3725.5) == "01:02:05.5000000"
