"""LeerID Beheer: the pupil list and page, creating accounts and the one-time zip, each
scoped to the administrator's schools."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import threading
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from idp.models import (
    Account,
    AuditEvent,
    CredentialBundle,
    EducationType,
    Enrollment,
    Person,
)
from idp.services import pupils
from idp.services.scope import Scope

from .conftest import csrf_of, sign_in


@pytest.fixture
def two_schools(make_school, make_admin, enrol):
    """School A with three pupils (one without official data), school B with one; an
    administrator of each."""
    a = make_school(instellingsnummer="111111", name="Basisschool A")
    b = make_school(instellingsnummer="222222", name="Basisschool B")
    pupils_a = [
        enrol(a, "Yalçın", "Demir", group="3A"),
        enrol(a, "Zoë", "D'Hondt", group="3A"),
        enrol(a, "Lotte", "Peeters", group="4B", official=False),
    ]
    pupil_b = enrol(b, "Yalcin", "Aydin", group="3A")
    return {
        "a": a,
        "b": b,
        "pupils_a": pupils_a,
        "pupil_b": pupil_b,
        "admin_a": make_admin("beheerder.a", a),
        "admin_b": make_admin("beheerder.b", b),
    }


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_search_is_partial_accent_and_case_insensitive_and_scoped(client, two_schools):
    sign_in(client, two_schools["admin_a"])
    found = _text(client.get("/schoolloket/leerlingen?q=YALCIN"))
    assert "Demir" in found and "Aydin" not in found  # school B's Yalcin stays hidden
    assert "1 leerling gevonden" in found
    assert "D&#39;Hondt" in _text(client.get("/schoolloket/leerlingen?q=dhond"))
    by_number = two_schools["pupils_a"][0].stamnummer
    assert "Demir" in _text(client.get(f"/schoolloket/leerlingen?q={by_number}"))
    group = _text(client.get("/schoolloket/leerlingen?group=4B"))
    assert "Peeters" in group and "Demir" not in group
    none = _text(client.get("/schoolloket/leerlingen?account=blocked"))
    assert "0 leerlingen gevonden" in none
    # Values that mean nothing filter nothing, and never break the page.
    odd = client.get("/schoolloket/leerlingen?account=x&kind=z&page=-3&school=abc&q=%25_")
    assert odd.status_code == 200


def test_another_schools_pupil_is_not_found_anywhere(client, two_schools):
    sign_in(client, two_schools["admin_a"])
    other = two_schools["pupil_b"].id
    assert client.get(f"/schoolloket/leerlingen/{other}").status_code == 404
    assert client.get(f"/schoolloket/leerlingen/{other}/leerid").status_code == 404
    page = _text(client.get("/schoolloket/leerlingen"))
    token = csrf_of(page)
    refused = client.post(
        "/schoolloket/leerids/nieuw", data={"csrf_token": token, "pupil": str(other)}
    )
    assert refused.status_code == 400 and "Aydin" not in _text(refused)
    saved = client.post(
        "/schoolloket/leerids/bewaren", data={"csrf_token": token, "pupil": str(other)}
    )
    assert saved.status_code == 400 and "Aydin" not in _text(saved)
    audit = _text(client.get(f"/schoolloket/audit?pupil={other}"))
    assert "Aydin" not in audit


def test_pupil_page_explains_missing_official_data(client, two_schools):
    sign_in(client, two_schools["admin_a"])
    lotte = two_schools["pupils_a"][2]
    page = _text(client.get(f"/schoolloket/leerlingen/{lotte.id}"))
    assert "Geen officiële gegevens" in page
    assert "leerlingadministratiepakket" in page
    assert "Maak een LeerID aan" not in page


def test_create_for_a_selection_then_download_the_zip_once(
    client, two_schools, session, make_admin
):
    sign_in(client, two_schools["admin_a"])
    page = _text(client.get("/schoolloket/leerlingen"))
    token = csrf_of(page)
    # The box beside "Stamnummer": every pupil of the filter, not just ticked rows.
    screen = client.post("/schoolloket/leerids/nieuw", data={"csrf_token": token, "all": "1"})
    html = _text(screen)
    assert screen.status_code == 200
    assert "Maak 2 LeerID's aan" in html
    assert "geen officiële gegevens" in html  # Lotte is listed as skipped
    ids = re.findall(r'name="pupil" value="(\d+)"', html)
    assert len(ids) == 2
    # Each line's fields are numbered in the order of the posted pupils.
    yalcin, zoe = (
        ids.index(str(two_schools["pupils_a"][0].id)),
        ids.index(str(two_schools["pupils_a"][1].id)),
    )
    form = {"csrf_token": token, "pupil": ids, "action": "save"}
    form[f"username-{yalcin}"] = "yalcin.demir"
    form[f"credential-{yalcin}"] = "picture"
    form[f"password-{yalcin}"] = ""
    form[f"username-{zoe}"] = "zoe@school"
    form[f"credential-{zoe}"] = "word"
    form[f"password-{zoe}"] = re.search(rf'name="password-{zoe}" value="([^"]*)"', html).group(1)
    refused = client.post("/schoolloket/leerids/bewaren", data=form)
    assert refused.status_code == 400
    assert "geen ‘@-teken’" in _text(refused)
    # Beside the username it concerns, and named by it for screen readers.
    beside = re.search(
        rf'<ul class="error" id="username-problems-{zoe}">(.*?)</ul>', _text(refused)
    )
    assert beside and "@-teken" in beside.group(1)
    assert f'aria-describedby="username-problems-{zoe}"' in _text(refused)
    assert session.scalar(select(func.count()).select_from(Account)) == 0

    form[f"username-{zoe}"] = "zoe.dhondt"
    done = client.post("/schoolloket/leerids/bewaren", data=form)
    assert done.status_code == 200
    created = _text(done)
    assert "2 LeerID's aangemaakt" in created
    download = re.search(r'action="(/schoolloket/downloads/[^"]+)"', created).group(1)
    # A second click on "Bewaren én afdrukken" creates nothing more.
    again = client.post("/schoolloket/leerids/bewaren", data=form)
    assert "heeft al een LeerID" in _text(again)
    assert session.scalar(select(func.count()).select_from(Account)) == 2

    # Another school's administrator cannot fetch the zip.
    other = client.application.test_client()
    sign_in(other, two_schools["admin_b"])
    other_token = csrf_of(_text(other.get("/schoolloket/leerlingen")))
    assert other.post(download, data={"csrf_token": other_token}).status_code == 404
    # Nor can the department, nor a colleague of the same school: the zip is the maker's.
    for colleague in (
        make_admin("departement", super_admin=True),
        make_admin("collega.a", two_schools["a"]),
    ):
        browser = client.application.test_client()
        sign_in(browser, colleague)
        browser_token = csrf_of(_text(browser.get("/schoolloket/leerlingen")))
        assert browser.post(download, data={"csrf_token": browser_token}).status_code == 404

    first = client.post(download, data={"csrf_token": token})
    assert first.status_code == 200 and first.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(first.data)).namelist()
    assert any(n.endswith(".xlsx") for n in names) and any(n.endswith(".pdf") for n in names)
    assert client.post(download, data={"csrf_token": token}).status_code == 410
    bundle = session.scalar(select(CredentialBundle))
    session.refresh(bundle)
    assert bundle.sealed is None and bundle.downloaded_at is not None
    actions = list(session.scalars(select(AuditEvent.action)))
    assert actions.count("account.create") == 2 and "bundle.download" in actions


def test_create_one_from_the_pupil_page(client, two_schools, session):
    sign_in(client, two_schools["admin_a"])
    zoe = two_schools["pupils_a"][1]
    page = _text(client.get(f"/schoolloket/leerlingen/{zoe.id}"))
    assert "Maak een LeerID aan" in page
    screen = _text(client.get(f"/schoolloket/leerlingen/{zoe.id}/leerid"))
    assert 'value="zoe.dhondt"' in screen
    assert "Bewaren én afdrukken" in screen
    assert "Gebruikersnaam en Wachtwoord zijn verplichte velden" in screen


def test_statistics_match_leerid_stats_and_are_scoped(client, two_schools, make_admin, leerid):
    sign_in(client, two_schools["admin_a"])
    page = _text(client.get("/schoolloket/statistieken"))
    assert "Basisschool A" in page and "Basisschool B" not in page
    csv_text = client.get("/schoolloket/statistieken.csv").data.decode("utf-8-sig")
    lines = [line.split(";") for line in csv_text.splitlines()]
    assert lines[0] == ["Indeling", "Groep", "Leerlingen", "Accounts", "Dekking (%)"]
    # Decimal commas beside semicolons: numbers to a Belgian Excel.
    assert lines[1] == ["totaal", "alle scholen", "3", "0", "0,0"]
    assert not any("222222" in line[1] for line in lines)

    # A super administrator sees everything: the figures of `leerid stats --json`.
    everything = client.application.test_client()
    sign_in(everything, make_admin("departement", super_admin=True))
    workbook = load_workbook(io.BytesIO(everything.get("/schoolloket/statistieken.xlsx").data))
    rows = list(workbook.active.iter_rows(values_only=True))
    expected = json.loads(leerid("stats", "--json").stdout)
    assert rows[1][2:] == (
        expected["total"]["pupils"],
        expected["total"]["accounts"],
        expected["total"]["coverage"],
    )
    by_school = {row[1]: row[2:] for row in rows if row[0] == "school"}
    for school in expected["schools"]:
        key = f"{school['instellingsnummer']} {school['name']}"
        assert by_school[key] == (school["pupils"], school["accounts"], school["coverage"])


def test_a_search_that_finds_too_many_says_so(
    client, session, make_school, make_admin, monkeypatch
):

    monkeypatch.setattr(pupils, "COUNT_LIMIT", 3)
    school = make_school(instellingsnummer="121212")
    admin = make_admin("beheerder.veel", school)
    for number in range(5):
        person = Person(first_name="Lotte", last_name=f"Peeters{number}")
        session.add(
            Enrollment(person=person, school=school, stamnummer=f"9{number}",
                       administrative_group="1A", education_type=EducationType.GEWOON_LAGER,
                       start_date=dt.date(2025, 9, 1))
        )  # fmt: skip
    session.commit()
    sign_in(client, admin)
    page = _text(client.get("/schoolloket/leerlingen?q=peeters"))
    assert "Meer dan 3 leerlingen gevonden: verfijn de zoekopdracht." in page
    assert page.count('class="select-one"') == 3
    exact = _text(client.get("/schoolloket/leerlingen?q=peeters4"))
    assert "1 leerling gevonden" in exact


def test_two_downloads_at_once_hand_out_the_zip_once(client, two_schools):
    sign_in(client, two_schools["admin_a"])
    zoe = two_schools["pupils_a"][1]
    screen = _text(client.get(f"/schoolloket/leerlingen/{zoe.id}/leerid"))
    form = {"csrf_token": csrf_of(screen), "pupil": str(zoe.id), "action": "save"}
    for field in ("username", "password"):
        form[f"{field}-0"] = re.search(rf'name="{field}-0" value="([^"]*)"', screen).group(1)
    form["credential-0"] = "word"
    created = _text(client.post("/schoolloket/leerids/bewaren", data=form))
    download = re.search(r'action="(/schoolloket/downloads/[^"]+)"', created).group(1)
    cookie = client.get_cookie("leerid_admin", path="/schoolloket").value
    browsers = []
    for _ in range(4):
        browser = client.application.test_client()
        browser.set_cookie("leerid_admin", cookie, path="/schoolloket")
        browsers.append(browser)
    start = threading.Barrier(len(browsers))
    statuses: list[int] = []

    def fetch(browser) -> None:
        start.wait()
        statuses.append(browser.post(download, data={"csrf_token": form["csrf_token"]}).status_code)

    threads = [threading.Thread(target=fetch, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 410, 410, 410]


def test_the_list_is_sorted_by_group_and_folded_name_across_pages(
    session, make_school, make_pupil, monkeypatch
):
    monkeypatch.setattr(pupils, "PAGE_SIZE", 2)
    school = make_school(instellingsnummer="131313")
    names = [("2A", "Dubois"), ("1A", "Çelik"), ("1A", "Claes"), ("1A", "Ceulemans")]
    for number, (group, last_name) in enumerate(names):
        person = Person(first_name="Ines", last_name=last_name)
        session.add(
            Enrollment(person=person, school=school, stamnummer=f"8{number}",
                       administrative_group=group, education_type=EducationType.GEWOON_LAGER,
                       start_date=dt.date(2025, 9, 1))
        )  # fmt: skip
    with_account = make_pupil("ines.dubois2", school=school, first_name="Ines", last_name="Aerts")
    session.commit()
    scope = Scope(frozenset({school.id}))
    wanted = pupils.PupilFilter(query="ines")
    pages = [pupils.search_pupils(session, scope, wanted, page=number) for number in (1, 2, 3)]
    shown = [[(row.group, row.last_name) for row in page.rows] for page in pages]
    # "Çelik" sorts with the C's; the pupil made by make_pupil is in group 3B: last.
    assert shown == [
        [("1A", "Çelik"), ("1A", "Ceulemans")],
        [("1A", "Claes"), ("2A", "Dubois")],
        [("3B", "Aerts")],
    ]
    assert [page.total for page in pages] == [5, 5, 5] and pages[0].pages == 3
    last = pages[2].rows[0]
    assert (last.username, last.school_name) == (with_account.username, school.name)
    assert pages[0].rows[0].username is None
