"""Walking a contract's JSON Schema: the rules every reader of the project's schemas shares.

Local ``$ref`` resolution (a JSON pointer into the schema's own root, the only kind the catalogue's schemas
use: each is one self-contained document with ``$defs``), ``allOf`` merged into one schema, ``anyOf``
split into branches with their sibling keywords merged in, nullable branches, and which JSON types a
schema admits. The example generator's plan (``examples/_plan.py``), the Hypothesis compiler
(``strategies/_compiler.py``), the catalogue's field summaries and the build's refinements read schemas
through this module and keep their own decisions (what to generate, how to bound recursion).

Pure: stdlib only.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import unquote

__all__ = [
    "ANY",
    "MAX_REF_CHAIN",
    "TYPES",
    "RefError",
    "Schema",
    "accepts_type",
    "any_of_branches",
    "as_int",
    "as_list",
    "as_mapping",
    "as_strings",
    "declared_types",
    "json_type",
    "merge",
    "merge_all_of",
    "non_null_branches",
    "resolve",
]

Schema = Mapping[str, object]
TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")
MAX_REF_CHAIN = 64
"""The recursion guard on ``$ref`` chains: a longer one (a ``$ref`` that points at itself) is an error."""

ANY: Schema = MappingProxyType({})
"""The one shared "any value" schema: what a missing or malformed subschema reads as (one object, so a
walker that memoises by identity sees a cycle through it)."""

_ANNOTATIONS = frozenset({"description", "title", "$comment", "default", "examples"})


class RefError(ValueError):
    """A ``$ref`` that is not local, does not resolve, or starts a chain longer than ``MAX_REF_CHAIN``."""


def resolve(schema: Schema, root: Schema) -> Schema:
    """``schema`` with its ``$ref`` chain followed inside ``root``.

    Sibling keywords that assert something are merged with the target (``merge``); annotation-only
    siblings are dropped, so the target itself (the same object) is returned and recursive ``$ref``s keep
    their identity.
    """
    for _ in range(MAX_REF_CHAIN):
        pointer = schema.get("$ref")
        if not isinstance(pointer, str):
            return schema
        target = as_mapping(_pointed(root, pointer))
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        schema = merge(siblings, target) if any(k not in _ANNOTATIONS for k in siblings) else target
    if isinstance(schema.get("$ref"), str):
        raise RefError(f"a $ref chain longer than {MAX_REF_CHAIN} links at {schema['$ref']!r}")
    return schema


def _pointed(root: Schema, pointer: str) -> object:
    if not pointer.startswith("#"):
        raise RefError(f"only local $refs are supported, found {pointer!r}")
    target: object = root
    for part in (p for p in unquote(pointer[1:]).split("/") if p):
        key = part.replace("~1", "/").replace("~0", "~")
        try:
            target = target[int(key)] if isinstance(target, list) else as_mapping(target)[key]
        except (KeyError, IndexError, ValueError):
            raise RefError(f"$ref {pointer!r} does not resolve") from None
    return target


def merge(a: Schema, b: Schema) -> dict[str, object]:
    """Both schemas' keywords (``b`` wins), ``properties`` united, ``required`` lists joined."""
    merged = {**a, **b}
    if "properties" in a and "properties" in b:
        merged["properties"] = {**as_mapping(a["properties"]), **as_mapping(b["properties"])}
    if "required" in a and "required" in b:
        merged["required"] = sorted({*as_strings(a["required"]), *as_strings(b["required"])})
    return merged


def merge_all_of(schema: Schema, root: Schema) -> dict[str, object]:
    """``schema`` without ``allOf``, each of its parts (``$ref``s resolved) merged in, in order."""
    merged: dict[str, object] = {k: v for k, v in schema.items() if k != "allOf"}
    for part in as_list(schema.get("allOf")):
        merged = merge(merged, resolve(as_mapping(part), root))
    return merged


def any_of_branches(schema: Schema, root: Schema) -> list[Schema]:
    """The ``anyOf`` branches of ``schema``, ``$ref``s resolved, each with the sibling keywords merged in."""
    siblings = {k: v for k, v in schema.items() if k != "anyOf"}
    branches = [resolve(as_mapping(b), root) for b in as_list(schema.get("anyOf"))]
    return [merge(siblings, b) for b in branches] if siblings else branches


def non_null_branches(schema: Schema, root: Schema) -> list[Schema]:
    """The non-null alternatives of a value (zod's ``.nullable()`` is ``anyOf: [X, {type: null}]``).

    The branches themselves, ``$ref``s resolved but sibling keywords not merged: a caller may change them
    in place.
    """
    schema = resolve(schema, root)
    if "anyOf" not in schema:
        return [schema]
    branches = (resolve(as_mapping(b), root) for b in as_list(schema["anyOf"]))
    return [b for b in branches if b.get("type") != "null"]


def declared_types(schema: Schema) -> tuple[str, ...] | None:
    """The JSON types ``type`` names, or None when it names none."""
    t = schema.get("type")
    if isinstance(t, str):
        return (t,)
    return tuple(x for x in t if isinstance(x, str)) if isinstance(t, list) else None


def accepts_type(declared: tuple[str, ...] | None, t: str) -> bool:
    """Whether a schema declaring ``declared`` types admits JSON type ``t`` (an integer is a number)."""
    return declared is None or t in declared or (t == "integer" and "number" in declared)


def json_type(v: object) -> str:
    """The JSON type of a Python value (``"integer"`` for ``3``, ``"number"`` for ``3.0``); ``"unknown"``."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(type(v), "unknown")


def as_mapping(v: object) -> Schema:
    return v if isinstance(v, Mapping) else ANY


def as_list(v: object) -> list[object]:
    return list(v) if isinstance(v, list) else []


def as_strings(v: object) -> list[str]:
    return [x for x in v if isinstance(x, str)] if isinstance(v, list) else []


def as_int(v: object, default: int) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else default
