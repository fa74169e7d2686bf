"""Fields a payload carries that its contract does not declare: contract drift seen on real traffic.

The contracts are open (Flipdish may add fields, so ``additionalProperties`` is not false), so validation
passes a payload with new members; this walk finds them. An object's known members are its ``properties``
(``allOf`` merged; every ``anyOf`` branch's properties united, nullable branches followed); an object whose
schema has ``additionalProperties`` or ``patternProperties`` as a schema, or declares no ``properties``,
knows every member. Array indices are written ``*`` so one field of many items is one entry.

Pure: stdlib and the contracts' schema walker.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from flipdish_sim.contracts._schema_walk import (
    MAX_REF_CHAIN,
    Schema,
    any_of_branches,
    as_mapping,
    merge,
    merge_all_of,
    resolve,
)

__all__ = ["unknown_fields"]

_MAX_DEPTH = 64


def unknown_fields(payload: object, schema: Schema) -> tuple[str, ...]:
    """Sorted JSON pointers (indices as ``*``) of the members of ``payload`` that ``schema`` does not know."""
    return tuple(sorted(set(_walk(payload, schema, schema, "", 0))))


def _walk(value: object, schema: Schema, root: Schema, pointer: str, depth: int) -> Iterator[str]:
    if depth > _MAX_DEPTH:
        return
    node = _flatten(schema, root)
    if isinstance(value, Mapping):
        known = as_mapping(node.get("properties"))
        opens = _opens(node)
        for key, member in value.items():
            where = f"{pointer}/{_escape(str(key))}"
            if key in known:
                yield from _walk(member, as_mapping(known[key]), root, where, depth + 1)
            elif not opens and known:
                yield where
    elif isinstance(value, list):
        items = as_mapping(node.get("items"))
        for member in value:
            yield from _walk(member, items, root, f"{pointer}/*", depth + 1)


def _flatten(schema: Schema, root: Schema) -> Schema:
    """One schema: ``$ref`` followed, ``allOf`` merged, ``anyOf`` branches merged into one (their
    properties united), so a member known to any branch is known."""
    node: Schema = schema
    for _ in range(MAX_REF_CHAIN):
        node = resolve(node, root)
        if "allOf" in node:
            node = merge_all_of(node, root)
            continue
        if "anyOf" in node:
            branches = [b for b in any_of_branches(node, root) if b.get("type") != "null"]
            merged: dict[str, object] = {}
            for branch in branches:
                merged = merge(merged, _flatten(branch, root))
            return merged
        return node
    return node


def _opens(node: Schema) -> bool:
    extra = node.get("additionalProperties")
    return (isinstance(extra, Mapping) and bool(extra)) or bool(node.get("patternProperties"))


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")
