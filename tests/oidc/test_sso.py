"""Single sign-on across apps, and the requests that force a new login."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import update

from idp.models import LoginSession
from tests.conftest import PASSWORD


def test_second_app_needs_no_typing(make_rp, pupil, client):
    first = make_rp()
    second = make_rp(redirect_uri="https://taal.example/cb", name="Taalapp")
    first_claims = first.verify_id_token(
        first.exchange(first.login_flow(pupil.username, PASSWORD)["code"][0]).get_json()["id_token"]
    )
    response = client.get(second.authorize_url())
    callback = second.callback(response)  # straight back to the app: no login page
    claims = second.verify_id_token(second.exchange(callback["code"][0]).get_json()["id_token"])
    assert claims["sid"] == first_claims["sid"]
    assert claims["auth_time"] == first_claims["auth_time"]


def test_prompt_login_forces_a_new_login(make_rp, pupil, client):
    rp = make_rp()
    rp.login_flow(pupil.username, PASSWORD)
    response = client.get(rp.authorize_url(prompt="login"))
    assert "/login" in response.headers["Location"]
    after = rp.sign_in(pupil.username, PASSWORD, response.headers["Location"])
    callback = rp.callback(after)  # no second login loop
    assert "code" in callback


def test_max_age_forces_a_new_login_when_exceeded(make_rp, pupil, client, session):
    rp = make_rp()
    rp.login_flow(pupil.username, PASSWORD)
    assert "code" in rp.callback(client.get(rp.authorize_url(max_age="600")))
    session.execute(
        update(LoginSession).values(auth_time=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    )
    session.commit()
    response = client.get(rp.authorize_url(max_age="600"))
    assert "/login" in response.headers["Location"]


def test_prompt_none_when_max_age_is_exceeded_is_login_required(make_rp, pupil, client, session):
    rp = make_rp()
    rp.login_flow(pupil.username, PASSWORD)
    session.execute(
        update(LoginSession).values(auth_time=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    )
    session.commit()
    response = client.get(rp.authorize_url(prompt="none", max_age="60"))
    assert response.status_code == 302
    assert "error=login_required" in response.headers["Location"]
    assert response.headers["Location"].startswith(rp.redirect_uri)


def test_prompt_none_with_session_answers_silently(make_rp, pupil, client):
    rp = make_rp()
    rp.login_flow(pupil.username, PASSWORD)
    assert "code" in rp.callback(client.get(rp.authorize_url(prompt="none")))


def test_login_hint_for_someone_else_asks_to_sign_in(make_rp, make_pupil, client):
    alice = make_pupil(username="alice")
    rp = make_rp()
    rp.login_flow(alice.username, PASSWORD)
    response = client.get(rp.authorize_url(login_hint="bob"))
    assert response.headers["Location"].startswith("/login?interaction=")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<input[^>]*name="username"[^>]*value="bob"', html)


def test_wrong_password_shows_a_kind_error_and_no_session(make_rp, pupil, client):
    rp = make_rp()
    response = client.get(rp.authorize_url())
    page = rp.sign_in(pupil.username, "not-the-password", response.headers["Location"])
    assert page.status_code == 200
    assert "Dat wachtwoord klopt niet" in page.get_data(as_text=True)
    assert "/login" in client.get(rp.authorize_url()).headers["Location"]


def test_login_page_labels(client, pupil):
    page = client.get("/login", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert ">Gebruikersnaam</label>" in html
    assert 'value="Volgende"' in html
    assert 'autocomplete="username"' in html
    token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    step = client.post(page.request.url, data={"csrf_token": token, "username": pupil.username})
    html = client.get(step.headers["Location"]).get_data(as_text=True)
    assert ">Wachtwoord</label>" in html
    assert 'value="Aanmelden"' in html


def test_login_form_requires_csrf_token(pupil, client):
    response = client.post("/login", data={"username": pupil.username, "password": PASSWORD})
    assert response.status_code == 400
    page = client.get("/login", follow_redirects=True)
    response = client.post(page.request.url, data={"username": pupil.username})
    assert response.status_code == 200 and "Deze pagina stond lang open" in response.get_data(
        as_text=True
    )


def test_ui_locales_chooses_the_login_page_language(make_rp, client):
    rp = make_rp()
    login = client.get(rp.authorize_url(ui_locales="en-GB nl-BE")).headers["Location"]
    html = client.get(login).get_data(as_text=True)
    assert ">Username</label>" in html and 'value="Next"' in html


def test_acr_values_are_accepted_and_the_acr_is_reported(make_rp, pupil):
    rp = make_rp()
    callback = rp.login_flow(pupil.username, PASSWORD, acr_values="urn:leerid:password")
    claims = rp.verify_id_token(rp.exchange(callback["code"][0]).get_json()["id_token"])
    assert claims["acr"] == "urn:leerid:password"
