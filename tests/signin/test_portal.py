"""The Leerlingloket: apps, school and class, "Mijn gegevens", changing the password."""

from __future__ import annotations

from sqlalchemy import select

from idp.models import AccountKind, Client, CredentialType, LoginSession
from idp.passwords import verify_secret


def listed(session, rp, uri="https://rekenapp.example/start"):
    client = session.scalars(select(Client).where(Client.client_id == rp.client_id)).one()
    client.listed, client.client_uri = True, uri
    session.commit()
    return client


def test_the_portal_needs_a_login(client):
    assert client.get("/portal/").headers["Location"] == "/login"
    assert client.get("/portal/data").headers["Location"] == "/login"


def test_the_portal_shows_username_school_class_and_listed_apps(
    browser, new_pupil, make_rp, session
):
    listed(session, make_rp(name="Rekenapp"))
    make_rp(name="Verborgen app")  # not listed
    pupil = new_pupil(CredentialType.WORD, first="<b>Zoë</b>")
    browser.sign_in(pupil)
    html = browser.get("/portal/").get_data(as_text=True)
    assert "Dag <bdi>&lt;b&gt;Zoë&lt;/b&gt;</bdi>!" in html
    assert pupil.username in html and "Basisschool De Regenboog" in html and "2A" in html
    assert 'href="https://rekenapp.example/start"' in html and "Rekenapp" in html
    assert "Verborgen app" not in html
    # Basic accounts get their password from school: no change, no e-mail address.
    assert "/portal/password" not in html and "/portal/email" not in html
    assert "juf of meester" in html
    assert browser.get("/portal/password").headers["Location"] == "/portal/"


def test_no_page_of_a_pupil_stays_in_the_browser_cache(browser, new_pupil, client):
    # Back after "Afmelden" on a shared tablet must not show the last pupil's page.
    pupil = new_pupil(CredentialType.WORD)
    browser.sign_in(pupil)
    for path in ("/portal/", "/portal/data"):
        response = browser.get(path)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store", path
    assert client.get("/login", follow_redirects=True).headers["Cache-Control"] == "no-store"
    # Static files stay cacheable.
    with client.get("/static/leerid.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")


def test_an_app_tile_speaks_the_pupils_language(browser, new_pupil, make_rp, session):
    translated = listed(session, make_rp(name="Rekenapp"))
    translated.description = "Oefen je tafels."
    translated.description_en = "Practise your times tables."
    dutch_only = listed(session, make_rp(name="Taalapp", redirect_uri="https://taal.example/cb"))
    dutch_only.description = "Lees een verhaal."
    session.commit()
    browser.sign_in(new_pupil(CredentialType.WORD), query="?lang=en")
    html = browser.get("/portal/").get_data(as_text=True)
    assert "Practise your times tables." in html and "Oefen je tafels." not in html
    assert "Lees een verhaal." in html  # no English description: the Dutch one
    html = browser.get("/portal/?lang=nl").get_data(as_text=True)
    assert "Oefen je tafels." in html and "Practise your times tables." not in html


def test_advanced_pupils_without_an_address_are_told_to_ask_school(browser, new_pupil):
    pupil = new_pupil(CredentialType.OWN)
    browser.sign_in(pupil)
    html = browser.get("/portal/").get_data(as_text=True)
    assert "/portal/password" in html and "/portal/email" in html
    assert "Je voegde geen e-mailadres toe" in html and "LeerID-beheerder" in html


def test_my_data_lists_the_apps_and_what_they_received(
    browser, new_pupil, make_rp, client, session
):
    pupil = new_pupil(CredentialType.OWN)
    rp = make_rp(
        name="Rekenapp", scopes=["openid", "profile", "school"], vendor="<i>Uitgeverij</i>"
    )
    browser.sign_in(pupil)
    assert "Nog geen enkele app" in browser.get("/portal/data").get_data(as_text=True)
    callback = rp.callback(client.get(rp.authorize_url(scope="openid profile school")))
    rp.exchange(callback["code"][0])
    html = browser.get("/portal/data").get_data(as_text=True)
    assert "Rekenapp" in html and "&lt;i&gt;Uitgeverij&lt;/i&gt;" in html
    for label in ("je naam", "je school", "je klas", "je leerjaar", "een code die jou alleen"):
        assert label in html, label
    assert "je e-mailadres" not in html and "rijksregisternummer krijgt een app nooit" in html


def test_an_advanced_pupil_changes_the_password_knowing_the_current_one(
    browser, new_pupil, session
):
    pupil = new_pupil(CredentialType.OWN)
    assert pupil.account.kind is AccountKind.ADVANCED
    browser.sign_in(pupil)
    wrong = browser.submit(
        "/portal/password",
        current="niet het mijne",
        password="Zomer aan zee 2026",
        confirmation="Zomer aan zee 2026",
    )
    assert "Je huidige wachtwoord klopt niet" in wrong.get_data(as_text=True)
    same = browser.submit(
        "/portal/password",
        current=pupil.password,
        password=pupil.password,
        confirmation=pupil.password,
    )
    assert "Dat is je huidige wachtwoord" in same.get_data(as_text=True)
    done = browser.submit(
        "/portal/password",
        current=pupil.password,
        password="Zomer aan zee 2026",
        confirmation="Zomer aan zee 2026",
    )
    assert done.headers["Location"] == "/portal/"
    assert "Je wachtwoord is gewijzigd" in browser.get("/portal/").get_data(as_text=True)
    session.refresh(pupil.account)
    assert verify_secret(pupil.account.password_hash, "Zomer aan zee 2026")


def test_signing_out_from_the_portal_ends_the_session(browser, new_pupil, session):
    pupil = new_pupil(CredentialType.WORD)
    browser.sign_in(pupil)
    html = browser.get("/portal/").get_data(as_text=True)
    response = browser.post_page("/logout", html, confirm="yes")
    assert response.status_code == 200 and "Je bent afgemeld" in response.get_data(as_text=True)
    login = session.scalars(select(LoginSession)).one()
    session.refresh(login)
    assert login.ended_at is not None
    assert browser.get("/portal/").headers["Location"] == "/login"


def test_guessing_the_current_password_is_throttled_like_a_sign_in(browser, new_pupil):
    pupil = new_pupil(CredentialType.OWN)
    browser.sign_in(pupil)
    for _ in range(6):
        page = browser.submit(
            "/portal/password", current="geraden", password="Zomer aan zee 2026",
            confirmation="Zomer aan zee 2026",
        )  # fmt: skip
    assert "Neem even pauze en probeer het over 5 seconden" in page.get_data(as_text=True)
    page = browser.submit(
        "/portal/password", current=pupil.password, password="Zomer aan zee 2026",
        confirmation="Zomer aan zee 2026",
    )  # fmt: skip
    assert "probeer het over" in page.get_data(as_text=True)


def test_a_stored_name_that_turns_text_around_cannot_turn_the_sentence(
    browser, new_pupil, make_rp, client
):
    # The import refuses such names now; one stored before must still not make "Ben jij
    # Zoë?live" of the page's sentence: every sentence isolates the name in <bdi>.
    name = "Zoë\u202eevil"
    pupil = new_pupil(CredentialType.WORD, first=name)
    rp = make_rp()
    login = client.get(rp.authorize_url()).headers["Location"]
    step = browser.submit(login, username=pupil.username)
    browser.submit(step.headers["Location"], password=pupil.password)
    pages = {
        "portal": browser.get("/portal/").get_data(as_text=True),
        "continue": client.get(client.get(rp.authorize_url()).headers["Location"]).get_data(
            as_text=True
        ),
        "logout": client.get("/logout").get_data(as_text=True),
    }
    sentences = {
        "portal": f"Dag <bdi>{name}</bdi>!",
        "continue": f"Ben jij <bdi>{name}</bdi>?",
        "logout": f"Nu aangemeld: <bdi>{name}</bdi> ({pupil.username}).",
    }
    for page, html in pages.items():
        assert sentences[page] in html, page
        assert html.count(name) == 1, page
