"""Coverage statistics as the department reports them (parliamentary answer 48, 2023):
pupils, LeerID accounts and coverage, in total, per education type, province and school.

Definitions:
- a pupil is a person with at least one active enrollment (end date empty);
- an account counts when it belongs to such a pupil and is not deactivated (a blocked
  account still exists, so it counts);
- a pupil with several active enrollments counts once in the total and once in every
  group they belong to (each education type, province and school of an active
  enrollment), so the rows of a breakdown may add up to more than the total;
- coverage is accounts / pupils in per cent, rounded half up to one decimal, 0.0 for a
  group without pupils.

Two aggregate queries make the report, whatever the number of pupils (a million):
one pass over the active enrollments grouped by school and education type (exact per
school, and summed for the other breakdowns), and a COUNT DISTINCT over only the pupils
with several active enrollments, the few that the sums count more than once. COUNT
DISTINCT over all enrollments per breakdown would sort a million rows four times.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from ..models import Account, AccountStatus, EducationType, Enrollment, Province, School
from .scope import EVERYTHING, Scope

_ONE_DECIMAL = Decimal("0.1")
# The department's own names for the education types (parliamentary answer 48, 2023).
EDUCATION_TYPE_LABELS = {
    EducationType.GEWOON_LAGER: "gewoon lager",
    EducationType.GEWOON_SECUNDAIR: "gewoon secundair (voltijds)",
    EducationType.BUITENGEWOON_LAGER: "buitengewoon lager",
    EducationType.BUITENGEWOON_SECUNDAIR: "buitengewoon secundair",
    EducationType.DEELTIJDS_BEROEPSSECUNDAIR: "deeltijds beroepssecundair",
    EducationType.ANDER: "ander",
}


@dataclass(frozen=True)
class Coverage:
    """Pupils and accounts of one group."""

    pupils: int = 0
    accounts: int = 0

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(self.pupils + other.pupils, self.accounts + other.accounts)

    def __sub__(self, other: Coverage) -> Coverage:
        return Coverage(self.pupils - other.pupils, self.accounts - other.accounts)

    @property
    def percentage(self) -> float:
        """Accounts per 100 pupils, one decimal."""
        if not self.pupils:
            return 0.0
        share = Decimal(self.accounts * 100) / Decimal(self.pupils)
        return float(share.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP))

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: pupils, accounts, coverage."""
        return {"pupils": self.pupils, "accounts": self.accounts, "coverage": self.percentage}


@dataclass(frozen=True)
class SchoolCoverage:
    """Coverage of one school."""

    instellingsnummer: str
    name: str
    province: Province
    coverage: Coverage

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: the school's number, name and province, then its figures."""
        return {
            "instellingsnummer": self.instellingsnummer,
            "name": self.name,
            "province": str(self.province),
            **self.coverage.as_dict(),
        }


@dataclass(frozen=True)
class CoverageReport:
    """The whole report; every education type and province is present, also when empty."""

    total: Coverage
    education_types: dict[EducationType, Coverage]
    provinces: dict[Province, Coverage]
    schools: list[SchoolCoverage]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form `leerid stats --json` prints."""
        return {
            "total": self.total.as_dict(),
            "education_types": {str(t): c.as_dict() for t, c in self.education_types.items()},
            "provinces": {str(p): c.as_dict() for p, c in self.provinces.items()},
            "schools": [school.as_dict() for school in self.schools],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CoverageReport:
        """The report again from its JSON form (as_dict); percentages are recomputed.

        Raises KeyError or ValueError when `data` is not such a form."""

        def figures(group: dict[str, Any]) -> Coverage:
            return Coverage(int(group["pupils"]), int(group["accounts"]))

        return cls(
            total=figures(data["total"]),
            education_types={
                EducationType(k): figures(v) for k, v in data["education_types"].items()
            },
            provinces={Province(k): figures(v) for k, v in data["provinces"].items()},
            schools=[
                SchoolCoverage(
                    s["instellingsnummer"], s["name"], Province(s["province"]), figures(s)
                )
                for s in data["schools"]
            ],
        )


def _active() -> ColumnElement[bool]:
    return Enrollment.end_date.is_(None)


def _counted_account() -> ColumnElement[bool]:
    return and_(
        Account.person_id == Enrollment.person_id, Account.status != AccountStatus.DEACTIVATED
    )


_SchoolRow = tuple[str, str, Province, EducationType | None, int, int]
# A breakdown and its group: ("type", "gewoon_lager"), ("province", "Brussel"), ("total", None).
_Key = tuple[str, str | None]


def _school_rows(session: Session, scope: Scope) -> list[_SchoolRow]:
    """Pupils and accounts per school and education type: one pass, no COUNT DISTINCT.

    Exact per school, because a person has at most one active enrollment per school (a
    unique index says so). Schools without pupils give one row with type NULL and zeros.
    """
    counts = (
        select(
            Enrollment.school_id,
            Enrollment.education_type,
            func.count().label("pupils"),
            func.count(Account.id).label("accounts"),
        )
        .outerjoin(Account, _counted_account())
        .where(_active(), scope.where(Enrollment.school_id))
        .group_by(Enrollment.school_id, Enrollment.education_type)
        .subquery()
    )
    query = (
        select(
            School.instellingsnummer,
            School.name,
            School.province,
            counts.c.education_type,
            func.coalesce(counts.c.pupils, 0),
            func.coalesce(counts.c.accounts, 0),
        )
        .outerjoin(counts, counts.c.school_id == School.id)
        .where(scope.where(School.id))
        .order_by(School.instellingsnummer)
    )
    return [tuple(row) for row in session.execute(query)]


def _surplus(session: Session, scope: Scope) -> dict[_Key, Coverage]:
    """How often summing school rows counts a pupil twice, per type, province and in total.

    Only pupils with several active enrollments can be counted twice; they are few, so
    COUNT DISTINCT over just their rows is cheap.
    """
    several = (
        select(Enrollment.person_id)
        .where(_active(), scope.where(Enrollment.school_id))
        .group_by(Enrollment.person_id)
        .having(func.count() > 1)
        .subquery()
    )
    rows = (
        select(
            Enrollment.person_id,
            cast(Enrollment.education_type, String).label("education_type"),
            cast(School.province, String).label("province"),
            Account.id.label("account_id"),
        )
        .join(several, several.c.person_id == Enrollment.person_id)
        .join(School, School.id == Enrollment.school_id)
        .outerjoin(Account, _counted_account())
        .where(_active(), scope.where(Enrollment.school_id))
        .cte("several_rows")
    )
    pupils = func.count() - func.count(rows.c.person_id.distinct())
    accounts = func.count(rows.c.account_id) - func.count(rows.c.account_id.distinct())
    query = union_all(
        select(literal("type"), rows.c.education_type, pupils, accounts).group_by(
            rows.c.education_type
        ),
        select(literal("province"), rows.c.province, pupils, accounts).group_by(rows.c.province),
        select(literal("total"), null(), pupils, accounts),
    )
    return {(dim, key): Coverage(p, a) for dim, key, p, a in session.execute(query)}


def coverage_report(session: Session, scope: Scope = EVERYTHING) -> CoverageReport:
    """The report: total, per education type, per province and per school, counting only
    the enrollments in `scope`'s schools (everything by default, as `leerid stats`)."""
    schools: dict[str, SchoolCoverage] = {}
    sums: defaultdict[_Key, Coverage] = defaultdict(Coverage)
    for number, name, province, kind, pupils, accounts in _school_rows(session, scope):
        figures = Coverage(pupils, accounts)
        before = schools.get(number)
        total = before.coverage + figures if before else figures
        schools[number] = SchoolCoverage(number, name, province, total)
        for key in (
            ("total", None),
            ("province", province.value),
            ("type", kind.value if kind else None),
        ):
            sums[key] += figures
    surplus = _surplus(session, scope)

    def net(key: _Key) -> Coverage:
        """The summed figures without the pupils counted more than once."""
        return sums[key] - surplus.get(key, Coverage())

    return CoverageReport(
        total=net(("total", None)),
        education_types={kind: net(("type", kind.value)) for kind in EducationType},
        provinces={province: net(("province", province.value)) for province in Province},
        schools=list(schools.values()),
    )


REPORT_HEADERS = ("Indeling", "Groep", "Leerlingen", "Accounts", "Dekking (%)")


def report_rows(report: CoverageReport) -> list[tuple[str, str, int, int, float]]:
    """The report as the rows of a table export (CSV, XLSX): breakdown ("totaal",
    "onderwijsvorm", "provincie", "school"), group, pupils, accounts, coverage in per cent.
    The same figures as `leerid stats --json`."""
    rows: list[tuple[str, str, int, int, float]] = []

    def add(section: str, group: str, coverage: Coverage) -> None:
        rows.append((section, group, coverage.pupils, coverage.accounts, coverage.percentage))

    add("totaal", "alle scholen", report.total)
    for kind, coverage in report.education_types.items():
        add("onderwijsvorm", EDUCATION_TYPE_LABELS[kind], coverage)
    for province, coverage in report.provinces.items():
        add("provincie", str(province), coverage)
    for school in report.schools:
        add("school", f"{school.instellingsnummer} {school.name}", school.coverage)
    return rows
