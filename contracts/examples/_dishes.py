"""What the world's stores sell: a few dishes per cuisine (``StoreFacts.cuisine``), with their options."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MENUS", "Dish"]


@dataclass(frozen=True, slots=True)
class Dish:
    section: str
    name: str
    description: str
    price: float
    options: tuple[tuple[str, float], ...]


_DRINKS = (
    Dish("Drinks", "Coca-Cola 330ml", "Can", 2.0, ()),
    Dish("Drinks", "Still Water 500ml", "", 1.5, ()),
)
MENUS: dict[str, tuple[Dish, ...]] = {
    "pizza": (
        Dish(
            "Pizzas",
            "Margherita",
            "San Marzano tomato, fior di latte, basil.",
            11.5,
            (("Extra Mozzarella", 1.5), ("Nduja", 2.0), ("Gluten-free Base", 2.5)),
        ),
        Dish("Pizzas", "Diavola", "Spicy salami, chilli oil, mozzarella.", 13.0, (("Extra Chilli", 0.5),)),
        Dish("Sides", "Garlic Bread", "With mozzarella.", 5.0, ()),
        *_DRINKS,
    ),
    "indian": (
        Dish(
            "Curries",
            "Chicken Tikka Masala",
            "Creamy tomato sauce, mild.",
            14.95,
            (("Pilau Rice", 3.0), ("Garlic Naan", 3.5)),
        ),
        Dish("Curries", "Lamb Rogan Josh", "Medium spiced, Kashmiri chilli.", 16.5, (("Boiled Rice", 2.5),)),
        Dish("Starters", "Onion Bhaji (2)", "Served with mint raita.", 5.5, ()),
        *_DRINKS,
    ),
    "chipper": (
        Dish(
            "Fish",
            "Cod & Chips",
            "Fresh Atlantic cod in batter.",
            12.9,
            (("Mushy Peas", 1.5), ("Curry Sauce", 1.2)),
        ),
        Dish("Burgers", "Spice Bag", "Chicken, chips, peppers, spice.", 10.0, (("Add Curry Dip", 1.0),)),
        Dish("Sides", "Battered Sausage", "", 3.2, ()),
        *_DRINKS,
    ),
    "mexican": (
        Dish(
            "Burritos",
            "Chilli Con Carne Burrito",
            "Slow-cooked beef, beans, rice.",
            9.5,
            (("Cilantro Lime Rice", 0.0), ("Guacamole", 1.5), ("Sour Cream", 0.8)),
        ),
        Dish("Tacos", "Fish Tacos (3)", "Chipotle mayo, slaw.", 8.75, ()),
        Dish("Sides", "Nachos", "Cheese, jalapeños, salsa.", 5.25, (("Add Guacamole", 1.5),)),
        *_DRINKS,
    ),
    "asian": (
        Dish("Noodles", "Chicken Pad Thai", "Rice noodles, peanuts, lime.", 11.0, (("Extra Prawns", 2.5),)),
        Dish("Curries", "Katsu Curry", "Panko chicken, sticky rice.", 12.5, (("Make it Large", 2.0),)),
        Dish("Starters", "Vegetable Spring Rolls (4)", "Sweet chilli dip.", 4.5, ()),
        *_DRINKS,
    ),
    "burger": (
        Dish(
            "Burgers",
            "Classic Cheeseburger",
            "Double smash patty, American cheese.",
            12.0,
            (("Bacon", 2.0), ("Extra Patty", 3.5)),
        ),
        Dish("Burgers", "Crispy Chicken Sandwich", "Buttermilk chicken, pickles.", 11.5, ()),
        Dish("Sides", "Fries", "Sea salt.", 4.0, (("Cajun Seasoning", 0.5),)),
        *_DRINKS,
    ),
    "kebab": (
        Dish("Kebabs", "Kebab w bułce", "Kurczak, sos czosnkowy, surówka.", 24.0, (("Podwójne mięso", 8.0),)),
        Dish("Kebabs", "Falafel Wrap", "Hummus, pikle.", 22.0, ()),
        Dish("Dodatki", "Frytki", "", 9.0, (("Sos czosnkowy", 3.0),)),
        *_DRINKS,
    ),
}
