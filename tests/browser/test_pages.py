"""LeerID's pages in Chromium, in Dutch and English: accessible (axe-core), big enough to
tap, and readable at 320 px without scrolling sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import sign_in_with_password
from tests.conftest import PASSWORD
from tests.live import Live

LANGUAGES = {
    "nl": {"lang": "nl-BE", "start": "Eén login voor al je schoolapps"},
    "en": {"lang": "en", "start": "One login for all your school apps"},
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_start_page(language, page: Page, live_leerid: Live, check_page):
    page.goto(f"{live_leerid.url}/?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", LANGUAGES[language]["lang"])
    expect(page.get_by_role("heading", level=1)).to_have_text(LANGUAGES[language]["start"])
    check_page(page)


def test_start_page_of_the_demo_leads_to_rekenrally(
    page: Page, live_leerid: Live, rekenrally, check_page
):
    app = rekenrally()
    live_leerid.app.config["DEMO_APP_URL"] = app.url
    page.goto(live_leerid.url + "/")
    check_page(page)
    page.get_by_role("link", name="Probeer de demo-leerapp").click()
    expect(page).to_have_url(app.url + "/")


@pytest.mark.parametrize(
    ("language", "heading"),
    [("nl", "Deze pagina bestaat niet"), ("en", "This page does not exist")],
)
def test_an_address_that_leads_nowhere(language, heading, page: Page, live_leerid: Live,
                                       check_page):  # fmt: skip
    response = page.goto(f"{live_leerid.url}/kaart/niet-hier?lang={language}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    check_page(page)


@pytest.mark.parametrize(
    ("language", "heading"), [("nl", "Aangesloten toepassingen"), ("en", "Connected apps")]
)
def test_connected_apps(language, heading, page: Page, live_leerid: Live, rekenrally, check_page):
    rekenrally()  # registered as listed, as the demo does
    page.goto(f"{live_leerid.url}/?lang={language}")
    page.get_by_role("link", name=heading).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("link", name="Rekenrally")).to_be_visible()
    check_page(page)


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "nl",
            {
                "heading": "Meld je aan met je LeerID",
                "username": "Gebruikersnaam",
                "next": "Volgende",
                "password heading": "Typ je wachtwoord",
                "password": "Wachtwoord",
                "sign in": "Aanmelden",
            },
        ),
        (
            "en",
            {
                "heading": "Sign in with your LeerID",
                "username": "Username",
                "next": "Next",
                "password heading": "Type your password",
                "password": "Password",
                "sign in": "Sign in",
            },
        ),
    ],
)
def test_login_pages(language, texts, page: Page, live_leerid: Live, pupil, check_page):
    page.goto(f"{live_leerid.url}/login?lang={language}")
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["heading"])
    check_page(page)
    page.get_by_label(texts["username"]).fill(pupil.username)
    page.get_by_role("button", name=texts["next"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["password heading"])
    # The same field for every kind of account (docs/security.md): a text field that
    # browsers do not save, hidden while typed until "show password" is pressed.
    field = page.get_by_label(texts["password"], exact=True)
    expect(field).to_have_attribute("type", "text")
    hidden = "el => getComputedStyle(el).getPropertyValue('-webkit-text-security')"
    assert field.evaluate(hidden) == "disc"
    expect(page.get_by_role("button", name=texts["sign in"], exact=True)).to_be_visible()
    check_page(page)


@pytest.mark.parametrize(
    "context_options", [{"viewport": {"width": 390, "height": 844}, "locale": "en-GB"}]
)
def test_a_phone_set_to_english_gets_english_pages(page: Page, live_leerid: Live, check_page):
    page.goto(f"{live_leerid.url}/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Next", exact=True)).to_be_visible()
    check_page(page)


def test_a_wrong_password_is_announced(page: Page, live_leerid: Live, pupil, check_page):
    page.goto(f"{live_leerid.url}/login")
    page.get_by_label("Gebruikersnaam").fill(pupil.username)
    page.get_by_role("button", name="Volgende", exact=True).click()
    page.get_by_label("Wachtwoord").fill("fout")
    page.get_by_role("button", name="Aanmelden", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Dat wachtwoord klopt niet")
    check_page(page)


def test_leerlingloket_pages(page: Page, live_leerid: Live, pupil, check_page):
    page.goto(f"{live_leerid.url}/login")
    sign_in_with_password(page, pupil.username, PASSWORD)
    expect(page).to_have_url(f"{live_leerid.url}/portal/")
    check_page(page)
    for path in ("data", "password", "email"):
        page.goto(f"{live_leerid.url}/portal/{path}")
        expect(page.get_by_role("link", name="Terug naar je apps")).to_be_visible()
        check_page(page)


_BROKEN_WORDS = """
(selector) => {
  const broken = [];
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      for (const match of text.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(text, match.index);
        range.setEnd(text, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(`"${match[0]}" on ${lines.size} lines`);
      }
    }
  }
  return broken;
}
"""


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_leerlingloket_keeps_names_whole_on_a_phone(new_page, live_leerid: Live, pupil, lang):
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(f"{live_leerid.url}/login")
    sign_in_with_password(page, pupil.username, PASSWORD)
    page.goto(f"{live_leerid.url}/portal/?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", "nl-BE" if lang == "nl" else "en")
    assert page.evaluate(_BROKEN_WORDS, ".facts dd") == []


def test_logout_pages(page: Page, live_leerid: Live, pupil, check_page):
    page.goto(f"{live_leerid.url}/login")
    sign_in_with_password(page, pupil.username, PASSWORD)
    page.goto(f"{live_leerid.url}/logout")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wil je afmelden bij LeerID?")
    expect(page.get_by_text(pupil.username)).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Afmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Je bent afgemeld")
    check_page(page)


def test_error_page_for_a_broken_app_request(page: Page, live_leerid: Live, check_page):
    response = page.goto(f"{live_leerid.url}/authorize?client_id=onbekend&response_type=code")
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", level=1)).to_contain_text("op een verkeerde manier")
    check_page(page)
