"""Credential documents of LeerID: PDF cards on A4, 105 x 48 mm stickers, Excel and the zip.

Frozen dataclasses in (`Card`, `CardPicture`), bytes out; no Flask, no database. What the
documents hold follows the school administrators' manual (shared/seeds/003_*).

The dataclasses load at once; the renderers (reportlab, svglib, openpyxl: about 0.4 s and
20 MiB) only when first used, so that every `leerid` command and web worker that merely
builds cards does not pay for them at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .model import Card, CardPicture, PrintError

if TYPE_CHECKING:
    from .a4 import cards_a4_pdf
    from .bundle import bundle_name, bundle_zip
    from .excel import credentials_xlsx, is_formula_like, table_xlsx
    from .stickers import stickers_pdf

# The public renderers and the module each lives in.
_RENDERERS = {
    "bundle_name": "bundle",
    "bundle_zip": "bundle",
    "cards_a4_pdf": "a4",
    "credentials_xlsx": "excel",
    "is_formula_like": "excel",
    "table_xlsx": "excel",
    "stickers_pdf": "stickers",
}

__all__ = [
    "Card",
    "CardPicture",
    "PrintError",
    "bundle_name",
    "bundle_zip",
    "cards_a4_pdf",
    "credentials_xlsx",
    "is_formula_like",
    "stickers_pdf",
    "table_xlsx",
]


def __getattr__(name: str) -> Any:
    """Load a renderer on first use (PEP 562)."""
    if name not in _RENDERERS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_RENDERERS[name]}", __name__), name)
    globals()[name] = value
    return value
