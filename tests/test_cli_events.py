from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from flipdish_sim.contracts.catalogue import Profile, V3Shape
from flipdish_sim.contracts.validate import validate
from flipdish_sim.simulator.cli import main


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["events", *args])


def test_list_prints_a_table_of_every_event() -> None:
    result = run("list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "FAMILY", "MODEL", "PROVENANCE"]
    assert len(lines) == 1 + 142
    assert lines[1].split() == ["analytics.website", "legacy", "AnalyticsClientEvent", "client-registered"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["hydra.conection_status_changed"] == [
        "legacy",
        "HydraConnectionStatusChangedEvent",
        "client-registered",
    ]
    assert rows["website.vanityUrl.updated"][0] == "legacy"
    assert rows["order.created"] == ["legacy", "OrderCreatedEvent", "documented"]
    assert rows["catalog.item.created"][2] == "inferred"
    assert rows["sales_channel.snoozed_menu_items.updated.v1"] == [
        "v3",
        "SalesChannelSnoozedMenuItemsUpdatedV1",
        "documented",
    ]


@pytest.mark.parametrize(("family", "count"), [("legacy", 131), ("v3", 11)])
def test_list_filters_by_family(family: str, count: int) -> None:
    result = run("list", "--family", family)
    assert result.exit_code == 0
    rows = result.stdout.splitlines()[1:]
    assert len(rows) == count
    assert {row.split()[1] for row in rows} == {family}


def test_list_json_carries_every_catalogue_field() -> None:
    result = run("list", "--json", "--family", "v3")
    assert result.exit_code == 0
    entries = json.loads(result.stdout)
    assert len(entries) == 11
    assert entries[0] == {
        "name": "menu.item.snoozed.v1",
        "family": "v3",
        "model": "MenuItemSnoozedV1",
        "provenance": "documented",
        "description": "A menu item was snoozed (made temporarily unavailable) (v3).",
        "observed": True,
    }


def test_list_rejects_an_unknown_family() -> None:
    result = run("list", "--family", "v2")
    assert result.exit_code == 2
    assert "'v2' is not one of 'legacy', 'v3'" in result.stderr


def test_show_prints_provenance_fields_and_a_valid_example() -> None:
    result = run("show", "order.created")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("order.created\n")
    assert "  provenance:  documented (on a developers.flipdish.com webhook page)" in out
    assert "  model:       OrderCreatedEvent" in out
    assert "Body fields (observed profile):" in out
    assert any(line.split()[:3] == ["IpAddress", "string", "|"] for line in out.splitlines())
    example = json.loads(out.split("Example (seed 0, observed profile):\n", 1)[1])
    assert example["Type"] == "order.created"
    assert validate(example, profile=Profile.OBSERVED) == []


def test_show_documented_profile_lists_optional_fields_with_descriptions() -> None:
    result = run("show", "store.deleted", "--profile", "documented")
    assert result.exit_code == 0
    assert "observed:    no (the observed profile falls back to the documented schema)" in result.stdout
    assert any(
        line.split()[:3] == ["StoreId", "integer", "optional"] for line in result.stdout.splitlines()
    ), result.stdout


def test_show_v3_event_in_event_shape() -> None:
    result = run("show", "sale.created.v1", "--shape", "event")
    assert result.exit_code == 0
    assert "(v3, closed beta)" in result.stdout
    assert "Fields (v3, event shape):" in result.stdout
    example = json.loads(result.stdout.split("Example (seed 0, v3, event shape):\n", 1)[1])
    assert example["detail-type"] == "sale.created.v1"
    assert validate(example, shape=V3Shape.EVENT) == []


def test_example_prints_one_json_document_deterministically() -> None:
    first = run("example", "order.created", "--seed", "7")
    assert first.exit_code == 0
    payload = json.loads(first.stdout)
    assert payload["Type"] == payload["Body"]["EventName"] == "order.created"
    assert run("example", "order.created", "--seed", "7").stdout == first.stdout
    assert run("example", "order.created", "--seed", "8").stdout != first.stdout


def test_example_count_prints_json_lines_valid_under_the_chosen_profile() -> None:
    result = run("example", "order.accepted", "--count", "3", "--profile", "documented")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    payloads = [json.loads(line) for line in lines]
    assert len({p["Body"]["FlipdishEventId"] for p in payloads}) == 3
    assert all(validate(p, profile=Profile.DOCUMENTED) == [] for p in payloads)
    single = json.loads(run("example", "order.accepted", "--seed", "1", "--profile", "documented").stdout)
    assert payloads[1] == single  # --count K uses seeds SEED..SEED+K-1


def test_example_v3_shapes() -> None:
    bare = json.loads(run("example", "menu.published.v1").stdout)
    event = json.loads(run("example", "menu.published.v1", "--shape", "event").stdout)
    assert "orgId" in bare
    assert event["detail-type"] == "menu.published.v1"


@pytest.mark.parametrize("command", ["show", "example"])
def test_unknown_event_exits_2_with_a_suggestion(command: str) -> None:
    result = run(command, "order.creatd")
    assert result.exit_code == 2
    assert "Error: unknown event 'order.creatd'; did you mean 'order.created'?" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "args", [["--count", "0"], ["--seed", "x"], ["--profile", "strict"], ["--shape", "x"]]
)
def test_bad_example_options_exit_2(args: list[str]) -> None:
    result = run("example", "order.created", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
