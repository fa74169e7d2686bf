"""Generate ``contracts/schemas/**`` from the vendored upstream data in ``contracts/upstream/``.

Pure functions turn the upstream documents into schema documents (``build_files``); the two edges
write them (``write_files``) or compare them with what is committed (``drift``). Output is
deterministic: sorted keys, indent 1, a trailing newline. This module assembles the catalogue and the
files; the profiles live in ``_openapi_models`` (documented), ``_observed`` (observed and v3), the shared
constants and upstream reading in ``_vendored``. Every public name stays importable from here.

Three sources (see ``contracts/upstream/ORIGIN.md``):

* ``documented`` profile: the Swagger models of the OpenAPI extract. Every field optional; a field
  may be null when the Swagger declares it ``nullable`` or when its .NET type is a reference type
  (plain strings, objects, arrays, dictionaries) — Flipdish serialises those as ``null`` when unset.
  Value types (integers, numbers, booleans, enums, ``DateTime``, ``Guid``) are null only when declared
  nullable. ``format: int32`` becomes the int32 range; other numeric formats are dropped.
* ``observed`` profile: the production-observed bodies (zod schemas of ``@flipdish/events``), with
  zod-to-json-schema's ``additionalProperties: false`` removed (zod's default object *strips* unknown
  keys, it does not reject them). Events without an observed body fall back to the documented body.
* v3: the EventBridge-style event schemas; ``properties`` shape = ``detail.properties``, ``event``
  shape = the whole event object. The same schema serves both profiles.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import cast

from flipdish_sim.contracts._observed import V3_DESCRIPTIONS, observed_body, observed_schema, v3_schemas
from flipdish_sim.contracts._openapi_models import documented_schema, openapi_components
from flipdish_sim.contracts._vendored import (
    ALLOWED_FORMATS,
    ALLOWED_KEYWORDS,
    DRAFT,
    ID_BASE,
    JSON,
    SCHEMAS_DIR,
    UPSTREAM_DIR,
    UPSTREAM_FILES,
    BuildError,
    Upstream,
    dump,
    load_upstream,
)

__all__ = [
    "ALLOWED_FORMATS",
    "ALLOWED_KEYWORDS",
    "DRAFT",
    "ID_BASE",
    "SCHEMAS_DIR",
    "UPSTREAM_DIR",
    "UPSTREAM_FILES",
    "BuildError",
    "Upstream",
    "build_files",
    "catalogue_entries",
    "check_keywords",
    "documented_schema",
    "drift",
    "dump",
    "load_upstream",
    "observed_schema",
    "v3_schemas",
    "write_files",
]

_PROVENANCE_SENTENCE = {
    "documented": "named on a developers.flipdish.com webhook page",
    "client-registered": "registered in Flipdish's SignalR client; not on a webhook docs page",
    "inferred": "name inferred from @flipdish/events; not confirmed as a webhook name",
}


# ------------------------------------------------------------------------------------------------ catalogue
def _model_description(upstream: Upstream, model: str) -> str:
    component = openapi_components(upstream).get(model, {})
    text = str(component.get("description") or re.sub(r"(?<!^)(?=[A-Z])", " ", model))
    return " ".join(text.split()).rstrip(".")


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[._]", name))


def catalogue_entries(upstream: Upstream) -> list[JSON]:
    names = cast(dict[str, JSON], upstream.names["events"])
    entries: list[JSON] = []
    for name, info in names.items():
        provenance = (
            "documented"
            if info.get("webhook_doc")
            else "client-registered"
            if info.get("source") == "signalr"
            else "inferred"
        )
        model = str(info["model"])
        entries.append(
            {
                "name": name,
                "family": "legacy",
                "model": model,
                "provenance": provenance,
                "description": f"{_model_description(upstream, model)}; {_PROVENANCE_SENTENCE[provenance]}.",
                "observed": observed_body(upstream, name) is not None,
            }
        )
    for name in cast(dict[str, JSON], upstream.v3["events"]):
        beta = ", closed beta" if name.startswith("sale.") else ""
        entries.append(
            {
                "name": name,
                "family": "v3",
                "model": _pascal(name),
                "provenance": "documented",
                "description": f"{V3_DESCRIPTIONS[name]} (v3{beta}).",
                "observed": True,
            }
        )
    return sorted(entries, key=lambda entry: str(entry["name"]))


# ----------------------------------------------------------------------------------------------- assembly
def check_keywords(node: object, where: str) -> None:
    """Fail when a schema uses a keyword or format outside ``ALLOWED_KEYWORDS`` / ``ALLOWED_FORMATS``."""
    if isinstance(node, list):
        for value in node:
            check_keywords(value, where)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key not in ALLOWED_KEYWORDS:
            raise BuildError(f"{where}: keyword {key!r} is not supported by the contracts")
        if key == "format" and value not in ALLOWED_FORMATS:
            raise BuildError(f"{where}: format {value!r} is not supported by the contracts")
        if key in ("properties", "$defs"):
            for sub in cast(JSON, value).values():
                check_keywords(sub, where)
        elif key in ("items", "additionalProperties", "anyOf"):
            check_keywords(value, where)


def build_files(upstream: Upstream) -> dict[str, str]:
    """Every generated file: path relative to ``contracts/schemas`` -> text."""
    documents: dict[str, JSON] = {}
    entries = catalogue_entries(upstream)
    for entry in entries:
        name = str(entry["name"])
        if entry["family"] == "legacy":
            model = str(entry["model"])
            documents[f"documented/{name}.json"] = documented_schema(upstream, name, model)
            documents[f"observed/{name}.json"] = observed_schema(upstream, name, model)
        else:
            for shape, schema in v3_schemas(upstream, name).items():
                documents[f"v3/{name}.{shape}.json"] = schema
    for path, document in documents.items():
        check_keywords(document, path)
    files = {path: dump(document) for path, document in sorted(documents.items())}
    files["catalogue.json"] = dump({"events": entries})
    return files


def write_files(files: Mapping[str, str], directory: Path = SCHEMAS_DIR) -> None:
    """Replace the generated tree with ``files`` (stale ``*.json`` files are removed)."""
    for stale in directory.rglob("*.json"):
        if stale.relative_to(directory).as_posix() not in files:
            stale.unlink()
    for relative, text in files.items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text("utf-8") != text:
            target.write_text(text, "utf-8")


def drift(files: Mapping[str, str], directory: Path = SCHEMAS_DIR) -> list[str]:
    """Relative paths whose committed content differs from ``files`` (missing, changed or stale)."""
    present = {path.relative_to(directory).as_posix() for path in directory.rglob("*.json")}
    changed = [
        relative
        for relative, text in files.items()
        if relative not in present or (directory / relative).read_text("utf-8") != text
    ]
    return sorted([*changed, *(present - set(files))])
