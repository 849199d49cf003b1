"""The enrollment import reads every file format schools produce: encodings, XLSX, headers."""

from __future__ import annotations

import datetime as dt

import pytest

from idp.models import EducationType

from .import_helpers import (
    active_enrollments,
    codes,
    national_number,
    persons,
    pupil,
    write_csv,
    write_xlsx,
)

ACCENTED = [("Çelik", "Noëlla"), ("Dubois", "Éléonore"), ("Hansen", "Øyvind")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_in_every_encoding_keeps_accented_names(
    tmp_path, session, school, run, encoding, delimiter
):
    rows = [
        pupil(school, str(1000 + i), naam=last, voornaam=first)
        for i, (last, first) in enumerate(ACCENTED)
    ]
    path = write_csv(tmp_path / "leerlingen.csv", rows, encoding=encoding, delimiter=delimiter)
    report = run(path)
    assert (report.problems, report.counts["created"], report.written) == ([], 3, True)
    assert [(p.last_name, p.first_name) for p in persons(session)] == ACCENTED


def test_xlsx_with_date_cells_numbers_and_a_national_number_that_lost_its_zero(
    tmp_path, session, secrets, school, run
):
    born = dt.date(2005, 1, 9)
    number = national_number(born, 17)
    assert number.startswith("0")
    rows = [
        pupil(
            int(school.instellingsnummer),
            1001,
            geboortedatum=dt.datetime(2005, 1, 9),
            rijksregisternummer=int(number),
            leerjaar=3,
            voornaam="Éléonore",
        ),
        None,
        pupil(school, "1002", geboortedatum=dt.date(2012, 3, 5), naam="Çelik"),
    ]
    report = run(write_xlsx(tmp_path / "leerlingen.xlsx", rows))
    assert report.problems == []
    first, second = persons(session)
    assert (first.first_name, first.birth_date, second.last_name) == ("Éléonore", born, "Çelik")
    assert first.national_number_hash == secrets.national_number_hash(number)
    assert [e.grade for e in active_enrollments(session)] == ["3", "3"]


def test_xlsx_problems_use_spreadsheet_row_numbers(tmp_path, school, run):
    rows = [pupil(school, "1"), None, pupil(school, "2", geboortedatum="31/02/2012")]
    report = run(write_xlsx(tmp_path / "l.xlsx", rows))
    assert codes(report) == [(4, "geboortedatum", "bad_date")]


def test_headers_in_any_case_order_and_spelling_and_without_national_number(
    tmp_path, session, school, run
):
    header = [
        " Voornaam",
        "NAAM ",
        "\ufeffInstellingsnummer",
        "Stamnummer",
        "GeboorteDatum",
        "Administratieve_Groep",
        "LEERJAAR",
        "onderwijs_vorm_unused",
        "Onderwijsvorm",
    ]
    path = tmp_path / "l.csv"
    path.write_text(
        ";".join(header) + "\r\nLotte;Peeters;123456;77;05/03/2012;4B;4;x;GEWOON LAGER\r\n",
        encoding="utf-8-sig",
    )
    report = run(path)
    assert report.problems == []
    (enrollment,) = active_enrollments(session)
    assert (enrollment.administrative_group, enrollment.grade) == ("4B", "4")
    assert enrollment.person.has_official_data is False


@pytest.mark.parametrize("text", ["05/03/2012", "5/3/2012", "05-03-2012", "2012-03-05"])
def test_accepted_date_formats(tmp_path, session, school, run, text):
    run(write_csv(tmp_path / "l.csv", [pupil(school, geboortedatum=text)]))
    assert persons(session)[0].birth_date == dt.date(2012, 3, 5)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31/02/2012", "bad_date"),
        ("05/03/12", "bad_date"),
        ("2012/03/05", "bad_date"),
        ("maart 2012", "bad_date"),
        ("02/09/2025", "future_date"),
        ("31/12/1899", "date_before_1900"),
        ("", "missing_value"),
    ],
)
def test_rejected_dates(tmp_path, school, run, text, code):
    report = run(write_csv(tmp_path / "l.csv", [pupil(school, geboortedatum=text)]))
    assert codes(report) == [(2, "geboortedatum", code)]


@pytest.mark.parametrize(
    ("label", "education_type"),
    [
        ("gewoon lager", EducationType.GEWOON_LAGER),
        ("Gewoon Secundair", EducationType.GEWOON_SECUNDAIR),
        ("gewoon secundair (voltijds)", EducationType.GEWOON_SECUNDAIR),
        ("gewoon voltijds secundair", EducationType.GEWOON_SECUNDAIR),
        ("BUITENGEWOON LAGER", EducationType.BUITENGEWOON_LAGER),
        ("buitengewoon secundair", EducationType.BUITENGEWOON_SECUNDAIR),
        ("deeltijds beroepssecundair", EducationType.DEELTIJDS_BEROEPSSECUNDAIR),
        ("ander", EducationType.ANDER),
        ("Anderen", EducationType.ANDER),
        ("buitengewoon_secundair", EducationType.BUITENGEWOON_SECUNDAIR),
    ],
)
def test_education_types(tmp_path, session, school, run, label, education_type):
    run(write_csv(tmp_path / "l.csv", [pupil(school, onderwijsvorm=label)]))
    assert active_enrollments(session)[0].education_type == education_type


def test_unknown_education_type_and_unknown_school(tmp_path, school, run):
    rows = [pupil(school, "1", onderwijsvorm="kleuter"), pupil("999999", "2")]
    report = run(write_csv(tmp_path / "l.csv", rows))
    assert codes(report) == [
        (2, "onderwijsvorm", "unknown_education_type"),
        (3, "instellingsnummer", "unknown_school"),
    ]
    assert report.problems[1].params == {"value": "999999"}
