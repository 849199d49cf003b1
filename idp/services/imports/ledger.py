"""Per-file bookkeeping in a TEMPORARY table, so memory stays flat for a million rows.

Every row that names a stamnummer or a national number is recorded with its line: that
finds duplicates within the file (naming the earlier line) and, at the end, tells which
active enrollments the file no longer mentions. The table lives on the import's own
connection and disappears with it (PostgreSQL drops it at the end of the transaction).

The table is indexed by school only. Temporary tables live in a small per-session buffer
(8 MB): indexes on the random stamnummers and hashes made every insert touch a page outside
it, which cost more than the rest of the import at a million rows. Rows are appended per
school, so that index stays cheap; in-memory filters answer "certainly not seen" for nearly
every key, and only the rest is looked up.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
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
from .bulk import array_insert, insert_tuples, probe
from .pipeline import Pipeline
from .report import Problem
from .rows import RIJKSREGISTERNUMMER, STAMNUMMER, ParsedRow

# Rows whose school is unknown still protect their stamnummer, at every school in the file.
ANY_SCHOOL = 0
# Rows are sent in groups of this size (and before every look-up): fewer, larger inserts.
FLUSH_ROWS = 10_000
# After this many "maybe"s the file repeats itself (a clean file of a million rows gives
# about a hundred): the values are indexed after all, as look-ups through the school's
# rows would then cost more than the index (three times as long for a file listed twice).
INDEX_AFTER_MAYBES = 1_000
_VALUE_INDEXES = (
    "CREATE INDEX ix_leerid_import_seen_stamnummer ON leerid_import_seen (stamnummer, school_id)",
    "CREATE INDEX ix_leerid_import_seen_nn_hash ON leerid_import_seen (nn_hash)",
)

_metadata = MetaData()
seen = Table(
    "leerid_import_seen",
    _metadata,
    Column("school_id", Integer, nullable=False),
    Column("stamnummer", String),
    Column("nn_hash", String),
    Column("line", Integer, nullable=False),
    Index("ix_leerid_import_seen_school_id", "school_id"),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
_COLUMNS = ("school_id", "stamnummer", "nn_hash", "line")
_enrollment = cast(Table, Enrollment.__table__)


class SeenFilter:
    """A Bloom filter in a fixed 4 MiB: "maybe seen before" or "certainly not".

    Each key sets four bits within one 64-byte block, so a check costs one memory access
    instead of four (the bits of a million keys do not stay in the processor's cache).
    False positives stay at a few in ten thousand up to a million keys (one bit per key
    gave 3 %), so a file without duplicates needs almost no look-ups; a "maybe" is checked
    in the table.
    """

    BITS = 1 << 25
    _SHIFTS = (20, 29, 38, 47)  # four 9-bit fields of the hash: bit positions in a block

    def __init__(self) -> None:
        self.bits = bytearray(self.BITS >> 3)
        self.blocks = (self.BITS >> 9) - 1  # 512-bit blocks; the low bits pick one

    def check_and_add(self, key: tuple[int, str]) -> bool:
        """Remember the key; True when it may have been remembered before."""
        found = True
        bits, position = self.bits, hash(key)
        block = (position & self.blocks) << 6
        for shift in self._SHIFTS:
            bit = (position >> shift) & 511
            index, mask = block + (bit >> 3), 1 << (bit & 7)
            if not bits[index] & mask:
                bits[index] |= mask
                found = False
        return found

    def __contains__(self, key: tuple[int, str]) -> bool:
        """True when the key may have been remembered."""
        bits, position = self.bits, hash(key)
        block = (position & self.blocks) << 6
        for shift in self._SHIFTS:
            bit = (position >> shift) & 511
            if not bits[block + (bit >> 3)] & (1 << (bit & 7)):
                return False
        return True


class Ledger:
    """The rows of one import seen so far, on the import's connection."""

    def __init__(
        self,
        connection: Connection,
        pipeline: Pipeline | None = None,
    ) -> None:
        self.connection = connection
        self.pipeline = pipeline
        self.postgresql = connection.dialect.name == "postgresql"
        self.stamnummers = SeenFilter()
        self.hashes = SeenFilter()
        self.pending: list[tuple[int, str | None, str | None, int]] = []
        self.maybes = 0
        self.values_indexed = False
        # (column, school, value) of the first lines already told that a later line repeats
        # them: grows only with the duplicates.
        self.repeated: set[tuple[str, int, str]] = set()
        # A previous import on this pooled SQLite connection may have left its table behind.
        drop_ledger(connection)
        seen.create(connection)

    def register(self, rows: list[ParsedRow]) -> list[Problem]:
        """Add a problem to each row that repeats an earlier one, then record the rows.

        Returns a problem for each earlier line that a row repeats (once per line), so that
        the report names both lines of a pair. The earlier line stays valid: with
        --skip-invalid it may already be imported when the repeat is read.
        """
        repeats: list[Problem] = []
        stamnummer_keys = {
            (r.school_id, r.stamnummer) for r in rows if r.school_id and r.stamnummer
        }
        hash_keys = {(r.school_id, r.nn_hash) for r in rows if r.school_id and r.nn_hash}
        # Repeats within this batch are found below; the table only for earlier batches.
        maybe_stamnummers = [k for k in stamnummer_keys if self.stamnummers.check_and_add(k)]
        maybe_hashes = [k for k in hash_keys if self.hashes.check_and_add(k)]
        by_stamnummer = self._first_lines(seen.c.stamnummer, maybe_stamnummers)
        by_hash = self._first_lines(seen.c.nn_hash, maybe_hashes)
        pending = self.pending
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
                    key = (STAMNUMMER.name, school_id, row.stamnummer)
                    if key not in self.repeated:
                        self.repeated.add(key)
                        params = {"value": row.stamnummer, "later": row.line}
                        repeats.append(
                            Problem(earlier, STAMNUMMER.name, "repeated_stamnummer", params)
                        )
            if nn_hash:
                earlier = by_hash.setdefault((school_id, nn_hash), row.line)
                if earlier != row.line:
                    params = {"earlier": earlier}
                    column = RIJKSREGISTERNUMMER.name
                    row.problems.append(
                        Problem(row.line, column, "duplicate_national_number", params)
                    )
                    if (column, school_id, nn_hash) not in self.repeated:
                        self.repeated.add((column, school_id, nn_hash))
                        params = {"later": row.line}
                        repeats.append(Problem(earlier, column, "repeated_national_number", params))
                    nn_hash = None
            if row.stamnummer or nn_hash:
                pending.append((school_id, row.stamnummer or None, nn_hash, row.line))
        if len(pending) >= FLUSH_ROWS:
            self.flush()
        return repeats

    def flush(self) -> None:
        """Send the recorded rows to the table."""
        if not self.pending:
            return
        if self.pipeline is None:
            insert_tuples(self.connection, seen, _COLUMNS, self.pending)
        else:
            school_ids, stamnummers, hashes, lines = zip(*self.pending, strict=True)
            columns = ([str(s) for s in school_ids], stamnummers, hashes, [str(n) for n in lines])
            self.pipeline.send(*array_insert(seen, _COLUMNS, columns))
        self.pending = []

    def _first_lines(
        self, column: Column[str], keys: Collection[tuple[int, str]]
    ) -> dict[tuple[int, str], int]:
        """The first recorded line for each (school, value); keys never seen are absent."""
        if not keys:
            return {}
        self.flush()
        self.maybes += len(keys)
        if self.maybes > INDEX_AFTER_MAYBES and not self.values_indexed:
            for index in _VALUE_INDEXES:
                self.connection.exec_driver_sql(index)
            self.values_indexed = True
        query = select(seen.c.school_id, column, seen.c.line)
        statement = probe(self.connection, query, (seen.c.school_id, column), keys)
        first: dict[tuple[int, str], int] = {}
        for school_id, value, line in self.connection.execute(statement).all():
            key = (school_id, value)
            first[key] = min(line, first.get(key, line))
        return first

    def claimed_lines(self, keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
        """The first line that names each (school, stamnummer), for keys the file names."""
        return self._first_lines(seen.c.stamnummer, [k for k in keys if k in self.stamnummers])

    def end_missing(self, school_ids: Collection[int], today: dt.date) -> Counter[int]:
        """End the active enrollments at these schools whose stamnummer the file lacks;
        returns how many were ended per school id."""
        if not school_ids:
            return Counter()
        self.flush()
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
            .returning(_enrollment.c.school_id)
        )
        return Counter(self.connection.execute(statement).scalars())


def drop_ledger(connection: Connection) -> None:
    """Remove the bookkeeping table of an earlier import on this connection, if any."""
    schema = "pg_temp" if connection.dialect.name == "postgresql" else "temp"
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {schema}.{seen.name}")
