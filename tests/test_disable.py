from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.policy._disable import (
    DISABLE_WINDOW,
    DisablePolicy,
    Observation,
    RollingWindow,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
H = timedelta(hours=1)
DEFAULT = DisablePolicy()


def history(failures: int, successes: int, *, start: datetime = T0, step: timedelta = H) -> list[Observation]:
    oks = [False] * failures + [True] * successes
    return [Observation(start + i * step, ok, f"evt-{i}") for i, ok in enumerate(oks)]


@pytest.mark.parametrize(
    ("failures", "successes", "disable"),
    [
        (5, 5, False),  # exactly 50 % is not "over 50 %"
        (6, 4, True),
        (9, 0, False),  # below the minimum sample of 10
        (10, 0, True),
        (6, 5, True),  # 54.5 %
        (50, 50, False),
        (51, 49, True),
        (1, 0, False),
        (0, 0, False),
    ],
)
def test_over_half_failed_with_the_minimum_sample_disables(
    failures: int, successes: int, disable: bool
) -> None:
    observed = history(failures, successes, step=timedelta(minutes=1))
    now = T0 + timedelta(hours=2)
    decision = DEFAULT.evaluate(observed, now)
    assert decision.disable is disable
    assert (decision.failures, decision.total) == (failures, failures + successes)
    assert (decision.window_start, decision.window_end) == (now - 72 * H, now)


def test_the_window_is_72_hours_rolling_and_half_open() -> None:
    assert DEFAULT.window == DISABLE_WINDOW == 72 * H
    observed = history(10, 0)  # one failure an hour from T0 to T0 + 9 h
    assert DEFAULT.evaluate(observed, T0 + 72 * H - timedelta(microseconds=1)).disable
    at_edge = DEFAULT.evaluate(observed, T0 + 72 * H)  # the first failure is exactly 72 h old: out
    assert (at_edge.total, at_edge.disable) == (9, False)
    assert DEFAULT.evaluate(observed, T0 + 200 * H).total == 0
    assert DEFAULT.evaluate(observed, T0 - H).total == 0  # the future does not count either


def test_decision_explains_itself() -> None:
    decision = DEFAULT.evaluate(history(6, 4, step=timedelta(minutes=1)), T0 + H)
    assert decision.share == pytest.approx(0.6)
    assert decision.describe().startswith("6 of 10 attempts failed (60.0%) between 2025-12-29T01:00:00+00:00")


def test_disabled_policy_never_disables() -> None:
    assert not DisablePolicy(enabled=False).evaluate(history(100, 0), T0 + 100 * H).disable


def test_events_unit_counts_each_event_once() -> None:
    policy = DisablePolicy(unit="events", min_sample=3)
    t = T0
    observed = [
        Observation(t, False, "a"),
        Observation(t + H, True, "a"),  # a: failed, then acknowledged -> acknowledged
        Observation(t + H, False, "b"),
        Observation(t + 2 * H, False, "b"),  # b: still failing -> failed
        Observation(t + 2 * H, False, "c"),  # c: failed
    ]
    decision = policy.evaluate(observed, t + 3 * H)
    assert (decision.failures, decision.total, decision.disable, decision.unit) == (2, 3, True, "events")
    by_attempts = DisablePolicy(min_sample=3).evaluate(observed, t + 3 * H)
    assert (by_attempts.failures, by_attempts.total) == (4, 5)


def test_events_unit_needs_event_ids() -> None:
    with pytest.raises(ValueError, match="event_id"):
        DisablePolicy(unit="events").evaluate([Observation(T0, False)], T0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"window": timedelta(0)}, "window"),
        ({"threshold": 1.0}, "threshold"),
        ({"threshold": -0.1}, "threshold"),
        ({"min_sample": 0}, "min_sample"),
        ({"unit": "webhooks"}, "unit"),
    ],
)
def test_invalid_policies_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):  # a ValueError too; the command line exits 2
        DisablePolicy(**options)  # type: ignore[arg-type]


def test_rolling_window_takes_late_observations_but_not_evaluations_in_the_past() -> None:
    window = RollingWindow(DisablePolicy(min_sample=2))
    assert window.add(T0 + H, False) is None  # 1 of 1: under the minimum sample
    late = window.add(T0, False)  # a concurrent attempt that started earlier finished later
    assert late is not None
    assert (late.failures, late.total, late.disable, late.window_end) == (2, 2, True, T0 + H)
    ancient = window.add(T0 - 100 * H, True)  # older than the window: ignored
    assert ancient == late
    with pytest.raises(ValueError, match="before its last"):
        window.decision(T0)
    report = window.decision(T0 + 100 * H)  # evaluated later: both failures have left the window
    assert report.total == 0
    assert window.add(T0 + 2 * H, False) is None  # older than that window: ignored
    assert window.decision(T0 + 100 * H).total == 0


def test_rolling_window_refuses_an_events_window_without_event_ids() -> None:
    with pytest.raises(ValueError, match="event_id"):
        RollingWindow(DisablePolicy(unit="events")).add(T0, False)


def test_rolling_window_memory_is_one_window_not_the_whole_history() -> None:
    window = RollingWindow(DisablePolicy(window=timedelta(seconds=100)))
    for i in range(20_000):
        window.add(T0 + timedelta(seconds=i), i % 3 != 0)
    assert window.decision(T0 + timedelta(seconds=19_999)).total == 100
    assert len(window) == 100


# -- properties

unit = st.sampled_from(["attempts", "events"])


@st.composite
def histories(draw: st.DrawFn) -> list[Observation]:
    gaps = draw(st.lists(st.integers(0, 30 * 3600), max_size=60))
    observed = []
    at = T0
    for gap in gaps:
        at += timedelta(seconds=gap)
        observed.append(Observation(at, draw(st.booleans()), draw(st.sampled_from("abcdefgh"))))
    return observed


@given(
    observed=histories(),
    unit=unit,
    min_sample=st.integers(1, 12),
    threshold=st.sampled_from([0.0, 0.25, 0.5, 0.75]),
    hours=st.integers(1, 100),
    later=st.integers(0, 200 * 3600),
)
def test_property_incremental_and_reference_agree(
    observed: list[Observation], unit: str, min_sample: int, threshold: float, hours: int, later: int
) -> None:
    policy = DisablePolicy(timedelta(hours=hours), threshold, min_sample, unit)  # type: ignore[arg-type]
    window = RollingWindow(policy)
    for i, observation in enumerate(observed):
        reference = policy.evaluate(observed[: i + 1], observation.at)
        decided = window.add(observation.at, observation.ok, observation.event_id)
        assert decided == (reference if reference.disable else None)
        assert window.decision(observation.at) == reference
    end = (observed[-1].at if observed else T0) + timedelta(seconds=later)
    assert window.decision(end) == policy.evaluate(observed, end)


@given(
    observed=histories(),
    unit=unit,
    hours=st.integers(1, 100),
    swaps=st.lists(st.integers(0, 10_000), max_size=20),
)
def test_property_out_of_order_arrivals_agree_with_the_reference(
    observed: list[Observation], unit: str, hours: int, swaps: list[int]
) -> None:
    # Concurrent attempts finish in any order: neighbours swap places before reaching the window.
    arrived = list(observed)
    for swap in swaps:
        if len(arrived) > 1:
            i = swap % (len(arrived) - 1)
            arrived[i], arrived[i + 1] = arrived[i + 1], arrived[i]
    policy = DisablePolicy(timedelta(hours=hours), 0.5, 3, unit)  # type: ignore[arg-type]
    window = RollingWindow(policy)
    for i, observation in enumerate(arrived):
        latest = max(o.at for o in arrived[: i + 1])
        reference = policy.evaluate(arrived[: i + 1], latest)
        decided = window.add(observation.at, observation.ok, observation.event_id)
        assert decided == (reference if reference.disable else None)
        assert window.decision(latest) == reference


@given(failures=st.integers(0, 60), successes=st.integers(0, 60), min_sample=st.integers(1, 30))
def test_property_disabled_exactly_when_over_half_with_the_minimum_sample(
    failures: int, successes: int, min_sample: int
) -> None:
    total = failures + successes
    decision = DisablePolicy(min_sample=min_sample).evaluate(
        history(failures, successes, step=timedelta(minutes=1)), T0 + 72 * H - timedelta(seconds=1)
    )
    assert decision.disable == (total >= min_sample and 2 * failures > total)


@given(observed=histories(), unit=unit, flip=st.integers(0, 10_000), offset=st.integers(0, 100 * 3600))
def test_property_more_failures_never_undo_a_disable(
    observed: list[Observation], unit: str, flip: int, offset: int
) -> None:
    if not observed:
        return
    policy = DisablePolicy(unit=unit, min_sample=3)  # type: ignore[arg-type]
    i = flip % len(observed)
    worse = [*observed[:i], Observation(observed[i].at, False, observed[i].event_id), *observed[i + 1 :]]
    now = observed[0].at + timedelta(seconds=offset)
    before, after = policy.evaluate(observed, now), policy.evaluate(worse, now)
    assert after.failures >= before.failures
    assert after.total == before.total
    assert before.disable <= after.disable
