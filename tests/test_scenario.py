"""Scenario files: errors name the line and field, secrets come from the environment, plans are timed."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from flipdish_sim.errors import ScenarioError
from flipdish_sim.simulator.scenario import (
    Scenario,
    builtin_scenarios,
    builtin_text,
    load_scenario,
    parse_duration,
    parse_rate,
    parse_scenario,
    plan,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ENV = {"FLIPDISH_SIM_VERIFY_TOKEN": "token-0123456789", "SECRET_A": "whsec_a_0123456789"}


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


def test_a_secrets_variable_may_hold_several_comma_separated_secrets() -> None:
    text = (
        "subscription: {family: v3, secrets_env: FLIPDISH_SIM_SECRET}\nevents: [{event: sale.created.v1}]\n"
    )
    scenario = parse_scenario(text, env={"FLIPDISH_SIM_SECRET": "new-secret, old-secret"})
    assert scenario.subscription.secrets == ("new-secret", "old-secret")


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


# -- malformed input is one ScenarioError line, never another exception (found by fuzzing) -------------
MALFORMED = [
    ("a: &a [*a]\n", "x.yaml:1: a[0]: an alias that contains itself"),
    ("[" * 500, "x.yaml:1: nested more than 32 levels deep"),
    (
        "subscription: {}\nevents: [{event: order.created, rate: 0/second, count: 1}]\n",
        "x.yaml:2: events[0].rate: '0/second' is not a rate above zero",
    ),
    (
        "subscription: {}\nevents: [{event: order.created, rate: 0.0000000000000000000001/second}]\n",
        "events[0].rate: '0.0000000000000000000001/second' is less than one event in 10 years",
    ),
    ("subscription: {}\nevents: [{event: order.created, at: 99999999999999d}]\n", "is longer than 10 years"),
    (
        "subscription: {}\nevents: [{event: order.created}]\npolicy: {deadline: .inf}\n",
        "x.yaml:3: policy.deadline",
    ),
    (
        "subscription: {}\nevents: [{event: order.created}]\nfaults: {duplicates: {probability: .nan}}\n",
        "finite",
    ),
    (
        "subscription: {callback_url: 'http://'}\nevents: [{event: order.created}]\n",
        "subscription.callback_url",
    ),
    ("subscription: {}\nevents: [{lifecycle: order}]\nstart: '0001-01-01T00:00:00Z'\n", "x.yaml:3: start:"),
    (
        "subscription: {}\nevents: [{event: order.created}]\nstart: '9999-12-31T00:00:00Z'\n",
        "x.yaml:3: start:",
    ),
    ('subscription: {}\nevents: [{payload_file: "a\\0b"}]\n', "events[0].payload_file: cannot read"),
    ("subscription: {}\nevents: [{payload_file: /dev/zero}]\n", "not a regular file"),
    (
        "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
        + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcd", "bcde", strict=True)),
        "more than 50000 values once aliases are expanded",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_scenarios_are_one_scenario_error_line(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, source="x.yaml", env={})
    assert expected in str(err.value)
    assert "\n" not in str(err.value)


def test_a_payload_file_nested_too_deeply_is_a_scenario_error(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text("[" * 100_000)
    (tmp_path / "s.yaml").write_text(
        "subscription: {}\nevents:\n  - {payload_file: p.json, event: order.created}\n"
    )
    with pytest.raises(ScenarioError, match=r"s.yaml:3: events\[0\].payload_file: .* nested too deeply"):
        load_scenario(tmp_path / "s.yaml", env={})


@pytest.mark.parametrize(
    "bad", [0, -1, "0/second", "5/fortnight", "x/second", float("inf"), float("nan"), True]
)
def test_parse_rate_refuses_what_is_not_a_positive_rate(bad: object) -> None:
    with pytest.raises(ValueError, match="rate"):
        parse_rate(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, "1x", "", float("inf"), float("nan"), "3651d", 10**20])
def test_parse_duration_refuses_what_is_not_a_duration(bad: object) -> None:
    with pytest.raises(ValueError, match=r"duration|years"):
        parse_duration(bad)  # type: ignore[arg-type]


_durations = st.sampled_from(["1m", "0s", "250ms", "3651d", "1.5h"]) | st.floats() | st.integers(-5, 2**64)
_rates = st.sampled_from(["5/second", "1/hour", "0/second"]) | st.floats() | st.integers(-1, 10**30)
_sources = st.one_of(
    st.fixed_dictionaries(
        {"event": st.sampled_from(["order.created", "order.accepted", "sale.created.v1", "nope"])},
        optional={"count": st.integers(0, 10**20), "rate": _rates, "seed": st.integers(), "at": _durations},
    ),
    st.fixed_dictionaries(
        {"lifecycle": st.just("order")},
        optional={
            "outcomes": st.lists(st.sampled_from(["dispatched", "rejected", "eaten"]), max_size=2),
            "rate": _rates,
            "at": _durations,
        },
    ),
)
_scenarios = st.fixed_dictionaries(
    {"subscription": st.fixed_dictionaries({}, optional={"family": st.sampled_from(["legacy", "v3"])})},
    optional={
        "events": st.lists(_sources, max_size=3),
        "start": st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
        "policy": st.fixed_dictionaries(
            {},
            optional={
                "deadline": _durations,
                "retry": st.fixed_dictionaries({}, optional={"window": _durations}),
            },
        ),
        "faults": st.fixed_dictionaries(
            {}, optional={"out_of_order": st.fixed_dictionaries({"window": _durations})}
        ),
    },
)


def _scenario_or_one_line_error(text: str) -> Scenario | None:
    """The scenario, or None when the loader refused it with one ScenarioError line naming the file."""
    try:
        return parse_scenario(text, source="x.yaml", env={})
    except ScenarioError as err:
        message = str(err)
    assert message.startswith("x.yaml")
    assert "\n" not in message
    return None


@settings(max_examples=150, deadline=None)
@given(_scenarios)
def test_any_scenario_shaped_mapping_parses_and_plans_or_is_one_scenario_error(
    doc: dict[str, object],
) -> None:
    scenario = _scenario_or_one_line_error(yaml.safe_dump(doc))
    if scenario is None:
        return
    events = list(itertools.islice(plan(scenario, scenario.start or T0), 20))
    assert [e.at for e in events] == sorted(e.at for e in events)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#?,\n %@`\\abc01.")), max_size=60))
def test_any_yaml_ish_text_is_a_scenario_or_one_scenario_error(text: str) -> None:
    _scenario_or_one_line_error(text)
