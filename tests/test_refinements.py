"""contracts.refinements: Flipdish's Zod checks the JSON-schema conversion lost are back in the contracts."""

from __future__ import annotations

import re

import pytest

from flipdish_sim.contracts import Profile, example, validate
from flipdish_sim.contracts.build import BuildError
from flipdish_sim.contracts.refinements import COUNTRY_CODE, DATE_TIME, TIME_OF_DAY, refine


@pytest.mark.parametrize(
    ("pattern", "good", "bad"),
    [
        # zeus TimeSchema: !val || /\d{2}:\d{2}:\d{2}/.test(val)
        (TIME_OF_DAY, ["", "23:30:00", "1.02:03:04", "at 09:00:00"], ["Counter", "9:00", "23:30"]),
        # zeus DateTimeSchema: !val || /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(val)
        (
            DATE_TIME,
            ["", "2026-01-01T12:00:00", "2026-01-01T12:00:00.123+01:00"],
            ["2026-01-01", "yesterday"],
        ),
        # isValidIso3166Alpha2: ISO_3166_1_ALPHA_2.has(code.toUpperCase())
        (COUNTRY_CODE, ["IE", "ie", "Gb", "XK"], ["ZZ", "UK", "IRL", "", "I"]),
    ],
)
def test_patterns_accept_exactly_what_the_zod_refinements_accept(
    pattern: str, good: list[str], bad: list[str]
) -> None:
    compiled = re.compile(pattern)  # JSON Schema "pattern": an unanchored ECMA-262 search
    assert [value for value in good if compiled.search(value) is None] == []
    assert [value for value in bad if compiled.search(value) is not None] == []


def test_refine_follows_refs_and_nullable_branches_without_touching_the_input() -> None:
    schema = {
        "type": "object",
        "properties": {
            "Old": {
                "type": "object",
                "properties": {"At": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
            },
            "New": {"$ref": "#/properties/Old"},
            "Hours": {"type": "array", "items": {"type": ["string", "null"]}},
        },
    }
    refined = refine(schema, {"/New/At": {"pattern": TIME_OF_DAY}, "/Hours/*": {"pattern": "x"}}, "test")
    assert refined["properties"]["Old"]["properties"]["At"]["anyOf"][0] == {
        "type": "string",
        "pattern": TIME_OF_DAY,
    }
    assert refined["properties"]["Hours"]["items"]["pattern"] == "x"
    assert "pattern" not in schema["properties"]["Old"]["properties"]["At"]["anyOf"][0]


@pytest.mark.parametrize(
    ("path", "message"), [("/Missing", "no schema at 'Missing'"), ("/Count", "non-string schema")]
)
def test_refine_fails_the_build_when_the_table_falls_out_of_step(path: str, message: str) -> None:
    schema = {"type": "object", "properties": {"Count": {"type": "number"}}}
    with pytest.raises(BuildError, match=message):
        refine(schema, {path: {"pattern": "x"}}, "test")


def test_the_issues_example_now_holds_a_time_of_day_and_its_contract_rejects_a_word() -> None:
    for seed in range(20):
        payload = example("store.preorder_config.updated", seed=seed, profile=Profile.OBSERVED)
        for config in ("PreOrderConfig", "OldPreOrderConfig"):
            value = payload["Body"][config]["CutOffTimeCurrentDayBasic"]  # type: ignore[index]
            assert value is None or re.fullmatch(r"\d{2}:\d{2}:00", value), value
    payload["Body"]["PreOrderConfig"]["CutOffTimeCurrentDayBasic"] = "Counter"  # type: ignore[index]
    issues = validate(payload, "store.preorder_config.updated", profile=Profile.OBSERVED)
    assert [issue.pointer for issue in issues] == ["/Body/PreOrderConfig/CutOffTimeCurrentDayBasic"]
