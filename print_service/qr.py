"""QR codes as vector paths: error correction M, a quiet zone of 4 modules left white.

The card's QR code holds the card URL (manual, section 1: "QR-code"). The modules are
those of the `qrcode` library, with one fixed mask pattern: letting it score all eight
masks (ISO/IEC 18004:2015, 7.8.3) takes about 8 ms a code in pure Python, 16 s for a
bundle of 2,000 cards, against under 2 ms; a decoder reads the mask from the symbol's
format information, so every mask decodes alike (the tests decode every printed code with
zxing-cpp). Dark modules are merged into rectangles
(one per run of dark modules along a row) and filled as one path per code: a few hundred
path operators that print sharp at any size; no bitmap is embedded.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import MODE_8BIT_BYTE, QRData
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of white around the code (ISO/IEC 18004, 6.3.8)
MASK = 2  # see above; any of the eight decodes alike


@dataclass(frozen=True)
class QrCode:
    """A code's modules per side (without quiet zone) and its dark modules as PDF path
    operators in module units, origin at the bottom-left corner of the code."""

    data: str
    modules: int
    path: str


def make_qr(data: str) -> QrCode:
    """Encode `data` (UTF-8, byte mode, level M, the smallest version that holds it)."""
    encoded = data.encode("utf-8")
    # The modules come without the border: the caller leaves the quiet zone white.
    code = qrcode.QRCode(
        version=_version(len(encoded)),
        error_correction=ERROR_CORRECT_M,
        border=0,
        mask_pattern=MASK,
    )
    code.add_data(QRData(encoded, mode=MODE_8BIT_BYTE))
    code.make(fit=False)
    rows = ["".join("1" if dark else "0" for dark in row) for row in code.modules]
    return QrCode(data, len(rows), _path(rows))


@functools.lru_cache(maxsize=128)
def _version(length: int) -> int:
    """The smallest version that holds `length` bytes at level M, as qrcode's `best_fit`
    finds it. In byte mode it depends on the length alone, and the card URLs of one
    issuer have one length: found once, not once per code."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    code.add_data(QRData(b"\0" * length, mode=MODE_8BIT_BYTE))
    return int(code.best_fit())


def _path(rows: list[str]) -> str:
    """One rectangle per run of dark modules along a row, y counted from the bottom."""
    size = len(rows)
    ops: list[str] = []
    for index, line in enumerate(rows):
        y = f" {size - 1 - index} "
        x = 0
        for run in line.split("0"):
            if run:
                ops.append(f"{x}{y}{len(run)} 1 re")
            x += len(run) + 1
    return "\n".join(ops)


def draw_qr(canvas: Canvas, code: QrCode, x: float, y: float, side: float) -> None:
    """Draw `code` with the bottom-left corner of its modules at (x, y), `side` points wide.

    The quiet zone (QUIET_ZONE modules of `side / code.modules` points) lies outside that
    square; the caller keeps it white.
    """
    scale = fp_str(side / code.modules)
    # One path in module units, filled black once (touching rectangles show no seams),
    # inside q/Q so that nothing reportlab tracks changes.
    canvas.addLiteral(f"q {scale} 0 0 {scale} {fp_str(x, y)} cm 0 g\n{code.path}\nf Q")
