"""The Schoolloket in Chromium, as a LeerID-beheerder uses it on the first school day:
sign in with a TOTP code, filter a class of 25, create their accounts with picture and
word passwords, download the zip and read it (Excel rows, QR codes that open working
cards); then give one pupil a new password: the old password and card stop working, the
new ones work. Every page passes axe-core."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import zxingcpp
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.checks import screenshot
from tests.browser.steps import sign_in_with_password
from tests.live import Live
from tests.print_service.conftest import read_pdf
from tests.schoolloket.conftest import Admin, current_code, enrol, make_admin  # noqa: F401

CLASS = "5A"
CLASS_SIZE = 25
PICTURE_ROWS = 10


@pytest.fixture
def school_day_one(make_school, make_admin, enrol):  # noqa: F811
    """A school with a class of 25 and a few pupils in other classes; its administrator."""
    school = make_school(instellingsnummer="123456", name="Basisschool De Linde")
    for number in range(CLASS_SIZE):
        enrol(school, f"Leerling{number:02d}", "Van de Linde", group=CLASS)
    for group in ("4B", "6C"):
        enrol(school, "Andere", f"Klas{group}", group=group)
    return make_admin("beheerder.linde", school)


def _sign_in(page: Page, url: str, admin: Admin) -> None:
    page.goto(url + "/schoolloket/")
    page.get_by_label("Gebruikersnaam").fill(admin.username)
    page.get_by_label("Wachtwoord").fill(admin.password)
    page.get_by_label("Verificatiecode").fill(current_code(admin.secret))
    page.get_by_role("button", name="Aanmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LeerID Beheer")


def _download(page: Page) -> zipfile.ZipFile:
    with page.expect_download() as info:
        page.get_by_role(
            "button", name="ZIP-bestand downloaden (Excel, A4-pdf, stickerpdf’s)"
        ).click()
    return zipfile.ZipFile(io.BytesIO(info.value.path().read_bytes()))


def _excel_rows(archive: zipfile.ZipFile) -> list[dict[str, object]]:
    (name,) = [n for n in archive.namelist() if n.endswith(".xlsx")]
    rows = list(load_workbook(io.BytesIO(archive.read(name))).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _qr_codes(archive: zipfile.ZipFile) -> list[str]:
    (a4,) = [n for n in archive.namelist() if n.endswith(".pdf") and "a4" in n.lower()]
    document = read_pdf(archive.read(a4))
    return [b.text for p in document.pages for b in zxingcpp.read_barcodes(p.image)]


def test_a_class_gets_its_accounts_and_one_pupil_a_new_password(
    new_page, live_leerid: Live, school_day_one, axe
):
    page = new_page()
    url = live_leerid.url
    _sign_in(page, url, school_day_one)
    axe(page)

    page.get_by_label("Administratieve groep").select_option(CLASS)
    page.get_by_role("button", name="Zoeken", exact=True).click()
    expect(page.get_by_role("status").first).to_have_text(f"{CLASS_SIZE} leerlingen gevonden")
    screenshot(page, "schoolloket-list")
    page.get_by_role("checkbox", name="Stamnummer").check()
    page.get_by_role("button", name="Maak LeerID's aan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Maak {CLASS_SIZE} LeerID's aan")
    axe(page)
    pictures = page.get_by_role("radio", name="Afbeeldingswachtwoord")
    for row in range(PICTURE_ROWS):
        pictures.nth(row + 1).check()  # the first radio is the whole selection's
    screenshot(page, "schoolloket-create")
    page.get_by_role("button", name="Bewaren én afdrukken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{CLASS_SIZE} LeerID's aangemaakt")
    axe(page)

    archive = _download(page)
    rows = _excel_rows(archive)
    assert len(rows) == CLASS_SIZE
    assert (
        sum(row["Wachtwoord"] == "Afbeeldingswachtwoord: zie de PDF" for row in rows)
        == PICTURE_ROWS
    )
    assert sorted(_qr_codes(archive)) == sorted(str(row["URL"]) for row in rows)
    word_pupil = next(
        row for row in rows if row["Wachtwoord"] != "Afbeeldingswachtwoord: zie de PDF"
    )

    # A QR code's address opens the pupil's own sign-in, asking only the password.
    pupil_page = new_page()
    pupil_page.goto(str(word_pupil["URL"]))
    expect(pupil_page.get_by_text(str(word_pupil["Gebruikersnaam"]))).to_be_visible()

    # One pupil lost the password: a new one, with a new card.
    page.goto(url + f"/schoolloket/leerlingen?q={word_pupil['Stamnummer']}")
    page.get_by_role("link", name="Van de Linde").click()
    axe(page)
    screenshot(page, "schoolloket-pupil")
    page.get_by_role("button", name="Nieuw wachtwoord en kaartje").click()
    # A second step says what will happen; "Annuleren" would lead back unchanged.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"Een nieuw wachtwoord en kaartje voor Leerling\d\d Van de Linde\?")
    )
    axe(page)
    screenshot(page, "schoolloket-confirm")
    page.get_by_role("button", name="Ja, een nieuw wachtwoord en kaartje").click()
    (new,) = _excel_rows(_download(page))
    assert new["Gebruikersnaam"] == word_pupil["Gebruikersnaam"]

    old_card = new_page()
    old_card.goto(str(word_pupil["URL"]))
    expect(old_card.get_by_role("heading", level=1)).to_have_text("Deze kaart werkt niet (meer)")
    new_card = new_page()
    new_card.goto(str(new["URL"]))
    expect(new_card.get_by_text(str(new["Gebruikersnaam"]))).to_be_visible()

    old = new_page()
    old.goto(url + "/login")
    sign_in_with_password(old, str(word_pupil["Gebruikersnaam"]), str(word_pupil["Wachtwoord"]))
    expect(old.get_by_role("alert")).to_be_visible()
    fresh = new_page()
    fresh.goto(url + "/login")
    sign_in_with_password(fresh, str(new["Gebruikersnaam"]), str(new["Wachtwoord"]))
    expect(fresh).to_have_url(url + "/portal/")


def test_the_select_all_box_ticks_the_rows_and_an_untick_sends_only_the_ticked(
    new_page, live_leerid: Live, school_day_one
):
    page = new_page()
    _sign_in(page, live_leerid.url, school_day_one)
    page.get_by_label("Administratieve groep").select_option(CLASS)
    page.get_by_role("button", name="Zoeken", exact=True).click()
    every = page.get_by_role("checkbox", name="Stamnummer")
    rows = page.locator("input.select-one")
    every.check()
    assert [rows.nth(i).is_checked() for i in range(rows.count())] == [True] * CLASS_SIZE
    # Leaving one pupil out means "not the whole filter": the header box clears and
    # the form sends the 24 ticked rows.
    rows.first.uncheck()
    expect(every).not_to_be_checked()
    page.get_by_role("button", name="Maak LeerID's aan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Maak {CLASS_SIZE - 1} LeerID's aan")


@pytest.mark.parametrize("path", ["/schoolloket/audit", "/schoolloket/statistieken"])
def test_console_pages_pass_axe(path, page: Page, live_leerid: Live, school_day_one, axe):
    _sign_in(page, live_leerid.url, school_day_one)
    page.goto(live_leerid.url + path)
    axe(page)


def test_department_statistics_and_error_pages_pass_axe(
    page: Page,
    live_leerid: Live,
    school_day_one,
    make_admin,  # noqa: F811
    axe,
):
    _sign_in(page, live_leerid.url, make_admin("departement", super_admin=True))
    page.goto(live_leerid.url + "/schoolloket/statistieken")
    expect(page.get_by_text("Geteld op")).to_be_visible()
    axe(page)
    screenshot(page, "schoolloket-department-statistics")
    page.goto(live_leerid.url + "/schoolloket/leerlingen/999999")
    expect(page.get_by_role("link", name="Naar LeerID Beheer")).to_be_visible()
    axe(page)
    screenshot(page, "schoolloket-not-found")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_sign_in_page_passes_axe(language, page: Page, live_leerid: Live, axe):
    page.goto(f"{live_leerid.url}/schoolloket/aanmelden?lang={language}")
    axe(page)


@pytest.mark.parametrize(
    "path",
    [
        "/schoolloket/beheer/scholen",
        "/schoolloket/beheer/toepassingen",
        "/schoolloket/beheer/beheerders",
    ],
)
def test_department_pages_pass_axe(path, page: Page, live_leerid: Live, make_admin, axe):  # noqa: F811
    _sign_in(page, live_leerid.url, make_admin("departement", super_admin=True))
    page.goto(live_leerid.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe(page)
