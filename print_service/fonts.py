"""The fonts every document embeds: DejaVu Sans and Sans Mono, shipped in `fonts/`.

DejaVu Sans covers Latin Extended and Vietnamese, so names such as Yalçın, Wójcik and
Nguyễn print as written; nothing depends on the fonts of the machine. reportlab embeds
only the glyphs a document uses. Licence: `fonts/LICENSE-DejaVu.txt`.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path

from anyascii import anyascii
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).with_name("fonts")
SANS = "LeerID-Sans"
SANS_BOLD = "LeerID-Sans-Bold"
MONO = "LeerID-Mono"
MONO_BOLD = "LeerID-Mono-Bold"
_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    MONO: "DejaVuSansMono.ttf",
    MONO_BOLD: "DejaVuSansMono-Bold.ttf",
}
# Highest and lowest point of any glyph the cards print, in ems of the font size: DejaVu's
# accented capitals reach 0.93 em ("Ñ", "Ş" below), Vietnamese stacked marks 1.08 em
# ("Ễ"); descenders and cedillas reach -0.24 em.
ASCENT = 1.1
DESCENT = 0.3
_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the four fonts with reportlab once per process (safe to call again)."""
    global _registered
    with _lock:
        if _registered:
            return
        for name, filename in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
        _registered = True


def covers(font: str, text: str) -> bool:
    """Whether `font` has a glyph for every character of `text`."""
    face = pdfmetrics.getFont(font).face
    return all(ord(ch) in face.charToGlyph for ch in text)


@functools.lru_cache(maxsize=16384)
def printable(text: str, font: str) -> str:
    """`text` with each character `font` has no glyph for replaced by its Latin reading
    ("王 小明" -> "Wang XiaoMing"), so that a teacher reads a name the fonts cannot draw
    (DejaVu has no Chinese, Japanese or Korean) instead of empty boxes. Unchanged when
    the font covers it, as for every Latin, Greek and Cyrillic name. A symbol the font
    lacks (an emoji in a name) is left out: its reading would be its English name in
    colons ("Zoë🦄" would print "Zoë:unicorn:")."""
    if covers(font, text):
        return text
    glyphs = pdfmetrics.getFont(font).face.charToGlyph
    return "".join(
        ch if ord(ch) in glyphs else "" if unicodedata.category(ch)[0] == "S" else anyascii(ch)
        for ch in text
    )


@functools.lru_cache(maxsize=16)
def _measure(font: str) -> Callable[[str, float], float]:
    return pdfmetrics.getFont(font).stringWidth


def width(text: str, font: str, size: float) -> float:
    """The advance width of `text` in points."""
    return float(_measure(font)(text, size))


@functools.lru_cache(maxsize=4096)
def char_width(ch: str, font: str) -> float:
    """The advance width of one character at 1 point (no kerning: widths add up)."""
    return width(ch, font, 1.0)
