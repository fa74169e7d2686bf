"""The catalogue of every Flipdish webhook event and the JSON Schema of what each one delivers.

131 legacy (API v1.0) event names and 11 v3 event types, read from ``schemas/catalogue.json`` which
``flipdish-sim contracts build`` generates from the vendored upstream data (``upstream/ORIGIN.md``).
Schemas are package data, read with ``importlib.resources`` and cached.

Pure: stdlib and ``importlib.resources`` only.
"""

from __future__ import annotations

import copy
import difflib
import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import cast

from flipdish_sim.errors import UnknownEventError

from ._schema_walk import MAX_REF_CHAIN, non_null_branches, resolve

__all__ = [
    "EventSpec",
    "Family",
    "FieldSummary",
    "Profile",
    "Provenance",
    "V3Shape",
    "cached_schema",
    "catalogue",
    "get_event",
    "load_schema",
    "schema_fields",
    "schema_path",
]


class Family(StrEnum):
    """The webhook generation an event belongs to."""

    LEGACY = "legacy"  # API v1.0: envelope {Type, CreateTime, Body}, X-Verify-Token
    V3 = "v3"  # Flipdish Webhooks v3: org-scoped, signed, camelCase bodies


class Provenance(StrEnum):
    """How sure we are that Flipdish delivers this event under this name (FACTS.md §1)."""

    DOCUMENTED = "documented"  # on a developers.flipdish.com webhook page; v3: webhookEventTypes + docs index
    CLIENT_REGISTERED = "client-registered"  # registered in Flipdish's SignalR client
    INFERRED = "inferred"  # name inferred from @flipdish/events (zeus)


class Profile(StrEnum):
    """Which contract a payload is held to."""

    DOCUMENTED = "documented"  # the Swagger models: every field optional, nullability as declared
    OBSERVED = "observed"  # production-observed bodies: required fields and nullability as Flipdish sees them


class V3Shape(StrEnum):
    """What a v3 delivery's body is (FACTS.md §1.2: upstream examples disagree)."""

    PROPERTIES = "properties"  # the bare detail.properties object, the default
    EVENT = "event"  # the full EventBridge-style event {source, detail-type, detail: {properties, metadata}}


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One catalogue entry."""

    name: str
    family: Family
    model: str
    provenance: Provenance
    description: str
    observed: bool  # True when a production-observed schema exists (always for v3)


_PACKAGE = __name__.rpartition(".")[0]


def _read(relative: str) -> str:
    resource = files(_PACKAGE).joinpath("schemas", *relative.split("/"))
    return resource.read_text(encoding="utf-8")


@cache
def _events() -> dict[str, EventSpec]:
    document = cast(dict[str, list[dict[str, object]]], json.loads(_read("catalogue.json")))
    specs = (
        EventSpec(
            name=str(entry["name"]),
            family=Family(str(entry["family"])),
            model=str(entry["model"]),
            provenance=Provenance(str(entry["provenance"])),
            description=str(entry["description"]),
            observed=bool(entry["observed"]),
        )
        for entry in document["events"]
    )
    return {spec.name: spec for spec in sorted(specs, key=lambda spec: spec.name)}


def catalogue(family: Family | None = None) -> tuple[EventSpec, ...]:
    """Every event (or every event of ``family``), sorted by name."""
    return tuple(spec for spec in _events().values() if family is None or spec.family is family)


def _suggest(name: str, names: list[str]) -> str | None:
    folded = {known.lower(): known for known in names}
    if name.lower() in folded:
        return folded[name.lower()]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return close[0] if close else None


def get_event(name: str) -> EventSpec:
    """The catalogue entry of ``name``; raises ``UnknownEventError`` with the closest name as a hint."""
    events = _events()
    try:
        return events[name]
    except KeyError:
        raise UnknownEventError(name, _suggest(name, list(events))) from None


def schema_path(name: str, profile: Profile = Profile.DOCUMENTED, shape: V3Shape = V3Shape.PROPERTIES) -> str:
    """The schema file of an event, relative to the ``schemas`` package directory."""
    spec = get_event(name)
    if spec.family is Family.V3:
        return f"v3/{spec.name}.{V3Shape(shape).value}.json"
    return f"{Profile(profile).value}/{spec.name}.json"


@cache
def _schema(relative: str) -> dict[str, object]:
    return cast(dict[str, object], json.loads(_read(relative)))


def cached_schema(
    name: str, profile: Profile = Profile.DOCUMENTED, shape: V3Shape = V3Shape.PROPERTIES
) -> dict[str, object]:
    """The shared cached schema object: read-only, do not mutate (``load_schema`` returns a copy)."""
    return _schema(schema_path(name, profile, shape))


def load_schema(
    name: str, profile: Profile = Profile.DOCUMENTED, shape: V3Shape = V3Shape.PROPERTIES
) -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of the payload Flipdish delivers for ``name``.

    Legacy events: the envelope ``{Type, CreateTime, Body}`` (``shape`` is ignored). v3 events: the
    body in the chosen ``shape`` (``profile`` is ignored: one schema serves both). Returns a copy
    the caller may change.
    """
    return copy.deepcopy(cached_schema(name, profile, shape))


@dataclass(frozen=True, slots=True)
class FieldSummary:
    """One top-level field of an event's body, for humans (``flipdish-sim events show``)."""

    name: str
    type: str  # e.g. "string(date-time)", "Order", "array<TaxItem>", "integer"
    required: bool
    nullable: bool
    description: str


def schema_fields(
    name: str, profile: Profile = Profile.DOCUMENTED, shape: V3Shape = V3Shape.PROPERTIES
) -> tuple[FieldSummary, ...]:
    """The fields of the event's body (legacy: ``Body``; v3: the delivered object), in schema order."""
    schema = cached_schema(name, profile, shape)
    body = _deref(schema, schema)
    if get_event(name).family is Family.LEGACY:
        body = _deref(schema, _properties(body)["Body"])
    variants = [_deref(schema, b) for b in cast(list[dict[str, object]], body.get("anyOf", []))] or [body]
    fields: dict[str, dict[str, object]] = {}
    for variant in variants:  # a body that is one of several objects: the union of their fields
        for field, sub in _properties(variant).items():
            fields.setdefault(field, sub)
    required = set.intersection(*(set(cast(list[str], v.get("required", []))) for v in variants))
    return tuple(
        FieldSummary(
            name=field,
            type=_type_name(schema, sub),
            required=field in required,
            nullable=_nullable(schema, sub),
            description=str(_deref(schema, sub).get("description", "")),
        )
        for field, sub in fields.items()
    )


def _properties(node: dict[str, object]) -> dict[str, dict[str, object]]:
    return cast(dict[str, dict[str, object]], node.get("properties", {}))


def _deref(root: dict[str, object], node: dict[str, object]) -> dict[str, object]:
    """Follow local ``$ref``s and a nullable ``anyOf`` to the schema that describes the value."""
    for _ in range(MAX_REF_CHAIN):
        node = cast(dict[str, object], resolve(node, root))
        branches = non_null_branches(node, root) if "anyOf" in node else []
        if len(branches) != 1:
            return node
        node = cast(dict[str, object], branches[0])
    return node


def _nullable(root: dict[str, object], node: dict[str, object]) -> bool:
    kinds = node.get("type")
    if isinstance(kinds, list) and "null" in kinds:
        return True
    branches = cast(list[dict[str, object]], node.get("anyOf", []))
    return any(b == {"type": "null"} for b in branches)


def _type_name(root: dict[str, object], node: dict[str, object]) -> str:
    ref = node.get("$ref")
    if ref is None and "anyOf" in node:
        branches = [b for b in cast(list[dict[str, object]], node["anyOf"]) if b != {"type": "null"}]
        if len(branches) == 1:
            return _type_name(root, branches[0])
        return " | ".join(_type_name(root, b) for b in branches)
    if isinstance(ref, str):
        return ref.rsplit("/", 1)[-1] if ref.startswith("#/$defs/") else _type_name(root, _deref(root, node))
    kinds = node.get("type", "any")
    kind = next((k for k in kinds if k != "null"), "null") if isinstance(kinds, list) else str(kinds)
    if kind == "array" and isinstance(node.get("items"), dict):
        return f"array<{_type_name(root, cast(dict[str, object], node['items']))}>"
    fmt = node.get("format")
    return f"{kind}({fmt})" if fmt else kind
