from __future__ import annotations

import asyncio
import hashlib
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.policy._retry import (
    DEFAULT_OFFSETS,
    FLIPDISH_DEFAULT,
    MIN_GAP,
    NO_RETRIES,
    RETRY_WINDOW,
    RetryPolicy,
    seeded_fraction,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
S, M, H = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1)


def test_default_schedule_is_standard_webhooks_clipped_to_24_hours() -> None:
    assert FLIPDISH_DEFAULT.window == RETRY_WINDOW == 24 * H
    assert [t - T0 for t in FLIPDISH_DEFAULT.schedule(T0)] == [
        timedelta(0),
        5 * S,
        5 * M + 5 * S,
        35 * M + 5 * S,
        2 * H + 35 * M + 5 * S,
        7 * H + 35 * M + 5 * S,
        17 * H + 35 * M + 5 * S,
        24 * H,
    ]
    assert FLIPDISH_DEFAULT.attempts == 8
    assert FLIPDISH_DEFAULT.offsets == DEFAULT_OFFSETS
    assert RetryPolicy() == FLIPDISH_DEFAULT


def test_after_the_last_retry_the_webhook_expires() -> None:
    assert FLIPDISH_DEFAULT.next_attempt_at(T0, 8, T0 + 24 * H) is None
    assert NO_RETRIES.next_attempt_at(T0, 1, T0) is None
    assert NO_RETRIES.schedule(T0) == (T0,)


def test_first_attempt_is_at_first_at() -> None:
    assert FLIPDISH_DEFAULT.next_attempt_at(T0, 0, T0) == T0


def test_a_late_attempt_pushes_the_next_one_strictly_later() -> None:
    # the first attempt took the whole 10 s deadline: retry 1 (planned at +5 s) is due, sent right after
    assert FLIPDISH_DEFAULT.next_attempt_at(T0, 1, T0 + 10 * S) == T0 + 10 * S + MIN_GAP
    # a retry that would fall after the window is dropped, never sent late
    assert FLIPDISH_DEFAULT.next_attempt_at(T0, 7, T0 + 24 * H) is None


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (RetryPolicy.from_offsets([M, H, 24 * H]), [0 * S, M, H, 24 * H]),
        (RetryPolicy.from_intervals([M, M, M]), [0 * S, M, 2 * M, 3 * M]),
        (RetryPolicy.from_intervals([10 * H, 10 * H, 10 * H]), [0 * S, 10 * H, 20 * H]),
        (
            RetryPolicy.from_intervals([10 * H, 10 * H, 10 * H], final_at_window_end=True),
            [0 * S, 10 * H, 20 * H, 24 * H],
        ),
        (RetryPolicy.exponential(M, 2.0, 4 * M, window=10 * M), [0 * S, M, 3 * M, 7 * M, 10 * M]),
        (
            RetryPolicy.exponential(M, 3.0, H, window=H, final_at_window_end=False),
            [0 * S, M, 4 * M, 13 * M, 40 * M],
        ),
        (RetryPolicy.from_offsets(DEFAULT_OFFSETS, max_attempts=3), [0 * S, 5 * S, 5 * M + 5 * S]),
        (RetryPolicy.from_offsets([H], window=H), [0 * S, H]),
    ],
)
def test_configured_schedules(policy: RetryPolicy, expected: list[timedelta]) -> None:
    assert [t - T0 for t in policy.schedule(T0)] == expected


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: RetryPolicy.from_offsets([M, M]), "strictly increasing"),
        (lambda: RetryPolicy.from_offsets([-S]), "strictly increasing"),
        (lambda: RetryPolicy.from_offsets([25 * H]), "after the"),
        (lambda: RetryPolicy.from_offsets([M], window=timedelta(0)), "positive"),
        (lambda: RetryPolicy.from_offsets([M], jitter=1.0), "jitter"),
        (lambda: RetryPolicy.from_offsets([M], max_attempts=0), "max_attempts"),
        (lambda: RetryPolicy.exponential(timedelta(0)), "base > 0"),
        (lambda: RetryPolicy.exponential(M, 0.5), "factor >= 1"),
        (lambda: RetryPolicy.exponential(M, 2.0, S), "cap >= base"),
        (
            lambda: RetryPolicy.exponential(timedelta(microseconds=1), 1.0, timedelta(microseconds=1)),
            "at most",
        ),
    ],
)
def test_invalid_policies_are_refused(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


def test_jitter_is_deterministic_per_seed_and_key_and_only_shortens() -> None:
    policy = RetryPolicy.from_offsets(DEFAULT_OFFSETS, jitter=0.3, seed=42)
    first = policy.schedule(T0, key="sub-1/evt-1")
    assert first == policy.schedule(T0, key="sub-1/evt-1")
    assert first != policy.schedule(T0, key="sub-1/evt-2")
    assert first != RetryPolicy.from_offsets(DEFAULT_OFFSETS, jitter=0.3, seed=43).schedule(
        T0, key="sub-1/evt-1"
    )
    unjittered = FLIPDISH_DEFAULT.schedule(T0)
    assert len(first) == len(unjittered)
    assert all(j <= u for j, u in zip(first, unjittered, strict=True))


def test_seeded_fraction_is_stable_across_processes() -> None:
    # constants: sha256 of "<seed>\x1f<parts>", not Python's per-process randomised hash()
    assert seeded_fraction(7, "a") == 0.5170316748950177
    assert seeded_fraction(1, "evt", 2) == 0.38769842282539674
    by_hand = int.from_bytes(hashlib.sha256(b"7\x1fa").digest()[:8], "big") / 2**64
    assert seeded_fraction(7, "a") == by_hand


def test_the_whole_schedule_runs_on_the_virtual_clock_without_waiting() -> None:
    clock = VirtualClock(T0)

    async def always_failing() -> list[datetime]:
        made: list[datetime] = []
        next_at: datetime | None = clock.now()
        while next_at is not None:
            await clock.sleep_until(next_at)
            made.append(clock.now())  # the attempt fails
            next_at = FLIPDISH_DEFAULT.next_attempt_at(T0, len(made), made[-1])
        return made

    made = asyncio.run(always_failing())
    assert made == list(FLIPDISH_DEFAULT.schedule(T0))
    assert clock.now() == T0 + 24 * H


# -- properties

durations = st.integers(1, 48 * 3600).map(lambda s: timedelta(seconds=s))


@st.composite
def policies(draw: st.DrawFn) -> RetryPolicy:
    window = draw(durations)
    jitter = draw(st.sampled_from([0.0, 0.1, 0.5, 0.99]))
    seed = draw(st.integers(0, 2**32))
    kind = draw(st.sampled_from(["offsets", "intervals", "exponential"]))
    if kind == "offsets":
        raw = draw(st.lists(st.integers(1, int(window.total_seconds())), max_size=12, unique=True))
        return RetryPolicy.from_offsets(
            sorted(timedelta(seconds=s) for s in raw), window=window, jitter=jitter, seed=seed
        )
    if kind == "intervals":
        intervals = draw(st.lists(durations, max_size=12))
        return RetryPolicy.from_intervals(
            intervals, window=window, final_at_window_end=draw(st.booleans()), jitter=jitter, seed=seed
        )
    base = draw(st.integers(1, 3600).map(lambda s: timedelta(seconds=s)))
    cap = base * draw(st.integers(1, 100))
    return RetryPolicy.exponential(
        base,
        draw(st.floats(1.0, 5.0)),
        cap,
        window=min(max(window, base), base * 5000),
        jitter=jitter,
        seed=seed,
    )


@given(policy=policies(), key=st.text(max_size=8))
def test_property_schedule_is_finite_increasing_and_inside_the_window(policy: RetryPolicy, key: str) -> None:
    times = policy.schedule(T0, key=key)
    assert times[0] == T0
    assert len(times) <= policy.attempts
    assert all(a < b for a, b in itertools.pairwise(times))
    assert times[-1] <= T0 + policy.window


@given(policy=policies(), delays=st.lists(st.integers(0, 10 * 3600), max_size=40), key=st.text(max_size=4))
def test_property_late_attempts_never_break_the_rules(
    policy: RetryPolicy, delays: list[int], key: str
) -> None:
    # The sender may make each attempt late (slow receiver, busy engine): the rules still hold.
    made = [T0]
    for delay in delays:
        planned = policy.next_attempt_at(T0, len(made), made[-1], key=key)
        if planned is None:
            break
        assert made[-1] < planned <= T0 + policy.window
        made.append(planned + timedelta(seconds=delay))
    assert len(made) <= policy.attempts + 1  # ends: each call consumes one scheduled retry


@given(policy=policies(), key=st.text(max_size=4))
def test_property_jitter_stays_between_the_planned_retries(policy: RetryPolicy, key: str) -> None:
    previous = timedelta(0)
    for retry, planned in enumerate(policy.offsets, start=1):
        assert previous < policy.offset(retry, key) <= planned
        previous = planned
