"""The Excel file read back with openpyxl: one row per card, and no formula ever."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from print_service import PrintError, credentials_xlsx
from print_service.excel import HEADERS, PICTURES_IN_PDF
from print_service.model import sort_key
from tests.print_service.cards import make_card, mixed_cards, seeded

HEADER = [
    "School", "Klas", "Stamnummer", "Naam", "Voornaam", "Gebruikersnaam", "Wachtwoord", "URL",
    "Kaartnummer",
]  # fmt: skip


def read(data: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(data)).worksheets[0]


def test_one_row_per_card_in_print_order_with_dutch_headers():
    cards = mixed_cards(30)
    sheet = read(credentials_xlsx(cards))
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert list(HEADERS) == HEADER == rows[0]
    expected = [
        [
            card.school_name or card.school_number,
            card.class_name or None,
            card.stamnummer,
            card.last_name,
            card.first_name,
            card.username,
            card.password if card.password is not None else PICTURES_IN_PDF,
            card.card_url,
            card.card_serial,
        ]
        for card in sorted(cards, key=sort_key)
    ]
    assert rows[1:] == expected
    assert sheet.max_row == 31 and sheet.max_column == 9
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value)


def test_a_picture_password_points_to_the_pdf():
    rng = seeded(1)
    sheet = read(credentials_xlsx([make_card(rng, 1, pictures=True)]))
    assert sheet["G2"].value == "Afbeeldingswachtwoord: zie de PDF"


def test_header_frozen_filter_on_and_columns_wide_enough():
    cards = mixed_cards(12)
    sheet = read(credentials_xlsx(cards))
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:I13"
    assert all(cell.font.b for cell in sheet[1])
    for column in sheet.iter_cols():
        letter = column[0].column_letter
        longest = max(len(str(cell.value or "")) for cell in column)
        assert sheet.column_dimensions[letter].width >= longest


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "＝"])
@pytest.mark.parametrize("field", ["last_name", "first_name", "school_name", "password"])
def test_values_that_look_like_formulas_stay_text(start, field):
    value = f'{start}HYPERLINK("https://evil.example","klik")'
    if field == "password":
        value = f"{start}1+2"
    card = replace(make_card(seeded(3), 1, pictures=False), **{field: value})
    sheet = read(credentials_xlsx([card]))
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f"]
    marked = [cell for cell in cells if cell.value == value]
    assert len(marked) == 1  # the visible text is the value, no apostrophe added
    assert marked[0].data_type == "s" and marked[0].quotePrefix
    ordinary = [cell for cell in cells if cell.value and cell.value != value]
    assert not any(cell.quotePrefix for cell in ordinary)


def test_every_field_with_a_formula_start_is_neutralised():
    card = make_card(seeded(4), 1, pictures=False)
    hostile = {
        "school_name": "=1", "class_name": "+1", "stamnummer": "-1", "last_name": "@SUM(A1)",
        "first_name": "\t=1", "username": "=cmd", "password": "\r=1",
    }  # fmt: skip
    sheet = read(credentials_xlsx([replace(card, **hostile)]))
    values = {cell.value: cell for cell in sheet[2]}
    for value in hostile.values():
        assert values[value].quotePrefix and values[value].data_type == "s"


def test_control_characters_openpyxl_refuses_are_removed():
    card = make_card(seeded(5), 1, pictures=False)
    card = replace(card, last_name="Pee\x00ters\x07", first_name="Lo\x1btte", class_name="3\x0bB")
    sheet = read(credentials_xlsx([card]))
    assert [sheet["D2"].value, sheet["E2"].value, sheet["B2"].value] == ["Peeters", "Lotte", "3B"]


def test_equal_cards_give_equal_bytes_and_no_cards_is_an_error():
    cards = mixed_cards(5)
    assert credentials_xlsx(cards) == credentials_xlsx(list(reversed(cards)))
    with pytest.raises(PrintError, match="empty"):
        credentials_xlsx([])
