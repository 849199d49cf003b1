"""The sticker document: A4 sheets of 2 x 6 labels of 105 x 48 mm (manual, section 3: "Het
pdf-document op stickerformaat is voorzien op stickers van het formaat 105X48 mm").

The labels fill the sheet's width (2 x 105 = 210 mm) with 4.5 mm above and below
(4.5 + 6 x 48 + 4.5 = 297 mm). Nothing is drawn outside a label minus its 4 mm inset, so a
sheet that feeds a little askew still prints every label whole. One label per account, in
the order of `model.sort_key`; classes follow each other without leaving labels empty.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from .card import STICKER_STYLE, Box, draw_card
from .document import pdf_document
from .model import Card, sorted_cards, validate_cards
from .qr import QrCode

PAGE_WIDTH, PAGE_HEIGHT = A4
COLUMNS, ROWS = 2, 6
LABEL_WIDTH = 105 * mm
LABEL_HEIGHT = 48 * mm
TOP_MARGIN = 4.5 * mm
LABELS_PER_PAGE = COLUMNS * ROWS


def label_boxes() -> list[Box]:
    """The label rectangles of a sheet in points, row by row from the top left."""
    return [
        Box(
            column * LABEL_WIDTH,
            PAGE_HEIGHT - TOP_MARGIN - (row + 1) * LABEL_HEIGHT,
            LABEL_WIDTH,
            LABEL_HEIGHT,
        )
        for row in range(ROWS)
        for column in range(COLUMNS)
    ]


def stickers_pdf(cards: Iterable[Card]) -> bytes:
    """The sticker document (PDF bytes) of `cards`, given in any order: A4 sheets of 2 x 6
    labels of 105 x 48 mm, one per card, everything 4 mm or more inside its label, sorted by
    class, last and first name (manual, section 3: "stickers van het formaat 105X48 mm").
    PrintError for an empty list or a malformed card."""
    return render_stickers(validate_cards(cards), {})


def render_stickers(cards: tuple[Card, ...], codes: Mapping[str, QrCode]) -> bytes:
    """The sticker PDF of validated `cards`, reusing the QR codes in `codes`."""
    buffer = io.BytesIO()
    with pdf_document(cards, codes, f"LeerID-stickers {cards[0].school_number}", buffer) as pdf:
        boxes, ordered = label_boxes(), sorted_cards(cards)
        for start in range(0, len(ordered), LABELS_PER_PAGE):
            for card, box in zip(ordered[start : start + LABELS_PER_PAGE], boxes, strict=False):
                code = pdf.codes[card.card_url]
                draw_card(pdf.canvas, card, box, STICKER_STYLE, code, pdf.forms, pdf.stamps)
            pdf.canvas.showPage()
    return buffer.getvalue()
