"""The store's menu as Flipdish's legacy ``Menu`` model: sections, items and option sets from the world.

Item ids and public ids are the ones orders of the same store carry (``MenuItemId``, ``MenuItemPublicId``),
so a menu.* example and an order.* example of one seed describe the same dishes.
"""

from __future__ import annotations

from .fill import Filler
from .order import money, stable_uuid
from .timestamps import iso
from .world import MENUS, Dish, Scene

__all__ = ["menu_json"]


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
