"""Package exports that load on first use: a package ``__init__`` stays cheap to import."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

__all__ = ["exports"]


def exports(package: str, where: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` that imports ``package.<where[name]>`` when ``name`` is first read
    (``where[name]`` may also be an absolute module name, for a name the package re-exports)."""

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        absolute = module if module.startswith("flipdish_sim.") else f"{package}.{module}"
        return getattr(importlib.import_module(absolute), name)

    return __getattr__
