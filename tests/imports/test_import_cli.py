"""`leerid import-schools` and `leerid import-enrollments`, as an operator runs them."""

from __future__ import annotations

import json

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from idp.models import AuditEvent, Enrollment, School
from idp.services.imports import import_enrollments

from .import_helpers import SCHOOL_HEADER, national_number, pupil, write_csv


def test_import_schools_command(leerid, session, tmp_path):
    rows = [{"instellingsnummer": "42", "naam": "GO! Atheneum", "provincie": "limburg"}]
    path = write_csv(tmp_path / "scholen.csv", rows, header=SCHOOL_HEADER)
    result = leerid("import-schools", str(path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["kind"], data["written"], data["counts"]["created"]) == ("schools", True, 1)
    assert session.scalar(select(School.name).where(School.instellingsnummer == "42")) == (
        "GO! Atheneum"
    )


def test_import_enrollments_command_prints_a_summary(leerid, session, school, tmp_path):
    rows = [pupil(school, "1", rijksregisternummer=national_number()), pupil(school, "2")]
    path = write_csv(tmp_path / "leerlingen.csv", rows)
    result = leerid("import-enrollments", str(path))
    assert result.exit_code == 0, result.output
    assert "leerlingen.csv" in result.output and "2" in result.output
    assert len(session.scalars(select(Enrollment)).all()) == 2
    assert session.scalar(select(AuditEvent.actor)) == "cli"


def test_problems_exit_1_and_list_every_line(leerid, session, school, tmp_path):
    rows = [pupil(school, "1", geboortedatum="31/02/2012"), pupil(school, "2", onderwijsvorm="?")]
    result = leerid("import-enrollments", str(write_csv(tmp_path / "l.csv", rows)))
    assert result.exit_code == 1
    problem_lines = [line for line in result.output.splitlines() if line.startswith("- ")]
    assert len(problem_lines) == 2
    assert "31/02/2012" in problem_lines[0] and "geboortedatum" in problem_lines[0]
    assert "onderwijsvorm" in problem_lines[1]
    assert session.scalars(select(Enrollment)).all() == []


def test_skip_invalid_exits_0_and_lists_the_skipped_rows(leerid, session, school, tmp_path):
    rows = [pupil(school, "1"), pupil(school, "2", geboortedatum="x")]
    path = write_csv(tmp_path / "l.csv", rows)
    result = leerid("import-enrollments", str(path), "--skip-invalid", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert (data["counts"]["created"], data["counts"]["invalid"]) == (1, 1)
    assert [(p["line"], p["column"], p["code"]) for p in data["problems"]] == [
        (3, "geboortedatum", "bad_date")
    ]


def test_dry_run_changes_nothing(leerid, session, school, tmp_path):
    path = write_csv(tmp_path / "l.csv", [pupil(school, "1")])
    result = leerid("import-enrollments", str(path), "--dry-run", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert (data["dry_run"], data["written"], data["counts"]["created"]) == (True, False, 1)
    assert session.scalars(select(Enrollment)).all() == []


@pytest.mark.parametrize("command", ["import-schools", "import-enrollments"])
def test_a_missing_file_is_reported_as_one_json_object(leerid, tmp_path, command):
    result = leerid(command, str(tmp_path / "weg.csv"), "--json")
    assert result.exit_code == 1
    assert json.loads(result.output)["problems"][0]["code"] == "unreadable_file"


# The Dutch wording comes from the catalog: these pass once /tmp/nl_imports.json is merged.
def test_dutch_problem_line(app, school, session, secrets, tmp_path):
    path = write_csv(
        tmp_path / "l.csv", [pupil(school, "1"), pupil(school, "7", geboortedatum="31/02/2012")]
    )
    report = import_enrollments(session, secrets, path, actor="test")
    with force_locale("nl"):
        assert report.problems[0].render() == (
            "Regel 3, kolom 'geboortedatum': '31/02/2012' is geen geldige datum. "
            "Gebruik de vorm dd/mm/jjjj."
        )


def test_dutch_summary_in_the_cli(leerid, school, tmp_path):
    path = write_csv(tmp_path / "l.csv", [pupil(school, "1", rijksregisternummer="12345678901")])
    result = leerid("import-enrollments", str(path))
    assert "Er werd niets ingelezen" in result.output
    assert "de controlecijfers (de laatste twee cijfers) kloppen niet" in result.output


def test_english_on_request(app, school, session, secrets, tmp_path):
    path = write_csv(tmp_path / "l.csv", [pupil("999", "1")])
    report = import_enrollments(session, secrets, path, actor="test")
    with force_locale("en"):
        assert report.problems[0].render() == (
            "Line 2, column 'instellingsnummer': School 999 is not known in LeerID. "
            "Check the instellingsnummer or import the school register first."
        )
        assert report.summary().startswith("Rows read from l.csv: 1. Nothing was imported")
