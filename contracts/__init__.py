"""JSON-schema contracts of every Flipdish webhook event: catalogue, validation, examples, strategies.

``payloads``, ``from_schema`` and ``UnsupportedSchemaError`` (the Hypothesis strategies) load on first
use, so importing the contracts never imports Hypothesis. Internal modules are private (``_name``); the
public modules are ``catalogue``, ``validate``, ``examples``, ``strategies``, ``diff``, ``build``,
``refinements`` and ``vectors``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flipdish_sim.contracts.catalogue import (
    EventSpec,
    Family,
    Profile,
    Provenance,
    V3Shape,
    catalogue,
    get_event,
    load_schema,
)
from flipdish_sim.contracts.examples import example, examples, order_lifecycle, profile_conflicts

if TYPE_CHECKING:
    from flipdish_sim.contracts.strategies import UnsupportedSchemaError, from_schema, payloads
    from flipdish_sim.contracts.validate import ValidationIssue, check, validate

__all__ = [
    "EventSpec",
    "Family",
    "Profile",
    "Provenance",
    "UnsupportedSchemaError",
    "V3Shape",
    "ValidationIssue",
    "catalogue",
    "check",
    "example",
    "examples",
    "from_schema",
    "get_event",
    "load_schema",
    "order_lifecycle",
    "payloads",
    "profile_conflicts",
    "validate",
]

_LAZY = {"UnsupportedSchemaError", "from_schema", "payloads"}
_VALIDATION = {"ValidationIssue", "check", "validate"}  # jsonschema: a fifth of a command's start-up


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from flipdish_sim.contracts import strategies

        return getattr(strategies, name)
    if name in _VALIDATION:
        import flipdish_sim.contracts.validate as validation

        return getattr(validation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
