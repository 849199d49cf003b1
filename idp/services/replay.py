"""Remember values that may be used only once, in the database all instances share."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..db import get_session
from ..models import utcnow
from ..models.oauth import UsedOnce


def remember_once(key: str, expires_at: int) -> bool:
    """True the first time `key` is seen before it expires (a Unix time); False after."""
    session = get_session()
    now = utcnow()
    session.execute(delete(UsedOnce).where(UsedOnce.expires_at < now))
    if session.scalar(select(UsedOnce.key).where(UsedOnce.key == key)) is not None:
        return False
    # The primary key settles a race between two instances: the loser fails at flush.
    try:
        with session.begin_nested():
            session.add(UsedOnce(key=key, expires_at=dt.datetime.fromtimestamp(expires_at, dt.UTC)))
    except IntegrityError:
        return False
    return True
