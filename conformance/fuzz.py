"""Payloads for ``contract.fuzz``: contract-valid values from Hypothesis plus deterministic edge cases.

Fuzzing stays inside the declared fields (:func:`~flipdish_sim.conformance.bodies.closed_schema`):
unknown fields are ``compat.extra-fields``' business. Edge cases: a realistic payload with every nullable
field null, and (for order events) one pickup and one delivery order.

Hypothesis keeps no example database here (``database=None``), and what else it caches on disk (constants
it collects from source files; 3 s saved per run) goes to the user's cache folder,
``$XDG_CACHE_HOME/flipdish-sim/hypothesis`` (``~/.cache/...``; ``HYPOTHESIS_STORAGE_DIRECTORY`` wins if
set), or to a temporary folder when that is not writable: grading a receiver never leaves ``.hypothesis/``
in the user's working directory.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path
from typing import cast

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.strategies import SearchStrategy

from flipdish_sim.conformance.bodies import closed_schema, nulled
from flipdish_sim.contracts.catalogue import Family, Profile, V3Shape, cached_schema, get_event
from flipdish_sim.contracts.examples import example
from flipdish_sim.contracts.strategies import from_schema

__all__ = ["edge_payloads", "fuzz_payloads", "fuzz_strategy"]

Payload = dict[str, object]


@cache
def _strategy(event: str, profile: Profile) -> SearchStrategy[object]:
    return from_schema(closed_schema(cached_schema(event, profile, V3Shape.PROPERTIES)))


@cache
def fuzz_strategy(event: str, profile: Profile = Profile.OBSERVED) -> SearchStrategy[Payload]:
    """Contract-valid payloads of ``event`` inside the declared fields (legacy ``Type`` = the event name)."""
    objects = _strategy(event, profile).filter(lambda value: isinstance(value, dict))
    return objects.map(lambda value: cast(Payload, _cohere(event, value)))


def _cohere(event: str, value: object) -> Payload | None:
    if not isinstance(value, dict):
        return None
    payload = cast(Payload, dict(value))
    if get_event(event).family is Family.LEGACY:
        payload["Type"] = event
        body = payload.get("Body")
        if isinstance(body, dict) and "EventName" in body:
            payload["Body"] = {**body, "EventName": event}
    return payload


def _cache_home() -> Path | None:
    """Where Hypothesis may cache for us: the user's choice, else the user cache folder (None: unwritable)."""
    explicit = os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    home = Path(explicit) if explicit else base / "flipdish-sim" / "hypothesis"
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return home if os.access(home, os.W_OK) else None


@contextmanager
def _private_storage() -> Iterator[None]:
    """Point Hypothesis' on-disk storage away from the working directory for the duration, then restore."""
    from hypothesis import configuration

    previous = configuration.storage_directory(intent_to_write=False).home_directory
    with tempfile.TemporaryDirectory(prefix="flipdish-sim-hypothesis-") as scratch:
        configuration.set_hypothesis_home_dir(_cache_home() or scratch)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(previous)


@lru_cache(maxsize=256)
def fuzz_payloads(
    event: str, *, count: int, seed: int, profile: Profile = Profile.OBSERVED
) -> tuple[Payload, ...]:
    """Up to ``count`` contract-valid payloads of ``event``, the same for the same ``seed`` (cached)."""
    if count <= 0:
        return ()
    drawn: list[Payload] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(_strategy(event, profile))
    def collect(value: object) -> None:
        payload = _cohere(event, value)
        if payload is not None and len(drawn) < count:
            drawn.append(payload)

    with _private_storage():
        collect()
    return tuple(drawn)


def _delivery_type(payload: Payload) -> str | None:
    body = payload.get("Body")
    order = body.get("Order") if isinstance(body, dict) else None
    kind = order.get("DeliveryType") if isinstance(order, dict) else None
    return kind if isinstance(kind, str) else None


def edge_payloads(event: str, *, seed: int, profile: Profile = Profile.OBSERVED) -> list[tuple[str, Payload]]:
    """Named edge cases: every nullable field null; one pickup and one delivery order where it applies."""
    base = example(event, seed=seed, profile=profile)
    schema = cached_schema(event, profile, V3Shape.PROPERTIES)
    cases: list[tuple[str, Payload]] = [("every nullable field null", nulled(base, schema))]
    seen: set[str] = set()
    for offset in range(12):
        candidate = example(event, seed=seed + offset, profile=profile)
        kind = _delivery_type(candidate)
        if kind is not None and kind not in seen:
            seen.add(kind)
            cases.append((f"a {kind.lower()} order", candidate))
    return cases
