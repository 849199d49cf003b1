"""Every way a pupil signs in reaches the app, in every response mode, in Chromium.

The app is a real HTTP server on 127.0.0.1 (tests/stand_in_app.py): the browser follows the
real redirects from LeerID's forms to it (which Chromium checks against the pages'
Content-Security-Policy `form-action`), and each test ends with the code at the app and the
tokens exchanged. Playwright's request routing is not used: it never sees a redirect's
target, which is how `query` mode once broke without a failing test.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Playwright, expect

from idp.models import CredentialType
from idp.oauth.subjects import pairwise_subject
from tests.browser.camera import camera_page, card_video
from tests.browser.test_pupil_sign_in import sign_in, tap_pictures
from tests.conftest import Pupil
from tests.live import Live
from tests.stand_in_app import SIGNED_IN, StandInApp

MODES = ["query", "form_post"]
NEW_PASSWORD = "Ik fiets graag naar zee"


def arrived(page: Page, app: StandInApp, pupil: Pupil, mode: str, count: int = 1) -> None:
    """The browser is at the app, which received a code the way it asked and exchanged it."""
    expect(page.get_by_role("heading", level=1)).to_have_text(SIGNED_IN)
    arrival = app.wait(count)
    assert arrival.problem is None, arrival.problem
    assert arrival.method == ("POST" if mode == "form_post" else "GET")
    assert arrival.one("code") and arrival.tokens["access_token"]
    assert arrival.claims["sub"] == pairwise_subject("127.0.0.1", pupil.account.person)


@pytest.mark.parametrize("mode", MODES)
def test_word_password(mode, page: Page, stand_in_app: StandInApp, new_pupil):
    pupil = new_pupil(CredentialType.WORD)
    page.goto(stand_in_app.start_url(mode))
    sign_in(page, pupil)
    arrived(page, stand_in_app, pupil, mode)


@pytest.mark.parametrize("mode", MODES)
def test_picture_password(mode, page: Page, stand_in_app: StandInApp, new_pupil):
    pupil = new_pupil(CredentialType.PICTURE)
    page.goto(stand_in_app.start_url(mode))
    page.get_by_label("Gebruikersnaam").fill(pupil.username)
    page.get_by_role("button", name="Volgende", exact=True).click()
    tap_pictures(page, pupil)
    arrived(page, stand_in_app, pupil, mode)


@pytest.mark.parametrize("mode", MODES)
def test_card_url_typed_while_the_app_waits(
    mode, page: Page, live_leerid: Live, stand_in_app: StandInApp, new_pupil
):
    pupil = new_pupil(CredentialType.PICTURE)
    page.goto(stand_in_app.start_url(mode))
    expect(page.get_by_label("Gebruikersnaam")).to_be_visible()
    # The pupil types the address printed on the card instead of the username.
    page.goto(live_leerid.url + pupil.card_path)
    expect(page.get_by_text(pupil.username)).to_be_visible()
    tap_pictures(page, pupil)
    arrived(page, stand_in_app, pupil, mode)


@pytest.mark.parametrize("mode", MODES)
def test_camera_scan(
    mode,
    playwright: Playwright,
    live_leerid: Live,
    stand_in_app: StandInApp,
    new_pupil,
    tmp_path,
    browser_problems,
):
    pupil = new_pupil(CredentialType.PICTURE)
    video = card_video(tmp_path / "card.y4m", live_leerid.url + pupil.card_path)
    with camera_page(playwright, video, live_leerid.url, browser_problems) as page:
        page.goto(stand_in_app.start_url(mode))
        page.get_by_role("button", name="Scan je kaart").click()
        expect(page).to_have_url(re.compile(re.escape(live_leerid.url + "/login/pictures?")))
        tap_pictures(page, pupil)
        arrived(page, stand_in_app, pupil, mode)


@pytest.mark.parametrize("mode", MODES)
def test_yes_continue_on_a_shared_tablet(mode, page: Page, stand_in_app: StandInApp, new_pupil):
    pupil = new_pupil(CredentialType.WORD, first="Zoë")
    page.goto(stand_in_app.start_url(mode))
    sign_in(page, pupil)
    arrived(page, stand_in_app, pupil, mode)
    # The next app (here: the same one again) asks who is at the tablet.
    page.goto(stand_in_app.start_url(mode))
    expect(page.get_by_role("heading", name="Ben jij Zoë?")).to_be_visible()
    page.get_by_role("button", name="Ja, ga verder").click()
    arrived(page, stand_in_app, pupil, mode, count=2)


@pytest.mark.parametrize("mode", MODES)
def test_first_sign_in_with_a_forced_new_password(
    mode, page: Page, stand_in_app: StandInApp, new_pupil
):
    pupil = new_pupil(CredentialType.TEMPORARY, first="Amira")
    page.goto(stand_in_app.start_url(mode))
    sign_in(page, pupil)
    expect(page.get_by_role("heading", level=1)).to_have_text("Kies je eigen wachtwoord")
    page.get_by_label("Nieuw wachtwoord").fill(NEW_PASSWORD)
    page.get_by_label("Typ het nog eens").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Bewaren en verder").click()
    arrived(page, stand_in_app, pupil, mode)


@pytest.mark.parametrize("mode", MODES)
def test_prompt_consent_after_the_password(
    mode, page: Page, stand_in_app: StandInApp, new_pupil, check_page
):
    pupil = new_pupil(CredentialType.WORD)
    page.goto(stand_in_app.start_url(mode, prompt="consent"))
    sign_in(page, pupil)
    expect(page.get_by_role("heading", level=1)).to_contain_text("wil weten wie je bent")
    page.set_viewport_size({"width": 320, "height": 640})  # the buttons one under the other
    check_page(page)
    page.get_by_role("button", name="Ga verder naar de app").click()
    arrived(page, stand_in_app, pupil, mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("credential", [CredentialType.OWN, CredentialType.WORD])
def test_from_the_leerlingloket(
    mode, credential, page: Page, live_leerid: Live, stand_in_app: StandInApp, new_pupil
):
    pupil = new_pupil(credential, first="Lotte")
    page.goto(live_leerid.url + "/login")
    sign_in(page, pupil)
    expect(page).to_have_url(live_leerid.url + "/portal/")
    tile = page.get_by_role("link", name=re.compile("Testapp"))
    tile.click()
    expect(page).to_have_url(stand_in_app.url + "/")
    page.goto(stand_in_app.start_url(mode))
    if credential is CredentialType.WORD:
        # A basic account on a (shared) tablet confirms who they are first.
        page.get_by_role("button", name="Ja, ga verder").click()
    arrived(page, stand_in_app, pupil, mode)


def test_two_tabs_that_start_at_the_same_moment_both_reach_the_app(
    new_page, stand_in_app: StandInApp, new_pupil
):
    first = new_page()
    second = first.context.new_page()
    pupils = [new_pupil(CredentialType.WORD), new_pupil(CredentialType.WORD)]
    # Both tabs ask at once, before either answer (and its cookies) arrived.
    for page, mode in ((first, "query"), (second, "form_post")):
        page.evaluate("url => { window.location.href = url; }", stand_in_app.start_url(mode))
    for page in (first, second):
        expect(page.get_by_label("Gebruikersnaam")).to_be_visible()
    for page, pupil in zip((first, second), pupils, strict=True):
        page.get_by_label("Gebruikersnaam").fill(pupil.username)
        page.get_by_role("button", name="Volgende", exact=True).click()
    for page, pupil in zip((first, second), pupils, strict=True):
        page.get_by_label("Wachtwoord").fill(pupil.password)
        page.get_by_role("button", name="Aanmelden", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(SIGNED_IN)
    subjects = {arrival.claims["sub"] for arrival in (stand_in_app.wait(1), stand_in_app.wait(2))}
    assert subjects == {pairwise_subject("127.0.0.1", p.account.person) for p in pupils}


def test_a_request_posted_from_another_site_keeps_the_sso_session(
    page: Page, live_leerid: Live, stand_in_app: StandInApp, new_pupil
):
    pupil = new_pupil(CredentialType.OWN)
    page.goto(live_leerid.url + "/login")
    sign_in(page, pupil)
    expect(page).to_have_url(live_leerid.url + "/portal/")
    # "localhost" is another site than "127.0.0.1": the POST carries no SameSite=Lax cookie.
    app_page = stand_in_app.url.replace("127.0.0.1", "localhost") + "/post-start?"
    page.goto(app_page + "mode=query&prompt=none")
    page.get_by_role("button", name="Aanmelden met LeerID (POST)").click()
    arrived(page, stand_in_app, pupil, "query")
    # Still signed in at LeerID: the POST did not replace the session cookie.
    page.goto(live_leerid.url + "/portal/")
    expect(page).to_have_url(live_leerid.url + "/portal/")


@pytest.mark.parametrize("mode", MODES)
def test_a_state_of_4000_characters_comes_back_intact(
    mode, page: Page, stand_in_app: StandInApp, new_pupil
):
    pupil = new_pupil(CredentialType.PICTURE)
    page.goto(stand_in_app.start_url(mode, state_length="4000"))
    page.get_by_label("Gebruikersnaam").fill(pupil.username)
    page.get_by_role("button", name="Volgende", exact=True).click()
    tap_pictures(page, pupil)
    arrived(page, stand_in_app, pupil, mode)
    assert len(stand_in_app.wait().one("state") or "") == 4000
