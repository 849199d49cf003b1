"""The audit page (Schoolloket): the trail of administrators' actions, filtered by date,
action and pupil, scoped to the administrator's schools. Read only: the trail is
append-only (database triggers refuse changes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEvent, Enrollment
from .scope import Scope

PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditFilter:
    """Empty values filter nothing. `day_from`/`day_to` are inclusive dates (UTC);
    `enrollment_id` or `stamnummer` is a pupil of the administrator's schools."""

    day_from: dt.date | None = None
    day_to: dt.date | None = None
    action: str = ""
    enrollment_id: int | None = None
    stamnummer: str = ""


def events(
    session: Session, scope: Scope, wanted: AuditFilter, limit: int = PAGE_SIZE
) -> list[AuditEvent]:
    """The newest `limit` events the filter finds. A school administrator sees the events
    of their schools; a super administrator also those of no school (administrators,
    applications)."""
    query = select(AuditEvent).where(scope.where(AuditEvent.school_id))
    if wanted.day_from is not None:
        start = dt.datetime.combine(wanted.day_from, dt.time(), dt.UTC)
        query = query.where(AuditEvent.occurred_at >= start)
    if wanted.day_to is not None and wanted.day_to < dt.date.max:
        end = dt.datetime.combine(wanted.day_to + dt.timedelta(days=1), dt.time(), dt.UTC)
        query = query.where(AuditEvent.occurred_at < end)
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    if wanted.enrollment_id is not None:
        person = select(Enrollment.person_id).where(
            Enrollment.id == wanted.enrollment_id, scope.where(Enrollment.school_id)
        )
        query = query.where(AuditEvent.person_id.in_(person.scalar_subquery()))
    if wanted.stamnummer:
        named = select(Enrollment.person_id).where(
            Enrollment.stamnummer == wanted.stamnummer, scope.where(Enrollment.school_id)
        )
        query = query.where(AuditEvent.person_id.in_(named.scalar_subquery()))
    query = query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit)
    return list(session.scalars(query))


def actions(session: Session, scope: Scope) -> list[str]:
    """The actions that occur in the visible part of the trail, for the filter."""
    query = select(AuditEvent.action).where(scope.where(AuditEvent.school_id)).distinct()
    return sorted(session.scalars(query))
