"""Coverage statistics: exact counts per education type, province and school."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from sqlalchemy import event

from idp.models import (
    Account,
    AccountKind,
    AccountStatus,
    CredentialType,
    EducationType,
    Enrollment,
    Person,
    Province,
)
from idp.services.stats import Coverage, coverage_report

START = dt.date(2025, 9, 1)
LEFT = dt.date(2026, 1, 31)


@pytest.fixture
def pupil(session):
    """Create a person with enrollments [(school, type, ended?)] and optionally an account."""
    counter = iter(range(1, 10_000))

    def make(enrollments, account=None):
        n = next(counter)
        person = Person(first_name=f"Leerling{n}", last_name="Test")
        session.add(person)
        for school, kind, ended in enrollments:
            session.add(
                Enrollment(
                    person=person,
                    school=school,
                    stamnummer=str(n),
                    education_type=kind,
                    start_date=START,
                    end_date=LEFT if ended else None,
                )
            )
        if account is not None:
            session.add(
                Account(
                    person=person,
                    username=f"leerling{n}.test",
                    kind=AccountKind.BASIC,
                    credential_type=CredentialType.WORD,
                    password_hash="x",
                    status=account,
                )
            )
        session.commit()
        return person

    return make


@pytest.fixture
def population(make_school, pupil):
    """Pupils covering every counting rule; the expected figures are in the tests below."""
    a = make_school("100001", "School A", Province.ANTWERPEN)
    b = make_school("100002", "School B", Province.BRUSSEL)
    make_school("100003", "School C zonder leerlingen", Province.LIMBURG)
    d = make_school("100004", "School D", Province.ANTWERPEN)
    lager, secundair = EducationType.GEWOON_LAGER, EducationType.GEWOON_SECUNDAIR
    active, blocked = AccountStatus.ACTIVE, AccountStatus.BLOCKED
    pupil([(a, lager, False)], active)  # p1
    pupil([(a, lager, False)])  # p2: no account
    pupil([(a, lager, False)], AccountStatus.DEACTIVATED)  # p3: pupil, account not counted
    pupil([(b, secundair, False)], blocked)  # p4: a blocked account still exists
    # p5: two schools, two types, two provinces.
    pupil([(a, EducationType.BUITENGEWOON_LAGER, False), (b, secundair, False)], active)
    pupil([(a, lager, True)], active)  # p6: left school, not a pupil any more
    # p7: moved from A to B.
    pupil([(a, lager, True), (b, EducationType.DEELTIJDS_BEROEPSSECUNDAIR, False)])
    pupil([(a, lager, False), (d, lager, False)], active)  # p8: two schools, same type


def test_total_counts_each_pupil_once(session, population):
    report = coverage_report(session)
    assert report.total == Coverage(pupils=7, accounts=4)
    assert report.total.percentage == 57.1


def test_counts_per_education_type_include_empty_types(session, population):
    report = coverage_report(session)
    assert {str(t): (c.pupils, c.accounts) for t, c in report.education_types.items()} == {
        "gewoon_lager": (4, 2),
        "gewoon_secundair": (2, 2),
        "buitengewoon_lager": (1, 1),
        "buitengewoon_secundair": (0, 0),
        "deeltijds_beroepssecundair": (1, 0),
        "ander": (0, 0),
    }


def test_counts_per_province_include_empty_provinces(session, population):
    provinces = coverage_report(session).provinces
    assert list(provinces) == list(Province)
    assert provinces[Province.ANTWERPEN] == Coverage(5, 3)
    assert provinces[Province.BRUSSEL] == Coverage(3, 2)
    empty = [p for p in Province if p not in (Province.ANTWERPEN, Province.BRUSSEL)]
    assert all(provinces[p] == Coverage(0, 0) for p in empty)


def test_counts_per_school_include_schools_without_pupils(session, population):
    rows = [s.as_dict() for s in coverage_report(session).schools]
    assert [(r["instellingsnummer"], r["pupils"], r["accounts"], r["coverage"]) for r in rows] == [
        ("100001", 5, 3, 60.0),
        ("100002", 3, 2, 66.7),
        ("100003", 0, 0, 0.0),
        ("100004", 1, 1, 100.0),
    ]
    assert rows[1]["province"] == "Brussel"
    assert rows[2]["name"] == "School C zonder leerlingen"


def test_report_equals_a_naive_count_over_every_combination(session, make_school, pupil):
    schools = [
        make_school("200001", "S1", Province.ANTWERPEN),
        make_school("200002", "S2", Province.ANTWERPEN),
        make_school("200003", "S3", Province.BRUSSEL),
    ]
    kinds = [EducationType.GEWOON_LAGER, EducationType.GEWOON_SECUNDAIR]
    singles = [[(s, k, ended)] for s in schools for k in kinds for ended in (False, True)]
    pairs = [
        [(s1, k1, False), (s2, k2, ended)]
        for s1, s2 in itertools.combinations(schools, 2)
        for k1, k2 in itertools.product(kinds, kinds)
        for ended in (False, True)
    ]
    statuses = [None, *AccountStatus]
    people = [(e, status) for e in singles + pairs for status in statuses]
    for enrollments, status in people:
        pupil(enrollments, status)

    expected: dict[object, list[int]] = {}
    for enrollments, status in people:
        active = [(s, k) for s, k, ended in enrollments if not ended]
        groups = {"total"} | {k for _, k in active} | {s.province for s, _ in active}
        groups |= {s.instellingsnummer for s, _ in active}
        for group in groups if active else ():
            figures = expected.setdefault(group, [0, 0])
            figures[0] += 1
            figures[1] += status in (AccountStatus.ACTIVE, AccountStatus.BLOCKED)

    report = coverage_report(session)
    found = {"total": report.total, **report.education_types, **report.provinces}
    found |= {s.instellingsnummer: s.coverage for s in report.schools}
    assert {g: [c.pupils, c.accounts] for g, c in found.items() if c.pupils} == expected


@pytest.mark.parametrize(
    ("pupils", "accounts", "expected"),
    [(0, 0, 0.0), (3, 1, 33.3), (3, 2, 66.7), (16, 1, 6.3), (1000, 467, 46.7), (7, 7, 100.0)],
)
def test_coverage_is_rounded_half_up_to_one_decimal(pupils, accounts, expected):
    assert Coverage(pupils, accounts).percentage == expected


def test_report_is_a_fixed_number_of_queries(session, population):
    statements = []

    def count(*_args):
        statements.append(1)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        coverage_report(session)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Aggregates per school and type, and the correction for pupils in several schools:
    # never one query per pupil or per school.
    assert len(statements) == 2


def test_empty_database_reports_zeros(session):
    report = coverage_report(session).as_dict()
    assert report["total"] == {"pupils": 0, "accounts": 0, "coverage": 0.0}
    assert len(report["education_types"]) == 6
    assert report["schools"] == []


def test_leerid_stats_json(leerid, population, session):
    result = leerid("stats", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == coverage_report(session).as_dict()
    assert data["total"] == {"pupils": 7, "accounts": 4, "coverage": 57.1}
    assert list(data["education_types"]) == [t.value for t in EducationType]
    assert list(data["provinces"]) == [p.value for p in Province]
    assert data["education_types"]["gewoon_secundair"] == {
        "pupils": 2,
        "accounts": 2,
        "coverage": 100.0,
    }
    assert data["schools"][0] == {
        "instellingsnummer": "100001",
        "name": "School A",
        "province": "Antwerpen",
        "pupils": 5,
        "accounts": 3,
        "coverage": 60.0,
    }


def test_leerid_stats_text_uses_the_departments_labels(leerid, population):
    result = leerid("stats")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    labels = [
        "gewoon lager",
        "gewoon secundair (voltijds)",
        "buitengewoon lager",
        "buitengewoon secundair",
        "deeltijds beroepssecundair",
        "ander",
    ]
    for label in labels:
        assert any(line.startswith(label + " ") for line in lines), label
    assert any(line.split()[-4:] == ["7", "4", "57.1", "%"] for line in lines)
    assert any(line.startswith("100003 School C zonder leerlingen") for line in lines)
