"""``flipdish-sim events``: the catalogue of Flipdish webhook events, their contracts and examples."""

from __future__ import annotations

import json

import click

from flipdish_sim.contracts.catalogue import (
    EventSpec,
    Family,
    FieldSummary,
    Profile,
    V3Shape,
    cached_schema,
    catalogue,
    get_event,
    schema_fields,
    schema_path,
)

__all__ = ["events"]

_PROFILES = click.Choice([profile.value for profile in Profile])
_SHAPES = click.Choice([shape.value for shape in V3Shape])
_PROVENANCE_NOTE = {
    "documented": "on a developers.flipdish.com webhook page",
    "client-registered": "registered in Flipdish's SignalR client, not on a webhook docs page",
    "inferred": "name inferred from @flipdish/events, not confirmed as a webhook name",
}


@click.group()
def events() -> None:
    """The catalogue: every legacy (API v1.0) event and every v3 event type."""


@events.command("list")
@click.option(
    "--family", type=click.Choice([family.value for family in Family]), help="Only this generation."
)
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
def list_events(family: str | None, as_json: bool) -> None:
    """List events: name, family, model, provenance."""
    specs = catalogue(Family(family) if family else None)
    if as_json:
        click.echo(json.dumps([_as_dict(spec) for spec in specs], indent=2))
        return
    rows = [("NAME", "FAMILY", "MODEL", "PROVENANCE")]
    rows += [(spec.name, spec.family.value, spec.model, spec.provenance.value) for spec in specs]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for *padded, last in rows:
        click.echo(
            "  ".join([*(cell.ljust(width) for cell, width in zip(padded, widths, strict=True)), last])
        )


@events.command()
@click.argument("name")
@click.option("--profile", type=_PROFILES, default=Profile.OBSERVED.value, show_default=True)
@click.option(
    "--shape", type=_SHAPES, default=V3Shape.PROPERTIES.value, show_default=True, help="v3 body shape."
)
def show(name: str, profile: str, shape: str) -> None:
    """Show an event: provenance, description, its contract's fields and an example."""
    from flipdish_sim.contracts.examples import example

    spec = get_event(name)
    chosen, body_shape = Profile(profile), V3Shape(shape)
    schema = cached_schema(spec.name, chosen, body_shape)
    legacy = spec.family is Family.LEGACY
    contract = f"{chosen.value} profile" if legacy else f"v3, {body_shape.value} shape"
    if not legacy:
        observed = "yes (the v3 schema serves both profiles)"
    elif spec.observed:
        observed = "yes (production-observed body schema)"
    else:
        observed = "no (the observed profile falls back to the documented schema)"
    click.echo(spec.name)
    for label, value in (
        ("family", spec.family.value),
        ("model", spec.model),
        ("provenance", f"{spec.provenance.value} ({_provenance_note(spec)})"),
        ("observed", observed),
        ("description", spec.description),
        ("schema", f"contracts/schemas/{schema_path(spec.name, chosen, body_shape)}  {schema['$id']}"),
    ):
        click.echo(f"  {label + ':':<13}{value}")
    fields = schema_fields(spec.name, chosen, body_shape)
    click.echo(f"\n{'Body fields' if legacy else 'Fields'} ({contract}):")
    for line in _field_lines(fields):
        click.echo(f"  {line}")
    payload = example(spec.name, seed=0, profile=chosen, shape=body_shape)
    click.echo(f"\nExample (seed 0, {contract}):")
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


@events.command("example")
@click.argument("name")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same payload.")
@click.option(
    "--count", type=click.IntRange(min=1), default=1, show_default=True, help="K > 1 prints JSON Lines."
)
@click.option("--profile", type=_PROFILES, default=Profile.OBSERVED.value, show_default=True)
@click.option(
    "--shape", type=_SHAPES, default=V3Shape.PROPERTIES.value, show_default=True, help="v3 body shape."
)
def example_command(name: str, seed: int, count: int, profile: str, shape: str) -> None:
    """Print a realistic payload of NAME (JSON; JSON Lines with seeds SEED.. when --count > 1)."""
    from flipdish_sim.contracts.examples import example

    spec = get_event(name)
    for offset in range(count):
        payload = example(spec.name, seed=seed + offset, profile=Profile(profile), shape=V3Shape(shape))
        text = json.dumps(payload, indent=2 if count == 1 else None, ensure_ascii=False)
        click.echo(text)


def _provenance_note(spec: EventSpec) -> str:
    if spec.family is Family.V3:
        return "in Flipdish's webhookEventTypes and the developers.flipdish.com docs index"
    return _PROVENANCE_NOTE[spec.provenance.value]


def _as_dict(spec: EventSpec) -> dict[str, object]:
    return {
        "name": spec.name,
        "family": spec.family.value,
        "model": spec.model,
        "provenance": spec.provenance.value,
        "description": spec.description,
        "observed": spec.observed,
    }


def _field_lines(fields: tuple[FieldSummary, ...]) -> list[str]:
    if not fields:
        return ["(no declared fields)"]
    types = [f"{f.type} | null" if f.nullable else f.type for f in fields]
    name_width = max(len(f.name) for f in fields)
    type_width = max(len(t) for t in types)
    lines = []
    for field, kind in zip(fields, types, strict=True):
        flags = "required" if field.required else "optional"
        note = f"  {field.description}" if field.description and field.description != field.name else ""
        lines.append(f"{field.name:<{name_width}}  {kind:<{type_width}}  {flags}{note}".rstrip())
    return lines
