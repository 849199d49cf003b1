"""Text measured before it is drawn: shrunk, then wrapped, so that it never leaves its box.

Sizes and widths are in points. A block's height runs from the top of its tallest possible
glyph (fonts.ASCENT) to the bottom of its lowest (fonts.DESCENT), so blocks stacked by
their heights never overlap and never cross the box they were fitted to.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Literal

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from .fonts import ASCENT, DESCENT, char_width, printable, width

LEADING = 1.2  # baseline to baseline, in ems
_FLOOR = 2.0  # below the minimum size only for text longer than the model allows
_STEP = 0.25


@dataclass(frozen=True)
class TextBlock:
    """Lines of one font and size, ready to draw; `height` in points."""

    lines: tuple[str, ...]
    font: str
    size: float

    @property
    def height(self) -> float:
        """Points from the top of the first line's glyphs to the bottom of the last's."""
        if not self.lines:
            return 0.0
        return (ASCENT + DESCENT + LEADING * (len(self.lines) - 1)) * self.size

    @functools.cached_property
    def width(self) -> float:
        """The widest line, in points."""
        return max((width(line, self.font, self.size) for line in self.lines), default=0.0)

    def draw(
        self,
        pen: PDFTextObject,
        x: float,
        top: float,
        box_width: float = 0.0,
        align: Literal["left", "centre", "right"] = "left",
    ) -> None:
        """Add the lines below `top`, aligned within [x, x + box_width], to a text object
        (one per card: far cheaper than a text object per string)."""
        if not self.lines:
            return
        pen.setFont(self.font, self.size)
        baseline = top - ASCENT * self.size
        for line in self.lines:
            offset = 0.0
            if align != "left":
                offset = box_width - width(line, self.font, self.size)
                offset = offset / 2 if align == "centre" else offset
            pen.setTextOrigin(x + offset, baseline)
            pen.textOut(line)
            baseline -= LEADING * self.size


class TextForms:
    """Text that recurs on many cards (labels, class lines, dates, picture names), drawn
    once per document as a form XObject and placed by reference: placing a form costs a
    fraction of reportlab's work for a string (subset encoding, escaping) on every card."""

    def __init__(self, canvas: Canvas) -> None:
        self._canvas = canvas
        self._names: dict[tuple[TextBlock, float], str] = {}

    def draw(
        self,
        block: TextBlock,
        x: float,
        top: float,
        gray: float = 0.0,
        box_width: float = 0.0,
        align: Literal["left", "centre", "right"] = "left",
    ) -> None:
        """Place `block` below `top`, aligned within [x, x + box_width], in `gray`."""
        if not block.lines:
            return
        name = self._names.get((block, gray))
        canvas = self._canvas
        if name is None:
            name = f"LeerIDText{len(self._names)}"
            canvas.beginForm(name, 0, -block.height, max(block.width, 1e-3), 0)
            pen = canvas.beginText()
            pen.setFillGray(gray)
            block.draw(pen, 0, 0, block.width, align)
            canvas.drawText(pen)
            canvas.endForm()
            self._names[(block, gray)] = name
        offset = 0.0
        if align != "left":
            offset = box_width - block.width
            offset = offset / 2 if align == "centre" else offset
        # q/cm/Q written directly: a form changes no state that reportlab tracks.
        canvas.addLiteral(f"q 1 0 0 1 {fp_str(x + offset, top)} cm")
        canvas.doForm(name)
        canvas.addLiteral("Q")


@functools.lru_cache(maxsize=8192)  # labels, dates, classes and picture names repeat
def fit(
    text: str,
    font: str,
    box_width: float,
    max_size: float,
    min_size: float,
    max_lines: int = 1,
    *,
    break_anywhere: bool = False,
    fewest_lines: bool = False,
) -> TextBlock:
    """`text` at the largest size in [min_size, max_size] that fits `box_width` points.

    One line is tried first; then wrapping into at most `max_lines` lines, at words (and
    after hyphens) or, with `break_anywhere`, at any character (URLs). With `fewest_lines`,
    into as few lines as `min_size` allows, at the largest size that keeps them that few
    (two lines of 8 pt rather than three of 8.5). Text that would not fit even then is
    shrunk below `min_size`: it never overflows.
    """
    if not text:
        return TextBlock((), font, max_size)
    text = printable(text, font)
    one_line = one_line_size(text, font, box_width)
    if one_line >= min_size:
        return TextBlock((text,), font, _round_down(min(max_size, one_line)))
    if fewest_lines:
        fewest = len(wrap(text, font, min_size, box_width, break_anywhere=break_anywhere))
        max_lines = min(max_lines, fewest)
    size = max_size
    while True:
        lines = wrap(text, font, size, box_width, break_anywhere=break_anywhere)
        if len(lines) <= max_lines or size <= _FLOOR:
            return TextBlock(tuple(lines), font, size)
        size = max(_FLOOR, size - _STEP)


@functools.lru_cache(maxsize=8192)
def one_line_size(text: str, font: str, box_width: float) -> float:
    """The size in points at which `text` fills `box_width` points on one line."""
    return box_width / max(width(text, font, 1.0), 1e-6)


def _round_down(size: float) -> float:
    # Twentieths of a point, with a margin for floating point (5.45 * 20 is 108.99999).
    return math.floor(size * 20 + 1e-6) / 20


def wrap(
    text: str, font: str, size: float, box_width: float, *, break_anywhere: bool = False
) -> list[str]:
    """Greedy line breaking of `text` into lines no wider than `box_width` points."""
    if break_anywhere:
        return _break_characters(text, font, size, box_width)
    # Pieces end after a space or a hyphen; a space at a line's end is dropped.
    pieces = re.findall(r"[^\s-]*-+|[^\s-]+\s*|\s+", text)
    lines: list[str] = []
    line = ""
    for piece in pieces:
        candidate = line + piece
        if width(candidate.rstrip(), font, size) <= box_width:
            line = candidate
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = piece.lstrip()
        if width(line.rstrip(), font, size) > box_width:
            broken = _break_characters(line.rstrip(), font, size, box_width)
            lines.extend(broken[:-1])
            line = broken[-1] + (" " if piece.endswith(" ") else "")
    if line.strip():
        lines.append(line.rstrip())
    return lines


_URL_BREAKS = "/.?&=#-"


def _break_characters(text: str, font: str, size: float, box_width: float) -> list[str]:
    """Lines broken at any character, preferably after a URL's "/" or "." or after a "-"
    (between the groups of a card token: "abcd-efgh-" then "jkmn-pqrs") when that keeps at
    least 40 % of the line, and never so that a line starts with a "-" (which reads as a
    minus, or as a dash to leave out)."""
    limit = box_width / size
    lines: list[str] = []
    line = ""
    used = 0.0  # width of `line` at 1 point
    for ch in text:
        advance = char_width(ch, font)
        if line and used + advance > limit:
            cut = max(line.rfind(mark) for mark in _URL_BREAKS) + 1
            if cut < 0.4 * len(line):
                cut = len(line)
            # The next line starts with line[cut:] + ch: move characters down until it
            # no longer starts with "-".
            while cut > 1 and (line[cut:] + ch).startswith("-"):
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
            used = sum(char_width(c, font) for c in line)
            if line and used + advance > limit:
                lines.append(line)
                line, used = "", 0.0
        line += ch
        used += advance
    if line:
        lines.append(line)
    return lines
