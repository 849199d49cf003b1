"""QR codes: the qrcode library's modules at level M, drawn as one vector path that decodes."""

from __future__ import annotations

import io
import re
import string

import pytest
import qrcode
import zxingcpp
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import MODE_8BIT_BYTE, QRData
from reportlab.pdfgen.canvas import Canvas

from print_service.model import MAX_URL
from print_service.qr import MASK, QUIET_ZONE, draw_qr, make_qr
from tests.print_service.cards import seeded
from tests.print_service.conftest import read_pdf

TOKEN = string.ascii_letters + string.digits + "-_"


def _urls(count: int, seed: int) -> list[str]:
    """Card URLs of every length up to the longest a card may hold (model.MAX_URL)."""
    rng = seeded(seed)
    urls = []
    for _ in range(count):
        token = "".join(rng.choice(TOKEN) for _ in range(rng.randrange(0, MAX_URL)))
        urls.append(f"https://leerid.example.be/k/{token}"[: rng.randrange(30, MAX_URL + 1)])
    return urls


@pytest.mark.parametrize("url", _urls(40, seed=1))
def test_every_length_of_url_decodes_at_level_m(url):
    page = read_pdf(_one_code_page(url)).pages[0]
    (barcode,) = zxingcpp.read_barcodes(page.image)
    assert (barcode.text, barcode.ec_level) == (url, "M")


def test_the_modules_are_the_qrcode_librarys():
    url = "https://leerid.example.be/k/abcd-efgh-jkmn-pqrs"
    reference = qrcode.QRCode(error_correction=ERROR_CORRECT_M, mask_pattern=MASK)
    reference.add_data(QRData(url.encode(), mode=MODE_8BIT_BYTE))
    reference.make(fit=True)
    code = make_qr(url)
    assert code.modules == len(reference.modules) == 4 * reference.version + 17
    dark = sum(cell for row in reference.modules for cell in row)
    # Each rectangle covers a run of dark modules: their widths add up to the dark ones.
    widths = [int(line.split()[2]) for line in code.path.splitlines()]
    assert sum(widths) == dark


def _one_code_page(url: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(200, 200), pageCompression=0, invariant=1)
    draw_qr(canvas, make_qr(url), 40, 40, 120)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_a_code_is_one_filled_path_of_rectangles_and_no_image():
    data = _one_code_page("https://leerid.example.be/k/abcdefghijklmnopqrstuv")
    stream = data.split(b"stream", 1)[1].split(b"endstream", 1)[0]
    assert stream.count(b" re") > 100
    assert len(re.findall(rb"\bf\b", stream)) == 1  # a single fill
    assert not re.search(rb"\b(BI|Do)\b", stream)  # no inline image, no XObject
    assert b"/Subtype /Image" not in data


def test_a_drawn_code_decodes_at_level_m_and_its_quiet_zone_is_white():
    url = "https://leerid.example.be/k/abcdefghijklmnopqrstuv"
    page = read_pdf(_one_code_page(url)).pages[0]
    (barcode,) = zxingcpp.read_barcodes(page.image)
    assert (barcode.text, barcode.ec_level) == (url, "M")
    # 120 pt of modules at (40, 40): the quiet zone is the white band around them.
    code = make_qr(url)
    quiet = QUIET_ZONE * 120 / code.modules
    scale = page.image.width / 200
    outer = [int((40 - quiet) * scale) + 1, int((40 - quiet) * scale) + 1]
    outer += [int((160 + quiet) * scale) - 1] * 2
    region = page.image.crop(tuple(outer))  # type: ignore[arg-type]
    inner = int(quiet * scale) - 2
    region.paste(255, (inner, inner, region.width - inner, region.height - inner))
    assert region.getextrema()[0] == 255
