"""Send a batch's inserts without waiting for them: PostgreSQL stores one batch while Python
reads and checks the next.

Without this the import alternates: Python works while PostgreSQL waits, then PostgreSQL
inserts (index maintenance and foreign-key checks for every row) while Python waits. The
inserts need no answer, so they go in psycopg's pipeline mode. Any other statement on the
connection first ends the pipeline (a `before_cursor_execute` hook), which waits for the
inserts and raises their error, if any: the database sees all work in program order.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from psycopg import sql
from sqlalchemy import Connection, event

from .bulk import driver_connection


class Pipeline:
    """Statements sent on the import's connection whose outcome is checked later."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.driver = driver_connection(connection)
        self.open: ExitStack | None = None
        event.listen(connection, "before_cursor_execute", self._before_statement)

    def send(self, statement: sql.Composable, params: list[Any]) -> None:
        """Send a statement that returns nothing; it runs while the caller goes on."""
        if self.open is None:
            stack = ExitStack()
            stack.enter_context(self.driver.pipeline())
            self.open = stack
        self.driver.execute(statement, params)

    def wait(self) -> None:
        """Wait until everything sent has run; raise the first error."""
        stack, self.open = self.open, None
        if stack is not None:
            stack.close()

    def close(self) -> None:
        """Wait, and remove the hook."""
        try:
            self.wait()
        finally:
            event.remove(self.connection, "before_cursor_execute", self._before_statement)

    def _before_statement(self, *args: Any) -> None:
        self.wait()


@contextmanager
def pipelined(connection: Connection) -> Iterator[Pipeline | None]:
    """A Pipeline for the block on PostgreSQL (None elsewhere); everything sent has run
    when the block is left."""
    if connection.dialect.name != "postgresql":
        yield None
        return
    pipeline = Pipeline(connection)
    try:
        yield pipeline
    except BaseException as error:
        # Leave pipeline mode without masking the error that ended the block.
        stack, pipeline.open = pipeline.open, None
        if stack is not None:
            stack.__exit__(type(error), error, error.__traceback__)
        raise
    finally:
        pipeline.close()
