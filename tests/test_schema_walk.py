"""The one JSON-Schema walker the example plan, the Hypothesis compiler, the catalogue and the build share."""

from __future__ import annotations

from typing import cast

import pytest

from flipdish_sim.contracts._schema_walk import (
    RefError,
    accepts_type,
    any_of_branches,
    declared_types,
    json_type,
    merge,
    merge_all_of,
    non_null_branches,
    resolve,
)
from flipdish_sim.contracts.catalogue import Profile, cached_schema

NODE = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
ROOT: dict[str, object] = {
    "$defs": {"Node": NODE, "Alias": {"$ref": "#/$defs/Node"}, "Loop": {"$ref": "#/$defs/Loop"}}
}


def test_a_ref_with_annotations_only_is_its_target_itself_so_recursion_keeps_its_identity() -> None:
    assert resolve({"$ref": "#/$defs/Alias", "description": "an order"}, ROOT) is NODE


def test_asserting_siblings_are_merged_with_the_target() -> None:
    got = resolve({"$ref": "#/$defs/Node", "properties": {"b": {}}, "required": ["b"]}, ROOT)
    assert got["properties"] == {"a": {"type": "string"}, "b": {}}
    assert got["required"] == ["a", "b"]
    assert NODE["required"] == ["a"]  # the target is not changed


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"$ref": "https://example.com/s.json"}, "only local"),
        ({"$ref": "#/$defs/Missing"}, "does not resolve"),
        ({"$ref": "#/$defs/Loop"}, "longer than 64"),
    ],
)
def test_a_ref_that_cannot_be_followed_is_one_clear_error(schema: dict[str, object], message: str) -> None:
    with pytest.raises(RefError, match=message):
        resolve(schema, ROOT)


def test_all_of_is_merged_in_order_and_any_of_branches_take_their_siblings() -> None:
    merged = merge_all_of(
        {"allOf": [{"$ref": "#/$defs/Node"}, {"properties": {"b": {}}}], "title": "t"}, ROOT
    )
    assert merged == {"title": "t", **merge(NODE, {"properties": {"b": {}}})}
    branches = any_of_branches({"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}], "minLength": 1}, ROOT)
    assert branches == [{"minLength": 1, **NODE}, {"minLength": 1, "type": "null"}]
    assert any_of_branches({"anyOf": [{"$ref": "#/$defs/Node"}]}, ROOT)[0] is NODE


def test_non_null_branches_are_the_schemas_themselves() -> None:
    nullable = {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}], "description": "d"}
    assert non_null_branches(nullable, ROOT) == [NODE]
    assert non_null_branches(nullable, ROOT)[0] is NODE
    assert non_null_branches({"$ref": "#/$defs/Node"}, ROOT)[0] is NODE


def test_types() -> None:
    assert [json_type(v) for v in (None, True, 1, 1.5, "s", [], {}, b"")] == [
        "null",
        "boolean",
        "integer",
        "number",
        "string",
        "array",
        "object",
        "unknown",
    ]
    assert declared_types({"type": ["integer", "null"]}) == ("integer", "null")
    assert declared_types({"enum": [1]}) is None
    assert accepts_type(("number",), "integer")
    assert not accepts_type(("integer",), "number")
    assert accepts_type(None, "object")


def test_every_nullable_ref_in_the_catalogue_resolves() -> None:
    schema = cached_schema("order.created", Profile.OBSERVED)
    properties = cast(dict[str, dict[str, object]], schema["properties"])
    body = non_null_branches(properties["Body"], schema)
    assert len(body) == 1
    assert "Order" in cast(dict[str, object], body[0]["properties"])
