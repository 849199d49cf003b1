"""Set-based statements that stay fast with thousands of values.

On PostgreSQL a look-up sends each key column as one array and probes the index once per
key; an insert is a COPY, with new ids drawn from the sequence first, so no RETURNING is
needed. Elsewhere (SQLite) plain IN and executemany with RETURNING.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from psycopg import sql
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    Table,
    Text,
    bindparam,
    cast,
    func,
    insert,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY

_SEPARATOR = "\x1f"  # ASCII unit separator; values that contain it go as a list


def probe(
    connection: Connection,
    query: Select[Any],
    columns: Sequence[ColumnElement[Any]],
    keys: Collection[tuple[Any, ...]],
) -> Select[Any]:
    """The rows of `query` whose `columns` equal one of `keys`, by one index probe per key.

    On PostgreSQL the keys are unnested and `query` runs as a LATERAL subquery for each
    (OFFSET 0 keeps the planner from flattening it). The tables grow during an import
    while their statistics still describe them as small, so a plain join or
    `a = ANY(..) AND b = ANY(..)` would be planned as a scan of the whole table.
    """
    if connection.dialect.name != "postgresql":
        if len(columns) == 1:
            return query.where(columns[0].in_([key[0] for key in keys]))
        return query.where(tuple_(*columns).in_(list(keys)))
    names = [f"key{index}" for index in range(len(columns))]
    arrays = [_array(column, [key[i] for key in keys]) for i, column in enumerate(columns)]
    wanted = func.unnest(*arrays).table_valued(*names).render_derived(name="wanted")
    matches = [column == wanted.c[name] for column, name in zip(columns, names, strict=True)]
    found = query.where(*matches).offset(0).lateral("found")
    return select(found).select_from(wanted).join(found, true())


def _array(column: ColumnElement[Any], values: Collection[Any]) -> ColumnElement[Any]:
    # Compare as text, never as VARCHAR(n): casting to a length would cut longer values.
    element = Text() if isinstance(column.type, String) else column.type
    texts = [str(value) for value in values]
    if any(not text_ or _SEPARATOR in text_ for text_ in texts):
        return bindparam(None, list(values), type_=ARRAY(element))
    # One joined string: psycopg would quote a list element by element, in Python.
    joined = func.string_to_array(bindparam(None, _SEPARATOR.join(texts), type_=Text()), _SEPARATOR)
    return cast(joined, ARRAY(element))


def insert_rows(
    connection: Connection,
    table: Table,
    records: Sequence[Mapping[str, Any]],
    *,
    with_ids: bool = False,
) -> list[int]:
    """Insert records (dicts with the same keys, plain values); with_ids returns the new
    primary keys in the records' order."""
    if not records:
        return []
    names = list(records[0])
    rows = [tuple(record.values()) for record in records]
    return insert_tuples(connection, table, names, rows, with_ids=with_ids)


def insert_tuples(
    connection: Connection,
    table: Table,
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    with_ids: bool = False,
) -> list[int]:
    """Insert rows of plain values for the columns `names`; with_ids returns the new
    primary keys in the rows' order."""
    if not rows:
        return []
    if connection.dialect.name == "postgresql":
        return _copy(connection, table, names, rows, with_ids)
    records = [dict(zip(names, row, strict=True)) for row in rows]
    statement = insert(table)
    if not with_ids:
        connection.execute(statement, records)
        return []
    returning = statement.returning(table.c.id, sort_by_parameter_order=True)
    return list(connection.execute(returning, records).scalars())


def _copy(
    connection: Connection,
    table: Table,
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    with_ids: bool,
) -> list[int]:
    columns = list(names)
    ids: list[int] = []
    if with_ids:
        # The sequence is looked up once, not per row (that would cost ten times more).
        allocate = text(
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(:table, 'id')::regclass AS seq)"
            " SELECT nextval(s.seq) FROM s, generate_series(1, :n)"
        )
        ids = list(connection.execute(allocate, {"table": table.name, "n": len(rows)}).scalars())
        columns.insert(0, "id")
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    # The same psycopg connection, so the COPY is part of the import's transaction.
    driver: Any = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        if with_ids:
            for record_id, row in zip(ids, rows, strict=True):
                copy.write_row((record_id, *row))
        else:
            for row in rows:
                copy.write_row(row)
    return ids
