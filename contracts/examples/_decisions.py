"""Per-node decisions of the filler, made once per plan node instead of once per value.

Filling a payload mostly checks builder hints against the plan (``fits_shallow``): an order.created
carries about 160 values and nearly all of them are kept as they are. Most plan nodes accept every value of
a Python type without looking at it (a ``string`` with no enum, length, pattern or checked format), so
``Decisions.free`` names those types and the filler keeps such values with one set lookup; constrained
scalars get a check specialised to their one constraint. Objects keep their property table and the keys
the filler may have to invent, in plan order. Every decision gives exactly what ``fits_shallow`` gives.

Each shape of builder hint an object node meets (its keys and the types of its values) is compiled once
into a small function (``Layout.fill``, Python source run through ``exec``) that looks only at the keys
needing a look, with each scalar check written inline: no loop, no per-key dispatch per payload.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from ._plan import Node, Scalar

__all__ = ["Decisions", "decisions", "fits_shallow", "string_fits"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$")
_FORMAT_CHECKS = {"uuid": _UUID, "date-time": _DATETIME, "date": _DATE}
_CHECKED_FORMATS = frozenset({*_FORMAT_CHECKS, "email", "uri"})

Check = Callable[[object], bool]
Shape = tuple[str | type, ...]  # a hint's keys, then the types of their values (one flat tuple: one hash)
Visit = tuple[tuple[str, Node | None, Check | None, bool], ...]
Fill = Callable[[Any, dict[str, object], str, int], dict[str, object]]


@dataclass(frozen=True, slots=True)
class Layout:
    """One hint shape's visit compiled into straight-line code (``fill``), and what it leaves to invent.

    ``fill(filler, out, name, below)`` looks at exactly the keys ``Decisions.layout`` lists, in order, with
    each scalar check written inline; ``complete``: every key the filler may set is then present.
    """

    fill: Fill
    complete: bool
    trivial: bool  # nothing to look at: ``fill`` returns ``out`` as it is


_MAX_LAYOUTS = 64  # hint shapes remembered per object node (maps with free-form keys are not remembered)


@dataclass(frozen=True, slots=True)
class Decisions:
    """What the filler needs to know about one node, computed from it once."""

    free: frozenset[type]  # a value of these exact types always fits (no constraint to check)
    checks: dict[type, Check]  # a specialised ``fits_shallow`` for the other scalar types the node takes
    obj: bool  # "object" in types
    props: dict[str, tuple[Node, bool]]
    may_invent: tuple[str, ...]  # property keys the filler adds when a hint lacks them (plan order)
    must_invent: tuple[str, ...]  # the required ones among them (for complete or too-deep objects)
    may_set: frozenset[str]
    must_set: frozenset[str]
    extra: Node | None
    free_form: bool  # no properties, only ``additionalProperties``: a map the filler may add entries to
    layouts: dict[Shape, Layout]
    inline: dict[type, tuple[str, object]]  # each check as an expression of ``v`` and one constant ``c``

    def layout(self, shape: Shape) -> Layout:
        """The hint's keys whose values need a look, in the hint's order; the others are kept as they are.

        Kept: a value of a type its property (or ``additionalProperties``) takes unchecked, and any value of
        a free-form object. Listed: the key with its node and scalar check (None: an object, an array, or a
        type that needs ``fits_shallow``), or with no node when no schema allows the key (it is dropped).
        Remembered per shape of hint (its keys and the types of its values), which repeats across payloads.
        """
        half = len(shape) // 2
        keys, types = cast(tuple[str, ...], shape[:half]), cast(tuple[type, ...], shape[half:])
        visit = tuple(self._visit(keys, types))
        dropped = {key for key, child, _, _ in visit if child is None}
        kinds = dict(zip(keys, types, strict=True))
        complete = self.may_set <= set(keys) - dropped
        if len(self.layouts) >= _MAX_LAYOUTS:  # a node of many shapes (hostile hints): walked, not compiled
            return Layout(_walk(visit), complete, not visit)
        found = self.layouts[shape] = Layout(_compile(visit, kinds), complete, not visit)
        return found

    def _visit(
        self, keys: tuple[str, ...], kinds: tuple[type, ...]
    ) -> Iterator[tuple[str, Node | None, Check | None, bool]]:
        props, extra = self.props, self.extra
        for key, kind in zip(keys, kinds, strict=True):
            entry = props.get(key)
            child = entry[0] if entry is not None else extra
            if child is None:
                if props:
                    yield key, None, None, False  # the schemas allow no such key
                continue
            made = decisions(child)
            if kind not in made.free:
                yield key, child, made.checks.get(kind), made.obj


def decisions(node: Node) -> Decisions:
    """The node's decisions, computed on first use and kept on the node (plans are built once per event)."""
    found = node.compiled
    if found is None:
        found = node.compiled = _decide(node)
    return found


def _decide(node: Node) -> Decisions:
    sc, types = node.scalar, node.types
    free: set[type] = set()
    inline: dict[type, tuple[str, object]] = {}
    if "null" in types:
        free.add(type(None))
    if "boolean" in types:
        if sc.enum is None:
            free.add(bool)
        else:
            inline[bool] = ("v in c", sc.enum)
    numeric = "number" in types or "integer" in types
    unbounded = sc.enum is None and sc.low is None and sc.high is None
    if numeric:
        if unbounded:
            free.add(int)
        else:
            inline[int] = _number_check(sc)
    if "number" in types and unbounded:
        free.add(float)
    if "string" in types:
        plain = sc.min_length == 0 and sc.max_length is None and not sc.patterns
        if plain and not (sc.formats & _CHECKED_FORMATS):
            if sc.enum is None:
                free.add(str)
            else:
                inline[str] = ("v in c", frozenset(v for v in sc.enum if isinstance(v, str)))
        else:
            inline[str] = _string_check(sc)
    props = node.props
    may = tuple(k for k, (child, required) in props.items() if required or not child.conflict)
    must = tuple(k for k, (_, required) in props.items() if required)
    return Decisions(
        frozenset(free),
        {kind: _as_function(*check) for kind, check in inline.items()},
        "object" in types,
        props,
        may,
        must,
        frozenset(may),
        frozenset(must),
        node.extra,
        not props and node.extra is not None,
        {},
        inline,
    )


def _as_function(expression: str, constant: object) -> Check:
    check: Check = eval(f"lambda v: {expression}", {"c": constant})  # our own fixed text
    return check


def _number_check(sc: Scalar) -> tuple[str, object]:
    low, high = sc.low, sc.high
    if (
        sc.enum is None
        and not (sc.low_exclusive or sc.high_exclusive)
        and low is not None
        and high is not None
        and math.isfinite(low)
        and math.isfinite(high)
    ):
        return f"{low!r} <= v <= {high!r}", None
    return "c(v)", lambda v: _number_fits(sc, v)


def _string_check(sc: Scalar) -> tuple[str, object]:
    checked = sc.formats & _CHECKED_FORMATS
    plain = sc.enum is None and sc.min_length == 0 and sc.max_length is None and not sc.patterns
    if plain and len(checked) == 1 and (fmt := next(iter(checked))) in _FORMAT_CHECKS:
        return "c(v) is not None", _FORMAT_CHECKS[fmt].match
    return "c(v)", lambda v: string_fits(sc, v)


def _walk(visit: Visit) -> Fill:
    """What ``_compile`` writes out, as a loop: for shapes past ``_MAX_LAYOUTS``, never remembered."""

    def fill(f: Any, out: dict[str, object], name: str, below: int) -> dict[str, object]:
        for key, child, check, obj in visit:
            if child is None:
                del out[key]
                continue
            v = out[key]
            if check is not None and check(v):
                continue
            if obj and type(v) is dict:
                out[key] = f._object(child, key, v, below, invent=False)
            else:
                out[key] = f.value(child, key, v, parent=name, depth=below)
        return out

    return fill


def _compile(visit: Visit, kinds: dict[str, type]) -> Fill:
    """``visit`` as the body of one function: no loop, no tuple unpacking, the checks written inline."""
    lines = ["def fill(f, out, name, below):"]
    space: dict[str, object] = {}
    for n, (key, child, _, obj) in enumerate(visit):
        k = repr(key)
        if child is None:
            lines.append(f"    del out[{k}]")
            continue
        space[f"n{n}"] = child
        inline = decisions(child).inline.get(kinds[key])
        fallback = f"out[{k}] = f.value(n{n}, {k}, v, parent=name, depth=below)"
        lines.append(f"    v = out[{k}]")
        if inline is not None:
            expression, space[f"c{n}"] = re.sub(r"\bc\b", f"c{n}", inline[0]), inline[1]
            lines += [f"    if not ({expression}):", f"        {fallback}"]
        elif obj and kinds[key] is dict:  # ``f._object``'s fast path inline: the child's layout, in place
            space[f"l{n}"] = decisions(child).layouts
            lines += [
                "    s = (*v, *map(type, v.values()))",
                f"    l = l{n}.get(s)",
                "    if l is None or not l.complete:",
                f"        out[{k}] = f._object(n{n}, {k}, v, below, invent=False)",
                "    elif not l.trivial:",
                f"        l.fill(f, v, {k}, below + 1)",
            ]
        elif kinds[key] is list and "array" in child.types:  # the array's bounds inline, then its items
            bounds = f"{child.min_items} <= len(v)" + (
                f" <= {child.max_items}" if child.max_items is not None else ""
            )
            items = child.items
            each = decisions(items) if items is not None else None
            if each is None or not each.obj:
                lines += [
                    f"    if {bounds}:",
                    f"        out[{k}] = f._list(n{n}, {k}, v, name, below)",
                    "    else:",
                    f"        {fallback}",
                ]
            else:  # a list of objects: each item's layout inline, as for a nested object
                space[f"i{n}"], space[f"k{n}"], space[f"l{n}"] = items, each.free, each.layouts
                lines += [
                    f"    if not ({bounds}):",
                    f"        {fallback}",
                    "    else:",
                    "        for i, h in enumerate(v):",
                    "            t = type(h)",
                    f"            if t in k{n}:",
                    "                continue",
                    "            if t is dict:",
                    "                s = (*h, *map(type, h.values()))",
                    f"                l = l{n}.get(s)",
                    "                if l is None or not l.complete:",
                    f"                    v[i] = f._object(i{n}, {k}, h, below + 1, invent=False)",
                    "                elif not l.trivial:",
                    f"                    l.fill(f, h, {k}, below + 2)",
                    "            else:",
                    f"                v[i] = f.value(i{n}, {k}, h, parent=name, depth=below + 1)",
                ]
        else:
            lines.append(f"    {fallback}")
    lines.append("    return out")
    exec("\n".join(lines), space)  # source: plan keys (repr) and fixed text
    fill: Fill = space["fill"]  # type: ignore[assignment]
    return fill


def fits_shallow(node: Node, v: object) -> bool:
    """Does ``v`` have a type the node allows (and, for scalars, meet its constraints)?"""
    if v is None:
        return "null" in node.types
    if isinstance(v, bool):
        return "boolean" in node.types and (node.scalar.enum is None or v in node.scalar.enum)
    if isinstance(v, int | float):
        integral = isinstance(v, int) or v.is_integer()
        return ("number" in node.types or ("integer" in node.types and integral)) and _number_fits(
            node.scalar, v
        )
    if isinstance(v, str):
        return "string" in node.types and string_fits(node.scalar, v)
    if isinstance(v, list):
        return (
            "array" in node.types
            and len(v) >= node.min_items
            and (node.max_items is None or len(v) <= node.max_items)
        )
    return isinstance(v, dict) and "object" in node.types


def _number_fits(sc: Scalar, v: float) -> bool:
    if sc.enum is not None and v not in sc.enum:
        return False
    if sc.low is not None and (v < sc.low or (sc.low_exclusive and v == sc.low)):
        return False
    return sc.high is None or not (v > sc.high or (sc.high_exclusive and v == sc.high))


def string_fits(sc: Scalar, v: str) -> bool:
    """Does the string meet the scalar's enum, length, pattern and (checked) format constraints?"""
    if sc.enum is not None and v not in sc.enum:
        return False
    if len(v) < sc.min_length or (sc.max_length is not None and len(v) > sc.max_length):
        return False
    if any(p.search(v) is None for p in sc.patterns):
        return False
    if any(f in _FORMAT_CHECKS and _FORMAT_CHECKS[f].match(v) is None for f in sc.formats):
        return False
    if "email" in sc.formats and "@" not in v:
        return False
    return not ("uri" in sc.formats and _URI.match(v) is None)
