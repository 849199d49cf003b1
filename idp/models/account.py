"""The LeerID account: a pupil's username and credential, owned by the Person."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, str_enum, utcnow
from .pupil import Person
from .school import EducationType

USERNAME_MAX_LENGTH = 50


class AccountKind(enum.StrEnum):
    """Basic accounts (primary and special needs) or advanced ones (general secondary)."""

    BASIC = "basic"
    ADVANCED = "advanced"


class CredentialType(enum.StrEnum):
    """What the pupil types or taps to log in."""

    WORD = "word"
    PICTURE = "picture"
    TEMPORARY = "temporary"
    OWN = "own"


class AccountStatus(enum.StrEnum):
    """Only active accounts can log in."""

    ACTIVE = "active"
    BLOCKED = "blocked"
    DEACTIVATED = "deactivated"


ADVANCED_EDUCATION_TYPES = frozenset(
    {EducationType.GEWOON_SECUNDAIR, EducationType.DEELTIJDS_BEROEPSSECUNDAIR}
)


def account_kind_for(education_type: EducationType) -> AccountKind:
    """Secondary education gets advanced accounts; everyone else a basic one (manual, §1)."""
    return AccountKind.ADVANCED if education_type in ADVANCED_EDUCATION_TYPES else AccountKind.BASIC


class Account(Base):
    """A LeerID. It belongs to the Person, so it survives a change of school."""

    __tablename__ = "account"
    __table_args__ = (
        CheckConstraint(
            f"length(username) BETWEEN 1 AND {USERNAME_MAX_LENGTH}", name="username_length"
        ),
        CheckConstraint("username NOT LIKE '%@%'", name="username_no_at"),
        CheckConstraint("username = lower(username)", name="username_lower"),
        # Since 8 February 2023 only advanced pupils add an address themselves.
        CheckConstraint("email IS NULL OR kind = 'advanced'", name="email_advanced_only"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), unique=True
    )
    username: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH), unique=True)
    kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind, "account_kind"))
    credential_type: Mapped[CredentialType] = mapped_column(
        str_enum(CredentialType, "credential_type")
    )
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # When the password last changed: older reset links stop working (manual, §1).
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    email: Mapped[str | None] = mapped_column(String(254))
    email_verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[AccountStatus] = mapped_column(
        str_enum(AccountStatus, "account_status"), default=AccountStatus.ACTIVE
    )
    card_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    card_serial: Mapped[str | None] = mapped_column(String(20), unique=True)
    card_generation: Mapped[int] = mapped_column(default=0)
    card_issued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    card_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship()
