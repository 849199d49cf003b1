"""Picture passwords for basic accounts: 8 pictures, one from each of 8 categories.

Every category has 12 pictures, so there are 12**8 = 429,981,696 picture passwords:
log2 ≈ 28.7 bits. Like the word password this is safe only behind the login's
per-account throttling; the grid is the same for every pupil, so the page gives nothing
away (SECURITY.md).

The artwork is Twemoji (CC-BY 4.0), copied into idp/static/pictures/ as `<id>.svg`; see
ATTRIBUTION.md there. A picture's id is part of every stored hash: never rename or reuse
one. Its Dutch and English names may be improved; they are unique over the whole set
because the Dutch name is the accessible name of the picture's button on the login page.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

PICTURES_PER_CATEGORY = 12
SEPARATOR = " "


class PictureError(ValueError):
    """A set of pictures that is not one picture from each category."""


@dataclass(frozen=True)
class Picture:
    """One picture: a stable id such as "dieren-kat", its names and its Twemoji code point."""

    id: str
    dutch: str
    english: str
    codepoint: str

    @property
    def category(self) -> str:
        """The id of the picture's category."""
        return self.id.split("-", 1)[0]

    @property
    def static_path(self) -> str:
        """The file under the app's static folder, for `url_for("static", filename=...)`."""
        return f"pictures/{self.id}.svg"


@dataclass(frozen=True)
class Category:
    """A category of 12 pictures, shown as one row (or step) of the picture grid."""

    id: str
    dutch: str
    english: str
    pictures: tuple[Picture, ...]


# (category, Dutch, English, ((slug, Dutch name, English name, Twemoji code point), ...)).
# Chosen to be told apart at a glance by a young child: no two balls of one colour, no
# peach or aubergine, nothing scary, sad or violent, no skin-tone or gender variants.
_TABLE = (
    ("dieren", "Dieren", "Animals", (
        ("kat", "kat", "cat", "1f431"), ("hond", "hond", "dog", "1f436"),
        ("konijn", "konijn", "rabbit", "1f430"), ("muis", "muis", "mouse", "1f42d"),
        ("beer", "beer", "bear", "1f43b"), ("panda", "panda", "panda", "1f43c"),
        ("leeuw", "leeuw", "lion", "1f981"), ("tijger", "tijger", "tiger", "1f42f"),
        ("koe", "koe", "cow", "1f42e"), ("kikker", "kikker", "frog", "1f438"),
        ("olifant", "olifant", "elephant", "1f418"), ("uil", "uil", "owl", "1f989"),
    )),
    ("smileys", "Smileys", "Smileys", (
        ("blij", "blij", "happy", "1f600"), ("knipoog", "knipoog", "wink", "1f609"),
        ("zonnebril", "zonnebril", "sunglasses", "1f60e"),
        ("verliefd", "verliefd", "in love", "1f60d"), ("lekker", "lekker", "yummy", "1f60b"),
        ("knuffel", "knuffel", "hug", "1f917"), ("slaapkop", "slaapkop", "sleepy", "1f634"),
        ("nadenken", "nadenken", "thinking", "1f914"),
        ("verbaasd", "verbaasd", "surprised", "1f62e"),
        ("sterrenogen", "sterrenogen", "star eyes", "1f929"),
        ("engeltje", "engeltje", "angel", "1f607"), ("feestje", "feestje", "party", "1f973"),
    )),
    ("fruit", "Fruit", "Fruit", (
        ("appel", "appel", "apple", "1f34e"), ("banaan", "banaan", "banana", "1f34c"),
        ("peer", "peer", "pear", "1f350"), ("aardbei", "aardbei", "strawberry", "1f353"),
        ("druiven", "druiven", "grapes", "1f347"), ("kersen", "kersen", "cherries", "1f352"),
        ("citroen", "citroen", "lemon", "1f34b"), ("ananas", "ananas", "pineapple", "1f34d"),
        ("watermeloen", "watermeloen", "watermelon", "1f349"),
        ("sinaasappel", "sinaasappel", "orange", "1f34a"), ("kiwi", "kiwi", "kiwi", "1f95d"),
        ("kokosnoot", "kokosnoot", "coconut", "1f965"),
    )),
    ("voertuigen", "Voertuigen", "Vehicles", (
        ("auto", "auto", "car", "1f697"), ("bus", "bus", "bus", "1f68c"),
        ("fiets", "fiets", "bicycle", "1f6b2"), ("trein", "trein", "train", "1f682"),
        ("vliegtuig", "vliegtuig", "aeroplane", "2708"),
        ("zeilboot", "zeilboot", "sailing boat", "26f5"), ("raket", "raket", "rocket", "1f680"),
        ("tractor", "tractor", "tractor", "1f69c"),
        ("helikopter", "helikopter", "helicopter", "1f681"),
        ("brandweerauto", "brandweerauto", "fire engine", "1f692"),
        ("step", "step", "scooter", "1f6f4"), ("vrachtwagen", "vrachtwagen", "lorry", "1f69a"),
    )),
    ("kleding", "Kleding", "Clothes", (
        ("tshirt", "t-shirt", "t-shirt", "1f455"), ("broek", "broek", "jeans", "1f456"),
        ("jurk", "jurk", "dress", "1f457"), ("sokken", "sokken", "socks", "1f9e6"),
        ("pet", "pet", "cap", "1f9e2"), ("hoed", "hoed", "top hat", "1f3a9"),
        ("sjaal", "sjaal", "scarf", "1f9e3"),
        ("handschoenen", "handschoenen", "gloves", "1f9e4"), ("jas", "jas", "coat", "1f9e5"),
        ("laars", "laars", "boot", "1f462"),
        ("sportschoen", "sportschoen", "trainer", "1f45f"),
        ("kroon", "kroon", "crown", "1f451"),
    )),
    ("sport", "Sport", "Sport", (
        ("voetbal", "voetbal", "football", "26bd"),
        ("basketbal", "basketbal", "basketball", "1f3c0"),
        ("tennis", "tennis", "tennis", "1f3be"), ("rugby", "rugby", "rugby", "1f3c9"),
        ("bowling", "bowling", "bowling", "1f3b3"),
        ("pingpong", "pingpong", "table tennis", "1f3d3"),
        ("badminton", "badminton", "badminton", "1f3f8"),
        ("skateboard", "skateboard", "skateboard", "1f6f9"),
        ("schaatsen", "schaatsen", "ice skate", "26f8"), ("ski", "ski", "skis", "1f3bf"),
        ("golf", "golf", "golf", "26f3"), ("beker", "beker", "trophy", "1f3c6"),
    )),
    ("natuur", "Natuur", "Nature", (
        ("zon", "zon", "sun", "2600"), ("maan", "maan", "moon", "1f319"),
        ("ster", "ster", "star", "2b50"), ("wolk", "wolk", "cloud", "2601"),
        ("regenboog", "regenboog", "rainbow", "1f308"),
        ("sneeuwpop", "sneeuwpop", "snowman", "2603"), ("boom", "boom", "tree", "1f333"),
        ("tulp", "tulp", "tulip", "1f337"), ("klaver", "klaver", "clover", "1f340"),
        ("cactus", "cactus", "cactus", "1f335"),
        ("herfstblad", "herfstblad", "autumn leaf", "1f341"),
        ("paddenstoel", "paddenstoel", "mushroom", "1f344"),
    )),
    ("muziek", "Muziek", "Music", (
        ("gitaar", "gitaar", "guitar", "1f3b8"), ("piano", "piano", "piano", "1f3b9"),
        ("trompet", "trompet", "trumpet", "1f3ba"), ("viool", "viool", "violin", "1f3bb"),
        ("trommel", "trommel", "drum", "1f941"),
        ("saxofoon", "saxofoon", "saxophone", "1f3b7"),
        ("maracas", "maracas", "maracas", "1fa87"),
        ("koptelefoon", "koptelefoon", "headphones", "1f3a7"),
        ("muzieknoot", "muzieknoot", "musical note", "1f3b5"), ("bel", "bel", "bell", "1f514"),
        ("accordeon", "accordeon", "accordion", "1fa97"), ("radio", "radio", "radio", "1f4fb"),
    )),
)  # fmt: skip

CATEGORIES: tuple[Category, ...] = tuple(
    Category(
        category_id,
        dutch,
        english,
        tuple(Picture(f"{category_id}-{slug}", nl, en, code) for slug, nl, en, code in rows),
    )
    for category_id, dutch, english, rows in _TABLE
)
PICTURES: dict[str, Picture] = {p.id: p for c in CATEGORIES for p in c.pictures}
_ORDER = {category.id: position for position, category in enumerate(CATEGORIES)}


def combination_count() -> int:
    """How many different picture passwords exist (12**8)."""
    count = 1
    for category in CATEGORIES:
        count *= len(category.pictures)
    return count


def picture_password(randbelow: Callable[[int], int] = secrets.randbelow) -> tuple[Picture, ...]:
    """One picture from each category, in category order, drawn with the CSPRNG.

    `randbelow` is replaceable only so that the demo can derive reproducible passwords.
    """
    return tuple(c.pictures[randbelow(len(c.pictures))] for c in CATEGORIES)


def picture_secret(ids: Iterable[str]) -> str:
    """The text that is hashed for a choice of pictures: the ids in category order.

    The order in which a pupil taps the pictures does not matter (each category holds
    exactly one); anything but one known picture per category raises PictureError.
    """
    chosen = [PICTURES.get(picture_id) for picture_id in ids]
    if None in chosen:
        raise PictureError("unknown picture")
    categories = sorted(_ORDER[p.category] for p in chosen if p is not None)
    if categories != list(range(len(CATEGORIES))):
        raise PictureError(f"choose exactly one picture from each of the {len(CATEGORIES)} kinds")
    ordered = sorted((p for p in chosen if p is not None), key=lambda p: _ORDER[p.category])
    return SEPARATOR.join(p.id for p in ordered)


def pictures_of(secret: str) -> tuple[Picture, ...]:
    """The pictures of a secret made by `picture_secret` (PictureError for anything else)."""
    ids = secret.split(SEPARATOR)
    if picture_secret(ids) != secret:
        raise PictureError("not a picture password")
    return tuple(PICTURES[picture_id] for picture_id in ids)
