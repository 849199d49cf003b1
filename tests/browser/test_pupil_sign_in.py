"""Pupils sign in as the manual describes, in Debian's Chromium, by accessible names: a
picture password from a QR card (typed URL or the camera), a word password, an advanced
pupil's first login, e-mail confirmation and reset over real SMTP, "Mijn gegevens", and a
logout that reaches the app's back channel. Every page passes axe, 48 px targets and 320 px.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import redis
from playwright.sync_api import Page, Playwright, expect
from sqlalchemy import select

from idp.credentials.pictures import PICTURES
from idp.models import CredentialType, LoginSession
from tests.browser.camera import camera_page, card_video
from tests.browser.checks import screenshot
from tests.browser.conftest import DEFAULT_CONTEXT
from tests.conftest import Pupil
from tests.live import Live
from tests.mail import Mailbox, link_in

NEW_PASSWORD = "Ik fiets graag naar zee"


@pytest.fixture
def leerid(live_leerid: Live) -> Live:
    """LeerID on a live server (the name reads well in these tests)."""
    return live_leerid


def tap_pictures(page: Page, pupil: Pupil, check_page: Callable[[Page], None] | None = None):
    """Tap the pupil's eight pictures, one category per page, by their Dutch names."""
    for number, picture_id in enumerate(pupil.pictures, 1):
        expect(page.get_by_role("heading", level=2)).to_contain_text(f"Afbeelding {number} van 8")
        if check_page and number in (1, 8):
            check_page(page)
        page.get_by_role("button", name=PICTURES[picture_id].dutch, exact=True).click()


def sign_in(page: Page, pupil: Pupil, password: str | None = None) -> None:
    """Username, "Volgende", password, "Aanmelden"."""
    page.get_by_label("Gebruikersnaam").fill(pupil.username)
    page.get_by_role("button", name="Volgende", exact=True).click()
    page.get_by_label("Wachtwoord").fill(password or pupil.password)
    page.get_by_role("button", name="Aanmelden", exact=True).click()


def claim(page: Page, name: str) -> str:
    """The value Rekenrally shows for a claim from the ID token."""
    row = page.locator("tr", has=page.locator("code", has_text=re.compile(f"^{name}$"))).first
    return row.locator("td").last.inner_text()


def test_a_picture_pupil_opens_the_card_url_and_lands_in_the_app(
    page: Page, leerid: Live, rekenrally, new_pupil, check_page
):
    pupil = new_pupil(CredentialType.PICTURE, first="Zoë", last="D'Hondt")
    app = rekenrally()
    page.goto(leerid.url + pupil.card_path)
    expect(page).to_have_url(re.compile(re.escape(leerid.url + "/login/pictures?interaction=")))
    expect(page.get_by_text(pupil.username)).to_be_visible()
    screenshot(page, "pictures-nl")
    # A wrong pick can be taken back.
    first = PICTURES[pupil.pictures[0]]
    other = next(p for p in PICTURES.values() if p.category == first.category and p != first)
    page.get_by_role("button", name=other.dutch, exact=True).click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("Afbeelding 2 van 8")
    page.get_by_role("button", name="Laatste afbeelding wissen").click()
    tap_pictures(page, pupil, check_page)

    expect(page).to_have_url(leerid.url + "/portal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dag Zoë!")
    check_page(page)
    screenshot(page, "portal-nl")
    page.get_by_role("link", name=re.compile("Rekenrally")).click()
    expect(page).to_have_url(app.url + "/")
    page.get_by_role("link", name="Aanmelden met LeerID").click()
    # A basic pupil on a (shared) tablet confirms who they are before the app gets them.
    expect(page.get_by_role("heading", name="Ben jij Zoë?")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Ja, ga verder").click()

    expect(page).to_have_url(app.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dag Zoë!")
    assert claim(page, "family_name") == "D'Hondt"
    assert claim(page, "school_name") == "Basisschool De Regenboog"
    assert claim(page, "class") == "2A"
    assert claim(page, "education_type") == "gewoon_lager"


def test_a_card_scanned_with_the_camera_continues_the_apps_sign_in(
    playwright: Playwright, leerid: Live, rekenrally, new_pupil, tmp_path, browser_problems
):
    pupil = new_pupil(CredentialType.PICTURE, first="Mats")
    app = rekenrally()
    video = card_video(tmp_path / "card.y4m", leerid.url + pupil.card_path)
    with camera_page(playwright, video, leerid.url, browser_problems) as page:
        page.goto(app.url + "/")
        page.get_by_role("link", name="Aanmelden met LeerID").click()
        page.get_by_role("button", name="Scan je kaart").click()
        expect(page).to_have_url(re.compile(re.escape(leerid.url + "/login/pictures?interaction=")))
        expect(page.get_by_text(pupil.username)).to_be_visible()
        tap_pictures(page, pupil)
        expect(page).to_have_url(app.url + "/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Dag Mats!")


def test_without_a_camera_the_scan_button_stays_hidden(page: Page, leerid: Live):
    page.goto(leerid.url + "/login")
    expect(page.get_by_label("Gebruikersnaam")).to_be_visible()
    expect(page.get_by_role("button", name="Scan je kaart")).to_be_hidden()


def test_a_word_password_pupil_signs_in_through_the_app(
    page: Page, leerid: Live, rekenrally, new_pupil, check_page
):
    pupil = new_pupil(CredentialType.WORD, first="Wout")
    app = rekenrally()
    page.goto(app.url + "/")
    page.get_by_role("link", name="Aanmelden met LeerID").click()
    check_page(page)
    screenshot(page, "login-username-nl")
    page.get_by_label("Gebruikersnaam").fill(pupil.username)
    page.get_by_role("button", name="Volgende", exact=True).click()
    field = page.get_by_label("Wachtwoord", exact=True)
    # A text field, so that it is never saved or suggested to the next child on this
    # device; hidden while typed until the child asks to see it.
    expect(field).to_have_attribute("type", "text")
    expect(field).to_have_attribute("autocomplete", "off")
    hidden = "el => getComputedStyle(el).getPropertyValue('-webkit-text-security')"
    assert field.evaluate(hidden) == "disc"
    show = page.get_by_role("button", name="Wachtwoord tonen")
    expect(show).to_have_attribute("aria-pressed", "false")
    check_page(page)
    field.fill("boom47" if pupil.password != "boom47" else "boom48")
    screenshot(page, "password-nl")
    show.click()
    expect(show).to_have_attribute("aria-pressed", "true")
    assert field.evaluate(hidden) == "none"
    expect(field).to_be_focused()
    show.click()
    assert field.evaluate(hidden) == "disc"
    page.get_by_role("button", name="Aanmelden", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Dat wachtwoord klopt niet")
    check_page(page)
    page.get_by_label("Wachtwoord", exact=True).fill(pupil.password)
    page.get_by_role("button", name="Aanmelden", exact=True).click()
    expect(page).to_have_url(app.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dag Wout!")


def test_an_advanced_pupils_first_login_asks_for_an_own_password_and_continues(
    page: Page, leerid: Live, rekenrally, new_pupil, check_page, session
):
    pupil = new_pupil(CredentialType.TEMPORARY, first="Amira", last="Bouzid")
    app = rekenrally()
    page.goto(app.url + "/")
    page.get_by_role("link", name="Aanmelden met LeerID").click()
    sign_in(page, pupil)
    expect(page.get_by_role("heading", level=1)).to_have_text("Kies je eigen wachtwoord")
    check_page(page)
    page.get_by_label("Nieuw wachtwoord").fill("amira2010!!!!")
    page.get_by_label("Typ het nog eens").fill("amira2010!!!!")
    page.get_by_role("button", name="Bewaren en verder").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Je wachtwoord mag je naam of je gebruikersnaam niet bevatten."
    )
    page.get_by_label("Nieuw wachtwoord").fill(NEW_PASSWORD)
    page.get_by_label("Typ het nog eens").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Bewaren en verder").click()
    expect(page).to_have_url(app.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dag Amira!")
    session.refresh(pupil.account)
    assert pupil.account.must_change_password is False


def test_email_confirmation_and_password_reset_over_smtp(
    page: Page, leerid: Live, new_pupil, mailbox: Mailbox, check_page
):
    pupil = new_pupil(CredentialType.OWN, first="Lars")
    page.goto(leerid.url + "/login")
    sign_in(page, pupil)
    expect(page.get_by_text("Je voegde geen e-mailadres toe")).to_be_visible()
    page.get_by_role("link", name="E-mailadres").click()
    check_page(page)
    page.get_by_label("E-mailadres").fill("lars@example.org")
    page.get_by_label("Je huidige wachtwoord").fill(pupil.password)
    page.get_by_role("button", name="Stuur een bevestigingsmail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kijk in je mailbox")
    check_page(page)
    page.goto(leerid.url + link_in(mailbox.wait(1)[0]))
    check_page(page)
    page.get_by_role("button", name="Bevestig mijn e-mailadres").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Je e-mailadres is bevestigd")
    check_page(page)
    page.get_by_role("link", name="Naar je apps").click()
    page.get_by_role("button", name="Afmelden").click()
    mailbox.messages.clear()

    page.goto(leerid.url + "/login")
    page.get_by_label("Gebruikersnaam").fill(pupil.username)
    page.get_by_role("button", name="Volgende", exact=True).click()
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    check_page(page)
    page.get_by_label("E-mailadres").fill("lars@example.org")
    page.get_by_role("button", name="Stuur me een link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kijk in je mailbox")
    check_page(page)
    page.goto(leerid.url + link_in(mailbox.wait(1)[0]))
    check_page(page)
    page.get_by_label("Nieuw wachtwoord").fill(NEW_PASSWORD)
    page.get_by_label("Typ het nog eens").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Bewaren en verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Je wachtwoord is gewijzigd")
    check_page(page)
    page.get_by_role("link", name="Aanmelden").click()
    sign_in(page, pupil, NEW_PASSWORD)
    expect(page).to_have_url(leerid.url + "/portal/")


def test_my_data_lists_the_app_and_logout_reaches_its_back_channel(
    page: Page, leerid: Live, rekenrally, new_pupil, check_page, session
):
    pupil = new_pupil(CredentialType.OWN, first="Nour")
    app = rekenrally()
    page.goto(app.url + "/")
    page.get_by_role("link", name="Aanmelden met LeerID").click()
    sign_in(page, pupil)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dag Nour!")

    page.goto(leerid.url + "/portal/")
    page.get_by_role("link", name="Wachtwoord wijzigen").click()
    expect(page.get_by_label("Je huidige wachtwoord")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Terug naar je apps").click()
    page.get_by_role("link", name="Mijn gegevens").click()
    expect(page.get_by_role("heading", name="Rekenrally (demo)")).to_be_visible()
    for label in ("je naam", "je school", "je klas"):
        expect(
            page.get_by_role("listitem").filter(has_text=re.compile(f"^{label}$"))
        ).to_have_count(1)
    check_page(page)
    page.get_by_role("link", name="Terug naar je apps").click()
    page.get_by_role("button", name="Afmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Je bent afgemeld")

    login = session.scalars(select(LoginSession)).one()
    assert login.sid in app.app.extensions["rekenrally.ended_sessions"]
    page.goto(app.url + "/")
    expect(page.get_by_role("link", name="Aanmelden met LeerID")).to_be_visible()


def test_waiting_after_many_mistakes_is_explained_kindly(
    page: Page, leerid: Live, new_pupil, check_page
):
    pupil = new_pupil(CredentialType.WORD)
    page.goto(leerid.url + "/login")
    page.get_by_label("Gebruikersnaam").fill(pupil.username)
    page.get_by_role("button", name="Volgende", exact=True).click()
    for _ in range(6):
        page.get_by_label("Wachtwoord").fill("fout")
        page.get_by_role("button", name="Aanmelden", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Neem even pauze en probeer het over")
    check_page(page)


@pytest.mark.parametrize(
    "path", ["/k/AAAAAAAAAAAAAAAAAAAAAA", "/password/reset/niet-geldig", "/portal/"]
)
def test_other_pages_pass_the_checks(path, page: Page, leerid: Live, check_page):
    page.goto(leerid.url + path)
    check_page(page)


@pytest.mark.parametrize("context_options", [{**DEFAULT_CONTEXT, "locale": "en-GB"}])
def test_the_picture_grid_in_english(page: Page, leerid: Live, new_pupil, check_page):
    pupil = new_pupil(CredentialType.PICTURE)
    page.goto(leerid.url + pupil.card_path)
    expect(page.get_by_role("heading", level=2)).to_contain_text("Picture 1 of 8")
    expect(
        page.get_by_role("button", name=PICTURES[pupil.pictures[0]].english, exact=True)
    ).to_be_visible()
    check_page(page)


def test_the_picture_password_works_with_the_keyboard_alone(page: Page, leerid: Live, new_pupil):
    pupil = new_pupil(CredentialType.PICTURE)
    page.goto(leerid.url + pupil.card_path)
    focused = "document.activeElement && document.activeElement.textContent.trim()"
    for step, picture_id in enumerate(pupil.pictures, 1):
        expect(page.get_by_role("heading", level=2)).to_contain_text(f"Afbeelding {step} van 8")
        wanted = PICTURES[picture_id].dutch
        # Tab through the page until the wanted picture has the focus, then press Enter.
        for _ in range(40):
            if page.evaluate(focused) == wanted:
                break
            page.keyboard.press("Tab")
        else:
            raise AssertionError(f"{wanted} never got the keyboard focus")
        page.keyboard.press("Enter")
    expect(page).to_have_url(leerid.url + "/portal/")


def test_the_unavailable_page_passes_the_checks(page: Page, leerid: Live, new_pupil, check_page):
    broken = leerid.app.extensions["leerid.throttle"].store
    original = broken.read

    def unreachable(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Redis is down (test)")

    broken.read = unreachable
    try:
        pupil = new_pupil(CredentialType.WORD)
        page.goto(leerid.url + "/login")
        sign_in(page, pupil)
        expect(page.get_by_role("heading", level=1)).to_have_text("LeerID werkt nu even niet")
        check_page(page)
    finally:
        broken.read = original
