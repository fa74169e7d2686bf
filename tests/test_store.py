"""The durable log: a real SQLite file, one transaction per attempt, refusing foreign files."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flipdish_sim.errors import StoreError
from flipdish_sim.simulator.log._store import SCHEMA_VERSION, Store, UnknownSubscriptionError
from flipdish_sim.simulator.model import Subscription
from flipdish_sim.simulator.model._attempt import Attempt, Outcome
from flipdish_sim.simulator.model._subscription import Delivery, DeliveryState, DisableRecord, from_us, to_us

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _store(tmp_path: Path) -> Store:
    return Store(tmp_path / "log.db")


def _delivery(sub_id: int, *, at: datetime = T0) -> Delivery:
    return Delivery(
        id=0,
        event_seq=0,
        event_id=str(uuid.uuid4()),
        event_name="order.created",
        subscription_id=sub_id,
        webhook_id=str(uuid.uuid4()),
        body=b'{"Type":"order.created"}',
        next_attempt_at=at,
        created_at=at,
    )


def _subscription(store: Store, url: str = "http://x") -> Subscription:
    return store.add_subscription(callback_url=url, family="legacy", event_names=["a"], created_at=T0)


def _add(store: Store, delivery: Delivery) -> None:
    store.add_event(delivery.event_id, delivery.event_name, delivery.body, T0, [delivery])


def test_a_new_file_is_a_wal_log_with_the_schema_version(tmp_path: Path) -> None:
    Store(tmp_path / "log.db").close()
    with closing(sqlite3.connect(tmp_path / "log.db")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3


def test_a_log_of_another_schema_version_is_refused_in_one_line(tmp_path: Path) -> None:
    Store(tmp_path / "log.db").close()
    db = sqlite3.connect(tmp_path / "log.db")
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StoreError, match="schema version 99") as err:
        Store(tmp_path / "log.db")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("content", [b"not a database at all, just text" * 100, None])
def test_a_foreign_file_is_refused(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "other.db"
    if content is None:
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE notes (x)")
        db.commit()
        db.close()
    else:
        path.write_bytes(content)
    with pytest.raises(StoreError, match=r"not a flipdish-sim log|another application"):
        Store(path)


def test_subscriptions_round_trip_and_never_show_secrets_in_repr(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        sub = store.add_subscription(
            callback_url="http://127.0.0.1:9/hook",
            family="v3",
            event_names=["sale.created.v1"],
            created_at=T0,
            secrets=["whsec_supersecretvalue"],
            verify_token="token-abcdefghijkl",
        )
        again = store.subscriptions()[0]
    assert again == sub
    assert again.secrets == ("whsec_supersecretvalue",)
    assert "supersecret" not in repr(again)
    assert "supersecret" not in str(again.masked())
    assert "abcdefghijkl" not in str(again.masked())


def test_an_unknown_subscription_is_a_usage_error(tmp_path: Path) -> None:
    with _store(tmp_path) as store, pytest.raises(UnknownSubscriptionError, match="no subscription 7"):
        store.set_enabled(7, None)


def test_an_attempt_and_the_next_state_are_one_transaction(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        sub = _subscription(store)
        delivery = _delivery(sub.id)
        _add(store, delivery)
        store.mark_in_flight([delivery], T0)
        (_, in_flight), *_ = list(store.open_deliveries())
        assert in_flight == T0
        delivery.attempts_made = 1
        delivery.first_attempt_at = T0
        delivery.next_attempt_at = T0 + timedelta(seconds=30)
        attempt = Attempt(T0, Outcome.HTTP_ERROR, 500, 0.01, (("Server", "x"),), b"oops", "boom")
        store.record_attempt(delivery, attempt, (("X-Verify-Token", "***"),))
        # a second writer (another process) sees the committed attempt and the delivery's new state
        with closing(sqlite3.connect(tmp_path / "log.db")) as other:
            attempts = other.execute("SELECT attempt_no, outcome, status_code FROM attempts").fetchall()
            state = other.execute("SELECT state, attempts_made, in_flight_us FROM deliveries").fetchone()
        assert attempts == [(1, "http-error", 500)]
        assert state == ("pending", 1, None)
        rows = list(store.attempts())
    assert rows[0].response_body == b"oops"
    assert rows[0].request_headers == (("X-Verify-Token", "***"),)
    assert rows[0].first_attempt_at == T0


def test_a_failed_write_leaves_nothing_half_written(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        sub = _subscription(store)
        good, clash = _delivery(sub.id), _delivery(sub.id)
        clash.webhook_id = good.webhook_id  # UNIQUE violation on the second delivery
        with pytest.raises(sqlite3.IntegrityError):
            store.add_event("e1", "order.created", b"{}", T0, [good, clash])
        assert store.query("SELECT count(*) FROM events")[0][0] == 0
        assert store.query("SELECT count(*) FROM deliveries")[0][0] == 0


def test_disabling_suspends_open_deliveries_and_records_the_numbers(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        sub = _subscription(store)
        delivery = _delivery(sub.id)
        _add(store, delivery)
        record = DisableRecord(
            T0, "over 50% failed", failures=6, sample=10, unit="attempts", window_seconds=259200
        )
        store.disable(sub.id, record)
        again = store.subscription(sub.id)
        (open_delivery, _), *_ = list(store.open_deliveries())
    assert not again.enabled
    assert again.disabled == record
    assert open_delivery.state is DeliveryState.SUSPENDED


def test_attempts_filter_by_subscription_and_time_and_page(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        a = store.add_subscription(callback_url="http://a", family="legacy", event_names=["x"], created_at=T0)
        b = store.add_subscription(callback_url="http://b", family="legacy", event_names=["x"], created_at=T0)
        for sub in (a, b):
            delivery = _delivery(sub.id)
            _add(store, delivery)
            for n in range(3):
                delivery.attempts_made = n + 1
                at = T0 + timedelta(hours=n)
                store.record_attempt(delivery, Attempt(at, Outcome.TIMEOUT, None, 10.0), ())
        hours = [r.at for r in store.attempts(subscription_id=a.id, start=T0 + timedelta(hours=1))]
        page = [r.attempt_no for r in store.attempts(subscription_id=b.id, offset=1, limit=1)]
        assert store.count_attempts(subscription_id=a.id, end=T0 + timedelta(hours=2)) == 2
    assert hours == [T0 + timedelta(hours=1), T0 + timedelta(hours=2)]
    assert page == [2]


@given(st.datetimes(timezones=st.just(UTC), min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1)))
def test_microsecond_timestamps_round_trip(at: datetime) -> None:
    assert from_us(to_us(at)) == at


@pytest.mark.parametrize("at", [T0, datetime(2026, 3, 29, 1, 0, 0, 999999, tzinfo=UTC)])
def test_microsecond_timestamps_round_trip_examples(at: datetime) -> None:
    assert from_us(to_us(at)) == at


def test_staged_writes_are_seen_by_every_read_and_committed_by_close(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store = _store(tmp_path)
    sub = _subscription(store, "http://x/")
    delivery = _delivery(sub.id)
    delivery.id = 1
    seq = store.stage_event(delivery.event_id, delivery.event_name, delivery.body, T0, [delivery])
    other = sqlite3.connect(tmp_path / "log.db")
    request.addfinalizer(other.close)
    assert other.execute("SELECT count(*) FROM events").fetchone() == (0,), "not written before a commit"
    assert [d.id for d, _ in store.open_deliveries()] == [1], "a read commits what is staged first"
    assert other.execute("SELECT seq FROM events").fetchall() == [(seq,)]
    second = _delivery(sub.id)
    second.id = 2
    store.stage_event(second.event_id, second.event_name, second.body, T0, [second])
    assert second.event_seq == seq + 1
    store.close()
    assert other.execute("SELECT count(*) FROM deliveries").fetchone() == (2,), "close commits"


def test_a_staged_batch_is_one_transaction(tmp_path: Path) -> None:
    store = _store(tmp_path)
    sub = _subscription(store, "http://x/")
    first, second = _delivery(sub.id), _delivery(sub.id)
    first.id, second.id = 1, 2
    second.webhook_id = first.webhook_id  # breaks the UNIQUE constraint at commit, after the first event
    store.stage_event(first.event_id, first.event_name, first.body, T0, [first])
    store.stage_event(second.event_id, second.event_name, second.body, T0, [second])
    with pytest.raises(sqlite3.IntegrityError):
        store.commit()
    assert store.query("SELECT count(*) FROM events") == [(0,)], "nothing of the batch is written"
    store.close()


def test_atomic_writes_land_together_or_not_at_all(tmp_path: Path) -> None:
    store = _store(tmp_path)
    sub = _subscription(store, "http://x/")
    delivery = _delivery(sub.id)
    delivery.id = 1

    def cut_short() -> None:
        with store.atomic():
            store.set_meta("first", "1")  # an immediate write
            store.stage_event(delivery.event_id, delivery.event_name, delivery.body, T0, [delivery])
            store.commit()  # a staged one
            raise RuntimeError("stopped between two writes")

    with pytest.raises(RuntimeError):
        cut_short()
    with store.atomic():
        store.set_meta("second", "2")
        store.set_meta("third", "3")
    store.close()
    with closing(sqlite3.connect(tmp_path / "log.db")) as other:
        meta = dict(other.execute("SELECT key, value FROM meta").fetchall())
        events = other.execute("SELECT count(*) FROM events").fetchone()
    assert (meta.get("first"), meta.get("second"), meta.get("third")) == (None, "2", "3")
    assert events == (0,)


def test_a_burst_of_staged_events_is_committed_in_bounded_chunks(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from flipdish_sim.simulator.log._store import STAGED_EVENTS

    store = _store(tmp_path)
    sub = _subscription(store, "http://x/")
    other = sqlite3.connect(tmp_path / "log.db")
    request.addfinalizer(other.close)
    for n in range(STAGED_EVENTS + 1):
        delivery = _delivery(sub.id)
        delivery.id = n + 1
        store.stage_event(delivery.event_id, delivery.event_name, delivery.body, T0, [delivery])
    assert other.execute("SELECT count(*) FROM events").fetchone() == (STAGED_EVENTS,)
    assert store.staged == 2, "only the last event and its delivery wait in memory"
    store.close()


def test_another_applications_file_is_refused_before_anything_in_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "theirs.db"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE orders (id INTEGER)")
        db.commit()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another application"):
        Store(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.db"], "no -wal or -shm left behind"
