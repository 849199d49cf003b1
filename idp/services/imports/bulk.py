"""Set-based statements that stay fast with thousands of values.

On PostgreSQL a look-up sends each key column as one array and probes the index once per
key; an insert is a COPY, with new ids drawn from the sequence first, so no RETURNING is
needed. The enrollment import's large inserts use array_insert instead: one text per
column that the server splits, which costs PostgreSQL less than COPY and, being an
ordinary statement, can be pipelined (pipeline.py). Elsewhere (SQLite) plain IN and
executemany with RETURNING.
"""

from __future__ import annotations

import typing
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
from sqlalchemy.dialects.postgresql.psycopg import dialect as _psycopg_dialect

_SEPARATOR = "\x1f"  # ASCII unit separator; values that contain it go as a list
_NULL_MARK = "\x1e"  # ASCII record separator: stands for NULL in a joined column
_POSTGRESQL = _psycopg_dialect()


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


def array_insert(
    table: Table, names: Sequence[str], columns: Sequence[Sequence[str | None]]
) -> tuple[sql.Composed, list[Any]]:
    """PostgreSQL: an INSERT of row i = (columns[0][i], columns[1][i], ...), values as text
    (None for NULL), and its parameters.

    Each column goes as one string joined with a separator, which the server splits
    (string_to_array): psycopg would otherwise quote a list element by element, in Python.
    A column with a value containing a separator goes as a list instead.
    """
    split = sql.SQL("string_to_array({}, {}, {})").format(
        sql.Placeholder(), sql.Literal(_SEPARATOR), sql.Literal(_NULL_MARK)
    )
    listed = sql.SQL("{}::text[]").format(sql.Placeholder())
    arrays: list[sql.Composable] = []
    outputs: list[sql.Composable] = []
    params: list[Any] = []
    for name, values in zip(names, columns, strict=True):
        parameter = _column_parameter(values)
        arrays.append(split if isinstance(parameter, str) else listed)
        params.append(parameter)
        value = sql.Identifier("v", name)
        # Strings stay text: the insert's assignment cast rejects (never cuts) a long value.
        if isinstance(table.c[name].type, String):
            outputs.append(value)
        else:
            cast_to = table.c[name].type.compile(dialect=_POSTGRESQL)
            outputs.append(sql.SQL("{}::{}").format(value, sql.SQL(cast_to)))
    statement = sql.SQL("INSERT INTO {} ({}) SELECT {} FROM unnest({}) AS v ({})").format(
        sql.Identifier(table.name),
        sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(", ").join(outputs),
        sql.SQL(", ").join(arrays),
        sql.SQL(", ").join(map(sql.Identifier, names)),
    )
    return statement, params


def _column_parameter(values: Sequence[str | None]) -> str | list[str | None]:
    nulls = values.count(None)
    texts = [_NULL_MARK if v is None else v for v in values] if nulls else values
    joined = _SEPARATOR.join(typing.cast(Sequence[str], texts))  # None replaced above
    if (
        len(values) > 1  # a single empty string would split into no element at all
        and joined.count(_SEPARATOR) == len(values) - 1
        and joined.count(_NULL_MARK) == nulls
    ):
        return joined
    return list(values)


def allocate_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """PostgreSQL: draw `count` new ids from the table's sequence, in one round trip."""
    # The sequence is looked up once, not per row (that would cost ten times more).
    allocate = text(
        "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(:table, 'id')::regclass AS seq)"
        " SELECT nextval(s.seq) FROM s, generate_series(1, :n)"
    )
    return list(connection.execute(allocate, {"table": table.name, "n": count}).scalars())


def driver_connection(connection: Connection) -> Any:
    """The psycopg connection under `connection`: work on it is part of its transaction."""
    return connection.connection.driver_connection


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
        ids = allocate_ids(connection, table, len(rows))
        columns.insert(0, "id")
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with driver_connection(connection).cursor() as cursor, cursor.copy(statement) as copy:
        if with_ids:
            for record_id, row in zip(ids, rows, strict=True):
                copy.write_row((record_id, *row))
        else:
            for row in rows:
                copy.write_row(row)
    return ids
