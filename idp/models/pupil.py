"""Pupils: a Person independent of any school, and their Enrollments in schools."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..folding import search_name
from .base import Base, UTCDateTime, str_enum, utcnow
from .school import EducationType, School

# Partial indexes ("at most one active row") work on both PostgreSQL and SQLite.
_ACTIVE = text("end_date IS NULL")


def new_uuid() -> str:
    """A random stable identifier for a new person."""
    return str(uuid.uuid4())


def _default_search_name(context: Any) -> str:
    # Bulk inserts (the import) that leave the column out get it from the row's names.
    row = context.get_current_parameters()
    return search_name(row.get("first_name") or "", row.get("last_name") or "")


class Person(Base):
    """One pupil. The national number is kept only as a keyed hash and an encrypted copy."""

    __tablename__ = "person"
    __table_args__ = (
        # Partial, accent-insensitive name search over a million pupils (the Schoolloket's
        # pupil list): a trigram index answers LIKE '%yalcin%' on PostgreSQL.
        Index(
            "ix_person_search_name",
            "search_name",
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
        ),
        # Both or neither: a person has official data or is marked as having none.
        CheckConstraint(
            "(national_number_hash IS NULL) = (national_number_encrypted IS NULL)",
            name="national_number_pair",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    national_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    national_number_encrypted: Mapped[str | None] = mapped_column(String(200))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    # The names folded (idp.folding.search_name); kept in step with them.
    search_name: Mapped[str] = mapped_column(String(210), default=_default_search_name)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="person")

    @validates("first_name", "last_name")
    def _keep_search_name(self, key: str, value: str) -> str:
        first = value if key == "first_name" else self.first_name
        last = value if key == "last_name" else self.last_name
        self.search_name = search_name(first or "", last or "")
        return value

    @property
    def has_official_data(self) -> bool:
        """False for pupils without a rijksregister- or bisnummer ("geen officiële gegevens")."""
        return self.national_number_hash is not None

    @property
    def full_name(self) -> str:
        """First name then last name, as shown to people."""
        return f"{self.first_name} {self.last_name}"


class Enrollment(Base):
    """A person's registration in a school, as the school's administration reports it."""

    __tablename__ = "enrollment"
    __table_args__ = (
        Index(
            "uq_enrollment_active_person_school",
            "person_id",
            "school_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
        Index(
            "uq_enrollment_active_stamnummer",
            "school_id",
            "stamnummer",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        # The pupil list's search by the start of a stamnummer over every school (a super
        # administrator's): LIKE '123%' needs the pattern operator class on PostgreSQL.
        Index(
            "ix_enrollment_stamnummer",
            "stamnummer",
            postgresql_ops={"stamnummer": "varchar_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    stamnummer: Mapped[str] = mapped_column(String(20))
    administrative_group: Mapped[str] = mapped_column(String(40), default="")
    grade: Mapped[str] = mapped_column(String(20), default="")
    # Not indexed: six values, and the statistics scan by school anyway; an index would
    # only slow every import (bench/import_enrollments.py).
    education_type: Mapped[EducationType] = mapped_column(str_enum(EducationType, "education_type"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="enrollments")
    school: Mapped[School] = relationship()

    @property
    def is_active(self) -> bool:
        """An enrollment is active until the school's import no longer lists the pupil."""
        return self.end_date is None
