"""The examples' random source: ``random.Random`` with its hottest draws made cheaper, nothing else.

``randint``, ``randrange(n)``, ``choice``, ``sample`` (of a small tuple or list) and ``digits`` consume the
generator exactly as ``random.Random``'s own ``randint``, ``randrange``, ``choice`` and ``sample`` do (one
``getrandbits`` of the range's bit length, retried while out of range), so a seed gives the same examples,
draw for draw; the determinism pins (tests/test_examples_determinism.py) hold that on every supported Python.
``Rng.of(text)`` is ``Rng(text)`` without the Python layers of ``random.Random.__init__`` and ``seed``, and
``below(getrandbits, n)`` is ``randrange(n)`` for builders that bind ``getrandbits`` once per payload.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from hashlib import sha512
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

__all__ = ["Rng", "below"]

T = TypeVar("T")


class Rng(random.Random):
    @classmethod
    def of(cls, text: str) -> Rng:
        """``Rng(text)``: the same state (``random.seed``'s version 2 for a str), seeded in C directly."""
        raw = text.encode()
        rng = cls.__new__(cls)  # not seeded yet: no state is computed here
        _SEED(rng, int.from_bytes(raw + sha512(raw).digest()))
        rng.gauss_next = None  # type: ignore[attr-defined]  # random.Random's own attribute
        return rng

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

    def sample(self, population: Sequence[T], k: int, *, counts: Any = None) -> list[T]:
        n = len(population)
        if counts is not None or type(population) not in (tuple, list) or not 0 <= k <= n or n > 21:
            return super().sample(population, k, counts=counts)
        pool = list(population)  # random.Random's small-population path: a pool, swapped from the end
        result = []
        getrandbits = self.getrandbits
        for i in range(k):
            left = n - i
            bits = left.bit_length()
            j = getrandbits(bits)
            while j >= left:
                j = getrandbits(bits)
            result.append(pool[j])
            pool[j] = pool[left - 1]
        return result

    def digits(self, count: int) -> str:
        """``count`` decimal digits, drawn as ``str(randint(0, 9))`` each."""
        return self.chars(_DIGITS, count)

    def chars(self, alphabet: str, count: int) -> str:
        """``count`` characters of ``alphabet``, drawn as ``choice(alphabet)`` each."""
        getrandbits = self.getrandbits
        n = len(alphabet)
        k = n.bit_length()
        out = []
        for _ in range(count):
            r = getrandbits(k)
            while r >= n:
                r = getrandbits(k)
            out.append(alphabet[r])
        return "".join(out)


def below(bits: Callable[[int], int], n: int) -> int:
    """``randrange(n)`` (n > 0) of the generator whose ``getrandbits`` is ``bits``, the same draws."""
    k = n.bit_length()
    r = bits(k)
    while r >= n:
        r = bits(k)
    return r


_DIGITS = "0123456789"
_SEED: Callable[[random.Random, int], None] = random.Random.__mro__[1].seed  # type: ignore[attr-defined]
"""``_random.Random.seed``: the C seeding, without ``random.Random.seed``'s wrapper (which ``of`` does)."""
