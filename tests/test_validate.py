from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flipdish_sim.contracts.catalogue import Profile, V3Shape
from flipdish_sim.contracts.validate import ValidationIssue, check, event_of, parse_documents, validate
from flipdish_sim.errors import ContractViolationError, PayloadError, UnknownEventError, UsageError

SAMPLE_PATH = Path(__file__).parent / "data" / "sample-order.created-webhook.recruiting.json"

#: Every field Flipdish's 2020 recruiting sample lacks under the observed (production) contract.
MISSING_UNDER_OBSERVED = {
    "/Body/IpAddress",
    "/Body/OrgId",
    "/Body/Order/Channel",
    "/Body/Order/ChannelOrderDisplayId",
    "/Body/Order/ChannelOrderId",
    "/Body/Order/CreatedCampaignVoucherId",
    "/Body/Order/Customer/LanguagePreference",
    "/Body/Order/DeliveryFeeAreaId",
    "/Body/Order/FulfillmentStatus",
    "/Body/Order/OrderBatchInfo",
    "/Body/Order/OrderDropOffLocation",
    "/Body/Order/OrderItems/0/DepositReturnFee",
    "/Body/Order/OrderItems/0/TaxAmount",
    *(
        f"/Body/Order/OrderItems/0/OrderItemOptions/{i}/{f}"
        for i in range(8)
        for f in ("DepositReturnFee", "TaxAmount")
    ),
    "/Body/Order/ReceiptCode",
    "/Body/Order/ServiceChargeAmount",
    "/Body/Order/ServiceChargePercentage",
    "/Body/Order/Store/CountryCode",
    "/Body/Order/Store/PrettyAddress",
    "/Body/Order/Store/PropertyId",
    "/Body/Order/Store/StoreIanaTimezone",
    "/Body/Order/Store/TaxId",
    "/Body/Order/TaxItems",
    "/Body/Order/TotalDepositReturnFeeAmount",
}


@pytest.fixture
def sample() -> dict[str, Any]:
    raw = SAMPLE_PATH.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the upstream file carries a UTF-8 BOM
    return json.loads(raw.decode("utf-8-sig"))


def test_recruiting_sample_is_valid_under_documented(sample: dict[str, Any]) -> None:
    assert validate(sample) == []
    check(sample)  # does not raise


def test_recruiting_sample_reports_exactly_the_fields_it_lacks_under_observed(sample: dict[str, Any]) -> None:
    issues = validate(sample, profile=Profile.OBSERVED)
    required = {i.pointer for i in issues if i.message.endswith("is a required property")}
    assert required == MISSING_UNDER_OBSERVED
    for issue in issues:
        if issue.pointer in MISSING_UNDER_OBSERVED:
            assert issue.message == f"'{issue.pointer.rsplit('/', 1)[1]}' is a required property"
    # the one non-missing finding: production never sends DropOffLocation as null
    assert [i for i in issues if i.pointer not in MISSING_UNDER_OBSERVED] == [
        ValidationIssue("/Body/Order/DropOffLocation", "None is not of type 'string'")
    ]


def test_issues_are_sorted_by_pointer_with_array_indices_in_numeric_order(sample: dict[str, Any]) -> None:
    sample["Body"]["Order"]["OrderItems"] = [sample["Body"]["Order"]["OrderItems"][0]] * 11
    issues = validate(sample, profile=Profile.OBSERVED)
    items = [
        i.pointer
        for i in issues
        if i.pointer.startswith("/Body/Order/OrderItems/") and "Options" not in i.pointer
    ]
    assert items[-2:] == ["/Body/Order/OrderItems/10/DepositReturnFee", "/Body/Order/OrderItems/10/TaxAmount"]
    assert items[2:4] == ["/Body/Order/OrderItems/1/DepositReturnFee", "/Body/Order/OrderItems/1/TaxAmount"]


def test_every_error_is_reported_with_its_pointer(sample: dict[str, Any]) -> None:
    sample["Body"]["Order"]["OrderId"] = None
    sample["Body"]["Order"]["DeliveryType"] = "Drone"
    sample["Body"]["Order"]["Voucher"] = {"Amount": "five"}
    sample["Body"]["CreateTime"] = "yesterday"
    sample["Body"]["FlipdishEventId"] = "not-a-guid"
    sample["Type"] = "order.accepted"
    issues = validate(sample, "order.created")
    assert [(i.pointer, i.message) for i in issues] == [
        ("/Body/CreateTime", "'yesterday' is not a 'date-time'"),
        ("/Body/FlipdishEventId", "'not-a-guid' is not a 'uuid'"),
        ("/Body/Order/DeliveryType", "'Drone' is not one of ['Delivery', 'Pickup']"),
        ("/Body/Order/OrderId", "None is not of type 'integer'"),
        ("/Body/Order/Voucher/Amount", "'five' is not of type 'number'"),
        ("/Type", "'order.created' was expected"),
    ]


def test_nullable_reference_accepts_null_and_reports_inside_a_present_object(sample: dict[str, Any]) -> None:
    sample["Body"]["Order"]["DeliveryLocation"] = None
    assert validate(sample) == []
    sample["Body"]["Order"]["DeliveryLocation"] = {"Coordinates": {"Latitude": "north"}}
    assert validate(sample) == [
        ValidationIssue(
            "/Body/Order/DeliveryLocation/Coordinates/Latitude", "'north' is not of type 'number'"
        )
    ]


def test_documented_profile_allows_fields_flipdish_adds_later(sample: dict[str, Any]) -> None:
    sample["Body"]["Order"]["BrandNewField"] = {"x": 1}
    sample["Extra"] = True
    assert validate(sample) == []


def test_check_raises_contract_violation_carrying_every_issue(sample: dict[str, Any]) -> None:
    with pytest.raises(
        ContractViolationError, match=r"^order\.created \(observed\): /Body/IpAddress: "
    ) as caught:
        check(sample, profile=Profile.OBSERVED)
    assert len(caught.value.errors) == len(validate(sample, profile=Profile.OBSERVED))
    assert "more)" in str(caught.value)


def test_date_time_format_is_enforced() -> None:
    envelope = {"Type": "customer.created", "CreateTime": "yesterday", "Body": {}}
    assert validate(envelope) == [ValidationIssue("/CreateTime", "'yesterday' is not a 'date-time'")]
    envelope["CreateTime"] = "2020-02-30T10:00:00Z"
    assert validate(envelope) == [
        ValidationIssue("/CreateTime", "'2020-02-30T10:00:00Z' is not a 'date-time'")
    ]
    envelope["CreateTime"] = "2020-11-01T10:00:00.000Z"
    assert validate(envelope) == []


@pytest.mark.parametrize(
    ("value", "documented_ok"),
    [
        ("2020-11-01T10:00:00.000Z", True),
        ("2020-11-01T10:00:00+01:00", True),
        ("2017-12-15T12:00:00", True),  # .NET DateTime without offset, as in Flipdish's docs examples
        ("0001-01-01T00:00:00", True),
        ("2020-11-01T10:00:00.1234567", True),
        ("2020-11-01 10:00:00", False),
        ("2020-13-01T10:00:00", False),
        ("", False),
    ],
)
def test_documented_date_time_accepts_dotnet_offsetless_form_observed_does_not(
    value: str, documented_ok: bool
) -> None:
    body = {"User": {"UserId": 1}, "CreateTime": value}
    envelope = {"Type": "customer.created", "CreateTime": "2020-11-01T10:00:00Z", "Body": body}
    assert (validate(envelope) == []) is documented_ok
    observed_ok = value.endswith("Z") or value.endswith("+01:00")
    observed = [
        i.pointer for i in validate(envelope, profile=Profile.OBSERVED) if i.pointer == "/Body/CreateTime"
    ]
    assert (observed == []) is observed_ok


#: Body examples from Flipdish's legacy webhook docs pages (FACTS.md §2.3), wrapped in the envelope.
DOC_EXAMPLES = {
    "customer.created": {
        "EventName": "customer.created",
        "WhiteLabelId": 1,
        "User": {
            "UserId": 1234,
            "UserName": "JohnDoe",
            "UserPhoneNumber": "0818204488",
            "UserEmail": "[email protected]",
        },
        "Description": "User with Id 123 has been created for white label 456",
        "FlipdishEventId": "00000000-0000-0000-0000-000000000000",
        "CreateTime": "0001-01-01T00:00:00",
        "Position": 0,
    },
    "customer.consent.updated": {
        "EventName": "customer.consent.updated",
        "Enabled": False,
        "User": {
            "UserId": 1234,
            "UserName": "JohnDoe",
            "UserPhoneNumber": "0818204488",
            "UserEmail": "[email protected]",
        },
        "FlipdishEventId": "00000000-0000-0000-0000-000000000000",
        "CreateTime": "0001-01-01T00:00:00",
        "Position": 0,
    },
    "store.created": {
        "EventName": "store.created",
        "StoreId": 1234,
        "User": {
            "UserId": 1234,
            "UserName": "JohnDoe",
            "UserPhoneNumber": "0818204488",
            "UserEmail": "[email protected]",
        },
        "Description": "1234 created a store",
        "FlipdishEventId": "1a92aaa3-59f4-4944-b868-a88cad0e291a",
        "CreateTime": "0001-01-01T00:00:00",
        "Position": 0,
    },
    "webhook_subscription.created": {
        "EventName": "webhook_subscription.created",
        "WebhookSubscriptionEventInfo": {"OwnerUserId": 0, "WebhookSubscriptionId": 0},
        "FlipdishEventId": "1a92aaa3-59f4-4944-b868-a88cad0e291a",
        "CreateTime": "0001-01-01T00:00:00",
        "Position": 0,
    },
}


@pytest.mark.parametrize("event", sorted(DOC_EXAMPLES))
def test_flipdish_docs_examples_are_valid_under_documented(event: str) -> None:
    envelope = {"Type": event, "CreateTime": "2020-11-01T10:00:00Z", "Body": DOC_EXAMPLES[event]}
    assert validate(envelope) == []
    assert (
        validate(envelope, profile=Profile.OBSERVED) != []
    )  # production bodies carry more (AppId, OrgId, ...)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([1, 2], "payload is a JSON array, not an object"),
        ("order.created", "payload is a JSON string, not an object"),
        ({"Body": {}}, "payload has no 'Type'"),
        ({"Type": 7, "Body": {}}, "payload 'Type' is a JSON number"),
        ({"orgId": "org1"}, "pass --event NAME"),
    ],
)
def test_payload_that_does_not_name_its_event_is_a_usage_error(payload: object, message: str) -> None:
    with pytest.raises(PayloadError, match=message) as caught:
        validate(payload)
    assert isinstance(caught.value, UsageError)


def test_unknown_event_raises_unknown_event_error() -> None:
    with pytest.raises(UnknownEventError, match=r"did you mean 'order\.created'"):
        validate({"Type": "order.creatd", "CreateTime": "2020-01-01T00:00:00Z", "Body": {}})
    with pytest.raises(UnknownEventError):
        validate({}, "nope.nope")


def test_explicit_event_validates_a_non_object_as_a_type_error() -> None:
    assert validate([], "order.created") == [ValidationIssue("", "[] is not of type 'object'")]


def _menu_properties() -> dict[str, Any]:
    return {
        "orgId": "org123",
        "brandId": "br1",
        "propertyId": "p1",
        "salesChannelId": "sc1",
        "menuId": "m1",
        "menuRevisionId": "r1",
    }


def test_v3_properties_shape_needs_the_event_and_reports_missing_members() -> None:
    issues = validate({"orgId": "org123"}, "menu.item.snoozed.v1")
    assert issues
    assert all(i.message.endswith("is a required property") for i in issues)
    assert ValidationIssue("/brandId", "'brandId' is a required property") in issues
    bad = [i for i in validate({"orgId": "bad"}, "menu.item.snoozed.v1") if i.pointer == "/orgId"]
    assert bad == [ValidationIssue("/orgId", "'bad' does not match '^org\\\\d+$'")]


def test_v3_event_shape_takes_the_event_from_detail_type() -> None:
    event = {
        "source": "flipdish",
        "detail-type": "menu.item.snoozed.v1",
        "detail": {"properties": {}, "metadata": {}},
    }
    issues = validate(event, shape=V3Shape.EVENT)
    assert issues
    assert all(i.pointer.startswith("/detail/") for i in issues)
    assert event_of(event, V3Shape.EVENT) == "menu.item.snoozed.v1"
    with pytest.raises(PayloadError):
        event_of(event, V3Shape.PROPERTIES)


def test_recursive_v3_sale_schema_validates_nested_modifiers() -> None:
    issues = validate(
        {"sale": {"items": [{"modifierItems": [{"modifierItems": [{"modifierItems": [7]}]}]}]}},
        "sale.created.v1",
    )
    deep = [
        i
        for i in issues
        if i.pointer.startswith("/sale/items/0/modifierItems/0/modifierItems/0/modifierItems/0")
    ]
    assert deep, issues


def test_parse_documents_reads_one_document_with_bom() -> None:
    raw = SAMPLE_PATH.read_bytes()
    [(line, payload)] = parse_documents(raw, "sample")
    assert line == 1
    assert isinstance(payload, dict)
    assert payload["Type"] == "order.created"


def test_parse_documents_reads_json_lines_with_line_numbers() -> None:
    data = b'\xef\xbb\xbf{"a": 1}\n\n{"b": 2}\n[3]\n'
    assert parse_documents(data) == [(1, {"a": 1}), (3, {"b": 2}), (4, [3])]


def test_parse_documents_reads_a_pretty_printed_document() -> None:
    assert parse_documents(b'\n{\n "a": [\n  1\n ]\n}\n') == [(2, {"a": [1]})]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "x: empty input"),
        (b" \n\t\n", "x: empty input"),
        (b"\xef\xbb\xbf", "x: empty input"),
        (b"not json", "x: line 1: not JSON"),
        (b'{"a": 1}\n{"b": \n', "x: line 2: not JSON"),
        # Python 3.13 reports a trailing comma on its own line, earlier versions on the next token's
        (b'{\n "a": 1,\n}\n', f"x: line {2 if sys.version_info >= (3, 13) else 3}: not JSON"),
        (b"\xff\xfe{}", "x: not UTF-8"),
    ],
)
def test_parse_documents_rejects_unreadable_input_clearly(data: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        parse_documents(data, "x")


@given(st.dictionaries(st.text(max_size=5), st.none() | st.integers() | st.text(max_size=5), max_size=5))
def test_validate_never_crashes_and_returns_sorted_issues(body: dict[str, object]) -> None:
    envelope = {"Type": "order.created", "CreateTime": "2020-11-01T10:00:00Z", "Body": {"Order": body}}
    for profile in Profile:
        issues = validate(copy.deepcopy(envelope), profile=profile)
        assert all(i.pointer.startswith("/Body/") for i in issues)
        assert len(set(issues)) == len(issues)
        assert validate(envelope, profile=profile) == issues  # deterministic order
