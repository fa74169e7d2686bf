"""Reading a scenario's YAML safely, remembering the line of every field for error messages.

:func:`read_document` is the only way scenario text becomes data. It refuses, as one
:class:`~flipdish_sim.errors.ScenarioError` line naming the line, what would otherwise crash or exhaust
the loader: nesting deeper than :data:`MAX_DEPTH` (checked on the parser's event stream, before the
recursive composer runs), aliases that contain themselves (``a: &a [*a]``), alias bombs that expand to
more than :data:`MAX_VALUES` values, and numbers that are not finite (``.inf``, ``.nan``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import yaml

from flipdish_sim.errors import ScenarioError

__all__ = ["MAX_DEPTH", "MAX_VALUES", "FieldPath", "Marks", "field_name", "read_document"]

MAX_DEPTH = 32
"""Deepest nesting of mappings and sequences a scenario may use (real ones use 5)."""
MAX_VALUES = 50_000
"""Most values a scenario may hold once aliases are expanded (a generous bound on real files)."""

FieldPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps: ``start`` stays the string the schema checks."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def field_name(path: FieldPath) -> str:
    """``("events", 1, "rate")`` -> ``events[1].rate``; the empty path is ``(top level)``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


@dataclass(frozen=True, slots=True)
class Marks:
    """Where each field of a document is (1-based lines), to build ``source:line: field: message``."""

    source: str
    lines: Mapping[FieldPath, int]

    def line(self, path: FieldPath) -> int:
        probe = path
        while probe and probe not in self.lines:
            probe = probe[:-1]
        return self.lines.get(probe, 1)

    def error(self, path: FieldPath, message: str) -> ScenarioError:
        flat = " ".join(message.split())
        return ScenarioError(f"{self.source}:{self.line(path)}: {field_name(path)}: {flat}")


def read_document(text: str, source: str) -> tuple[object, Marks]:
    """The YAML ``text`` as plain data plus its marks; ScenarioError for anything unsafe or unreadable."""
    try:
        _check_depth(text, source)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).split("\n")[0]
        raise ScenarioError(f"{source}{line}: not valid YAML: {' '.join(str(problem).split())}") from err
    lines: dict[FieldPath, int] = {}
    if node is None:
        return None, Marks(source, lines)
    _walk(node, (), lines, source, set(), [0])
    marks = Marks(source, lines)
    loader = _Loader("")
    try:
        document = loader.construct_document(node)
    except yaml.YAMLError as err:  # e.g. a bad !!binary or an unhashable key
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).split("\n")[0]
        raise ScenarioError(f"{source}{line}: not valid YAML: {' '.join(str(problem).split())}") from err
    finally:
        loader.dispose()
    _check_numbers(document, (), marks)
    return document, marks


def _check_depth(text: str, source: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else 1
                raise ScenarioError(f"{source}:{line}: nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _walk(
    node: yaml.Node, path: FieldPath, out: dict[FieldPath, int], source: str, open_: set[int], seen: list[int]
) -> None:
    """Record lines; refuse self-containing aliases and documents too large once aliases expand."""
    line = node.start_mark.line + 1
    if id(node) in open_:
        raise ScenarioError(f"{source}:{line}: {field_name(path)}: an alias that contains itself")
    seen[0] += 1
    if seen[0] > MAX_VALUES:
        raise ScenarioError(
            f"{source}:{line}: {field_name(path)}: more than {MAX_VALUES} values once aliases are expanded"
        )
    out.setdefault(path, line)
    if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        return
    open_.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            _walk(value, child, out, source, open_, seen)
            out[child] = key.start_mark.line + 1
    else:
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), out, source, open_, seen)
    open_.discard(id(node))


def _check_numbers(value: object, path: FieldPath, marks: Marks) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise marks.error(path, f"{value!r} is not a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_numbers(item, (*path, str(key)), marks)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_numbers(item, (*path, index), marks)
