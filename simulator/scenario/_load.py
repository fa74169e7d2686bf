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

import json
import os
import re
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, cast

import jsonschema
import yaml

from flipdish_sim.errors import ScenarioError, UnknownEventError
from flipdish_sim.simulator.environment import split_secrets
from flipdish_sim.simulator.model._subscription import FamilyName
from flipdish_sim.simulator.model._subscription_rules import check_secrets, check_verify_token, check_version
from flipdish_sim.simulator.scenario._fields import (
    callback_url,
    duration,
    env_value,
    event_source,
    policy,
    published_names,
    start_time,
    subscription_value,
)
from flipdish_sim.simulator.scenario._model import (
    DuplicatesSpec,
    ReorderSpec,
    Scenario,
    SubscriptionSpec,
)
from flipdish_sim.simulator.scenario._yaml import FieldPath, Marks, read_document

__all__ = ["builtin_scenarios", "builtin_text", "load_scenario", "parse_scenario"]

_PACKAGE = "flipdish_sim.simulator.scenario"


# -- built-ins ------------------------------------------------------------------------------------------
def _builtin_dir() -> Any:
    return files(_PACKAGE).joinpath("builtins")


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
    if not re.fullmatch(r"[a-z0-9-]{1,100}", name) or not entry.is_file():
        names = ", ".join(n for n, _ in builtin_scenarios())
        raise ScenarioError(f"no built-in scenario {name!r}; built-ins: {names}")
    return str(entry.read_text(encoding="utf-8"))


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; a name no file system takes (too long, NUL, surrogate) does not."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def load_scenario(name_or_path: str | Path, *, env: Mapping[str, str] | None = None) -> Scenario:
    """A built-in scenario by name, or a YAML file by path; every problem is one ScenarioError line."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or _exists(path):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ScenarioError(f"cannot read scenario {path}: {err}") from err
        return parse_scenario(text, source=str(path), base_dir=path.parent, env=env)
    return parse_scenario(builtin_text(str(name_or_path)), source=str(name_or_path), base_dir=None, env=env)


# -- parsing --------------------------------------------------------------------------------------------
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


def _build(doc: dict[str, Any], ctx: Marks, base_dir: Path | None, env: Mapping[str, str]) -> Scenario:
    from flipdish_sim.contracts.catalogue import get_event

    sub = doc.get("subscription", {})
    family: FamilyName = sub.get("family", "legacy")
    warnings: list[str] = []
    sources = tuple(
        event_source(item, (("events", i)), ctx, base_dir, warnings) for i, item in enumerate(doc["events"])
    )
    names = tuple(sub.get("event_names") or published_names(sources))
    where: list[tuple[FieldPath, str]] = [
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
    default_version = "2.0" if family == "legacy" else "v3"
    verify = env_value(ctx, env, ("subscription", "verify_token_env"), token) if token else None
    secrets = split_secrets(env_value(ctx, env, ("subscription", "secrets_env"), n) for n in secret_names)
    spec_sub = SubscriptionSpec(
        callback_url=callback_url(ctx, sub.get("callback_url")),
        family=family,
        event_names=names,
        version=subscription_value(
            ctx, ("subscription", "version"), check_version, str(sub.get("version", default_version))
        )
        or default_version,
        owner_user_id=int(sub.get("owner_user_id", 1)),
        verify_token=subscription_value(
            ctx, ("subscription", "verify_token_env"), check_verify_token, verify
        ),
        secrets=subscription_value(ctx, ("subscription", "secrets_env"), check_secrets, secrets),
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
            delay=duration(ctx, ("faults", "duplicates", "delay"), dup.get("delay", 0)),
            seed=int(dup.get("seed", 0)),
        ),
        out_of_order=None
        if reorder is None
        else ReorderSpec(
            duration(ctx, ("faults", "out_of_order", "window"), reorder["window"]),
            int(reorder.get("seed", 0)),
        ),
        policy=policy(doc.get("policy", {}), ctx),
        start=start_time(ctx, start),
        fixed_ids=doc.get("fixed_ids") is True,
        source=ctx.source,
        warnings=tuple(warnings),
    )
