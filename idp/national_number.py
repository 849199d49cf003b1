"""Belgian national register numbers (rijksregisternummer) and bis numbers (bisnummer).

Eleven digits YYMMDD SSS CC: birth date, a serial (odd for men, even for women) and a
check number. CC = 97 - (YYMMDDSSS mod 97); for births from 2000 on the digit 2 is put
in front of the nine digits before taking the remainder. A bis number adds 20 (sex unknown)
or 40 (sex known) to the month. An unknown birth date may be written with month or day 00.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

_SEPARATORS = str.maketrans("", "", " .-/")


class InvalidNationalNumber(ValueError):
    """The text is not a valid rijksregisternummer or bisnummer; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class NationalNumber:
    """A validated number: eleven digits, its kind and, where it encodes one, the birth date."""

    digits: str
    is_bis: bool
    birth_date: dt.date | None

    @property
    def masked(self) -> str:
        """The form shown to administrators: never the full number."""
        return f"{self.digits[:2]}.••.••-•••.{self.digits[-2:]}"


def parse_national_number(text: str) -> NationalNumber:
    """Validate a number written with or without the usual dots, dashes and spaces."""
    digits = text.strip().translate(_SEPARATORS)
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit():
        raise InvalidNationalNumber("length")
    body, check = int(digits[:9]), int(digits[9:])
    if 97 - body % 97 == check:
        century = 1900
    elif 97 - int("2" + digits[:9]) % 97 == check:
        century = 2000
    else:
        raise InvalidNationalNumber("checksum")
    year, month, day = century + int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    is_bis = month >= 20
    if is_bis:
        month -= 40 if month >= 40 else 20
    if not 0 <= month <= 12:
        raise InvalidNationalNumber("date")
    birth_date = None
    if month and day:
        try:
            birth_date = dt.date(year, month, day)
        except ValueError:
            raise InvalidNationalNumber("date") from None
    elif day > 31:
        raise InvalidNationalNumber("date")
    return NationalNumber(digits=digits, is_bis=is_bis, birth_date=birth_date)
