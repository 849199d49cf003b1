"""Input checks: an empty list or a malformed card is a PrintError that says what is wrong."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from print_service import (
    Card,
    CardPicture,
    PrintError,
    bundle_zip,
    cards_a4_pdf,
    credentials_xlsx,
    stickers_pdf,
)
from print_service.model import clean, sort_key
from tests.print_service.cards import DAY, make_card, seeded

RENDERERS = [cards_a4_pdf, stickers_pdf, credentials_xlsx]


def _card(picture_password: bool = False, **changes: object) -> Card:
    card = make_card(seeded(1), 1, pictures=picture_password)
    return replace(card, **changes)  # type: ignore[arg-type]


def test_print_error_is_a_value_error():
    assert issubclass(PrintError, ValueError)


@pytest.mark.parametrize("render", RENDERERS)
def test_no_cards_is_an_error(render):
    with pytest.raises(PrintError, match="the list of cards is empty"):
        render([])


MALFORMED = [
    ({"school_number": "01-23"}, "school_number must be 1 to 20 letters or digits"),
    ({"username": ""}, "username is empty"),
    ({"username": "u" * 51}, "username is longer than 50 characters"),
    ({"stamnummer": "  "}, "stamnummer is empty"),
    ({"last_name": "", "first_name": " "}, "both last_name and first_name are empty"),
    ({"last_name": "x" * 101}, "last_name is longer than 100 characters"),
    ({"school_name": None}, "school_name must be text, got NoneType"),
    ({"card_url": "ftp://leerid.example.be/k/abc"}, "card_url must be an http(s) URL"),
    ({"card_url": "https://leerid.example.be/k/a b"}, "card_url must be an http(s) URL"),
    ({"card_url": "https://x.be/" + "a" * 100}, "card_url is longer than 100 characters"),
    ({"card_serial": ""}, "card_serial is empty"),
    ({"issued_on": dt.datetime(2026, 9, 1, 8, 0)}, "issued_on must be a datetime.date"),
    ({"issued_on": "2026-09-01"}, "issued_on must be a datetime.date"),
    ({"password": ""}, "password is empty"),
    ({"password": None}, "a picture password needs 8 pictures, got 0"),
    ({"pictures": [1, 2]}, "pictures must be a tuple"),
]


@pytest.mark.parametrize("render", RENDERERS)
@pytest.mark.parametrize(("changes", "message"), MALFORMED)
def test_a_malformed_card_is_named_with_its_problem(render, changes, message):
    good = _card()
    bad = _card(**changes)
    with pytest.raises(PrintError) as raised:
        render([good, bad])
    assert str(raised.value).startswith("card 2 (username ")
    assert message in str(raised.value)


def test_picture_passwords_are_checked():
    card = _card(picture_password=True)
    seven = replace(card, pictures=card.pictures[:7])
    with pytest.raises(PrintError, match="needs 8 pictures, got 7"):
        stickers_pdf([seven])
    both = replace(card, password="boom12")
    with pytest.raises(PrintError, match="either a text password or pictures"):
        stickers_pdf([both])
    missing = CardPicture("kat", Path("/nonexistent/dieren-kat.svg"))
    with pytest.raises(PrintError, match="picture 3: no such file /nonexistent/dieren-kat.svg"):
        stickers_pdf([replace(card, pictures=(*card.pictures[:2], missing, *card.pictures[3:]))])
    unnamed = CardPicture(" ", card.pictures[0].svg)
    with pytest.raises(PrintError, match="picture 1: picture name is empty"):
        stickers_pdf([replace(card, pictures=(unnamed, *card.pictures[1:]))])
    not_svg = CardPicture("kat", Path(__file__))
    with pytest.raises(PrintError, match="picture 1: svg must be the Path of an .svg file"):
        stickers_pdf([replace(card, pictures=(not_svg, *card.pictures[1:]))])


def test_something_else_than_cards_is_refused():
    with pytest.raises(PrintError, match="card 1: expected a Card, got dict"):
        cards_a4_pdf([{"username": "x"}])
    with pytest.raises(PrintError, match="cards must be a list of Card objects"):
        bundle_zip("cards", "012345", DAY)  # type: ignore[arg-type]


def test_text_is_composed_and_free_of_control_characters():
    assert clean("Nguye\u0302\u0303n") == "Nguyễn"
    assert clean(" Lotte\x00\x07 Peeters\t\n") == "Lotte Peeters"


def test_sort_order_is_natural_by_class_and_ignores_accents_and_case():
    cards = [
        _card(class_name="10A", last_name="Aerts"),
        _card(class_name="2A", last_name="Şahin", first_name="Yalçın"),
        _card(class_name="2A", last_name="sahin", first_name="Ayse"),
        _card(class_name="", last_name="Aaron"),
        _card(class_name="2A", last_name="Ñúñez"),
    ]
    ordered = sorted(cards, key=sort_key)
    assert [(c.class_name, c.last_name) for c in ordered] == [
        ("2A", "Ñúñez"),
        ("2A", "sahin"),
        ("2A", "Şahin"),
        ("10A", "Aerts"),
        ("", "Aaron"),
    ]
