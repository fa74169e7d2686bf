from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from flipdish_sim.contracts import build
from flipdish_sim.contracts._openapi_models import refs
from flipdish_sim.contracts.catalogue import Profile, catalogue, load_schema

SCHEMAS = build.SCHEMAS_DIR
SCHEMA_FILES = sorted(p for p in SCHEMAS.rglob("*.json") if p.name != "catalogue.json")


@pytest.fixture(scope="module")
def built() -> dict[str, str]:
    return build.build_files(build.load_upstream())


def test_every_catalogue_event_has_its_schema_files() -> None:
    relative = {p.relative_to(SCHEMAS).as_posix() for p in SCHEMA_FILES}
    assert len(relative) == 131 * 2 + 11 * 2
    for spec in catalogue():
        if spec.family == "legacy":
            assert {f"documented/{spec.name}.json", f"observed/{spec.name}.json"} <= relative
        else:
            assert {f"v3/{spec.name}.properties.json", f"v3/{spec.name}.event.json"} <= relative


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.relative_to(SCHEMAS).as_posix())
def test_every_schema_file_is_a_valid_draft_2020_12_schema(path: Path) -> None:
    schema = json.loads(path.read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == build.DRAFT
    assert schema["$id"] == build.ID_BASE + path.relative_to(SCHEMAS).as_posix()
    build.check_keywords(schema, path.name)  # only generator-friendly keywords
    assert all(ref.startswith("#") for ref in refs(schema))  # local references only


def test_committed_schemas_do_not_drift_from_vendored_upstream(built: dict[str, str]) -> None:
    assert build.drift(built) == [], "run `flipdish-sim contracts build` and commit contracts/schemas"


def test_build_is_deterministic(built: dict[str, str]) -> None:
    assert build.build_files(build.load_upstream()) == built
    assert all(text.endswith("}\n") for text in built.values())


def test_drift_reports_changed_missing_and_stale_files(tmp_path: Path, built: dict[str, str]) -> None:
    subset = {k: v for k, v in built.items() if k.startswith("v3/")}
    build.write_files(subset, tmp_path)
    assert build.drift(subset, tmp_path) == []
    (tmp_path / "v3/menu.published.v1.event.json").write_text("{}\n", "utf-8")
    (tmp_path / "v3/menu.item.snoozed.v1.event.json").unlink()
    (tmp_path / "v3/stale.json").write_text("{}\n", "utf-8")
    assert build.drift(subset, tmp_path) == [
        "v3/menu.item.snoozed.v1.event.json",
        "v3/menu.published.v1.event.json",
        "v3/stale.json",
    ]
    build.write_files(subset, tmp_path)
    assert build.drift(subset, tmp_path) == []


def test_unsupported_keyword_fails_the_build() -> None:
    with pytest.raises(build.BuildError, match="'oneOf'"):
        build.check_keywords({"properties": {"a": {"oneOf": []}}}, "x.json")
    with pytest.raises(build.BuildError, match="'int64'"):
        build.check_keywords({"format": "int64"}, "x.json")


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(_walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_walk(value))
    return found


@pytest.mark.parametrize("name", ["order.created", "menu.updated", "store.updated"])
def test_observed_schemas_allow_new_fields(name: str) -> None:
    # zod strips unknown keys; it does not reject them, so neither do we.
    schema = load_schema(name, Profile.OBSERVED)
    assert all(node.get("additionalProperties") is not False for node in _walk(schema))
    assert all(
        node.get("additionalProperties") is not False for node in _walk(load_schema("sale.created.v1"))
    )


def test_documented_nullability_follows_dotnet_reference_and_value_types() -> None:
    order = load_schema("order.created")["$defs"]["Order"]["properties"]  # type: ignore[index]
    assert order["ChefNote"]["type"] == ["string", "null"]  # string: reference type
    assert order["Voucher"] == {"anyOf": [{"$ref": "#/$defs/OrderVoucherSummary"}, {"type": "null"}]}
    assert order["OrderItems"]["type"] == ["array", "null"]
    assert order["OrderId"]["type"] == "integer"  # int: value type
    assert order["InFraudZone"]["type"] == "boolean"
    assert order["DeliveryType"]["type"] == "string"  # enum: value type
    assert order["PlacedTime"]["type"] == "string"  # DateTime: value type
    assert order["RejectedByUserId"]["type"] == ["integer", "null"]  # int? declared nullable
    assert order["TableServiceCatagory"]["enum"][-1] is None  # enum? declared nullable
    assert (order["OrderId"]["minimum"], order["OrderId"]["maximum"]) == (-(2**31), 2**31 - 1)


def test_documented_schema_requires_no_model_field() -> None:
    schema = load_schema("store.updated")
    for name, model in schema["$defs"].items():  # type: ignore[union-attr]
        assert "required" not in model, name


def test_observed_falls_back_to_documented_when_no_body_was_observed() -> None:
    observed = load_schema("store.deleted", Profile.OBSERVED)
    documented = load_schema("store.deleted", Profile.DOCUMENTED)
    assert observed["$defs"] == documented["$defs"]
    assert "no production-observed body" in str(observed["description"])
