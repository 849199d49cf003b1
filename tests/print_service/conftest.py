"""The documents of 30 mixed cards, built and rendered once for the whole session."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from print_service import Card, cards_a4_pdf, stickers_pdf
from tests.print_service.cards import mixed_cards

HERE = Path(__file__).parent
DPI = 200
SCALE = DPI / 72  # pixels per point


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in tests/print_service as `documents`: they use no database, so CI
    runs them once, in the SQLite pass."""
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.documents)


@dataclass(frozen=True)
class Glyph:
    """One printed character and its tight box in points (left, bottom, right, top)."""

    text: str
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class Page:
    """A rendered page: size in points, the image (gray, DPI), the glyphs and the text."""

    width: float
    height: float
    image: Image.Image
    glyphs: tuple[Glyph, ...]
    text: str


@dataclass(frozen=True)
class Document:
    data: bytes
    pages: tuple[Page, ...]


# pdfium reports a "-" that ends a line as U+FFFE, joining the two lines (a soft hyphen,
# which it would drop when the text is copied); on the page it is the "-" that was drawn,
# as between the groups of a card token broken after one ("abcd-efgh-" / "jkmn-pqrs").
LINE_END_HYPHEN = "\ufffe"


def read_pdf(data: bytes, dpi: int = DPI) -> Document:
    """Render every page and read every glyph box with pdfium."""
    pdf = pdfium.PdfDocument(data)
    pages = []
    try:
        for page in pdf:
            textpage = page.get_textpage()
            glyphs = []
            for index in range(textpage.count_chars()):
                char = textpage.get_text_range(index, 1).replace(LINE_END_HYPHEN, "-")
                box = textpage.get_charbox(index)
                if char.strip() and box[2] > box[0]:
                    glyphs.append(Glyph(char, box))
            width, height = page.get_size()
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            text = textpage.get_text_range().replace(LINE_END_HYPHEN, "-")
            pages.append(Page(width, height, image, tuple(glyphs), text))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return Document(data, tuple(pages))


@pytest.fixture(scope="session")
def cards() -> list[Card]:
    return mixed_cards(30)


@pytest.fixture(scope="session")
def a4(cards: list[Card]) -> Document:
    return read_pdf(cards_a4_pdf(cards))


@pytest.fixture(scope="session")
def stickers(cards: list[Card]) -> Document:
    return read_pdf(stickers_pdf(cards))


def outside(
    image: Image.Image, allowed: Iterable[tuple[float, float, float, float]], page_height: float
) -> tuple[int, int, int, int] | None:
    """The bounding box (pixels) of the non-white pixels outside every `allowed` rectangle
    (left, bottom, right, top in points, widened by a pixel for antialiasing), or None."""
    mask = Image.new("L", image.size, 0)
    paint: Callable[..., None] = mask.paste
    for left, bottom, right, top in allowed:
        box = (
            int(left * SCALE) - 1,
            int((page_height - top) * SCALE) - 1,
            int(right * SCALE + 0.999) + 1,
            int((page_height - bottom) * SCALE + 0.999) + 1,
        )
        paint(255, box)
    ink = image.point(lambda value: 255 if value < 245 else 0)
    stray = Image.composite(Image.new("L", image.size, 0), ink, mask)
    return stray.getbbox()
