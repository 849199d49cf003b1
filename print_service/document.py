"""What the A4 and sticker documents share: the canvas, fonts, forms and QR codes."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from .fonts import SANS, register_fonts
from .model import Card
from .pictures import PictureForms
from .qr import QrCode, make_qr
from .text import TextForms

CREDIT = "Afbeeldingen: Twemoji (CC-BY 4.0), https://github.com/jdecked/twemoji"


def new_canvas(buffer: io.BytesIO, title: str) -> Canvas:
    """An A4 canvas with compressed pages and no timestamps, so equal input gives equal
    bytes; its metadata credits the pictures (ATTRIBUTION.md of idp/static/pictures)."""
    register_fonts()
    # The initial font too is ours: not even an unused reference to a non-embedded font.
    canvas = Canvas(
        buffer, pagesize=A4, pageCompression=1, invariant=1, initialFontName=SANS, initialFontSize=8
    )
    canvas.setTitle(title)
    canvas.setAuthor("LeerID")
    canvas.setCreator("LeerID print_service")
    canvas.setSubject(CREDIT)
    return canvas


def qr_codes(cards: Iterable[Card], known: Mapping[str, QrCode] | None = None) -> dict[str, QrCode]:
    """Each card URL's QR code, reusing those in `known` (the zip encodes each URL once)."""
    codes = dict(known or {})
    for card in cards:
        if card.card_url not in codes:
            codes[card.card_url] = make_qr(card.card_url)
    return codes


def picture_forms(canvas: Canvas, cards: Iterable[Card]) -> PictureForms:
    """Forms for every picture of `cards`, defined before the first page."""
    forms = PictureForms(canvas)
    # In a fixed order, so that the same cards in any order give the same bytes.
    forms.define(sorted({picture.svg for card in cards for picture in card.pictures}))
    return forms


@dataclass(frozen=True)
class Sheets:
    """An open PDF document of cards: its canvas, each card URL's QR code, the picture
    forms and the recurring text forms."""

    canvas: Canvas
    codes: Mapping[str, QrCode]
    forms: PictureForms
    stamps: TextForms


@contextmanager
def pdf_document(
    cards: tuple[Card, ...], codes: Mapping[str, QrCode], title: str, out: io.BytesIO
) -> Iterator[Sheets]:
    """Open a document of validated `cards` (QR codes in `codes` reused, the others made)
    for the caller to draw its pages on; on leaving, the PDF is written to `out`."""
    canvas = new_canvas(out, title)
    yield Sheets(canvas, qr_codes(cards, codes), picture_forms(canvas, cards), TextForms(canvas))
    canvas.save()
