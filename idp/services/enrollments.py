"""Which school a pupil belongs to now."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Enrollment


def active_enrollment(session: Session, person_id: int) -> Enrollment | None:
    """The person's current enrollment; with several, the most recently started one."""
    query = (
        select(Enrollment)
        .where(Enrollment.person_id == person_id, Enrollment.end_date.is_(None))
        .order_by(Enrollment.start_date.desc(), Enrollment.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()
