"""A replacement card for a lost one (the Schoolloket's "Nieuw kaartje"): the password
stays as it was, so the card shows none. It says so in plain type, where nothing can be
mistaken for a password to type, and its code still opens the pupil's sign-in."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
import zxingcpp
from openpyxl import load_workbook

from print_service import PrintError, cards_a4_pdf, credentials_xlsx, stickers_pdf
from tests.print_service.cards import make_card, seeded
from tests.print_service.conftest import read_pdf


def _kept(pictures: bool):
    card = make_card(seeded(3), 1, pictures=pictures)
    return replace(card, password=None, pictures=(), password_kept=True)


def _height(glyphs) -> float:
    return max(g.box[3] - g.box[1] for g in glyphs)


@pytest.mark.parametrize("render", [cards_a4_pdf, stickers_pdf])
def test_the_card_says_the_password_stays_in_plain_type(render):
    card = _kept(pictures=False)
    (page,) = read_pdf(render([card])).pages
    assert "Wachtwoord" in page.text and "blijft hetzelfde" in page.text
    text = "".join(g.text for g in page.glyphs)
    start = text.index("blijfthetzelfde")
    kept = page.glyphs[start : start + len("blijfthetzelfde")]
    user_start = text.index(card.username.replace(" ", ""))
    username = page.glyphs[user_start : user_start + len(card.username)]
    # Smaller than the username (the password's type is larger still): an "l" of each.
    assert _height([g for g in kept if g.text == "l"]) < _height(
        [g for g in username if g.text == "l"]
    )
    (code,) = zxingcpp.read_barcodes(page.image)
    assert code.text == card.card_url


def test_the_excel_row_says_it_too():
    sheet = load_workbook(io.BytesIO(credentials_xlsx([_kept(pictures=True)]))).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Wachtwoord"] == "Ongewijzigd: blijft hetzelfde"


@pytest.mark.parametrize(
    "changes",
    [{"password": "boom12"}, {"pictures": make_card(seeded(4), 2, pictures=True).pictures}],
)
def test_a_kept_password_card_shows_no_password(changes):
    with pytest.raises(PrintError, match="shows no password and no pictures"):
        stickers_pdf([replace(_kept(pictures=False), **changes)])
