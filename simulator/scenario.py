"""Scenario files: what a run publishes to one subscription, with sender faults and policy overrides.

A scenario is YAML validated against ``scenario.schema.json``; every error names the file, the line and
the field (``outage.yaml:14: events[1].rate: '10 per sec' is not ...``). Secrets are never inline: the
subscription names environment variables (``verify_token_env``, ``secrets_env``) and a missing variable
is a :class:`ScenarioError` naming it. A secrets variable may hold several secrets separated by commas
(rotation, like ``FLIPDISH_SIM_SECRET``); the built-in scenarios read ``FLIPDISH_SIM_VERIFY_TOKEN``.
The receiver is not part of a scenario: it is yours.

Built-in scenarios live in ``scenarios/*.yaml`` next to this module: :func:`builtin_scenarios` lists them
and :func:`load_scenario` accepts a built-in name or a path. :func:`plan` turns a scenario into the
timed stream of events to publish (lazily, in time order, deterministic for a seed).

Payload files are checked against their event's contract when loaded; problems are returned as
warnings (``Scenario.warnings``), not refused: a receiver test may mean to send an odd payload.
"""

from __future__ import annotations

import heapq
import itertools
import json
import math
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import jsonschema
import yaml

from flipdish_sim.errors import ScenarioError, UnknownEventError
from flipdish_sim.simulator.environment import split_secrets
from flipdish_sim.simulator.scenario_yaml import FieldPath, Marks, read_document
from flipdish_sim.simulator.subscription import FamilyName

__all__ = [
    "DisableSpec",
    "DuplicatesSpec",
    "EventSource",
    "PlannedEvent",
    "PolicySpec",
    "ReorderSpec",
    "RetrySpec",
    "Scenario",
    "SubscriptionSpec",
    "builtin_scenarios",
    "builtin_text",
    "load_scenario",
    "parse_duration",
    "parse_rate",
    "parse_scenario",
    "plan",
]

_PACKAGE = "flipdish_sim.simulator"
_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_RATE_UNITS = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0, "h": 3600.0}
_RATE_UNITS["hour"] = 3600.0


MAX_PAYLOAD_BYTES = 10_000_000
"""Largest payload file a scenario may name."""
MAX_SPAN = timedelta(days=3650)
"""Longest duration a scenario may give, and longest a source's events may span (keeps times in range)."""


def parse_duration(value: float | int | str) -> timedelta:
    """``30`` (seconds), ``"30s"``, ``"5m"``, ``"1h30m"``, ``"2d"``, ``"250ms"`` -> timedelta.

    ValueError for anything else, negative or not finite, or longer than :data:`MAX_SPAN` (10 years)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{value!r} is not a duration like 30s, 5m, 1h30m")
    if isinstance(value, str):
        parts = _DURATION.findall(value)
        if not parts or "".join(n + u for n, u in parts) != value:
            raise ValueError(f"{value!r} is not a duration like 30s, 5m, 1h30m")
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)
    else:
        seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{value!r} is not a duration of zero or more seconds")
    if seconds > MAX_SPAN.total_seconds():
        raise ValueError(f"{value!r} is longer than {MAX_SPAN.days // 365} years")
    return timedelta(seconds=seconds)


def parse_rate(value: float | int | str) -> float:
    """``10`` (per second), ``"10/second"``, ``"5/minute"``, ``"100/hour"`` -> events per second (> 0).

    ValueError for an unknown unit, a rate of zero or less, or one that is not finite."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{value!r} is not a rate like 10/second")
    if isinstance(value, str):
        count, _, unit = value.partition("/")
        if unit not in _RATE_UNITS:
            raise ValueError(f"{value!r} is not a rate like 10/second, 5/minute, 100/hour")
        try:
            per_second = float(count) / _RATE_UNITS[unit]
        except ValueError:
            raise ValueError(f"{value!r} is not a rate like 10/second, 5/minute, 100/hour") from None
    else:
        per_second = float(value)
    if not math.isfinite(per_second) or per_second <= 0:
        raise ValueError(f"{value!r} is not a rate above zero")
    return per_second


@dataclass(frozen=True, slots=True)
class SubscriptionSpec:
    callback_url: str | None
    family: FamilyName
    event_names: tuple[str, ...]
    version: str = "2.0"
    owner_user_id: int = 1
    verify_token: str | None = field(default=None, repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class EventSource:
    """One entry of ``events``: kind is ``payload`` | ``generator`` | ``lifecycle``."""

    kind: str
    event: str | None
    count: int
    interval: timedelta
    offset: timedelta
    seed: int
    payload: Mapping[str, object] | None = field(default=None, repr=False)
    outcomes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DuplicatesSpec:
    count: int | None = None
    probability: float | None = None
    mode: str = "immediate"
    delay: timedelta = timedelta(0)
    seed: int = 0


@dataclass(frozen=True, slots=True)
class ReorderSpec:
    window: timedelta
    seed: int = 0


@dataclass(frozen=True, slots=True)
class RetrySpec:
    """At most one of offsets, intervals, exponential (initial/factor/cap); the rest tune it."""

    offsets: tuple[timedelta, ...] | None = None
    intervals: tuple[timedelta, ...] | None = None
    initial: timedelta | None = None
    factor: float = 2.0
    cap: timedelta | None = None
    window: timedelta | None = None
    jitter: float = 0.0
    seed: int = 0
    max_attempts: int | None = None


@dataclass(frozen=True, slots=True)
class DisableSpec:
    enabled: bool | None = None
    window: timedelta | None = None
    threshold: float | None = None
    min_sample: int | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class PolicySpec:
    retry: RetrySpec | None = None
    deadline: timedelta | None = None
    disable: DisableSpec | None = None
    on_disabled: str | None = None
    concurrency: int | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    subscription: SubscriptionSpec
    events: tuple[EventSource, ...]
    duplicates: DuplicatesSpec | None = None
    out_of_order: ReorderSpec | None = None
    policy: PolicySpec = PolicySpec()
    start: datetime | None = None
    source: str = "<string>"
    warnings: tuple[str, ...] = ()

    @property
    def event_count(self) -> int:
        """How many events :func:`plan` yields (lifecycles count every event they publish)."""
        return sum(_source_length(s) for s in self.events)


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    """One event to publish ``at``: ``payload`` None means "a realistic example for ``seed``"."""

    at: datetime
    name: str
    payload: Mapping[str, object] | None
    seed: int
    user_supplied: bool = False


# -- built-ins ------------------------------------------------------------------------------------------
def _builtin_dir() -> Any:
    return files(_PACKAGE).joinpath("scenarios")


def builtin_scenarios() -> list[tuple[str, str]]:
    """(name, one-line description) of every built-in scenario, sorted by name."""
    found = []
    for entry in _builtin_dir().iterdir():
        if entry.name.endswith(".yaml"):
            document = yaml.safe_load(entry.read_text(encoding="utf-8"))
            found.append((entry.name[: -len(".yaml")], str(document.get("description", "")).split("\n")[0]))
    return sorted(found)


def builtin_text(name: str) -> str:
    """The YAML of a built-in scenario; ScenarioError (listing the names) when there is none."""
    entry = _builtin_dir().joinpath(f"{name}.yaml")
    if not re.fullmatch(r"[a-z0-9-]+", name) or not entry.is_file():
        names = ", ".join(n for n, _ in builtin_scenarios())
        raise ScenarioError(f"no built-in scenario {name!r}; built-ins: {names}")
    return str(entry.read_text(encoding="utf-8"))


def load_scenario(name_or_path: str | Path, *, env: Mapping[str, str] | None = None) -> Scenario:
    """A built-in scenario by name, or a YAML file by path; every problem is one ScenarioError line."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ScenarioError(f"cannot read scenario {path}: {err}") from err
        return parse_scenario(text, source=str(path), base_dir=path.parent, env=env)
    return parse_scenario(builtin_text(str(name_or_path)), source=str(name_or_path), base_dir=None, env=env)


# -- parsing --------------------------------------------------------------------------------------------
Path_ = FieldPath
_Context = Marks


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(files(_PACKAGE).joinpath("scenario.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "oneOf" and isinstance(error.schema, dict) and "description" in error.schema:
        return f"{error.instance!r} is not valid: {error.schema['description']}"
    if error.validator == "not":
        return "give one of offsets, intervals or exponential, not several"
    return error.message


def parse_scenario(
    text: str, *, source: str = "<string>", base_dir: Path | None = None, env: Mapping[str, str] | None = None
) -> Scenario:
    """Parse and check a scenario's YAML (schema, catalogue, payload files, environment variables)."""
    document, ctx = read_document(text, source)
    if not isinstance(document, dict):
        raise ctx.error((), "a scenario is a mapping with subscription and events")
    errors = sorted(
        _validator().iter_errors(document), key=lambda e: (len(e.absolute_path), list(map(str, e.path)))
    )
    if errors:
        deepest = max(errors, key=lambda e: len(e.absolute_path))
        raise ctx.error(tuple(deepest.absolute_path), _schema_message(deepest))
    return _build(cast(dict[str, Any], document), ctx, base_dir, os.environ if env is None else env)


def _env(ctx: _Context, env: Mapping[str, str], path: Path_, name: str) -> str:
    value = env.get(name)
    if not value:
        raise ctx.error(path, f"environment variable {name} is not set (secrets are never inline)")
    return value


def _duration(ctx: _Context, path: Path_, value: Any) -> timedelta:
    try:
        return parse_duration(value)
    except ValueError as err:
        raise ctx.error(path, str(err)) from err


def _optional_duration(ctx: _Context, doc: Mapping[str, Any], path: Path_, key: str) -> timedelta | None:
    return _duration(ctx, (*path, key), doc[key]) if key in doc else None


def _callback_url(ctx: _Context, url: str | None) -> str | None:
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        valid = bool(parts.hostname) and (parts.port is None or parts.port > 0)
    except ValueError:
        valid = False
    if not valid:
        raise ctx.error(("subscription", "callback_url"), f"{url!r} is not an http(s) URL with a host")
    return url


def _start(ctx: _Context, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        start = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        start + 2 * MAX_SPAN, start - MAX_SPAN  # every planned (and back-dated example) time must fit
    except (ValueError, OverflowError) as err:
        raise ctx.error(("start",), f"{value!r} is not a usable start time: {err}") from err
    if start.tzinfo is None:
        raise ctx.error(("start",), f"{value!r} has no UTC offset")
    return start


def _build(doc: dict[str, Any], ctx: _Context, base_dir: Path | None, env: Mapping[str, str]) -> Scenario:
    from flipdish_sim.contracts.catalogue import get_event

    sub = doc.get("subscription", {})
    family: FamilyName = sub.get("family", "legacy")
    warnings: list[str] = []
    sources = tuple(
        _source(item, (("events", i)), ctx, base_dir, warnings) for i, item in enumerate(doc["events"])
    )
    names = tuple(sub.get("event_names") or _published_names(sources))
    where: list[tuple[Path_, str]] = [
        (("events", i, "event"), s.event) for i, s in enumerate(sources) if s.event
    ]
    where += [(("subscription", "event_names", i), n) for i, n in enumerate(names)]
    for path, name in where:
        try:
            spec = get_event(name)
        except UnknownEventError as err:
            raise ctx.error(path, str(err)) from err
        if spec.family.value != family:
            raise ctx.error(path, f"{name!r} is a {spec.family.value} event; this subscription is {family}")
    token = sub.get("verify_token_env")
    secret_names = sub.get("secrets_env", [])
    secret_names = [secret_names] if isinstance(secret_names, str) else secret_names
    if family == "v3" and not secret_names:
        raise ctx.error(
            ("subscription",), "a v3 subscription needs secrets_env (the signing secret's variable)"
        )
    spec_sub = SubscriptionSpec(
        callback_url=_callback_url(ctx, sub.get("callback_url")),
        family=family,
        event_names=names,
        version=str(sub.get("version", "2.0" if family == "legacy" else "v3")),
        owner_user_id=int(sub.get("owner_user_id", 1)),
        verify_token=_env(ctx, env, ("subscription", "verify_token_env"), token) if token else None,
        secrets=split_secrets(_env(ctx, env, ("subscription", "secrets_env"), n) for n in secret_names),
    )
    start = doc.get("start")
    faults = doc.get("faults", {})
    dup = faults.get("duplicates")
    reorder = faults.get("out_of_order")
    return Scenario(
        name=str(doc.get("name", Path(ctx.source).stem)),
        description=str(doc.get("description", "")).strip(),
        subscription=spec_sub,
        events=sources,
        duplicates=None
        if dup is None
        else DuplicatesSpec(
            count=dup.get("count"),
            probability=dup.get("probability"),
            mode=dup.get("mode", "immediate"),
            delay=_duration(ctx, ("faults", "duplicates", "delay"), dup.get("delay", 0)),
            seed=int(dup.get("seed", 0)),
        ),
        out_of_order=None
        if reorder is None
        else ReorderSpec(
            _duration(ctx, ("faults", "out_of_order", "window"), reorder["window"]),
            int(reorder.get("seed", 0)),
        ),
        policy=_policy(doc.get("policy", {}), ctx),
        start=_start(ctx, start),
        source=ctx.source,
        warnings=tuple(warnings),
    )


def _published_names(sources: tuple[EventSource, ...]) -> list[str]:
    names: list[str] = []
    for source in sources:
        candidates = [source.event] if source.event else _lifecycle_names(source.outcomes)
        names += [n for n in candidates if n and n not in names]
    return names


def _source(
    item: dict[str, Any], path: Path_, ctx: _Context, base: Path | None, warnings: list[str]
) -> EventSource:
    interval = timedelta(0)
    if "rate" in item:
        try:
            per_second = parse_rate(item["rate"])
        except ValueError as err:
            raise ctx.error((*path, "rate"), str(err)) from err
        if 1 / per_second > MAX_SPAN.total_seconds():
            raise ctx.error((*path, "rate"), f"{item['rate']!r} is less than one event in 10 years")
        interval = timedelta(seconds=1 / per_second)
    count = int(item.get("count", 1))
    offset = _duration(ctx, (*path, "at"), item.get("at", 0))
    if offset + interval * min(count - 1, MAX_SPAN // max(interval, timedelta(microseconds=1))) > MAX_SPAN:
        raise ctx.error(path, f"its events span more than {MAX_SPAN.days // 365} years")
    seed = int(item.get("seed", 0))
    if "payload_file" in item:
        payload, name = _payload_file(item, path, ctx, base)
        warnings += _contract_warnings(name, payload, f"{ctx.source}: {item['payload_file']}")
        return EventSource("payload", name, count, interval, offset, seed, payload=payload)
    if "lifecycle" in item:
        outcomes = tuple(item.get("outcomes", ["dispatched"]))
        for index, outcome in enumerate(outcomes):
            try:
                _lifecycle_names((outcome,))
            except ValueError as err:
                raise ctx.error((*path, "outcomes", index), str(err)) from err
        return EventSource("lifecycle", None, count, interval, offset, seed, outcomes=outcomes)
    return EventSource("generator", str(item["event"]), count, interval, offset, seed)


def _payload_file(
    item: dict[str, Any], path: Path_, ctx: _Context, base: Path | None
) -> tuple[dict[str, object], str]:
    file = Path(item["payload_file"])
    if base is not None and not file.is_absolute():
        file = base / file
    where = (*path, "payload_file")
    try:
        if not file.is_file():
            raise ctx.error(where, f"cannot read {file}: not a regular file")
        with file.open("rb") as handle:
            data = handle.read(MAX_PAYLOAD_BYTES + 1)
    except (OSError, ValueError) as err:  # ValueError: a NUL byte in the name
        raise ctx.error(where, f"cannot read {file}: {getattr(err, 'strerror', None) or err}") from err
    if len(data) > MAX_PAYLOAD_BYTES:
        raise ctx.error(where, f"{file} is larger than {MAX_PAYLOAD_BYTES // 1_000_000} MB")
    try:
        payload = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise ctx.error(where, f"{file} is not UTF-8 text: {err}") from err
    except json.JSONDecodeError as err:
        raise ctx.error(where, f"{file} is not JSON: {err}") from err
    except RecursionError as err:
        raise ctx.error(where, f"{file} is nested too deeply to read") from err
    if not isinstance(payload, dict):
        raise ctx.error(
            (*path, "payload_file"), f"{file} holds a JSON {type(payload).__name__}, not an object"
        )
    name = item.get("event") or payload.get("Type")
    if not isinstance(name, str):
        raise ctx.error((*path, "event"), f"say which event {file} is (event: NAME); it has no Type field")
    return payload, name


def _contract_warnings(name: str, payload: Mapping[str, object], where: str) -> list[str]:
    try:
        from flipdish_sim.contracts.validate import validate
    except ImportError:  # pragma: no cover - contracts without a validator
        return []
    try:
        issues = validate(payload, name)
    except Exception as err:  # a validator problem must not stop a run: report it
        return [f"{where}: could not check against the {name} contract: {err}"]
    return [f"{where}: {issue}" for issue in issues]


def _durations(ctx: _Context, path: Path_, values: list[Any] | None) -> tuple[timedelta, ...] | None:
    return None if values is None else tuple(_duration(ctx, (*path, i), v) for i, v in enumerate(values))


def _policy(doc: dict[str, Any], ctx: _Context) -> PolicySpec:
    retry = doc.get("retry")
    disable = doc.get("disable")
    retry_spec = None
    if retry is not None:
        at = ("policy", "retry")
        exp = retry.get("exponential", {})
        retry_spec = RetrySpec(
            offsets=_durations(ctx, (*at, "offsets"), retry.get("offsets")),
            intervals=_durations(ctx, (*at, "intervals"), retry.get("intervals")),
            initial=_optional_duration(ctx, exp, (*at, "exponential"), "initial"),
            factor=float(exp.get("factor", 2.0)),
            cap=_optional_duration(ctx, exp, (*at, "exponential"), "cap"),
            window=_optional_duration(ctx, retry, at, "window"),
            jitter=float(retry.get("jitter", 0.0)),
            seed=int(retry.get("seed", 0)),
            max_attempts=retry.get("max_attempts"),
        )
    disable_spec = None
    if disable is not None:
        disable_spec = DisableSpec(
            enabled=disable.get("enabled"),
            window=_optional_duration(ctx, disable, ("policy", "disable"), "window"),
            threshold=disable.get("threshold"),
            min_sample=disable.get("min_sample"),
            unit=disable.get("unit"),
        )
    return PolicySpec(
        retry=retry_spec,
        deadline=_optional_duration(ctx, doc, ("policy",), "deadline"),
        disable=disable_spec,
        on_disabled=doc.get("on_disabled"),
        concurrency=doc.get("concurrency"),
    )


# -- planning -------------------------------------------------------------------------------------------
@cache
def _lifecycle_names(outcomes: tuple[str, ...]) -> list[str]:
    from flipdish_sim.contracts.examples import order_lifecycle

    names: list[str] = []
    for outcome in outcomes:
        names += [name for name, _ in order_lifecycle(seed=0, outcome=outcome) if name not in names]
    return names


def _source_length(source: EventSource) -> int:
    if source.kind != "lifecycle":
        return source.count
    k = len(source.outcomes)
    return sum(len(_lifecycle_names((source.outcomes[n % k],))) for n in range(source.count))


def _expand(source: EventSource, start: datetime, seed_offset: int = 0) -> Iterator[PlannedEvent]:
    """A source's events in time order (a lifecycle's later steps may interleave with the next one)."""
    base = start + source.offset
    waiting: list[tuple[datetime, int, PlannedEvent]] = []
    order = itertools.count()
    for n in range(source.count):
        at = base + source.interval * n
        while waiting and waiting[0][0] <= at:
            yield heapq.heappop(waiting)[2]
        seed = source.seed + seed_offset + n
        if source.kind == "payload":
            yield PlannedEvent(at, str(source.event), source.payload, seed, user_supplied=True)
        elif source.kind == "generator":
            yield PlannedEvent(at, str(source.event), None, seed)
        else:
            from flipdish_sim.contracts.examples import order_lifecycle

            outcome = source.outcomes[n % len(source.outcomes)]
            for name, payload in order_lifecycle(seed=seed, at=at, outcome=outcome):
                when = _create_time(payload, at)
                heapq.heappush(waiting, (when, next(order), PlannedEvent(when, name, payload, seed)))
    while waiting:
        yield heapq.heappop(waiting)[2]


def _create_time(payload: Mapping[str, object], default: datetime) -> datetime:
    """A lifecycle event happens at its envelope's CreateTime (the examples space them 45 s - 10 min)."""
    value = payload.get("CreateTime")
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return default
    return default


def plan(scenario: Scenario, start: datetime, *, seed_offset: int = 0) -> Iterator[PlannedEvent]:
    """Every event of the scenario in publication order (ties: source order), lazily.

    ``seed_offset`` (``run --seed``) shifts every source's seed: other payloads, same timing."""
    streams = [_expand(s, start, seed_offset) for s in scenario.events]
    keyed = ((((e.at, i), e) for e in stream) for i, stream in enumerate(streams))
    for _, event in heapq.merge(*keyed, key=lambda pair: pair[0]):
        yield event
