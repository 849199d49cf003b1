"""Schools and the classification the statistics use (province, education type)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, str_enum, utcnow


class Province(enum.StrEnum):
    """The five Flemish provinces and Brussels, as the school register names them."""

    ANTWERPEN = "Antwerpen"
    LIMBURG = "Limburg"
    OOST_VLAANDEREN = "Oost-Vlaanderen"
    VLAAMS_BRABANT = "Vlaams-Brabant"
    WEST_VLAANDEREN = "West-Vlaanderen"
    BRUSSEL = "Brussel"


class EducationType(enum.StrEnum):
    """Education types as the department reports coverage (parliamentary answer 48, 2023)."""

    GEWOON_LAGER = "gewoon_lager"
    GEWOON_SECUNDAIR = "gewoon_secundair"
    BUITENGEWOON_LAGER = "buitengewoon_lager"
    BUITENGEWOON_SECUNDAIR = "buitengewoon_secundair"
    DEELTIJDS_BEROEPSSECUNDAIR = "deeltijds_beroepssecundair"
    ANDER = "ander"


class School(Base):
    """A school, identified by its official instellingsnummer."""

    __tablename__ = "school"
    __table_args__ = (
        CheckConstraint(
            "length(instellingsnummer) BETWEEN 1 AND 10", name="instellingsnummer_length"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instellingsnummer: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[Province] = mapped_column(str_enum(Province, "province"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<School {self.instellingsnummer} {self.name!r}>"
