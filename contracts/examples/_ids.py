"""UUID text without ``uuid.UUID`` objects: the same strings, a fraction of the cost per payload.

``uuid_text(bits)`` is ``str(uuid.UUID(int=bits))``; ``uuid4_text`` and ``uuid5_url`` set the version and
variant bits exactly as ``uuid.UUID(..., version=4)`` and ``uuid.uuid5(uuid.NAMESPACE_URL, ...)`` do.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from hashlib import sha1

__all__ = ["uuid4_text", "uuid5_url", "uuid_text"]

_URL_NAMESPACE = uuid.NAMESPACE_URL.bytes


def uuid_text(bits: int) -> str:
    """The canonical text of a 128-bit UUID, as ``str(uuid.UUID(int=bits))`` writes it."""
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def uuid4_text(bits: int) -> str:
    """``str(uuid.UUID(int=bits, version=4))``: random bits with the version-4 and RFC 4122 bits set."""
    return _versioned(f"{bits:032x}", "4")


@lru_cache(maxsize=4096)
def uuid5_url(name: str) -> str:
    """``str(uuid.uuid5(uuid.NAMESPACE_URL, name))``; menus repeat their names, hence the cache."""
    return _versioned(sha1(_URL_NAMESPACE + name.encode(), usedforsecurity=False).hexdigest(), "5")


def _versioned(h: str, version: str) -> str:
    """The first 32 hex digits ``h`` as UUID text, with the version nibble and the RFC 4122 variant set."""
    return f"{h[:8]}-{h[8:12]}-{version}{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


_VARIANT = {f"{n:x}": f"{n & 0x3 | 0x8:x}" for n in range(16)}  # the variant's top bits: 10xx
