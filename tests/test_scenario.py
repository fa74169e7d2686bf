"""Scenario files: errors name the line and field, secrets come from the environment, plans are timed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flipdish_sim.errors import ScenarioError
from flipdish_sim.simulator.scenario import (
    builtin_scenarios,
    builtin_text,
    load_scenario,
    parse_duration,
    parse_rate,
    parse_scenario,
    plan,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ENV = {"FLIPDISH_VERIFY_TOKEN": "token-0123456789", "SECRET_A": "whsec_a_0123456789"}


def test_every_builtin_scenario_loads_and_plans_its_events() -> None:
    names = [name for name, _ in builtin_scenarios()]
    assert {"order-lifecycle", "outage-recovery", "burst"} <= set(names)
    for name in names:
        scenario = load_scenario(name, env=ENV)
        events = list(plan(scenario, T0))
        assert len(events) == scenario.event_count > 0
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert {e.name for e in events} <= set(scenario.subscription.event_names)


def test_outage_recovery_spreads_events_over_hours() -> None:
    events = list(plan(load_scenario("outage-recovery", env=ENV), T0))
    assert events[-1].at - events[0].at >= timedelta(hours=5)


def test_a_lifecycle_publishes_each_event_at_its_create_time() -> None:
    events = list(plan(load_scenario("order-lifecycle", env=ENV), T0))
    for event in events:
        assert event.payload is not None
        assert event.payload["CreateTime"] == event.at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def test_an_unknown_builtin_lists_the_builtins() -> None:
    with pytest.raises(ScenarioError, match="built-ins: burst"):
        builtin_text("nope")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "subscription: {}\nevents:\n  - event: order.created\n    rate: 10 per sec\n",
            "x.yaml:4: events[0].rate:",
        ),
        ("subscription: {}\nevents:\n  - event: order.creatd\n", "x.yaml:3: events[0].event: unknown event"),
        ("subscription:\n  family: v4\nevents: [{event: order.created}]\n", "x.yaml:2: subscription.family:"),
        ("subscription: {}\nevents: []\n", "x.yaml:2: events:"),
        ("subscription: {}\nevents:\n  - {event: order.created, colour: red}\n", "x.yaml:3: events[0]:"),
        (
            "subscription: {}\nevents:\n  - {event: sale.created.v1}\n",
            "is a v3 event; this subscription is legacy",
        ),
        (
            "events: [{event: order.created}]\nsubscription:\n  verify_token_env: NOPE\n",
            "x.yaml:3: subscription",
        ),
        ("subscription: {family: v3}\nevents: [{event: sale.created.v1}]\n", "needs secrets_env"),
        ("subscription: {}\nevents:\n  - {lifecycle: order, outcomes: [eaten]}\n", "events[0].outcomes[0]"),
        ("a: [\n", "x.yaml:2: not valid YAML"),
        ("- just\n- a list\n", "a scenario is a mapping"),
    ],
)
def test_a_bad_scenario_is_one_line_naming_line_and_field(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, source="x.yaml", env={})
    assert expected in str(err.value)
    assert "\n" not in str(err.value)


def test_a_missing_environment_variable_is_named() -> None:
    text = (
        "subscription: {family: v3, secrets_env: [SECRET_A, SECRET_B]}\nevents: [{event: sale.created.v1}]\n"
    )
    with pytest.raises(ScenarioError, match="SECRET_B is not set"):
        parse_scenario(text, env={"SECRET_A": "x" * 20})
    scenario = parse_scenario(text, env={"SECRET_A": "a" * 20, "SECRET_B": "b" * 20})
    assert scenario.subscription.secrets == ("a" * 20, "b" * 20)
    assert "a" * 20 not in repr(scenario)


def test_payload_files_are_read_relative_to_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(json.dumps({"Type": "order.created", "CreateTime": "x", "Body": {}}))
    (tmp_path / "s.yaml").write_text("subscription: {}\nevents:\n  - payload_file: p.json\n    count: 2\n")
    scenario = load_scenario(tmp_path / "s.yaml", env={})
    events = list(plan(scenario, T0))
    assert [e.name for e in events] == ["order.created", "order.created"]
    assert all(
        e.user_supplied and e.payload == {"Type": "order.created", "CreateTime": "x", "Body": {}}
        for e in events
    )
    assert scenario.warnings, "a payload that breaks its contract is reported"


@pytest.mark.parametrize("content", ["[1, 2]", "{not json"])
def test_a_bad_payload_file_names_the_line(tmp_path: Path, content: str) -> None:
    (tmp_path / "p.json").write_text(content)
    (tmp_path / "s.yaml").write_text(
        "subscription: {}\nevents:\n  - event: order.created\n  - payload_file: p.json\n"
    )
    with pytest.raises(ScenarioError, match=r"s.yaml:4: events\[1\].payload_file"):
        load_scenario(tmp_path / "s.yaml", env={})


def test_generators_follow_their_rate_and_offset() -> None:
    text = (
        "subscription: {}\nevents:\n  - {event: order.created, count: 3, rate: 2/minute, at: 1h, seed: 5}\n"
    )
    events = list(plan(parse_scenario(text, env={}), T0))
    assert [e.at - T0 for e in events] == [timedelta(hours=1, seconds=s) for s in (0, 30, 60)]
    assert [e.seed for e in events] == [5, 6, 7]


def test_policy_overrides_are_parsed() -> None:
    text = (
        "subscription: {}\nevents: [{event: order.created}]\npolicy:\n"
        "  retry: {intervals: [10s, 1m]}\n  deadline: 5s\n  on_disabled: hold\n"
        "  disable: {window: 1h, threshold: 0.25, min_sample: 3, unit: events}\n"
    )
    policy = parse_scenario(text, env={}).policy
    assert policy.retry is not None
    assert policy.retry.intervals == (timedelta(seconds=10), timedelta(minutes=1))
    assert policy.deadline == timedelta(seconds=5)
    assert policy.on_disabled == "hold"
    assert policy.disable is not None
    assert policy.disable.unit == "events"
    assert policy.disable.min_sample == 3


@pytest.mark.parametrize(
    ("text", "seconds"), [(30, 30.0), ("250ms", 0.25), ("1h30m", 5400.0), ("2d", 172800.0), ("1.5s", 1.5)]
)
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize(
    ("text", "per_second"), [(4, 4.0), ("10/second", 10.0), ("6/minute", 0.1), ("36/hour", 0.01)]
)
def test_rates(text: str | int, per_second: float) -> None:
    assert parse_rate(text) == pytest.approx(per_second)
