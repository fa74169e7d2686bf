"""Generate ``contracts/schemas/**`` from the vendored upstream data in ``contracts/upstream/``.

Pure functions turn the upstream documents into schema documents (``build_files``); the two edges
write them (``write_files``) or compare them with what is committed (``drift``). Output is
deterministic: sorted keys, indent 1, a trailing newline.

Three sources (see ``contracts/upstream/ORIGIN.md``):

* ``documented`` profile: the Swagger models of the OpenAPI extract. Every field optional; a field
  may be null when the Swagger declares it ``nullable`` or when its .NET type is a reference type
  (plain strings, objects, arrays, dictionaries) — Flipdish serialises those as ``null`` when unset.
  Value types (integers, numbers, booleans, enums, ``DateTime``, ``Guid``) are null only when declared
  nullable. ``format: int32`` becomes the int32 range; other numeric formats are dropped.
* ``observed`` profile: the production-observed bodies (zod schemas of ``@flipdish/events``), with
  zod-to-json-schema's ``additionalProperties: false`` removed (zod's default object *strips* unknown
  keys, it does not reject them). Events without an observed body fall back to the documented body.
* v3: the EventBridge-style event schemas; ``properties`` shape = ``detail.properties``, ``event``
  shape = the whole event object. The same schema serves both profiles.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

__all__ = [
    "ALLOWED_FORMATS",
    "ALLOWED_KEYWORDS",
    "BuildError",
    "build_files",
    "drift",
    "dump",
    "load_upstream",
    "write_files",
]

JSON = dict[str, object]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://flipdish-sim.invalid/schemas/"
CONTRACTS_DIR = Path(__file__).resolve().parent
UPSTREAM_DIR = CONTRACTS_DIR / "upstream"
SCHEMAS_DIR = CONTRACTS_DIR / "schemas"

UPSTREAM_FILES = {
    "openapi": "flipdish-v1-webhooks-events.extract.openapi.json",
    "observed": "legacy-event-bodies.observed.schema.json",
    "v3": "rms-webhook-events.schema.json",
    "names": "legacy-event-names.json",
}

#: Keywords a generator can honour; the build fails if an output schema uses any other.
ALLOWED_KEYWORDS = frozenset(
    {
        "$schema", "$id", "$defs", "$ref", "title", "description",
        "type", "properties", "required", "additionalProperties", "items", "enum", "const", "anyOf",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
        "pattern", "format", "minItems", "maxItems",
    }
)  # fmt: skip
ALLOWED_FORMATS = frozenset({"date-time", "uuid", "email", "uri", "date"})
_INT32 = (-(2**31), 2**31 - 1)
_VALUE_TYPE_FORMATS = frozenset({"date-time", "uuid", "date"})  # DateTime, Guid: .NET value types
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

_PROVENANCE_SENTENCE = {
    "documented": "named on a developers.flipdish.com webhook page",
    "client-registered": "registered in Flipdish's SignalR client; not on a webhook docs page",
    "inferred": "name inferred from @flipdish/events; not confirmed as a webhook name",
}


class BuildError(Exception):
    """The upstream data cannot be turned into schemas (a keyword or reference the build cannot map)."""


@dataclass(frozen=True, slots=True)
class Upstream:
    """The four vendored upstream documents, parsed."""

    openapi: JSON
    observed: JSON
    v3: JSON
    names: JSON


def load_upstream(directory: Path = UPSTREAM_DIR) -> Upstream:
    """Read the vendored upstream documents (edge: file I/O)."""
    parsed = {
        key: json.loads((directory / name).read_text("utf-8-sig")) for key, name in UPSTREAM_FILES.items()
    }
    return Upstream(**parsed)


def dump(document: Mapping[str, object]) -> str:
    """The canonical text of a generated file."""
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------- documented
def _components(upstream: Upstream) -> dict[str, JSON]:
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
        stack.extend(_ref_name(ref) for ref in _refs(components[name]))
    return sorted(seen)


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _envelope(name: str, profile: str, body: JSON, defs: JSON | None, description: str) -> JSON:
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
    components = _components(upstream)
    defs: JSON = {part: _oas_node(components[part], is_member=False) for part in _closure(components, model)}
    description = f"Legacy webhook {name}: envelope with Body = Swagger model {model} (documented profile)."
    return _envelope(name, "documented", {"$ref": f"#/$defs/{model}"}, defs, description)


# ----------------------------------------------------------------------------------------------- observed
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
    opened = cast(JSON, _rebase_refs(_open_objects(body), "#/", "#/properties/Body/"))
    description = f"Legacy webhook {name}: envelope with Body as observed in production (@flipdish/events)."
    return _envelope(name, "observed", opened, None, description)


# ------------------------------------------------------------------------------------------------------ v3
_V3_PROPERTIES = "#/properties/detail/properties/properties"


def v3_schemas(upstream: Upstream, name: str) -> dict[str, JSON]:
    events = cast(dict[str, JSON], upstream.v3["events"])
    event = cast(JSON, _open_objects(events[name], _DROPPED_V3))
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


# ------------------------------------------------------------------------------------------------ catalogue
def _model_description(upstream: Upstream, model: str) -> str:
    component = _components(upstream).get(model, {})
    text = str(component.get("description") or re.sub(r"(?<!^)(?=[A-Z])", " ", model))
    return " ".join(text.split()).rstrip(".")


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[._]", name))


def catalogue_entries(upstream: Upstream) -> list[JSON]:
    names = cast(dict[str, JSON], upstream.names["events"])
    entries: list[JSON] = []
    for name, info in names.items():
        provenance = (
            "documented"
            if info.get("webhook_doc")
            else "client-registered"
            if info.get("source") == "signalr"
            else "inferred"
        )
        model = str(info["model"])
        entries.append(
            {
                "name": name,
                "family": "legacy",
                "model": model,
                "provenance": provenance,
                "description": f"{_model_description(upstream, model)}; {_PROVENANCE_SENTENCE[provenance]}.",
                "observed": observed_body(upstream, name) is not None,
            }
        )
    for name in cast(dict[str, JSON], upstream.v3["events"]):
        beta = ", closed beta" if name.startswith("sale.") else ""
        entries.append(
            {
                "name": name,
                "family": "v3",
                "model": _pascal(name),
                "provenance": "documented",
                "description": f"{V3_DESCRIPTIONS[name]} (v3{beta}).",
                "observed": True,
            }
        )
    return sorted(entries, key=lambda entry: str(entry["name"]))


# ----------------------------------------------------------------------------------------------- assembly
def check_keywords(node: object, where: str) -> None:
    """Fail when a schema uses a keyword or format outside ``ALLOWED_KEYWORDS`` / ``ALLOWED_FORMATS``."""
    if isinstance(node, list):
        for value in node:
            check_keywords(value, where)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key not in ALLOWED_KEYWORDS:
            raise BuildError(f"{where}: keyword {key!r} is not supported by the contracts")
        if key == "format" and value not in ALLOWED_FORMATS:
            raise BuildError(f"{where}: format {value!r} is not supported by the contracts")
        if key in ("properties", "$defs"):
            for sub in cast(JSON, value).values():
                check_keywords(sub, where)
        elif key in ("items", "additionalProperties", "anyOf"):
            check_keywords(value, where)


def build_files(upstream: Upstream) -> dict[str, str]:
    """Every generated file: path relative to ``contracts/schemas`` -> text."""
    documents: dict[str, JSON] = {}
    entries = catalogue_entries(upstream)
    for entry in entries:
        name = str(entry["name"])
        if entry["family"] == "legacy":
            model = str(entry["model"])
            documents[f"documented/{name}.json"] = documented_schema(upstream, name, model)
            documents[f"observed/{name}.json"] = observed_schema(upstream, name, model)
        else:
            for shape, schema in v3_schemas(upstream, name).items():
                documents[f"v3/{name}.{shape}.json"] = schema
    for path, document in documents.items():
        check_keywords(document, path)
    files = {path: dump(document) for path, document in sorted(documents.items())}
    files["catalogue.json"] = dump({"events": entries})
    return files


def write_files(files: Mapping[str, str], directory: Path = SCHEMAS_DIR) -> None:
    """Replace the generated tree with ``files`` (stale ``*.json`` files are removed)."""
    for stale in directory.rglob("*.json"):
        if stale.relative_to(directory).as_posix() not in files:
            stale.unlink()
    for relative, text in files.items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text("utf-8") != text:
            target.write_text(text, "utf-8")


def drift(files: Mapping[str, str], directory: Path = SCHEMAS_DIR) -> list[str]:
    """Relative paths whose committed content differs from ``files`` (missing, changed or stale)."""
    present = {path.relative_to(directory).as_posix() for path in directory.rglob("*.json")}
    changed = [
        relative
        for relative, text in files.items()
        if relative not in present or (directory / relative).read_text("utf-8") != text
    ]
    return sorted([*changed, *(present - set(files))])
