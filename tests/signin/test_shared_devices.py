"""Shared classroom tablets: before an app gets a basic account from a live session, the
pupil confirms who they are ("Ben jij dit niet?"); advanced accounts sign in once."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from idp.models import CredentialType
from idp.oauth.subjects import pairwise_subject


def authorize(client, rp, **extra):
    return client.get(rp.authorize_url(**extra))


def sign_in_for(browser, client, rp, pupil):
    """The app sends the browser to LeerID; both steps; returns the response after them."""
    login = authorize(client, rp).headers["Location"]
    step = browser.submit(login, username=pupil.username)
    return browser.submit(step.headers["Location"], password=pupil.password)


def test_a_basic_pupil_confirms_before_the_next_app_gets_the_account(
    browser, new_pupil, make_rp, client
):
    pupil = new_pupil(CredentialType.WORD, first="Zoë")
    first, second = make_rp(name="Rekenapp"), make_rp(name="Taalapp")
    done = sign_in_for(browser, client, first, pupil)
    assert "code" in first.callback(done)

    login = authorize(client, second).headers["Location"]
    assert login.startswith("/login?interaction=")
    html = client.get(login).get_data(as_text=True)
    assert "Ben jij <bdi>Zoë</bdi>?" in html and pupil.username in html
    assert "Ja, ga verder" in html and "Typ hieronder je eigen gebruikersnaam" in html
    action = html.split('action="')[1].split('"')[0].replace("&amp;", "&")
    assert action.startswith("/login/continue?interaction=")
    callback = second.callback(browser.post_page(action, html))
    claims = second.verify_id_token(second.exchange(callback["code"][0]).get_json()["id_token"])
    assert claims["sub"] == pairwise_subject("app.example", pupil.account.person)


def test_someone_else_on_the_tablet_signs_in_as_themselves(browser, new_pupil, make_rp, client):
    first_pupil, classmate = new_pupil(CredentialType.WORD), new_pupil(CredentialType.WORD)
    rp = make_rp()
    sign_in_for(browser, client, rp, first_pupil)
    done = sign_in_for(browser, client, rp, classmate)
    callback = rp.callback(done)
    claims = rp.verify_id_token(rp.exchange(callback["code"][0]).get_json()["id_token"])
    assert claims["sub"] == pairwise_subject("app.example", classmate.account.person)


def test_prompt_none_never_skips_the_confirmation_of_a_basic_account(
    browser, new_pupil, make_rp, client
):
    # Core §3.1.2.6: the pupil would have to confirm "Ben jij ...?", which prompt=none
    # forbids showing: interaction_required, never a silent code for whoever used the tablet.
    pupil = new_pupil(CredentialType.WORD)
    rp = make_rp()
    sign_in_for(browser, client, rp, pupil)
    callback = rp.callback(authorize(client, rp, prompt="none"))
    assert callback["error"] == ["interaction_required"] and "code" not in callback
    assert callback["state"] == [rp.last["state"]]


def test_advanced_pupils_go_straight_on(browser, new_pupil, make_rp, client):
    pupil = new_pupil(CredentialType.OWN)
    rp = make_rp()
    sign_in_for(browser, client, rp, pupil)
    location = authorize(client, rp).headers["Location"]
    assert "code" in parse_qs(urlsplit(location).query)


def test_continue_needs_a_live_session_and_a_waiting_request(browser, new_pupil, make_rp):
    assert browser.client.post("/login/continue?interaction=" + "x" * 22).status_code == 400
    page = browser.open(make_rp().authorize_url()).get_data(as_text=True)
    assert "Ja, ga verder" not in page
    # Without a session, a forged "yes" only leads back to the username.
    response = browser.post_page("/login/continue", page)
    assert browser.next(response) == "/login"
