"""Each card and each sticker read on its own from the rendered page: its 8 pictures in
password order, each with its name under it and large enough to match against the sign-in
grid; its school, class and date; every drawing inside its own label; the A4 cut marks.

Positions come from pdfium (the text page's glyph boxes, the picture forms' bounds); which
picture is drawn where comes from the pixels, compared with each SVG rendered on its own.
"""

from __future__ import annotations

import functools
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest
import zxingcpp
from PIL import Image, ImageChops
from reportlab.graphics import renderPDF
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from svglib.svglib import svg2rlg

from print_service import Card, stickers_pdf
from print_service import a4 as a4_layout
from print_service import stickers as sticker_layout
from print_service.card import Box
from print_service.model import format_date, sort_key
from tests.print_service.cards import PICTURE_DIR
from tests.print_service.conftest import SCALE, Document, Glyph, Page, read_pdf

Rect = tuple[float, float, float, float]  # left, bottom, right, top in points
INSET = 4 * mm
COLOUR_DPI = 150  # the pixels compared with the reference pictures
THUMB = (16, 16)
# Large enough for a six-year-old to match against the sign-in grid: the A4 card has room
# for pictures of 14 to 14.5 mm, a 105 x 48 mm sticker for 8.5 to 9.5 mm (less on a card
# whose name takes two lines). Measured is the artwork as drawn, which fills at least 95 %
# of its square (Twemoji's 36 x 36 grid).
LEAST_PICTURE = {"a4": 13.5 * mm, "stickers": 8 * mm}


def _boxes(kind: str) -> list[Box]:
    return a4_layout.card_boxes() if kind == "a4" else sticker_layout.label_boxes()


def _rect(box: Box, inset: float = 0.0) -> Rect:
    return (box.x + inset, box.y + inset, box.right - inset, box.top - inset)


def _centre_in(rect: Rect, box: Rect) -> bool:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return rect[0] <= x <= rect[2] and rect[1] <= y <= rect[3]


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Placed:
    """A card and where the document must have put it: its page and its rectangle."""

    card: Card
    page: int
    rect: Rect


def placements(kind: str, document: Document, cards: list[Card]) -> list[Placed]:
    """Each card's page (the one that prints its serial) and its rectangle: A4 fills a page's
    cards row by row, the sticker sheets their labels, in the documents' order."""
    placed = []
    boxes = _boxes(kind)
    for number, page in enumerate(document.pages):
        on_page = sorted((c for c in cards if c.card_serial in page.text), key=sort_key)
        for index, card in enumerate(on_page):
            placed.append(Placed(card, number, _rect(boxes[index])))
    assert Counter(p.card.card_serial for p in placed) == Counter(c.card_serial for c in cards)
    return placed


def _glyphs_in(page: Page, rect: Rect) -> list[Glyph]:
    return [glyph for glyph in page.glyphs if _centre_in(rect, glyph.box)]


# The pictures as drawn: pdfium's bounds of each form that holds paths and no text.


def _page_rect(obj: pdfium.PdfObject) -> Rect:
    left, bottom, right, top = obj.get_bounds()
    container = obj.container
    while container is not None:  # into the page's space, through every enclosing form
        left, bottom, right, top = container.get_matrix().on_rect(left, bottom, right, top)
        container = container.container
    return (left, bottom, right, top)


def picture_rects(data: bytes) -> list[list[Rect]]:
    """Per page, the bounds of every picture drawn on it (in points)."""
    pdf = pdfium.PdfDocument(data)
    found = []
    try:
        for page in pdf:
            rects = []
            for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_FORM], max_depth=6):
                kinds = {kid.type for kid in page.get_objects(form=obj, max_depth=6)}
                if raw.FPDF_PAGEOBJ_PATH in kinds and raw.FPDF_PAGEOBJ_TEXT not in kinds:
                    rects.append(_page_rect(obj))
            found.append(rects)
            page.close()
    finally:
        pdf.close()
    return found


def colour_pages(data: bytes) -> list[Image.Image]:
    pdf = pdfium.PdfDocument(data)
    try:
        return [page.render(scale=COLOUR_DPI / 72).to_pil().convert("RGB") for page in pdf]
    finally:
        pdf.close()


def _ink_box(image: Image.Image) -> tuple[int, int, int, int]:
    """The bounding box of the pixels that are not (nearly) white."""
    ink = image.convert("L").point(lambda value: 255 if value < 245 else 0)
    box = ink.getbbox()
    assert box is not None, "no ink"
    return box


def _crop(image: Image.Image, rect: Rect, page_height: float, dpi: float) -> Image.Image:
    """The ink of `rect` (points) on a page image rendered at `dpi`."""
    scale = dpi / 72
    region = image.crop(
        (
            int(rect[0] * scale),
            int((page_height - rect[3]) * scale),
            int(rect[2] * scale + 0.999),
            int((page_height - rect[1]) * scale + 0.999),
        )
    )
    return region.crop(_ink_box(region))


def _thumb(image: Image.Image) -> Image.Image:
    return image.resize(THUMB, Image.Resampling.BOX)


def _distance(a: Image.Image, b: Image.Image) -> int:
    """The summed difference of two thumbnails, every channel of every pixel."""
    return sum(ImageChops.difference(a, b).tobytes())


@functools.cache
def reference_thumbs() -> dict[str, Image.Image]:
    """Every picture of the sign-in page drawn alone, straight from its SVG (svglib and
    reportlab, not print_service), as a thumbnail of its ink; keyed by file name."""
    files = sorted(PICTURE_DIR.glob("*.svg"))
    cell, columns = 60.0, 10
    rows = -(-len(files) // columns)
    height = rows * cell
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(columns * cell, height))
    for index, path in enumerate(files):
        drawing = svg2rlg(str(path))
        assert drawing is not None
        row, column = divmod(index, columns)
        scale = (cell - 10) / max(drawing.width, drawing.height)
        canvas.saveState()
        canvas.translate(column * cell + 5, height - (row + 1) * cell + 5)
        canvas.scale(scale, scale)
        renderPDF.draw(drawing, canvas, 0, 0)
        canvas.restoreState()
    canvas.save()
    (image,) = colour_pages(buffer.getvalue())
    thumbs = {}
    for index, path in enumerate(files):
        row, column = divmod(index, columns)
        rect = (column * cell, height - (row + 1) * cell, (column + 1) * cell, height - row * cell)
        thumbs[path.name] = _thumb(_crop(image, rect, height, COLOUR_DPI))
    return thumbs


def identify(picture: Image.Image) -> str:
    """The file name of the reference picture that `picture` (its ink) looks most like."""
    thumb = _thumb(picture)
    references = reference_thumbs()
    return min(references, key=lambda name: _distance(thumb, references[name]))


def _reading_order(rects: list[Rect]) -> list[list[Rect]]:
    """Rectangles in rows from the top (a row: those whose middles lie within the height of
    its first), each row from the left."""
    rows: list[list[Rect]] = []
    for rect in sorted(rects, key=lambda r: -(r[1] + r[3])):
        middle = (rect[1] + rect[3]) / 2
        if rows and rows[-1][0][1] <= middle <= rows[-1][0][3]:
            rows[-1].append(rect)
        else:
            rows.append([rect])
    return [sorted(row, key=lambda r: r[0]) for row in rows]


@dataclass(frozen=True)
class CardPictures:
    placed: Placed
    rows: list[list[Rect]]  # the card's pictures, in rows from the top, each from the left
    shown: list[str]  # the file each picture (in that reading order) looks like
    names: list[str]  # the text printed under each picture, in that order
    name_boxes: list[Rect]


def _name_under(glyphs: list[Glyph], picture: Rect, row: list[Rect]) -> list[Glyph]:
    """The glyphs under `picture` (their tops within 6 mm below it) and within its slot:
    less than half the distance between two pictures of its row from its middle."""
    middles = [(r[0] + r[2]) / 2 for r in row]
    pitch = min((b - a for a, b in zip(middles, middles[1:], strict=False)), default=20 * mm)
    middle = (picture[0] + picture[2]) / 2
    return [
        g
        for g in glyphs
        if picture[1] - 6 * mm <= g.box[3] <= picture[1] + 0.2
        and abs((g.box[0] + g.box[2]) / 2 - middle) < pitch / 2
    ]


def card_pictures(kind: str, document: Document, cards: list[Card]) -> Iterator[CardPictures]:
    """Every picture-password card as printed: its pictures and the names under them."""
    rects, images = picture_rects(document.data), colour_pages(document.data)
    for placed in placements(kind, document, cards):
        if not placed.card.pictures:
            continue
        page = document.pages[placed.page]
        mine = [r for r in rects[placed.page] if _centre_in(placed.rect, r)]
        rows = _reading_order(mine)
        ordered = [r for row in rows for r in row]
        image = images[placed.page]
        shown = [identify(_crop(image, r, page.height, COLOUR_DPI)) for r in ordered]
        glyphs = _glyphs_in(page, placed.rect)
        names, boxes = [], []
        for row in rows:
            for rect in row:
                under = _name_under(glyphs, rect, row)
                names.append("".join(g.text for g in under))
                boxes.append(
                    (
                        min((g.box[0] for g in under), default=0.0),
                        min((g.box[1] for g in under), default=0.0),
                        max((g.box[2] for g in under), default=0.0),
                        max((g.box[3] for g in under), default=0.0),
                    )
                )
        yield CardPictures(placed, rows, shown, names, boxes)


@pytest.fixture(scope="module")
def printed(a4: Document, stickers: Document, cards: list[Card]) -> dict[str, list[CardPictures]]:
    return {
        "a4": list(card_pictures("a4", a4, cards)),
        "stickers": list(card_pictures("stickers", stickers, cards)),
    }


@pytest.mark.parametrize("kind", ["a4", "stickers"])
def test_a_picture_card_shows_its_8_pictures_in_order_each_named_under_itself(kind, printed, cards):
    found = printed[kind]
    assert len(found) == sum(1 for card in cards if card.pictures) == 15
    for seen in found:
        card = seen.placed.card
        # Two rows of four, read like a book: the order of the password.
        assert [len(row) for row in seen.rows] == [4, 4], card.username
        assert seen.shown == [picture.svg.name for picture in card.pictures], card.username
        assert seen.names == [_squeezed(picture.name) for picture in card.pictures]
        for picture, box in zip((r for row in seen.rows for r in row), seen.name_boxes,
                                strict=True):  # fmt: skip
            # Centred under its own picture, close below it.
            assert abs((box[0] + box[2]) / 2 - (picture[0] + picture[2]) / 2) <= 1 * mm
            assert picture[1] - 3 * mm <= box[3] <= picture[1]


@pytest.mark.parametrize("kind", ["a4", "stickers"])
def test_every_picture_is_drawn_large_enough_to_match(kind, printed):
    least = LEAST_PICTURE[kind]
    sizes = []
    for seen in printed[kind]:
        for rect in (r for row in seen.rows for r in row):
            sizes.append(max(rect[2] - rect[0], rect[3] - rect[1]))
    assert len(sizes) == 15 * 8
    assert min(sizes) >= least, f"{min(sizes) / mm:.2f} mm"


@pytest.mark.parametrize("kind", ["a4", "stickers"])
def test_every_picture_has_that_size_in_ink_on_the_page(kind, a4, stickers, printed):
    # The forms' bounds above; here the rendered pixels of each picture.
    document = a4 if kind == "a4" else stickers
    least = LEAST_PICTURE[kind]
    for seen in printed[kind]:
        page = document.pages[seen.placed.page]
        for rect in (r for row in seen.rows for r in row):
            ink = _crop(page.image, rect, page.height, SCALE * 72)
            assert max(ink.size) / SCALE >= least * 0.9, (seen.placed.card.username, ink.size)


@pytest.mark.parametrize("kind", ["a4", "stickers"])
def test_each_card_carries_its_school_class_and_date(kind, cards, request):
    document: Document = request.getfixturevalue(kind)
    for placed in placements(kind, document, cards):
        card = placed.card
        page = document.pages[placed.page]
        text = "".join(g.text for g in _glyphs_in(page, placed.rect))
        school = card.school_name or f"School {card.school_number}"
        assert _squeezed(school) in text, (kind, card.username)
        if card.class_name:
            assert f"Klas{card.class_name}" in text, (kind, card.username)
        assert format_date(card.issued_on) in text, (kind, card.username)
        # And the card's own details, so that the rectangle is this card's.
        assert card.card_serial in text and _squeezed(card.username) in text


def _dark_run(image: Image.Image, line: tuple[float, float, float, float]) -> float:
    """Millimetres of black (< 100) along a horizontal or vertical line (x1, y1, x2, y2 in
    points), looking a pixel to either side of it."""
    x1, y1, x2, y2 = (value * SCALE for value in line)
    height = image.height
    dark = 0
    if x1 == x2:
        for y in range(int(min(y1, y2)), int(max(y1, y2))):
            row = height - 1 - y
            if any(image.getpixel((int(x1) + dx, row)) < 100 for dx in (-1, 0, 1)):
                dark += 1
    else:
        for x in range(int(min(x1, x2)), int(max(x1, x2))):
            row = height - 1 - int(y1)
            if any(image.getpixel((x, row + dy)) < 100 for dy in (-1, 0, 1)):
                dark += 1
    return dark / SCALE / mm


def test_the_a4_cut_marks_extend_every_cut_line_into_the_margins(a4, cards):
    # The dashed card edges are grey; a cut mark is black, in the margin, on the line of a
    # card edge: above and below the cards for each vertical cut, left and right for each
    # horizontal one.
    by_page = Counter(placed.page for placed in placements("a4", a4, cards))
    assert len(by_page) == len(a4.pages)
    for number, page in enumerate(a4.pages):
        used = a4_layout.card_boxes()[: by_page[number]]
        left, right = min(b.x for b in used), max(b.right for b in used)
        top, bottom = max(b.top for b in used), min(b.y for b in used)
        xs = sorted({b.x for b in used} | {b.right for b in used})
        ys = sorted({b.y for b in used} | {b.top for b in used})
        marks = []
        for x in xs:
            marks.append((x, top + 0.5 * mm, x, a4_layout.HEADER_BOTTOM))
            marks.append((x, bottom - 0.5 * mm, x, 1 * mm))
        for y in ys:
            marks.append((left - 0.5 * mm, y, 1 * mm, y))
            marks.append((right + 0.5 * mm, y, page.width - 1 * mm, y))
        for mark in marks:
            run = _dark_run(page.image, mark)
            assert run >= 3.0, f"page {number + 1}: {run:.1f} mm of cut mark on {mark}"


# Stickers: what each label adds to the sheet lies inside that label minus its inset.


def _sheet(cards: list[Card]) -> Page:
    return read_pdf(stickers_pdf(cards)).pages[0]


def _added(
    before: Page | None, after: Page
) -> tuple[list[Glyph], tuple[int, int, int, int] | None]:
    """The glyphs of `after` not on `before`, and the bounding box (pixels) of the pixels
    that differ."""
    if before is None:
        return list(after.glyphs), ImageChops.invert(after.image).getbbox()
    extra = Counter(after.glyphs) - Counter(before.glyphs)
    return list(extra.elements()), ImageChops.difference(before.image, after.image).getbbox()


def test_each_sticker_draws_only_inside_its_own_label_minus_the_inset(cards):
    # A sheet with one label more than the one before: what it adds is that label's card,
    # and all of it lies inside that label minus 4 mm (not merely inside some label).
    first_sheet = sorted(cards, key=sort_key)[: sticker_layout.LABELS_PER_PAGE]
    boxes = sticker_layout.label_boxes()
    before: Page | None = None
    for index, card in enumerate(first_sheet):
        after = _sheet(first_sheet[: index + 1])
        glyphs, changed = _added(before, after)
        inset = _rect(boxes[index], INSET)
        text = "".join(g.text for g in glyphs)
        assert card.card_serial in text and _squeezed(card.username) in text, index
        stray = [g for g in glyphs if not _inside(g.box, inset)]
        assert not stray, (index, stray[:3])
        assert changed is not None
        pixels = (
            int(inset[0] * SCALE) - 1,
            int((after.height - inset[3]) * SCALE) - 1,
            int(inset[2] * SCALE + 0.999) + 1,
            int((after.height - inset[1]) * SCALE + 0.999) + 1,
        )
        assert (
            changed[0] >= pixels[0]
            and changed[1] >= pixels[1]
            and changed[2] <= pixels[2]
            and changed[3] <= pixels[3]
        ), (index, changed, pixels)
        label = _rect(boxes[index])
        whole = (
            int(label[0] * SCALE),
            int((after.height - label[3]) * SCALE),
            int(label[2] * SCALE),
            int((after.height - label[1]) * SCALE),
        )
        codes = zxingcpp.read_barcodes(after.image.crop(whole))
        assert [code.text for code in codes] == [card.card_url], index
        before = after


def _inside(box: Rect, rect: Rect) -> bool:
    return (
        box[0] >= rect[0] - 0.01
        and box[1] >= rect[1] - 0.01
        and box[2] <= rect[2] + 0.01
        and box[3] <= rect[3] + 0.01
    )
