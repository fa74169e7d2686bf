from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flipdish_sim.simulator.clock import DEFAULT_START, Clock, VirtualClock, WallClock, utc_now

START = datetime(2026, 1, 1, tzinfo=UTC)


def test_virtual_clock_starts_where_told_and_satisfies_the_protocol() -> None:
    clock = VirtualClock()
    assert clock.now() == DEFAULT_START == START
    assert isinstance(clock, Clock)
    assert clock.is_virtual is True


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(hours=24), START + timedelta(hours=24)),
        (5, START + timedelta(seconds=5)),
        (0.25, START + timedelta(milliseconds=250)),
        (0, START),
    ],
)
def test_tick_moves_forward(delta: timedelta | float, expected: datetime) -> None:
    clock = VirtualClock(START)
    assert clock.tick(delta) == expected
    assert clock.now() == expected


def test_tick_and_move_to_refuse_going_backwards() -> None:
    clock = VirtualClock(START)
    with pytest.raises(ValueError, match="backwards"):
        clock.tick(-1)
    with pytest.raises(ValueError, match="backwards"):
        clock.move_to(START - timedelta(microseconds=1))
    assert clock.now() == START


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 1, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        VirtualClock(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        VirtualClock().move_to(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        asyncio.run(VirtualClock().sleep_until(naive))


def test_other_zones_are_normalised_to_utc() -> None:
    dublin_summer = timezone(timedelta(hours=1))
    clock = VirtualClock(datetime(2026, 6, 1, 13, 0, tzinfo=dublin_summer))
    assert clock.now() == datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_sleep_until_jumps_without_waiting_and_ignores_the_past() -> None:
    clock = VirtualClock(START)

    async def run() -> list[datetime]:
        seen = []
        await clock.sleep_until(START + timedelta(hours=24))
        seen.append(clock.now())
        await clock.sleep_until(START)  # already past: no move backwards
        seen.append(clock.now())
        return seen

    assert asyncio.run(run()) == [START + timedelta(hours=24)] * 2


@given(steps=st.lists(st.integers(-(10**6), 10**6), max_size=30))
def test_property_virtual_time_never_goes_backwards(steps: list[int]) -> None:
    clock = VirtualClock(START)
    previous = clock.now()
    for step in steps:
        target = previous + timedelta(seconds=step)
        if step < 0:
            with pytest.raises(ValueError, match="backwards"):
                clock.move_to(target)
        else:
            clock.move_to(target)
        assert clock.now() >= previous
        previous = clock.now()


class FakeMonotonic:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def test_wall_clock_runs_time_scale_times_faster() -> None:
    mono = FakeMonotonic()
    clock = WallClock(60, start=START, monotonic=mono)
    assert clock.now() == START
    mono.value += 5  # 5 real seconds
    assert clock.now() == START + timedelta(minutes=5)
    assert clock.is_virtual is False
    assert isinstance(clock, Clock)


def test_wall_clock_sleep_until_waits_the_compressed_interval() -> None:
    mono = FakeMonotonic()
    waited: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waited.append(seconds)

    clock = WallClock(120, start=START, monotonic=mono, sleep=fake_sleep)
    asyncio.run(clock.sleep_until(START + timedelta(hours=2)))
    asyncio.run(clock.sleep_until(START - timedelta(hours=2)))
    assert waited == [60.0, 0.0]


def test_wall_clock_default_start_is_now() -> None:
    before = datetime.now(UTC)
    clock = WallClock()
    assert before <= clock.now() <= datetime.now(UTC) + timedelta(seconds=1)


@pytest.mark.parametrize("scale", [0, -1, float("nan")])
def test_wall_clock_refuses_nonpositive_scales(scale: float) -> None:
    with pytest.raises(ValueError, match="time_scale"):
        WallClock(scale)


def test_utc_now_is_real_aware_utc_time() -> None:
    now = utc_now()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
