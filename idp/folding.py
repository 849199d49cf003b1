"""Names folded for matching: what a person types finds what the school's records say.

"Yalçın" and "YALCIN" both fold to "yalcin", "D'Hondt" to "dhondt", "Jean-Luc" to
"jean luc"; names in other scripts fold to their Latin reading (anyascii), so that an
administrator with a Latin keyboard can still find "Мария" by typing "mariya".
"""

from __future__ import annotations

import re

from anyascii import anyascii

# Hyphens, dots and spaces separate words; apostrophes and other marks join them.
_SEPARATORS = re.compile(r"[\s\-./_,]+")
_DROPPED = re.compile(r"[^a-z0-9 ]")


def fold(text: str) -> str:
    """`text` as lower-case ASCII words of letters and digits separated by one space."""
    words = _SEPARATORS.sub(" ", anyascii(text).casefold())
    return " ".join(_DROPPED.sub("", words).split())


def search_name(first_name: str, last_name: str) -> str:
    """What a pupil is found by: both names, folded, first name first."""
    return f"{fold(first_name)} {fold(last_name)}".strip()
