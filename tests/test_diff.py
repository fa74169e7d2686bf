from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flipdish_sim.contracts.build import UPSTREAM_DIR, UPSTREAM_FILES
from flipdish_sim.contracts.diff import diff_specs, models_of
from flipdish_sim.errors import PayloadError

DATA = Path(__file__).parent / "data"


def _spec(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"spec-{name}.openapi.json").read_text("utf-8"))


def test_synthetic_specs_differ_field_by_field() -> None:
    lines = [change.line for change in diff_specs(_spec("old"), _spec("new")).changes]
    assert lines == [
        "~ Order.ChefNote: type string -> integer",
        "- Order.Legacy",
        "~ Order.OrderId: format int32 -> int64",
        "+ Order.ReceiptCode (string)",
        "~ Order.TableServiceCatagory: enum + Team",
        "~ Order.TableServiceCatagory: enum - Gate",
        "+ Order.TaxItems (array<TaxItem>)",
        "~ Order.TipAmount: nullable false -> true",
        "~ Order: required + OrderId",
        "- Retired (model)",
        "- StoreSummary.Foo",
        "+ TaxItem (model)",
    ]


def test_changes_name_the_events_that_carry_the_model() -> None:
    result = diff_specs(_spec("old"), _spec("new"))
    by_model = {change.model: change.events for change in result.changes}
    assert by_model["Order"] == ("order.created",)
    assert by_model["StoreSummary"] == (
        "order.created",
    )  # nested: OrderCreatedEvent -> Order -> StoreSummary
    assert by_model["Retired"] == ()
    assert result.by_event() == {"order.created": ("Order", "StoreSummary", "TaxItem")}


def test_identical_specs_have_no_differences() -> None:
    spec = json.loads((UPSTREAM_DIR / UPSTREAM_FILES["openapi"]).read_text("utf-8"))
    result = diff_specs(spec, copy.deepcopy(spec))
    assert not result
    assert result.as_dict() == {"changes": [], "events": {}}


def test_a_real_model_change_reaches_every_order_event() -> None:
    old = json.loads((UPSTREAM_DIR / UPSTREAM_FILES["openapi"]).read_text("utf-8"))
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Coordinates"]["properties"]["Altitude"] = {
        "type": "number",
        "format": "double",
    }
    [change] = diff_specs(old, new).changes
    assert change.line == "+ Coordinates.Altitude (number(double))"
    assert {"order.created", "order.accepted", "store.updated"} <= set(change.events)


def test_array_item_enum_changes_are_reported() -> None:
    old = {
        "definitions": {
            "Store": {"properties": {"Tags": {"type": "array", "items": {"type": "string", "enum": ["A"]}}}}
        }
    }
    new = copy.deepcopy(old)
    new["definitions"]["Store"]["properties"]["Tags"]["items"]["enum"].append("B")
    assert [c.line for c in diff_specs(old, new).changes] == ["~ Store.Tags: enum + B"]


def test_json_form_lists_changes_and_events() -> None:
    document = diff_specs(_spec("old"), _spec("new")).as_dict()
    first = document["changes"][0]  # type: ignore[index]
    assert first == {
        "kind": "type-changed",
        "model": "Order",
        "field": "ChefNote",
        "detail": "type string -> integer",
        "line": "~ Order.ChefNote: type string -> integer",
        "events": ["order.created"],
    }


@pytest.mark.parametrize("spec", [{}, [], {"components": {}}, {"components": {"schemas": {"A": 1}}}, "x"])
def test_a_document_without_models_is_a_payload_error(spec: object) -> None:
    with pytest.raises(PayloadError, match="not an OpenAPI/Swagger document"):
        models_of(spec)


_FIELD = st.fixed_dictionaries(
    {"type": st.sampled_from(["string", "integer", "number", "boolean"])},
    optional={
        "nullable": st.booleans(),
        "enum": st.lists(st.sampled_from(["A", "B", "C"]), unique=True, max_size=3),
    },
)
_MODELS = st.dictionaries(
    st.sampled_from(["Order", "StoreSummary", "TaxItem", "Channel"]),
    st.fixed_dictionaries(
        {"properties": st.dictionaries(st.sampled_from(["Id", "Name", "Rate", "Kind"]), _FIELD)}
    ),
)


@given(_MODELS, _MODELS)
def test_diff_is_empty_on_itself_and_mirrors_when_reversed(
    old_models: dict[str, Any], new_models: dict[str, Any]
) -> None:
    old, new = {"components": {"schemas": old_models}}, {"components": {"schemas": new_models}}
    assert not diff_specs(old, copy.deepcopy(old))
    forward = [c.kind for c in diff_specs(old, new).changes]
    backward = [c.kind for c in diff_specs(new, old).changes]
    mirror = {"added": "removed", "removed": "added"}
    flipped = sorted(
        k.rsplit("-", 1)[0] + "-" + mirror.get(k.rsplit("-", 1)[1], k.rsplit("-", 1)[1]) for k in forward
    )
    assert flipped == sorted(backward)
