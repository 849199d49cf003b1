"""The QR card's address, and the own password an advanced pupil chooses at first login."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from idp.models import AccountStatus, CredentialType, LoginSession
from idp.passwords import verify_secret
from idp.services.cards import issue_card


def test_a_card_opens_the_pupils_own_picture_page(browser, new_pupil, session):
    pupil = new_pupil(CredentialType.PICTURE)
    response = browser.get(pupil.card_path)
    assert browser.next(response) == "/login/pictures"
    html = browser.get("/login/pictures").get_data(as_text=True)
    assert pupil.username in html
    # The card alone signs nobody in: the pictures are still needed.
    assert session.scalars(select(LoginSession)).all() == []
    assert browser.get("/portal/").headers["Location"] == "/login"
    assert browser.next(browser.second_step("/login/pictures", pupil)) == "/portal/"


def test_a_card_of_a_word_password_pupil_opens_the_password_step(browser, new_pupil):
    pupil = new_pupil(CredentialType.WORD)
    assert browser.next(browser.get(pupil.card_path)) == "/login/password"
    assert browser.submit("/login/password", password=pupil.password).status_code == 302


def test_a_card_scanned_inside_an_app_request_keeps_it(browser, new_pupil, make_rp, client):
    pupil = new_pupil(CredentialType.PICTURE)
    rp = make_rp()
    browser.open(rp.authorize_url())
    response = browser.get(pupil.card_path)
    assert browser.next(response) == "/login/pictures"
    done = browser.second_step("/login/pictures", pupil)
    assert "code" in rp.callback(done)


def test_a_card_opened_in_another_sign_in_does_not_take_it_over(browser, new_pupil, client):
    pupil = new_pupil(CredentialType.PICTURE)
    response = client.get(pupil.card_path + "?interaction=" + "A" * 22)
    assert response.headers["Location"].startswith("/login/pictures?interaction=")
    assert "A" * 22 not in response.headers["Location"]


@pytest.mark.parametrize("change", ["unknown", "replaced", "blocked"])
def test_a_card_that_does_not_work_says_so_kindly(browser, new_pupil, session, change):
    pupil = new_pupil(CredentialType.PICTURE)
    path = pupil.card_path
    if change == "unknown":
        path = "/k/" + "A" * 22
    elif change == "replaced":
        issue_card(session, pupil.account, actor="test")
        session.commit()
    else:
        pupil.account.status = AccountStatus.BLOCKED
        session.commit()
    response = browser.get(path)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Deze kaart werkt niet (meer)" in html
    assert "Aanmelden zonder kaart" in html
    assert pupil.username not in html


def test_a_browser_guessing_cards_waits_while_passwords_still_work(browser, new_pupil):
    pupil = new_pupil(CredentialType.WORD)
    for number in range(6):  # five free typos, then the first delay
        assert browser.get(f"/k/abcd-efgh-jkmn-pqr{number + 2}").status_code == 404
    held = browser.get("/k/" + pupil.card_path.removeprefix("/k/"))
    assert held.status_code == 429 and held.headers["Retry-After"] == "5"
    html = held.get_data(as_text=True)
    assert "Even geduld" in html and "5 seconden" in html and pupil.username not in html
    # Card guesses never hold back a password on the same browser.
    assert browser.next(browser.sign_in(pupil)) == "/portal/"


def test_an_advanced_pupils_first_login_asks_for_an_own_password(browser, new_pupil, session):
    pupil = new_pupil(CredentialType.TEMPORARY, first="Çağan", last="Yılmaz")
    response = browser.sign_in(pupil)
    assert browser.next(response) == "/login/new-password"
    # Nothing else before the new password: no session yet, the portal asks to sign in.
    assert session.scalars(select(LoginSession)).all() == []
    assert browser.get("/portal/").headers["Location"] == "/login"
    html = browser.get("/login/new-password").get_data(as_text=True)
    assert "Kies je eigen wachtwoord" in html and 'autocomplete="new-password"' in html
    response = browser.submit(
        "/login/new-password",
        password="Ik fiets graag naar zee",
        confirmation="Ik fiets graag naar zee",
    )
    assert browser.next(response) == "/portal/"
    session.refresh(pupil.account)
    assert pupil.account.must_change_password is False
    assert pupil.account.credential_type is CredentialType.OWN
    assert verify_secret(pupil.account.password_hash, "Ik fiets graag naar zee")
    assert not verify_secret(pupil.account.password_hash, pupil.password)


@pytest.mark.parametrize(
    ("password", "confirmation", "message"),
    [
        ("kort", "kort", "minstens 12 tekens"),
        ("Ik fiets graag naar zee", "Ik fiets graag naar de zee", "niet hetzelfde"),
        ("qwertyuiopasdf", "qwertyuiopasdf", "veel mensen"),
        ("wachtwoord123456", "wachtwoord123456", "veel mensen"),
        ("aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa", "veel mensen"),
        ("cagan-is-de-beste", "cagan-is-de-beste", "je naam"),
        ("YILMAZ zwemt graag", "YILMAZ zwemt graag", "je naam"),
    ],
)
def test_a_refused_own_password_says_why(
    browser, new_pupil, session, password, confirmation, message
):
    pupil = new_pupil(CredentialType.TEMPORARY, first="Çağan", last="Yılmaz")
    browser.sign_in(pupil)
    response = browser.submit("/login/new-password", password=password, confirmation=confirmation)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    session.refresh(pupil.account)
    assert pupil.account.must_change_password is True


def test_the_own_password_page_needs_the_temporary_password_first(browser, new_pupil):
    pupil = new_pupil(CredentialType.TEMPORARY)
    browser.submit("/login", username=pupil.username)
    assert browser.next(browser.get("/login/new-password")) == "/login"


def test_the_first_login_continues_to_the_app(browser, new_pupil, make_rp, client):
    pupil = new_pupil(CredentialType.TEMPORARY)
    rp = make_rp()
    start = client.get(rp.authorize_url())
    login = start.headers["Location"]
    assert login.startswith("/login?interaction=")
    step = browser.submit(login, username=pupil.username)
    change = browser.submit(step.headers["Location"], password=pupil.password)
    assert change.headers["Location"].startswith("/login/new-password?interaction=")
    done = browser.submit(
        change.headers["Location"],
        password="Ik fiets graag naar zee",
        confirmation="Ik fiets graag naar zee",
    )
    callback = rp.callback(done)
    assert "code" in callback


@pytest.mark.parametrize("typed", ["/K/{token}", "/k/{token}/", "/K/{upper}/"])
def test_a_card_address_typed_with_caps_lock_or_a_last_slash_still_opens(browser, new_pupil, typed):
    pupil = new_pupil(CredentialType.PICTURE)
    token = pupil.card_path.removeprefix("/k/")
    response = browser.get(typed.format(token=token, upper=token.upper().replace("-", "")))
    assert browser.next(response) == "/login/pictures"


def test_a_mistyped_card_says_to_check_the_typing(browser):
    html = browser.get("/k/abcd-efgh-jkmn-pqrs").get_data(as_text=True)
    assert "Vergelijk elke letter en elk cijfer met je kaart." in html
