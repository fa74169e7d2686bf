"""The ``observed`` profile (production-observed legacy bodies) and the v3 event schemas.

Both upstream sources are already JSON Schema (zod-to-json-schema output): zod's
``additionalProperties: false`` is removed (zod's default object *strips* unknown keys, it does not
reject them) and local references are rebased. Legacy events without an observed body fall back to
the documented body. v3: ``properties`` shape = ``detail.properties``, ``event`` shape = the whole
event object; the same schema serves both profiles.
"""

from __future__ import annotations

from typing import cast

from flipdish_sim.contracts._openapi_models import documented_schema, envelope
from flipdish_sim.contracts._vendored import DRAFT, ID_BASE, JSON, BuildError, Upstream
from flipdish_sim.contracts.refinements import LEGACY, V3, refine

__all__ = ["V3_DESCRIPTIONS", "observed_body", "observed_schema", "v3_schemas"]

_DROPPED_V3 = frozenset({"default", "$schema"})

V3_DESCRIPTIONS = {
    "menu.published.v1": "A menu was published to a sales channel",
    "menu.validation.failed.v1": "A menu failed validation before publishing",
    "menu.item.snoozed.v1": "A menu item was snoozed (made temporarily unavailable)",
    "menu.item.unsnoozed.v1": "A snoozed menu item became available again",
    "sales_channel.snoozed.v1": "A sales channel was snoozed (stopped taking orders for a while)",
    "sales_channel.unsnoozed.v1": "A snoozed sales channel started taking orders again",
    "sales_channel.snoozed_menu_items.updated.v1": "The set of snoozed menu items of a sales channel changed",
    "sale.accepted.v1": "A sale was accepted",
    "sale.created.v1": "A sale was created",
    "sale.updated.v1": "A sale was updated",
    "sale.status.updated.v1": "The status of a sale changed",
}


def _rebase_refs(node: object, old: str, new: str) -> object:
    """Copy ``node`` rewriting every local ``$ref`` that starts with ``old`` to start with ``new``."""
    if isinstance(node, dict):
        out: JSON = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                if not value.startswith(old):
                    raise BuildError(f"reference {value!r} points outside {old!r}")
                out[key] = new + value[len(old) :]
            else:
                out[key] = _rebase_refs(value, old, new)
        return out
    if isinstance(node, list):
        return [_rebase_refs(value, old, new) for value in node]
    return node


def _open_objects(node: object, dropped: frozenset[str] = frozenset({"$schema"})) -> object:
    """Copy a zod-to-json-schema document minus ``additionalProperties`` false or {} and ``dropped`` keys."""
    if isinstance(node, dict):
        out: JSON = {}
        for key, value in node.items():
            if key in dropped:
                continue
            if key == "additionalProperties" and (value is False or value == {}):
                continue
            if key in ("properties", "$defs"):
                out[key] = {name: _open_objects(sub, dropped) for name, sub in cast(JSON, value).items()}
            else:
                out[key] = _open_objects(value, dropped)
        return out
    if isinstance(node, list):
        return [_open_objects(value, dropped) for value in node]
    return node


def observed_body(upstream: Upstream, name: str) -> JSON | None:
    """The observed body schema of ``name``, matched case-insensitively (zeus lowercases names)."""
    bodies = cast(dict[str, JSON], upstream.observed["bodies"])
    if name in bodies:
        return bodies[name]
    folded = {key.lower(): key for key in bodies}
    key = folded.get(name.lower())
    return bodies[key] if key else None


def observed_schema(upstream: Upstream, name: str, model: str) -> JSON:
    body = observed_body(upstream, name)
    if body is None:
        schema = documented_schema(upstream, name, model)
        schema["$id"] = f"{ID_BASE}observed/{name}.json"
        schema["title"] = f"{name} (observed)"
        schema["description"] = (
            f"Legacy webhook {name}: no production-observed body is published, so this is the documented "
            f"schema (Swagger model {model})."
        )
        return schema
    refined = refine(body, LEGACY.get(name, {}), name)  # the Zod checks the conversion lost
    opened = cast(JSON, _rebase_refs(_open_objects(refined), "#/", "#/properties/Body/"))
    description = f"Legacy webhook {name}: envelope with Body as observed in production (@flipdish/events)."
    return envelope(name, "observed", opened, None, description)


_V3_PROPERTIES = "#/properties/detail/properties/properties"


def v3_schemas(upstream: Upstream, name: str) -> dict[str, JSON]:
    events = cast(dict[str, JSON], upstream.v3["events"])
    event = cast(JSON, _open_objects(refine(events[name], V3.get(name, {}), name), _DROPPED_V3))
    detail = cast(JSON, cast(JSON, event["properties"])["detail"])
    properties = cast(JSON, cast(JSON, detail["properties"])["properties"])
    description = V3_DESCRIPTIONS[name]
    shaped = {
        "properties": cast(JSON, _rebase_refs(properties, _V3_PROPERTIES, "#")),
        "event": event,
    }
    out: dict[str, JSON] = {}
    for shape, schema in shaped.items():
        what = (
            "the detail.properties object" if shape == "properties" else "the EventBridge-style event object"
        )
        out[shape] = {
            "$schema": DRAFT,
            "$id": f"{ID_BASE}v3/{name}.{shape}.json",
            "title": f"{name} ({shape})",
            "description": f"v3 webhook {name}: {what}. {description}.",
            **schema,
        }
    return out
