"""Validate a payload against its event's contract, reporting every violation with its JSON pointer.

    >>> issues = validate(payload, profile=Profile.OBSERVED)   # event taken from payload["Type"]
    >>> [f"{i.pointer}: {i.message}" for i in issues]
    ["/Body/Order/Channel: 'Channel' is a required property", ...]

A ``required`` violation points at the missing member (the object's pointer + ``/`` + its name), so
every missing field is one issue. Formats (date-time, uuid, email, ...) are checked.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012, Schema

from flipdish_sim.contracts._schema_walk import json_type
from flipdish_sim.contracts.catalogue import Family, Profile, V3Shape, cached_schema, get_event, schema_path
from flipdish_sim.contracts.document import JsonDocumentError, parse_json
from flipdish_sim.errors import ContractViolationError, PayloadError

__all__ = ["ValidationIssue", "check", "event_of", "parse_documents", "validate"]

_MAX_MESSAGE = 200
_NULL_BRANCH = {"type": "null"}
_REQUIRED = re.compile(r"^(?P<name>.+) is a required property$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One contract violation."""

    pointer: str  # JSON pointer (RFC 6901) of the offending member, e.g. "/Body/Order/Channel"
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '(root)'}: {self.message}"


def event_of(payload: object, shape: V3Shape = V3Shape.PROPERTIES) -> str:
    """The event a payload names: legacy ``Type``, or ``detail-type`` of a v3 event-shaped payload."""
    if not isinstance(payload, dict):
        raise PayloadError(
            f"payload is a JSON {_json_kind(payload)}, not an object; it cannot name its event"
        )
    key = "detail-type" if V3Shape(shape) is V3Shape.EVENT and "Type" not in payload else "Type"
    if key not in payload:
        raise PayloadError(
            "payload has no 'Type' naming its event (a v3 body does not name its event): pass --event NAME"
        )
    name = payload[key]
    if not isinstance(name, str):
        raise PayloadError(f"payload {key!r} is a JSON {_json_kind(name)}, not an event name string")
    return name


def validate(
    payload: object,
    event: str | None = None,
    *,
    profile: Profile = Profile.DOCUMENTED,
    shape: V3Shape = V3Shape.PROPERTIES,
) -> list[ValidationIssue]:
    """Every violation of ``event``'s contract by ``payload``, sorted by pointer (empty: valid).

    ``event`` defaults to the name the payload carries (see ``event_of``). Raises ``UnknownEventError``
    for a name not in the catalogue and ``PayloadError`` when the event cannot be determined.
    """
    name = event if event is not None else event_of(payload, shape)
    validator = _validator(schema_path(name, Profile(profile), V3Shape(shape)))
    issues = {issue for error in validator.iter_errors(payload) for issue in _issues(error)}
    return sorted(issues, key=_order)


def check(
    payload: object,
    event: str | None = None,
    *,
    profile: Profile = Profile.DOCUMENTED,
    shape: V3Shape = V3Shape.PROPERTIES,
) -> None:
    """Raise ``ContractViolationError`` unless ``payload`` is valid; ``.errors`` holds every issue."""
    name = event if event is not None else event_of(payload, shape)
    issues = validate(payload, name, profile=profile, shape=shape)
    if issues:
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        spec = get_event(name)
        contract = "v3" if spec.family is Family.V3 else Profile(profile).value
        raise ContractViolationError(f"{spec.name} ({contract}): {issues[0]}{more}", tuple(issues))


@cache
def _validator(relative: str) -> Draft202012Validator:
    name, _, rest = relative.partition("/")
    if name == "v3":
        event, _, shape = rest.removesuffix(".json").rpartition(".")
        schema = cached_schema(event, shape=V3Shape(shape))
    else:
        schema = cached_schema(rest.removesuffix(".json"), Profile(name))
    resource: Resource[Schema] = Resource.from_contents(schema, default_specification=DRAFT202012)
    registry: Registry[Schema] = Registry().with_resource(str(schema["$id"]), resource)
    checker = _DOTNET_FORMATS if name == Profile.DOCUMENTED.value else Draft202012Validator.FORMAT_CHECKER
    return Draft202012Validator(schema, registry=registry, format_checker=checker)


_OFFSETLESS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?")


def _dotnet_date_time(instance: object) -> bool:
    """RFC 3339, or .NET's offset-less ISO 8601 form (``2017-12-15T12:00:00``, DateTimeKind.Unspecified).

    Flipdish's own documentation examples carry such values (``"CreateTime": "0001-01-01T00:00:00"``,
    FACTS.md §2.3), and production's event-specific times carry no guaranteed offset (§2.4).
    """
    if not isinstance(instance, str) or _STRICT_FORMATS.conforms(instance, "date-time"):
        return True
    if not _OFFSETLESS.fullmatch(instance):
        return False
    try:
        datetime.fromisoformat(instance[:26])
    except ValueError:
        return False
    return True


_STRICT_FORMATS = Draft202012Validator.FORMAT_CHECKER
#: The documented profile's format checker: strict everywhere except ``date-time`` (see above).
_DOTNET_FORMATS = FormatChecker()
_DOTNET_FORMATS.checks("date-time")(_dotnet_date_time)


def _issues(error: ValidationError) -> Iterator[ValidationIssue]:
    """Issues of one jsonschema error; a nullable ``anyOf`` reports the errors of its non-null branch."""
    branch = _non_null_branch(error)
    if branch is not None:
        nested = [sub for sub in error.context or () if sub.schema_path and sub.schema_path[0] == branch]
        if nested:
            for sub in nested:
                yield from _issues(sub)
            return
    pointer = _pointer(error.absolute_path)
    if error.validator == "required":
        match = _REQUIRED.match(error.message)
        if match:
            missing = ast.literal_eval(match["name"])
            yield ValidationIssue(f"{pointer}/{_escape(str(missing))}", error.message)
            return
    yield ValidationIssue(pointer, _shorten(error.message))


def _non_null_branch(error: ValidationError) -> int | None:
    """Index of the one non-null alternative of an ``anyOf`` when the instance is not null."""
    if error.validator != "anyOf" or error.instance is None or not isinstance(error.validator_value, list):
        return None
    branches = [index for index, sub in enumerate(error.validator_value) if sub != _NULL_BRANCH]
    return branches[0] if len(branches) == 1 else None


def _pointer(path: Iterable[str | int]) -> str:
    return "".join(f"/{_escape(str(part))}" for part in path)


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _order(issue: ValidationIssue) -> tuple[tuple[tuple[int, int, str], ...], str]:
    parts = issue.pointer.split("/")[1:]
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts), issue.message


def _shorten(message: str) -> str:
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 1] + "…"


def parse_documents(data: bytes, source: str = "input") -> list[tuple[int, object]]:
    """The payloads in ``data``: one JSON document, or JSON Lines; each with its (first) line number.

    UTF-8 with or without a byte-order mark. Raises ``PayloadError`` naming ``source`` and the line
    when the input is empty, not UTF-8 or not JSON.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise PayloadError(f"{source}: not UTF-8 text (byte {err.start})") from err
    if not text.strip():
        raise PayloadError(f"{source}: empty input; expected a JSON document or JSON Lines")
    try:
        whole = parse_json(text)
    except JsonDocumentError as err:
        raise PayloadError(f"{source}: {err}") from err
    except json.JSONDecodeError as whole_err:
        lines = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
        if len(lines) < 2 or not _is_json(lines[0][1]):
            raise PayloadError(
                f"{source}: line {whole_err.lineno}: not JSON ({whole_err.msg})"
            ) from whole_err
        documents: list[tuple[int, object]] = []
        for number, line in lines:
            try:
                documents.append((number, parse_json(line)))
            except JsonDocumentError as err:
                raise PayloadError(f"{source}: line {number}: {err}") from err
            except json.JSONDecodeError as err:
                raise PayloadError(f"{source}: line {number}: not JSON ({err.msg})") from err
        return documents
    first = next(number for number, line in enumerate(text.splitlines(), 1) if line.strip())
    return [(first, whole)]


def _is_json(line: str) -> bool:
    try:
        parse_json(line)
    except JsonDocumentError:
        return True  # JSON, but not sendable: the line loop reports it
    except json.JSONDecodeError:
        return False
    return True


def _json_kind(value: object) -> str:
    """The JSON type a message names: integers are numbers, anything not JSON reads as an object."""
    kind = json_type(value)
    return {"integer": "number", "unknown": "object"}.get(kind, kind)
