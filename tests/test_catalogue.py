from __future__ import annotations

import pytest

from flipdish_sim.contracts.catalogue import (
    EventSpec,
    Family,
    Profile,
    Provenance,
    V3Shape,
    catalogue,
    get_event,
    load_schema,
)
from flipdish_sim.errors import UnknownEventError, UsageError

V3_NAMES = {
    "menu.published.v1",
    "menu.validation.failed.v1",
    "menu.item.snoozed.v1",
    "menu.item.unsnoozed.v1",
    "sales_channel.snoozed.v1",
    "sales_channel.unsnoozed.v1",
    "sales_channel.snoozed_menu_items.updated.v1",
    "sale.accepted.v1",
    "sale.created.v1",
    "sale.updated.v1",
    "sale.status.updated.v1",
}


def test_catalogue_holds_131_legacy_and_11_v3_events_sorted_by_name() -> None:
    everything = catalogue()
    assert len(catalogue(Family.LEGACY)) == 131
    assert {spec.name for spec in catalogue(Family.V3)} == V3_NAMES
    assert len(everything) == 142
    assert [spec.name for spec in everything] == sorted(spec.name for spec in everything)
    assert all(isinstance(spec, EventSpec) and spec.description for spec in everything)


@pytest.mark.parametrize(
    "name",
    [
        "hydra.conection_status_changed",
        "website.vanityUrl.updated",
        "order.deliverytracking.status.updated",
        "cardreaders.kiosk.terminalactionstatechanged",
        "cardreaders.kiosk.bluetooth.terminalactionstatechanged",
        "order.terminal.notification",
    ],
)
def test_catalogue_keeps_flipdish_spellings_exactly(name: str) -> None:
    assert get_event(name).name == name


@pytest.mark.parametrize(
    ("name", "model", "provenance", "observed"),
    [
        ("order.created", "OrderCreatedEvent", Provenance.DOCUMENTED, True),
        ("webhook_subscription.deleted", "WebhookSubscriptionDeletedEvent", Provenance.DOCUMENTED, True),
        ("menu.updated", "MenuUpdatedEvent", Provenance.CLIENT_REGISTERED, True),
        ("order.terminal.notification", "EmvNotificationEvent", Provenance.CLIENT_REGISTERED, True),
        ("catalog.item.created", "CatalogItemCreatedEvent", Provenance.INFERRED, True),
        ("website.vanityUrl.updated", "WebsiteVanityUrlUpdatedEvent", Provenance.CLIENT_REGISTERED, True),
        ("store.deleted", "StoreDeletedEvent", Provenance.DOCUMENTED, False),
        ("sale.created.v1", "SaleCreatedV1", Provenance.DOCUMENTED, True),
    ],
)
def test_event_carries_model_provenance_and_observed_flag(
    name: str, model: str, provenance: Provenance, observed: bool
) -> None:
    spec = get_event(name)
    assert (spec.model, spec.provenance, spec.observed) == (model, provenance, observed)


def test_provenance_counts_match_the_upstream_name_list() -> None:
    legacy = catalogue(Family.LEGACY)
    assert sum(spec.provenance is Provenance.DOCUMENTED for spec in legacy) == 12
    assert sum(spec.provenance is Provenance.INFERRED for spec in legacy) == 17
    assert sum(spec.provenance is Provenance.CLIENT_REGISTERED for spec in legacy) == 102
    assert sum(not spec.observed for spec in legacy) == 23


def test_sale_events_are_described_as_closed_beta() -> None:
    assert "closed beta" in get_event("sale.status.updated.v1").description
    assert "closed beta" not in get_event("menu.published.v1").description


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [("order.creatd", "order.created"), ("website.vanityurl.updated", "website.vanityUrl.updated")],
)
def test_unknown_event_is_a_usage_error_with_a_suggestion(typo: str, suggestion: str) -> None:
    with pytest.raises(UnknownEventError, match=f"did you mean '{suggestion}'") as caught:
        get_event(typo)
    assert isinstance(caught.value, UsageError)
    assert caught.value.name == typo


def test_unknown_event_without_a_close_match_points_at_events_list() -> None:
    with pytest.raises(UnknownEventError, match="flipdish-sim events list"):
        get_event("zzz")


def test_legacy_schema_is_the_envelope_with_type_pinned_to_the_event() -> None:
    for profile in Profile:
        schema = load_schema("order.created", profile)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"https://flipdish-sim.invalid/schemas/{profile}/order.created.json"
        properties = schema["properties"]
        assert isinstance(properties, dict)
        assert properties["Type"]["const"] == "order.created"
        assert schema["required"] == ["Type", "CreateTime", "Body"]


def test_v3_schema_shape_selects_properties_object_or_whole_event() -> None:
    bare = load_schema("menu.published.v1", shape=V3Shape.PROPERTIES)
    event = load_schema("menu.published.v1", shape=V3Shape.EVENT)
    assert "orgId" in bare["properties"]  # type: ignore[operator]
    assert set(event["properties"]) == {"source", "detail-type", "detail"}  # type: ignore[arg-type]
    assert load_schema("menu.published.v1", Profile.OBSERVED) == bare


def test_load_schema_returns_a_copy_callers_may_change() -> None:
    schema = load_schema("order.created")
    schema["title"] = "changed"
    assert load_schema("order.created")["title"] == "order.created (documented)"


def test_load_schema_of_unknown_event_raises() -> None:
    with pytest.raises(UnknownEventError):
        load_schema("order.nope")
