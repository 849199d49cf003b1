"""Cards to print in the tests and the benchmark: real pictures, hard names, long values."""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from print_service import Card, CardPicture

PICTURE_DIR = Path(__file__).resolve().parents[2] / "idp" / "static" / "pictures"
CATEGORIES = (
    "dieren", "smileys", "fruit", "voertuigen", "kleding", "sport", "natuur", "muziek",
)  # fmt: skip
DUTCH = {"tshirt": "t-shirt"}  # the file's slug differs from the Dutch name only here
ISSUER = "https://leerid.example.be"
DAY = dt.date(2026, 9, 1)
SERIAL_ALPHABET = "346789ACEFGHJKMNPRTUVWXY"
# The card token's form (idp.services.cards): 4 groups of 4, no look-alikes.
TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# Names of the issue: each must print as written.
HARD_NAMES = (
    ("Şahin", "Yalçın"),
    ("Wójcik", "Zofia"),
    ("Nguyễn", "Thị Minh Anh"),
    ("Müller", "Jürgen"),
    ("Ñúñez", "Iñés"),
    ("El Amrani", "Hilâl"),
)
LONG_LAST = "Van den Bossche-Vandenberghe de Villers-Deschamps"  # 49 characters
LONG_FIRST = "Maximiliaan Alexander Benedikt"  # 30; with the space: 80 characters in all


def seeded(seed: int) -> random.Random:
    """A generator of reproducible test data (not of secrets)."""
    return random.Random(seed)  # noqa: S311 - reproducible test data, not secrets


@functools.cache
def pictures_of(category: str) -> tuple[CardPicture, ...]:
    """The 12 pictures of a category, named as on the login page."""
    files = sorted(PICTURE_DIR.glob(f"{category}-*.svg"))
    return tuple(
        CardPicture(DUTCH.get(f.stem.split("-", 1)[1], f.stem.split("-", 1)[1]), f) for f in files
    )


def picture_password(rng: random.Random) -> tuple[CardPicture, ...]:
    """One picture from each category, in category order."""
    return tuple(rng.choice(pictures_of(category)) for category in CATEGORIES)


def make_card(rng: random.Random, number: int, *, pictures: bool, **changes: object) -> Card:
    """A valid card of school 012345; `changes` replace fields."""
    token = "-".join("".join(rng.choice(TOKEN_ALPHABET) for _ in range(4)) for _ in range(4))
    serial = "".join(rng.choice(SERIAL_ALPHABET) for _ in range(8))
    card = Card(
        school_number="012345",
        school_name="Gemeentelijke Basisschool De Regenboog",
        stamnummer=f"{100000 + number}",
        last_name=f"Peeters{number:04d}",
        first_name="Lotte",
        class_name=f"{1 + number % 6}{'AB'[number % 2]}",
        username=f"lotte.peeters{number}",
        password=None if pictures else f"boom{rng.randrange(10, 100)}",
        pictures=picture_password(rng) if pictures else (),
        card_url=f"{ISSUER}/k/{token}",
        card_serial=f"{serial[:4]}-{serial[4:]}",
        issued_on=DAY,
    )
    return replace(card, **changes)  # type: ignore[arg-type]


def mixed_cards(count: int, seed: int = 7) -> list[Card]:
    """`count` cards, every other one with a picture password; the hard cases come first:
    the names of the issue, an 80-character name, a 50-character username, an empty class
    and an empty school name."""
    rng = seeded(seed)
    cards = [make_card(rng, n, pictures=n % 2 == 0) for n in range(count)]
    specials: Iterator[dict[str, object]] = iter(
        [{"last_name": last, "first_name": first} for last, first in HARD_NAMES]
        + [
            {"last_name": LONG_LAST, "first_name": LONG_FIRST},
            {"username": "u" * 38 + ".abcdefghijk", "last_name": "Lang"},
            {"class_name": ""},
            {"school_name": ""},
            {"class_name": "", "school_name": ""},
        ]
    )
    for index, change in zip(range(count), specials, strict=False):
        cards[index] = replace(cards[index], **change)  # type: ignore[arg-type]
    return cards
