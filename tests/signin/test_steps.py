"""Signing in step by step: the username, then a password or the picture grid."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from idp.credentials.pictures import CATEGORIES
from idp.models import AccountStatus, CredentialType, LoginSession
from tests.signin.conftest import csrf_of


def test_the_first_step_asks_only_for_the_username(browser):
    html = browser.open("/login").get_data(as_text=True)
    assert ">Gebruikersnaam</label>" in html
    assert 'value="Volgende"' in html
    assert 'autocomplete="username"' in html
    assert "Wachtwoord</label>" not in html


@pytest.mark.parametrize("typed", ["{u}", "  {u} ", "{U}"])
def test_a_word_password_pupil_signs_in(browser, new_pupil, session, typed):
    pupil = new_pupil(CredentialType.WORD)
    name = typed.format(u=pupil.username, U=pupil.username.upper())
    step = browser.submit("/login", username=name)
    assert browser.next(step) == "/login/password"
    page = browser.get("/login/password").get_data(as_text=True)
    assert pupil.username in page and "Ben jij dit niet?" in page
    response = browser.submit("/login/password", password=pupil.password)
    assert browser.next(response) == "/portal/"
    assert session.scalars(select(LoginSession)).one().account_id == pupil.account.id


def test_a_wrong_password_says_so_kindly_and_signs_nobody_in(browser, new_pupil, session):
    pupil = new_pupil(CredentialType.WORD)
    response = browser.sign_in(pupil, secret="boom47")
    assert response.status_code == 200
    assert "Dat wachtwoord klopt niet" in response.get_data(as_text=True)
    assert session.scalars(select(LoginSession)).all() == []


def test_word_passwords_are_never_saved_or_suggested_by_the_browser(browser, new_pupil):
    pupil = new_pupil(CredentialType.WORD)
    browser.submit("/login", username=pupil.username)
    html = browser.get("/login/password").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="password"[^>]*>', html).group(0)
    assert 'type="text"' in field and 'autocomplete="off"' in field
    assert 'autocomplete="username"' not in html


def test_an_advanced_pupils_password_field_is_the_same_as_a_word_password(browser, new_pupil):
    # The page must not tell the kind of account (tests/signin/test_password_step.py).
    pupil = new_pupil(CredentialType.OWN)
    browser.submit("/login", username=pupil.username)
    html = browser.get("/login/password").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="password"[^>]*>', html).group(0)
    assert 'type="text"' in field and 'autocomplete="off"' in field
    assert 'autocomplete="username"' not in html


def test_an_unknown_username_gets_the_same_password_step(browser, new_pupil):
    step = browser.submit("/login", username="niemand.bestaat")
    assert browser.next(step) == "/login/password"
    response = browser.submit("/login/password", password="kat482")
    assert "Dat wachtwoord klopt niet" in response.get_data(as_text=True)


def test_not_you_forgets_the_username(browser, new_pupil):
    pupil = new_pupil(CredentialType.WORD)
    browser.submit("/login", username=pupil.username)
    assert browser.next(browser.get("/login/switch")) == "/login"
    assert browser.next(browser.get("/login/password")) == "/login"
    assert pupil.username not in browser.get("/login?interaction=" + browser.key).get_data(
        as_text=True
    )


def test_the_steps_keep_the_waiting_app_request(browser, new_pupil, make_rp):
    pupil = new_pupil(CredentialType.WORD)
    browser.open(make_rp().authorize_url())
    key = browser.key
    step = browser.submit("/login?interaction=" + key, username=pupil.username)
    assert step.headers["Location"] == "/login/password?interaction=" + key
    html = browser.get("/login/password").get_data(as_text=True)
    assert "/login/switch?interaction=" + key in html
    assert f"interaction={key}&amp;lang=en" in html, "the language switch keeps it too"


def test_a_blocked_pupil_with_the_right_password_is_told_to_ask_school(browser, new_pupil, session):
    pupil = new_pupil(CredentialType.WORD)
    pupil.account.status = AccountStatus.BLOCKED
    session.commit()
    response = browser.sign_in(pupil)
    assert "LeerID staat uit" in response.get_data(as_text=True)
    assert session.scalars(select(LoginSession)).all() == []


def test_an_expired_form_token_says_try_again(browser, new_pupil):
    browser.open("/login")
    response = browser.client.post(
        "/login?interaction=" + browser.key, data={"username": "x", "csrf_token": "stale"}
    )
    assert response.status_code == 200
    assert "Deze pagina stond lang open" in response.get_data(as_text=True)


def test_picture_pupils_tap_eight_pictures(browser, new_pupil, session):
    pupil = new_pupil(CredentialType.PICTURE)
    step = browser.submit("/login", username=pupil.username)
    assert browser.next(step) == "/login/pictures"
    html = browser.get("/login/pictures").get_data(as_text=True)
    assert "Afbeelding 1 van 8" in html and "Dieren" in html
    for picture in CATEGORIES[0].pictures:
        assert f'name="pick" value="{picture.id}"' in html
        assert f"<span>{picture.dutch}</span>" in html
    response = browser.second_step("/login/pictures", pupil)
    assert browser.next(response) == "/portal/"
    assert session.scalars(select(LoginSession)).one().account_id == pupil.account.id


def test_the_grid_is_the_same_for_every_pupil(browser, new_pupil):
    pages = []
    for _ in range(2):
        pupil = new_pupil(CredentialType.PICTURE)
        browser.submit("/login", username=pupil.username)
        html = browser.get("/login/pictures").get_data(as_text=True)
        pages.append(re.findall(r'name="pick" value="([^"]+)"', html))
    assert pages[0] == pages[1] == [p.id for p in CATEGORIES[0].pictures]


def test_wrong_pictures_start_again(browser, new_pupil, session):
    pupil = new_pupil(CredentialType.PICTURE)
    browser.submit("/login", username=pupil.username)
    wrong = [
        c.pictures[
            (c.pictures.index(next(p for p in c.pictures if p.id in pupil.pictures)) + 1) % 12
        ].id
        for c in CATEGORIES
    ]
    response = browser.second_step("/login/pictures", pupil, " ".join(wrong))
    html = response.get_data(as_text=True)
    assert "Die afbeeldingen kloppen niet" in html and "Afbeelding 1 van 8" in html
    assert session.scalars(select(LoginSession)).all() == []


def test_undo_takes_back_the_last_picture(browser, new_pupil):
    pupil = new_pupil(CredentialType.PICTURE)
    browser.submit("/login", username=pupil.username)
    html = browser.get("/login/pictures").get_data(as_text=True)
    assert "Laatste afbeelding wissen" not in html
    html = browser.post_page("/login/pictures", html, pick=pupil.pictures[0]).get_data(as_text=True)
    html = browser.post_page("/login/pictures", html, pick=CATEGORIES[1].pictures[0].id).get_data(
        as_text=True
    )
    assert "Afbeelding 3 van 8" in html
    html = browser.post_page("/login/pictures", html, undo="1").get_data(as_text=True)
    assert "Afbeelding 2 van 8" in html
    for pick in pupil.pictures[1:]:
        response = browser.post_page("/login/pictures", html, pick=pick)
        html = response.get_data(as_text=True)
    assert browser.next(response) == "/portal/"


def test_a_picture_from_another_category_is_ignored(browser, new_pupil):
    pupil = new_pupil(CredentialType.PICTURE)
    browser.submit("/login", username=pupil.username)
    html = browser.get("/login/pictures").get_data(as_text=True)
    html = browser.post_page("/login/pictures", html, pick=CATEGORIES[3].pictures[0].id).get_data(
        as_text=True
    )
    assert "Afbeelding 1 van 8" in html


def test_the_picks_so_far_are_sealed_and_bound_to_the_username(browser, new_pupil):
    first, second = new_pupil(CredentialType.PICTURE), new_pupil(CredentialType.PICTURE)
    browser.submit("/login", username=first.username)
    html = browser.get("/login/pictures").get_data(as_text=True)
    html = browser.post_page("/login/pictures", html, pick=first.pictures[0]).get_data(as_text=True)
    state = re.search(r'name="state" value="([^"]+)"', html).group(1)
    assert first.pictures[0] not in state and first.pictures[0] not in html.split("<form")[0]
    # Tampered, or carried over to another pupil: the grid starts again.
    for forged in (state[:-4] + "AAAA", "v1.bm90aGluZw=="):
        page = browser.post_page(
            "/login/pictures", html, state=forged, pick=CATEGORIES[1].pictures[0].id
        )
        assert "Afbeelding 1 van 8" in page.get_data(as_text=True)
    browser.get("/login/switch")
    browser.submit("/login?interaction=" + browser.key, username=second.username)
    page = browser.client.post(
        browser.url("/login/pictures"),
        data={"csrf_token": csrf_of(html), "state": state, "pick": CATEGORIES[1].pictures[0].id},
    )
    assert "Afbeelding 1 van 8" in page.get_data(as_text=True)


def test_the_picture_step_is_only_for_picture_accounts(browser, new_pupil):
    pupil = new_pupil(CredentialType.WORD)
    browser.submit("/login", username=pupil.username)
    assert browser.next(browser.get("/login/pictures")) == "/login/password"
    picture_pupil = new_pupil(CredentialType.PICTURE)
    browser.forget()
    browser.submit("/login", username=picture_pupil.username)
    assert browser.next(browser.get("/login/password")) == "/login/pictures"


def test_picture_names_are_english_on_request(browser, new_pupil):
    pupil = new_pupil(CredentialType.PICTURE)
    browser.submit("/login", username=pupil.username)
    html = browser.get("/login/pictures?lang=en").get_data(as_text=True)
    assert "Picture 1 of 8" in html and "<span>cat</span>" in html


def test_a_new_login_gets_a_new_session(browser, new_pupil, client):
    first, second = new_pupil(CredentialType.WORD), new_pupil(CredentialType.WORD)
    browser.sign_in(first)
    before = client.get_cookie("leerid_session").value
    browser.forget()
    browser.sign_in(second)
    after = client.get_cookie("leerid_session").value
    assert before != after
    assert "/portal/" == browser.get("/portal/").request.path
    assert second.username in browser.get("/portal/").get_data(as_text=True)


def test_basic_accounts_get_shorter_sessions(browser, new_pupil, session, client):
    young, older = new_pupil(CredentialType.PICTURE), new_pupil(CredentialType.OWN)
    browser.sign_in(young)
    client.delete_cookie("leerid_session")
    browser.forget()
    browser.sign_in(older)
    lifetimes = {
        login.account_id: (login.expires_at - login.auth_time).total_seconds()
        for login in session.scalars(select(LoginSession))
    }
    assert lifetimes == {young.account.id: 3600, older.account.id: 8 * 3600}


def test_a_blank_answer_is_told_what_to_type(browser, new_pupil, session):
    # Only spaces (a child leaning on the space bar): a message, not a page that reloads.
    blank = browser.submit("/login", username="   ")
    assert blank.status_code == 200
    assert "Typ je gebruikersnaam zoals hij op je kaart staat." in blank.get_data(as_text=True)
    pupil = new_pupil(CredentialType.WORD)
    step = browser.submit("/login", username=pupil.username)
    empty = browser.submit(browser.next(step), password="  ")
    assert "Typ je wachtwoord." in empty.get_data(as_text=True)
    assert session.scalars(select(LoginSession)).first() is None


def test_a_password_page_open_too_long_says_so(browser, new_pupil):
    pupil = new_pupil(CredentialType.WORD)
    step = browser.submit("/login", username=pupil.username)
    stale = browser.client.post(
        browser.url(browser.next(step)), data={"csrf_token": "old", "password": "boom47"}
    )
    assert "Deze pagina stond lang open" in stale.get_data(as_text=True)
