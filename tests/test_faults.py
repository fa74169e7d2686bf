from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flipdish_sim.simulator.policy._faults import (
    NO_DUPLICATES,
    NO_REORDER,
    Duplicate,
    DuplicatePolicy,
    ReorderPolicy,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
S = timedelta(seconds=1)


def test_no_faults_by_default() -> None:
    assert NO_DUPLICATES.plan("evt-1") == ()
    events = [("a", T0), ("b", T0 + S)]
    assert NO_REORDER.reorder(events) == events


@pytest.mark.parametrize(
    ("policy", "ack", "expected"),
    [
        (DuplicatePolicy(count=2), T0 + S, [T0, T0]),
        (DuplicatePolicy(count=2, mode="delayed", delay=30 * S), T0 + S, [T0 + 30 * S, T0 + 60 * S]),
        (DuplicatePolicy(count=1, mode="after-ack", delay=5 * S), T0 + 3 * S, [T0 + 8 * S]),
        (DuplicatePolicy(count=1, mode="after-ack"), T0 + 3 * S, [T0 + 3 * S]),
        (DuplicatePolicy(count=1, mode="after-ack"), None, []),  # never acknowledged: no duplicate
        (DuplicatePolicy(count=3, probability=0.0), T0, []),
    ],
)
def test_duplicate_schedules(policy: DuplicatePolicy, ack: datetime | None, expected: list[datetime]) -> None:
    assert list(policy.schedule("evt-1", T0, ack)) == expected


def test_duplicate_plan_names_its_anchor() -> None:
    assert DuplicatePolicy(count=1, mode="after-ack", delay=S).plan("e") == (Duplicate(1, "acknowledged", S),)
    assert DuplicatePolicy(count=1, mode="delayed", delay=S).plan("e") == (Duplicate(1, "sent", S),)


def test_probability_picks_a_seeded_share_of_events() -> None:
    policy = DuplicatePolicy(count=1, probability=0.3, seed=7)
    chosen = [policy.copies(f"evt-{i}") for i in range(2000)]
    assert chosen == [policy.copies(f"evt-{i}") for i in range(2000)]  # deterministic
    assert 0.25 < sum(chosen) / 2000 < 0.35
    assert chosen != [
        DuplicatePolicy(count=1, probability=0.3, seed=8).copies(f"evt-{i}") for i in range(2000)
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"count": -1}, "count"),
        ({"probability": 1.5}, "probability"),
        ({"mode": "sometimes"}, "mode"),
        ({"delay": -S}, "delay"),
        ({"mode": "delayed"}, "positive delay"),
    ],
)
def test_invalid_duplicate_policies(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DuplicatePolicy(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "message"),
    [({"mode": "reverse"}, "mode"), ({"window": -S}, "window"), ({"probability": -0.1}, "probability")],
)
def test_invalid_reorder_policies(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReorderPolicy(**options)  # type: ignore[arg-type]


def test_delay_can_make_accepted_arrive_before_created() -> None:
    policy = ReorderPolicy(mode="delay", window=60 * S, seed=1)
    lifecycle = [("order.created", T0), ("order.accepted", T0 + S)]
    orders = {
        tuple(e for e, _ in ReorderPolicy(mode="delay", window=60 * S, seed=s).reorder(lifecycle))
        for s in range(20)
    }
    assert orders == {("order.created", "order.accepted"), ("order.accepted", "order.created")}
    assert policy.reorder(lifecycle) == policy.reorder(lifecycle)


def test_shuffle_permutes_within_batches_only() -> None:
    events = [(f"e{i}", T0 + i * S) for i in range(6)] + [
        (f"late{i}", T0 + 100 * S + i * S) for i in range(3)
    ]
    out = ReorderPolicy(mode="shuffle", window=10 * S, seed=3).reorder(events)
    assert [at for _, at in out] == [at for _, at in events]  # the same send slots
    assert {e for e, _ in out[:6]} == {f"e{i}" for i in range(6)}
    assert {e for e, _ in out[6:]} == {f"late{i}" for i in range(3)}
    assert out != events


@pytest.mark.parametrize("mode", ["delay", "shuffle"])
def test_a_zero_window_keeps_simultaneous_events_in_order(mode: str) -> None:
    events = [("evt-0", T0), ("evt-1", T0), ("evt-2", T0 + S)]
    assert ReorderPolicy(mode, timedelta(0), seed=5).reorder(events) == events  # type: ignore[arg-type]


def test_reorder_wants_planned_order() -> None:
    with pytest.raises(ValueError, match="planned order"):
        ReorderPolicy().reorder([("b", T0 + S), ("a", T0)])


# -- properties


@st.composite
def planned(draw: st.DrawFn) -> list[tuple[str, datetime]]:
    gaps = draw(st.lists(st.integers(0, 120), max_size=30))
    at, events = T0, []
    for i, gap in enumerate(gaps):
        at += timedelta(seconds=gap)
        events.append((f"evt-{i}", at))
    return events


@given(
    events=planned(),
    mode=st.sampled_from(["delay", "shuffle"]),
    window=st.integers(0, 300),
    probability=st.sampled_from([0.0, 0.5, 1.0]),
    seed=st.integers(0, 2**32),
)
def test_property_reordering_loses_nothing_and_stays_within_the_window(
    events: list[tuple[str, datetime]], mode: str, window: int, probability: float, seed: int
) -> None:
    policy = ReorderPolicy(mode, timedelta(seconds=window), probability, seed)  # type: ignore[arg-type]
    out = policy.reorder(events)
    assert Counter(e for e, _ in out) == Counter(e for e, _ in events)
    assert [at for _, at in out] == sorted(at for _, at in out)
    original = dict(events)
    for event_id, at in out:
        assert abs(at - original[event_id]) <= policy.window
        if mode == "delay":
            assert at >= original[event_id]
    assert out == policy.reorder(events)  # deterministic
    if window == 0:
        assert out == events


@given(
    count=st.integers(0, 5),
    probability=st.sampled_from([0.0, 0.3, 1.0]),
    mode=st.sampled_from(["immediate", "delayed", "after-ack"]),
    delay=st.integers(1, 3600),
    event_id=st.text(max_size=10),
    ack=st.none() | st.integers(0, 3600),
)
def test_property_duplicates_are_bounded_ordered_and_deterministic(
    count: int, probability: float, mode: str, delay: int, event_id: str, ack: int | None
) -> None:
    policy = DuplicatePolicy(count, probability, mode, timedelta(seconds=delay), seed=1)  # type: ignore[arg-type]
    acknowledged = None if ack is None else T0 + timedelta(seconds=ack)
    times = policy.schedule(event_id, T0, acknowledged)
    assert times == policy.schedule(event_id, T0, acknowledged)
    assert len(times) in (0, count)
    assert list(times) == sorted(times)
    assert all(t >= T0 for t in times)
    if mode == "after-ack":
        assert acknowledged is not None or times == ()
        assert all(t >= acknowledged for t in times if acknowledged is not None)
