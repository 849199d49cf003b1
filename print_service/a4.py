"""The A4 document: cards to cut out on plain paper (manual, sections 2 and 3, "Eén
document op gewoon A4-formaat").

Eight cards of 95 x 65.5 mm per page, two columns of four, touching so that one cut
separates two cards: cut marks in the margins extend every cut line, and a light dashed
line along each card edge guides scissors. A page holds the cards of one class only, in
the order of `model.sort_key`, under a header with the school, the class and the date.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .card import A4_STYLE, Box, draw_card
from .document import CREDIT, pdf_document
from .fonts import SANS, SANS_BOLD
from .model import Card, clean, format_date, sort_key, sorted_cards, validate_cards
from .qr import QrCode
from .text import fit

PAGE_WIDTH, PAGE_HEIGHT = A4
COLUMNS, ROWS = 2, 4
MARGIN = 10 * mm  # left, right and bottom; printers leave about 4 mm unprinted
GRID_TOP = PAGE_HEIGHT - 25 * mm
HEADER_TOP = PAGE_HEIGHT - 6 * mm
HEADER_BOTTOM = PAGE_HEIGHT - 19.5 * mm
CARD_WIDTH = (PAGE_WIDTH - 2 * MARGIN) / COLUMNS  # 95 mm
CARD_HEIGHT = (GRID_TOP - MARGIN) / ROWS  # 65.5 mm
MARK_GAP = 1.5 * mm  # between a cut mark and the cards
MARK_LENGTH = 3.5 * mm
CARDS_PER_PAGE = COLUMNS * ROWS


@dataclass(frozen=True)
class Page:
    """The cards of one page, all of one class, and where the page stands in that class."""

    cards: tuple[Card, ...]
    number: int  # 1-based, within the class
    count: int  # pages of the class


def card_boxes() -> list[Box]:
    """The card rectangles of a page in points, row by row from the top left."""
    return [
        Box(
            MARGIN + column * CARD_WIDTH,
            GRID_TOP - (row + 1) * CARD_HEIGHT,
            CARD_WIDTH,
            CARD_HEIGHT,
        )
        for row in range(ROWS)
        for column in range(COLUMNS)
    ]


def pages(cards: Iterable[Card]) -> Iterator[Page]:
    """Sorted cards in pages of at most eight, a new page whenever the class changes."""
    for _, group in groupby(sorted_cards(cards), key=lambda card: sort_key(card)[0]):
        members = tuple(group)
        count = -(-len(members) // CARDS_PER_PAGE)
        for number in range(count):
            start = number * CARDS_PER_PAGE
            yield Page(members[start : start + CARDS_PER_PAGE], number + 1, count)


def cards_a4_pdf(cards: Iterable[Card]) -> bytes:
    """The A4 document (PDF bytes) of `cards`, given in any order: pages of up to 8 cards
    of 95 x 65.5 mm to cut out, one class per page, sorted by class, last and first name
    (manual, sections 2 and 3: "Eén document op gewoon A4-formaat"). PrintError for an
    empty list or a malformed card."""
    return render_a4(validate_cards(cards), {})


def render_a4(cards: tuple[Card, ...], codes: Mapping[str, QrCode]) -> bytes:
    """The A4 PDF of validated `cards`, reusing the QR codes in `codes`."""
    buffer = io.BytesIO()
    with pdf_document(cards, codes, f"LeerID-kaartjes {cards[0].school_number}", buffer) as pdf:
        canvas, boxes = pdf.canvas, card_boxes()
        for page in pages(cards):
            _draw_header(canvas, page)
            _draw_cut_lines(canvas, len(page.cards))
            for card, box in zip(page.cards, boxes, strict=False):
                code = pdf.codes[card.card_url]
                draw_card(canvas, card, box, A4_STYLE, code, pdf.forms, pdf.stamps)
            canvas.showPage()
    return buffer.getvalue()


def _dates(cards: tuple[Card, ...]) -> str:
    first = min(card.issued_on for card in cards)
    last = max(card.issued_on for card in cards)
    if first == last:
        return format_date(first)
    return f"{format_date(first)} – {format_date(last)}"


def _draw_header(canvas: Canvas, page: Page) -> None:
    """School, class, date and page of the class, and how to use the cards."""
    first = page.cards[0]
    width = PAGE_WIDTH - 2 * MARGIN
    class_name = clean(first.class_name)
    class_text = f"Klas {class_name}" if class_name else "Zonder klas"
    right = fit(class_text, SANS_BOLD, width * 0.35, 14, 8)
    page_text = fit(f"blad {page.number} van {page.count}", SANS, width * 0.35, 7.5, 6)
    school = fit(
        clean(first.school_name) or f"School {first.school_number}",
        SANS_BOLD,
        width * 0.6,
        12,
        7,
    )
    details = fit(
        f"Instellingsnummer {first.school_number} · LeerID-kaartjes van {_dates(page.cards)}",
        SANS,
        width * 0.6,
        7.5,
        5.5,
    )
    help_text = fit(
        "Knip langs de stippellijnen. Scan de QR-code of typ het adres eronder, "
        f"en geef dan het wachtwoord in. {CREDIT}.",
        SANS,
        width,
        6.5,
        4.5,
    )
    pen = canvas.beginText()
    pen.setFillGray(0)
    top = HEADER_TOP
    school.draw(pen, MARGIN, top)
    right.draw(pen, MARGIN, top, width, "right")
    top -= max(school.height, right.height)
    details.draw(pen, MARGIN, top)
    page_text.draw(pen, MARGIN, top, width, "right")
    pen.setFillGray(0.3)
    help_text.draw(pen, MARGIN, HEADER_BOTTOM + help_text.height)
    canvas.drawText(pen)


def _draw_cut_lines(canvas: Canvas, count: int) -> None:
    """Dashed card edges and, in the margins, cut marks on every cut line of the cards."""
    rows = -(-count // COLUMNS)
    columns = min(count, COLUMNS)
    bottom = GRID_TOP - rows * CARD_HEIGHT
    canvas.saveState()
    canvas.setLineWidth(0.5)
    canvas.setStrokeGray(0.55)
    canvas.setDash(3, 2)
    edges: set[tuple[float, float, float, float]] = set()
    for box in card_boxes()[:count]:  # an edge shared by two cards is drawn once
        edges.update(
            {
                (box.x, box.y, box.right, box.y),
                (box.x, box.top, box.right, box.top),
                (box.x, box.y, box.x, box.top),
                (box.right, box.y, box.right, box.top),
            }
        )
    for x1, y1, x2, y2 in sorted(edges):
        canvas.line(x1, y1, x2, y2)
    canvas.setDash()
    canvas.setStrokeGray(0)
    xs = [MARGIN + column * CARD_WIDTH for column in range(columns + 1)]
    ys = [GRID_TOP - row * CARD_HEIGHT for row in range(rows + 1)]
    right = xs[-1]
    for x in xs:
        canvas.line(x, GRID_TOP + MARK_GAP, x, GRID_TOP + MARK_GAP + MARK_LENGTH)
        canvas.line(x, bottom - MARK_GAP, x, bottom - MARK_GAP - MARK_LENGTH)
    for y in ys:
        canvas.line(MARGIN - MARK_GAP, y, MARGIN - MARK_GAP - MARK_LENGTH, y)
        canvas.line(right + MARK_GAP, y, right + MARK_GAP + MARK_LENGTH, y)
    canvas.restoreState()
