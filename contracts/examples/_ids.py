"""UUID text without ``uuid.UUID`` objects: the same strings, a fraction of the cost per payload.

``uuid_text(bits)`` is ``str(uuid.UUID(int=bits))``; ``uuid4_text`` and ``uuid5_url`` set the version and
variant bits exactly as ``uuid.UUID(..., version=4)`` and ``uuid.uuid5(uuid.NAMESPACE_URL, ...)`` do.
"""

from __future__ import annotations

import hashlib
import uuid
from functools import lru_cache

__all__ = ["uuid4_text", "uuid5_url", "uuid_text"]

_URL_NAMESPACE = uuid.NAMESPACE_URL.bytes
_VERSION_MASK = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_RFC_4122 = 0x8000 << 48


def uuid_text(bits: int) -> str:
    """The canonical text of a 128-bit UUID, as ``str(uuid.UUID(int=bits))`` writes it."""
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def uuid4_text(bits: int) -> str:
    """``str(uuid.UUID(int=bits, version=4))``: random bits with the version-4 and RFC 4122 bits set."""
    return uuid_text((bits & _VERSION_MASK) | _RFC_4122 | (4 << 76))


@lru_cache(maxsize=4096)
def uuid5_url(name: str) -> str:
    """``str(uuid.uuid5(uuid.NAMESPACE_URL, name))``; menus repeat their names, hence the cache."""
    digest = hashlib.sha1(_URL_NAMESPACE + name.encode(), usedforsecurity=False).digest()
    return uuid_text((int.from_bytes(digest[:16]) & _VERSION_MASK) | _RFC_4122 | (5 << 76))
