"""A generation plan: the intersection of several JSON Schemas for one value, compiled once.

An example must satisfy the ``documented`` and the ``observed`` profile at once, so each node of the plan
holds what *every* schema allows there: the JSON types they share, the properties none of them forbids, the
union of their ``required`` lists, the intersection of their ``enum``s and the tightest numeric bounds.
Recursive ``$ref``s become cycles in the plan; the filler bounds the depth when it walks them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import _schema_walk as walk

if TYPE_CHECKING:
    from ._decisions import Decisions

__all__ = ["INT32", "Node", "Scalar", "build_plan", "conflict_paths"]

INT32 = (-(2**31), 2**31 - 1)


@dataclass(slots=True)
class Scalar:
    """Constraints on a string, number or boolean value, intersected over every schema."""

    enum: tuple[object, ...] | None = None
    formats: frozenset[str] = frozenset()
    patterns: tuple[re.Pattern[str], ...] = ()
    min_length: int = 0
    max_length: int | None = None
    low: float | None = None
    high: float | None = None
    low_exclusive: bool = False
    high_exclusive: bool = False
    foreign_enum: tuple[object, ...] = ()  # another profile's enum here, when the profiles conflict


@dataclass(slots=True, eq=False)
class Node:
    """What every schema allows for one value; ``types`` is empty when no type satisfies them all."""

    types: tuple[str, ...] = ()
    props: dict[str, tuple[Node, bool]] = field(default_factory=dict)
    extra: Node | None = None
    items: Node | None = None
    min_items: int = 0
    max_items: int | None = None
    scalar: Scalar = field(default_factory=Scalar)
    alternatives: tuple[Node, ...] = ()
    conflict: bool = False  # the profiles admit no common value here; the first profile's rules apply
    compiled: Decisions | None = field(default=None, repr=False)  # the filler's, made on first use


@dataclass(frozen=True, slots=True)
class _Ref:
    schema: walk.Schema
    root: walk.Schema


def build_plan(schemas: Sequence[walk.Schema]) -> Node:
    """Compile the schemas (each the root of its own ``$ref``s) into one plan; the first wins conflicts."""
    return _Builder().node([_Ref(s, s) for s in schemas])


class _Builder:
    def __init__(self) -> None:
        self._memo: dict[tuple[int, ...], tuple[Node, Sequence[_Ref]]] = {}

    def node(self, refs: Sequence[_Ref]) -> Node:
        refs = _dedupe([_resolve(r) for r in refs])
        key = tuple(id(r.schema) for r in refs)
        if key in self._memo:
            return self._memo[key][0]
        node = Node()
        self._memo[key] = (node, refs)  # keeps merged schemas alive so their ids stay unique
        per_schema = [_alternatives(r) for r in refs]
        shared = [t for t in walk.TYPES if all(any(_accepts(a, t) for a in alts) for alts in per_schema)]
        if not shared:  # the profiles disagree: the first (requested) profile wins
            node.scalar.foreign_enum = tuple(
                v for alts in per_schema[1:] for a in alts for v in walk.as_list(a.schema.get("enum"))
            )
            per_schema, node.conflict = per_schema[:1], len(per_schema) > 1
            shared = [t for t in walk.TYPES if any(_accepts(a, t) for a in per_schema[0])]
        node.types = tuple(shared)
        first_objects = [a for a in per_schema[0] if _accepts(a, "object") and "properties" in a.schema]
        if len(first_objects) > 1:  # e.g. a discriminated anyOf: one plan per branch
            node.alternatives = tuple(
                self.node([b, *(_same_branch(alts, i) for alts in per_schema[1:])])
                for i, b in enumerate(first_objects)
            )
        for t in shared:
            chosen = [next(a for a in alts if _accepts(a, t)) for alts in per_schema]
            self._fill(node, t, chosen)
        return node

    def _fill(self, node: Node, t: str, refs: list[_Ref]) -> None:
        if t == "object":
            self._object(node, refs)
        elif t == "array":
            item_refs = [_Ref(walk.as_mapping(r.schema.get("items")), r.root) for r in refs]
            node.items = self.node(item_refs)
            node.min_items = max(walk.as_int(r.schema.get("minItems"), 0) for r in refs)
            highs = [walk.as_int(r.schema.get("maxItems"), -1) for r in refs if "maxItems" in r.schema]
            node.max_items = min(highs) if highs else None
        elif t in ("string", "integer", "number", "boolean"):
            node.conflict |= _scalar(node.scalar, t, [r.schema for r in refs])

    def _object(self, node: Node, refs: list[_Ref]) -> None:
        names: dict[str, None] = {}
        for r in refs:
            names.update(dict.fromkeys(walk.as_mapping(r.schema.get("properties"))))
        required = {n for r in refs for n in walk.as_strings(r.schema.get("required"))}
        for name in names:
            subs: list[_Ref] = []
            allowed = True
            for r in refs:
                props = walk.as_mapping(r.schema.get("properties"))
                extra = r.schema.get("additionalProperties", True)
                if name in props:
                    subs.append(_Ref(walk.as_mapping(props[name]), r.root))
                elif extra is False:
                    allowed = False
                elif isinstance(extra, Mapping):
                    subs.append(_Ref(extra, r.root))
            if allowed or name in required:
                node.props[name] = (self.node(subs), name in required)
        extras = [r for r in refs if isinstance(r.schema.get("additionalProperties"), Mapping)]
        if extras and not any(r.schema.get("additionalProperties") is False for r in refs):
            extra_refs = [_Ref(walk.as_mapping(r.schema["additionalProperties"]), r.root) for r in extras]
            node.extra = self.node(extra_refs)


def conflict_paths(node: Node, path: str = "$", depth: int = 0) -> list[str]:
    """JSON paths (``[*]`` for any array index) where the schemas admit no common value."""
    if depth > 8:
        return []
    if node.conflict:
        return [path]
    found: list[str] = []
    for name, (child, _) in node.props.items():
        found += conflict_paths(child, f"{path}.{name}", depth + 1)
    for maybe, suffix in ((node.items, "[*]"), (node.extra, ".*")):
        if maybe is not None:
            found += conflict_paths(maybe, path + suffix, depth + 1)
    for alternative in node.alternatives:
        found += conflict_paths(alternative, path, depth + 1)
    return sorted(set(found))


def _same_branch(alts: list[_Ref], index: int) -> _Ref:
    objects = [a for a in alts if _accepts(a, "object")]
    return objects[index] if index < len(objects) else objects[0]


def _scalar(sc: Scalar, t: str, schemas: list[walk.Schema]) -> bool:
    """Intersect the scalar keywords into ``sc``; True when the enums are disjoint."""
    disjoint = False
    for s in schemas:
        values: list[object] | None = None
        if "const" in s:
            values = [s["const"]]
        elif isinstance(s.get("enum"), list):
            values = list(s["enum"])  # type: ignore[call-overload]
        if values is not None:
            shared = tuple(v for v in (sc.enum if sc.enum is not None else values) if v in values)
            disjoint |= not shared
            sc.enum = shared or sc.enum  # disjoint enums: the first (requested) profile wins
        fmt = s.get("format")
        if isinstance(fmt, str):
            sc.formats |= {fmt}
        pattern = s.get("pattern")
        if isinstance(pattern, str):
            sc.patterns += (re.compile(pattern),)
        sc.min_length = max(sc.min_length, walk.as_int(s.get("minLength"), 0))
        if "maxLength" in s:
            high = walk.as_int(s.get("maxLength"), 0)
            sc.max_length = high if sc.max_length is None else min(sc.max_length, high)
        _bounds(sc, s)
    if t == "integer" or "int32" in sc.formats:
        sc.low = INT32[0] if sc.low is None and "int32" in sc.formats else sc.low
        sc.high = INT32[1] if sc.high is None and "int32" in sc.formats else sc.high
    return disjoint


def _bounds(sc: Scalar, s: walk.Schema) -> None:
    for key, exclusive in (("minimum", False), ("exclusiveMinimum", True)):
        v = s.get(key)
        if isinstance(v, int | float) and not isinstance(v, bool) and (sc.low is None or v >= sc.low):
            sc.low, sc.low_exclusive = float(v), exclusive or (sc.low == v and sc.low_exclusive)
    for key, exclusive in (("maximum", False), ("exclusiveMaximum", True)):
        v = s.get(key)
        if isinstance(v, int | float) and not isinstance(v, bool) and (sc.high is None or v <= sc.high):
            sc.high, sc.high_exclusive = float(v), exclusive or (sc.high == v and sc.high_exclusive)


def _alternatives(ref: _Ref) -> list[_Ref]:
    """The branches of ``anyOf`` (siblings merged in) and ``allOf`` (merged), ``$ref``s resolved."""
    ref = _resolve(ref)
    s = ref.schema
    if isinstance(s.get("allOf"), list):
        return _alternatives(_Ref(walk.merge_all_of(s, ref.root), ref.root))
    if isinstance(s.get("anyOf"), list):
        return [a for b in walk.any_of_branches(s, ref.root) for a in _alternatives(_Ref(b, ref.root))]
    return [ref]


def _accepts(ref: _Ref, t: str) -> bool:
    declared = walk.declared_types(ref.schema)
    if declared is None:
        values = ref.schema.get("enum", [ref.schema["const"]] if "const" in ref.schema else None)
        return values is None or any(walk.json_type(v) == t for v in walk.as_list(values))
    return walk.accepts_type(declared, t)


def _resolve(ref: _Ref) -> _Ref:
    return _Ref(walk.resolve(ref.schema, ref.root), ref.root)


def _dedupe(refs: list[_Ref]) -> list[_Ref]:
    out: list[_Ref] = []
    keys: set[str] = set()
    for r in refs:
        key = json.dumps(r.schema, sort_keys=True, default=str) if len(r.schema) < 8 else str(id(r.schema))
        if key not in keys and not any(r.schema is o.schema for o in out):
            keys.add(key)
            out.append(r)
    return out or [_Ref({}, {})]
