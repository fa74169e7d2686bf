"""The store's menu as Flipdish's legacy ``Menu`` model: sections, items and option sets from the world.

Item ids and public ids are the ones orders of the same store carry (``MenuItemId``, ``MenuItemPublicId``),
so a menu.* example and an order.* example of one seed describe the same dishes.
"""

from __future__ import annotations

from datetime import timedelta

from ._dishes import MENUS, Dish
from ._fill import Exact, Filler
from ._order import money, stable_uuid
from ._timestamps import iso
from ._world import Scene

__all__ = ["menu_json", "menu_v3", "service_charge"]


def menu_json(f: Filler) -> dict[str, object]:
    scene = f.scene
    dishes = MENUS[scene.store.cuisine]
    sections = sorted({d.section for d in dishes})
    tax_rate_id = scene.menu_id % 10_000 + 1
    return {
        "MenuId": scene.menu_id,
        "Name": f"{scene.store.name} Menu",
        "VersionNumber": f.rng.randint(2, 60),
        "ModifiedTime": iso(scene.at),
        "Locked": False,
        "TaxType": "IncludedInBasePrice",
        "AppId": scene.app_id,
        "DisplaySectionLinks": True,
        "MenuSectionBehaviour": "ExpandSingle",
        "IsIntegrated": False,
        "ImageName": None,
        "ImageUrl": None,
        "TaxRates": [{"Name": scene.store.vat_name, "Rate": scene.store.vat_rate, "TaxRateId": tax_rate_id}],
        "MenuSections": [
            {
                "MenuSectionId": scene.menu_id * 10 + n,
                "Name": section,
                "Description": "",
                "DisplayOrder": n,
                "IsAvailable": True,
                "IsHiddenFromCustomers": False,
                "PublicId": stable_uuid(scene, f"§{section}"),
                "MenuItems": [
                    _item(scene, d, i, tax_rate_id) for i, d in enumerate(dishes) if d.section == section
                ],
            }
            for n, section in enumerate(sections)
        ],
    }


def _item(scene: Scene, dish: Dish, index: int, tax_rate_id: int) -> dict[str, object]:
    cents = round(dish.price * 100)
    rate = scene.store.vat_rate
    options = [
        {
            "Name": name,
            "Price": price,
            "MenuItemOptionSetItemId": scene.menu_id * 1000 + n + 1,
            "DisplayOrder": n,
            "IsAvailable": True,
            "PublicId": stable_uuid(scene, f"{dish.name}/{name}"),
        }
        for n, (name, price) in enumerate(dish.options)
    ]
    return {
        "MenuItemId": scene.menu_id * 100 + index,
        "Name": dish.name,
        "Description": dish.description,
        "Price": dish.price,
        "ActualPrice": dish.price,
        "DisplayOrder": index,
        "IsAvailable": True,
        "PublicId": stable_uuid(scene, dish.name),
        "TaxRateId": tax_rate_id,
        "TaxRateName": scene.store.vat_name,
        "TaxValue": money(round(cents * rate / (100 + rate))),
        "Alcohol": False,
        "DisableVouchers": False,
        "MenuItemOptionSets": [
            {
                "Name": "Extras",
                "MenuItemOptionSetId": scene.menu_id * 10 + index,
                "MinSelectCount": 0,
                "MaxSelectCount": len(options),
                "DisplayOrder": 0,
                "IsMasterOptionSet": False,
                "PublicId": stable_uuid(scene, f"{dish.name}/extras"),
                "MenuItemOptionSetItems": options,
            }
        ]
        if options
        else [],
    }


def menu_v3(f: Filler) -> dict[str, object]:
    """The v3 ``menu`` of menu.published.v1: categories (sections) of items with per-dispatch pricing."""
    scene = f.scene
    dishes = MENUS[scene.store.cuisine]
    band = stable_uuid(scene, "price-band")
    categories = [
        Exact(
            id=stable_uuid(scene, f"§{section}"),
            caption=section,
            enabled=True,
            description=None,
            items=[_item_v3(scene, d, band) for d in dishes if d.section == section],
        )
        for section in sorted({d.section for d in dishes})
    ]
    return {
        "id": stable_uuid(scene, "menu"),
        "orgId": scene.org_id,
        "name": f"{scene.store.name} Menu",
        "type": "Menu",
        "revisionId": f.rng.randint(2, 400),
        "createdAt": iso(scene.at - timedelta(days=90)),
        "updatedAt": iso(scene.at),
        "isTaxInclusive": True,
        "categories": categories,
        "modifiers": [],
        "categoryGroups": [
            Exact(id=stable_uuid(scene, "group"), name="Main menu", categoryIds=[c["id"] for c in categories])
        ],
    }


def service_charge(scene: Scene) -> Exact:
    """A 10 % dine-in service charge, the kind of ``charges`` entry a v3 menu carries."""
    return Exact(
        id=stable_uuid(scene, "service-charge"),
        orgId=scene.org_id,
        name="Service charge",
        disabled=False,
        type="Percentage",
        scheme="Service.Charge",
        target="Order",
        value=10,
        taxPercentage=scene.store.vat_rate,
        displayName="Service charge (10%)",
        autoApplicable=True,
        canBeRemoved=True,
        appliedBeforeDiscount=False,
        appliedBeforeTax=False,
        venueCodes=[],
        dispatchTypes=["DineIn"],
        channels=[],
        salesChannelIds=[str(scene.store_id)],
        propertyIds=[scene.property_id],
    )


def _item_v3(scene: Scene, dish: Dish, band: str) -> Exact:
    rate = scene.store.vat_rate
    tax = money(round(round(dish.price * 100) * rate / (100 + rate)))
    profile: dict[str, object] = {"priceBandId": band}
    for dispatch in ("collection", "delivery", "dineIn", "takeaway"):
        profile.update({f"{dispatch}Price": dish.price, f"{dispatch}Tax": tax, f"{dispatch}Taxable": True})
    return Exact(
        id=stable_uuid(scene, dish.name),
        caption=dish.name,
        description=dish.description or None,
        enabled=True,
        alcohol=False,
        pricingProfiles=[Exact(profile)],
    )
