"""Whole code flows through the Flask test client, per client authentication method."""

from __future__ import annotations

import base64

import pytest

from tests.conftest import PASSWORD


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post", "none"])
def test_code_flow_gives_a_valid_id_token_and_userinfo(make_rp, pupil, auth_method):
    rp = make_rp(auth_method=auth_method, scopes=["openid", "profile", "school"])
    callback = rp.login_flow(pupil.username, PASSWORD, scope="openid profile school")
    assert callback["state"] == [rp.last["state"]]
    assert callback["iss"] == ["http://127.0.0.1:5000"]  # RFC 9207

    response = rp.exchange(callback["code"][0])
    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    tokens = response.get_json()
    assert tokens["token_type"].lower() == "bearer"
    assert tokens["scope"] == "openid profile school"
    claims = rp.verify_id_token(tokens["id_token"])
    assert {"sub", "sid", "auth_time", "amr", "acr", "iat", "exp"} <= set(claims)
    assert claims["amr"] == ["pwd"]
    assert claims["given_name"] == "Noëlla"
    assert "national_number" not in str(claims)

    for method in ("get", "post"):
        info = getattr(rp.browser, method)(
            "/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        assert info.status_code == 200
        body = info.get_json()
        assert body["sub"] == claims["sub"]
        assert body["school_name"] == "Sint-Jozefscollege"
        assert body["class"] == "3B"
        assert body["education_type"] == "gewoon_secundair"


def test_refresh_tokens_rotate(make_rp, pupil):
    rp = make_rp()
    tokens = rp.exchange(rp.login_flow(pupil.username, PASSWORD)["code"][0]).get_json()
    renewed = rp.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert renewed.status_code == 200, renewed.get_json()
    fresh = renewed.get_json()
    assert fresh["refresh_token"] != tokens["refresh_token"]
    assert fresh["access_token"] != tokens["access_token"]
    again = rp.token(grant_type="refresh_token", refresh_token=fresh["refresh_token"])
    assert again.status_code == 200


def test_introspection_and_revocation(make_rp, pupil):
    rp = make_rp()
    tokens = rp.exchange(rp.login_flow(pupil.username, PASSWORD)["code"][0]).get_json()
    auth = "Basic " + base64.b64encode(f"{rp.client_id}:{rp.client_secret}".encode()).decode()
    headers = {"Authorization": auth}

    active = rp.browser.post("/introspect", data={"token": tokens["access_token"]}, headers=headers)
    assert active.get_json()["active"] is True
    assert active.get_json()["client_id"] == rp.client_id

    revoked = rp.browser.post(
        "/revoke",
        data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        headers=headers,
    )
    assert revoked.status_code == 200
    after = rp.browser.post("/introspect", data={"token": tokens["access_token"]}, headers=headers)
    assert after.get_json() == {"active": False}
    userinfo = rp.browser.get(
        "/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert userinfo.status_code == 401
    refresh = rp.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert refresh.get_json()["error"] == "invalid_grant"


def test_another_client_cannot_introspect_my_token(make_rp, pupil):
    mine = make_rp()
    other = make_rp(redirect_uri="https://other.example/cb", name="Taalapp")
    tokens = mine.exchange(mine.login_flow(pupil.username, PASSWORD)["code"][0]).get_json()
    raw = f"{other.client_id}:{other.client_secret}".encode()
    answer = other.browser.post(
        "/introspect",
        data={"token": tokens["access_token"]},
        headers={"Authorization": "Basic " + base64.b64encode(raw).decode()},
    )
    assert answer.get_json() == {"active": False}


def test_form_post_response_mode(make_rp, pupil, client):
    rp = make_rp()
    page = client.get(rp.authorize_url(response_mode="form_post"))
    # The password step's own response is the page that posts the code to the app.
    form = rp.sign_in(pupil.username, PASSWORD, page.headers["Location"])
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert 'action="https://app.example/callback"' in html
    assert 'name="code"' in html and f'value="{rp.last["state"]}"' in html
    assert 'name="iss" value="http://127.0.0.1:5000"' in html
    assert "form-action https://app.example" in form.headers["Content-Security-Policy"]
    assert "<script>" not in html  # the form is submitted by a script file, CSP-safe


@pytest.mark.parametrize(("lang", "locale"), [("en", "en"), ("nl", "nl-BE"), (None, "nl-BE")])
def test_the_locale_claim_is_the_language_the_pupil_signed_in_in(
    make_rp, pupil, client, lang, locale
):
    rp = make_rp()
    login = client.get(rp.authorize_url()).headers["Location"]
    done = rp.sign_in(pupil.username, PASSWORD, login + (f"&lang={lang}" if lang else ""))
    callback = rp.callback(done)
    tokens = rp.exchange(callback["code"][0]).get_json()
    assert rp.verify_id_token(tokens["id_token"])["locale"] == locale

    def userinfo(access_token):
        headers = {"Authorization": f"Bearer {access_token}"}
        return client.get("/userinfo", headers=headers).get_json()

    assert userinfo(tokens["access_token"])["locale"] == locale
    # A refreshed token belongs to the same sign-in.
    refreshed = rp.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert userinfo(refreshed.get_json()["access_token"])["locale"] == locale


def test_an_app_may_reuse_a_nonce(make_rp, pupil):
    """OpenID Connect Core §15.5.2: nonce replay is for the app to detect, not the server."""
    rp = make_rp()
    for _ in range(2):
        callback = rp.login_flow(pupil.username, PASSWORD, nonce="zelfde-nonce")
        assert "error" not in callback, callback
        response = rp.exchange(callback["code"][0])
        assert response.status_code == 200, response.get_json()
        rp.last["nonce"] = "zelfde-nonce"
        assert rp.verify_id_token(response.get_json()["id_token"])["nonce"] == "zelfde-nonce"
