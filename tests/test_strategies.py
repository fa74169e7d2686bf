"""The schema-to-strategy compiler: what it generates validates, every keyword is honoured, edges appear."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample
from jsonschema import Draft202012Validator

from flipdish_sim.contracts.catalogue import Profile, V3Shape
from flipdish_sim.contracts.strategies import UnsupportedSchemaError, from_schema, payloads
from flipdish_sim.contracts.validate import validate
from flipdish_sim.errors import UnknownEventError

SEARCH = settings(max_examples=250, database=None, deadline=None, phases=[Phase.generate])  # no shrinking
DRAWS = settings(max_examples=60, database=None, deadline=None, phases=[Phase.generate], derandomize=True)
PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SPREAD = [
    ("order.created", Profile.OBSERVED, V3Shape.PROPERTIES),
    ("order.created", Profile.DOCUMENTED, V3Shape.PROPERTIES),
    ("order.refunded", Profile.OBSERVED, V3Shape.PROPERTIES),
    ("store.updated", Profile.DOCUMENTED, V3Shape.PROPERTIES),
    ("menu.updated", Profile.OBSERVED, V3Shape.PROPERTIES),
    ("customer.created", Profile.OBSERVED, V3Shape.PROPERTIES),
    ("webhook_subscription.created", Profile.DOCUMENTED, V3Shape.PROPERTIES),
    ("sale.created.v1", Profile.DOCUMENTED, V3Shape.PROPERTIES),
    ("sale.updated.v1", Profile.DOCUMENTED, V3Shape.EVENT),
    ("menu.published.v1", Profile.DOCUMENTED, V3Shape.PROPERTIES),
    ("sales_channel.snoozed.v1", Profile.DOCUMENTED, V3Shape.EVENT),
]


@pytest.mark.parametrize(("name", "profile", "shape"), SPREAD)
def test_generated_payloads_satisfy_the_contract(name: str, profile: Profile, shape: V3Shape) -> None:
    @PROPERTY
    @given(payloads(name, profile=profile, shape=shape))
    def check(payload: dict[str, object]) -> None:
        assert validate(payload, name, profile=profile, shape=shape) == []
        if not name.endswith(".v1"):  # legacy: a coherent envelope
            assert payload["Type"] == name
            body = payload.get("Body")
            if isinstance(body, dict) and "EventName" in body:
                assert body["EventName"] == name

    check()


def _observe(name: str, profile: Profile, facts: dict[str, Callable[[dict[str, object]], bool]]) -> set[str]:
    """Names of the facts that held for at least one of a fixed run of drawn payloads."""
    seen: set[str] = set()

    @DRAWS
    @given(payloads(name, profile=profile))
    def draw(payload: dict[str, object]) -> None:
        seen.update(fact for fact, holds in facts.items() if holds(payload))

    draw()
    return seen


def _order(p: dict[str, object]) -> dict[str, object]:
    body = p.get("Body")
    order = body.get("Order") if isinstance(body, dict) else None
    return order if isinstance(order, dict) else {}


def test_legacy_payloads_are_coherent_envelopes_with_edge_values() -> None:
    facts: dict[str, Callable[[dict[str, object]], bool]] = {
        "coherent": lambda p: p["Type"] == p["Body"]["EventName"] == "order.created",  # type: ignore[index]
        "pickup (null DeliveryLocation)": lambda p: _order(p).get("DeliveryLocation") is None,
        "no items": lambda p: _order(p).get("OrderItems") == [],
        "null Voucher": lambda p: _order(p).get("Voucher") is None,
        "Voucher present": lambda p: isinstance(_order(p).get("Voucher"), dict),
        "long unicode name": lambda p: len(str(_order(p).get("Store", {}).get("Name", ""))) >= 100,  # type: ignore[attr-defined]
    }
    assert _observe("order.created", Profile.OBSERVED, facts) == set(facts)


def _valid(schema: dict[str, object]) -> Callable[[object], bool]:
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validator.is_valid


RECURSIVE: dict[str, object] = {
    "$defs": {
        "node": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "maxLength": 3},
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
            "required": ["name"],
            "additionalProperties": False,
        }
    },
    "$ref": "#/$defs/node",
}

#: Zod's recursive ``.nullable()``: the recursion goes through an ``anyOf`` branch, not through items.
RECURSIVE_NULLABLE: dict[str, object] = {
    "$defs": {
        "sale": {
            "type": "object",
            "properties": {
                "id": {"type": "integer", "minimum": 0},
                "parent": {"anyOf": [{"$ref": "#/$defs/sale"}, {"type": "null"}]},
            },
            "required": ["id", "parent"],
        }
    },
    "anyOf": [{"$ref": "#/$defs/sale"}, {"type": "null"}],
}

KEYWORDS: dict[str, dict[str, object]] = {
    "type-list": {"type": ["integer", "null"]},
    "properties-required": {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
        "required": ["a"],
        "additionalProperties": False,
    },
    "additionalProperties-schema": {"type": "object", "additionalProperties": {"type": "boolean"}},
    "additionalProperties-false": {
        "type": "object",
        "properties": {"k": {"const": 1}},
        "additionalProperties": False,
    },
    "items-minItems-maxItems": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 3},
    "enum": {"type": "string", "enum": ["Delivery", "Pickup"]},
    "const": {"const": "order.created"},
    "anyOf": {"anyOf": [{"type": "string", "format": "uuid"}, {"type": "integer", "minimum": 10}]},
    "allOf": {
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
            {"properties": {"b": {"type": "null"}}, "required": ["b"]},
        ]
    },
    "ref-recursive": RECURSIVE,
    "ref-recursive-nullable": RECURSIVE_NULLABLE,
    "minimum-maximum": {"type": "integer", "minimum": -3, "maximum": 7},
    "exclusive-bounds": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    "int32": {"type": "integer", "format": "int32"},
    "minLength-maxLength": {"type": "string", "minLength": 2, "maxLength": 4},
    "pattern": {"type": "string", "pattern": "^org\\d+$"},
    "format-date-time": {"type": "string", "format": "date-time"},
    "format-uuid": {"type": "string", "format": "uuid"},
    "format-email": {"type": "string", "format": "email"},
    "format-uri": {"type": "string", "format": "uri"},
    "format-date": {"type": "string", "format": "date"},
    "nullable-anyOf-ref": {
        "$defs": {"C": {"type": "object", "properties": {"Latitude": {"type": "number"}}}},
        "anyOf": [{"$ref": "#/$defs/C"}, {"type": "null"}],
    },
}


@pytest.mark.parametrize("keyword", list(KEYWORDS))
def test_compiler_output_validates_for_each_keyword(keyword: str) -> None:
    schema = KEYWORDS[keyword]
    is_valid = _valid(schema)

    @settings(max_examples=40, deadline=None)
    @given(from_schema(schema))
    def check(value: object) -> None:
        assert is_valid(value), value

    check()


# The regression twin: for each keyword, a search for a violating value must come back empty.
VIOLATIONS: list[tuple[str, Callable[[object], bool]]] = [
    ("type-list", lambda v: not (v is None or isinstance(v, int))),
    ("properties-required", lambda v: isinstance(v, dict) and ("a" not in v or set(v) - {"a", "b"} != set())),
    (
        "additionalProperties-schema",
        lambda v: isinstance(v, dict) and any(not isinstance(x, bool) for x in v.values()),
    ),
    ("items-minItems-maxItems", lambda v: isinstance(v, list) and not 2 <= len(v) <= 3),
    ("enum", lambda v: v not in ("Delivery", "Pickup")),
    ("minimum-maximum", lambda v: isinstance(v, int) and not -3 <= v <= 7),
    ("exclusive-bounds", lambda v: isinstance(v, int | float) and not 0 < v < 1),
    ("int32", lambda v: isinstance(v, int) and not -(2**31) <= v < 2**31),
    ("minLength-maxLength", lambda v: isinstance(v, str) and not 2 <= len(v) <= 4),
    ("pattern", lambda v: not _valid(KEYWORDS["pattern"])(v)),
    ("format-date-time", lambda v: not _valid(KEYWORDS["format-date-time"])(v)),
]


@pytest.mark.parametrize(("keyword", "violates"), VIOLATIONS, ids=[k for k, _ in VIOLATIONS])
def test_no_value_violates_the_keyword(keyword: str, violates: Callable[[object], bool]) -> None:
    with pytest.raises(NoSuchExample):
        find(from_schema(KEYWORDS[keyword]), violates, settings=SEARCH)


EDGES: list[tuple[dict[str, object], Callable[[object], bool]]] = [
    ({"type": ["string", "null"]}, lambda v: v is None),
    ({"type": "array", "items": {"type": "integer"}}, lambda v: v == []),
    ({"type": "string"}, lambda v: isinstance(v, str) and len(v) >= 200 and not v.isascii()),
    ({"type": "integer", "format": "int32"}, lambda v: v == 2**31 - 1),
    ({"type": "integer", "format": "int32"}, lambda v: v == -(2**31)),
    ({"type": "number"}, lambda v: isinstance(v, float) and abs(v) > 1e300),
    ({"type": "integer", "minimum": 5, "maximum": 9}, lambda v: v == 9),
    ({"type": "object", "properties": {"a": {"type": "integer"}}}, lambda v: v == {}),
    (
        {"type": "object", "properties": {"a": {"type": "integer"}}},
        lambda v: isinstance(v, dict) and "a" in v,
    ),
    ({"type": "string", "format": "date-time"}, lambda v: isinstance(v, str) and v.endswith("Z")),
    (RECURSIVE, lambda v: "[{'name'" in repr(v) and repr(v).count("children") >= 3),
    (RECURSIVE_NULLABLE, lambda v: repr(v).count("'parent': {") >= 2),
]


@pytest.mark.parametrize(("schema", "edge"), EDGES)
def test_edge_values_appear(schema: dict[str, object], edge: Callable[[object], bool]) -> None:
    found = find(from_schema(schema), edge, settings=SEARCH)
    assert _valid(schema)(found)


@pytest.mark.parametrize(
    "schema",
    [
        {"oneOf": [{"type": "string"}]},
        {"not": {"type": "string"}},
        {"type": "object", "patternProperties": {}},
        {"$ref": "https://example.com/schema.json"},
        {"type": "string", "format": "ipv4"},
        {"$ref": "#/$defs/missing"},
    ],
)
def test_unsupported_schemas_are_refused_not_guessed(schema: dict[str, object]) -> None:
    with pytest.raises(UnsupportedSchemaError):
        find(from_schema(schema), lambda _: True, settings=SEARCH)


def test_boolean_schemas_and_unknown_events() -> None:
    assert find(from_schema(True), lambda v: isinstance(v, dict), settings=SEARCH) is not None
    assert from_schema(False).is_empty
    assert from_schema({"type": "object", "properties": {"x": False}, "required": ["x"]}).is_empty
    with pytest.raises(UnknownEventError):
        payloads("order.eaten")


@given(st.data())
@PROPERTY
def test_payloads_are_cached_and_reusable(data: st.DataObject) -> None:
    strategy = payloads("customer.updated", profile=Profile.DOCUMENTED)
    assert strategy is payloads("customer.updated", profile=Profile.DOCUMENTED)
    assert validate(data.draw(strategy), "customer.updated") == []
