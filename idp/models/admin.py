"""Administrators of the Schoolloket: school administrators and department (super) admins."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, str_enum, utcnow
from .school import School

admin_school = Table(
    "admin_school",
    Base.metadata,
    Column("admin_id", ForeignKey("admin_user.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("school.id", ondelete="CASCADE"), primary_key=True),
)


class AdminRole(enum.StrEnum):
    """A school administrator sees only their schools; a super admin sees everything."""

    SCHOOL_ADMIN = "school_admin"
    SUPER_ADMIN = "super_admin"


class AdminUser(Base):
    """A person who manages accounts in the Schoolloket."""

    __tablename__ = "admin_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret_encrypted: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[AdminRole] = mapped_column(str_enum(AdminRole, "admin_role"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    schools: Mapped[list[School]] = relationship(secondary=admin_school)
