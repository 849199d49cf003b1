"""Credential documents of LeerID: PDF cards on A4, 105 x 48 mm stickers, Excel and the zip.

Frozen dataclasses in (`Card`, `CardPicture`), bytes out; no Flask, no database. What the
documents hold follows the school administrators' manual (shared/seeds/003_*).
"""

from .a4 import cards_a4_pdf
from .bundle import bundle_name, bundle_zip
from .excel import credentials_xlsx
from .model import Card, CardPicture, PrintError
from .stickers import stickers_pdf

__all__ = [
    "Card",
    "CardPicture",
    "PrintError",
    "bundle_name",
    "bundle_zip",
    "cards_a4_pdf",
    "credentials_xlsx",
    "stickers_pdf",
]
