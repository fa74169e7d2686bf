"""Realistic example payloads for every catalogue event: production-like, consistent, deterministic per seed.

``example("order.created", seed=7)`` is what Flipdish would POST for an order: its amounts add up, its
times are ordered, its store, currency and people agree. Central models (Order and its parts, users,
v3 sales) are built by hand; every other field is filled from the contract with field-name heuristics,
always with values that satisfy *both* profiles (the requested one wins where they cannot agree).

Pure: a ``random.Random`` per seed, no clock (times derive from ``at`` or a fixed epoch plus a seeded offset).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import cast

from ..catalogue import Family, Profile, V3Shape, cached_schema, get_event
from ._bodies import legacy_hint, v3_hint
from ._fill import Filler
from ._order import draft_order
from ._plan import Node, build_plan, conflict_paths
from ._rng import Rng, below
from ._world import Scene, make_scene

__all__ = ["EPOCH", "OUTCOMES", "example", "examples", "order_lifecycle", "profile_conflicts"]

EPOCH = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
"""Examples without ``at`` happen within 30 days after this instant (a seeded offset)."""

OUTCOMES = {
    "dispatched": ("order.created", "order.accepted", "order.dispatched"),
    "rejected": ("order.created", "order.rejected"),
    "refunded": ("order.created", "order.accepted", "order.refunded"),
}
"""The legacy events one order goes through, by how it ends."""

Payload = dict[str, object]


def example(
    name: str,
    *,
    seed: int = 0,
    profile: Profile = Profile.OBSERVED,
    shape: V3Shape = V3Shape.PROPERTIES,
    at: datetime | None = None,
) -> Payload:
    """One delivered payload of ``name`` (legacy envelope or v3 body), the same for the same arguments.

    ``at`` is the event's ``CreateTime`` (timezone-aware); by default a seeded instant after ``EPOCH``.
    The same seed keeps the same store, customer and staff member across events.
    Raises ``UnknownEventError`` for a name outside the catalogue.
    """
    spec = get_event(name)
    profile, shape = Profile(profile), V3Shape(shape)
    filler = Filler(Rng.of(f"{seed}:{name}"), _scene(seed, at))
    hint = legacy_hint(spec, filler) if spec.family is Family.LEGACY else v3_hint(spec, filler, shape)
    return cast(Payload, filler.value(_plan_for(name, profile, shape), "", hint))


def examples(
    name: str,
    *,
    seed: int = 0,
    count: int = 1,
    profile: Profile = Profile.OBSERVED,
    shape: V3Shape = V3Shape.PROPERTIES,
    at: datetime | None = None,
) -> list[Payload]:
    """``count`` distinct examples: ``examples(name, seed=s, count=k)[i] == example(name, seed=s + i)``."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    return [example(name, seed=seed + i, profile=profile, shape=shape, at=at) for i in range(count)]


def order_lifecycle(
    *,
    seed: int = 0,
    at: datetime | None = None,
    outcome: str = "dispatched",
    profile: Profile = Profile.OBSERVED,
) -> list[tuple[str, Payload]]:
    """One order's legacy events in order (``OUTCOMES[outcome]``): the same order with its state advancing.

    Every event carries the same ``OrderId`` and amounts, a distinct ``FlipdishEventId`` and a strictly
    later ``CreateTime`` (``at`` is the first event's time).
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
    scene = _scene(seed, at)
    rng = Rng.of(f"{seed}:lifecycle:{outcome}")
    order = draft_order(Filler(rng, scene))
    events: list[tuple[str, Payload]] = []
    moment = scene.at
    for name in OUTCOMES[outcome]:
        filler = Filler(rng, _with_time(scene, moment))
        hint = legacy_hint(get_event(name), filler, order)
        plan = _plan_for(name, Profile(profile), V3Shape.PROPERTIES)
        events.append((name, cast(Payload, filler.value(plan, "", hint))))
        moment += timedelta(seconds=rng.randint(45, 600))
    return events


def profile_conflicts(
    name: str, *, profile: Profile = Profile.OBSERVED, shape: V3Shape = V3Shape.PROPERTIES
) -> tuple[str, ...]:
    """JSON paths (``[*]``: any index) where no value satisfies both profiles; examples follow ``profile``.

    These are real disagreements in the upstream data, e.g. a .NET enum documented as strings but observed
    as numbers. Everywhere else an example is valid under both profiles.
    """
    get_event(name)
    return tuple(conflict_paths(_plan_for(name, Profile(profile), V3Shape(shape))))


def _scene(seed: int, at: datetime | None) -> Scene:
    if at is not None and at.utcoffset() is None:
        raise ValueError(f"at must be timezone-aware, got {at.isoformat()}")
    rng = Rng.of(f"scene:{seed}")
    bits = rng.getrandbits
    offset = timedelta(seconds=below(bits, 30 * 86_400 + 1), milliseconds=below(bits, 1000))
    moment = at.astimezone(UTC) if at is not None else EPOCH + offset
    return make_scene(rng, moment)


def _with_time(scene: Scene, moment: datetime) -> Scene:
    return replace(scene, at=moment)


@cache
def _plan_for(name: str, profile: Profile, shape: V3Shape) -> Node:
    other = Profile.DOCUMENTED if profile is Profile.OBSERVED else Profile.OBSERVED
    return build_plan([cached_schema(name, profile, shape), cached_schema(name, other, shape)])
