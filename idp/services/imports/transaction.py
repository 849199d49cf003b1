"""Run an import as one transaction: commit it, or roll it back for a dry run or a refusal."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from ..admins import record_event
from ..tabular import TableError
from .bulk import driver_connection
from .ledger import drop_ledger
from .report import CHANGE_KINDS, ImportReport, Problem

logger = logging.getLogger(__name__)

# Imports touch shared rows (a pupil may move between two schools' files): one at a time.
_IMPORT_LOCK = 0x4C65_6572_4944  # "LeerID"


@dataclass(frozen=True)
class AuditInfo:
    """What the audit trail records about an import: never names or numbers."""

    action: str
    school_id: int | None
    details: dict[str, Any]


Work = Callable[[Connection], AuditInfo | None]


def run_import(session: Session, report: ImportReport, work: Work, *, actor: str) -> ImportReport:
    """Run `work` in one transaction; commit only a real, accepted import that changed data."""
    try:
        connection = session.connection()
        with _postgresql_settings(connection):
            try:
                audit = work(connection)
            except TableError as error:
                report.refuse(Problem(error.line, None, error.code, error.params))
                audit = None
        _finish(session, report, audit, actor)
    except BaseException:
        session.rollback()
        raise
    _cleanup(session)
    logger.info(
        "%s import of %s by %s: rows=%s counts=%s invalid=%s refused=%s dry_run=%s",
        report.kind,
        report.file,
        actor,
        report.rows,
        report.counts,
        report.invalid,
        report.refused,
        report.dry_run,
    )
    return report


@contextmanager
def _postgresql_settings(connection: Connection) -> Iterator[None]:
    """Lock out other imports and set up the connection for this one."""
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})
    # Never spend a JIT compilation (hundreds of milliseconds) on the inflated cost
    # estimates of a small look-up.
    connection.execute(text("SET LOCAL jit = off"))
    # The tables grow during the import while their statistics lag behind: plan each
    # execution for its own values. psycopg would prepare a statement run five times,
    # and PostgreSQL may then reuse a generic plan; so nothing is prepared. (Forcing
    # custom plans server-side instead, with plan_cache_mode, also re-planned the
    # foreign-key check of every inserted enrollment: twice the cost of the insert.)
    driver = driver_connection(connection)
    threshold = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold


def _finish(session: Session, report: ImportReport, audit: AuditInfo | None, actor: str) -> None:
    """Commit with an audit event, or roll back: refused, dry run, or nothing changed."""
    if report.invalid and not report.skip_invalid:
        report.refused = True
    report.problems.sort(key=lambda problem: problem.line or 0)
    if report.refused:
        # Nothing happens to a refused file, also not in a dry run: say so in the counts.
        report.counts = dict.fromkeys(CHANGE_KINDS, 0)
    if report.refused or report.dry_run or not report.changed or audit is None:
        session.rollback()
        return
    details = {**audit.details, **report.counts, "invalid": report.invalid}
    record_event(session, actor, audit.action, school_id=audit.school_id, details=details)
    session.commit()
    report.written = True


def _cleanup(session: Session) -> None:
    """Drop SQLite's leftover ledger (its DDL outlives a rollback) and refresh ORM objects,
    which the bulk statements bypassed."""
    if session.get_bind().dialect.name == "sqlite":
        drop_ledger(session.connection())
        session.commit()
    session.expire_all()
