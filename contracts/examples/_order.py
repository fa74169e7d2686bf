"""The decisions behind one order, in cents: what was bought, how it is fulfilled and paid, what it costs.

``Amount`` follows the Swagger description of ``Order.Amount`` (FACTS.md §2.5): OrderItemsAmount +
DeliveryAmount + TipAmount + ServiceChargeAmount + Voucher.Amount (negative), plus ProcessingFee for cash
orders only (for card orders Flipdish charges the fee to the customer directly). Prices include tax
(VAT-inclusive menus); each line's tax is its price's share at the store's VAT rate.

The records are slotted dataclasses, not frozen ones (a frozen dataclass's ``__init__`` sets each field
through ``object.__setattr__``, several microseconds per order): they are built once and never changed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import NamedTuple

from ._dishes import MENUS, Dish
from ._fill import Filler
from ._ids import uuid5_url
from ._rng import Rng, below
from ._world import Scene

__all__ = ["Address", "Line", "OrderFacts", "Voucher", "draft_order", "money", "stable_uuid"]

_CARDS = ("Visa", "Mastercard", "Amex", "Visa Debit")


class Line(NamedTuple):
    """One ordered item (Flipdish repeats a line rather than carrying a quantity) or one of its options."""

    name: str
    cents: int
    tax_cents: int
    public_id: str
    menu_id: int
    display_order: int
    section: str = ""
    section_order: int = 0
    description: str = ""
    options: tuple[Line, ...] = ()
    total_cents: int = 0  # with its options (``_line`` sets it)


@dataclass(slots=True)
class Voucher:
    voucher_id: int
    code: str
    name: str
    kind: str
    sub_type: str
    cents: int  # negative: a discount


@dataclass(slots=True)
class Address:
    building: str | None
    street: str
    town: str
    post_code: str
    latitude: float
    longitude: float
    instructions: str | None


@dataclass(slots=True)
class OrderFacts:
    """Everything an order's payloads (legacy ``Order``, v3 ``sale``) are rendered from."""

    order_id: int
    lines: tuple[Line, ...]
    address: Address | None  # None: a pickup order
    cash: bool
    card: str  # PaymentAccountDescription
    app_type: str
    placed: datetime
    requested: datetime
    pre_order: bool
    delivery_cents: int
    tip_cents: int
    service_percent: int
    voucher: Voucher | None
    fee_cents: int
    chef_note: str | None
    email_known: bool
    phone: tuple[str, str]
    receipt_code: str
    delivery_area_id: int
    # derived once (renderers read them many times per payload)
    items_cents: int = field(init=False, repr=False, compare=False)
    tax_cents: int = field(init=False, repr=False, compare=False)
    service_cents: int = field(init=False, repr=False, compare=False)
    amount_cents: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        items = sum(line.total_cents for line in self.lines)
        tax = sum(line.tax_cents + sum(o.tax_cents for o in line.options) for line in self.lines)
        service = items * self.service_percent // 100
        voucher = self.voucher.cents if self.voucher else 0
        fee = self.fee_cents if self.cash else 0
        amount = items + self.delivery_cents + self.tip_cents + service + voucher + fee
        self.items_cents, self.tax_cents, self.service_cents = items, tax, service
        self.amount_cents = amount

    @property
    def delivery(self) -> bool:
        return self.address is not None


def draft_order(f: Filler) -> OrderFacts:
    """A seeded order at the scene's store, placed a few seconds before the scene's time.

    Draws as ``randint``/``choice``/``uniform`` of ``random.Random`` would, in the same order (``below`` is
    ``randrange``), with ``getrandbits`` bound once: the same seed gives the same order.
    """
    rng, scene = f.rng, f.scene
    bits, rand = rng.getrandbits, rng.random
    address = _address(scene, bits, rand) if rand() < 0.55 else None
    cash = rand() < 0.3
    placed = scene.at - timedelta(seconds=1 + below(bits, 20), milliseconds=below(bits, 1000))
    pre_order = rand() < 0.15
    if pre_order:
        lead = timedelta(hours=2 + below(bits, 5))
    else:
        lead = timedelta(minutes=(20, 30, 45)[below(bits, 3)])
    lines = _lines(scene, rng)
    items = sum(line.total_cents for line in lines)
    delivery_cents = (250, 300, 350)[below(bits, 3)] if address else 0
    order_id = 100_000_000 + below(bits, 900_000_000)
    card = "Cash" if cash else _card(bits, rand)
    apps = _APPS if address else _APPS_PICKUP
    app_type = apps[below(bits, len(apps))]
    tip_cents = 0 if cash else (0, 0, 100, 200, 300)[below(bits, 5)]
    service_percent = 0 if address else (0, 0, 0, 10)[below(bits, 4)]
    voucher = _voucher(bits, rand, scene, items, delivery_cents)
    chef_note = (None, None, "No onions please", "Extra napkins, thanks!")[below(bits, 4)]
    email_known = rand() < 0.85
    receipt_code = (
        rng.chars(_CODE, 8) if isinstance(rng, Rng) else "".join(rng.choice(_CODE) for _ in range(8))
    )
    return OrderFacts(
        order_id=order_id,
        lines=lines,
        address=address,
        cash=cash,
        card=card,
        app_type=app_type,
        placed=placed,
        requested=placed + lead,
        pre_order=pre_order,
        delivery_cents=delivery_cents,
        tip_cents=tip_cents,
        service_percent=service_percent,
        voucher=voucher,
        fee_cents=10 if cash else 25 + items * 5 // 1000,
        chef_note=chef_note,
        email_known=email_known,
        phone=scene.customer_phone,
        receipt_code=receipt_code,
        delivery_area_id=1000 + below(bits, 99_000) if address else 0,
    )


_APPS = ("Web", "Ios", "Android", "PwaAndroid")
_APPS_PICKUP = (*_APPS, "Kiosk")
_CODE = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _lines(scene: Scene, rng: random.Random) -> tuple[Line, ...]:
    bits = rng.getrandbits
    priced = _priced(scene.store.cuisine, scene.store.vat_rate)
    store, menu_id = scene.store_id, scene.menu_id
    lines: list[Line] = []
    for _ in range(1 + below(bits, 4)):
        index = below(bits, len(priced))
        dish, cents, tax, section_order, options = priced[index]
        count = below(bits, len(options) + 1)
        chosen = rng.sample(options, count) if count else ()
        extras = tuple(
            Line(name, o_cents, o_tax, _uuid(store, f"{dish.name}/{name}"), menu_id * 1000 + n + 1, n)
            for n, (name, o_cents, o_tax) in enumerate(chosen)
        )
        total = cents + sum(o.cents for o in extras)
        public_id = _uuid(store, dish.name)
        lines.append(
            Line(dish.name, cents, tax, public_id, menu_id * 100 + index, index, dish.section, section_order,
                 dish.description, extras, total)
        )  # fmt: skip
    return tuple(lines)


Priced = tuple[Dish, int, int, int, tuple[tuple[str, int, int], ...]]


@cache
def _priced(cuisine: str, vat_rate: float) -> tuple[Priced, ...]:
    """Each dish of the cuisine with its cents, its tax at the rate, its section's order and its options'."""
    dishes = MENUS[cuisine]
    sections = sorted({d.section for d in dishes})

    def cents_and_tax(price: float) -> tuple[int, int]:
        cents = round(price * 100)
        return cents, round(cents * vat_rate / (100 + vat_rate))

    return tuple(
        (
            d,
            *cents_and_tax(d.price),
            sections.index(d.section),
            tuple((name, *cents_and_tax(price)) for name, price in d.options),
        )
        for d in dishes
    )


def _voucher(
    bits: Callable[[int], int], rand: Callable[[], float], scene: Scene, items: int, delivery: int
) -> Voucher | None:
    if rand() < 0.6:
        return None
    code = ("WELCOME5", "SAVE10", "FREEDEL", "LUNCH15")[below(bits, 4)]
    if code == "FREEDEL" and delivery:
        cents, kind, name = -delivery, "FreeDelivery", "Free delivery"
    elif code in ("SAVE10", "LUNCH15"):
        percent = int(code[-2:])
        cents, kind, name = -(items * percent // 100), "PercentageDiscount", f"{percent}% off"
    else:
        code, cents, kind, name = "WELCOME5", -min(500, items), "LumpDiscount", f"-{scene.store.symbol}5"
    sub_type = ("None", "SignUp", "Custom")[below(bits, 3)]
    return Voucher(100_000 + below(bits, 9_900_000), code, f"{name} ({code})", kind, sub_type, cents)


def _address(scene: Scene, bits: Callable[[int], int], rand: Callable[[], float]) -> Address:
    store = scene.store
    street = ("Main Street", "Church Road", "Park Avenue", "Station Road", "Mill Lane")[below(bits, 5)]
    apartment = 1 + below(bits, 60)  # drawn before the choice, as the argument of ``choice`` was
    building = (None, f"Apartment {apartment}", "Heron House, First Floor")[below(bits, 3)]
    number = 1 + below(bits, 140)
    low, high = -0.03, 0.03  # ``uniform(low, high)``: low + (high - low) * random()
    latitude = round(store.latitude + (low + (high - low) * rand()), 6)
    longitude = round(store.longitude + (low + (high - low) * rand()), 6)
    return Address(
        building=building,
        street=f"{number} {street}",
        town=store.town,
        post_code=store.post_code,
        latitude=latitude,
        longitude=longitude,
        instructions=(None, "Leave at the door", "Ring the bell twice")[below(bits, 3)],
    )


def _card(bits: Callable[[int], int], rand: Callable[[], float]) -> str:
    if rand() < 0.2:
        return ("Apple Pay", "Google Pay")[below(bits, 2)]
    card = _CARDS[below(bits, 4)]
    return f"{card} ****{below(bits, 10_000):04d}"


@lru_cache(maxsize=1 << 16)  # ``round`` to 2 places goes through text: a lookup is several times faster
def money(cents: int) -> float:
    """Cents as the 2-decimal number Flipdish sends."""
    return round(cents / 100, 2)


def stable_uuid(scene: Scene, label: str) -> str:
    """The same public id for the same menu entry of the same store, in every example."""
    return uuid5_url(f"flipdish-sim:{scene.store_id}:{label}")


def _uuid(store_id: int, label: str) -> str:
    return uuid5_url(f"flipdish-sim:{store_id}:{label}")
