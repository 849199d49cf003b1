"""Parse and check single cell values; a bad value raises FieldError with a message code."""

from __future__ import annotations

import datetime as dt
import re
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


def shown(text: str) -> str:
    """A value as quoted back in a message: shortened, so a stray paragraph stays readable."""
    if len(text) <= _SHOWN_VALUE_LENGTH:
        return text
    return text[: _SHOWN_VALUE_LENGTH - 1] + "…"


def text(value: Any, column: Column) -> str:
    """The trimmed text of a cell, checked against the column's length and requiredness."""
    result = cell_text(value)
    if not result and column.value_required:
        raise FieldError("missing_value")
    if column.max_length is not None and len(result) > column.max_length:
        raise FieldError("too_long", max=column.max_length)
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
