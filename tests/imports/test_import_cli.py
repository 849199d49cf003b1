"""`leerid import-schools` and `leerid import-enrollments`, as an operator runs them."""

from __future__ import annotations

import json

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from idp.models import AuditEvent, Enrollment, ReportSnapshot, School
from idp.services import report_snapshots
from idp.services.imports import import_enrollments
from idp.services.stats import coverage_report

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
    # The department's statistics are counted with the new pupils at once.
    snapshot = session.get(ReportSnapshot, report_snapshots.NAME)
    assert snapshot is not None and snapshot.payload == coverage_report(session).as_dict()
    assert coverage_report(session).total.pupils == 2


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
def test_a_missing_file_is_reported_as_missing(leerid, tmp_path, command):
    missing = tmp_path / "weg.csv"
    result = leerid(command, str(missing))
    assert result.exit_code == 1
    assert f"The file {missing} does not exist." in result.output
    assert "cannot be read" not in result.output
    result = leerid(command, str(missing), "--json")
    assert result.exit_code == 1
    (problem,) = json.loads(result.output)["problems"]
    assert (problem["code"], problem["params"]) == ("missing_file", {"file": str(missing)})


def test_a_file_with_one_class_is_not_taken_for_the_whole_school(leerid, session, school, tmp_path):
    everyone = [pupil(school, str(number)) for number in range(1, 31)]
    assert leerid("import-enrollments", str(write_csv(tmp_path / "a.csv", everyone))).exit_code == 0
    one_class = write_csv(tmp_path / "3a.csv", everyone[:6])
    result = leerid("import-enrollments", str(one_class))
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert "School 123456: 24 of its 30 enrolled pupils are missing from the file" in result.output
    assert "--full-list" in result.output
    assert session.scalar(select(func.count()).where(Enrollment.end_date.is_(None))) == 30
    data = json.loads(leerid("import-enrollments", str(one_class), "--json").output)
    assert [(p["code"], p["params"]) for p in data["problems"]] == [
        ("ends_many", {"school": "123456", "count": 24, "active": 30})
    ]
    result = leerid("import-enrollments", str(one_class), "--full-list")
    assert result.exit_code == 0, result.output
    assert "unenrolled: 24" in result.output
    assert session.scalar(select(func.count()).where(Enrollment.end_date.is_(None))) == 6


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


def test_the_cli_answers_in_english_and_its_json_is_unchanged(leerid, school, tmp_path):
    path = write_csv(tmp_path / "l.csv", [pupil(school, "1", rijksregisternummer="12345678901")])
    result = leerid("import-enrollments", str(path))
    assert "Nothing was imported: fix the problems below" in result.output
    assert "Line 2, column 'rijksregisternummer': This national register number" in result.output
    assert "Regel" not in result.output and "niets" not in result.output
    # --json keeps its messages in the configured language (Dutch), as before.
    data = json.loads(leerid("import-enrollments", str(path), "--json").output)
    assert "Er werd niets ingelezen" in data["summary"]
    assert (
        "de controlecijfers (de laatste twee cijfers) kloppen niet"
        in (data["problems"][0]["message"])
    )


def test_english_on_request(app, school, session, secrets, tmp_path):
    path = write_csv(tmp_path / "l.csv", [pupil("999", "1")])
    report = import_enrollments(session, secrets, path, actor="test")
    with force_locale("en"):
        assert report.problems[0].render() == (
            "Line 2, column 'instellingsnummer': School 999 is not known in LeerID. "
            "Check the instellingsnummer or import the school register first."
        )
        assert report.summary().startswith("Rows read from l.csv: 1. Nothing was imported")
