"""Database engine and sessions: one Session per Flask app context, plain sessions elsewhere."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

EXTENSION = "leerid.db"
# Seconds a pooled connection may rest before it is tested on its way out of the pool.
PING_AFTER_IDLE = 1.0
_RESTED_SINCE = "leerid_rested_since"


class Database:
    """An engine and its session factory, built from the [database] settings."""

    def __init__(self, url: str, echo: bool = False, pool_size: int = 10) -> None:
        options: dict[str, Any] = {"echo": echo}
        if url.startswith("postgresql"):
            options.update(pool_size=pool_size)
        self.engine: Engine = create_engine(url, **options)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            _ping_rested_connections(self.engine)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self.sessionmaker() as session, session.begin():
            yield session


def _ping_rested_connections(engine: Engine) -> None:
    """Test a pooled connection with a round trip before use only if it has rested longer
    than PING_AFTER_IDLE. SQLAlchemy's `pool_pre_ping` tests every checkout, which cost a
    pupil's sign-in seven round trips (bench/sign_in.py); a connection that was dropped
    (the database restarted, an idle timeout) has always rested longer than that, since
    nothing can use it while the database is away. A failed test discards every pooled
    connection of that moment, as the pre-ping does (SQLAlchemy, "Disconnect Handling")."""

    def rested(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_RESTED_SINCE] = time.monotonic()

    def checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        since = record.info.get(_RESTED_SINCE)
        if since is None or time.monotonic() - since <= PING_AFTER_IDLE:
            return  # new, or back in the pool a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.InvalidatePoolError(str(error)) from error

    event.listen(engine, "checkin", rested)
    event.listen(engine, "checkout", checkout)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers and one writer coexist.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.close()


def init_app(app: Flask) -> None:
    """Attach the database to the app and close the request's session at teardown."""
    settings = app.config["LEERID"]["database"]
    app.extensions[EXTENSION] = Database(
        settings["url"], echo=settings["echo"], pool_size=settings["pool_size"]
    )
    app.teardown_appcontext(_close_session)


def get_database(app: Flask | None = None) -> Database:
    """The Database of the given (or current) app."""
    database: Database = (app or current_app).extensions[EXTENSION]
    return database


def get_session() -> Session:
    """The session of the current app context, created on first use."""
    if "db_session" not in g:
        g.db_session = get_database().sessionmaker()
    session: Session = g.db_session
    return session


def _close_session(_error: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
