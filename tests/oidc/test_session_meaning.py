"""Sessions mean what the specs say: a fresh sign-in when the app asks for one, silence only
when nothing must be shown, consent answered, logout and new passwords ending what they
should, and a waiting request that survives two tabs, long states and cross-site POSTs."""

from __future__ import annotations

import base64
import datetime as dt
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import select, update

from idp.models import CredentialType, LoginSession
from tests.conftest import PASSWORD
from tests.signin.conftest import Browser, csrf_of

HOUR_AGO = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)


def _claims(rp, callback):
    tokens = rp.exchange(callback["code"][0]).get_json()
    return tokens, rp.verify_id_token(tokens["id_token"])


def _age_the_session(session):
    session.execute(update(LoginSession).values(auth_time=HOUR_AGO))
    session.commit()


def _login_page(client, response):
    location = response.headers["Location"]
    assert location.startswith("/login?interaction="), location
    return location, client.get(location).get_data(as_text=True)


def _forged_continue(client, location, html):
    """POST "Ja, ga verder" with the page's own token, as a pupil who clicks it would."""
    key = parse_qs(urlsplit(location).query)["interaction"][0]
    return client.post(f"/login/continue?interaction={key}", data={"csrf_token": csrf_of(html)})


@pytest.mark.parametrize("ask", [{"prompt": "login"}, {"max_age": "600"}, {"max_age": "0"}])
def test_a_fresh_sign_in_cannot_be_replaced_by_yes_continue(
    make_rp, new_pupil, client, session, ask
):
    pupil = new_pupil(CredentialType.WORD)
    rp = make_rp()
    first = rp.login_flow(pupil.username, pupil.password)
    _, first_claims = _claims(rp, first)
    _age_the_session(session)

    location, html = _login_page(client, client.get(rp.authorize_url(**ask)))
    assert "Ja, ga verder" not in html
    refused = _forged_continue(client, location, html)
    assert refused.headers["Location"].startswith("/login?interaction=")
    assert "code" not in parse_qs(urlsplit(refused.headers["Location"]).query)

    after = rp.sign_in(pupil.username, pupil.password, location)
    callback = rp.callback(after)
    _, claims = _claims(rp, callback)
    assert claims["sid"] != first_claims["sid"], "a new sign-in, not the old session"
    assert claims["auth_time"] >= int(dt.datetime.now(dt.UTC).timestamp()) - 60


@pytest.mark.parametrize("value", ["-1", "abc", "1.5", " 60", "", "9" * 20])
def test_max_age_must_be_a_non_negative_whole_number(make_rp, client, value):
    rp = make_rp()
    callback = rp.callback(client.get(rp.authorize_url(max_age=value)))
    assert callback["error"] == ["invalid_request"]
    assert callback["state"] == [rp.last["state"]]


def test_unknown_prompt_values_are_refused(make_rp, client):
    rp = make_rp()
    assert rp.callback(client.get(rp.authorize_url(prompt="login pleasenot")))["error"] == [
        "invalid_request"
    ]


def test_prompt_none_with_another_value_is_refused(make_rp, client):
    rp = make_rp()
    callback = rp.callback(client.get(rp.authorize_url(prompt="none consent")))
    assert callback["error"] == ["invalid_request"]


def test_prompt_consent_shows_what_the_app_receives(make_rp, pupil, client):
    rp = make_rp(name="Rekenapp", scopes=("openid", "profile", "school"), vendor="Uitgeverij Pi")
    rp.login_flow(pupil.username, PASSWORD)
    response = client.get(rp.authorize_url(scope="openid profile school", prompt="consent"))
    location = response.headers["Location"]
    assert location.startswith("/login/consent?interaction=")
    html = client.get(location).get_data(as_text=True)
    assert "Rekenapp wil weten wie je bent" in html and "Uitgeverij Pi" in html
    for label in ("je naam", "je school", "je klas"):
        assert f"<li>{label}</li>" in html
    allowed = client.post(location, data={"csrf_token": csrf_of(html), "allow": "x"})
    assert "code" in rp.callback(allowed)


def test_declining_consent_tells_the_app_access_denied(make_rp, pupil, client):
    rp = make_rp()
    rp.login_flow(pupil.username, PASSWORD)
    location = client.get(rp.authorize_url(prompt="consent")).headers["Location"]
    html = client.get(location).get_data(as_text=True)
    declined = client.post(location, data={"csrf_token": csrf_of(html), "deny": "x"})
    callback = rp.callback(declined)
    assert callback["error"] == ["access_denied"] and callback["state"] == [rp.last["state"]]
    # The waiting request is over.
    assert client.get(location).status_code == 400


# Logout and new passwords end what they should.


def _token_state(rp, tokens, refresh=True):
    """(userinfo status, introspection "active", refresh error or None) for these tokens;
    without `refresh` the refresh token is left unused (a use rotates it)."""
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    userinfo = rp.browser.get("/userinfo", headers=bearer).status_code
    basic = base64.b64encode(f"{rp.client_id}:{rp.client_secret}".encode()).decode()
    active = (
        rp.browser.post(
            "/introspect",
            data={"token": tokens["access_token"]},
            headers={"Authorization": f"Basic {basic}"},
        )
        .get_json()
        .get("active")
    )
    if not refresh:
        return userinfo, active, None
    refreshed = rp.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    return userinfo, active, refreshed.get_json().get("error")


def test_logout_from_the_leerlingloket_ends_the_sessions_tokens(make_rp, pupil, client):
    rp = make_rp()
    tokens, _ = _claims(rp, rp.login_flow(pupil.username, PASSWORD))
    assert _token_state(rp, tokens, refresh=False) == (200, True, None)
    portal = client.get("/portal/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_of(portal), "confirm": "yes"})
    assert _token_state(rp, tokens) == (401, False, "invalid_grant")


def test_rp_initiated_logout_ends_the_sessions_tokens(make_rp, pupil, client):
    rp = make_rp(post_logout_redirect_uris=["https://app.example/bye"])
    tokens, _ = _claims(rp, rp.login_flow(pupil.username, PASSWORD))
    response = client.get("/logout?" + urlencode({"id_token_hint": tokens["id_token"]}))
    assert response.status_code == 200 and "Je bent afgemeld" in response.get_data(as_text=True)
    assert _token_state(rp, tokens) == (401, False, "invalid_grant")


def test_a_changed_password_ends_the_other_sessions_and_their_tokens(make_rp, pupil, app, client):
    rp = make_rp()
    mine, _ = _claims(rp, rp.login_flow(pupil.username, PASSWORD))
    other_browser = app.test_client()
    other = make_rp(browser=other_browser, redirect_uri="https://app.example/callback")
    other.client_id, other.client_secret = rp.client_id, rp.client_secret
    theirs, _ = _claims(other, other.login_flow(pupil.username, PASSWORD))

    page = client.get("/portal/password").get_data(as_text=True)
    new = "Een nieuw en lang wachtwoord"
    changed = client.post(
        "/portal/password",
        data={
            "csrf_token": csrf_of(page),
            "current": PASSWORD,
            "password": new,
            "confirmation": new,
        },
    )
    assert changed.headers["Location"] == "/portal/"
    assert _token_state(other, theirs) == (401, False, "invalid_grant")
    assert other_browser.get("/portal/").status_code == 302, "signed out elsewhere"
    assert _token_state(rp, mine)[:2] == (200, True), "this session goes on"
    assert client.get("/portal/").status_code == 200


def test_an_older_reset_link_stops_working_once_the_password_changed(
    new_pupil, client, mailbox, session
):
    from tests.mail import link_in

    pupil = new_pupil(CredentialType.OWN)
    pupil.account.email = "lars@example.org"
    pupil.account.email_verified_at = dt.datetime.now(dt.UTC)
    session.commit()
    browser = Browser(client)
    links = []
    for _ in range(2):
        mailbox.messages.clear()
        browser.submit("/password/forgot", email="lars@example.org")
        links.append(link_in(mailbox.wait(1)[0]))
    new = "Een nieuw en lang wachtwoord"
    done = browser.submit(links[1], password=new, confirmation=new)
    assert "Je wachtwoord is gewijzigd" in done.get_data(as_text=True)
    assert client.get(links[0]).status_code == 404


def test_a_reset_link_stops_working_once_the_password_is_changed_in_the_leerlingloket(
    new_pupil, client, mailbox, session
):
    from tests.mail import link_in

    pupil = new_pupil(CredentialType.OWN)
    pupil.account.email = "lars@example.org"
    pupil.account.email_verified_at = dt.datetime.now(dt.UTC)
    session.commit()
    browser = Browser(client)
    browser.submit("/password/forgot", email="lars@example.org")
    link = link_in(mailbox.wait(1)[0])
    # The pupil remembered it after all, and changes it knowing the current one.
    browser.sign_in(pupil)
    new = "Een nieuw en lang wachtwoord"
    changed = browser.submit(
        "/portal/password", current=pupil.password, password=new, confirmation=new
    )
    assert changed.headers["Location"] == "/portal/"
    assert Browser(client.application.test_client()).get(link).status_code == 404


# Logout on a shared tablet.


def _sign_in_as(client, rp, pupil):
    client.delete_cookie("leerid_session")
    return _claims(rp, rp.login_flow(pupil.username, PASSWORD))


def test_a_hint_of_another_pupil_never_silently_ends_this_session(
    make_rp, make_pupil, client, session
):
    rp = make_rp(post_logout_redirect_uris=["https://app.example/bye"])
    first, second = make_pupil(), make_pupil()
    old_tokens, _ = _sign_in_as(client, rp, first)
    _sign_in_as(client, rp, second)  # the next pupil on the tablet
    response = client.get(
        "/logout?"
        + urlencode(
            {
                "id_token_hint": old_tokens["id_token"],
                "post_logout_redirect_uri": "https://app.example/bye",
            }
        )
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Wil je afmelden bij LeerID?" in html
    assert second.username in html
    open_sessions = session.scalars(select(LoginSession).where(LoginSession.ended_at.is_(None)))
    assert {login.account_id for login in open_sessions} == {first.id, second.id}
    # Confirmed, only this browser's session ends, and the app gets its pupil back.
    confirmed = client.post(
        "/logout",
        data={
            "csrf_token": csrf_of(html),
            "confirm": "yes",
            "id_token_hint": old_tokens["id_token"],
            "post_logout_redirect_uri": "https://app.example/bye",
        },
    )
    assert confirmed.headers["Location"] == "https://app.example/bye"
    session.expire_all()
    still_open = session.scalars(select(LoginSession).where(LoginSession.ended_at.is_(None)))
    assert [login.account_id for login in still_open] == [first.id]


def test_client_id_and_a_registered_post_logout_uri_return_after_confirming(make_rp, pupil, client):
    rp = make_rp(post_logout_redirect_uris=["https://app.example/bye"])
    rp.login_flow(pupil.username, PASSWORD)
    query = {
        "client_id": rp.client_id,
        "post_logout_redirect_uri": "https://app.example/bye",
        "state": "tot-ziens",
    }
    page = client.get("/logout?" + urlencode(query))
    html = page.get_data(as_text=True)
    assert "Wil je afmelden bij LeerID?" in html
    # The confirmation form leads on to the app (Chromium checks form-action on redirects).
    assert "form-action 'self' https://app.example;" in page.headers["Content-Security-Policy"]
    done = client.post("/logout", data={**query, "csrf_token": csrf_of(html), "confirm": "yes"})
    assert done.headers["Location"] == "https://app.example/bye?state=tot-ziens"
    # Without a session there is nothing to confirm: straight back to the app.
    again = client.get("/logout?" + urlencode(query))
    assert again.headers["Location"] == "https://app.example/bye?state=tot-ziens"


# The waiting request.


def test_two_tabs_that_start_at_the_same_moment_both_reach_their_app(
    make_rp, new_pupil, app, client
):
    """Two first requests without cookies whose answers both land in one cookie jar: each
    interaction has a cookie of its own, so neither tab's sign-in is lost."""
    pupil = new_pupil(CredentialType.WORD)
    apps = [make_rp(), make_rp(redirect_uri="https://taal.example/cb", name="Taalapp")]
    starts = []
    for rp in apps:
        tab = app.test_client()  # the same browser, but neither answer arrived yet
        login = tab.get(rp.authorize_url()).headers["Location"]
        page = tab.get(login)
        starts.append((login, page.get_data(as_text=True)))
        for cookie in (tab.get_cookie(name) for name in _cookie_names(tab)):
            client.set_cookie(cookie.key, cookie.value, path=cookie.path)
    for rp, (login, html) in zip(apps, starts, strict=True):
        step = client.post(login, data={"csrf_token": csrf_of(html), "username": pupil.username})
        assert step.status_code == 302, step.get_data(as_text=True)
        page = client.get(step.headers["Location"]).get_data(as_text=True)
        done = client.post(
            step.headers["Location"],
            data={"csrf_token": csrf_of(page), "password": pupil.password},
        )
        assert "code" in rp.callback(done)


def _cookie_names(client):
    return [cookie.key for cookie in client._cookies.values()]


def test_a_state_of_4000_characters_is_carried_intact(make_rp, pupil, client):
    rp = make_rp()
    state = "s" * 1000 + "ëñ/?&=+" * 400 + "e" * 200
    assert len(state) >= 4000
    url = rp.authorize_url(state=state)
    callback = rp.login_flow_from(url, pupil.username, PASSWORD)
    assert callback["state"] == [state] and "code" in callback


def test_a_longer_state_is_refused_before_the_pupil_types(make_rp, client):
    rp = make_rp()
    callback = rp.callback(client.get(rp.authorize_url(state="x" * 5000)))
    assert callback["error"] == ["invalid_request"]
    assert "state" not in callback


def test_a_cross_site_post_keeps_the_sso_session(make_rp, pupil, client):
    rp = make_rp()
    rp.login_flow(pupil.username, PASSWORD)
    url = rp.authorize_url(prompt="none")
    form = dict(parse_qs(urlsplit(url).query, keep_blank_values=True))
    # The POST arrives without the SameSite=Lax session cookie, as from the app's site.
    stranger = client.application.test_client()
    posted = stranger.post("/authorize", data={k: v[0] for k, v in form.items()})
    assert posted.status_code == 303
    assert "leerid_session" not in posted.headers.get("Set-Cookie", "")
    # The redirect is a top-level GET, which carries the cookie: a code, not login_required.
    assert "code" in rp.callback(client.get(posted.headers["Location"]))


def test_a_waiting_request_opened_in_another_browser_goes_nowhere(make_rp, app, client):
    rp = make_rp()
    login = client.get(rp.authorize_url()).headers["Location"]
    other = app.test_client()
    response = other.get(login)
    assert response.status_code == 400
    assert "Deze aanmelding kan niet verder" in response.get_data(as_text=True)
    key = parse_qs(urlsplit(login).query)["interaction"][0]
    assert other.get(f"/authorize?interaction={key}").status_code == 400


def test_ui_locales_is_a_preference_list(make_rp, client):
    rp = make_rp()
    for value, expected in (("fr-BE en", ">Username</label>"), (" ", ">Gebruikersnaam</label>")):
        client.delete_cookie("leerid_session")
        response = client.get(rp.authorize_url(ui_locales=value))
        assert response.status_code == 302
        html = client.get(response.headers["Location"]).get_data(as_text=True)
        assert re.search(expected, html), value


def test_a_logout_token_is_no_id_token_hint(make_rp, pupil, client, app):
    """Signed with the same keys and naming this very session, a logout token (which
    carries `events`) still does not end the session without asking."""
    from joserfc import jwt

    rp = make_rp()
    tokens, claims = _claims(rp, rp.login_flow(pupil.username, PASSWORD))
    key = app.extensions["leerid.keyring"].signing_key("RS256")
    event = {"http://schemas.openid.net/event/backchannel-logout": {}}
    logout_token = jwt.encode(
        {"alg": "RS256", "kid": key.kid, "typ": "logout+jwt"},
        {k: claims[k] for k in ("iss", "aud", "sub", "sid", "iat", "exp")} | {"events": event},
        key.key,
    )
    response = client.get("/logout?" + urlencode({"id_token_hint": logout_token}))
    assert "Wil je afmelden bij LeerID?" in response.get_data(as_text=True)
    # The ID token itself ends it at once.
    done = client.get("/logout?" + urlencode({"id_token_hint": tokens["id_token"]}))
    assert "Je bent afgemeld" in done.get_data(as_text=True)


def test_an_id_token_hint_of_another_pupil_is_not_answered_for_the_pupil_at_the_tablet(
    make_rp, make_pupil, client
):
    rp = make_rp()
    first, second = make_pupil(), make_pupil()
    first_tokens, _ = _sign_in_as(client, rp, first)
    second_tokens, _ = _sign_in_as(client, rp, second)
    # Silently: the app asks whether the first pupil is still there; it is not.
    callback = rp.callback(
        client.get(rp.authorize_url(prompt="none", id_token_hint=first_tokens["id_token"]))
    )
    assert callback["error"] == ["login_required"] and "code" not in callback
    # With a page: a real sign-in, no "Ja, ga verder" for the wrong pupil.
    location, html = _login_page(
        client, client.get(rp.authorize_url(id_token_hint=first_tokens["id_token"]))
    )
    assert "Ja, ga verder" not in html
    # The hint of the pupil who is there is answered silently.
    ok = rp.callback(
        client.get(rp.authorize_url(prompt="none", id_token_hint=second_tokens["id_token"]))
    )
    assert "code" in ok


@pytest.mark.parametrize("hint", ["not-a-token", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."])
def test_an_id_token_hint_that_is_not_ours_is_invalid_request(make_rp, client, hint):
    rp = make_rp()
    callback = rp.callback(client.get(rp.authorize_url(id_token_hint=hint)))
    assert callback["error"] == ["invalid_request"]


def _form_action(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return next(d for d in policy.split("; ") if d.startswith("form-action "))


def test_sign_in_forms_may_lead_on_only_to_the_waiting_apps_origin(make_rp, pupil, client):
    # Chromium applies form-action to the redirects after a form's POST: the sign-in steps
    # of a waiting app add its origin (or the pupil never reaches it); nothing else.
    assert _form_action(client.get("/login")) == "form-action 'self'"
    rp = make_rp(redirect_uri="https://rekenapp.example:8443/callback")
    make_rp(redirect_uri="https://other.example/callback")  # registered, not waiting
    location, _html = _login_page(client, client.get(rp.authorize_url()))
    expected = "form-action 'self' https://rekenapp.example:8443"
    assert _form_action(client.get(location)) == expected
    step = rp._post_form(location, username=pupil.username)
    assert _form_action(client.get(step.headers["Location"])) == expected
