"""Import pupils and their enrollments: a full import for every school named in the file.

A file that would unenroll a large share of a school's pupils (more than ENDING_PERCENT of
its active enrollments, and more than ENDING_FEW pupils) is refused unless it is confirmed
as the school's full list: most likely it holds one class, or a part of the school.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from ...keystore import Secrets
from ...models import School, utcnow
from ..tabular import Source, open_table, source_name
from .fields import school_key
from .ledger import Ledger
from .matching import Matcher
from .parser import EnrollmentParser
from .pipeline import Pipeline, pipelined
from .report import DEFAULT_MAX_PROBLEMS, ImportReport, Problem
from .rows import ENROLLMENT_COLUMNS, ParsedRow, batched, read_header
from .state import active_counts, load_snapshot, schools_with_pupils
from .transaction import AuditInfo, run_import
from .writes import apply_changes

ACTION = "enrollments.import"
SQLITE_MAX_BATCH = 10_000
# Over both limits a school's ending needs `full_list`; a school year's normal leavers
# (a sixth year, a small school's few) stay under one of them.
ENDING_PERCENT = 20
ENDING_FEW = 5


def import_enrollments(
    session: Session,
    secrets: Secrets,
    source: Source,
    *,
    actor: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    full_list: bool = False,
    today: dt.date | None = None,
    batch_size: int = 2000,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
) -> ImportReport:
    """Import a school administration export (CSV or XLSX) in one transaction.

    `full_list` confirms that the file lists all pupils of each school in it: without it,
    a file that would end more than ENDING_PERCENT % (and more than ENDING_FEW) of a
    school's active enrollments is refused with an "ends_many" problem per such school.
    """
    report = ImportReport(
        "enrollments",
        source_name(source),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        max_problems=max_problems,
    )
    if session.get_bind().dialect.name == "sqlite":
        # A batch's look-ups bind up to two values per row; SQLite allows 32766 per query.
        batch_size = min(batch_size, SQLITE_MAX_BATCH)
    run = _EnrollmentImport(
        report, secrets, source, today or dt.date.today(), batch_size, full_list=full_list
    )
    return run_import(session, report, run, actor=actor)


class _EnrollmentImport:
    """One run over one file; holds only per-school state (bounded by the number of schools)."""

    def __init__(
        self,
        report: ImportReport,
        secrets: Secrets,
        source: Source,
        today: dt.date,
        batch_size: int,
        *,
        full_list: bool,
    ) -> None:
        self.report = report
        self.full_list = full_list
        # Active enrollments per school in the file, counted before the import changes any.
        self.active_before: dict[int, int] = {}
        self.secrets = secrets
        self.source = source
        self.today = today
        self.batch_size = batch_size
        self.schools_in_file: set[int] = set()
        # Schools where an invalid row has no stamnummer: nobody there can be ended safely.
        self.unprotected: dict[int, int] = {}
        self.unprotected_everywhere: int | None = None
        self.populated: set[int] = set()
        self.pipeline: Pipeline | None = None

    def __call__(self, connection: Connection) -> AuditInfo | None:
        """Read, check and write batch by batch, then end the enrollments the file lacks."""
        report = self.report
        with open_table(self.source) as table:
            positions = read_header(table, ENROLLMENT_COLUMNS, report)
            if positions is None:
                return None
            schools = dict(connection.execute(select(School.id, School.instellingsnummer)).all())
            keys = {school_key(number): school_id for school_id, number in schools.items()}
            parser = EnrollmentParser(positions, keys, self.secrets, self.today)
            self.populated = schools_with_pupils(connection)
            with pipelined(connection) as pipeline:
                self.pipeline = pipeline
                ledger = Ledger(connection, pipeline)
                # Reading and checking a batch overlaps with PostgreSQL storing the last
                # one (pipeline.py); a reader thread gained nothing beyond that and cost
                # CPU time in handing over the interpreter lock.
                for chunk in batched(table.rows, self.batch_size):
                    parsed = [parser.parse(row) for row in chunk]
                    report.rows += len(parsed)
                    for repeat in ledger.register(parsed):
                        report.add(repeat)
                    self._batch(connection, ledger, parsed)
                ledger.flush()
            self.pipeline = None
        if report.rows == 0:
            report.refuse(Problem(None, None, "no_rows"))
            return None
        if report.invalid and not report.skip_invalid:
            return None  # refused: ending anyone would be rolled back anyway
        ended = ledger.end_missing(self._schools_to_end(schools), self.today)
        report.count("ended", sum(ended.values()))
        if not self.full_list:
            self._refuse_large_endings(ended, schools)
        only = next(iter(self.schools_in_file)) if len(self.schools_in_file) == 1 else None
        details = {"file": report.file, "rows": report.rows, "schools": len(self.schools_in_file)}
        return AuditInfo(ACTION, only, details)

    def _batch(self, connection: Connection, ledger: Ledger, parsed: list[ParsedRow]) -> None:
        # Counted before this batch changes anything: a row changes only its own school.
        new = {row.school_id for row in parsed if row.school_id is not None}
        new -= self.active_before.keys()
        if new:
            self.active_before.update(active_counts(connection, new))
        valid = []
        for row in parsed:
            if row.school_id is not None:
                self.schools_in_file.add(row.school_id)
            if row.problems or row.pupil is None:
                self._invalid(row)
            else:
                valid.append(row)
        if not valid:
            return
        snapshot = load_snapshot(connection, valid, self.populated)
        claimed = _first_lines(parsed)
        elsewhere = [key for key in snapshot.active if key not in claimed]
        if elsewhere:
            claimed.update(ledger.claimed_lines(elsewhere))
        matcher = Matcher(snapshot, claimed, self.secrets, self.today)
        for row in valid:
            if row.pupil is None or row.school_id is None:
                continue
            outcome = matcher.match(row, row.pupil, row.school_id)
            if isinstance(outcome, Problem):
                row.problems.append(outcome)
                self._invalid(row)
            else:
                self.report.count(outcome)
        apply_changes(connection, matcher.changes, utcnow(), self.pipeline)
        self.report.count("ended", matcher.ended)

    def _invalid(self, row: ParsedRow) -> None:
        self.report.invalid += 1
        for problem in row.problems:
            self.report.add(problem)
        if row.stamnummer:
            return
        if row.school_id is not None:
            self.unprotected.setdefault(row.school_id, row.line)
        elif self.unprotected_everywhere is None:
            self.unprotected_everywhere = row.line

    def _refuse_large_endings(self, ended: Mapping[int, int], schools: dict[int, str]) -> None:
        """Refuse the file for each school where it ends more than both limits allow."""
        for school_id in sorted(ended, key=schools.__getitem__):
            count, active = ended[school_id], self.active_before[school_id]
            if count > ENDING_FEW and count * 100 > ENDING_PERCENT * active:
                params = {"school": schools[school_id], "count": count, "active": active}
                self.report.refuse(Problem(None, None, "ends_many", params))

    def _schools_to_end(self, schools: dict[int, str]) -> set[int]:
        """The schools in the file, less those where an invalid row hides a pupil."""
        if self.unprotected_everywhere is not None:
            where = {"line": self.unprotected_everywhere}
            self.report.notices.append(Problem(None, None, "nothing_ended", where))
            return set()
        for school_id, line in sorted(self.unprotected.items(), key=lambda item: item[1]):
            params: dict[str, Any] = {"school": schools[school_id], "line": line}
            self.report.notices.append(Problem(None, None, "school_not_ended", params))
        return self.schools_in_file - self.unprotected.keys()


def _first_lines(parsed: list[ParsedRow]) -> dict[tuple[int, str], int]:
    """The first line that names each (school, stamnummer) of this batch."""
    first: dict[tuple[int, str], int] = {}
    for row in parsed:
        if row.school_id is not None and row.stamnummer:
            key = (row.school_id, row.stamnummer)
            first[key] = min(row.first_line, first.get(key, row.first_line))
    return first
