"""Fill a plan with plausible values: builder hints where given, field-name heuristics everywhere else.

``Filler.value(node, name, hint)`` returns a value every schema of the plan accepts. A hint (a value a
builder computed, such as an order's amounts) is kept when it fits the node and replaced when it does not,
so a builder can never make an example invalid; fields a builder left out are invented from their name.

A hint is taken over: its plain dicts and lists are completed in place (builders make them afresh for each
payload, so nothing is copied twice); ``Exact`` objects and other mappings are copied into plain dicts.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta
from typing import cast

from ._decisions import Shape, decisions, fits_shallow, string_fits
from ._heuristics import guess_bool, guess_number, guess_string
from ._ids import uuid4_text
from ._plan import Node, Scalar
from ._timestamps import iso
from ._world import Scene

__all__ = ["MISSING", "Exact", "Filler", "fits_shallow"]

MISSING: object = object()


class Exact(dict[str, object]):
    """A hint object that is complete: only *required* fields it lacks are invented, no optional ones."""


_TYPE_ORDER = ("object", "array", "string", "number", "integer", "boolean", "null")


class Filler:
    """Walks a plan with one seeded RNG; ``max_depth`` bounds recursive and deeply nested models."""

    def __init__(self, rng: random.Random, scene: Scene, *, max_depth: int = 7) -> None:
        self.rng = rng
        self.scene = scene
        self.max_depth = max_depth
        self.ids: dict[str, int] = {}  # one VoucherId, MenuItemId, ... per example: fields that name it agree

    def id_for(self, key: str) -> int:
        if key not in self.ids:
            self.ids[key] = self.rng.randint(1000, 9_999_999)
        return self.ids[key]

    def uuid(self) -> str:
        return uuid4_text(self.rng.getrandbits(128))

    def time(self, before: timedelta = timedelta(days=30)) -> str:
        seconds = self.rng.uniform(0, before.total_seconds())
        return iso(self.scene.at - timedelta(seconds=seconds))

    def value(
        self, node: Node, name: str = "", hint: object = MISSING, *, parent: str = "", depth: int = 0
    ) -> object:
        if hint is MISSING:
            return self._generate(node, name, parent, depth)
        made = decisions(node)
        kind = type(hint)
        if kind in made.free:  # the common case: a builder's value of a type the node takes unchecked
            return hint
        if kind is dict or kind is Exact:
            if made.obj:
                return self._object(node, name, hint, depth, invent=False)  # type: ignore[arg-type]
            return self._generate(node, name, parent, depth)
        check = made.checks.get(kind)
        if not (check(hint) if check is not None else fits_shallow(node, hint)):
            return self._generate(node, name, parent, depth)
        if isinstance(hint, dict) and made.obj:
            return self._object(node, name, hint, depth, invent=False)
        if kind is list:  # a builder's list: completed in place, item by item, only where an item needs it
            return self._list(node, name, cast(list[object], hint), parent, depth)
        if isinstance(hint, list):
            items = _items(node)
            kept = decisions(items).free
            return [
                h if type(h) in kept else self.value(items, name, h, parent=parent, depth=depth + 1)
                for h in hint
            ]
        return hint

    def _list(self, node: Node, name: str, hint: list[object], parent: str, depth: int) -> list[object]:
        items = _items(node)
        made = decisions(items)
        kept, obj = made.free, made.obj
        for i, h in enumerate(hint):
            if type(h) in kept:
                continue
            if obj and type(h) is dict:  # what ``value`` would do, one call less
                hint[i] = self._object(items, name, h, depth + 1, invent=False)
            else:
                hint[i] = self.value(items, name, h, parent=parent, depth=depth + 1)
        return hint

    def _generate(self, node: Node, name: str, parent: str, depth: int) -> object:
        kind = self._choose_type(node, name, depth)
        if kind == "object":
            if node.alternatives:
                return self._object(self.rng.choice(node.alternatives), name, {}, depth)
            return self._object(node, name, {}, depth)
        if kind == "array":
            return self._array(node, name, depth)
        if kind == "string":
            return self._string(node.scalar, name, parent)
        if kind in ("number", "integer"):
            return self._number(node.scalar, name, parent, integer="number" not in node.types)
        if kind == "boolean":
            return (
                guess_bool(name, self.rng) if node.scalar.enum is None else self.rng.choice(node.scalar.enum)
            )
        return None

    def _choose_type(self, node: Node, name: str, depth: int) -> str:
        types = [t for t in _TYPE_ORDER if t in node.types] or ["null"]
        if "null" in types and len(types) > 1 and (depth >= self.max_depth or name in _USUALLY_NULL):
            return "null"
        return types[0]

    def _object(
        self, node: Node, name: str, hint: dict[str, object], depth: int, *, invent: bool = True
    ) -> dict[str, object]:
        made = node.compiled if node.compiled is not None else decisions(node)
        shape: Shape = (*hint, *map(type, hint.values()))  # its keys, then the types of their values
        layout = made.layouts.get(shape)
        if layout is None:
            layout = made.layout(shape)
        below = depth + 1
        # the builder's order first (EventName, FlipdishEventId, ...); only the keys that need a look
        out = layout.fill(self, hint if type(hint) is dict else dict(hint), name, below)
        if layout.complete and not (invent and made.free_form):
            return out  # nothing to invent (the usual case for a builder's object)
        props = made.props
        deep = depth >= self.max_depth or isinstance(hint, Exact)
        wanted, keys = (made.must_set, made.must_invent) if deep else (made.may_set, made.may_invent)
        if not wanted <= out.keys():  # walk the properties, in plan order, for what is missing
            for key in keys:
                if key not in out:
                    out[key] = self.value(props[key][0], key, parent=name, depth=below)
        if invent and made.free_form and not deep:
            out.update(self._map(node.extra, name, depth))  # type: ignore[arg-type]
        return out

    def _map(self, extra: Node, name: str, depth: int) -> dict[str, object]:
        if "Metadata" not in name or self.rng.random() < 0.6:
            return {}
        key, val = self.rng.choice(
            (("Barcode", "5011546498" + str(self.rng.randint(100, 999))), ("PosCode", "A12"))
        )
        return {key: self.value(extra, key, val, parent=name, depth=depth + 1)}

    def _array(self, node: Node, name: str, depth: int) -> list[object]:
        low = node.min_items
        if low == 0 and node.items is not None and node.items.conflict:
            return []  # the profiles disagree on the items: only the empty array satisfies both
        high = low if depth >= self.max_depth else max(low, 3 - depth // 2)
        if node.max_items is not None:
            high = min(high, node.max_items)
        count = self.rng.randint(min(low, high), high) if high > 0 else 0
        if count == 0 and low == 0 and depth < 3 and high > 0:
            count = 1
        return [self.value(_items(node), name, parent=name, depth=depth + 1) for _ in range(count)]

    def _string(self, sc: Scalar, name: str, parent: str) -> str:
        candidate = guess_string(self, sc, name, parent)
        if sc.enum is not None:
            choices = [v for v in sc.enum if isinstance(v, str)]
            if choices:  # the store's own currency or country when the enum has it
                return candidate if candidate in choices else self.rng.choice(choices)
        if string_fits(sc, candidate):
            return candidate
        if sc.patterns:
            return _from_pattern(sc.patterns[0].pattern, self.rng)
        padded = (candidate or "x") * max(1, sc.min_length)
        return padded[: sc.max_length] if sc.max_length is not None else padded

    def _number(self, sc: Scalar, name: str, parent: str, *, integer: bool) -> float | int:
        if sc.enum is not None:
            choices = [v for v in sc.enum if isinstance(v, int | float) and not isinstance(v, bool)]
            if choices:
                return self.rng.choice(choices)
        guess = guess_number(self, name, parent)
        if sc.foreign_enum:  # a .NET enum the other profile spells as strings is its index here
            guess = self.rng.randrange(len(sc.foreign_enum))
        low = sc.low if sc.low is not None else float("-inf")
        high = sc.high if sc.high is not None else float("inf")
        step = 1.0 if integer else 0.01
        low = low + step if sc.low_exclusive else low
        high = high - step if sc.high_exclusive else high
        if low <= guess <= high:
            return int(guess) if integer else guess
        value = min(max(float(guess), low), high)
        return int(value) if integer or isinstance(guess, int) else value


_USUALLY_NULL = frozenset(
    {
        "DriverId",
        "RejectedByUserId",
        "CreatedCampaignVoucherId",
        "ChannelOrderId",
        "ChannelOrderDisplayId",
        "LocalOrderId",
        "DropOffLocationId",
        "OrderTrackingCode",
        "RejectionReason",
        "RefundedAmount",
        "UserRating",
        "AcceptedFor",
        "OrderBatchInfo",
        "FulfillmentStatus",
        "OrderDropOffLocation",
        "DeliveryErrorMessage",
        "TaxId",
        "IpAddress",
        "DepositReturnFee",
        "metadata",
        "integrationName",
        "updatedBy",
        "backgroundColor",
        "foregroundColor",
        "selectedBackgroundColor",
        "selectedForegroundColor",
    }
)


def _items(node: Node) -> Node:
    return node.items if node.items is not None else Node(types=("string",))


def _from_pattern(pattern: str, rng: random.Random) -> str:
    """A string matching the simple anchored patterns Flipdish's schemas use (``^org\\d+$``, E.164 phones).

    Of top-level alternatives (the refinements' "empty or ..." patterns), the longest is used.
    """
    alternatives = pattern.split("|") if "(" not in pattern else [pattern]
    body = max(alternatives, key=len).removeprefix("^").removesuffix("$")
    out: list[str] = []
    for token, quant in re.findall(r"(\\d|\[[^\]]+\]|\\.|[^\\\[{+*?])(\{\d+(?:,\d+)?\}|[+*?])?", body):
        if quant in ("*", "?"):
            continue
        lo, _, hi = (
            quant.strip("{}").partition(",") if quant.startswith("{") else ("1", "", "6" if quant else "1")
        )
        count = rng.randint(int(lo), int(hi or lo))
        for _ in range(count):
            if token == r"\d":
                out.append(str(rng.randint(0, 9)))
            elif token.startswith("["):
                ends = token[1:-1].split("-")
                out.append(
                    chr(rng.randint(ord(ends[0][-1]), ord(ends[-1][0]))) if len(ends) == 2 else ends[0][0]
                )
            else:
                out.append(token.removeprefix("\\"))
    return "".join(out)
