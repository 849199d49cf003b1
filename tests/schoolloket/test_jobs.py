"""Large creation runs in the background: 2,000 pupils, stopped half-way and resumed,
end with exactly one account each and unique usernames; two runs for the same pupils at
once never make a second account; the progress page starts and shows the run."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile

from openpyxl import load_workbook
from sqlalchemy import func, select, update

from idp.models import (
    Account,
    AccountJob,
    AccountJobPart,
    CredentialBundle,
    EducationType,
    Enrollment,
    JobStatus,
    Person,
    School,
    utcnow,
)
from idp.models.admin import AdminUser
from idp.services import account_jobs, account_runs
from idp.services.scope import EVERYTHING
from tests.national_numbers import with_official_data

from .conftest import csrf_of, sign_in


def _enrol_many(session, school: School, count: int, group: str = "1A") -> list[int]:
    """`count` pupils with official data, many sharing names (so usernames clash)."""
    for number in range(count):
        person = with_official_data(Person(first_name=f"Lotte{number % 7}", last_name="Peeters"))
        session.add(
            Enrollment(
                person=person,
                school=school,
                stamnummer=f"{number:05d}",
                administrative_group=group,
                grade="1",
                education_type=EducationType.GEWOON_LAGER,
                start_date=dt.date(2025, 9, 1),
            )
        )
    session.commit()
    return list(session.scalars(select(Enrollment.id).where(Enrollment.school_id == school.id)))


def _fresh(session) -> None:
    """Read again what the runs committed in their own sessions: a new snapshot, and the
    loaded rows reloaded."""
    session.rollback()
    session.expire_all()


def _start(session, secrets, ids, admin) -> str:
    selection = account_runs.select_pupils(session, EVERYTHING, ids)
    account_runs.apply_choices(session, selection, {})
    token = account_jobs.start(session, secrets, selection, admin)
    session.commit()
    return token


def _admin(session, username: str = "beheerder") -> AdminUser:
    return session.scalar(select(AdminUser).where(AdminUser.username == username))


def test_two_thousand_pupils_stopped_half_way_and_resumed(
    app, session, secrets, make_school, make_admin
):
    school = make_school(instellingsnummer="700001")
    make_admin("beheerder", school)
    ids = _enrol_many(session, school, 2000)
    token = _start(session, secrets, ids, _admin(session))
    job = account_jobs.find(session, EVERYTHING, token)

    account_jobs.run(app, job.id, batches=7)  # the instance stops after 700 pupils
    _fresh(session)
    assert job.done == 700 and job.status is JobStatus.RUNNING
    assert session.scalar(select(func.count()).select_from(Account)) == 700
    # While its lease runs, nobody else takes the run over.
    account_jobs.run(app, job.id)
    _fresh(session)
    assert job.done == 700
    # The lease runs out (the instance is gone); the next look resumes it.
    session.execute(update(AccountJob).values(lease_until=utcnow() - dt.timedelta(seconds=1)))
    session.commit()
    assert account_jobs.needs_worker(session.get(AccountJob, job.id))
    account_jobs.run(app, job.id)
    _fresh(session)

    assert job.status is JobStatus.DONE and job.done == 2000 and job.skipped == []
    usernames = list(session.scalars(select(Account.username)))
    assert len(usernames) == 2000 == len(set(usernames))
    people = select(func.count(func.distinct(Account.person_id)))
    assert session.scalar(people) == 2000
    # The plan and the parts, which hold passwords, are gone; the zip waits for download.
    assert job.plan_sealed is None
    assert session.scalar(select(func.count()).select_from(AccountJobPart)) == 0
    bundle = session.scalar(select(CredentialBundle))
    assert bundle.account_count == 2000
    assert account_jobs.bundle_token(job, secrets)


def test_two_runs_for_the_same_pupils_at_once(app, session, secrets, make_school, make_admin):
    school = make_school(instellingsnummer="700002")
    make_admin("beheerder", school)
    make_admin("collega", school)
    ids = _enrol_many(session, school, 120)
    first = account_jobs.find(session, EVERYTHING, _start(session, secrets, ids, _admin(session)))
    second_token = _start(session, secrets, ids, _admin(session, "collega"))
    second = account_jobs.find(session, EVERYTHING, second_token)
    threads = [account_jobs.start_worker(app, job.id) for job in (first, second)]
    for thread in threads:
        thread.join(timeout=120)
    _fresh(session)
    assert first.status is JobStatus.DONE and second.status is JobStatus.DONE
    assert session.scalar(select(func.count()).select_from(Account)) == 120
    # Every pupil is made by exactly one of the runs; the other lists them as left out.
    assert len(first.skipped) + len(second.skipped) == 120


def test_a_large_selection_runs_as_a_job_with_a_progress_page(
    client, session, make_school, make_admin
):
    school = make_school(instellingsnummer="700003")
    admin = make_admin("beheerder", school)
    _enrol_many(session, school, 60)
    sign_in(client, admin)
    token = csrf_of(client.get("/schoolloket/leerlingen").get_data(as_text=True))
    screen = client.post("/schoolloket/leerids/nieuw", data={"csrf_token": token, "all": "1"})
    html = screen.get_data(as_text=True)
    form = {
        "csrf_token": token,
        "action": "save",
        "pupil": re.findall(r'name="pupil" value="(\d+)"', html),
    }
    for row in range(60):
        form[f"username-{row}"] = re.search(rf'name="username-{row}" value="([^"]*)"', html).group(
            1
        )
        form[f"credential-{row}"] = "word"
        form[f"password-{row}"] = re.search(rf'name="password-{row}" value="([^"]*)"', html).group(
            1
        )
    started = client.post("/schoolloket/leerids/bewaren", data=form)
    assert started.status_code == 302
    progress = started.headers["Location"]
    deadline = time.monotonic() + 60
    page = client.get(progress).get_data(as_text=True)
    while "60 LeerID's aangemaakt" not in page and time.monotonic() < deadline:
        assert "pupils done" in page or "leerlingen klaar" in page
        time.sleep(0.3)
        page = client.get(progress).get_data(as_text=True)
    assert "60 LeerID's aangemaakt" in page
    download = re.search(r'action="(/schoolloket/downloads/[^"]+)"', page).group(1)
    archive = zipfile.ZipFile(io.BytesIO(client.post(download, data={"csrf_token": token}).data))
    (name,) = [n for n in archive.namelist() if n.endswith(".xlsx")]
    rows = list(load_workbook(io.BytesIO(archive.read(name))).active.iter_rows(values_only=True))
    assert len(rows) == 61
    # Another school's administrator does not see the run.
    other = client.application.test_client()
    sign_in(other, make_admin("ander", make_school()))
    assert other.get(progress).status_code == 404
