"""The ``documented`` profile: Swagger models of the OpenAPI extract as JSON Schema 2020-12 envelopes.

Every field optional; a field may be null when the Swagger declares it ``nullable`` or when its .NET type
is a reference type (plain strings, objects, arrays, dictionaries). Value types (integers, numbers,
booleans, enums, ``DateTime``, ``Guid``) are null only when declared nullable. ``format: int32`` becomes
the int32 range; other numeric formats are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import cast

from flipdish_sim.contracts._vendored import ALLOWED_FORMATS, DRAFT, ID_BASE, JSON, BuildError, Upstream

__all__ = ["documented_schema", "envelope", "openapi_components", "refs"]

_INT32 = (-(2**31), 2**31 - 1)
_VALUE_TYPE_FORMATS = frozenset({"date-time", "uuid", "date"})  # DateTime, Guid: .NET value types


def openapi_components(upstream: Upstream) -> dict[str, JSON]:
    components = cast(JSON, upstream.openapi["components"])
    return cast(dict[str, JSON], components["schemas"])


def _ref_name(ref: str) -> str:
    prefix = "#/components/schemas/"
    if not ref.startswith(prefix):
        raise BuildError(f"unsupported OpenAPI reference {ref!r}")
    return ref[len(prefix) :]


def _is_reference_type(node: JSON) -> bool:
    kind = node.get("type")
    if "$ref" in node or kind in ("object", "array"):
        return True
    return kind == "string" and "enum" not in node and node.get("format") not in _VALUE_TYPE_FORMATS


def _oas_node(node: JSON, *, is_member: bool) -> JSON:
    """One OpenAPI 3.0 schema node as JSON Schema 2020-12 (see the module docstring for nullability)."""
    nullable = node.get("nullable") is True or (is_member and _is_reference_type(node))
    if "$ref" in node:
        target: JSON = {"$ref": "#/$defs/" + _ref_name(cast(str, node["$ref"]))}
        return {"anyOf": [target, {"type": "null"}]} if nullable else target
    out: JSON = {}
    if "description" in node:
        out["description"] = node["description"]
    kind = node.get("type", "object")
    out["type"] = [kind, "null"] if nullable else kind
    fmt = node.get("format")
    if fmt in ALLOWED_FORMATS:
        out["format"] = fmt
    if fmt == "int32":
        out["minimum"], out["maximum"] = _INT32
    for key in ("minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems"):
        if key in node:
            out[key] = node[key]
    if "enum" in node:
        out["enum"] = [*cast(list[object], node["enum"]), *([None] if nullable else [])]
    if "properties" in node:
        props = cast(dict[str, JSON], node["properties"])
        out["properties"] = {name: _oas_node(prop, is_member=True) for name, prop in props.items()}
    values = node.get("additionalProperties")
    if isinstance(values, dict):
        # Swashbuckle writes a .NET Dictionary<string, object> as values {"type": "object"}: any JSON value.
        any_value = values == {"type": "object"}
        out["additionalProperties"] = {} if any_value else _oas_node(cast(JSON, values), is_member=True)
    if "items" in node:
        out["items"] = _oas_node(cast(JSON, node["items"]), is_member=False)
    return out


def _closure(components: Mapping[str, JSON], root: str) -> list[str]:
    """Every component reachable from ``root`` (sorted), root included."""
    seen: set[str] = set()
    stack = [root]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        if name not in components:
            raise BuildError(f"OpenAPI component {name!r} is referenced but not defined")
        seen.add(name)
        stack.extend(_ref_name(ref) for ref in refs(components[name]))
    return sorted(seen)


def refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def envelope(name: str, profile: str, body: JSON, defs: JSON | None, description: str) -> JSON:
    schema: JSON = {
        "$schema": DRAFT,
        "$id": f"{ID_BASE}{profile}/{name}.json",
        "title": f"{name} ({profile})",
        "description": description,
        "type": "object",
        "properties": {
            "Type": {"type": "string", "const": name, "description": "Event name"},
            "CreateTime": {"type": "string", "format": "date-time", "description": "Event creation time"},
            "Body": body,
        },
        "required": ["Type", "CreateTime", "Body"],
    }
    if defs:
        schema["$defs"] = defs
    return schema


def documented_schema(upstream: Upstream, name: str, model: str) -> JSON:
    components = openapi_components(upstream)
    defs: JSON = {part: _oas_node(components[part], is_member=False) for part in _closure(components, model)}
    description = f"Legacy webhook {name}: envelope with Body = Swagger model {model} (documented profile)."
    return envelope(name, "documented", {"$ref": f"#/$defs/{model}"}, defs, description)
