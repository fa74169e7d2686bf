"""Byte-level variations of one JSON document, and edge-case payloads for the fuzz check. Pure.

``variants(document)`` renders the same JSON value several ways a sender may legitimately write it:
escaped slashes, ``\\u`` escapes for non-ASCII text, unusual whitespace, another key order, decimals with
trailing zeros. Each parses to the same value, so a receiver that verifies the raw bytes accepts all of them,
and one that re-serialises the parsed JSON before checking a signature rejects them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = ["FREE_TEXT", "VARIANTS", "closed_schema", "mark_free_text", "nulled", "render", "variants"]

FREE_TEXT = "Order 12/05 — Café Olé: “extra” ☕ 🍕 <b>&amp;</b> \\ done"
"""Free text with a slash, non-ASCII (astral too), quotes, markup and a backslash."""

_TEXT_KEYS = ("Description", "ChefNote", "DeliveryInstructions", "notes", "description", "Name", "name")

Json = object


def mark_free_text(document: Mapping[str, object]) -> dict[str, object]:
    """A copy whose first free-text string field (``Description``, ``notes`` ...) reads :data:`FREE_TEXT`."""
    result = copy.deepcopy(dict(document))
    for key in _TEXT_KEYS:
        for node in _objects(result):
            if isinstance(node.get(key), str):
                node[key] = FREE_TEXT
                return result
    return result


def _objects(value: Json) -> Iterator[dict[str, object]]:
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _objects(child)
    elif isinstance(value, list):
        for child in value:
            yield from _objects(child)


def render(
    value: Json,
    *,
    ensure_ascii: bool = False,
    escape_slash: bool = False,
    item_sep: str = ",",
    key_sep: str = ":",
    indent: str | None = None,
    reverse_keys: bool = False,
    number: Callable[[float], str] | None = None,
    _level: int = 0,
) -> str:
    """Serialise ``value`` as JSON with the given lexical choices (all produce the same JSON value)."""
    options: dict[str, Any] = {
        "ensure_ascii": ensure_ascii, "escape_slash": escape_slash, "item_sep": item_sep, "key_sep": key_sep,
        "indent": indent, "reverse_keys": reverse_keys, "number": number,
    }  # fmt: skip
    newline = "" if indent is None else "\n" + indent * (_level + 1)
    closing = "" if indent is None else "\n" + indent * _level
    if isinstance(value, dict):
        keys = list(value)[::-1] if reverse_keys else list(value)
        parts = [
            _string(str(k), ensure_ascii, escape_slash)
            + key_sep
            + render(value[k], **options, _level=_level + 1)
            for k in keys
        ]
        return "{" + newline + (item_sep + newline).join(parts) + closing + "}" if parts else "{}"
    if isinstance(value, list):
        parts = [render(item, **options, _level=_level + 1) for item in value]
        return "[" + newline + (item_sep + newline).join(parts) + closing + "]" if parts else "[]"
    if isinstance(value, str):
        return _string(value, ensure_ascii, escape_slash)
    if isinstance(value, float) and number is not None:
        return number(value)
    return json.dumps(value, allow_nan=False)


def _string(text: str, ensure_ascii: bool, escape_slash: bool) -> str:
    encoded = json.dumps(text, ensure_ascii=ensure_ascii)
    return encoded.replace("/", "\\/") if escape_slash else encoded


def _trailing_zero(number: float) -> str:
    text = repr(number)
    return text + "0" if "." in text and "e" not in text else text


def variants(document: Mapping[str, object]) -> dict[str, bytes]:
    """Named byte renderings of ``document``, each parsing to the same JSON value."""
    return {
        "escaped slashes": render(document, escape_slash=True).encode(),
        "non-ASCII as \\u escapes": render(document, ensure_ascii=True).encode(),
        "non-ASCII as raw UTF-8": render(document).encode("utf-8"),
        "unusual whitespace": (
            " \r\n" + render(document, item_sep=" ,\t", key_sep=" : ", indent="  ") + "\n "
        ).encode(),
        "reversed key order": render(document, reverse_keys=True).encode("utf-8"),
        "decimals with trailing zeros": render(document, number=_trailing_zero).encode("utf-8"),
        "numbers in exponent notation": render(document, number=lambda n: format(n, ".16e")).encode("utf-8"),
    }


def closed_schema(schema: Mapping[str, object]) -> dict[str, object]:
    """A copy of ``schema`` where every object with declared properties allows no other properties.

    Fuzzing stays inside the declared fields; fields a receiver does not know are ``compat.extra-fields``.
    """
    result = copy.deepcopy(dict(schema))
    stack: list[object] = [result]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return result


def nulled(payload: Mapping[str, object], schema: Mapping[str, object]) -> dict[str, object]:
    """A copy of ``payload`` with every present field the schema declares nullable set to null."""
    root = dict(schema)
    result = copy.deepcopy(dict(payload))
    _null_into(result, root, root)
    return result


def _resolve(node: Mapping[str, object], root: Mapping[str, object]) -> Mapping[str, object]:
    for _ in range(32):
        ref = node.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#"):
            return node
        target: object = root
        for part in (p for p in ref[1:].split("/") if p):
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(target, list):
                target = target[int(part)]
            else:
                target = target.get(part) if isinstance(target, Mapping) else None
        node = target if isinstance(target, Mapping) else {}
    return node


def _branches(node: Mapping[str, object], root: Mapping[str, object]) -> list[Mapping[str, object]]:
    node = _resolve(node, root)
    options = node.get("anyOf") or node.get("oneOf")
    if isinstance(options, list):
        return [_resolve(option, root) for option in options if isinstance(option, Mapping)]
    return [node]


def _nullable(node: Mapping[str, object], root: Mapping[str, object]) -> bool:
    for branch in _branches(node, root):
        kind = branch.get("type")
        if kind == "null" or (isinstance(kind, list) and "null" in kind):
            return True
    return False


def _null_into(value: dict[str, object], schema: Mapping[str, object], root: Mapping[str, object]) -> None:
    objects = [b for b in _branches(schema, root) if isinstance(b.get("properties"), Mapping)]
    if not objects:
        return
    properties: Mapping[str, object] = objects[0]["properties"]  # type: ignore[assignment]
    for key, child in list(value.items()):
        spec = properties.get(key)
        if not isinstance(spec, Mapping):
            continue
        if _nullable(spec, root):
            value[key] = None
        elif isinstance(child, dict):
            _null_into(child, spec, root)
        elif isinstance(child, list):
            items = _resolve(spec, root).get("items")
            for element in child:
                if isinstance(element, dict) and isinstance(items, Mapping):
                    _null_into(element, items, root)


VARIANTS: tuple[str, ...] = tuple(variants({}))
"""The names of :func:`variants`, in order."""
