"""The Excel file of a creation run: one row per account (manual, section 3: "een
Excelbestand ... om de gegevens via bijvoorbeeld een mailing of brief aan de leerlingen te
verspreiden").

Pictures cannot be shown in Excel, so a picture password's cell points to the PDF (the
manual says the same). Rows follow `model.sort_key`, like the PDFs.

Formula injection: a value starting with "=", "+", "-", "@", a tab or a carriage return
(or a full-width "＝＋－＠") would be taken for a formula by Excel, LibreOffice or a CSV
export. Such a cell is stored as a text cell with Excel's quote prefix set (the style flag
Excel sets when one types a leading apostrophe): the visible text stays exactly the
value, no apostrophe is added to it, and editing the cell keeps it text. Control
characters that XML cannot hold (openpyxl raises IllegalCharacterError) are removed.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from .model import PASSWORD_KEPT, Card, sorted_cards, validate_cards
from .zipfiles import FixedDateZip

HEADERS = (
    "School",
    "Klas",
    "Stamnummer",
    "Naam",
    "Voornaam",
    "Gebruikersnaam",
    "Wachtwoord",
    "URL",
    "Kaartnummer",
)
PICTURES_IN_PDF = "Afbeeldingswachtwoord: zie de PDF"
SHEET_TITLE = "LeerID-accounts"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
MIN_WIDTH, MAX_WIDTH = 8, 100  # column widths in characters


def row_of(card: Card) -> tuple[str, ...]:
    """The values of a card's row, before cleaning; the school is its name, or its
    number when the name is empty."""
    return (
        card.school_name or card.school_number,
        card.class_name,
        card.stamnummer,
        card.last_name,
        card.first_name,
        card.username,
        _password_cell(card),
        card.card_url,
        card.card_serial,
    )


def _password_cell(card: Card) -> str:
    if card.password_kept:
        return f"Ongewijzigd: {PASSWORD_KEPT}"
    return card.password if card.password is not None else PICTURES_IN_PDF


def cell_text(value: str) -> str:
    """`value` without the control characters an xlsx file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a formula."""
    return text.startswith(FORMULA_STARTS)


def credentials_xlsx(cards: Iterable[Card]) -> bytes:
    """The Excel workbook (.xlsx bytes) of `cards`, given in any order: a header row and
    one row per card in print order (manual, section 3: "een Excelbestand"). PrintError for
    an empty list or a malformed card."""
    return render_xlsx(validate_cards(cards))


def render_xlsx(cards: tuple[Card, ...]) -> bytes:
    """The workbook of validated `cards`; equal cards give equal bytes."""
    rows = [row_of(c) for c in sorted_cards(cards)]
    issued = max(card.issued_on for card in cards)
    title = f"LeerID-accounts {cards[0].school_number}"
    return table_xlsx(HEADERS, rows, sheet_title=SHEET_TITLE, title=title, day=issued)


def table_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[str | int | float]],
    *,
    sheet_title: str,
    title: str,
    day: dt.date,
) -> bytes:
    """A one-sheet workbook (.xlsx bytes): a bold, frozen header row with a filter, then
    `rows`; text that a spreadsheet would take for a formula stays text (see above),
    numbers stay numbers. Dated `day`, so equal input gives equal bytes."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = sheet_title
    cleaned = [tuple(headers)] + [
        tuple(cell_text(v) if isinstance(v, str) else v for v in row) for row in rows
    ]
    for values in cleaned:
        sheet.append(values)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str) and is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index in range(1, len(headers) + 1):
        longest = max(len(str(row[index - 1])) for row in cleaned)
        width = min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(cleaned)}"
    stamp = dt.datetime(day.year, day.month, day.day)
    workbook.properties.creator = "LeerID"
    workbook.properties.title = title
    workbook.properties.created = workbook.properties.modified = stamp
    buffer = io.BytesIO()
    ExcelWriter(workbook, FixedDateZip(buffer, day)).save()
    return buffer.getvalue()
