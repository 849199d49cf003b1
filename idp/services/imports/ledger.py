"""Per-file bookkeeping in a TEMPORARY table, so memory stays flat for a million rows.

Every row that names a stamnummer or a national number is recorded with its line: that
finds duplicates within the file (naming the earlier line) and, at the end, tells which
active enrollments the file no longer mentions. The table lives on the import's own
connection and disappears with it (PostgreSQL drops it at the end of the transaction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import cast

from sqlalchemy import (
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    exists,
    or_,
    select,
    update,
)

from ...models import Enrollment
from .bulk import insert_rows, probe
from .report import Problem
from .rows import RIJKSREGISTERNUMMER, STAMNUMMER, ParsedRow

# Rows whose school is unknown still protect their stamnummer, at every school in the file.
ANY_SCHOOL = 0

_metadata = MetaData()
seen = Table(
    "leerid_import_seen",
    _metadata,
    Column("school_id", Integer, nullable=False),
    Column("stamnummer", String),
    Column("nn_hash", String),
    Column("line", Integer, nullable=False),
    Index("ix_leerid_import_seen_stamnummer", "stamnummer", "school_id"),
    Index("ix_leerid_import_seen_nn_hash", "nn_hash"),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
_enrollment = cast(Table, Enrollment.__table__)


class SeenFilter:
    """A one-hash Bloom filter in a fixed 4 MiB: "maybe seen before" or "certainly not".

    It spares the database a look-up for nearly every key of a file without duplicates
    (about 3 % false positives at a million keys); a "maybe" is checked in the table.
    """

    BITS = 1 << 25

    def __init__(self) -> None:
        self.bits = bytearray(self.BITS // 8)

    def check_and_add(self, key: tuple[int, str]) -> bool:
        """Remember the key; True when it may have been remembered before."""
        position = hash(key) & (self.BITS - 1)
        index, bit = position >> 3, 1 << (position & 7)
        found = bool(self.bits[index] & bit)
        self.bits[index] |= bit
        return found


class Ledger:
    """The rows of one import seen so far, on the import's connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgresql = connection.dialect.name == "postgresql"
        self.stamnummers = SeenFilter()
        self.hashes = SeenFilter()
        # A previous import on this pooled SQLite connection may have left its table behind.
        drop_ledger(connection)
        seen.create(connection)

    def register(self, rows: list[ParsedRow]) -> None:
        """Add a problem to each row that repeats an earlier one, then record the rows."""
        stamnummer_keys = {
            (r.school_id, r.stamnummer) for r in rows if r.school_id and r.stamnummer
        }
        hash_keys = {(r.school_id, r.nn_hash) for r in rows if r.school_id and r.nn_hash}
        # Repeats within this batch are found below; the table only for earlier batches.
        maybe_stamnummers = {k[1] for k in stamnummer_keys if self.stamnummers.check_and_add(k)}
        maybe_hashes = {k[1] for k in hash_keys if self.hashes.check_and_add(k)}
        by_stamnummer = self._first_lines(seen.c.stamnummer, maybe_stamnummers)
        by_hash = self._first_lines(seen.c.nn_hash, maybe_hashes)
        records = []
        for row in rows:
            school_id = ANY_SCHOOL if row.school_id is None else row.school_id
            nn_hash = row.nn_hash if row.school_id is not None else None
            if row.stamnummer and row.school_id is not None:
                earlier = by_stamnummer.setdefault((school_id, row.stamnummer), row.line)
                row.first_line = earlier
                if earlier != row.line:
                    params = {"value": row.stamnummer, "earlier": earlier}
                    row.problems.append(
                        Problem(row.line, STAMNUMMER.name, "duplicate_stamnummer", params)
                    )
            if nn_hash:
                earlier = by_hash.setdefault((school_id, nn_hash), row.line)
                if earlier != row.line:
                    params = {"earlier": earlier}
                    column = RIJKSREGISTERNUMMER.name
                    row.problems.append(
                        Problem(row.line, column, "duplicate_national_number", params)
                    )
                    nn_hash = None
            if row.stamnummer or nn_hash:
                records.append(
                    {
                        "school_id": school_id,
                        "stamnummer": row.stamnummer or None,
                        "nn_hash": nn_hash,
                        "line": row.line,
                    }
                )
        insert_rows(self.connection, seen, records)

    def _first_lines(
        self, column: Column[str], values: Collection[str]
    ) -> dict[tuple[int, str], int]:
        wanted = {(value,) for value in values if value}
        if not wanted:
            return {}
        query = select(seen.c.school_id, column, seen.c.line).where(seen.c.school_id != ANY_SCHOOL)
        first: dict[tuple[int, str], int] = {}
        found = self.connection.execute(probe(self.connection, query, (column,), wanted)).all()
        for school_id, value, line in found:
            key = (school_id, value)
            first[key] = min(line, first.get(key, line))
        return first

    def claimed_lines(self, keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
        """The first line that names each (school, stamnummer), for keys the file names."""
        wanted = set(keys)
        found = self._first_lines(seen.c.stamnummer, {stamnummer for _, stamnummer in wanted})
        return {key: line for key, line in found.items() if key in wanted}

    def end_missing(self, school_ids: Collection[int], today: dt.date) -> int:
        """End the active enrollments at these schools whose stamnummer the file lacks."""
        if not school_ids:
            return 0
        if self.postgresql:
            # Temporary tables are never analysed automatically; the anti-join needs numbers.
            self.connection.exec_driver_sql(f"ANALYZE {seen.name}")
        mentioned = exists().where(
            seen.c.stamnummer == _enrollment.c.stamnummer,
            or_(seen.c.school_id == _enrollment.c.school_id, seen.c.school_id == ANY_SCHOOL),
        )
        # An enrollment started "today" by an earlier run with a later date must stay ordered.
        end_date = case((_enrollment.c.start_date > today, _enrollment.c.start_date), else_=today)
        statement = (
            update(_enrollment)
            .where(
                and_(
                    _enrollment.c.end_date.is_(None),
                    _enrollment.c.school_id.in_(sorted(school_ids)),
                    ~mentioned,
                )
            )
            .values(end_date=end_date)
        )
        return self.connection.execute(statement).rowcount


def drop_ledger(connection: Connection) -> None:
    """Remove the bookkeeping table of an earlier import on this connection, if any."""
    schema = "pg_temp" if connection.dialect.name == "postgresql" else "temp"
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {schema}.{seen.name}")
