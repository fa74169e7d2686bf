"""The decisions behind one order, in cents: what was bought, how it is fulfilled and paid, what it costs.

``Amount`` follows the Swagger description of ``Order.Amount`` (FACTS.md §2.5): OrderItemsAmount +
DeliveryAmount + TipAmount + ServiceChargeAmount + Voucher.Amount (negative), plus ProcessingFee for cash
orders only (for card orders Flipdish charges the fee to the customer directly). Prices include tax
(VAT-inclusive menus); each line's tax is its price's share at the store's VAT rate.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from ._dishes import MENUS
from ._fill import Filler
from ._ids import uuid5_url
from ._world import Scene

__all__ = ["Address", "Line", "OrderFacts", "Voucher", "draft_order", "money", "stable_uuid"]

_CARDS = ("Visa", "Mastercard", "Amex", "Visa Debit")


@dataclass(frozen=True, slots=True)
class Line:
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
    total_cents: int = field(init=False, repr=False, compare=False)  # with its options

    def __post_init__(self) -> None:
        object.__setattr__(self, "total_cents", self.cents + sum(o.cents for o in self.options))


@dataclass(frozen=True, slots=True)
class Voucher:
    voucher_id: int
    code: str
    name: str
    kind: str
    sub_type: str
    cents: int  # negative: a discount


@dataclass(frozen=True, slots=True)
class Address:
    building: str | None
    street: str
    town: str
    post_code: str
    latitude: float
    longitude: float
    instructions: str | None


@dataclass(frozen=True, slots=True)
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
        for name, value in (("items_cents", items), ("tax_cents", tax), ("service_cents", service)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "amount_cents", amount)

    @property
    def delivery(self) -> bool:
        return self.address is not None


def draft_order(f: Filler) -> OrderFacts:
    """A seeded order at the scene's store, placed a few seconds before the scene's time."""
    rng, scene = f.rng, f.scene
    address = _address(scene, rng) if rng.random() < 0.55 else None
    cash = rng.random() < 0.3
    placed = scene.at - timedelta(seconds=rng.randint(1, 20), milliseconds=rng.randint(0, 999))
    pre_order = rng.random() < 0.15
    lead = timedelta(hours=rng.randint(2, 6)) if pre_order else timedelta(minutes=rng.choice((20, 30, 45)))
    lines = _lines(scene, rng)
    items = sum(line.total_cents for line in lines)
    delivery_cents = rng.choice((250, 300, 350)) if address else 0
    return OrderFacts(
        order_id=rng.randint(100_000_000, 999_999_999),
        lines=lines,
        address=address,
        cash=cash,
        card="Cash" if cash else _card(rng),
        app_type=rng.choice(("Web", "Ios", "Android", "PwaAndroid") + (() if address else ("Kiosk",))),
        placed=placed,
        requested=placed + lead,
        pre_order=pre_order,
        delivery_cents=delivery_cents,
        tip_cents=0 if cash else rng.choice((0, 0, 100, 200, 300)),
        service_percent=0 if address else rng.choice((0, 0, 0, 10)),
        voucher=_voucher(rng, scene, items, delivery_cents),
        fee_cents=10 if cash else 25 + items * 5 // 1000,
        chef_note=rng.choice((None, None, "No onions please", "Extra napkins, thanks!")),
        email_known=rng.random() < 0.85,
        phone=scene.customer_phone,
        receipt_code="".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8)),
        delivery_area_id=rng.randint(1000, 99_999) if address else 0,
    )


def _lines(scene: Scene, rng: random.Random) -> tuple[Line, ...]:
    dishes = MENUS[scene.store.cuisine]
    sections = _sections(scene.store.cuisine)
    lines: list[Line] = []
    for _ in range(rng.randint(1, 4)):
        index = rng.randrange(len(dishes))
        dish = dishes[index]
        chosen = rng.sample(dish.options, rng.randint(0, len(dish.options)))
        options = tuple(
            _line(scene, name, price, f"{dish.name}/{name}", scene.menu_id * 1000 + n + 1, n)
            for n, (name, price) in enumerate(chosen)
        )
        extra = (dish.section, sections.index(dish.section), dish.description, options)
        lines.append(
            _line(scene, dish.name, dish.price, dish.name, scene.menu_id * 100 + index, index, *extra)
        )
    return tuple(lines)


@cache
def _sections(cuisine: str) -> list[str]:
    return sorted({d.section for d in MENUS[cuisine]})


def _line(scene: Scene, name: str, price: float, label: str, menu_id: int, order: int, *rest: object) -> Line:
    cents = round(price * 100)
    rate = scene.store.vat_rate
    tax = round(cents * rate / (100 + rate))
    return Line(name, cents, tax, stable_uuid(scene, label), menu_id, order, *rest)  # type: ignore[arg-type]


def _voucher(rng: random.Random, scene: Scene, items: int, delivery: int) -> Voucher | None:
    if rng.random() < 0.6:
        return None
    code = rng.choice(("WELCOME5", "SAVE10", "FREEDEL", "LUNCH15"))
    if code == "FREEDEL" and delivery:
        cents, kind, name = -delivery, "FreeDelivery", "Free delivery"
    elif code in ("SAVE10", "LUNCH15"):
        percent = int(code[-2:])
        cents, kind, name = -(items * percent // 100), "PercentageDiscount", f"{percent}% off"
    else:
        code, cents, kind, name = "WELCOME5", -min(500, items), "LumpDiscount", f"-{scene.store.symbol}5"
    sub_type = rng.choice(("None", "SignUp", "Custom"))
    return Voucher(rng.randint(100_000, 9_999_999), code, f"{name} ({code})", kind, sub_type, cents)


def _address(scene: Scene, rng: random.Random) -> Address:
    street = rng.choice(("Main Street", "Church Road", "Park Avenue", "Station Road", "Mill Lane"))
    return Address(
        building=rng.choice((None, f"Apartment {rng.randint(1, 60)}", "Heron House, First Floor")),
        street=f"{rng.randint(1, 140)} {street}",
        town=scene.store.town,
        post_code=scene.store.post_code,
        latitude=round(scene.store.latitude + rng.uniform(-0.03, 0.03), 6),
        longitude=round(scene.store.longitude + rng.uniform(-0.03, 0.03), 6),
        instructions=rng.choice((None, "Leave at the door", "Ring the bell twice")),
    )


def _card(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return rng.choice(("Apple Pay", "Google Pay"))
    return f"{rng.choice(_CARDS)} ****{rng.randint(0, 9999):04d}"


def money(cents: int) -> float:
    """Cents as the 2-decimal number Flipdish sends."""
    return round(cents / 100, 2)


def stable_uuid(scene: Scene, label: str) -> str:
    """The same public id for the same menu entry of the same store, in every example."""
    return uuid5_url(f"flipdish-sim:{scene.store_id}:{label}")
