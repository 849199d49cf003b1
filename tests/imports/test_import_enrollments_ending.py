"""Full imports: pupils a school no longer lists are ended, never deleted, and only safely."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from idp.models import AuditEvent, Enrollment

from .import_helpers import TODAY, active_enrollments, all_enrollments, codes, persons, pupil


def test_full_import_ends_missing_pupils_only_at_schools_in_the_file(
    session, school, other_school, run
):
    run([pupil(school, "1"), pupil(school, "2"), pupil(other_school, "9")])
    later = TODAY + dt.timedelta(days=30)
    report = run([pupil(school, "1")], today=later)
    assert report.counts["ended"] == 1
    ended = [e for e in all_enrollments(session) if e.end_date]
    assert [(e.stamnummer, e.end_date) for e in ended] == [("2", later)]
    assert [e.stamnummer for e in active_enrollments(session, other_school)] == ["9"]
    assert len(persons(session)) == 3  # ended, never deleted


def test_an_end_date_never_precedes_the_start_date(session, school, run):
    run([pupil(school, "1"), pupil(school, "2")], today=TODAY)
    report = run([pupil(school, "1")], today=TODAY - dt.timedelta(days=3))
    assert report.counts["ended"] == 1
    ended = next(e for e in all_enrollments(session) if e.end_date)
    assert ended.end_date == ended.start_date == TODAY


def test_skip_invalid_protects_pupils_of_identifiable_invalid_rows(session, school, run):
    run([pupil(school, "1"), pupil(school, "2"), pupil(school, "3")])
    report = run([pupil(school, "1"), pupil(school, "2", geboortedatum="kapot")], skip_invalid=True)
    assert report.counts["ended"] == 1
    assert [e.stamnummer for e in active_enrollments(session)] == ["1", "2"]


def test_skip_invalid_without_stamnummer_ends_nobody_at_that_school(
    session, school, other_school, run
):
    run(
        [pupil(school, "1"), pupil(school, "2"), pupil(other_school, "8"), pupil(other_school, "9")]
    )
    rows = [pupil(school, "1"), pupil(school, "", geboortedatum="kapot"), pupil(other_school, "8")]
    report = run(rows, skip_invalid=True)
    assert report.counts["ended"] == 1  # only at the other school
    assert [(n.code, n.params) for n in report.notices] == [
        ("school_not_ended", {"school": "123456", "line": 3})
    ]
    assert [e.stamnummer for e in active_enrollments(session, school)] == ["1", "2"]
    assert "123456" in report.render()


def test_skip_invalid_with_an_unknown_school(session, school, run):
    run([pupil(school, "1"), pupil(school, "2"), pupil(school, "3")])
    report = run([pupil(school, "1"), pupil("99", "2")], skip_invalid=True)
    assert report.counts["ended"] == 1  # 2 is protected: its row may be meant for this school
    assert [e.stamnummer for e in active_enrollments(session)] == ["1", "2"]
    report = run([pupil(school, "1"), pupil("99", "")], skip_invalid=True)
    assert (report.counts["ended"], [n.code for n in report.notices]) == (0, ["nothing_ended"])


def test_strict_mode_ends_nobody_when_the_file_is_refused(session, school, run):
    run([pupil(school, "1"), pupil(school, "2")])
    report = run([pupil(school, "1", geboortedatum="kapot")])
    assert report.refused
    assert [e.stamnummer for e in active_enrollments(session)] == ["1", "2"]


def test_enrollments_are_ended_not_deleted_and_audited(session, school, run):
    run([pupil(school, "1"), pupil(school, "2")])
    run([pupil(school, "1")])
    assert session.scalar(select(func.count()).select_from(Enrollment)) == 2
    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [(e.details["created"], e.details["ended"]) for e in events] == [(2, 0), (0, 1)]


def _class_of(school, count, start=1):
    return [pupil(school, str(number)) for number in range(start, start + count)]


def test_a_file_that_would_end_a_large_share_of_a_school_is_refused(
    session, school, other_school, run
):
    # One class's list imported as if it were the whole school: 24 of 30 pupils would end.
    run(_class_of(school, 30) + _class_of(other_school, 10))
    before = [(e.stamnummer, e.end_date) for e in all_enrollments(session)]
    for dry_run in (True, False):
        report = run(_class_of(school, 6) + _class_of(other_school, 10), dry_run=dry_run)
        assert report.refused and not report.written
        assert codes(report) == [(None, None, "ends_many")]
        assert report.problems[0].params == {"school": "123456", "count": 24, "active": 30}
        assert report.counts["ended"] == 0
        assert [(e.stamnummer, e.end_date) for e in all_enrollments(session)] == before
    # Confirmed as the school's full list, it goes through.
    report = run(_class_of(school, 6) + _class_of(other_school, 10), full_list=True)
    assert (report.refused, report.counts["ended"]) == (False, 24)
    assert len(active_enrollments(session, school)) == 6


def test_every_school_over_the_limit_is_named(session, school, other_school, run):
    run(_class_of(school, 20) + _class_of(other_school, 20))
    report = run(_class_of(school, 2) + _class_of(other_school, 3), skip_invalid=True)
    assert [(p.code, p.params) for p in report.problems] == [
        ("ends_many", {"school": "123456", "count": 18, "active": 20}),
        ("ends_many", {"school": "654321", "count": 17, "active": 20}),
    ]
    assert report.refused
    assert len(active_enrollments(session)) == 40


@pytest.mark.parametrize(
    ("active", "listed", "refused"),
    [
        (30, 24, False),  # 6 of 30 end: exactly 20 %, not more
        (30, 23, True),  # 7 of 30: more than 20 % and more than 5 pupils
        (10, 5, False),  # half the school, but only 5 pupils: a small school's normal year
        (10, 4, True),  # 6 of 10
    ],
)
def test_the_limit_is_more_than_20_percent_and_more_than_5_pupils(
    session, school, run, active, listed, refused
):
    run(_class_of(school, active))
    report = run(_class_of(school, listed))
    assert report.refused is refused
    assert len(active_enrollments(session)) == (active if refused else listed)
