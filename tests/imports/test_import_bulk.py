"""The enrollment import's bulk writes on PostgreSQL: array inserts and the pipeline."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select, text
from sqlalchemy.exc import IntegrityError

from idp.services.imports.bulk import array_insert
from idp.services.imports.pipeline import pipelined
from idp.services.imports.writes import random_uuids

_metadata = MetaData()
_sample = Table(
    "leerid_test_sample",
    _metadata,
    Column("number", Integer, unique=True),
    Column("name", String(20)),
    prefixes=["TEMPORARY"],
)


@pytest.fixture
def connection(session):
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL)")
    _sample.create(connection)
    yield connection
    session.rollback()


def _stored(connection):
    return connection.execute(select(_sample).order_by(_sample.c.number)).all()


@pytest.mark.parametrize(
    "names",
    [
        ["a", "", "b", None, "c"],  # empty strings and NULL between ordinary values
        [""],  # one empty string would split into nothing
        [None],
        ["x\x1fy", "z"],  # the separator itself
        ["\x1e", None],  # the NULL mark itself
        ["tab\tnew\nline", "back\\slash", "\\N", "'quote\""],
    ],
)
def test_array_insert_stores_every_value_exactly(connection, names):
    numbers = [str(number) for number in range(len(names))]
    statement, params = array_insert(_sample, ("number", "name"), [numbers, names])
    connection.connection.driver_connection.execute(statement, params)
    assert _stored(connection) == list(enumerate(names))


def test_array_insert_refuses_a_value_too_long_instead_of_cutting_it(connection):
    statement, params = array_insert(_sample, ("number", "name"), [["1", "2"], ["ok", "x" * 21]])
    with pytest.raises(Exception, match="too long"):
        connection.connection.driver_connection.execute(statement, params)


def test_the_pipeline_runs_statements_in_order_before_any_other(connection):
    with pipelined(connection) as pipeline:
        assert pipeline is not None
        pipeline.send(*array_insert(_sample, ("number", "name"), [["1", "2"], ["a", "b"]]))
        pipeline.send(*array_insert(_sample, ("number", "name"), [["3", "4"], ["c", "d"]]))
        # A statement of the caller's waits for what was sent before it.
        assert connection.execute(text("SELECT count(*) FROM leerid_test_sample")).scalar() == 4
        pipeline.send(*array_insert(_sample, ("number", "name"), [["5", "6"], ["e", "f"]]))
    assert [number for number, _ in _stored(connection)] == [1, 2, 3, 4, 5, 6]


def test_a_failed_statement_in_the_pipeline_is_raised_at_the_next_statement(connection):
    with pytest.raises(IntegrityError), pipelined(connection) as pipeline:
        assert pipeline is not None
        pipeline.send(*array_insert(_sample, ("number", "name"), [["1", "1"], ["a", "b"]]))
        connection.execute(text("SELECT 1"))


def test_a_failed_statement_is_raised_when_the_block_ends(connection):
    with pytest.raises(Exception, match="unique"), pipelined(connection) as pipeline:
        assert pipeline is not None
        pipeline.send(*array_insert(_sample, ("number", "name"), [["1", "1"], ["a", "b"]]))


def test_random_uuids_are_canonical_version_4_and_distinct():
    texts = random_uuids(2000)
    parsed = [uuid.UUID(text) for text in texts]
    assert [str(value) for value in parsed] == texts
    assert {(value.version, value.variant) for value in parsed} == {(4, uuid.RFC_4122)}
    assert len(set(texts)) == 2000
    assert random_uuids(0) == []
