"""What changed between two versions of Flipdish's OpenAPI (or Swagger 2.0) spec, field by field.

``diff_specs(old, new)`` compares the model schemas (``components.schemas`` or ``definitions``) and
says, per model and field: added / removed, type or format changed, nullable changed, enum values
added / removed, required changed; and which catalogue events carry each changed model (directly or
nested). Pure: the caller reads the files.

    ~ Order.TableServiceCatagory: enum + Team
    + Order.ReceiptCode (string)
    - StoreSummary.Foo
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import cast

from flipdish_sim.contracts.catalogue import Family, catalogue
from flipdish_sim.errors import PayloadError

__all__ = ["Change", "SpecDiff", "diff_specs", "models_of"]

Schema = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Change:
    """One difference. ``kind``: model-added, model-removed, field-added, field-removed, type-changed,
    format-changed, nullable-changed, enum-added, enum-removed, required-added, required-removed."""

    kind: str
    model: str
    field: str | None
    detail: str
    events: tuple[str, ...]  # catalogue events whose payload carries ``model``

    @property
    def line(self) -> str:
        where = f"{self.model}.{self.field}" if self.field else self.model
        if self.kind in ("model-added", "field-added"):
            return f"+ {where} ({self.detail})"
        if self.kind == "model-removed":
            return f"- {where} (model)"
        if self.kind == "field-removed":
            return f"- {where}"
        return f"~ {where}: {self.detail}"

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "model": self.model,
            "field": self.field,
            "detail": self.detail,
            "line": self.line,
            "events": list(self.events),
        }


@dataclass(frozen=True, slots=True)
class SpecDiff:
    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def by_event(self) -> dict[str, tuple[str, ...]]:
        """Affected event -> the changed models it carries (both sorted)."""
        found: dict[str, set[str]] = {}
        for change in self.changes:
            for event in change.events:
                found.setdefault(event, set()).add(change.model)
        return {event: tuple(sorted(models)) for event, models in sorted(found.items())}

    def as_dict(self) -> dict[str, object]:
        return {
            "changes": [change.as_dict() for change in self.changes],
            "events": {event: list(models) for event, models in self.by_event().items()},
        }


def models_of(spec: object) -> dict[str, Schema]:
    """The named models of an OpenAPI 3 (``components.schemas``) or Swagger 2 (``definitions``) spec."""
    if isinstance(spec, Mapping):
        components = spec.get("components")
        schemas = components.get("schemas") if isinstance(components, Mapping) else spec.get("definitions")
        if isinstance(schemas, Mapping) and all(isinstance(s, Mapping) for s in schemas.values()):
            return {str(name): cast(Schema, schema) for name, schema in schemas.items()}
    raise PayloadError("not an OpenAPI/Swagger document: it has no components.schemas or definitions object")


def diff_specs(old: object, new: object) -> SpecDiff:
    """Every model and field difference from ``old`` to ``new`` (sorted by model, field, kind)."""
    old_models, new_models = models_of(old), models_of(new)
    carriers = _carriers(new_models) | _carriers(old_models)
    changes: list[Change] = []
    for name in sorted(old_models.keys() | new_models.keys()):
        events = tuple(sorted(carriers.get(name, ())))
        if name not in old_models:
            changes.append(Change("model-added", name, None, "model", events))
        elif name not in new_models:
            changes.append(Change("model-removed", name, None, "model", events))
        else:
            changes.extend(
                Change(kind, name, field, detail, events)
                for kind, field, detail in _model_changes(old_models[name], new_models[name])
            )
    return SpecDiff(tuple(changes))


def _model_changes(old: Schema, new: Schema) -> Iterator[tuple[str, str | None, str]]:
    old_props, new_props = _properties(old), _properties(new)
    for field in sorted(old_props.keys() | new_props.keys()):
        if field not in old_props:
            yield "field-added", field, describe(new_props[field])
        elif field not in new_props:
            yield "field-removed", field, describe(old_props[field])
        else:
            yield from (
                (kind, field, detail) for kind, detail in _field_changes(old_props[field], new_props[field])
            )
    old_required, new_required = set(_strings(old.get("required"))), set(_strings(new.get("required")))
    for field in sorted(new_required - old_required):
        yield "required-added", None, f"required + {field}"
    for field in sorted(old_required - new_required):
        yield "required-removed", None, f"required - {field}"


def _field_changes(old: Schema, new: Schema) -> Iterator[tuple[str, str]]:
    if _kind(old) != _kind(new):
        yield "type-changed", f"type {_kind(old)} -> {_kind(new)}"
    elif _format(old) != _format(new):
        yield "format-changed", f"format {_format(old) or 'none'} -> {_format(new) or 'none'}"
    if _nullable(old) != _nullable(new):
        yield "nullable-changed", f"nullable {str(_nullable(old)).lower()} -> {str(_nullable(new)).lower()}"
    old_enum, new_enum = _enum(old), _enum(new)
    added = [value for value in new_enum if value not in old_enum]
    removed = [value for value in old_enum if value not in new_enum]
    if added:
        yield "enum-added", "enum + " + ", ".join(added)
    if removed:
        yield "enum-removed", "enum - " + ", ".join(removed)


def describe(schema: Schema) -> str:
    """A short type description: ``string``, ``integer(int32)``, ``StoreSummary``, ``array<TaxItem>``."""
    kind = _kind(schema)
    fmt = _format(schema)
    text = f"{kind}({fmt})" if fmt and kind in ("string", "integer", "number") else kind
    return f"{text}, nullable" if _nullable(schema) else text


def _kind(schema: Schema) -> str:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return ref.rsplit("/", 1)[-1]
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items")
        return f"array<{_kind(cast(Schema, items))}>" if isinstance(items, Mapping) else "array"
    return str(kind) if kind else "object"


def _format(schema: Schema) -> str | None:
    fmt = schema.get("format")
    return str(fmt) if fmt else None


def _nullable(schema: Schema) -> bool:
    return schema.get("nullable") is True or schema.get("x-nullable") is True


def _enum(schema: Schema) -> list[str]:
    values = schema.get("enum")
    items = schema.get("items")
    if values is None and isinstance(items, Mapping):
        values = items.get("enum")
    return [str(value) for value in values] if isinstance(values, list) else []


def _properties(schema: Schema) -> dict[str, Schema]:
    props = schema.get("properties")
    if not isinstance(props, Mapping):
        return {}
    return {str(name): cast(Schema, prop) for name, prop in props.items() if isinstance(prop, Mapping)}


def _strings(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value.rsplit("/", 1)[-1]
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _carriers(models: Mapping[str, Schema]) -> dict[str, set[str]]:
    """Model -> the catalogue events whose body model reaches it in ``models``."""
    found: dict[str, set[str]] = {}
    for spec in catalogue(Family.LEGACY):
        if spec.model not in models:
            continue
        seen: set[str] = set()
        stack = [spec.model]
        while stack:
            name = stack.pop()
            if name in seen or name not in models:
                continue
            seen.add(name)
            stack.extend(_refs(models[name]))
        for name in seen:
            found.setdefault(name, set()).add(spec.name)
    return found
