"""Turning a scenario's checked fields into values: durations, URLs, start time, event sources, policy.

Each function raises the :class:`~flipdish_sim.errors.ScenarioError` line naming the field it reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from flipdish_sim.simulator.model._subscription_rules import InvalidSubscriptionError, check_callback_url
from flipdish_sim.simulator.scenario._model import (
    MAX_PAYLOAD_BYTES,
    MAX_SPAN,
    DisableSpec,
    EventSource,
    PolicySpec,
    RetrySpec,
    lifecycle_names,
    parse_duration,
    parse_rate,
)
from flipdish_sim.simulator.scenario._yaml import FieldPath, Marks

_T = TypeVar("_T")

__all__ = [
    "callback_url",
    "duration",
    "env_value",
    "event_source",
    "policy",
    "published_names",
    "start_time",
    "subscription_value",
]

Path_ = FieldPath
_Context = Marks


def env_value(ctx: _Context, env: Mapping[str, str], path: Path_, name: str) -> str:
    value = env.get(name)
    if not value:
        raise ctx.error(path, f"environment variable {name} is not set (secrets are never inline)")
    return value


def duration(ctx: _Context, path: Path_, value: Any) -> timedelta:
    try:
        return parse_duration(value)
    except ValueError as err:
        raise ctx.error(path, str(err)) from err


def _optional_duration(ctx: _Context, doc: Mapping[str, Any], path: Path_, key: str) -> timedelta | None:
    return duration(ctx, (*path, key), doc[key]) if key in doc else None


def callback_url(ctx: _Context, url: str | None) -> str | None:
    if url is None:
        return None
    return subscription_value(ctx, ("subscription", "callback_url"), check_callback_url, url)


def subscription_value(ctx: _Context, path: Path_, rule: Callable[[Any], _T], value: Any) -> _T:
    """``value`` checked by the subscription rule (the one every entry point uses), refused at ``path``."""
    try:
        return rule(value)
    except InvalidSubscriptionError as err:
        raise ctx.error(path, str(err)) from err


def start_time(ctx: _Context, value: str | None) -> datetime | None:
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


def published_names(sources: tuple[EventSource, ...]) -> list[str]:
    names: list[str] = []
    for source in sources:
        candidates = [source.event] if source.event else lifecycle_names(source.outcomes)
        names += [n for n in candidates if n and n not in names]
    return names


def event_source(
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
    offset = duration(ctx, (*path, "at"), item.get("at", 0))
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
                lifecycle_names((outcome,))
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
    return None if values is None else tuple(duration(ctx, (*path, i), v) for i, v in enumerate(values))


def policy(doc: dict[str, Any], ctx: _Context) -> PolicySpec:
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
