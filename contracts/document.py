"""JSON text in, JSON the sender can send back out: the one strict reader of user-given JSON.

Python's :func:`json.loads` accepts what no receiver could read back or what breaks later: ``NaN`` and
``Infinity`` (not JSON), numbers beyond a double (``1e999999`` becomes ``inf``), escaped lone surrogates
(``"\\ud800"``: the body then cannot be encoded as UTF-8), and nesting deep enough to exhaust the
recursion limit. :func:`parse_json` refuses each with a :class:`JsonDocumentError` (a ``ValueError``)
naming where; syntax errors stay :class:`json.JSONDecodeError`. The server (``400 invalid_json``), ``send
--payload`` and ``contracts validate`` (one ``Error:`` line, exit 2) read JSON through it. Pure.
"""

from __future__ import annotations

import json
import math

__all__ = ["MAX_DEPTH", "JsonDocumentError", "check_json_value", "parse_json"]

#: Deepest nesting accepted (Flipdish's payloads nest about 8 levels; an assumption with a wide margin).
MAX_DEPTH = 64


class JsonDocumentError(ValueError):
    """Valid JSON syntax whose value cannot be sent: non-finite number, lone surrogate, too deep."""


def _constant(name: str) -> float:
    raise JsonDocumentError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise JsonDocumentError(f"the number {text[:40]} is out of range for a double")
    return value


def parse_json(text: str) -> object:
    """``text`` parsed as strict JSON (see the module docstring); syntax errors raise ``JSONDecodeError``."""
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_finite)
    except RecursionError as err:
        raise JsonDocumentError(f"nested deeper than {MAX_DEPTH} levels") from err
    check_json_value(value)
    return value


def _path(parts: tuple[object, ...]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _bad_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_json_value(value: object) -> None:
    """Refuse a parsed value that is nested over :data:`MAX_DEPTH`, holds a lone surrogate or a
    non-finite float (iteratively: any depth is refused without recursion)."""
    stack: list[tuple[object, tuple[object, ...]]] = [(value, ())]
    while stack:
        item, where = stack.pop()
        if len(where) > MAX_DEPTH:
            raise JsonDocumentError(f"nested deeper than {MAX_DEPTH} levels (at {_path(where[:8])}…)")
        if isinstance(item, str):
            if _bad_text(item):
                raise JsonDocumentError(f"{_path(where)}: a string holds a lone surrogate (\\ud800-\\udfff)")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise JsonDocumentError(f"{_path(where)}: {item} is not a JSON number")
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and _bad_text(key):
                    raise JsonDocumentError(f"{_path(where)}: a key holds a lone surrogate")
                stack.append((child, (*where, ascii(key)[1:-1] if isinstance(key, str) else key)))
        elif isinstance(item, list):
            stack.extend((child, (*where, index)) for index, child in enumerate(item))
