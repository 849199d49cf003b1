"""Parse and check single cell values; a bad value raises FieldError with a message code."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ...models import EducationType, Province
from ...national_number import InvalidNationalNumber, NationalNumber, parse_national_number
from ..tabular import cell_text, header_key

OLDEST_BIRTH_DATE = dt.date(1900, 1, 1)
# Some exports append a midnight time to a date written as text.
_MIDNIGHT = r"(?:[ T]00:00(?::00)?)?"
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})" + _MIDNIGHT)
_YEAR_FIRST = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _MIDNIGHT)
_SHOWN_VALUE_LENGTH = 40


class FieldError(ValueError):
    """A cell's value is not acceptable; `code` and `params` describe why."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Column:
    """A column the import reads: its Dutch header name and what is required."""

    name: str
    column_required: bool = True
    value_required: bool = True
    max_length: int | None = None
    # Text that people read (names, class, grade) holds only characters they can see; an
    # identifier such as the stamnummer is matched exactly as the school's system wrote it.
    visible_only: bool = True


# Invisible characters that reorder the text around them (Unicode's bidirectional
# controls, UAX #9 §2): "Zoë" followed by U+202E and "evil" shows as "Zoëlive".
REVERSING = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Controls, format characters, surrogates and line or paragraph separators: nothing a name,
# class or number holds that a person can see (a tab, a line break, a soft hyphen, a
# zero-width space, a byte order mark, tag characters).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Default-ignorable code points outside those categories (Unicode's
# DerivedCoreProperties.txt): fillers and selectors that show nothing, such as the Hangul
# filler U+3164 used to make names that look empty. (Python's isprintable() lets them pass.)
_IGNORABLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
ZWNJ, ZWJ = "\u200c", "\u200d"
_VIRAMA = 9  # canonical combining class


def _joiner_needed(text: str, index: int) -> bool:
    """Whether the zero-width (non-)joiner at `index` does a job in its script, after
    RFC 5892 Appendix A.1 and A.2 (CONTEXTJ): right after a virama (Devanagari, Tamil and
    the other Indic scripts), or a ZWNJ between two Arabic letters (Persian, Urdu and Pashto
    spell some names with one). In Latin text they do nothing visible."""
    if index == 0:
        return False
    before = text[index - 1]
    if unicodedata.combining(before) == _VIRAMA:
        return True
    if text[index] != ZWNJ or index + 1 >= len(text):
        return False
    after = text[index + 1]
    return all(unicodedata.name(c, "").startswith("ARABIC LETTER") for c in (before, after))


def plainly_visible(text: str) -> bool:
    """True when every character of `text` can be seen (two scans in C: the import's direct
    path); False sends it to invisible_character, which may still accept a needed joiner."""
    return text.isprintable() and _IGNORABLE.search(text) is None


def invisible_character(text: str) -> str | None:
    """The first character of `text` that shows nothing or reorders what is shown (see
    REVERSING and the sets above), or None when every character can be seen.

    Letters with accents (composed or not), apostrophes, hyphens, spaces, no-break spaces
    and every script's letters pass: "Zoë", "D'Hondt", "Nguyễn Thị Ánh", "Çelik", "İlkay".
    A zero-width joiner or non-joiner passes only where its script needs it (see
    _joiner_needed), because elsewhere it only makes two equal-looking names differ."""
    if text.isprintable():
        found = _IGNORABLE.search(text)
        return found.group() if found else None
    for index, char in enumerate(text):
        if char.isprintable():
            if _IGNORABLE.match(char):
                return char
            continue
        if char in (ZWNJ, ZWJ) and _joiner_needed(text, index):
            continue
        if char in REVERSING or unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            return char
        # Left: spaces other than " " (no-break, thin), private-use and unassigned signs,
        # which show as a space or a box.
    return None


def character_label(char: str) -> str:
    """A character as an administrator can look it up: "U+202E RIGHT-TO-LEFT OVERRIDE"."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".rstrip()


def shown(text: str) -> str:
    """A value as quoted back in a message: shortened, so a stray paragraph stays readable,
    and with invisible characters written as [U+202E], so none of them can reorder or hide
    the message around it."""
    if len(text) > _SHOWN_VALUE_LENGTH:
        text = text[: _SHOWN_VALUE_LENGTH - 1] + "…"
    if invisible_character(text) is None:
        return text
    return "".join(f"[U+{ord(c):04X}]" if invisible_character(c) is not None else c for c in text)


def text(value: Any, column: Column) -> str:
    """The trimmed text of a cell, checked against the column's length and requiredness,
    and, for text people read, refused when it holds a character that cannot be seen (see
    invisible_character)."""
    result = cell_text(value)
    if not result and column.value_required:
        raise FieldError("missing_value")
    if column.max_length is not None and len(result) > column.max_length:
        raise FieldError("too_long", max=column.max_length)
    hidden = invisible_character(result) if column.visible_only else None
    if hidden is not None:
        code = "reversing_character" if hidden in REVERSING else "invisible_character"
        raise FieldError(code, character=character_label(hidden))
    return result


def school_key(instellingsnummer: str) -> str:
    """The form used to match schools: Excel drops the leading zeros of numeric codes."""
    if instellingsnummer.isdigit():
        return instellingsnummer.lstrip("0") or "0"
    return instellingsnummer.casefold()


def birth_date(value: Any, today: dt.date) -> dt.date:
    """A birth date from a date cell or from dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, yyyy-mm-dd."""
    if isinstance(value, dt.datetime):
        parsed = value.date()
    elif isinstance(value, dt.date):
        parsed = value
    else:
        raw = cell_text(value)
        if not raw:
            raise FieldError("missing_value")
        parsed = _parse_date(raw)
    if parsed > today:
        raise FieldError("future_date", value=parsed.strftime("%d/%m/%Y"))
    if parsed < OLDEST_BIRTH_DATE:
        raise FieldError("date_before_1900", value=parsed.strftime("%d/%m/%Y"))
    return parsed


def _parse_date(raw: str) -> dt.date:
    if match := _DAY_FIRST.fullmatch(raw):
        day, month, year = (int(part) for part in match.groups())
    elif match := _YEAR_FIRST.fullmatch(raw):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise FieldError("bad_date", value=shown(raw))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise FieldError("bad_date", value=shown(raw)) from None


_EDUCATION_LABELS = {
    "gewoon lager": EducationType.GEWOON_LAGER,
    "gewoon secundair": EducationType.GEWOON_SECUNDAIR,
    "gewoon secundair (voltijds)": EducationType.GEWOON_SECUNDAIR,
    "gewoon voltijds secundair": EducationType.GEWOON_SECUNDAIR,
    "buitengewoon lager": EducationType.BUITENGEWOON_LAGER,
    "buitengewoon secundair": EducationType.BUITENGEWOON_SECUNDAIR,
    "deeltijds beroepssecundair": EducationType.DEELTIJDS_BEROEPSSECUNDAIR,
    "ander": EducationType.ANDER,
    "anderen": EducationType.ANDER,
} | {header_key(member.value): member for member in EducationType}
EDUCATION_TYPES_ACCEPTED = (
    "gewoon lager, gewoon secundair, buitengewoon lager, buitengewoon secundair, "
    "deeltijds beroepssecundair, ander"
)


def education_type(value: Any) -> EducationType:
    """An education type from its Dutch label or its code, in any case."""
    raw = cell_text(value)
    if not raw:
        raise FieldError("missing_value")
    found = _EDUCATION_LABELS.get(header_key(raw))
    if found is None:
        raise FieldError(
            "unknown_education_type", value=shown(raw), accepted=EDUCATION_TYPES_ACCEPTED
        )
    return found


_PROVINCES = {header_key(p.value.replace("-", " ")): p for p in Province}
PROVINCES_ACCEPTED = ", ".join(p.value for p in Province)


def province(value: Any) -> Province:
    """A province by its name, in any case, with a space or a hyphen."""
    raw = cell_text(value)
    if not raw:
        raise FieldError("missing_value")
    found = _PROVINCES.get(header_key(raw.replace("-", " ")))
    if found is None:
        raise FieldError("unknown_province", value=shown(raw), accepted=PROVINCES_ACCEPTED)
    return found


def national_number(value: Any) -> NationalNumber | None:
    """An optional rijksregister- or bisnummer, validated with its check digits."""
    if (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and value.is_integer()
    ):
        # A number cell lost the leading zero of a birth year such as 05.
        raw = f"{int(value):011d}"
    else:
        raw = cell_text(value)
    if not raw:
        return None
    try:
        return parse_national_number(raw)
    except InvalidNationalNumber as error:
        raise FieldError(f"national_number_{error.reason}") from None
