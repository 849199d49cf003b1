"""The department's coverage report, read from a snapshot that is counted in the background.

Counting every active enrollment of Flanders (a million pupils) takes about a second of
database time, too long for a page (issue 10: the statistics page within 500 ms). The
department's statistics page and its downloads read the last counted report instead,
with the time it was counted; a report older than MAX_AGE is served once more while one
instance, holding the snapshot's lease, counts it again in a thread. `leerid
import-enrollments` counts it after every import, so only a first look before any
import, with no snapshot yet, counts while the administrator waits. A school
administrator's report (their own schools' pupils) is counted live: it is fast.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..db import get_database
from ..models import ReportSnapshot, utcnow
from .stats import CoverageReport, coverage_report

log = logging.getLogger(__name__)

NAME = "coverage"
# How old the department's figures may be before a look at them starts a new count.
MAX_AGE = dt.timedelta(minutes=2)
# How long a count may take before another instance may start one in its place.
LEASE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Snapshot:
    """A report and the moment (UTC) its figures were counted."""

    report: CoverageReport
    computed_at: dt.datetime


def department_report(session: Session) -> Snapshot:
    """Every school's figures as last counted; starts a new count in the background when
    they are older than MAX_AGE (at most one count at a time, over every instance).

    Needs an app context. `session` reads the snapshot; the count and the snapshot's
    writes use their own sessions. With no snapshot yet, counts now (about a second per
    million pupils)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    row = session.get(ReportSnapshot, NAME)
    if row is None:
        return refresh(get_database(app).sessionmaker)
    try:
        snapshot = Snapshot(CoverageReport.from_dict(row.payload), row.computed_at)
    except (KeyError, TypeError, ValueError):
        # Stored by another version of LeerID (an education type since renamed): count now.
        log.warning("coverage snapshot unreadable, counted again")
        return refresh(get_database(app).sessionmaker)
    if utcnow() - row.computed_at > MAX_AGE and _claim(get_database(app).sessionmaker):
        threading.Thread(target=_refresh_in_app, args=(app,), daemon=True).start()
    return snapshot


def refresh(make_session: sessionmaker[Session]) -> Snapshot:
    """Count the report now and keep it as the snapshot (which also frees the lease)."""
    began = utcnow()
    with make_session() as session:
        report = coverage_report(session)
    snapshot = Snapshot(report, began)
    try:
        with make_session() as session, session.begin():
            row = session.get(ReportSnapshot, NAME)
            if row is None:
                session.add(ReportSnapshot(name=NAME, computed_at=began, payload=report.as_dict()))
            elif row.computed_at < began:
                row.computed_at, row.payload, row.lease_until = began, report.as_dict(), None
    except (IntegrityError, OperationalError):
        # Another instance stored its first count at the same moment (or SQLite's one
        # writer was busy): theirs is as good, and this one is still shown now.
        log.info("coverage snapshot: another count was stored meanwhile")
    return snapshot


def _claim(make_session: sessionmaker[Session]) -> bool:
    """Take the lease of a snapshot that is too old, unless another count holds it."""
    now = utcnow()
    try:
        with make_session() as session, session.begin():
            claimed = session.execute(
                update(ReportSnapshot)
                .where(ReportSnapshot.name == NAME, ReportSnapshot.computed_at < now - MAX_AGE)
                .where(ReportSnapshot.lease_until.is_(None) | (ReportSnapshot.lease_until < now))
                .values(lease_until=now + LEASE)
            )
            return bool(getattr(claimed, "rowcount", 0))
    except OperationalError:
        return False  # SQLite's one writer is busy: the next look claims it


def _refresh_in_app(app: Flask) -> None:
    with app.app_context():
        try:
            refresh(get_database(app).sessionmaker)
        except Exception:
            # The lease runs out and a later look tries again; the old figures stay.
            log.exception("coverage snapshot: the count failed")
