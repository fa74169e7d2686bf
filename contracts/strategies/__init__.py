"""Hypothesis strategies for contract-valid payloads, from a focused JSON Schema compiler.

``payloads("order.created")`` draws delivered payloads that satisfy the event's contract, edge values
included: nulls where nullable, empty arrays, long unicode strings, extreme numbers within the declared
bounds, optional fields present and absent. ``from_schema(schema)`` is the compiler: it honours exactly the
keywords the project's contracts use (``type``, ``properties``, ``required``, ``additionalProperties``,
``items``, ``minItems``/``maxItems``, ``enum``, ``const``, ``anyOf``, ``allOf``, local ``$ref`` including
recursion, numeric bounds, ``minLength``/``maxLength``, ``pattern``, ``format``) and refuses any other
assertion keyword rather than generate data that might not validate. hypothesis-jsonschema 0.23.1 fails
on current Hypothesis and on recursive references, hence this module.
"""

from __future__ import annotations

from functools import cache
from typing import cast

from hypothesis.strategies import SearchStrategy

from flipdish_sim.contracts.catalogue import Family, Profile, V3Shape, cached_schema, get_event

from ._compiler import UnsupportedSchemaError, from_schema

__all__ = ["UnsupportedSchemaError", "from_schema", "payloads"]


def payloads(
    name: str, *, profile: Profile = Profile.DOCUMENTED, shape: V3Shape = V3Shape.PROPERTIES
) -> SearchStrategy[dict[str, object]]:
    """Contract-valid delivered payloads of ``name``; legacy envelopes have ``Type`` (and ``Body.EventName``,
    when present) equal to the event name. Raises ``UnknownEventError`` for a name not in the catalogue."""
    return _payloads(get_event(name).name, Profile(profile), V3Shape(shape))


@cache
def _payloads(name: str, profile: Profile, shape: V3Shape) -> SearchStrategy[dict[str, object]]:
    base = from_schema(cached_schema(name, profile, shape))
    objects = base.filter(lambda v: isinstance(v, dict)).map(lambda v: cast(dict[str, object], v))
    if get_event(name).family is Family.V3:
        return objects
    return objects.map(lambda payload: _cohere(payload, name))


def _cohere(payload: dict[str, object], name: str) -> dict[str, object]:
    out = dict(payload)
    out["Type"] = name
    body = out.get("Body")
    if isinstance(body, dict) and "EventName" in body:
        out["Body"] = {**body, "EventName": name}
    return out
