"""Compile a JSON Schema into a Hypothesis strategy: the keywords the project's contracts use, and no others.

Local ``$ref``s (recursive ones included) become ``st.deferred`` strategies; ``anyOf`` becomes ``one_of``
with sibling keywords merged into each branch (a branch's ``$ref`` is expanded in place, or deferred when
it is already being expanded: a recursive nullable reference); ``allOf`` is merged. The walking itself
(``$ref``, ``allOf``, ``anyOf``) is ``contracts._schema_walk``'s. Any other assertion keyword, a
non-local ``$ref`` or a checked format this module cannot generate raises ``UnsupportedSchemaError``
rather than risk invalid data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import cast

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from flipdish_sim.errors import FlipdishSimError

from .._schema_walk import (
    RefError,
    Schema,
    accepts_type,
    any_of_branches,
    as_int,
    as_list,
    as_mapping,
    declared_types,
    json_type,
    merge,
    merge_all_of,
    resolve,
)
from ._scalars import CHECKED_ELSEWHERE, any_json, floats, integers, strings

__all__ = ["UnsupportedSchemaError", "from_schema"]

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
        self.expanding: list[str] = []  # the $refs whose targets are being compiled, outermost first

    def compile(self, schema: Schema | bool) -> SearchStrategy[object]:
        try:
            return self._compile(schema)
        except RefError as err:
            raise UnsupportedSchemaError(str(err)) from err

    def _compile(self, schema: Schema | bool) -> SearchStrategy[object]:
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
            return self.compile(merge_all_of(schema, self.root))
        if "anyOf" in schema:
            raw = [as_mapping(b) for b in as_list(schema["anyOf"])]
            merged = any_of_branches(schema, self.root)
            alone = all(k == "anyOf" or k in _ANNOTATIONS for k in schema)
            return st.one_of([self._branch(r, m, alone) for r, m in zip(raw, merged, strict=True)])
        if "const" in schema or "enum" in schema:
            values = [schema["const"]] if "const" in schema else as_list(schema["enum"])
            declared = declared_types(schema)
            allowed = [v for v in values if accepts_type(declared, json_type(v))]
            return st.sampled_from(allowed) if allowed else st.nothing()
        types = declared_types(schema) or _TYPES
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
        low = as_int(s.get("minItems"), 0)
        high = min(as_int(s.get("maxItems"), low + _MAX_EXTRA_ITEMS), low + _MAX_EXTRA_ITEMS)
        items = self.compile(cast(Schema | bool, s.get("items", True)))
        unique: Callable[[object], str] | None = _canonical if s.get("uniqueItems") is True else None
        return st.lists(items, min_size=low, max_size=high, unique_by=unique).map(lambda v: cast(object, v))

    def _object(self, s: Schema) -> SearchStrategy[object]:
        props = as_mapping(s.get("properties"))
        required = [r for r in as_list(s.get("required")) if isinstance(r, str)]
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
            return self.compile(merge(siblings, self._target(s)))
        if ref not in self.refs:  # deferred: a recursive $ref refers to this very strategy
            self.refs[ref] = st.deferred(lambda: self._expand(ref, self._target({"$ref": ref})))
        return self.refs[ref]

    def _branch(self, raw: Schema, merged: Schema, alone: bool) -> SearchStrategy[object]:
        """An ``anyOf`` branch, its ``$ref`` expanded in place, unless that ``$ref`` is being expanded."""
        ref = raw.get("$ref")
        if not isinstance(ref, str):
            return self.compile(merged)
        if alone and ref in self.expanding and all(k == "$ref" or k in _ANNOTATIONS for k in raw):
            return self._ref({"$ref": ref})  # a recursive nullable $ref: the expansion would never end
        return self._expand(ref, merged)

    def _expand(self, ref: str, schema: Schema) -> SearchStrategy[object]:
        self.expanding.append(ref)
        try:
            return self.compile(schema)
        finally:
            self.expanding.pop()

    def _target(self, s: Schema) -> Schema:
        try:
            return resolve(s, self.root)
        except RefError as err:
            raise UnsupportedSchemaError(str(err)) from err


def _canonical(v: object) -> str:
    return json.dumps(v, sort_keys=True)
