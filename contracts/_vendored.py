"""The vendored upstream documents in ``contracts/upstream/`` and what every generated schema shares.

Constants (draft, ``$id`` base, directories, allowed keywords and formats), :class:`Upstream` (the four
parsed documents), :func:`load_upstream` (the one file-reading edge) and :func:`dump` (canonical text).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ALLOWED_FORMATS",
    "ALLOWED_KEYWORDS",
    "CONTRACTS_DIR",
    "DRAFT",
    "ID_BASE",
    "JSON",
    "SCHEMAS_DIR",
    "UPSTREAM_DIR",
    "UPSTREAM_FILES",
    "BuildError",
    "Upstream",
    "dump",
    "load_upstream",
]

JSON = dict[str, object]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://flipdish-sim.invalid/schemas/"
CONTRACTS_DIR = Path(__file__).resolve().parent
UPSTREAM_DIR = CONTRACTS_DIR / "upstream"
SCHEMAS_DIR = CONTRACTS_DIR / "schemas"

UPSTREAM_FILES = {
    "openapi": "flipdish-v1-webhooks-events.extract.openapi.json",
    "observed": "legacy-event-bodies.observed.schema.json",
    "v3": "rms-webhook-events.schema.json",
    "names": "legacy-event-names.json",
}

#: Keywords a generator can honour; the build fails if an output schema uses any other.
ALLOWED_KEYWORDS = frozenset(
    {
        "$schema", "$id", "$defs", "$ref", "title", "description",
        "type", "properties", "required", "additionalProperties", "items", "enum", "const", "anyOf",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
        "pattern", "format", "minItems", "maxItems",
    }
)  # fmt: skip
ALLOWED_FORMATS = frozenset({"date-time", "uuid", "email", "uri", "date"})


class BuildError(Exception):
    """The upstream data cannot be turned into schemas (a keyword or reference the build cannot map)."""


@dataclass(frozen=True, slots=True)
class Upstream:
    """The four vendored upstream documents, parsed."""

    openapi: JSON
    observed: JSON
    v3: JSON
    names: JSON


def load_upstream(directory: Path = UPSTREAM_DIR) -> Upstream:
    """Read the vendored upstream documents (edge: file I/O)."""
    parsed = {
        key: json.loads((directory / name).read_text("utf-8-sig")) for key, name in UPSTREAM_FILES.items()
    }
    return Upstream(**parsed)


def dump(document: Mapping[str, object]) -> str:
    """The canonical text of a generated file."""
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
