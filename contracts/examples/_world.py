"""The small world examples are drawn from: stores and people that look like Flipdish's customers.

Stores are takeaways and restaurants in the countries Flipdish serves, each with a consistent currency,
timezone (Windows and IANA names, both appear in Flipdish payloads), phone format and VAT rate; their
menus are in ``_dishes``.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from ._rng import Rng, below

__all__ = ["PEOPLE", "STORES", "Person", "Scene", "StoreFacts", "make_scene"]


@dataclass(frozen=True, slots=True)
class StoreFacts:
    name: str
    street: str
    town: str
    post_code: str
    country: str
    currency: str
    symbol: str
    windows_tz: str
    iana_tz: str
    latitude: float
    longitude: float
    dial_code: str
    vat_name: str
    vat_rate: float
    cuisine: str


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    language: str

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    @property
    def email(self) -> str:
        return _email(self.name)


@cache
def _email(name: str) -> str:
    folded = name.translate(_UNDECOMPOSABLE)
    ascii_name = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode().lower()
    return ".".join(ascii_name.replace("'", "").split()) + "@example.com"


_UNDECOMPOSABLE = str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "ß": "ss", "Æ": "Ae", "æ": "ae"})

STORES = (
    StoreFacts(
        "Pizzeria Uno",
        "12 Dame Street",
        "Dublin 2",
        "D02 X285",
        "IE",
        "EUR",
        "€",
        "GMT Standard Time",
        "Europe/Dublin",
        53.3441,
        -6.2675,
        "+353",
        "VAT",
        13.5,
        "pizza",
    ),
    StoreFacts(
        "The Spice Route",
        "4 Shop Street",
        "Galway",
        "H91 E2K8",
        "IE",
        "EUR",
        "€",
        "GMT Standard Time",
        "Europe/Dublin",
        53.2733,
        -9.0519,
        "+353",
        "VAT",
        13.5,
        "indian",
    ),
    StoreFacts(
        "Ó Briain's Chipper",
        "27 Oliver Plunkett Street",
        "Cork",
        "T12 HX3F",
        "IE",
        "EUR",
        "€",
        "GMT Standard Time",
        "Europe/Dublin",
        51.8985,
        -8.4740,
        "+353",
        "VAT",
        13.5,
        "chipper",
    ),
    StoreFacts(
        "Burrito Bros",
        "88 Deansgate",
        "Manchester",
        "M3 2BW",
        "GB",
        "GBP",
        "£",
        "GMT Standard Time",
        "Europe/London",
        53.4794,
        -2.2489,
        "+44",
        "VAT",
        20.0,
        "mexican",
    ),
    StoreFacts(
        "Wok This Way",
        "15 Botanic Avenue",
        "Belfast",
        "BT7 1JJ",
        "GB",
        "GBP",
        "£",
        "GMT Standard Time",
        "Europe/London",
        54.5853,
        -5.9338,
        "+44",
        "VAT",
        20.0,
        "asian",
    ),
    StoreFacts(
        "Pizzería La Plaza",
        "Calle Mayor 21",
        "Madrid",
        "28013",
        "ES",
        "EUR",
        "€",
        "Romance Standard Time",
        "Europe/Madrid",
        40.4155,
        -3.7074,
        "+34",
        "IVA",
        10.0,
        "pizza",
    ),
    StoreFacts(
        "Brooklyn Burger Co.",
        "241 Bedford Ave",
        "Brooklyn, NY",
        "11211",
        "US",
        "USD",
        "$",
        "Eastern Standard Time",
        "America/New_York",
        40.7146,
        -73.9615,
        "+1",
        "Sales Tax",
        8.875,
        "burger",
    ),
    StoreFacts(
        "Grill & Kebab Łódź",
        "ul. Piotrkowska 90",
        "Łódź",
        "90-103",
        "PL",
        "PLN",
        "zł",
        "Central European Standard Time",
        "Europe/Warsaw",
        51.7654,
        19.4577,
        "+48",
        "VAT",
        8.0,
        "kebab",
    ),
)

PEOPLE = (
    Person("Siobhán Ó Briain", "ga"),
    Person("Zoë Murphy", "en"),
    Person("Łukasz Nowak", "pl"),
    Person("José García", "es"),
    Person("Aoife Ní Dhomhnaill", "en"),
    Person("Seán O'Connor", "en"),
    Person("Priya Patel", "en"),
    Person("Tomás Kelly", "en"),
    Person("Chloé Dubois", "fr"),
    Person("Jürgen Müller", "de"),
    Person("Nuala Byrne", "en"),
    Person("Mohammed Al-Sayed", "en"),
)


@dataclass(slots=True)
class Scene:
    """The actors of one example: a store (with its ids), a customer, a staff member, and the time.

    Never changed once made (not frozen only because a frozen dataclass is slow to build).
    """

    store: StoreFacts
    store_id: int
    store_group_id: int
    menu_id: int
    app_id: str
    org_id: str
    property_id: str
    customer: Person
    customer_id: int
    staff: Person
    staff_id: int
    at: datetime
    customer_phone: tuple[str, str]  # (E.164, local format), a mobile of the store's country
    staff_phone: tuple[str, str]


def _phone(rng: random.Random, dial_code: str) -> tuple[str, str]:
    international, local, length = _MOBILE[dial_code]
    if isinstance(rng, Rng):
        digits = rng.digits(length)
    else:
        digits = "".join(str(rng.randint(0, 9)) for _ in range(length))
    return international + digits, local + digits


_MOBILE = {
    "+353": ("+35387", "087", 7),
    "+44": ("+447700", "07700", 6),
    "+34": ("+346", "6", 8),
    "+1": ("+1718", "718", 7),
    "+48": ("+48501", "501", 6),
}


def make_scene(rng: random.Random, at: datetime) -> Scene:
    """The store, people and ids of one seed (each ``below(n)`` is the ``randint`` it replaced)."""
    bits = rng.getrandbits
    store = STORES[below(bits, len(STORES))]
    customer, staff = rng.sample(PEOPLE, 2)
    app_number = 1000 + below(bits, 99_000)
    store_id = 10_000 + below(bits, 390_000)
    store_group_id = 1000 + below(bits, 99_000)
    menu_id = 10_000 + below(bits, 990_000)
    org_number = 1000 + below(bits, 99_000)
    property_number = 1000 + below(bits, 99_000)
    customer_id = 1_000_000 + below(bits, 49_000_000)
    staff_id = 10_000 + below(bits, 990_000)
    return Scene(
        store=store,
        store_id=store_id,
        store_group_id=store_group_id,
        menu_id=menu_id,
        app_id=f"h{app_number}",
        org_id=f"org{org_number}",
        property_id=f"p{property_number}",
        customer=customer,
        customer_id=customer_id,
        staff=staff,
        staff_id=staff_id,
        at=at,
        customer_phone=_phone(rng, store.dial_code),
        staff_phone=_phone(rng, store.dial_code),
    )
