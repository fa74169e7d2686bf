"""Builder hints for whole payloads: the legacy envelope and base fields, and v3 bodies.

A hint is a partial payload; the filler keeps what fits the contract and invents the rest from field names.
"""

from __future__ import annotations

import re
from functools import cache

from ..catalogue import EventSpec, V3Shape
from ._fill import Filler
from ._menu import menu_json, menu_v3, service_charge
from ._order import OrderFacts, draft_order, stable_uuid
from ._order_json import order_body, user_info
from ._sale import sale_properties
from ._timestamps import iso

__all__ = ["legacy_hint", "v3_hint"]

ORDER_EVENTS = frozenset(
    {
        "order.created",
        "order.accepted",
        "order.dispatched",
        "order.rejected",
        "order.refunded",
        "order.tip.updated",
        "order.rating.updated",
        "order.deliverytracking.status.updated",
        "order.terminal.notification",
    }
)
_CUSTOMER_EVENTS = ("customer.", "user.", "login.")


def legacy_hint(spec: EventSpec, f: Filler, order: OrderFacts | None = None) -> dict[str, object]:
    """Envelope ``{Type, CreateTime, Body}`` with the base fields every body carries (FACTS.md §2.1, §2.4)."""
    scene, stamp = f.scene, iso(f.scene.at)
    body: dict[str, object] = {
        "EventName": spec.name,
        "FlipdishEventId": f.uuid(),
        "CreateTime": stamp,
        "Position": 0,
        "AppId": scene.app_id,
        "OrgId": scene.org_id,
        "Description": "" if spec.name in ORDER_EVENTS else _describe(spec.name, f),  # order_body's
        "ActivityId": f.uuid(),
        "ActivityType": _activity_type(spec.name),
    }
    customer_side = spec.name.startswith(_CUSTOMER_EVENTS)
    body["User"] = user_info(f, staff=not customer_side)
    if spec.name in ORDER_EVENTS:
        body.update(order_body(spec.name, order or draft_order(f), f, scene.at))
    elif spec.name == "voucher.applied":
        draft = order or draft_order(f)
        body.update(OrderId=draft.order_id, VoucherId=f.rng.randint(100_000, 9_999_999))
    elif spec.name == "order.fulfillment.status.updated":
        status = f.rng.choice(
            (("ready", "Ready for collection"), ("preparing", "Preparing"), ("done", "Completed"))
        )
        body.update(OrderId=(order or draft_order(f)).order_id, StatusId=status[0], StatusName=status[1])
    elif spec.name.startswith("menu"):
        body["Menu"] = menu_json(f)
    elif spec.name == "customer.consent.updated":
        body["Enabled"] = f.rng.random() < 0.5
    return {"Type": spec.name, "CreateTime": stamp, "Body": body}


@cache
def _activity_type(name: str) -> str:
    return "".join(w.capitalize() for w in re.split(r"[._]", name))


def _describe(name: str, f: Filler) -> str:
    scene = f.scene
    *nouns, verb = name.replace("_", " ").split(".")
    noun = " ".join(nouns)
    if name.startswith(_CUSTOMER_EVENTS):
        return f"User with Id {scene.customer_id} has been {verb} for app {scene.app_id}"
    if noun.startswith("store"):
        return f"{scene.staff.name} {verb} {noun} of {scene.store.name} ({scene.store_id})"
    return f"{scene.staff.name} {verb} {noun}"


def v3_hint(spec: EventSpec, f: Filler, shape: V3Shape) -> dict[str, object]:
    """The v3 ``detail.properties`` object, wrapped in the EventBridge-style event for ``V3Shape.EVENT``."""
    scene = f.scene
    props: dict[str, object] = {
        "orgId": scene.org_id,
        "brandId": f"b{scene.store_group_id}",
        "propertyId": scene.property_id,
        "salesChannelId": str(scene.store_id),
        "propertyCountryCode": scene.store.country,
        "currency": scene.store.currency,
        "menuRevisionId": f.rng.randint(1, 400),
    }
    if spec.name.startswith("sale."):
        props.update(sale_properties(spec.name, f))
    elif spec.name.startswith("menu."):
        props.update(menu=menu_v3(f), charges=[service_charge(scene)], menuId=stable_uuid(scene, "menu"))
    if shape is V3Shape.PROPERTIES:
        return props
    trace = f.uuid().replace("-", "")
    return {
        "source": "flipdish.webhooks",
        "detail-type": spec.name,
        "detail": {
            "properties": props,
            "metadata": {
                "id": f.uuid(),
                "source": "flipdish.webhooks",
                "specversion": "1.0",
                "time": iso(scene.at),
                "type": spec.name,
                "dataschema": f"https://schemas.flipdish.com/events/{spec.name}.json",
                "x-span-id": trace[:16],
                "x-trace-id": trace,
                "actor": {"id": str(scene.staff_id)},
            },
        },
    }
