"""The zip a creation run hands to the school: the Excel file, the A4 PDF and the sticker
PDF (manual, section 3: "Download ZIP bestand (Excel, A4 PDF, sticker PDF's)").

Every name is built from the school number and the date only, both checked, so no input
can add a path, a space or an accent to a file name.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from .a4 import render_a4
from .document import qr_codes
from .excel import render_xlsx
from .model import SCHOOL_NUMBER, Card, PrintError, validate_cards
from .stickers import render_stickers
from .zipfiles import FixedDateZip


def _stem(school_number: str, day: dt.date) -> str:
    if not isinstance(school_number, str) or not SCHOOL_NUMBER.fullmatch(school_number):
        raise PrintError(f"school number {school_number!r} must be 1 to 20 letters or digits")
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise PrintError("day must be a datetime.date")
    return f"leerid-{school_number}-{day.isoformat()}"


def bundle_name(school_number: str, day: dt.date) -> str:
    """The zip's file name, e.g. "leerid-012345-2026-09-01.zip"; PrintError for a school
    number that is not 1 to 20 ASCII letters or digits."""
    return f"{_stem(school_number, day)}.zip"


def member_names(school_number: str, day: dt.date) -> tuple[str, str, str]:
    """The names inside the zip: the Excel file, the A4 PDF and the sticker PDF."""
    stem = _stem(school_number, day)
    return (f"{stem}.xlsx", f"{stem}-kaartjes-a4.pdf", f"{stem}-stickers-105x48.pdf")


def bundle_zip(cards: Iterable[Card], school_number: str, day: dt.date) -> bytes:
    """The zip (bytes) a school downloads after creating accounts (manual, section 3:
    "Download ZIP bestand (Excel, A4 PDF, sticker PDF's)"): `member_names` holding
    `credentials_xlsx`, `cards_a4_pdf` and `stickers_pdf` of `cards`, byte for byte. All
    cards must be of school `school_number`; `day` (a date) names the files and dates the
    members. Each URL is encoded into a QR code once for both PDFs. PrintError for a bad
    school number or day, an empty list, a malformed card or a card of another school."""
    names = member_names(school_number, day)
    checked = validate_cards(cards)
    for index, card in enumerate(checked, start=1):
        if card.school_number != school_number:
            raise PrintError(
                f"card {index} (username {card.username!r}) is of school "
                f"{card.school_number}, not {school_number}"
            )
    codes = qr_codes(checked)
    buffer = io.BytesIO()
    with FixedDateZip(buffer, day) as archive:
        archive.writestr(names[0], render_xlsx(checked))
        archive.writestr(names[1], render_a4(checked, codes))
        archive.writestr(names[2], render_stickers(checked, codes))
    return buffer.getvalue()
