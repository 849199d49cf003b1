"""The demo's schools and pupils: fictional, deterministic, and varied enough to show off
names with accents, pupils without official data, a change of school, a pupil in two
schools at once and coverage that differs per education type.

The national numbers are synthetic: valid check digits, serials chosen by formula.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ..models import AccountKind, AccountStatus, EducationType, Province, account_kind_for

# The first 29 pairs belong together; after that first and last names mix, as in the
# schools themselves (31 and 29 are coprime, so no pair repeats for 899 pupils).
FIRST_NAMES = (
    "Noëlla", "Çağan", "Zoë", "Mohamed", "Łucja", "Éloïse", "Jan", "Lotte", "Wout", "Fien",
    "Aylin", "Sem", "Amira", "Lars", "Marie-Josée", "Rayan", "Ines", "Stan", "Nour", "Kobe",
    "Ana Lúcia", "Mats", "Yasmine", "Arne", "Dragoș", "Elif", "Ruben", "Jana", "Bjørn",
    "Emma", "Ayoub",
)  # fmt: skip
LAST_NAMES = (
    "Van den Broeck", "Yılmaz", "D'Hondt", "El Amrani", "Wiśniewska", "Dubois", "Peeters",
    "Janssens", "Maes", "Verstraete", "Demir", "De Smet", "Bouzid", "Claes", "Lemaître",
    "Benali", "Vermeulen", "Goossens", "Haddad", "Wouters", "Gonçalves", "Willems", "Ouali",
    "Van Damme", "Popescu", "Şahin", "Mertens", "'t Kint", "Nørgaard",
)  # fmt: skip


@dataclass(frozen=True)
class DemoSchool:
    """A demo school and how many of its pupils (per education type) have an account."""

    instellingsnummer: str
    name: str
    province: Province
    blocks: tuple[tuple[EducationType, int, int], ...]  # (type, pupils, of whom with account)


SCHOOLS = (
    DemoSchool(
        "990101", "Basisschool De Regenboog", Province.ANTWERPEN,
        ((EducationType.GEWOON_LAGER, 16, 10),),
    ),
    DemoSchool(
        "990202", "Atheneum Scheldeland", Province.OOST_VLAANDEREN,
        ((EducationType.GEWOON_SECUNDAIR, 18, 12),),
    ),
    DemoSchool(
        "990303", "Buitengewone basisschool Het Kompas", Province.LIMBURG,
        ((EducationType.BUITENGEWOON_LAGER, 10, 3),),
    ),
    DemoSchool(
        "990404", "Campus Zenne", Province.BRUSSEL,
        (
            (EducationType.GEWOON_SECUNDAIR, 10, 5),
            (EducationType.DEELTIJDS_BEROEPSSECUNDAIR, 6, 2),
            (EducationType.ANDER, 5, 1),
        ),
    ),
    DemoSchool(
        "990505", "Buitengewoon secundair Het Anker", Province.WEST_VLAANDEREN,
        ((EducationType.BUITENGEWOON_SECUNDAIR, 12, 4),),
    ),
    DemoSchool(
        "990606", "Basisschool 't Klavertje", Province.VLAAMS_BRABANT,
        ((EducationType.GEWOON_LAGER, 12, 5),),
    ),
)  # fmt: skip

# Grades per education type and the age of a pupil in the first of them.
_GRADES: dict[EducationType, tuple[tuple[str, ...], int]] = {
    EducationType.GEWOON_LAGER: (("1", "2", "3", "4", "5", "6"), 6),
    EducationType.GEWOON_SECUNDAIR: (("1", "2", "3", "4", "5", "6"), 12),
    EducationType.BUITENGEWOON_LAGER: (("1", "2", "3", "4", "5", "6"), 7),
    EducationType.BUITENGEWOON_SECUNDAIR: (("1", "2", "3", "4"), 13),
    EducationType.DEELTIJDS_BEROEPSSECUNDAIR: (("1", "2", "3"), 15),
    EducationType.ANDER: (("OKAN",), 13),
}


@dataclass(frozen=True)
class DemoEnrollment:
    """One enrollment of a demo pupil; `end_date` set means the pupil left that school."""

    school: str
    stamnummer: str
    education_type: EducationType
    grade: str
    administrative_group: str
    start_date: dt.date
    end_date: dt.date | None = None


@dataclass(frozen=True)
class DemoPerson:
    """One demo pupil: name, official data or none, enrollments and account status."""

    first_name: str
    last_name: str
    birth_date: dt.date
    national_number: str | None
    enrollments: tuple[DemoEnrollment, ...]
    account: AccountStatus | None
    # A basic account with a picture password instead of a word password.
    pictures: bool = False

    @property
    def key(self) -> str:
        """A stable label for the pupil: the school and stamnummer of the first enrollment."""
        first = self.enrollments[0]
        return f"{first.school}:{first.stamnummer}"


def school_year_start(today: dt.date) -> dt.date:
    """1 September of the school year that `today` falls in."""
    return dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def synthetic_national_number(birth_date: dt.date, serial: int) -> str:
    """A rijksregisternummer with a correct check number (serial 1..997)."""
    nine = f"{birth_date:%y%m%d}{serial:03d}"
    body = int(("2" if birth_date.year >= 2000 else "") + nine)
    return f"{nine}{97 - body % 97:02d}"


class _Builder:
    """Hands out names, stamnummers and birth dates in a fixed order."""

    def __init__(self, today: dt.date) -> None:
        self.start = school_year_start(today)
        self.count = 0
        self.stamnummers: dict[str, int] = defaultdict(int)

    def enrollment(
        self, school: str, kind: EducationType, index: int, end: dt.date | None = None
    ) -> DemoEnrollment:
        """The next enrollment in `school`; an ended one belongs to last school year."""
        grades, _ = _GRADES[kind]
        grade = grades[index % len(grades)]
        self.stamnummers[school] += 1
        group = grade + "AB"[index // len(grades) % 2] if grade.isdigit() else grade
        start = self.start if end is None else self.start.replace(year=self.start.year - 1)
        number = f"{self.stamnummers[school]:05d}"
        return DemoEnrollment(school, number, kind, grade, group, start, end)

    def person(
        self,
        enrollments: tuple[DemoEnrollment, ...],
        account: AccountStatus | None,
        pictures: bool = False,
    ) -> DemoPerson:
        """The next pupil: name, birth date fitting the grade, and maybe a national number."""
        k = self.count
        self.count += 1
        grades, first_age = _GRADES[enrollments[0].education_type]
        age = first_age + grades.index(enrollments[0].grade)
        born = dt.date(self.start.year - age, 1 + k % 12, 1 + (k * 7) % 28)
        # One pupil in four without a LeerID has no rijksregister- or bisnummer ("geen
        # officiële gegevens"): no account can be created for them until it arrives.
        missing = k % 4 == 3 and account is None
        number = None if missing else synthetic_national_number(born, 1 + (2 * k) % 997)
        first, last = FIRST_NAMES[k % len(FIRST_NAMES)], LAST_NAMES[k % len(LAST_NAMES)]
        return DemoPerson(first, last, born, number, enrollments, account, pictures)


def demo_people(today: dt.date | None = None) -> tuple[DemoPerson, ...]:
    """Every demo pupil, in seeding order."""
    build = _Builder(today or dt.date.today())
    people = []
    for school in SCHOOLS:
        for kind, pupils, with_account in school.blocks:
            # In primary schools one pupil in three signs in with pictures.
            basic = account_kind_for(kind) is AccountKind.BASIC
            for index in range(pupils):
                account = AccountStatus.ACTIVE if index < with_account else None
                enrollment = build.enrollment(school.instellingsnummer, kind, index)
                pictures = basic and account is not None and index % 3 == 1
                people.append(build.person((enrollment,), account, pictures))
    last_june = build.start.replace(month=6, day=30)
    lager, buitengewoon = EducationType.GEWOON_LAGER, EducationType.BUITENGEWOON_LAGER
    # Changed school over the summer: the account stays with the pupil.
    moved = (
        build.enrollment("990101", lager, 3, end=last_june),
        build.enrollment("990606", lager, 4),
    )
    # Enrolled in two schools at once: counts once in the total, once in each group.
    both = (build.enrollment("990303", buitengewoon, 2), build.enrollment("990606", lager, 2))
    # Left compulsory education: no longer a pupil, the account is deactivated.
    left = (build.enrollment("990202", EducationType.GEWOON_SECUNDAIR, 5, end=last_june),)
    people.append(build.person(moved, AccountStatus.ACTIVE))
    people.append(build.person(both, AccountStatus.ACTIVE))
    people.append(build.person(left, AccountStatus.DEACTIVATED))
    return tuple(people)
