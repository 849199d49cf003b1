"""Import the school register: create new schools, update changed names and provinces.

The register has a few thousand rows, so the known schools and the file's keys are kept in
memory; schools missing from the file are left alone.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, select, update
from sqlalchemy.orm import Session

from ...models import Province, School, utcnow
from ..tabular import Row, Source, open_table, source_name
from . import fields
from .bulk import insert_rows
from .fields import Column
from .report import DEFAULT_MAX_PROBLEMS, ImportReport, Problem
from .rows import CellReader, batched, read_header
from .transaction import AuditInfo, run_import

ACTION = "schools.import"
INSTELLINGSNUMMER = Column("instellingsnummer", max_length=10)
NAAM = Column("naam", max_length=200)
PROVINCIE = Column("provincie")
SCHOOL_COLUMNS = (INSTELLINGSNUMMER, NAAM, PROVINCIE)

_school = cast(Table, School.__table__)
_update_school = (
    update(_school)
    .where(_school.c.id == bindparam("b_id"))
    .values(
        name=bindparam("b_name"), province=bindparam("b_province"), updated_at=bindparam("b_now")
    )
)


def import_schools(
    session: Session,
    source: Source,
    *,
    actor: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    batch_size: int = 2000,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
) -> ImportReport:
    """Import the school register (CSV or XLSX) in one transaction; upsert by instellingsnummer."""
    report = ImportReport(
        "schools",
        source_name(source),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        max_problems=max_problems,
    )
    return run_import(session, report, _SchoolImport(report, source, batch_size), actor=actor)


class _SchoolImport:
    """One run over one school register file."""

    def __init__(self, report: ImportReport, source: Source, batch_size: int) -> None:
        self.report = report
        self.source = source
        self.batch_size = batch_size
        # key -> (id or None for a school created by this file, name, province)
        self.known: dict[str, tuple[int | None, str, Province]] = {}
        self.first_lines: dict[str, int] = {}

    def __call__(self, connection: Connection) -> AuditInfo | None:
        """Read, check and write the register batch by batch."""
        report = self.report
        with open_table(self.source) as table:
            positions = read_header(table, SCHOOL_COLUMNS, report)
            if positions is None:
                return None
            query = select(
                _school.c.id, _school.c.instellingsnummer, _school.c.name, _school.c.province
            )
            for school_id, number, name, province in connection.execute(query):
                self.known[fields.school_key(number)] = (school_id, name, province)
            for chunk in batched(table.rows, self.batch_size):
                report.rows += len(chunk)
                self._batch(connection, positions, chunk)
        if report.rows == 0:
            report.refuse(Problem(None, None, "no_rows"))
            return None
        return AuditInfo(ACTION, None, {"file": report.file, "rows": report.rows})

    def _batch(self, connection: Connection, positions: dict[str, int], chunk: list[Row]) -> None:
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        now = utcnow()
        for row in chunk:
            cells = CellReader(positions, row)
            number = cells.text(INSTELLINGSNUMMER)
            name = cells.text(NAAM)
            province = cells.get(PROVINCIE, fields.province)
            key = fields.school_key(number)
            if number:
                earlier = self.first_lines.setdefault(key, row.line)
                if earlier != row.line:
                    params = {"value": fields.shown(number), "earlier": earlier}
                    cells.problems.append(
                        Problem(row.line, INSTELLINGSNUMMER.name, "duplicate_school", params)
                    )
            if cells.problems or province is None:
                self.report.invalid += 1
                for problem in cells.problems:
                    self.report.add(problem)
                continue
            current = self.known.get(key)
            self.known[key] = (current[0] if current else None, name, province)
            if current is None:
                inserts.append(
                    {
                        "instellingsnummer": number,
                        "name": name,
                        "province": province.value,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                self.report.count("created")
            elif current[1:] == (name, province):
                self.report.count("unchanged")
            else:
                updates.append(
                    {"b_id": current[0], "b_name": name, "b_province": province, "b_now": now}
                )
                self.report.count("updated")
        insert_rows(connection, _school, inserts)
        if updates:
            connection.execute(_update_school, updates)
