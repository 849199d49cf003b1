"""Reports kept for reading: the department's coverage figures over every school."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class ReportSnapshot(Base):
    """The last computed figures of one report (its `name`), as counted at `computed_at`.

    Counting a million enrollments takes about a second; the statistics page reads the
    snapshot instead, and whoever finds it too old claims `lease_until` and counts again
    in the background, so that one instance at a time does.
    """

    __tablename__ = "report_snapshot"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
