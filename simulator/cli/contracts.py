"""``flipdish-sim contracts``: validate payloads, rebuild the schemas, diff two upstream specs.

Exit statuses: 0 valid / up to date / no differences; 1 invalid / drift / differences; 2 usage error
or unreadable input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO

import click

from flipdish_sim.contracts.catalogue import Profile, V3Shape, get_event
from flipdish_sim.errors import PayloadError, UsageError

__all__ = ["contracts"]

_PROFILES = click.Choice([profile.value for profile in Profile])
_SHAPES = click.Choice([shape.value for shape in V3Shape])


@click.group()
def contracts() -> None:
    """JSON-schema contracts of Flipdish webhook payloads."""


@contracts.command()
@click.argument("file", type=click.File("rb"), default="-", required=False)
@click.option("--event", "event", metavar="NAME", help="Event name (default: the payload's Type).")
@click.option("--profile", type=_PROFILES, default=Profile.DOCUMENTED.value, show_default=True)
@click.option(
    "--shape", type=_SHAPES, default=V3Shape.PROPERTIES.value, show_default=True, help="v3 body shape."
)
def validate(file: IO[bytes], event: str | None, profile: str, shape: str) -> None:
    """Validate FILE (one JSON document or JSON Lines; '-' = stdin) against its event's contract.

    Prints 'ok <line> <event>' per valid payload and 'FAIL <line> <event> <pointer>: <message>' per
    violation; <line> is the payload's (first) line in FILE. A line of 'flipdish-sim captures export'
    is a captured delivery: its body is validated (the event from its legacy Type or its v3
    X-Flipdish-Event-Type header; a v3 body with detail-type as the event shape).
    """
    from flipdish_sim.contracts.validate import event_of, parse_documents
    from flipdish_sim.contracts.validate import validate as validate_payload

    if event is not None:
        event = get_event(event).name  # an unknown --event is a usage error (exit 2)
    file_name = getattr(file, "name", "-")
    source = "stdin" if file_name in ("<stdin>", "-") or not isinstance(file_name, str) else file_name
    documents = parse_documents(file.read(), source)
    invalid = 0
    for number, document in documents:
        payload, named, chosen = document, event, V3Shape(shape)
        try:
            if isinstance(document, dict) and "FlipdishSimCapture" in document:
                payload, named, chosen = _captured(document, event, chosen)
            name = named if named is not None else event_of(payload, chosen)
            issues = validate_payload(payload, name, profile=Profile(profile), shape=chosen)
        except UsageError as err:  # wrong envelope or unknown Type: this payload is not a delivery
            invalid += 1
            unread = isinstance(payload, dict) and "FlipdishSimCapture" in payload  # a capture not unwrapped
            named = payload.get("Type") if isinstance(payload, dict) and not unread else None
            label = named if isinstance(named, str) and named.strip() else "?"
            pointer = "/Type" if isinstance(payload, dict) and not unread else "(root)"
            click.echo(f"FAIL {number} {label} {pointer}: {err}")
            continue
        if issues:
            invalid += 1
        for issue in issues:
            click.echo(f"FAIL {number} {name} {issue}")
        if not issues:
            click.echo(f"ok {number} {name}")
    sys.exit(1 if invalid else 0)


def _captured(
    document: dict[str, object], event: str | None, shape: V3Shape
) -> tuple[object, str | None, V3Shape]:
    """The payload of a captured delivery, its event name (None: the payload's Type) and its v3 shape."""
    from flipdish_sim.contracts.document import JsonDocumentError, parse_json
    from flipdish_sim.simulator.model import CaptureFormatError, capture_from_json

    try:
        capture = capture_from_json(document)
    except CaptureFormatError as err:
        raise PayloadError(f"not a readable capture: {err}") from err
    try:
        payload = parse_json(capture.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, JsonDocumentError) as err:
        raise PayloadError(f"capture {capture.id}: its body is not JSON") from err
    named = event or capture.header("X-Flipdish-Event-Type") or None
    if named is not None and isinstance(payload, dict) and "detail-type" in payload:
        shape = V3Shape.EVENT
    return payload, named, shape


@contracts.command()
@click.option("--check", is_flag=True, help="Only compare; exit 1 when the committed schemas drift.")
def build(check: bool) -> None:
    """Generate contracts/schemas from the vendored upstream data in contracts/upstream."""
    from flipdish_sim.contracts import build as builder

    files = builder.build_files(builder.load_upstream())
    drifted = builder.drift(files)
    target = builder.SCHEMAS_DIR
    if check:
        for relative in drifted:
            click.echo(f"drift: {relative}")
        if drifted:
            click.echo(
                f"{len(drifted)} file(s) differ from the upstream data; run 'flipdish-sim contracts build'"
            )
            sys.exit(1)
        click.echo(f"schemas up to date ({len(files)} files in {target})")
        return
    builder.write_files(files)
    click.echo(f"wrote {len(files)} files to {target} ({len(drifted)} changed)")


@contracts.command()
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
def diff(old: Path, new: Path, as_json: bool) -> None:
    """Report, field by field, what changed between two upstream OpenAPI specs OLD and NEW."""
    from flipdish_sim.contracts.diff import diff_specs

    result = diff_specs(_read_spec(old), _read_spec(new))
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, sort_keys=True))
    else:
        for change in result.changes:
            click.echo(change.line)
        affected = result.by_event()
        if affected:
            click.echo(f"\naffected events ({len(affected)}):")
            for name, models in affected.items():
                click.echo(f"  {name}: {', '.join(models)}")
        if not result:
            click.echo("no differences")
    sys.exit(1 if result else 0)


def _read_spec(path: Path) -> object:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise PayloadError(f"{path}: cannot read ({err.strerror})") from err
    except UnicodeDecodeError as err:
        raise PayloadError(f"{path}: not UTF-8 text") from err
    from flipdish_sim.contracts.document import JsonDocumentError, parse_json

    try:
        return parse_json(text)
    except json.JSONDecodeError as err:
        raise PayloadError(f"{path}: line {err.lineno}: not JSON ({err.msg})") from err
    except JsonDocumentError as err:
        raise PayloadError(f"{path}: {err}") from err
