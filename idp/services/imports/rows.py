"""The enrollment file's columns, and turning one row into checked values plus problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeVar

from ...models import EducationType
from ...national_number import NationalNumber
from ..tabular import Row, Table, header_key
from . import fields
from .fields import Column, FieldError
from .report import ImportReport, Problem

T = TypeVar("T")

INSTELLINGSNUMMER = Column("instellingsnummer")
# The school's own number for the pupil: never shown to pupils nor released to apps, and
# matched exactly as exported, whatever it holds.
STAMNUMMER = Column("stamnummer", max_length=20, visible_only=False)
NAAM = Column("naam", max_length=100)
VOORNAAM = Column("voornaam", max_length=100)
GEBOORTEDATUM = Column("geboortedatum")
RIJKSREGISTERNUMMER = Column("rijksregisternummer", column_required=False, value_required=False)
# Class and grade are always exported, but may be blank (e.g. for special-needs pupils).
ADMINISTRATIEVE_GROEP = Column("administratieve groep", value_required=False, max_length=40)
LEERJAAR = Column("leerjaar", value_required=False, max_length=20)
ONDERWIJSVORM = Column("onderwijsvorm")
ENROLLMENT_COLUMNS = (
    INSTELLINGSNUMMER,
    STAMNUMMER,
    NAAM,
    VOORNAAM,
    GEBOORTEDATUM,
    RIJKSREGISTERNUMMER,
    ADMINISTRATIEVE_GROEP,
    LEERJAAR,
    ONDERWIJSVORM,
)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of at most `size` items (itertools.batched arrived only in Python 3.12)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def map_header(header: Row, columns: Sequence[Column]) -> tuple[dict[str, int], list[Problem]]:
    """Each known column's position, and a problem for every required column not found."""
    positions: dict[str, int] = {}
    for index, value in enumerate(header.values):
        positions.setdefault(header_key(value), index)
    found = {c.name: positions[c.name] for c in columns if c.name in positions}
    missing = [
        Problem(header.line, c.name, "missing_column", {"column": c.name})
        for c in columns
        if c.column_required and c.name not in positions
    ]
    return found, missing


def read_header(
    table: Table, columns: Sequence[Column], report: ImportReport
) -> dict[str, int] | None:
    """The columns' positions; None after refusing an empty file or one missing a column."""
    if table.header is None:
        report.refuse(Problem(None, None, "empty_file"))
        return None
    positions, missing = map_header(table.header, columns)
    for problem in missing:
        report.refuse(problem)
    return None if missing else positions


class CellReader:
    """Reads the cells of one row by column, collecting a Problem for each bad value."""

    def __init__(self, positions: Mapping[str, int], row: Row) -> None:
        self.positions = positions
        self.row = row
        self.problems: list[Problem] = []

    def raw(self, column: Column) -> Any:
        """The cell's value as read from the file (None when absent)."""
        index = self.positions.get(column.name)
        values = self.row.values
        return values[index] if index is not None and index < len(values) else None

    def get(self, column: Column, parse: Callable[[Any], T]) -> T | None:
        """The parsed value, or None after recording why it is not acceptable."""
        try:
            return parse(self.raw(column))
        except FieldError as error:
            self.problems.append(Problem(self.row.line, column.name, error.code, error.params))
            return None

    def text(self, column: Column) -> str:
        """The cell as checked text ("" after recording a problem)."""
        return self.get(column, lambda value: fields.text(value, column)) or ""


@dataclass(slots=True)
class Pupil:
    """The checked values of a valid row."""

    last_name: str
    first_name: str
    birth_date: dt.date
    group: str
    grade: str
    education_type: EducationType
    national_number: NationalNumber | None


@dataclass(slots=True)
class ParsedRow:
    """A row's identity (kept even when invalid, to protect its pupil) and its values."""

    line: int
    school_id: int | None
    stamnummer: str
    nn_hash: str | None
    problems: list[Problem] = field(default_factory=list)
    pupil: Pupil | None = None
    first_line: int = 0  # the first line in the file with this school and stamnummer
