"""Fresh identity per run: the ids a receiver keys on are unique to each run, the rest stays seeded. Pure.

Example payloads are deterministic per seed, so two runs (two ``send order.created``, two ``serve``
processes) would send the same ``FlipdishEventId`` and ``OrderId``, and a receiver that de-duplicates by
id, as it should, would silently drop the second run. :class:`RunIdentity` maps those ids through a keyed
hash of the run's salt: the same id maps to the same new id within a run (an order's lifecycle keeps one
``OrderId``), a different salt gives different ids, and everything else in the payload is untouched (so
``--seed`` still reproduces the content). Without a salt (``--fixed-ids``) ids pass through unchanged:
byte-identical reruns for snapshot tests.

Freshened fields (the keys a receiver de-duplicates or joins on): ``FlipdishEventId``, ``ActivityId``,
``OrderId`` (legacy) and ``saleId`` (v3), wherever they appear. A UUID stays a UUID (version 4 layout), a
positive integer stays a positive 31-bit integer of the same kind.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping

__all__ = ["FRESH_KEYS", "RunIdentity", "new_salt"]

FRESH_KEYS = frozenset({"FlipdishEventId", "ActivityId", "OrderId", "saleId"})
_SCALARS = frozenset({str, int, float, bool, type(None)})
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def new_salt() -> str:
    """A random salt: ids unique to this run (and this process)."""
    return secrets.token_hex(8)


class RunIdentity:
    """The id mapping of one run; ``salt`` None keeps every id as generated."""

    __slots__ = ("salt",)

    def __init__(self, salt: str | None) -> None:
        self.salt = salt

    @property
    def fixed(self) -> bool:
        return self.salt is None

    def _digest(self, kind: str, original: str) -> bytes:
        assert self.salt is not None
        return hashlib.blake2b(
            f"{kind}:{original}".encode(), key=self.salt.encode()[:64], digest_size=16
        ).digest()

    def uuid(self, original: str) -> str:
        """A version 4 UUID standing for ``original`` in this run."""
        if self.salt is None:
            return original
        value = int.from_bytes(self._digest("uuid", original), "big")
        value = (value & ~((0xF000 << 64) | (0xC000 << 48))) | (0x4000 << 64) | (0x8000 << 48)
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def number(self, original: int) -> int:
        """A positive 31-bit integer (at least 9 digits) standing for ``original`` in this run."""
        if self.salt is None:
            return original
        value = int.from_bytes(self._digest("int", str(original)), "big")
        return 100_000_000 + value % (2**31 - 1 - 100_000_000)

    def freshen(self, payload: Mapping[str, object]) -> dict[str, object]:
        """A copy of ``payload`` with every :data:`FRESH_KEYS` value mapped (the input is not changed).

        Plain dicts, lists and scalars (what JSON gives) take exact-type fast paths; anything else goes
        through :meth:`_value`, with the same result."""
        out: dict[str, object] = {}
        for key, value in payload.items():
            kind = type(value)
            if kind is dict:
                out[key] = self.freshen(value)  # type: ignore[arg-type]
            elif kind is list:
                out[key] = self._items(value)  # type: ignore[arg-type]
            elif key not in FRESH_KEYS and kind in _SCALARS:
                out[key] = value
            else:
                out[key] = self._value(key, value)
        return out

    def _items(self, values: list[object]) -> list[object]:
        out: list[object] = []
        for value in values:
            kind = type(value)
            if kind is dict:
                out.append(self.freshen(value))  # type: ignore[arg-type]
            elif kind in _SCALARS:
                out.append(value)
            else:
                out.append(self._value("", value))
        return out

    def _value(self, key: str, value: object) -> object:
        if isinstance(value, Mapping):
            return self.freshen(value)
        if isinstance(value, list):
            return [self._value("", item) for item in value]
        if key not in FRESH_KEYS or self.salt is None:
            return value
        if isinstance(value, str) and _UUID.match(value):
            return self.uuid(value.lower())
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return self.number(value)
        if isinstance(value, str) and value.isdigit():
            return str(self.number(int(value)))
        return value
