"""Every refusal carries the exact OAuth error, and nothing is sent where it must not go."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from sqlalchemy import update

from idp.models import AuthorizationCode
from tests.conftest import PASSWORD
from tests.oidc.relying_party import pkce_pair


def _error(response):
    assert response.status_code == 302, response.get_data(as_text=True)
    return parse_qs(urlsplit(response.headers["Location"]).query)


def test_public_client_without_pkce_is_refused(make_rp, client, pupil):
    rp = make_rp(auth_method="none")
    url = rp.authorize_url(code_challenge=None, code_challenge_method=None)
    params = _error(client.get(url))
    assert params["error"] == ["invalid_request"]
    assert params["state"] == [rp.last["state"]]
    assert params["iss"] == ["http://127.0.0.1:5000"]


def test_plain_pkce_is_refused(make_rp, client):
    rp = make_rp(auth_method="none")
    url = rp.authorize_url(code_challenge="a" * 43, code_challenge_method="plain")
    assert _error(client.get(url))["error"] == ["invalid_request"]


def test_wrong_or_missing_verifier(make_rp, pupil):
    rp = make_rp(auth_method="none")
    code = rp.login_flow(pupil.username, PASSWORD)["code"][0]
    wrong, _ = pkce_pair()
    assert rp.exchange(code, verifier=wrong).get_json()["error"] == "invalid_grant"
    assert rp.exchange(code, verifier="").get_json()["error"] == "invalid_request"
    # Neither failed attempt used up the code: the real verifier still works.
    assert rp.exchange(code).status_code == 200


def test_code_replay_fails_and_revokes_what_the_code_issued(make_rp, pupil):
    rp = make_rp()
    code = rp.login_flow(pupil.username, PASSWORD)["code"][0]
    tokens = rp.exchange(code).get_json()
    replay = rp.exchange(code)
    assert replay.status_code == 400
    assert replay.get_json()["error"] == "invalid_grant"
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert rp.browser.get("/userinfo", headers=bearer).status_code == 401
    refresh = rp.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert refresh.get_json()["error"] == "invalid_grant"


def test_unregistered_redirect_uri_is_never_redirected_to(make_rp, client):
    rp = make_rp()
    url = rp.authorize_url().replace("app.example", "evil.example")
    response = client.get(url)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "evil.example" not in response.get_data(as_text=True)


def test_redirect_uri_must_match_exactly(make_rp, client):
    rp = make_rp()
    for variant in (
        "https://app.example/callback/",
        "https://app.example/callback?x=1",
        "https://APP.example/callback",
        "http://app.example/callback",
    ):
        url = rp.authorize_url().replace(
            "https%3A%2F%2Fapp.example%2Fcallback", variant.replace(":", "%3A").replace("/", "%2F")
        )
        response = client.get(url)
        assert response.status_code == 400, variant
        assert "Location" not in response.headers


def test_unknown_client_gets_an_error_page(client):
    response = client.get(
        "/authorize?response_type=code&client_id=nope&scope=openid"
        "&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback"
    )
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "invalid_client" in response.get_data(as_text=True)


def test_expired_code(make_rp, pupil, session):
    rp = make_rp()
    code = rp.login_flow(pupil.username, PASSWORD)["code"][0]
    session.execute(
        update(AuthorizationCode).values(
            expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        )
    )
    session.commit()
    assert rp.exchange(code).get_json()["error"] == "invalid_grant"


def test_refresh_token_reuse_revokes_the_family(make_rp, pupil):
    rp = make_rp()
    first = rp.exchange(rp.login_flow(pupil.username, PASSWORD)["code"][0]).get_json()
    second = rp.token(grant_type="refresh_token", refresh_token=first["refresh_token"]).get_json()
    reuse = rp.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reuse.status_code == 400
    assert reuse.get_json()["error"] == "invalid_grant"
    # The legitimate newer token is gone too: the whole chain is revoked.
    later = rp.token(grant_type="refresh_token", refresh_token=second["refresh_token"])
    assert later.get_json()["error"] == "invalid_grant"
    bearer = {"Authorization": f"Bearer {second['access_token']}"}
    assert rp.browser.get("/userinfo", headers=bearer).status_code == 401


def test_a_client_cannot_use_another_clients_code(make_rp, pupil):
    victim = make_rp()
    thief = make_rp(redirect_uri="https://thief.example/cb", name="Dief")
    code = victim.login_flow(pupil.username, PASSWORD)["code"][0]
    thief.last = victim.last
    answer = thief.token(
        grant_type="authorization_code",
        code=code,
        redirect_uri=victim.redirect_uri,
        code_verifier=victim.last["verifier"],
    )
    assert answer.get_json()["error"] == "invalid_grant"
    assert victim.exchange(code).status_code == 200  # the rightful client still can


def test_scopes_the_client_may_not_have_are_dropped(make_rp, pupil):
    rp = make_rp(scopes=["openid", "profile"])
    code = rp.login_flow(pupil.username, PASSWORD, scope="openid profile school email")["code"][0]
    tokens = rp.exchange(code).get_json()
    assert tokens["scope"] == "openid profile"
    claims = rp.verify_id_token(tokens["id_token"])
    assert "school_name" not in claims and "given_name" in claims


def test_only_disallowed_scopes_is_invalid_scope(make_rp, client):
    rp = make_rp(scopes=["openid"])
    params = _error(client.get(rp.authorize_url(scope="school")))
    assert params["error"] == ["invalid_scope"]


def test_refresh_cannot_widen_the_scope(make_rp, pupil):
    rp = make_rp(scopes=["openid", "profile", "school"])
    tokens = rp.exchange(rp.login_flow(pupil.username, PASSWORD)["code"][0]).get_json()
    wider = rp.token(
        grant_type="refresh_token", refresh_token=tokens["refresh_token"], scope="openid school"
    )
    assert wider.get_json()["error"] == "invalid_scope"


def test_prompt_none_without_session_is_login_required(make_rp, client):
    rp = make_rp()
    params = _error(client.get(rp.authorize_url(prompt="none")))
    assert params["error"] == ["login_required"]
    assert params["state"] == [rp.last["state"]]


def test_implicit_and_hybrid_are_not_offered(make_rp, client):
    rp = make_rp()
    for response_type in ("token", "id_token", "code id_token", "code token"):
        url = rp.authorize_url().replace("response_type=code", f"response_type={response_type}")
        assert _error(client.get(url))["error"] == ["unsupported_response_type"], response_type


def test_password_and_client_credentials_grants_are_not_offered(make_rp):
    rp = make_rp()
    for grant in ("password", "client_credentials"):
        answer = rp.token(grant_type=grant, username="x", password="y")
        assert answer.get_json()["error"] == "unsupported_grant_type"


def test_wrong_client_secret(make_rp, pupil):
    rp = make_rp()
    code = rp.login_flow(pupil.username, PASSWORD)["code"][0]
    rp.client_secret = "wrong"
    answer = rp.exchange(code)
    assert answer.status_code == 401
    assert answer.get_json()["error"] == "invalid_client"


def test_a_token_request_without_grant_type_is_invalid_request(make_rp, pupil, client):
    rp = make_rp()
    tokens = rp.tokens(pupil.username, PASSWORD)
    for form in ({}, {"grant_type": ""}, {"refresh_token": tokens["refresh_token"]}):
        answer = rp.token(**form)
        assert answer.status_code == 400, form
        assert answer.get_json()["error"] == "invalid_request", form
    # Without any client authentication or body at all, and with a JSON body.
    for answer in (client.post("/token"), client.post("/token", json={"grant_type": "x"})):
        assert answer.status_code == 400
        assert answer.get_json()["error"] == "invalid_request"
    # An unknown grant type is still unsupported_grant_type (RFC 6749 §5.2).
    assert rp.token(grant_type="urn:x:nope").get_json()["error"] == "unsupported_grant_type"


def test_a_repeated_token_request_parameter_is_invalid_request(make_rp, pupil, client):
    rp = make_rp(auth_method="client_secret_post")
    tokens = rp.tokens(pupil.username, PASSWORD)
    form = {
        "grant_type": ["refresh_token", "refresh_token"],
        "refresh_token": tokens["refresh_token"],
        "client_id": rp.client_id,
        "client_secret": rp.client_secret,
    }
    answer = client.post("/token", data=form)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_request"


@pytest.mark.parametrize("bad", ['"', "\\"])
def test_quotes_and_backslashes_in_parameters_are_no_500(make_rp, client, bad):
    """Authlib refuses to put these characters in an error description (RFC 6749 §5.2)."""
    rp = make_rp()
    url = rp.authorize_url().replace("response_type=code", "response_type=" + quote(f"c{bad}"))
    response = client.get(url)
    assert response.status_code == 400
    assert "Location" not in response.headers
    registered = quote(rp.redirect_uri, safe="")
    url = rp.authorize_url().replace(registered, quote(f"{rp.redirect_uri}{bad}", safe=""))
    response = client.get(url)
    assert response.status_code == 400
    assert "Location" not in response.headers
    answer = client.post("/token", data={"grant_type": "refresh_token", f"x{bad}": ["1", "2"]})
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_request"


def test_a_nonce_that_does_not_fit_is_invalid_request(make_rp, client):
    rp = make_rp()
    params = _error(client.get(rp.authorize_url(nonce="n" * 501)))
    assert params["error"] == ["invalid_request"]
    assert params["state"] == [rp.last["state"]]


@pytest.mark.parametrize("nonce", ["a\x00b", "regel\nbreuk"])
def test_an_unreadable_nonce_is_refused_without_redirecting(make_rp, client, nonce):
    # The input guard (idp/input_guard.py): never a redirect with unreadable input.
    rp = make_rp()
    response = client.get(rp.authorize_url(nonce=nonce))
    assert response.status_code == 400 and "Location" not in response.headers
    assert "LeerID niet kan lezen" in response.get_data(as_text=True)


def test_the_longest_nonce_fits(make_rp, pupil):
    rp = make_rp()
    callback = rp.login_flow(pupil.username, PASSWORD, nonce="n" * 500)
    tokens = rp.exchange(callback["code"][0]).get_json()
    rp.last["nonce"] = "n" * 500
    assert rp.verify_id_token(tokens["id_token"])["nonce"] == "n" * 500
