"""The pictures of picture passwords: Twemoji SVGs drawn as reusable PDF forms.

reportlab does not read SVG, so svglib converts each file to a reportlab drawing, once per
process (the 96 pictures never change while the process runs). In a document each
distinct picture becomes one form XObject, defined once and referenced by every card that
shows it: 2,000 cards of 8 pictures cost 96 forms, not 16,000 copies.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas
from svglib.svglib import svg2rlg

from .fonts import SANS
from .model import PrintError
from .text import TextBlock

FORM_SIDE = 100.0  # points; a form is drawn into a square this size and scaled at use
_lock = threading.Lock()


@functools.lru_cache(maxsize=512)
def _drawing(path: str) -> Drawing:
    drawing = svg2rlg(path)
    if drawing is None or not drawing.width or not drawing.height:
        raise PrintError(f"cannot read the picture {path}")
    # renderPDF starts each drawing in this font; its default would add a reference to
    # Helvetica, a font the document does not embed (the pictures hold no text).
    drawing.initialFontName = SANS
    return drawing


def load_drawing(svg: Path) -> Drawing:
    """The reportlab drawing of an SVG file, converted once per process."""
    with _lock:  # one conversion per file even when two threads print at once
        return _drawing(str(svg.resolve()))


class PictureForms:
    """The form XObjects of one document: `define` them once, then `draw` them anywhere."""

    def __init__(self, canvas: Canvas) -> None:
        self._canvas = canvas
        self._names: dict[Path, str] = {}
        self._named: dict[tuple[Path, TextBlock, Slot], str] = {}

    def define(self, svgs: Iterable[Path]) -> None:
        """Define a form for each picture not defined yet in this document."""
        for svg in svgs:
            if svg in self._names:
                continue
            name = f"LeerIDPicture{len(self._names)}"
            drawing = load_drawing(svg)
            canvas = self._canvas
            canvas.beginForm(name, 0, 0, FORM_SIDE, FORM_SIDE)
            scale = FORM_SIDE / max(drawing.width, drawing.height)
            canvas.saveState()
            canvas.translate(
                (FORM_SIDE - drawing.width * scale) / 2, (FORM_SIDE - drawing.height * scale) / 2
            )
            canvas.scale(scale, scale)
            with _lock:  # renderPDF briefly sets attributes on the shared, cached drawing
                renderPDF.draw(drawing, canvas, 0, 0)
            canvas.restoreState()
            canvas.endForm()
            self._names[svg] = name

    def _place(self, name: str, x: float, y: float, scale: float = 1.0) -> None:
        # q/cm/Q written directly: a form changes no state that reportlab tracks, and its
        # saveState bookkeeping costs more than the drawing (16,000 pictures per bundle).
        s = fp_str(scale)
        self._canvas.addLiteral(f"q {s} 0 0 {s} {fp_str(x, y)} cm")
        self._canvas.doForm(name)
        self._canvas.addLiteral("Q")

    def draw(self, svg: Path, x: float, y: float, side: float) -> None:
        """Draw a defined picture into the square of `side` points at (x, y) (bottom-left)."""
        self._place(self._names[svg], x, y, side / FORM_SIDE)

    def draw_named(self, svg: Path, name: TextBlock, x: float, top: float, slot: Slot) -> None:
        """Draw a picture with its name centred under it in a slot whose top-left corner is
        (x, top). Cards of one layout share one form per picture, name and slot, so a page
        refers to it instead of repeating the name's text."""
        key = (svg, name, slot)
        form = self._named.get(key)
        if form is None:
            form = f"LeerIDNamedPicture{len(self._named)}"
            canvas = self._canvas
            bottom = -(slot.side + slot.gap + name.height)
            canvas.beginForm(form, 0, bottom, slot.width, 0)
            self._place(
                self._names[svg], (slot.width - slot.side) / 2, -slot.side, slot.side / FORM_SIDE
            )
            pen = canvas.beginText()
            pen.setFillGray(0)
            name.draw(pen, 0, -slot.side - slot.gap, slot.width, "centre")
            canvas.drawText(pen)
            canvas.endForm()
            self._named[key] = form
        self._place(form, x, top)


@dataclass(frozen=True)
class Slot:
    """A picture's place on a card, in points: its width, the picture's side, and the gap
    between picture and name (rounded by the caller so that cards share forms)."""

    width: float
    side: float
    gap: float
