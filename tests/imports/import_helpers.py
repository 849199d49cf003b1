"""Helpers for the import tests: sample pupils, files in every format, database look-ups."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from idp.models import Enrollment, Person

from ..national_numbers import make_national_number

TODAY = dt.date(2025, 9, 1)
ENROLLMENT_HEADER = (
    "instellingsnummer",
    "stamnummer",
    "naam",
    "voornaam",
    "geboortedatum",
    "rijksregisternummer",
    "administratieve groep",
    "leerjaar",
    "onderwijsvorm",
)
SCHOOL_HEADER = ("instellingsnummer", "naam", "provincie")


def national_number(birth: dt.date = dt.date(2012, 3, 5), serial: int = 1, **kwargs: Any) -> str:
    """A valid rijksregisternummer (or, with bis=True, bisnummer) for the birth date."""
    return make_national_number(birth, serial, **kwargs)


def pupil(school: Any, stamnummer: str = "1001", **values: Any) -> dict[str, Any]:
    """One enrollment row with sensible values; keyword arguments override columns
    (use underscores for spaces: administratieve_groep)."""
    row: dict[str, Any] = {
        "instellingsnummer": getattr(school, "instellingsnummer", school),
        "stamnummer": stamnummer,
        "naam": "Peeters",
        "voornaam": "Lotte",
        "geboortedatum": "05/03/2012",
        "rijksregisternummer": "",
        "administratieve groep": "3A",
        "leerjaar": "3",
        "onderwijsvorm": "gewoon lager",
    }
    for name, value in values.items():
        row[name.replace("_", " ")] = value
    return row


def write_csv(
    path: Path,
    rows: Iterable[Mapping[str, Any]],
    *,
    header: Sequence[str] = ENROLLMENT_HEADER,
    encoding: str = "utf-8",
    delimiter: str = ";",
) -> Path:
    """Write rows as Excel does: CRLF line ends, the given encoding and separator."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(
    path: Path,
    rows: Iterable[Mapping[str, Any] | None],
    *,
    header: Sequence[str] = ENROLLMENT_HEADER,
) -> Path:
    """Write rows to a workbook; None writes a blank row. Values keep their Python type."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append([] if row is None else [row.get(name) for name in header])
    book.save(path)
    return path


def active_enrollments(session: Session, school: Any = None) -> list[Enrollment]:
    """Active enrollments (of one school), by stamnummer, with fresh data."""
    session.expire_all()
    query = select(Enrollment).where(Enrollment.end_date.is_(None)).order_by(Enrollment.stamnummer)
    if school is not None:
        query = query.where(Enrollment.school_id == school.id)
    return list(session.scalars(query))


def all_enrollments(session: Session) -> list[Enrollment]:
    """Every enrollment, ended or not, in creation order."""
    session.expire_all()
    return list(session.scalars(select(Enrollment).order_by(Enrollment.id)))


def persons(session: Session) -> list[Person]:
    """Every person, in creation order."""
    session.expire_all()
    return list(session.scalars(select(Person).order_by(Person.id)))


def codes(report: Any) -> list[tuple[int | None, str | None, str]]:
    """The report's problems as (line, column, code), for exact assertions."""
    return [(p.line, p.column, p.code) for p in report.problems]
