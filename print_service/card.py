"""One card drawn into a rectangle: the layout shared by the A4 cards and the stickers.

What a card shows is the manual's section 1: the QR code, the URL, the username
("Gebruikersnaam") and the password ("Wachtwoord": text, or the 8 pictures with their
Dutch names), plus the pupil's name, class and school, the card's serial and date.

    +------------------------------------------------------+
    | +---------+  Yalçın Şahin                            |  The code column (left,
    | | QR code |  Klas 3B · Sint-Jozefschool              |  the whole height): the
    | |         |  Gebruikersnaam yalcin.sahin             |  code, the URL, serial and
    | +---------+  Wachtwoord                              |  date. The right column:
    |              [pic]   [pic]   [pic]   [pic]           |  name, class and school,
    | https://       kat    blij   appel    auto           |  username, password.
    | leerid.be/k/ [pic]   [pic]   [pic]   [pic]           |
    | abcd-efgh-    t-shirt voetbal  zon   gitaar          |  The token: bold, larger,
    | jkmn-pqrs                                            |  broken only after a "-"
    | Kaart K7RE-9XHM                                      |  between its groups.
    | Datum 01/09/2026                                     |
    +------------------------------------------------------+

A4 puts "Wachtwoord" above the pictures, a sticker (less height, more width) beside them.
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
from .model import PASSWORD_KEPT, Card, clean, format_date
from .pictures import PictureForms, Slot
from .qr import QUIET_ZONE, QrCode, draw_qr
from .text import TextBlock, TextForms, fit

LABEL_GREY = 0.25  # dark enough to stay solid on a black-and-white laser printer


@dataclass(frozen=True)
class CardStyle:
    """Sizes of one kind of card, in points (font sizes: largest and smallest allowed)."""

    inset: float  # blank border inside the rectangle
    code_width: float  # the code column: the code and its quiet zone, the URL under it
    picture_label_above: bool  # "Wachtwoord" above the pictures instead of beside them
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
    column_gap: float  # between the code column and the rest


# 4.25 mm: the issue asks for at least 4 mm of blank border, and a glyph's ink may reach a
# little beyond its advance box ("Y" of DejaVu Sans Bold starts 0.1 pt left of its origin).
SAFE_INSET = 4.25 * mm

# A4: 95 x 65.5 mm, 86.5 x 57 mm inside the inset. The code column holds two token groups
# a line at about 11 pt and the site at 8 pt or more; the 2 x 4 pictures take the rest, about
# 14.5 mm each, as high as the card allows.
A4_STYLE = CardStyle(
    inset=SAFE_INSET,
    code_width=24.2 * mm,
    picture_label_above=True,
    name_size=(12.5, 7),
    meta_size=(7.5, 5.5),
    label_size=6.5,
    username_size=(12, 6),
    password_size=(20, 8),
    picture_max=18 * mm,
    picture_name_size=(6.5, 4.5),
    url_size=(8.5, 8),
    token_size=(12, 9),
    small_size=(7, 4.5),
    gap=2,
    column_gap=1.5 * mm,
)

# Stickers: 105 x 48 mm, 96.5 x 39.5 mm inside the inset. Height is what a sticker lacks:
# the code (about 17 mm) gives a little of it to an address large enough to copy.
STICKER_STYLE = CardStyle(
    inset=SAFE_INSET,
    code_width=24 * mm,
    picture_label_above=False,
    name_size=(10, 6),
    meta_size=(6.5, 4.5),
    label_size=5.5,
    username_size=(9, 5),
    password_size=(16, 6),
    picture_max=14 * mm,
    picture_name_size=(5.5, 4),
    url_size=(7.5, 6),
    token_size=(9, 7),
    small_size=(5, 4),
    gap=1.5,
    column_gap=2.5 * mm,
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
    column = _draw_code_column(ink, card, style, code, content)
    right = Box(column, content.y, content.right - column, content.height)
    used = _draw_header(ink, card, style, right.x, right.top, right.width) + style.gap
    _draw_credentials(ink, card, style, Box(right.x, right.y, right.width, right.height - used))
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


def _draw_code_column(ink: _Ink, card: Card, style: CardStyle, code: QrCode, area: Box) -> float:
    """The QR code at the top left of `area`, its URL, serial and date below it, all within
    `style.code_width`; returns the x where the next column may start."""
    width = min(style.code_width, area.width / 2)
    # The site on its own line(s), the token under it in bold, broken only after the "-"
    # between its groups: the part a child types letter by letter stays large and whole.
    site, token = split_url(card.card_url)
    url = fit(site, MONO, width, *style.url_size, 3, break_anywhere=True, fewest_lines=True)
    key = fit(token, MONO_BOLD, width, *style.token_size, 3, break_anywhere=True, fewest_lines=True)
    texts = (f"Kaart {clean(card.card_serial)}", f"Datum {format_date(card.issued_on)}")
    size = min(fit(text, SANS, width, *style.small_size, max_lines=2).size for text in texts)
    serial, day = (fit(text, SANS, width, size, size, max_lines=2) for text in texts)
    below = url.height + (key.height if token else 0.0) + style.gap + serial.height + day.height
    # The code and its quiet zone under it fill the width, or the height that is left; its
    # quiet zone above and to the left lies in the blank inset (never wider than it).
    quiet_share = QUIET_ZONE / code.modules
    side = min(
        width / (1 + quiet_share),
        (area.height - below) / (1 + quiet_share),
        style.inset / quiet_share,
    )
    side = max(side, 0.5 * width / (1 + quiet_share))  # only for URLs at their longest
    top = area.top
    draw_qr(ink.canvas, code, area.x, top - side, side)
    y = top - side * (1 + quiet_share)
    ink.text.setFillGray(0)
    url.draw(ink.text, area.x, y)
    y -= url.height
    if token:
        key.draw(ink.text, area.x, y)
        y -= key.height
    y -= style.gap
    ink.text.setFillGray(LABEL_GREY)
    serial.draw(ink.text, area.x, y)
    ink.stamps.draw(day, area.x, y - serial.height, LABEL_GREY)
    return area.x + width + style.column_gap


def split_url(url: str) -> tuple[str, str]:
    """A card URL as its site and path up to the last "/" ("https://leerid.be/k/"), and
    the token after it ("abcd-efgh-jkmn-pqrs"; empty when the URL ends in "/")."""
    cut = url.rfind("/") + 1
    return url[:cut], url[cut:]


def _label(style: CardStyle, text: str) -> TextBlock:
    return fit(text, SANS, 1e6, style.label_size, style.label_size)


def _label_column(style: CardStyle) -> float:
    """Width of the labels' column: labels stand on their values' line."""
    return max(_label(style, "Gebruikersnaam").width, _label(style, "Wachtwoord").width) + 3


def _draw_labelled(
    ink: _Ink, style: CardStyle, label: str, value: TextBlock, x: float, top: float
) -> float:
    """A label and its value on one line; returns the height used."""
    label_block = _label(style, label)
    ink.text.setFillGray(0)
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
    value_width = area.width - _label_column(style)
    username = _value(card.username, style.username_size, value_width)
    top = area.top
    top -= _draw_labelled(ink, style, "Gebruikersnaam", username, area.x, top) + style.gap
    if card.password_kept:
        # In plain type, not the password's: nothing here may look like one to type.
        size = style.username_size[0] * 0.8
        kept = fit(PASSWORD_KEPT, SANS, value_width, size, style.label_size)
        _draw_labelled(ink, style, "Wachtwoord", kept, area.x, top)
        return
    if card.password is not None:
        password = _value(card.password, style.password_size, value_width)
        _draw_labelled(ink, style, "Wachtwoord", password, area.x, top)
        return
    label = _label(style, "Wachtwoord")
    ink.stamps.draw(label, area.x, top, LABEL_GREY)
    if style.picture_label_above:
        top -= label.height + style.gap / 2
        grid = Box(area.x, area.y, area.width, top - area.y)
    else:
        grid = Box(area.x + _label_column(style), area.y, value_width, top - area.y)
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
    # A row: picture, half a gap, its name; a gap between the rows, none under the last.
    row_pitch = (area.height + style.gap) / rows
    side = min(style.picture_max, slot_width - style.gap, row_pitch - style.gap * 1.5 - name_height)
    slot = Slot(slot_width, math.floor(side * 2) / 2, style.gap / 2)
    ink.forms.define(picture.svg for picture in card.pictures)
    left = area.x + (area.width - columns * slot_width) / 2
    for index, (picture, name) in enumerate(zip(card.pictures, names, strict=True)):
        row, column = divmod(index, columns)
        ink.forms.draw_named(
            picture.svg, name, left + column * slot_width, area.top - row * row_pitch, slot
        )
