"""Turn one enrollment row into checked values plus problems.

Nearly every row of an export is plain text in the expected form; checking it cell by cell
through CellReader costs a dozen Python calls per cell, which made parsing the largest
single cost of an import. `parse` therefore first tries a direct path that accepts only
plainly valid rows and gives up at the first value that is anything else; the general
path then checks the row as before and reports every problem. Both paths must give equal
results (tests/imports/test_import_parser.py compares them).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from typing import Any

from ...keystore import Secrets
from ...models import EducationType
from ...national_number import InvalidNationalNumber, NationalNumber, parse_national_number
from ..tabular import Row, cell_text
from . import fields
from .fields import OLDEST_BIRTH_DATE, FieldError
from .rows import (
    ADMINISTRATIEVE_GROEP,
    ENROLLMENT_COLUMNS,
    GEBOORTEDATUM,
    INSTELLINGSNUMMER,
    LEERJAAR,
    NAAM,
    ONDERWIJSVORM,
    RIJKSREGISTERNUMMER,
    STAMNUMMER,
    VOORNAAM,
    CellReader,
    ParsedRow,
    Pupil,
)

_KNOWN_LABELS = 64  # distinct spellings of an education type remembered per import
_STAMNUMMER_MAX = STAMNUMMER.max_length or 0
_NAME_MAX = min(NAAM.max_length or 0, VOORNAAM.max_length or 0)
_GROUP_MAX = ADMINISTRATIEVE_GROEP.max_length or 0
_GRADE_MAX = LEERJAAR.max_length or 0


class EnrollmentParser:
    """Checks enrollment rows against the known schools."""

    def __init__(
        self,
        positions: Mapping[str, int],
        schools: Mapping[str, int],
        secrets: Secrets,
        today: dt.date,
    ) -> None:
        self.positions = positions
        self.schools = schools
        self.secrets = secrets
        self.today = today
        # The direct path reads these positions; without the optional national number
        # column it reads the school's cell in its place and ignores it.
        self.has_number = RIJKSREGISTERNUMMER.name in positions
        school = positions[INSTELLINGSNUMMER.name]
        self.indexes = tuple(positions.get(c.name, school) for c in ENROLLMENT_COLUMNS)
        self.labels: dict[str, EducationType] = {}

    def parse(self, row: Row) -> ParsedRow:
        """Check every cell of the row; all problems are reported, not just the first."""
        return self._parse_plain(row) or self.parse_generally(row)

    def parse_generally(self, row: Row) -> ParsedRow:
        """The general path: any cell type, every problem recorded."""
        cells = CellReader(self.positions, row)
        school_id = cells.get(INSTELLINGSNUMMER, self._school)
        cells.text(STAMNUMMER)
        # Even a too long stamnummer identifies the row's pupil, so it still protects them.
        stamnummer = cell_text(cells.raw(STAMNUMMER))
        last_name = cells.text(NAAM)
        first_name = cells.text(VOORNAAM)
        birth_date = cells.get(GEBOORTEDATUM, lambda value: fields.birth_date(value, self.today))
        number = cells.get(RIJKSREGISTERNUMMER, fields.national_number)
        group = cells.text(ADMINISTRATIEVE_GROEP)
        grade = cells.text(LEERJAAR)
        education_type = cells.get(ONDERWIJSVORM, fields.education_type)
        nn_hash = self.secrets.national_number_hash(number.digits) if number else None
        parsed = ParsedRow(row.line, school_id, stamnummer, nn_hash, cells.problems)
        if not cells.problems and birth_date is not None and education_type is not None:
            parsed.pupil = Pupil(
                last_name, first_name, birth_date, group, grade, education_type, number
            )
        return parsed

    def _school(self, value: Any) -> int:
        instellingsnummer = fields.text(value, INSTELLINGSNUMMER)
        school_id = self.schools.get(fields.school_key(instellingsnummer))
        if school_id is None:
            raise FieldError("unknown_school", value=fields.shown(instellingsnummer))
        return school_id

    def _parse_plain(self, row: Row) -> ParsedRow | None:
        """A row of text cells with plainly valid values, or None for the general path."""
        values = row.values
        try:
            cells = [values[index].strip() for index in self.indexes]
            joined = "".join(cells)  # a cell that is not text fails here or above
        except (AttributeError, IndexError, TypeError):
            return None
        plain = joined.isascii()
        # A tab, a line break or a character that shows nothing: the general path says which.
        if not (joined.isprintable() if plain else fields.plainly_visible(joined)):
            return None
        if not plain:
            cells = [c if c.isascii() else unicodedata.normalize("NFC", c) for c in cells]
        school, stamnummer, last_name, first_name, born, number_text, group, grade, label = cells
        school_id = self.schools.get(fields.school_key(school)) if school else None
        if (
            school_id is None
            or not 0 < len(stamnummer) <= _STAMNUMMER_MAX
            or not 0 < len(last_name) <= _NAME_MAX
            or not 0 < len(first_name) <= _NAME_MAX
            or len(group) > _GROUP_MAX
            or len(grade) > _GRADE_MAX
        ):
            return None
        birth_date = self._plain_date(born)
        education_type = self._plain_label(label)
        if birth_date is None or education_type is None:
            return None
        number: NationalNumber | None = None
        if number_text and self.has_number:
            try:
                number = parse_national_number(number_text)
            except InvalidNationalNumber:
                return None
        nn_hash = self.secrets.national_number_hash(number.digits) if number else None
        pupil = Pupil(last_name, first_name, birth_date, group, grade, education_type, number)
        return ParsedRow(row.line, school_id, stamnummer, nn_hash, [], pupil)

    def _plain_date(self, text: str) -> dt.date | None:
        """dd/mm/yyyy in ASCII digits, a real date, not before 1900 and not in the future."""
        if len(text) != 10 or text[2] != "/" or text[5] != "/" or not text.isascii():
            return None
        day, month, year = text[:2], text[3:5], text[6:]
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            return None
        try:
            parsed = dt.date(int(year), int(month), int(day))
        except ValueError:
            return None
        return parsed if OLDEST_BIRTH_DATE <= parsed <= self.today else None

    def _plain_label(self, text: str) -> EducationType | None:
        """A known education type; spellings already seen are looked up directly."""
        found = self.labels.get(text)
        if found is None and text:
            try:
                found = fields.education_type(text)
            except FieldError:
                return None
            if len(self.labels) < _KNOWN_LABELS:
                self.labels[text] = found
        return found
