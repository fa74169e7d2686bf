"""The details page's filters: read from the query string, applied in the log's SQL, shown in a form."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_engine import Receiver

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import Sender, SenderPolicy
from flipdish_sim.simulator.http._delivery import asgi_transport, make_client
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.policy._disable import DisablePolicy
from flipdish_sim.simulator.server import readmodel
from flipdish_sim.simulator.server.filters import filter_form, parse_filters
from flipdish_sim.simulator.server.state import Filters

T0 = datetime(2026, 1, 1, tzinfo=UTC)
URL = "http://receiver.test/webhooks"


@pytest.fixture
def log(tmp_path: Path) -> Iterator[tuple[Store, int]]:
    """order.created acknowledged at T0; order.accepted failing (500) at T0 + 1 h, retried at +1 h 1 min."""
    receiver = Receiver(lambda n: 200 if n == 1 else 500)
    with Store(tmp_path / "log.db") as store:
        clock = VirtualClock(T0)
        policy = SenderPolicy(disable=DisablePolicy(enabled=False))
        sender = Sender(
            store, clock=clock, client=make_client(transport=asgi_transport(receiver)), policy=policy
        )
        sub = sender.add_subscription(URL, event_names=["order.created", "order.accepted"])
        sender.publish("order.created", seed=1)
        asyncio.run(sender.run(T0 + timedelta(minutes=30)))
        sender.publish("order.accepted", seed=2, at=T0 + timedelta(hours=1))
        asyncio.run(sender.run(T0 + timedelta(hours=1, minutes=2)))
        yield store, sub.id


def _attempts(store: Store, sub_id: int, **filters: object) -> list[tuple[str, str]]:
    rows = readmodel.latest_attempts(store, sub_id, filters=Filters(**filters))  # type: ignore[arg-type]
    return [(r.event_name, r.outcome) for r in rows]


def _events(store: Store, sub_id: int, **filters: object) -> list[str]:
    rows = readmodel.event_summaries(store, sub_id, filters=Filters(**filters))  # type: ignore[arg-type]
    return [r.event_name for r in rows]


def test_without_filters_every_attempt_and_event_is_listed(log: tuple[Store, int]) -> None:
    store, sub_id = log
    assert _attempts(store, sub_id) == [
        ("order.accepted", "http-error"),
        ("order.accepted", "http-error"),
        ("order.created", "acknowledged"),
    ]
    assert _events(store, sub_id) == ["order.accepted", "order.created"]


def test_filter_by_event_type(log: tuple[Store, int]) -> None:
    store, sub_id = log
    assert _attempts(store, sub_id, event_name="order.created") == [("order.created", "acknowledged")]
    assert _events(store, sub_id, event_name="order.accepted") == ["order.accepted"]
    assert readmodel.count_attempts(store, sub_id, Filters(event_name="order.accepted")) == 2
    assert _events(store, sub_id, event_name="menu.updated") == []


def test_filter_by_outcome_failed_or_a_given_outcome(log: tuple[Store, int]) -> None:
    store, sub_id = log
    assert {e for e, _ in _attempts(store, sub_id, outcome="failed")} == {"order.accepted"}
    assert _attempts(store, sub_id, outcome="acknowledged") == [("order.created", "acknowledged")]
    assert _attempts(store, sub_id, outcome="timeout") == []
    assert _events(store, sub_id, outcome="failed") == ["order.accepted"]  # by its latest attempt
    assert _events(store, sub_id, outcome="acknowledged") == ["order.created"]


def test_filter_by_time_range_until_exclusive(log: tuple[Store, int]) -> None:
    store, sub_id = log
    one_hour = T0 + timedelta(hours=1)
    assert _attempts(store, sub_id, until=one_hour) == [("order.created", "acknowledged")]
    assert len(_attempts(store, sub_id, since=one_hour)) == 2
    assert len(_attempts(store, sub_id, since=one_hour + timedelta(seconds=1))) == 1  # the retry
    assert _events(store, sub_id, since=one_hour) == ["order.accepted"]
    assert _events(store, sub_id, until=one_hour) == ["order.created"]


def test_filters_combine(log: tuple[Store, int]) -> None:
    store, sub_id = log
    assert _attempts(store, sub_id, event_name="order.created", outcome="failed") == []
    assert _events(store, sub_id, event_name="order.accepted", since=T0, until=T0 + timedelta(days=1)) == [
        "order.accepted"
    ]


def test_query_strings_become_filters() -> None:
    filters = parse_filters(
        {"type": "order.created", "outcome": "failed", "since": "2026-01-01T10:00", "until": ""}
    )
    assert filters == Filters("order.created", "failed", datetime(2026, 1, 1, 10, tzinfo=UTC), None)
    assert parse_filters({}) == Filters()
    assert not parse_filters({"type": " ", "outcome": ""}).active


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"outcome": "bogus"}, "filter outcome"),
        ({"type": "<script>"}, "filter type"),
        ({"since": "yesterday"}, "filter since"),
        ({"since": "2026-01-02T00:00", "until": "2026-01-01T00:00"}, "must be after since"),
    ],
)
def test_a_bad_filter_is_refused_in_one_line(query: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message) as err:
        parse_filters(query)
    assert "\n" not in str(err.value)


def test_the_form_shows_the_filters_in_force_escaped() -> None:
    filters = Filters("order.created", "timeout", datetime(2026, 1, 1, 10, 5, 7, tzinfo=UTC), None)
    form = filter_form("/dashboard/subscriptions/7", filters, ["order.created", 'x"><b>'])
    assert '<option value="order.created" selected>' in form
    assert '<option value="timeout" selected>' in form
    assert 'name="since" id="filter-since" value="2026-01-01T10:05:07"' in form
    assert 'class="clear-filters"' in form
    assert '"><b>' not in form
    assert re.search(r'method="get" action="/dashboard/subscriptions/7"', form)
    assert "clear-filters" not in filter_form("/x", Filters(), [])
