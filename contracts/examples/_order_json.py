"""Render an order as Flipdish's legacy ``Order`` model and the order.* event bodies around it.

The state each event implies (``OrderState``, ``AcceptedFor``, refund and rejection fields) is applied to
the same order, so a lifecycle's payloads agree on everything else (FACTS.md §2.2, §2.4, §2.5).
"""

from __future__ import annotations

from datetime import datetime

from ._fill import Filler
from ._order import Line, OrderFacts, money, stable_uuid
from ._timestamps import iso
from ._world import Scene

__all__ = ["STATES", "describe", "order_body", "order_json", "user_info"]

STATES = {
    "order.created": "ReadyToProcess",
    "order.accepted": "AcceptedByRestaurant",
    "order.dispatched": "Dispatched",
    "order.rejected": "RejectedByStore",
    "order.refunded": "AcceptedAndRefunded",
}
_CHANNELS = {"Web": 1, "Ios": 2, "Android": 3, "Kiosk": 4, "PwaAndroid": 5}


def order_json(order: OrderFacts, scene: Scene) -> dict[str, object]:
    """The ``Order`` as placed (state ``ReadyToProcess``)."""
    tax = money(order.tax_cents)
    return {
        "Store": _store_summary(scene),
        "Customer": {
            "Id": scene.customer_id,
            "Name": scene.customer.name,
            "EmailAddress": scene.customer.email if order.email_known else None,
            "PhoneNumberLocalFormat": order.phone[1],
            "PhoneNumber": order.phone[0],
            "LanguagePreference": scene.customer.language,
        },
        "Voucher": _voucher(order),
        "Fees": {"FeeAmount": money(order.fee_cents), "PercentageRate": 0.5, "PerTransactionFee": 0.25},
        "OrderItems": [_item(line) for line in order.lines],
        "DeliveryLocation": _delivery_location(order),
        "CustomerLocation": _coordinates(order),
        "MaskedPhoneNumber": {"IsEnabled": False, "PhoneNumber": None, "Code": None},
        "DropOffLocationId": None,
        "DropOffLocation": "",
        "AcceptedFor": None,
        "InFraudZone": False,
        "UnusualHighValueOrder": order.amount_cents > 15_000,
        "RejectedByUserId": None,
        "ChannelOrderId": None,
        "ChannelOrderDisplayId": None,
        "Channel": {
            "ChannelId": _CHANNELS[order.app_type],
            "TranslationKey": order.app_type,
            "Source": "Internal",
            "LogoUri": f"https://flipdish.imgix.net/channels/{order.app_type.lower()}.png",
            "Available": True,
            "MaintainedExternally": False,
        },
        "OrderDropOffLocation": None,
        "FulfillmentStatus": None,
        "OrderBatchInfo": None,
        "TaxItems": [{"Name": scene.store.vat_name, "Rate": scene.store.vat_rate, "Amount": tax}],
        "CreatedCampaignVoucherId": None,
        "OrderId": order.order_id,
        "LocalOrderId": None,
        "DeliveryType": "Delivery" if order.delivery else "Pickup",
        "PickupLocationType": "TakeOut",
        "TableServiceCatagory": "Generic",
        "TipAmount": money(order.tip_cents),
        "DeliveryAmount": money(order.delivery_cents),
        "OrderItemsAmount": money(order.items_cents),
        "ServiceChargeAmount": money(order.service_cents),
        "ServiceChargePercentage": float(order.service_percent),
        "Amount": money(order.amount_cents),
        "ProcessingFee": money(order.fee_cents),
        "PaymentAccountType": "Cash" if order.cash else "Card",
        "PaymentAccountDescription": order.card,
        "OrderState": "ReadyToProcess",
        "IsPreOrder": order.pre_order,
        "PlacedTime": iso(order.placed),
        "RequestedForTime": iso(order.requested),
        "ChefNote": order.chef_note,
        "AppType": order.app_type,
        "UserRating": None,
        "PaymentStatus": "Unpaid" if order.cash else "Paid",
        "RejectionReason": None,
        "RefundedAmount": None,
        "DeliveryTrackingStatus": "Unassigned",
        "DriverId": None,
        "TotalTax": tax,
        "OrderTrackingCode": None,
        "DeliveryFeeAreaId": order.delivery_area_id,
        "ReceiptCode": order.receipt_code,
        "TotalDepositReturnFeeAmount": 0.0,
    }


def order_body(name: str, order: OrderFacts, f: Filler, at: datetime) -> dict[str, object]:
    """The event-specific fields of an order.* body, with the order in the state ``name`` implies."""
    scene, rng, stamp = f.scene, f.rng, iso(at)
    o = order_json(order, scene)
    o["OrderState"] = STATES.get(name, "AcceptedByRestaurant")
    if name != "order.created":
        o["AcceptedFor"] = iso(order.requested)
    body: dict[str, object] = {"Description": describe(name, order, scene)}
    if name == "order.created":
        body["OrderCreatedTime"] = stamp
    elif name == "order.accepted":
        body.update(OrderAcceptedTime=stamp, User=user_info(f, staff=True))
    elif name == "order.dispatched":
        body["OrderDispatchedTime"] = stamp
        o["DeliveryTrackingStatus"] = "OnTheWay" if order.delivery else "Unassigned"
    elif name == "order.rejected":
        reason = rng.choice(("TooBusy", "FoodUnavailable", "UnableToDeliver", "StoreUncontactable"))
        o.update(
            AcceptedFor=None,
            RejectionReason=reason,
            RejectedByUserId=scene.staff_id,
            PaymentStatus="Unpaid" if order.cash else "Refunded",
        )
        body.update(OrderRejectedTime=stamp, Reason=reason, User=user_info(f, staff=True))
    elif name == "order.refunded":
        o.update(RefundedAmount=o["Amount"], PaymentStatus="Refunded")
        body.update(RefundedAmount=o["Amount"], User=user_info(f, staff=True))
    elif name == "order.tip.updated":
        body["TipAmount"] = o["TipAmount"]
    elif name == "order.rating.updated":
        o["UserRating"] = body["Rating"] = rng.randint(1, 5)
    elif name == "order.deliverytracking.status.updated":
        o["DeliveryTrackingStatus"] = rng.choice(("Accepted", "Carrying", "OnTheWay", "Delivered"))
        body.update(DeliveryIntegrationName="Flipdish Delivery", DeliveryErrorMessage=None)
    body["Order"] = o
    return body


def describe(name: str, order: OrderFacts, scene: Scene) -> str:
    """Flipdish-style, e.g. "Joe placed a delivery order (#12334578) for €14.90 with Test store." (§2.2)."""
    amount = f"{scene.store.symbol}{money(order.amount_cents):.2f}"
    kind = "delivery" if order.delivery else "collection"
    if name == "order.created":
        who = scene.customer.first_name
        return f"{who} placed a {kind} order (#{order.order_id}) for {amount} with {scene.store.name}."
    verb = name.split(".", 1)[1].replace(".", " ").replace("deliverytracking", "delivery tracking")
    return f"Order #{order.order_id} ({kind}, {amount}) {verb} at {scene.store.name}."


def user_info(f: Filler, *, staff: bool) -> dict[str, object]:
    """A ``UserEventInfo``: the staff member acting, or the customer for customer.* events."""
    person = f.scene.staff if staff else f.scene.customer
    return {
        "UserId": f.scene.staff_id if staff else f.scene.customer_id,
        "UserName": person.name,
        "UserPhoneNumber": (f.scene.staff_phone if staff else f.scene.customer_phone)[0],
        "UserEmail": person.email,
    }


def _item(line: Line) -> dict[str, object]:
    return {
        "OrderItemOptions": [_option(o) for o in line.options],
        "Metadata": {},
        "MenuItemPublicId": line.public_id,
        "MenuSectionName": line.section,
        "MenuSectionDisplayOrder": line.section_order,
        "Name": line.name,
        "Description": line.description,
        "Price": money(line.cents),
        "TaxAmount": money(line.tax_cents),
        "PriceIncludingOptionSetItems": money(line.total_cents),
        "MenuItemId": line.menu_id,
        "MenuItemDisplayOrder": line.display_order,
        "IsAvailable": True,
        "DepositReturnFee": 0.0,
    }


def _option(o: Line) -> dict[str, object]:
    return {
        "Metadata": {},
        "MenuItemOptionPublicId": o.public_id,
        "MenuItemOptionId": o.menu_id,
        "IsMasterOptionSetItem": False,
        "Name": o.name,
        "Price": money(o.cents),
        "TaxAmount": money(o.tax_cents),
        "MenuItemOptionDisplayOrder": o.display_order,
        "MenuItemOptionSetDisplayOrder": 0,
        "DepositReturnFee": 0.0,
    }


def _voucher(order: OrderFacts) -> dict[str, object] | None:
    v = order.voucher
    if v is None:
        return None
    return {
        "VoucherId": v.voucher_id,
        "Name": v.name,
        "Description": v.code,
        "Code": v.code,
        "Amount": money(v.cents),
        "Type": v.kind,
        "SubType": v.sub_type,
    }


def _store_summary(scene: Scene) -> dict[str, object]:
    store = scene.store
    return {
        "Id": scene.store_id,
        "Name": store.name,
        "MenuId": scene.menu_id,
        "MenuPublishId": stable_uuid(scene, "menu"),
        "Metadata": {},
        "Currency": store.currency,
        "Coordinates": {"Latitude": store.latitude, "Longitude": store.longitude},
        "StoreTimezone": store.windows_tz,
        "StoreIanaTimezone": store.iana_tz,
        "StoreGroupId": scene.store_group_id,
        "TaxId": f"{store.country}{scene.store_id}T" if store.country in ("IE", "GB") else None,
        "PrettyAddress": f"{store.street}, {store.town}, {store.post_code}",
        "CountryCode": store.country,
        "PropertyId": scene.property_id,
    }


def _delivery_location(order: OrderFacts) -> dict[str, object] | None:
    a = order.address
    if a is None:
        return None
    pretty = ", ".join(p for p in (a.building, a.street, a.town, a.post_code) if p)
    return {
        "Coordinates": {"Latitude": a.latitude, "Longitude": a.longitude},
        "Building": a.building,
        "Street": a.street,
        "Town": a.town,
        "PostCode": a.post_code,
        "DeliveryInstructions": a.instructions,
        "PrettyAddressString": pretty,
    }


def _coordinates(order: OrderFacts) -> dict[str, object] | None:
    a = order.address
    return None if a is None else {"Latitude": a.latitude, "Longitude": a.longitude}
