"""The statistics page: the department's figures from a snapshot counted in the background,
a school administrator's counted live, and every school reachable page by page."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from sqlalchemy import insert, select, update

from idp.db import get_database
from idp.models import Province, ReportSnapshot, School, utcnow
from idp.services import report_snapshots

from .conftest import sign_in

TOTAL = re.compile(r"Alle scholen</th><td class=\"number\">([\d.]+)</td>")


@pytest.fixture
def two_schools(make_school, make_admin, enrol):
    """School A with two pupils and its administrator, school B with one pupil."""
    a = make_school(instellingsnummer="111111", name="Basisschool A")
    b = make_school(instellingsnummer="222222", name="Basisschool B")
    enrol(a, "Yalçın", "Demir")
    enrol(a, "Zoë", "D'Hondt")
    enrol(b, "Yalcin", "Aydin")
    return {"school_a": a, "admin_a": make_admin("beheerder.a", a)}


def _total(page: str) -> int:
    found = TOTAL.search(page)
    assert found, "no total row on the page"
    return int(found.group(1).replace(".", ""))


def _age_snapshot(session, by: dt.timedelta) -> None:
    session.execute(
        update(ReportSnapshot).values(computed_at=utcnow() - report_snapshots.MAX_AGE - by)
    )
    session.commit()


def _wait_for_new_count(session, before: dt.datetime) -> ReportSnapshot:
    """The snapshot once the background count has stored a newer one (at most 20 s)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        session.rollback()
        session.expire_all()
        row = session.get(ReportSnapshot, report_snapshots.NAME)
        if row is not None and row.computed_at > before:
            return row
        time.sleep(0.05)
    raise AssertionError("the background count stored nothing")


def test_the_department_reads_a_snapshot_and_an_old_one_is_counted_again(
    client, two_schools, make_admin, enrol, session
):
    sign_in(client, make_admin("departement", super_admin=True))
    first = client.get("/schoolloket/statistieken").get_data(as_text=True)
    assert "Geteld op" in first and "om de 2 minuten opnieuw geteld" in first
    counted = _total(first)
    assert counted == 3  # the two schools' pupils
    assert session.get(ReportSnapshot, report_snapshots.NAME) is not None

    # A new pupil: the department sees the snapshot's figures until it is counted again.
    enrol(two_schools["school_a"], "Nieuwe", "Leerling")
    assert _total(client.get("/schoolloket/statistieken").get_data(as_text=True)) == counted
    csv_total = client.get("/schoolloket/statistieken.csv").data.decode("utf-8-sig")
    assert csv_total.splitlines()[1].split(";")[2] == str(counted)

    # Too old: that look still gets the old figures at once, and starts a count.
    _age_snapshot(session, dt.timedelta(seconds=5))
    old = session.get(ReportSnapshot, report_snapshots.NAME).computed_at
    assert _total(client.get("/schoolloket/statistieken").get_data(as_text=True)) == counted
    row = _wait_for_new_count(session, old)
    assert row.lease_until is None
    assert row.payload["total"]["pupils"] == counted + 1
    assert _total(client.get("/schoolloket/statistieken").get_data(as_text=True)) == counted + 1


def test_a_school_administrator_counts_live(client, two_schools, enrol):
    sign_in(client, two_schools["admin_a"])
    page = client.get("/schoolloket/statistieken").get_data(as_text=True)
    assert "Geteld op" not in page
    before = _total(page.replace("Al mijn scholen", "Alle scholen"))
    enrol(two_schools["school_a"], "Nieuwe", "Leerling")
    page = client.get("/schoolloket/statistieken").get_data(as_text=True)
    assert _total(page.replace("Al mijn scholen", "Alle scholen")) == before + 1


def test_one_count_at_a_time(app, two_schools, session):
    with app.app_context():
        make_session = get_database(app).sessionmaker
        report_snapshots.refresh(make_session)
        assert not report_snapshots._claim(make_session)  # fresh: nothing to count
        _age_snapshot(session, dt.timedelta(seconds=5))
        assert report_snapshots._claim(make_session)
        assert not report_snapshots._claim(make_session)  # the first holds the lease
        report_snapshots.refresh(make_session)
    session.expire_all()
    row = session.get(ReportSnapshot, report_snapshots.NAME)
    assert row.lease_until is None and utcnow() - row.computed_at < report_snapshots.MAX_AGE


def test_the_department_pages_through_the_schools(client, make_admin, session):
    session.execute(
        insert(School),
        [
            {"instellingsnummer": f"{n:06d}", "name": f"School {n}", "province": Province.LIMBURG}
            for n in range(300001, 300251)
        ],
    )
    session.commit()
    sign_in(client, make_admin("departement", super_admin=True))
    assert session.scalar(select(ReportSnapshot)) is None

    def page(query: str) -> str:
        return client.get(f"/schoolloket/statistieken{query}").get_data(as_text=True)

    first = page("")
    assert "Scholen 1–100 van 250" in first and "(300100)" in first and "(300101)" not in first
    assert "?page=2" in first and "Vorige pagina" not in first
    last = page("?page=3")
    assert (
        "Scholen 201–250 van 250" in last and "(300250)" in last and "Volgende pagina" not in last
    )
    assert "Scholen 201–250 van 250" in page("?page=999999999")
    for query in ("?page=0", "?page=abc", "?page=%C2%B2", "?page=-1", "?page=99999999999999"):
        assert "Scholen 1–100 van 250" in page(query)
    rows = client.get("/schoolloket/statistieken.csv").data.decode("utf-8-sig").splitlines()
    assert sum(1 for row in rows if row.startswith("school;")) == 250


def test_a_snapshot_from_another_version_is_counted_again(client, two_schools, make_admin, session):
    sign_in(client, make_admin("departement", super_admin=True))
    session.add(
        ReportSnapshot(
            name=report_snapshots.NAME,
            computed_at=utcnow(),
            payload={"total": {"pupils": 9}, "education_types": {"vervallen": {}}},
        )
    )
    session.commit()
    page = client.get("/schoolloket/statistieken")
    assert page.status_code == 200 and _total(page.get_data(as_text=True)) == 3
    session.expire_all()
    assert session.get(ReportSnapshot, report_snapshots.NAME).payload["total"]["pupils"] == 3
