"""The school register import: upsert by instellingsnummer, provinces, problems, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from idp.models import AuditEvent, Province, School
from idp.services.imports import import_schools

from .import_helpers import SCHOOL_HEADER, codes, write_csv, write_xlsx


@pytest.fixture
def run(session, tmp_path):
    """Import the given rows as a CSV file; keyword options go to import_schools."""
    counter = iter(range(1000))

    def run(rows, **options):
        path = write_csv(tmp_path / f"scholen{next(counter)}.csv", rows, header=SCHOOL_HEADER)
        return import_schools(session, path, actor="test", **options)

    return run


def _schools(session):
    session.expire_all()
    return [
        (s.instellingsnummer, s.name, s.province)
        for s in session.scalars(select(School).order_by(School.instellingsnummer))
    ]


def _school(number, name="Basisschool De Regenboog", province="Antwerpen"):
    return {"instellingsnummer": number, "naam": name, "provincie": province}


@pytest.mark.parametrize(
    ("written", "province"),
    [
        ("Antwerpen", Province.ANTWERPEN),
        ("limburg", Province.LIMBURG),
        ("OOST-VLAANDEREN", Province.OOST_VLAANDEREN),
        ("Vlaams Brabant", Province.VLAAMS_BRABANT),
        (" west-vlaanderen ", Province.WEST_VLAANDEREN),
        ("brussel", Province.BRUSSEL),
    ],
)
def test_provinces_in_any_case_are_stored_canonically(session, run, written, province):
    report = run([_school("1", province=written)])
    assert report.problems == []
    assert _schools(session) == [("1", "Basisschool De Regenboog", province)]


def test_upsert_by_instellingsnummer(session, make_school, run):
    make_school("100", name="Oude naam", province=Province.LIMBURG)
    make_school("200", name="Blijft", province=Province.LIMBURG)
    make_school("300", name="Niet in het bestand", province=Province.BRUSSEL)
    rows = [
        _school("100", "Nieuwe naam", "Limburg"),
        _school("200", "Blijft", "West-Vlaanderen"),
        _school("400", "Sint-Jozefsinstituut", "Oost-Vlaanderen"),
    ]
    report = run(rows)
    assert report.counts == {"created": 1, "updated": 2, "unchanged": 0, "ended": 0}
    assert _schools(session) == [
        ("100", "Nieuwe naam", Province.LIMBURG),
        ("200", "Blijft", Province.WEST_VLAANDEREN),
        ("300", "Niet in het bestand", Province.BRUSSEL),
        ("400", "Sint-Jozefsinstituut", Province.OOST_VLAANDEREN),
    ]


def test_importing_the_register_twice_changes_nothing(session, run):
    rows = [_school("1"), _school("2", "Atheneum", "Limburg")]
    run(rows)
    before = [s.updated_at for s in session.scalars(select(School).order_by(School.id))]
    report = run(rows)
    assert report.counts == {"created": 0, "updated": 0, "unchanged": 2, "ended": 0}
    assert report.written is False
    session.expire_all()
    assert [s.updated_at for s in session.scalars(select(School).order_by(School.id))] == before
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_xlsx_with_numeric_instellingsnummers_matches_leading_zeros(session, make_school, tmp_path):
    make_school("012345", name="Oud")
    rows = [_school(12345, "Nieuw"), _school(678, "Ander", "Brussel")]
    path = write_xlsx(tmp_path / "scholen.xlsx", rows, header=SCHOOL_HEADER)
    report = import_schools(session, path, actor="test")
    assert report.counts == {"created": 1, "updated": 1, "unchanged": 0, "ended": 0}
    assert _schools(session)[0] == ("012345", "Nieuw", Province.ANTWERPEN)


def test_problems_are_reported_with_line_and_column(session, run):
    rows = [
        _school("1"),
        _school("2", province="Henegouwen"),
        _school("", name=""),
        _school("1", "Dubbel"),
        _school("12345678901"),
    ]
    report = run(rows)
    assert codes(report) == [
        (3, "provincie", "unknown_province"),
        (4, "instellingsnummer", "missing_value"),
        (4, "naam", "missing_value"),
        (5, "instellingsnummer", "duplicate_school"),
        (6, "instellingsnummer", "too_long"),
    ]
    assert report.problems[3].params == {"value": "1", "earlier": 2}
    assert (report.refused, _schools(session)) == (True, [])


def test_skip_invalid_imports_the_valid_schools(session, run):
    report = run([_school("1"), _school("2", province="?")], skip_invalid=True)
    assert (report.counts["created"], report.invalid, report.written) == (1, 1, True)
    assert [number for number, _, _ in _schools(session)] == ["1"]


def test_dry_run_changes_nothing(session, make_school, run):
    make_school("1", name="Oud")
    report = run([_school("1", "Nieuw"), _school("2")], dry_run=True)
    assert (report.counts["created"], report.counts["updated"], report.written) == (1, 1, False)
    assert _schools(session) == [("1", "Oud", Province.ANTWERPEN)]


def test_missing_column_refuses_the_file(session, tmp_path):
    path = write_csv(tmp_path / "s.csv", [_school("1")], header=("instellingsnummer", "naam"))
    report = import_schools(session, path, actor="test", skip_invalid=True)
    assert codes(report) == [(1, "provincie", "missing_column")]
    assert (report.refused, _schools(session)) == (True, [])


def test_audit_event(session, run):
    run([_school("1"), _school("2")])
    (event,) = session.scalars(select(AuditEvent))
    assert (event.actor, event.action) == ("test", "schools.import")
    assert (event.details["file"], event.details["created"]) == ("scholen0.csv", 2)
