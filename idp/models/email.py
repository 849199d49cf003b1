"""Links sent by e-mail: confirming a pupil's address, and resetting a forgotten password."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .account import Account
from .base import Base, UTCDateTime, str_enum, utcnow


class EmailPurpose(enum.StrEnum):
    """What a link does when the pupil opens it."""

    CONFIRM_EMAIL = "confirm_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a password


class EmailToken(Base):
    """A single-use link token, stored as a SHA-256 hash, that expires."""

    __tablename__ = "email_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[EmailPurpose] = mapped_column(str_enum(EmailPurpose, "email_purpose"))
    # The address the link was sent to: for a confirmation, the address being confirmed.
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    account: Mapped[Account] = relationship()
