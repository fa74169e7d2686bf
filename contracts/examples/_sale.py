"""Render an order as a v3 ``sale`` (sale.*.v1 events): the same items, charges, discounts and payment.

``totalPaidAmount`` is what the customer paid the store: the legacy ``Amount`` (which already holds the
cash processing fee) — an assumption, as the v3 sale model's arithmetic is not documented.
"""

from __future__ import annotations

from datetime import timedelta

from ._fill import Exact, Filler
from ._order import Line, OrderFacts, draft_order, money, stable_uuid
from ._timestamps import iso

__all__ = ["sale_properties"]

_STATUS = {"sale.created.v1": "SALE_CREATED", "sale.accepted.v1": "SALE_ACCEPTED"}


def sale_properties(name: str, f: Filler) -> dict[str, object]:
    """The sale-specific part of a sale.* ``detail.properties`` object."""
    order, scene = draft_order(f), f.scene
    status = _STATUS.get(name, f.rng.choice(("SALE_ACCEPTED", "SALE_PREPARED_BY_KITCHEN", "SALE_DISPATCHED")))
    return {
        "saleId": f.uuid(),
        "externalId": str(order.order_id),
        "salesChannelType": "FlipdishWebApp",
        "status": status,
        "saleStatusUpdatedTime": iso(scene.at),
        "sale": _sale(order, f, status),
    }


def _sale(order: OrderFacts, f: Filler, status: str) -> dict[str, object]:
    scene = f.scene
    charges = [
        Exact(type=kind, amount=money(cents))
        for kind, cents in (
            ("Delivery", order.delivery_cents),
            ("Tip", order.tip_cents),
            ("Service", order.service_cents),
        )
        if cents
    ]
    discounts = (
        [Exact(type="Voucher", code=order.voucher.code, amount=money(-order.voucher.cents))]
        if order.voucher
        else []
    )
    sale = Exact(
        {
            "salesChannelId": str(scene.store_id),
            "source": "Flipdish",
            "creationTime": iso(order.placed),
            "requestedFulfilmentTime": iso(order.requested),
            "desiredAsap": not order.pre_order,
            "dispatchType": "Delivery" if order.delivery else "Collection",
            "displayId": str(order.order_id)[-4:],
            "externalId": str(order.order_id),
            "menuId": stable_uuid(scene, "menu"),
            "menuRevisionId": str(f.rng.randint(1, 400)),
            "items": [_item(line) for line in order.lines],
            "charges": charges,
            "discounts": discounts,
            "payments": [
                Exact(
                    {
                        "type": "Sale",
                        "paymentMethod": "Cash" if order.cash else "Online",
                        "amount": money(order.amount_cents),
                        "paidAt": iso(order.placed + timedelta(seconds=2)),
                    }
                )
            ],
            "currency": scene.store.currency,
            "status": status,
            "totalSaleAmount": money(order.items_cents),
            "totalCharges": money(order.delivery_cents + order.tip_cents + order.service_cents),
            "totalDiscounts": money(-order.voucher.cents) if order.voucher else 0.0,
            "totalTax": money(order.tax_cents),
            "totalPaidAmount": money(order.amount_cents),
            "totalRefunds": 0.0,
            "customer": Exact(
                {
                    "id": stable_uuid(scene, f"customer:{scene.customer_id}"),
                    "name": scene.customer.name,
                    "contactPhoneNumber": order.phone[0],
                    "emailAddress": scene.customer.email,
                }
            ),
        }
    )
    if order.address is not None:
        a = order.address
        sale["delivery"] = Exact(
            {
                "deliveredBy": "Client",
                "location": Exact(
                    {
                        "addressFields": Exact(line1=a.street, line2=a.town, postCode=a.post_code),
                        "countryCode": scene.store.country,
                        "coordinates": {"latitude": a.latitude, "longitude": a.longitude},
                    }
                ),
            }
        )
    return sale


def _item(line: Line) -> Exact:
    return Exact(
        {
            "menuItemId": line.public_id,
            "menuItemName": line.name,
            "quantity": 1,
            "unitPrice": money(line.cents),
            "modifierItems": [
                Exact(
                    {
                        "menuItemId": line.public_id,
                        "modifierItemId": o.public_id,
                        "modifierItemName": o.name,
                        "quantity": 1,
                        "unitPrice": money(o.cents),
                    }
                )
                for o in line.options
            ],
        }
    )
