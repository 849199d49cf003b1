"""Test helper: build national numbers with correct check digits for any birth date."""

from __future__ import annotations

import datetime as dt


def make_national_number(
    birth: dt.date, serial: int = 1, *, bis: bool = False, sex_known: bool = True
) -> str:
    """Eleven digits for `birth` and `serial`; a bis number adds 20 or 40 to the month."""
    month = birth.month + ((40 if sex_known else 20) if bis else 0)
    body = f"{birth.year % 100:02d}{month:02d}{birth.day:02d}{serial:03d}"
    prefix = "2" if birth.year >= 2000 else ""
    return f"{body}{97 - int(prefix + body) % 97:02d}"


def with_official_data(person):
    """Give a test person a (made-up) rijksregisternummer, as the school's import would:
    without one no LeerID can be created ("geen officiële gegevens", manual §2)."""
    import secrets

    person.national_number_hash = secrets.token_hex(32)
    person.national_number_encrypted = "v1.test-only"
    return person
