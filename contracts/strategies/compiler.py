"""Compile a JSON Schema into a Hypothesis strategy: the keywords the project's contracts use, and no others.

Local ``$ref``s (recursive ones included) become ``st.deferred`` strategies; ``anyOf`` becomes ``one_of``
with sibling keywords merged into each branch; ``allOf`` is merged. Any other assertion keyword, a
non-local ``$ref`` or a checked format this module cannot generate raises ``UnsupportedSchemaError``
rather than risk invalid data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import cast
from urllib.parse import unquote

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from flipdish_sim.errors import FlipdishSimError

from .scalars import CHECKED_ELSEWHERE, any_json, floats, integers, strings

__all__ = ["UnsupportedSchemaError", "from_schema"]

Schema = Mapping[str, object]
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "definitions",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "readOnly",
        "writeOnly",
        "deprecated",
        "contentMediaType",
        "contentEncoding",
        "nullable",
        "x-nullable",
    }
)
_SUPPORTED = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "enum",
        "const",
        "anyOf",
        "allOf",
        "$ref",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "format",
    }
)
_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
_MAX_EXTRA_ITEMS = 4


class UnsupportedSchemaError(FlipdishSimError):
    """The schema uses a keyword (or a non-local ``$ref``) the strategy compiler does not honour."""


def from_schema(schema: Schema | bool) -> SearchStrategy[object]:
    """A strategy for JSON values valid under ``schema`` (its own root for ``$ref``s)."""
    if isinstance(schema, bool):
        return any_json() if schema else st.nothing()
    return _Compiler(schema).compile(schema)


class _Compiler:
    def __init__(self, root: Schema) -> None:
        self.root = root
        self.refs: dict[str, SearchStrategy[object]] = {}

    def compile(self, schema: Schema | bool) -> SearchStrategy[object]:
        if isinstance(schema, bool):
            return any_json() if schema else st.nothing()
        unknown = sorted(
            k for k in schema if k not in _SUPPORTED and k not in _ANNOTATIONS and not k.startswith("x-")
        )
        if unknown:
            raise UnsupportedSchemaError(f"the strategy compiler does not support {', '.join(unknown)}")
        if "$ref" in schema:
            return self._ref(schema)
        if "allOf" in schema:
            return self.compile(
                _merge_all(schema, [self._resolve_ref(_map(s)) for s in _list(schema["allOf"])])
            )
        if "anyOf" in schema:
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            branches = [_merge(rest, self._resolve_ref(_map(b))) for b in _list(schema["anyOf"])]
            return st.one_of([self.compile(b) for b in branches])
        if "const" in schema or "enum" in schema:
            values = [schema["const"]] if "const" in schema else _list(schema["enum"])
            allowed = [v for v in values if _type_allows(_declared(schema), v)]
            return st.sampled_from(allowed) if allowed else st.nothing()
        types = _declared(schema) or _TYPES
        return st.one_of([self._typed(t, schema) for t in types if t != "integer" or "number" not in types])

    def _typed(self, t: str, s: Schema) -> SearchStrategy[object]:
        if t == "null":
            return st.none()
        if t == "boolean":
            return st.booleans()
        if t == "integer":
            return integers(s)
        if t == "number":
            return st.one_of(integers(s), floats(s))
        if t == "string":
            if s.get("format") in CHECKED_ELSEWHERE:
                raise UnsupportedSchemaError(f"the compiler does not generate format {s['format']!r}")
            return strings(s)
        if t == "array":
            return self._array(s)
        if t == "object":
            return self._object(s)
        raise UnsupportedSchemaError(f"unknown JSON type {t!r}")

    def _array(self, s: Schema) -> SearchStrategy[object]:
        low = _int(s.get("minItems"), 0)
        high = min(_int(s.get("maxItems"), low + _MAX_EXTRA_ITEMS), low + _MAX_EXTRA_ITEMS)
        items = self.compile(cast(Schema | bool, s.get("items", True)))
        unique: Callable[[object], str] | None = _canonical if s.get("uniqueItems") is True else None
        return st.lists(items, min_size=low, max_size=high, unique_by=unique).map(lambda v: cast(object, v))

    def _object(self, s: Schema) -> SearchStrategy[object]:
        props = _map(s.get("properties"))
        required = [r for r in _list(s.get("required")) if isinstance(r, str)]
        extra = s.get("additionalProperties")
        fixed = {
            k: self.compile(cast(Schema | bool, props.get(k, extra if extra is not None else True)))
            for k in required
        }
        optional = {k: self.compile(cast(Schema | bool, v)) for k, v in props.items() if k not in fixed}
        base = st.fixed_dictionaries(fixed, optional=optional)
        if extra is None or extra is False:
            return base.map(lambda v: cast(object, v))
        keys = st.text(min_size=1, max_size=12).filter(lambda k: k not in props)
        extras = st.dictionaries(keys, self.compile(cast(Schema | bool, extra)), max_size=3)
        return st.tuples(extras, base).map(lambda pair: cast(object, {**pair[0], **pair[1]}))

    def _ref(self, s: Schema) -> SearchStrategy[object]:
        ref = str(s["$ref"])
        siblings = {k: v for k, v in s.items() if k != "$ref" and k not in _ANNOTATIONS}
        if siblings:
            return self.compile(_merge(siblings, self._resolve_ref(s)))
        if ref not in self.refs:  # deferred: a recursive $ref refers to this very strategy
            self.refs[ref] = st.deferred(lambda: self.compile(self._resolve_ref({"$ref": ref})))
        return self.refs[ref]

    def _resolve_ref(self, s: Schema) -> Schema:
        for _ in range(64):
            if "$ref" not in s:
                return s
            ref = str(s["$ref"])
            if not ref.startswith("#"):
                raise UnsupportedSchemaError(f"only local $refs are supported, found {ref!r}")
            target: object = self.root
            for part in (p for p in unquote(ref[1:]).split("/") if p):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target[int(part)] if isinstance(target, list) else _map(target).get(part)
                if target is None:
                    raise UnsupportedSchemaError(f"$ref {ref!r} does not resolve")
            s = {**{k: v for k, v in s.items() if k != "$ref"}, **_map(target)}
        raise UnsupportedSchemaError("$ref chain too long")


def _type_allows(declared: tuple[str, ...] | None, v: object) -> bool:
    kind = _json_type(v)
    return declared is None or kind in declared or (kind == "integer" and "number" in declared)


def _declared(s: Schema) -> tuple[str, ...] | None:
    t = s.get("type")
    if isinstance(t, str):
        return (t,)
    return tuple(x for x in t if isinstance(x, str)) if isinstance(t, list) else None


def _json_type(v: object) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(type(v), "?")


def _merge(a: Schema, b: Schema) -> dict[str, object]:
    merged = {**a, **b}
    if "properties" in a and "properties" in b:
        merged["properties"] = {**_map(a["properties"]), **_map(b["properties"])}
    if "required" in a and "required" in b:
        merged["required"] = sorted({*map(str, _list(a["required"])), *map(str, _list(b["required"]))})
    return merged


def _merge_all(s: Schema, parts: list[Schema]) -> dict[str, object]:
    merged: dict[str, object] = {k: v for k, v in s.items() if k != "allOf"}
    for part in parts:
        merged = _merge(merged, part)
    return merged


def _int(v: object, default: int) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else default


def _map(v: object) -> Schema:
    return v if isinstance(v, Mapping) else {}


def _list(v: object) -> list[object]:
    return list(v) if isinstance(v, list) else []


def _canonical(v: object) -> str:
    return json.dumps(v, sort_keys=True)
