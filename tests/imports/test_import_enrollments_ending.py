"""Full imports: pupils a school no longer lists are ended, never deleted, and only safely."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from idp.models import AuditEvent, Enrollment

from .import_helpers import TODAY, active_enrollments, all_enrollments, persons, pupil


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
