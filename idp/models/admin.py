"""Administrators of the Schoolloket: school administrators and department (super) admins."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, str_enum, utcnow
from .school import School

admin_school = Table(
    "admin_school",
    Base.metadata,
    Column("admin_id", ForeignKey("admin_user.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("school.id", ondelete="CASCADE"), primary_key=True),
)


# The longest name an administrator is shown by (characters).
DISPLAY_NAME_LENGTH = 200


class AdminRole(enum.StrEnum):
    """A school administrator sees only their schools; a super admin sees everything."""

    SCHOOL_ADMIN = "school_admin"
    SUPER_ADMIN = "super_admin"


class AdminUser(Base):
    """A person who manages accounts in the Schoolloket."""

    __tablename__ = "admin_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_LENGTH), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret_encrypted: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[AdminRole] = mapped_column(str_enum(AdminRole, "admin_role"))
    # A one-time password from `leerid admin add` must be replaced at the first sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=True)
    # The last TOTP time step accepted: a code is good once (RFC 6238 §5.2).
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    schools: Mapped[list[School]] = relationship(secondary=admin_school)


class AdminStage(enum.StrEnum):
    """How far a Schoolloket session got: only `signed_in` reaches the console."""

    NEW_PASSWORD = "new_password"  # noqa: S105 (a step's name, not a password)
    ENROL_TOTP = "enrol_totp"
    SIGNED_IN = "signed_in"


class AdminSession(Base):
    """An administrator's Schoolloket session; the browser holds the token, we its hash."""

    __tablename__ = "admin_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    admin_id: Mapped[int] = mapped_column(
        ForeignKey("admin_user.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[AdminStage] = mapped_column(str_enum(AdminStage, "admin_stage"))
    # The TOTP secret offered at enrolment, encrypted, until a code confirms it.
    pending_totp_encrypted: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    admin: Mapped[AdminUser] = relationship()


class CredentialBundle(Base):
    """The zip of one "Bewaren én afdrukken" run (manual, §2-3), encrypted at rest, for
    one download by an administrator of its school before `expires_at`; its bytes are
    purged at the download or on expiry, after which the passwords exist nowhere."""

    __tablename__ = "credential_bundle"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The download address holds a random token; only its SHA-256 is kept.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_user.id", ondelete="SET NULL")
    )
    file_name: Mapped[str] = mapped_column(String(100))
    account_count: Mapped[int] = mapped_column(default=0)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    usernames: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    downloaded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class JobStatus(enum.StrEnum):
    """Where a background creation run is."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class AccountJob(Base):
    """A large "Bewaren én afdrukken" run (manual, §3), done in batches in the background.

    The plan (the screen's usernames and passwords) and each batch's printed cards are
    sealed with the deployment's key; a batch's accounts and its part commit together, so
    a run that stops (an instance restart) resumes after its last committed batch and
    never creates an account twice. When the run ends, the zip becomes a CredentialBundle
    and the plan and parts are deleted.
    """

    __tablename__ = "account_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The progress page's address holds a random token; only its SHA-256 is kept.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_user.id", ondelete="SET NULL")
    )
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, "job_status"))
    total: Mapped[int] = mapped_column()
    done: Mapped[int] = mapped_column(default=0)
    plan_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Pupils the run left out (an account made meanwhile by someone else): stamnummers.
    skipped: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Until then the worker that claimed the run owns it; after, anyone may resume it.
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Batches that failed in a row (a bug, the database gone): after a few, the run stops.
    failures: Mapped[int] = mapped_column(default=0)
    bundle_token_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AccountJobPart(Base):
    """The printed cards of one committed batch of an AccountJob, sealed."""

    __tablename__ = "account_job_part"
    __table_args__ = (UniqueConstraint("job_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("account_job.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    cards_sealed: Mapped[bytes] = mapped_column(LargeBinary)
