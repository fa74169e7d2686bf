"""The examples' random source: ``random.Random`` with its hottest draws made cheaper, nothing else.

``randint``, ``randrange(n)`` and ``choice`` consume the generator exactly as ``random.Random``'s do (one
``getrandbits`` of the range's bit length, retried while out of range), so a seed gives the same examples,
draw for draw; the determinism pins (tests/test_examples_determinism.py) hold that on every supported Python.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

__all__ = ["Rng"]

T = TypeVar("T")


class Rng(random.Random):
    def randint(self, a: int, b: int) -> int:
        n = b - a + 1
        if n <= 0 or type(a) is not int:  # the library's errors for empty ranges and non-integers
            return super().randint(a, b)
        k = n.bit_length()
        r = self.getrandbits(k)
        while r >= n:
            r = self.getrandbits(k)
        return a + r

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is not None or step != 1 or type(start) is not int or start <= 0:
            return super().randrange(start, stop, step)
        k = start.bit_length()  # randrange(n): one draw below n, as random.Random makes it
        r = self.getrandbits(k)
        while r >= start:
            r = self.getrandbits(k)
        return r

    def choice(self, seq: SupportsLenAndGetItem[T]) -> T:
        n = len(seq)
        if not n:
            return super().choice(seq)
        k = n.bit_length()
        r = self.getrandbits(k)
        while r >= n:
            r = self.getrandbits(k)
        return seq[r]
