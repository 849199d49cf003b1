"""The PostgreSQL connection pool: a connection is tested only after resting (idp.db)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from idp import db
from tests.conftest import TEST_DATABASE

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE.startswith("postgresql"), reason="the pool options are PostgreSQL's"
)


@pytest.fixture
def database() -> Iterator[db.Database]:
    database = db.Database(TEST_DATABASE, pool_size=1)
    yield database
    database.engine.dispose()


@pytest.fixture
def pings(database: db.Database, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The connections the pool tests, as it tests them."""
    tested: list[Any] = []
    dialect = database.engine.dialect
    ping = dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        tested.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return tested


def _backend(database: db.Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.scalar(text("SELECT pg_backend_pid()")))


def _terminate(pid: int) -> None:
    admin = create_engine(TEST_DATABASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_a_connection_back_a_moment_ago_is_used_without_a_round_trip(
    database: db.Database, pings: list[Any]
) -> None:
    first = _backend(database)
    assert _backend(database) == first
    assert pings == []


def test_a_rested_connection_is_tested_and_a_dropped_one_replaced(
    database: db.Database, pings: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    dropped = _backend(database)
    _terminate(dropped)  # as a database restart or an idle timeout would
    monkeypatch.setattr(db, "PING_AFTER_IDLE", -1.0)  # it has rested long enough
    assert _backend(database) != dropped
    assert len(pings) == 1


def test_without_the_test_a_dropped_connection_fails_its_request(
    database: db.Database, pings: list[Any]
) -> None:
    # Why the rested test exists: the pool cannot know otherwise.
    _terminate(_backend(database))
    with pytest.raises(OperationalError):
        _backend(database)
    assert pings == []
    # The failure discarded it: the next request has a new connection.
    assert _backend(database) > 0
