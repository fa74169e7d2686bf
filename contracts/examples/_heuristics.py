"""Field-name heuristics: what a field called ``StoreId``, ``PhoneNumber`` or ``ModifiedTime`` usually holds.

The value comes from the example's scene (the same store id, app id, currency and people everywhere in one
payload), so fields a builder did not set still agree with those it did.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Protocol

from ..refinements import DATE_TIME, TIME_OF_DAY
from ._plan import Scalar
from ._timestamps import iso
from ._world import Person, Scene

__all__ = ["Inventor", "guess_bool", "guess_number", "guess_string"]


class Inventor(Protocol):
    """What a guess draws on: the example's seeded RNG and scene, and its id and time helpers (the filler)."""

    @property
    def rng(self) -> random.Random: ...

    @property
    def scene(self) -> Scene: ...

    def uuid(self) -> str: ...

    def time(self, before: timedelta = ...) -> str: ...

    def id_for(self, key: str) -> int: ...


_TIMESPANS = frozenset(
    {"starttime", "endtime", "starttimeearly", "period", "periodearly", "fromtime", "totime"}
)
_WORDS = ("Standard", "Main", "Evening", "Lunch", "Online", "Weekend", "Default", "Counter")
_TRUE = ("available", "enabled", "published", "active", "success", "isenabled", "displaysectionlinks")
_FALSE = ("deleted", "archived", "fraud", "unusual", "locked", "hidden", "disabled", "test", "ispreorder")


def guess_string(f: Inventor, sc: Scalar, name: str, parent: str) -> str:
    n = name.lower()
    for guess in (_formatted, _identity, _contact, _place, _text):
        found = guess(f, sc, n, parent.lower())
        if found is not None:
            return found
    return f.rng.choice(_WORDS)


def _formatted(f: Inventor, sc: Scalar, n: str, parent: str) -> str | None:
    if "uuid" in sc.formats or n.endswith(("publicid", "guid")) or n in ("flipdisheventid", "menupublishid"):
        return f.uuid()
    refined = {pattern.pattern for pattern in sc.patterns}  # Zod checks carried by contracts.refinements
    time_of_day = n in _TIMESPANS or n.startswith("cutofftime") or TIME_OF_DAY in refined
    if time_of_day and "date-time" not in sc.formats:  # .NET TimeSpan: opening hours, pre-order cut-offs
        return f"{f.rng.choice((7, 8, 11, 12, 16, 17)):02d}:{f.rng.choice((0, 30)):02d}:00"
    if n in ("expiry", "expiresat", "until", "snoozeduntil", "ttl", "validuntil", "enddate", "expirydate"):
        return iso(f.scene.at + timedelta(hours=f.rng.randint(1, 48)))
    timestamp = "date-time" in sc.formats or DATE_TIME in refined
    if timestamp or (n.endswith(("time", "date", "at")) and not n.endswith("format")):
        return f.time(
            timedelta(days=2) if n.startswith(("create", "placed", "update", "modified")) else timedelta(30)
        )
    if "date" in sc.formats:
        return (f.scene.at - timedelta(days=f.rng.randint(0, 90))).date().isoformat()
    if "email" in sc.formats or "email" in n:
        return _person(f, parent).email
    if "uri" in sc.formats or n.endswith(("url", "uri")):
        if "logo" in n or "image" in n:
            return f"https://flipdish.imgix.net/{f.uuid()}.png"
        return f"https://hooks.{_slug(f.scene.store.name)}.example.com/flipdish"
    return None


def _identity(f: Inventor, sc: Scalar, n: str, parent: str) -> str | None:
    scene = f.scene
    fixed = {
        "appid": scene.app_id,
        "orgid": scene.org_id,
        "propertyid": scene.property_id,
        "currency": scene.store.currency,
        "countrycode": scene.store.country,
        "propertycountrycode": scene.store.country,
        "countryid": scene.store.country,
        "storeianatimezone": scene.store.iana_tz,
        "storetimezone": scene.store.windows_tz,
        "microsofttimezone": scene.store.windows_tz,
        "ianatimezone": scene.store.iana_tz,
        "brandid": f"b{scene.store_group_id}",
        "saleschannelid": str(scene.store_id),
        "ipaddress": f"86.4{f.rng.randint(0, 9)}.{f.rng.randint(1, 254)}.{f.rng.randint(1, 254)}",
        "hostname": f"order.{_slug(scene.store.name)}.ie",
        "appnameid": scene.app_id,
    }
    if n in fixed:
        return fixed[n]
    if n.endswith("id") or n.endswith("ids"):
        if any(k in n for k in ("device", "reader", "terminal", "activity", "configuration", "job")):
            return f.uuid()
        return str(f.rng.randint(1000, 9_999_999))
    if n in ("code", "vouchercode", "receiptcode", "displaycode", "ordertrackingcode"):
        return "".join(f.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
    return None


def _contact(f: Inventor, sc: Scalar, n: str, parent: str) -> str | None:
    if "phone" in n:
        e164, local = f.scene.customer_phone if "customer" in parent else f.scene.staff_phone
        return local if "local" in n else e164
    if n in ("username", "customername", "name") and parent in (
        "user",
        "customer",
        "teammate",
        "userinfo",
        "",
    ):
        return _person(f, parent).name
    if n in ("firstname",):
        return _person(f, parent).first_name
    if n in ("languagepreference", "language", "languageid"):
        return _person(f, parent).language
    return None


def _place(f: Inventor, sc: Scalar, n: str, parent: str) -> str | None:
    store = f.scene.store
    table = {
        "street": store.street,
        "line1": store.street,
        "addressline1": store.street,
        "town": store.town,
        "city": store.town,
        "line2": store.town,
        "postcode": store.post_code,
        "zipcode": store.post_code,
        "building": f"Unit {f.rng.randint(1, 40)}",
        "prettyaddress": f"{store.street}, {store.town}, {store.post_code}",
        "prettyaddressstring": f"{store.street}, {store.town}, {store.post_code}",
        "singlelinedisplay": f"{store.street}, {store.town}, {store.post_code}",
        "displayforcustomer": f"{store.street}, {store.town}",
        "deliveryinstructions": "Leave at the door",
        "timezone": store.iana_tz,
    }
    return table.get(n)


def _text(f: Inventor, sc: Scalar, n: str, parent: str) -> str | None:
    scene = f.scene
    if n in (
        "name",
        "storename",
        "storenames",
        "locationname",
        "menuname",
        "appname",
        "displayname",
        "caption",
    ):
        if "store" in parent or n.startswith("storename"):
            return scene.store.name
        if "menu" in parent or n == "menuname":
            return f"{scene.store.name} Menu"
        return f.rng.choice(_WORDS) + (" Menu" if "section" in parent else "")
    if n in ("description", "notes", "chefnote"):
        return f"Updated by {scene.staff.name}" if n == "description" else "No onions please"
    table = {
        "serialnumber": f"WSC{f.rng.randint(10_000_000, 99_999_999)}",
        "status": "Active",
        "softwareversion": f"2.{f.rng.randint(0, 30)}.{f.rng.randint(0, 9)}",
        "version": "2.0",
        "reason": "Too busy",
        "message": "OK",
        "title": f"{scene.store.name} update",
    }
    return table.get(n)


def guess_number(f: Inventor, name: str, parent: str) -> float | int:
    n, p, scene = name.lower(), parent.lower(), f.scene
    fixed = {
        "storeid": scene.store_id,
        "storegroupid": scene.store_group_id,
        "menuid": scene.menu_id,
        "userid": scene.staff_id,
        "owneruserid": scene.staff_id,
        "customerid": scene.customer_id,
        "latitude": round(scene.store.latitude + f.rng.uniform(-0.02, 0.02), 6),
        "longitude": round(scene.store.longitude + f.rng.uniform(-0.02, 0.02), 6),
        "position": 0,
        "rating": f.rng.randint(1, 5),
        "userrating": f.rng.randint(3, 5),
    }
    if n in fixed:
        return fixed[n]
    if n == "id" and "customer" in p:
        return scene.customer_id
    if n in ("stores", "storeids"):
        return scene.store_id
    if n.endswith("ids") and n.removesuffix("s") in fixed:
        return fixed[n.removesuffix("s")]
    if n.endswith(("id", "ids")) and n not in ("id", "ids"):
        return f.id_for(n.removesuffix("s"))
    if n == "id":
        return f.id_for(f"{p}id")
    if any(k in n for k in ("amount", "price", "fee", "tax", "charge", "total", "cost", "value")):
        return round(f.rng.uniform(0.5, 30.0), 2)
    if "rate" in n or "percentage" in n:
        return scene.store.vat_rate
    if "order" in n or "count" in n or "quantity" in n or "guests" in n or "version" in n:
        return f.rng.randint(1, 4) if "display" not in n else f.rng.randint(0, 10)
    if "progress" in n:
        return f.rng.randint(0, 100)
    return f.rng.randint(1, 100)


def guess_bool(name: str, rng: random.Random) -> bool:
    n = name.lower()
    if any(k in n for k in _FALSE):
        return False
    if any(k in n for k in _TRUE):
        return True
    return rng.random() < 0.5


def _person(f: Inventor, parent: str) -> Person:
    return f.scene.customer if "customer" in parent else f.scene.staff


def _slug(name: str) -> str:
    return "".join(c for c in name.lower() if c.isascii() and c.isalnum()) or "store"
