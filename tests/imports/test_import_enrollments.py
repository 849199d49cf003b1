"""The enrollment import: value checks, problem reports, transactions and audit."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from idp.models import AuditEvent

from .import_helpers import (
    ENROLLMENT_HEADER,
    active_enrollments,
    codes,
    national_number,
    persons,
    pupil,
    write_csv,
)


def _with_check_digits(body: str) -> str:
    return body + f"{97 - int(body) % 97:02d}"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("1203050012", "national_number_length"),
        ("12.03.05-001.2x", "national_number_length"),
        ("12030500199", "national_number_checksum"),
        (_with_check_digits("121305001"), "national_number_date"),
    ],
)
def test_invalid_national_numbers_say_why(tmp_path, school, run, number, code):
    report = run(write_csv(tmp_path / "l.csv", [pupil(school, rijksregisternummer=number)]))
    assert codes(report) == [(2, "rijksregisternummer", code)]
    assert number not in json.dumps(report.to_dict()) + report.render()


@pytest.mark.parametrize(
    "number",
    [
        national_number(dt.date(2012, 3, 5), 1),
        national_number(dt.date(1999, 12, 31), 998),
        national_number(dt.date(2013, 7, 1), 2, bis=True),
        national_number(dt.date(2014, 2, 28), 3, bis=True, sex_known=False),
    ],
)
def test_national_numbers_are_stored_only_as_hash_and_ciphertext(
    tmp_path, session, secrets, school, run, number
):
    written = f"{number[:2]}.{number[2:4]}.{number[4:6]}-{number[6:9]}.{number[9:]}"
    report = run(write_csv(tmp_path / "l.csv", [pupil(school, rijksregisternummer=written)]))
    (person,) = persons(session)
    assert person.national_number_hash == secrets.national_number_hash(number)
    assert secrets.decrypt(person.national_number_encrypted) == number
    assert number not in json.dumps(report.to_dict()) + report.render()


def test_required_values_and_the_ones_that_may_be_empty(tmp_path, session, school, run):
    empty = dict.fromkeys(ENROLLMENT_HEADER, "")
    rows = [
        pupil(school, "1", administratieve_groep="", leerjaar="", rijksregisternummer=""),
        {**empty, "voornaam": "Lotte"},
    ]
    report = run(write_csv(tmp_path / "l.csv", rows), skip_invalid=True)
    assert codes(report) == [
        (3, "instellingsnummer", "missing_value"),
        (3, "stamnummer", "missing_value"),
        (3, "naam", "missing_value"),
        (3, "geboortedatum", "missing_value"),
        (3, "onderwijsvorm", "missing_value"),
    ]
    (enrollment,) = active_enrollments(session)
    assert (enrollment.administrative_group, enrollment.grade) == ("", "")


@pytest.mark.parametrize(
    ("column", "length"),
    [("stamnummer", 21), ("naam", 101), ("administratieve groep", 41), ("leerjaar", 21)],
)
def test_values_too_long_for_the_database_are_reported(tmp_path, school, run, column, length):
    row = pupil(school, **{column.replace(" ", "_"): "x" * length})
    report = run(write_csv(tmp_path / "l.csv", [row]))
    assert codes(report) == [(2, column, "too_long")]


def test_missing_columns_refuse_the_file_once_before_any_row(tmp_path, session, school, run):
    header = [h for h in ENROLLMENT_HEADER if h not in ("naam", "leerjaar", "rijksregisternummer")]
    rows = [pupil(school, geboortedatum="nonsense")]
    path = write_csv(tmp_path / "l.csv", rows, header=header)
    report = run(path, skip_invalid=True)
    assert codes(report) == [(1, "naam", "missing_column"), (1, "leerjaar", "missing_column")]
    assert (report.refused, report.written, persons(session)) == (True, False, [])


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("leeg.csv", b"", "empty_file"),
        ("kop.csv", ";".join(ENROLLMENT_HEADER).encode() + b"\r\n\r\n", "no_rows"),
        ("l.xls", b"\xd0\xcf\x11\xe0", "unsupported_extension"),
        ("l.xlsx", b"garbage", "unreadable_file"),
    ],
)
def test_files_that_cannot_be_imported(tmp_path, run, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    report = run(path, skip_invalid=True)
    assert [p.code for p in report.problems] == [code]
    assert (report.refused, report.written) == (True, False)


def test_unreadable_line_in_the_middle_refuses_even_with_skip_invalid(
    tmp_path, session, school, run
):
    path = write_csv(tmp_path / "l.csv", [pupil(school, "1", naam="Noëlla")])
    path.write_bytes(path.read_bytes() + "123456;2;\xc7elik\r\n".encode("latin-1"))
    report = run(path, skip_invalid=True)
    assert codes(report) == [(3, None, "bad_encoding")]
    assert (report.refused, persons(session)) == (True, [])


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_duplicates_within_a_school_name_the_earlier_line(
    tmp_path, make_school, school, run, batch_size
):
    other = make_school("654321")
    number = national_number()
    rows = [
        pupil(school, "1", rijksregisternummer=number),
        pupil(school, "2"),
        pupil(school, "1"),
        pupil(school, "3", rijksregisternummer=number),
        pupil(other, "1", rijksregisternummer=number),  # another school: allowed
    ]
    report = run(write_csv(tmp_path / "l.csv", rows), batch_size=batch_size)
    # Both lines of each pair are listed, each naming the other.
    assert codes(report) == [
        (2, "stamnummer", "repeated_stamnummer"),
        (2, "rijksregisternummer", "repeated_national_number"),
        (4, "stamnummer", "duplicate_stamnummer"),
        (5, "rijksregisternummer", "duplicate_national_number"),
    ]
    assert [p.params.get("later") for p in report.problems] == [4, 5, None, None]
    assert [p.params.get("earlier") for p in report.problems] == [None, None, 2, 2]
    assert report.invalid == 2


def test_a_stamnummer_listed_three_times_names_every_line(tmp_path, school, run):
    rows = [pupil(school, "1"), pupil(school, "7"), pupil(school, "7"), pupil(school, "7")]
    report = run(write_csv(tmp_path / "l.csv", rows))
    with force_locale("nl"):
        assert [p.render() for p in report.problems] == [
            "Regel 3, kolom 'stamnummer': Stamnummer 7 staat voor dezelfde school nog eens "
            "op regel 4.",
            "Regel 4, kolom 'stamnummer': Stamnummer 7 staat voor dezelfde school al op regel 3.",
            "Regel 5, kolom 'stamnummer': Stamnummer 7 staat voor dezelfde school al op regel 3.",
        ]


def test_all_or_nothing_reports_every_problem_and_writes_nothing(tmp_path, session, school, run):
    rows = [
        pupil(school, "1"),
        pupil(school, "2", geboortedatum="31/02/2012", onderwijsvorm="?"),
        pupil(school, "3"),
        pupil(school, "4", rijksregisternummer="123"),
    ]
    report = run(write_csv(tmp_path / "l.csv", rows), batch_size=2)
    assert [line for line, _, _ in codes(report)] == [3, 3, 5]
    assert (report.refused, report.written, report.invalid) == (True, False, 2)
    assert report.counts == {"created": 0, "updated": 0, "unchanged": 0, "ended": 0}
    assert persons(session) == []
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_skip_invalid_imports_the_valid_rows_and_lists_the_others(tmp_path, session, school, run):
    rows = [pupil(school, "1"), pupil(school, "2", geboortedatum="x"), pupil(school, "3")]
    report = run(write_csv(tmp_path / "l.csv", rows), skip_invalid=True)
    assert codes(report) == [(3, "geboortedatum", "bad_date")]
    assert (report.refused, report.written, report.invalid) == (False, True, 1)
    assert [e.stamnummer for e in active_enrollments(session)] == ["1", "3"]


def test_dry_run_reports_what_would_change_and_changes_nothing(tmp_path, session, school, run):
    run(write_csv(tmp_path / "a.csv", [pupil(school, "1"), pupil(school, "2")]))
    before = [(p.id, p.first_name, p.updated_at) for p in persons(session)]
    rows = [pupil(school, "1", voornaam="Lore"), pupil(school, "3")]
    report = run(write_csv(tmp_path / "b.csv", rows), dry_run=True)
    assert report.counts == {"created": 1, "updated": 1, "unchanged": 0, "ended": 1}
    assert (report.written, report.refused) == (False, False)
    assert [(p.id, p.first_name, p.updated_at) for p in persons(session)] == before
    assert [e.stamnummer for e in active_enrollments(session)] == ["1", "2"]
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_audit_event_counts_without_names_or_numbers(tmp_path, session, school, run):
    number = national_number()
    rows = [pupil(school, "1", naam="Çelik", rijksregisternummer=number)]
    run(write_csv(tmp_path / "leerlingen.csv", rows))
    (event,) = session.scalars(select(AuditEvent))
    assert (event.actor, event.action, event.school_id) == ("test", "enrollments.import", school.id)
    assert event.details["file"] == "leerlingen.csv"
    assert (event.details["created"], event.details["ended"], event.details["rows"]) == (1, 0, 1)
    stored = json.dumps(event.details)
    assert "Çelik" not in stored and "\\u00c7elik" not in stored and number not in stored


def test_problems_beyond_the_limit_are_counted(tmp_path, school, run):
    rows = [pupil(school, str(i), geboortedatum="x") for i in range(5)]
    report = run(write_csv(tmp_path / "l.csv", rows), max_problems=2)
    assert (len(report.problems), report.problems_not_listed, report.invalid) == (2, 3, 5)
    assert "3" in report.render().splitlines()[-1]


def test_report_as_json_and_text(tmp_path, school, run):
    rows = [pupil(school, "1"), pupil(school, "2", geboortedatum="31/02/2012")]
    report = run(write_csv(tmp_path / "l.csv", rows), skip_invalid=True)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "ended": 0, "invalid": 1}
    assert data["problems"][0] | {"message": None} == {
        "line": 3,
        "column": "geboortedatum",
        "code": "bad_date",
        "params": {"value": "31/02/2012"},
        "message": None,
    }
    assert "31/02/2012" in data["problems"][0]["message"]
    assert "31/02/2012" in report.render()
