"""Fresh identity per run: a receiver de-duplicating by id sees every run; --fixed-ids reruns exactly."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
import receivers
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from flipdish_sim.simulator.cli import main
from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import Sender
from flipdish_sim.simulator.http._delivery import make_client
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.model._identity import RunIdentity

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ENV = {"FLIPDISH_SIM_VERIFY_TOKEN": "tok-0123456789abcdef", "FLIPDISH_SIM_SECRET": None}


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=ENV)


def _bodies(receiver: receivers.Receiver) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in receiver.requests]


def _without_ids(document: object) -> object:
    if isinstance(document, Mapping):
        return {k: _without_ids(v) for k, v in document.items() if k not in ID_KEYS}
    if isinstance(document, list):
        return [_without_ids(v) for v in document]
    return document


ID_KEYS = {"FlipdishEventId", "ActivityId", "OrderId", "saleId"}


def test_two_sends_in_a_row_reach_an_idempotent_receiver_as_two_events() -> None:
    with receivers.ok(200) as receiver:
        first = _invoke("send", "order.created", "--url", receiver.url)
        second = _invoke("send", "order.created", "--url", receiver.url)
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    a, b = _bodies(receiver)
    seen = {body["Body"]["FlipdishEventId"] for body in (a, b)}  # type: ignore[index]
    assert len(seen) == 2, "a receiver de-duplicating by FlipdishEventId takes both"
    assert a["Body"]["Order"]["OrderId"] != b["Body"]["Order"]["OrderId"]  # type: ignore[index]
    for part in ("Store", "Customer", "OrderItems", "Amount"):  # times differ: sent at different moments
        assert a["Body"]["Order"][part] == b["Body"]["Order"][part], "--seed still reproduces the content"  # type: ignore[index]


def test_fixed_ids_sends_the_seeded_ids_every_time() -> None:
    with receivers.ok(200) as receiver:
        for _ in range(2):
            assert _invoke("send", "order.created", "--url", receiver.url, "--fixed-ids").exit_code == 0
    first, second = (body["Body"] for body in _bodies(receiver))
    for key in ("FlipdishEventId", "ActivityId"):
        assert first[key] == second[key]  # type: ignore[index]
    assert first["Order"] == second["Order"] or first["Order"]["OrderId"] == second["Order"]["OrderId"]  # type: ignore[index]


def test_v3_idempotency_keys_differ_between_sends() -> None:
    with receivers.ok(200) as receiver:
        for _ in range(2):
            result = _invoke("send", "sale.created.v1", "--url", receiver.url, "--secret", "whsec-0123456789")
            assert result.exit_code == 0, result.output
    keys = {r.header("X-Flipdish-Idempotency-Key") for r in receiver.requests}
    sale_ids = {json.loads(r.body)["saleId"] for r in receiver.requests}
    assert len(keys) == 2
    assert len(sale_ids) == 2


def test_runs_of_one_scenario_are_new_events_unless_fixed(tmp_path: Path) -> None:
    def run(db: str, *extra: str) -> list[bytes]:
        with receivers.ok(200) as receiver:
            result = _invoke(
                "run", "order-lifecycle", "--url", receiver.url, "--db", str(tmp_path / db), *extra
            )
            assert result.exit_code == 0, result.output
        return [r.body for r in receiver.requests]

    fresh_a, fresh_b = run("a.db"), run("b.db")
    fixed_a, fixed_b = run("c.db", "--fixed-ids"), run("d.db", "--fixed-ids")
    assert fixed_a == fixed_b, "--fixed-ids: byte-identical reruns"
    ids_a = {json.loads(b)["Body"]["FlipdishEventId"] for b in fresh_a}
    ids_b = {json.loads(b)["Body"]["FlipdishEventId"] for b in fresh_b}
    assert len(ids_a) == 14
    assert not ids_a & ids_b
    orders_a = [json.loads(b)["Body"]["Order"]["OrderId"] for b in fresh_a]
    assert len(set(orders_a)) == len({json.loads(b)["Body"]["Order"]["OrderId"] for b in fixed_a})
    assert not set(orders_a) & {json.loads(b)["Body"]["Order"]["OrderId"] for b in fresh_b}


def test_senders_in_separate_processes_mint_different_ids(tmp_path: Path) -> None:
    """What two fresh ``serve`` processes do: a sender built twice over new logs, same seedless publish."""

    def ids(db: str) -> tuple[str, str]:
        with Store(tmp_path / db) as store:
            sender = Sender(store, clock=VirtualClock(T0), client=make_client())
            sender.add_subscription("http://127.0.0.1:9/x", event_names=["order.created"])
            event = sender.publish("order.created")
            webhook = store.query("SELECT webhook_id FROM deliveries")[0][0]
        return event.id, webhook

    assert ids("a.db") != ids("b.db")
    asyncio.run(asyncio.sleep(0))


def test_a_scenario_may_ask_for_fixed_ids(tmp_path: Path) -> None:
    scenario = tmp_path / "fixed.yaml"
    scenario.write_text(
        "name: fixed\nfixed_ids: true\nsubscription: {family: legacy}\n"
        "events:\n  - {event: order.created, count: 2, rate: 1/minute}\n"
    )
    bodies = []
    for db in ("a.db", "b.db"):
        with receivers.ok(200) as receiver:
            assert (
                _invoke("run", str(scenario), "--url", receiver.url, "--db", str(tmp_path / db)).exit_code
                == 0
            )
        bodies.append([r.body for r in receiver.requests])
    assert bodies[0] == bodies[1]


@given(salt=st.text(min_size=1, max_size=20), other=st.text(min_size=1, max_size=20), seed=st.integers(0, 50))
def test_a_salt_maps_ids_consistently_and_keeps_everything_else(salt: str, other: str, seed: int) -> None:
    from flipdish_sim.contracts.examples import order_lifecycle

    events = [payload for _, payload in order_lifecycle(seed=seed)]
    mapped = [RunIdentity(salt).freshen(p) for p in events]
    assert len({m["Body"]["Order"]["OrderId"] for m in mapped}) == 1, "one order keeps one id in a run"  # type: ignore[index]
    assert [_without_ids(m) for m in mapped] == [_without_ids(p) for p in events]
    assert [RunIdentity(None).freshen(p) for p in events] == events
    if salt != other:
        again = RunIdentity(other).freshen(events[0])
        assert again["Body"]["FlipdishEventId"] != mapped[0]["Body"]["FlipdishEventId"]  # type: ignore[index]


@pytest.mark.parametrize("original", ["c2509848-5eec-4d54-b20b-d7d04b2c2b40", 330117172, "330117172"])
def test_a_freshened_id_keeps_its_kind(original: object) -> None:
    value = RunIdentity("s").freshen({"OrderId": original})["OrderId"]
    assert type(value) is type(original)
    assert value != original
    if isinstance(value, int):
        assert 0 < value < 2**31


class _Frozen(Mapping[str, object]):
    """A mapping that is not a dict (freshen's fast paths must not skip it)."""

    def __init__(self, **items: object) -> None:
        self._items = items

    def __getitem__(self, key: str) -> object:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def test_ids_are_freshened_wherever_they_are_nested() -> None:
    uuid = "c2509848-5eec-4d54-b20b-d7d04b2c2b40"
    identity = RunIdentity("s")
    payload = {
        "OrderId": [1, {"OrderId": 2}],  # a list under a fresh key: walked, its plain items kept
        "Items": [[{"ActivityId": uuid}], _Frozen(saleId=7), True, None, 1.5],
        "Other": _Frozen(Inner={"FlipdishEventId": uuid}),
        "FlipdishEventId": uuid.upper(),
        "saleId": True,  # a bool is not an id
        "ActivityId": 0,  # nor is a non-positive number
    }
    out = identity.freshen(payload)
    assert out == {
        "OrderId": [1, {"OrderId": identity.number(2)}],
        "Items": [[{"ActivityId": identity.uuid(uuid)}], {"saleId": identity.number(7)}, True, None, 1.5],
        "Other": {"Inner": {"FlipdishEventId": identity.uuid(uuid)}},
        "FlipdishEventId": identity.uuid(uuid),
        "saleId": True,
        "ActivityId": 0,
    }
    assert type(out["Other"]) is dict
    assert payload["Items"][0] == [{"ActivityId": uuid}]  # type: ignore[index]  # the input is untouched
