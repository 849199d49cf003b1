"""One card drawn into a rectangle: the layout shared by the A4 cards and the stickers.

What a card shows is the manual's section 1: the QR code, the URL, the username
("Gebruikersnaam") and the password ("Wachtwoord": text, or the 8 pictures with their
Dutch names), plus the pupil's name, class and school, the card's serial and date.

    +------------------------------------------------+
    | Yalçın Şahin                                   |  A4: name and "Klas · school"
    | Klas 3B · Sint-Jozefschool                     |  over the whole card. Sticker:
    | +---------+  Gebruikersnaam                    |  over the right column only, and
    | | QR code |  yalcin.sahin                      |  each label on its value's line.
    | |         |  Wachtwoord                        |
    | +---------+  [pic]   [pic]   [pic]   [pic]     |
    | https://leerid.  kat   blij   appel   auto     |
    | example.be/k/    [pic]   [pic]   [pic]   [pic] |
    | abcd-efgh       t-shirt voetbal  zon  gitaar   |  the token: bold, larger
    | -jkmn-pqrs                                     |
    | Kaart K7RE-9XHM                                |
    | Datum 01/09/2026                               |
    +------------------------------------------------+

Every length is in points. Text is fitted with `text.fit`; the pictures take the height
that is left, up to the style's maximum, so nothing crosses the rectangle minus its inset.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from .fonts import ASCENT, MONO, MONO_BOLD, SANS, SANS_BOLD, covers
from .model import Card, clean, format_date
from .pictures import PictureForms, Slot
from .qr import QUIET_ZONE, QrCode, draw_qr
from .text import TextBlock, TextForms, fit

LABEL_GREY = 0.25  # dark enough to stay solid on a black-and-white laser printer


@dataclass(frozen=True)
class CardStyle:
    """Sizes of one kind of card, in points (font sizes: largest and smallest allowed)."""

    inset: float  # blank border inside the rectangle
    qr_side: float  # the code's dark area; its quiet zone comes on top
    header_over_qr: bool  # name and class span the whole card, above the code
    inline_labels: bool  # "Gebruikersnaam" on the value's line instead of above it
    name_size: tuple[float, float]
    meta_size: tuple[float, float]
    label_size: float
    username_size: tuple[float, float]
    password_size: tuple[float, float]
    picture_max: float  # side of a picture
    picture_name_size: tuple[float, float]
    url_size: tuple[float, float]  # the address up to the token
    token_size: tuple[float, float]  # the token a child copies: larger, bold; wraps below min
    small_size: tuple[float, float]  # serial and date
    gap: float  # between blocks stacked in a column


# 4.25 mm: the issue asks for at least 4 mm of blank border, and a glyph's ink may reach a
# little beyond its advance box ("Y" of DejaVu Sans Bold starts 0.1 pt left of its origin).
SAFE_INSET = 4.25 * mm

A4_STYLE = CardStyle(
    inset=SAFE_INSET,
    qr_side=24 * mm,
    header_over_qr=True,
    inline_labels=False,
    name_size=(13, 7),
    meta_size=(8, 5.5),
    label_size=7,
    username_size=(12, 6),
    password_size=(20, 8),
    picture_max=14 * mm,
    picture_name_size=(7, 4.5),
    url_size=(6.5, 4.5),
    token_size=(11, 9),
    small_size=(7.5, 4.5),
    gap=2.5,
)

STICKER_STYLE = CardStyle(
    inset=SAFE_INSET,
    qr_side=21 * mm,
    header_over_qr=False,
    inline_labels=True,
    name_size=(10, 6),
    meta_size=(6.5, 4.5),
    label_size=5.5,
    username_size=(9, 5),
    password_size=(16, 6),
    picture_max=11 * mm,
    picture_name_size=(5.5, 4),
    url_size=(5, 4),
    token_size=(8.5, 7),
    small_size=(5.5, 4),
    gap=1.5,
)


@dataclass(frozen=True)
class Box:
    """A rectangle in points: (x, y) is its bottom-left corner."""

    x: float
    y: float
    width: float
    height: float

    @property
    def top(self) -> float:
        """The y of the top edge."""
        return self.y + self.height

    @property
    def right(self) -> float:
        """The x of the right edge."""
        return self.x + self.width

    def inset(self, by: float) -> Box:
        """The box shrunk by `by` points on every side."""
        return Box(self.x + by, self.y + by, self.width - 2 * by, self.height - 2 * by)


def meta_line(card: Card) -> str:
    """Class and school as one line: "Klas 3B · Sint-Jozefschool" (either may be missing)."""
    parts = []
    if clean(card.class_name):
        parts.append(f"Klas {clean(card.class_name)}")
    parts.append(clean(card.school_name) or f"School {card.school_number}")
    return " · ".join(parts)


def _value_font(text: str, font: str) -> str:
    """Monospace keeps l/1/I and O/0 apart; fall back to DejaVu Sans for other scripts."""
    if covers(font, text):
        return font
    return SANS_BOLD if font == MONO_BOLD else SANS


@dataclass(frozen=True)
class _Ink:
    """Where a card is drawn: the canvas for pictures and codes, one text object for all
    of its text (reportlab's per-string text objects cost more than the rest together)."""

    canvas: Canvas
    text: PDFTextObject
    forms: PictureForms
    stamps: TextForms  # text that recurs from card to card


def draw_card(
    canvas: Canvas,
    card: Card,
    box: Box,
    style: CardStyle,
    code: QrCode,
    forms: PictureForms,
    stamps: TextForms,
) -> None:
    """Draw `card` inside `box` minus `style.inset`, with its QR `code`, picture `forms` and
    the document's `stamps` for recurring text."""
    ink = _Ink(canvas, canvas.beginText(), forms, stamps)
    content = box.inset(style.inset)
    # The quiet zone may lie in the blank inset, never over other drawing.
    side = min(style.qr_side, style.inset * code.modules / QUIET_ZONE)
    top = content.top
    if style.header_over_qr:
        top -= _draw_header(ink, card, style, content.x, top, content.width) + style.gap
        code_top = top - QUIET_ZONE * side / code.modules
    else:
        code_top = top
    column = _draw_code_column(ink, card, style, code, side, content.x, code_top, content.y)
    right = Box(column, content.y, content.right - column, top - content.y)
    if not style.header_over_qr:
        used = _draw_header(ink, card, style, right.x, right.top, right.width) + style.gap
        right = Box(right.x, right.y, right.width, right.height - used)
    _draw_credentials(ink, card, style, right)
    canvas.drawText(ink.text)


def _draw_header(
    ink: _Ink, card: Card, style: CardStyle, x: float, top: float, width: float
) -> float:
    """The pupil's name, then class and school; returns the height used."""
    name = fit(card.full_name, SANS_BOLD, width, *style.name_size, max_lines=2)
    meta = fit(meta_line(card), SANS, width, *style.meta_size, max_lines=2)
    ink.text.setFillGray(0)
    name.draw(ink.text, x, top)
    ink.stamps.draw(meta, x, top - name.height, LABEL_GREY)
    return name.height + meta.height


def _draw_code_column(
    ink: _Ink,
    card: Card,
    style: CardStyle,
    code: QrCode,
    side: float,
    x: float,
    top: float,
    bottom: float,
) -> float:
    """The QR code's dark area from `top` down, its URL, serial and date below; returns
    the x where the next column may start (after the code's quiet zone)."""
    # The site on its own line(s), the token under it in bold, broken only between its
    # groups where it must: the part a child types letter by letter stays large.
    site, token = split_url(card.card_url)
    url = fit(site, MONO, side, *style.url_size, max_lines=3, break_anywhere=True)
    key = fit(token, MONO_BOLD, side, *style.token_size, max_lines=3, break_anywhere=True)
    texts = (f"Kaart {clean(card.card_serial)}", f"Datum {format_date(card.issued_on)}")
    size = min(fit(text, SANS, side, *style.small_size, max_lines=2).size for text in texts)
    serial, day = (fit(text, SANS, side, size, size, max_lines=2) for text in texts)
    quiet = QUIET_ZONE * side / code.modules
    below = (
        quiet + url.height + (key.height if token else 0.0) + style.gap + serial.height + day.height
    )
    if top - side - below < bottom:  # only for names and URLs at their longest
        side = max(top - bottom - below, 0.5 * side)
        quiet = QUIET_ZONE * side / code.modules
    draw_qr(ink.canvas, code, x, top - side, side)
    y = top - side - quiet
    ink.text.setFillGray(0)
    url.draw(ink.text, x, y)
    y -= url.height
    if token:
        key.draw(ink.text, x, y)
        y -= key.height
    y -= style.gap
    ink.text.setFillGray(LABEL_GREY)
    serial.draw(ink.text, x, y)
    ink.stamps.draw(day, x, y - serial.height, LABEL_GREY)
    widest = max(url.width, key.width if token else 0.0) + style.gap
    return x + max(side + quiet, widest, serial.width, day.width) + style.gap


def split_url(url: str) -> tuple[str, str]:
    """A card URL as its site and path up to the last "/" ("https://leerid.be/k/"), and
    the token after it ("abcd-efgh-jkmn-pqrs"; empty when the URL ends in "/")."""
    cut = url.rfind("/") + 1
    return url[:cut], url[cut:]


def _label(style: CardStyle, text: str) -> TextBlock:
    return fit(text, SANS, 1e6, style.label_size, style.label_size)


def _label_column(style: CardStyle) -> float:
    """Width of the labels' column when labels stand on their values' line."""
    return max(_label(style, "Gebruikersnaam").width, _label(style, "Wachtwoord").width) + 3


def _draw_labelled(
    ink: _Ink, style: CardStyle, label: str, value: TextBlock, x: float, top: float
) -> float:
    """A label and its value (on one line, or the label above); returns the height used."""
    label_block = _label(style, label)
    ink.text.setFillGray(0)
    if not style.inline_labels:
        ink.stamps.draw(label_block, x, top, LABEL_GREY)
        value.draw(ink.text, x, top - label_block.height)
        return label_block.height + value.height
    # Baselines aligned: each block's top lies its own ascent above the common baseline.
    baseline = top - ASCENT * max(label_block.size, value.size)
    ink.stamps.draw(label_block, x, baseline + ASCENT * label_block.size, LABEL_GREY)
    value.draw(ink.text, x + _label_column(style), baseline + ASCENT * value.size)
    return max(
        top - (baseline + ASCENT * block.size) + block.height for block in (label_block, value)
    )


def _value(text: str, style_size: tuple[float, float], box_width: float) -> TextBlock:
    """A username or password: monospace bold, broken anywhere if it must wrap."""
    value = clean(text)
    font = _value_font(value, MONO_BOLD)
    return fit(value, font, box_width, *style_size, max_lines=2, break_anywhere=True)


def _draw_credentials(ink: _Ink, card: Card, style: CardStyle, area: Box) -> None:
    """Username, then the password as text or as the grid of 8 named pictures."""
    value_width = area.width - (_label_column(style) if style.inline_labels else 0)
    username = _value(card.username, style.username_size, value_width)
    top = area.top
    top -= _draw_labelled(ink, style, "Gebruikersnaam", username, area.x, top) + style.gap
    if card.password is not None:
        password = _value(card.password, style.password_size, value_width)
        _draw_labelled(ink, style, "Wachtwoord", password, area.x, top)
        return
    label = _label(style, "Wachtwoord")
    ink.stamps.draw(label, area.x, top, LABEL_GREY)
    if style.inline_labels:
        grid = Box(area.x + _label_column(style), area.y, value_width, top - area.y)
    else:
        top -= label.height + style.gap / 2
        grid = Box(area.x, area.y, area.width, top - area.y)
    _draw_pictures(ink, card, style, grid)


def _draw_pictures(ink: _Ink, card: Card, style: CardStyle, area: Box) -> None:
    """Two rows of four pictures in password order, each with its Dutch name under it.

    Each name gets the largest size up to the style's that fits its slot, so a long name
    ("brandweerauto") is smaller than its neighbours instead of shrinking all eight.
    Sizes are rounded down (whole points, half points) so that the cards of a document
    share each picture-and-name form.
    """
    columns, rows = 4, 2
    slot_width = math.floor(area.width / columns)
    names = [
        fit(clean(picture.name), SANS, slot_width - 1, *style.picture_name_size, max_lines=2)
        for picture in card.pictures
    ]
    name_height = max(name.height for name in names)
    row_height = area.height / rows
    side = min(style.picture_max, slot_width - style.gap, row_height - name_height - style.gap)
    slot = Slot(slot_width, math.floor(side * 2) / 2, style.gap / 2)
    ink.forms.define(picture.svg for picture in card.pictures)
    left = area.x + (area.width - columns * slot_width) / 2
    for index, (picture, name) in enumerate(zip(card.pictures, names, strict=True)):
        row, column = divmod(index, columns)
        ink.forms.draw_named(
            picture.svg, name, left + column * slot_width, area.top - row * row_height, slot
        )
