"""Every field at its longest (and shortest) still prints inside its card and its label."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import pytest
import zxingcpp
from reportlab.lib.units import mm

from print_service import Card, CardPicture, cards_a4_pdf, stickers_pdf
from print_service import a4 as a4_layout
from print_service import stickers as sticker_layout
from print_service.model import (
    MAX_CLASS,
    MAX_NAME,
    MAX_PASSWORD,
    MAX_PICTURE_NAME,
    MAX_SCHOOL_NAME,
    MAX_SERIAL,
    MAX_URL,
    MAX_USERNAME,
)
from tests.print_service.cards import ISSUER, make_card, seeded
from tests.print_service.conftest import Document, outside, read_pdf

INSET = 4 * mm


def _longest(rng: random.Random, number: int, *, pictures: bool) -> Card:
    card = make_card(rng, number, pictures=pictures)
    token = "".join(rng.choice("AbCdEfGh0123456789-_") for _ in range(MAX_URL))
    words = "Wwwwwwwww Mmmmmmmmm-Ẫẫẫẫẫẫ Ççççç Ŵŵŵŵŵŵŵ ÑÑÑÑÑ Ǆǆǆǆǆǆǆ " * 3
    changes: dict[str, object] = {
        "last_name": words[:MAX_NAME],
        "first_name": ("Ẅ" * MAX_NAME),  # one word that must be broken
        "school_name": ("Gemeentelijke Basisschool " * 9)[:MAX_SCHOOL_NAME],
        "class_name": "W" * MAX_CLASS,
        "username": ("m" * MAX_USERNAME),
        "card_url": (f"{ISSUER}/k/{token}")[:MAX_URL],
        "card_serial": "W" * MAX_SERIAL,
        "stamnummer": "9" * 30,
    }
    if pictures:
        long_name = "W" * MAX_PICTURE_NAME
        changes["pictures"] = tuple(CardPicture(long_name, p.svg) for p in card.pictures)
    else:
        changes["password"] = "W" * MAX_PASSWORD
    return replace(card, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def extreme_cards() -> list[Card]:
    rng = seeded(11)
    shortest = make_card(
        rng, 99, pictures=False, last_name="", first_name="Bo", class_name="", school_name=""
    )
    return [
        _longest(rng, 1, pictures=True),
        _longest(rng, 2, pictures=False),
        replace(shortest, password="a", username="b"),
    ]


def _inside(box, rect) -> bool:
    return (
        box[0] >= rect[0] - 0.01
        and box[1] >= rect[1] - 0.01
        and box[2] <= rect[2] + 0.01
        and box[3] <= rect[3] + 0.01
    )


@pytest.mark.parametrize("kind", ["a4", "stickers"])
def test_longest_fields_stay_inside_and_codes_still_decode(kind, extreme_cards):
    render, boxes = {
        "a4": (cards_a4_pdf, a4_layout.card_boxes()),
        "stickers": (stickers_pdf, sticker_layout.label_boxes()),
    }[kind]
    document: Document = read_pdf(render(extreme_cards))
    insets = [(b.x + INSET, b.y + INSET, b.right - INSET, b.top - INSET) for b in boxes]
    header = (0, a4_layout.HEADER_BOTTOM, a4_layout.PAGE_WIDTH, a4_layout.PAGE_HEIGHT)
    found = []
    for page in document.pages:
        allowed = [*insets, header] if kind == "a4" else insets
        stray = [g for g in page.glyphs if not any(_inside(g.box, r) for r in allowed)]
        assert not stray, stray[:5]
        if kind == "stickers":
            assert outside(page.image, insets, page.height) is None
        found += [barcode.text for barcode in zxingcpp.read_barcodes(page.image)]
    assert Counter(found) == Counter(card.card_url for card in extreme_cards)
    text = "".join("".join(page.text.split()) for page in document.pages)
    for card in extreme_cards:
        assert card.username in text and card.card_url in text
