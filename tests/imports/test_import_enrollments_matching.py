"""The enrollment import over time: idempotency, corrections, full imports, school changes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from idp.models import AuditEvent, EducationType

from .import_helpers import (
    TODAY,
    active_enrollments,
    all_enrollments,
    codes,
    national_number,
    persons,
    pupil,
)

NUMBER = national_number(dt.date(2012, 3, 5), 11)
OTHER_NUMBER = national_number(dt.date(2011, 6, 30), 22)
BATCH_SIZES = [1, 2, 1000]


def _audit_events(session):
    return session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize("batch_size", BATCH_SIZES)
def test_importing_the_same_file_twice_changes_nothing(session, school, run, batch_size):
    rows = [
        pupil(school, "1", rijksregisternummer=NUMBER),
        pupil(school, "2", naam="Çelik", administratieve_groep="", leerjaar=""),
        pupil(school, "3", rijksregisternummer=OTHER_NUMBER, onderwijsvorm="ander"),
    ]
    first = run(rows, batch_size=batch_size)
    assert first.counts == {"created": 3, "updated": 0, "unchanged": 0, "ended": 0}
    before = [(p.id, p.updated_at, p.national_number_encrypted) for p in persons(session)]
    enrollments_before = [(e.id, e.stamnummer, e.end_date) for e in all_enrollments(session)]
    second = run(rows, today=TODAY + dt.timedelta(days=1), batch_size=batch_size)
    assert second.counts == {"created": 0, "updated": 0, "unchanged": 3, "ended": 0}
    assert (second.written, second.changed) == (False, False)
    assert [(p.id, p.updated_at, p.national_number_encrypted) for p in persons(session)] == before
    assert [(e.id, e.stamnummer, e.end_date) for e in all_enrollments(session)] == (
        enrollments_before
    )
    assert _audit_events(session) == 1


def test_corrected_data_update_person_and_enrollment(session, school, run):
    run([pupil(school, "1", rijksregisternummer=NUMBER), pupil(school, "2")])
    first, second = persons(session)
    first_id, second_id, first_updated_at = first.id, second.id, first.updated_at
    corrected = [
        pupil(
            school,
            "1",
            rijksregisternummer=NUMBER,
            naam="Peeters-Janssens",
            voornaam="Lotte Marie",
            geboortedatum="06/03/2012",
        ),
        pupil(
            school,
            "2",
            administratieve_groep="4B",
            leerjaar="4",
            onderwijsvorm="buitengewoon lager",
        ),
    ]
    report = run(corrected)
    assert report.counts == {"created": 0, "updated": 2, "unchanged": 0, "ended": 0}
    updated = persons(session)
    assert [p.id for p in updated] == [first_id, second_id]
    assert (updated[0].last_name, updated[0].first_name, updated[0].birth_date) == (
        "Peeters-Janssens",
        "Lotte Marie",
        dt.date(2012, 3, 6),
    )
    assert updated[0].updated_at > first_updated_at
    enrollment = active_enrollments(session)[1]
    assert (enrollment.administrative_group, enrollment.grade, enrollment.education_type) == (
        "4B",
        "4",
        EducationType.BUITENGEWOON_LAGER,
    )


def test_a_pupil_who_changes_school_keeps_their_person(session, school, other_school, run):
    run([pupil(school, "1", rijksregisternummer=NUMBER)])
    (person,) = persons(session)
    report = run([pupil(other_school, "77", rijksregisternummer=NUMBER, leerjaar="1")])
    assert report.counts["created"] == 1
    # Two schools at once is allowed, until the first school's next import.
    assert [e.person_id for e in active_enrollments(session)] == [person.id, person.id]
    run([pupil(school, "2", voornaam="Jonas")])
    assert [(e.school_id, e.stamnummer) for e in active_enrollments(session, None)] == [
        (school.id, "2"),
        (other_school.id, "77"),
    ]
    old = next(e for e in all_enrollments(session) if e.stamnummer == "1")
    assert (old.person_id, old.end_date) == (person.id, TODAY)
    assert persons(session)[0].id == person.id


@pytest.mark.parametrize("batch_size", BATCH_SIZES)
def test_one_pupil_in_two_schools_in_one_file(session, school, other_school, run, batch_size):
    rows = [
        pupil(school, "1", rijksregisternummer=NUMBER),
        pupil(other_school, "5", rijksregisternummer=NUMBER),
    ]
    report = run(rows, batch_size=batch_size)
    assert (report.problems, report.counts["created"]) == ([], 2)
    (person,) = persons(session)
    assert [e.person_id for e in active_enrollments(session)] == [person.id, person.id]


def test_a_changed_stamnummer_moves_the_enrollment(session, school, run):
    run([pupil(school, "1", rijksregisternummer=NUMBER)])
    (before,) = active_enrollments(session)
    report = run([pupil(school, "2024-001", rijksregisternummer=NUMBER)])
    assert report.counts == {"created": 0, "updated": 1, "unchanged": 0, "ended": 0}
    (after,) = active_enrollments(session)
    assert (after.id, after.stamnummer) == (before.id, "2024-001")


@pytest.mark.parametrize("batch_size", BATCH_SIZES)
def test_two_pupils_swapping_stamnummers(session, school, run, batch_size):
    run(
        [
            pupil(school, "1", rijksregisternummer=NUMBER),
            pupil(school, "2", rijksregisternummer=OTHER_NUMBER),
        ]
    )
    first, second = persons(session)
    swapped = [
        pupil(school, "1", rijksregisternummer=OTHER_NUMBER),
        pupil(school, "2", rijksregisternummer=NUMBER),
    ]
    report = run(swapped, batch_size=batch_size)
    assert report.problems == []
    assert [(e.stamnummer, e.person_id) for e in active_enrollments(session)] == [
        ("1", second.id),
        ("2", first.id),
    ]
    assert len(persons(session)) == 2


def test_a_stamnummer_now_naming_a_known_pupil_ends_the_other_persons_enrollment(
    session, school, other_school, run
):
    run([pupil(other_school, "5", rijksregisternummer=NUMBER)])
    run([pupil(school, "1", voornaam="Zonder")])  # no national number yet
    known, unofficial = persons(session)
    report = run([pupil(school, "1", rijksregisternummer=NUMBER)])
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0, "ended": 1}
    (enrollment,) = active_enrollments(session, school)
    assert enrollment.person_id == known.id
    ended = next(e for e in all_enrollments(session) if e.person_id == unofficial.id)
    assert ended.end_date == TODAY


def test_the_school_adds_or_corrects_a_national_number(session, secrets, school, run):
    run([pupil(school, "1")])
    (person,) = persons(session)
    assert person.has_official_data is False
    report = run([pupil(school, "1", rijksregisternummer=NUMBER)])
    assert report.counts["updated"] == 1
    (person,) = persons(session)
    assert person.national_number_hash == secrets.national_number_hash(NUMBER)
    run([pupil(school, "1", rijksregisternummer=OTHER_NUMBER)])
    (corrected,) = persons(session)
    assert (corrected.id, corrected.national_number_hash) == (
        person.id,
        secrets.national_number_hash(OTHER_NUMBER),
    )
    assert secrets.decrypt(corrected.national_number_encrypted) == OTHER_NUMBER


def test_a_row_without_national_number_keeps_the_known_one(session, secrets, school, run):
    run([pupil(school, "1", rijksregisternummer=NUMBER)])
    report = run([pupil(school, "1", voornaam="Lore")])
    assert report.counts["updated"] == 1
    (person,) = persons(session)
    assert (person.first_name, person.national_number_hash) == (
        "Lore",
        secrets.national_number_hash(NUMBER),
    )


def test_a_pupil_listed_again_under_a_new_stamnummer_is_a_conflict(session, school, run):
    run([pupil(school, "1", rijksregisternummer=NUMBER)])
    rows = [pupil(school, "1"), pupil(school, "2", rijksregisternummer=NUMBER)]
    report = run(rows, skip_invalid=True)
    assert codes(report) == [(3, "rijksregisternummer", "stamnummer_conflict")]
    assert report.problems[0].params == {"stamnummer": "1", "earlier": 2}
    assert [e.stamnummer for e in active_enrollments(session)] == ["1"]


def test_a_returning_pupil_gets_a_new_enrollment_for_the_same_person(session, school, run):
    run([pupil(school, "1", rijksregisternummer=NUMBER)])
    run([pupil(school, "2")], today=TODAY + dt.timedelta(days=1))
    report = run(
        [pupil(school, "1", rijksregisternummer=NUMBER)], today=TODAY + dt.timedelta(days=2)
    )
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0, "ended": 1}
    ours = [e for e in all_enrollments(session) if e.stamnummer == "1"]
    assert [e.person_id for e in ours] == [persons(session)[0].id] * 2
    assert [e.end_date for e in ours] == [TODAY + dt.timedelta(days=1), None]


def test_unusual_characters_in_a_stamnummer_still_match(session, school, run):
    rows = [pupil(school, "A\x1fB"), pupil(school, "2024/3 b")]
    run(rows)
    report = run(rows)
    assert report.counts == {"created": 0, "updated": 0, "unchanged": 2, "ended": 0}


def test_text_that_looks_like_copy_syntax_is_stored_exactly(session, school, run):
    # Tabs and line breaks are refused in names, class and grade (test_import_invisible.py);
    # a stamnummer keeps them, so the COPY path still meets every character it escapes.
    values = {
        "naam": "Van den\\Broeck",
        "voornaam": "\\N",
        "administratieve_groep": "3\\nA",
        "leerjaar": "\\.",
    }
    rows = [pupil(school, "a\\b\tc\nd\r", **values), pupil(school, "\\N")]
    assert run(rows).counts["created"] == 2
    (first, second) = persons(session)
    assert (first.last_name, first.first_name) == ("Van den\\Broeck", "\\N")
    enrollment = next(e for e in active_enrollments(session) if e.person_id == first.id)
    assert (enrollment.stamnummer, enrollment.administrative_group, enrollment.grade) == (
        "a\\b\tc\nd",
        "3\\nA",
        "\\.",
    )
    assert second.first_name == "Lotte"
    assert run(rows).counts == {"created": 0, "updated": 0, "unchanged": 2, "ended": 0}
