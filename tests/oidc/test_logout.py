"""RP-initiated logout and back-channel logout delivery."""

from __future__ import annotations

from urllib.parse import urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet

from tests.conftest import PASSWORD


def test_rp_initiated_logout_with_back_channel(make_rp, pupil, client, app_server):
    uri, received = app_server.backchannel_uri, app_server.logouts
    rp = make_rp(post_logout_redirect_uris=["https://app.example/bye"], backchannel_logout_uri=uri)
    other = make_rp(redirect_uri="https://other.example/cb", name="Zonder back-channel")
    tokens = rp.exchange(rp.login_flow(pupil.username, PASSWORD)["code"][0]).get_json()
    id_claims = rp.verify_id_token(tokens["id_token"])
    other.callback(client.get(other.authorize_url()))  # same SSO session, second app

    response = client.get(
        "/logout?"
        + "&".join(
            [
                f"id_token_hint={tokens['id_token']}",
                "post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye",
                "state=tot-ziens",
            ]
        )
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "https://app.example/bye?state=tot-ziens"

    assert len(received) == 1, "only the app with a back-channel URI is called"
    token = received[0]
    keys = KeySet.import_key_set(client.get("/jwks").get_json())
    decoded = jwt.decode(token, keys, algorithms=["RS256", "ES256"])
    assert decoded.header["typ"] == "logout+jwt"
    claims = decoded.claims
    assert claims["iss"] == "http://127.0.0.1:5000"
    assert claims["aud"] == rp.client_id
    assert claims["sid"] == id_claims["sid"] and claims["sub"] == id_claims["sub"]
    assert "http://schemas.openid.net/event/backchannel-logout" in claims["events"]
    assert "nonce" not in claims

    # The SSO session is over: the next authorization asks to sign in.
    assert "/login" in client.get(rp.authorize_url()).headers["Location"]


def test_unregistered_post_logout_uri_is_not_followed(make_rp, pupil, client):
    rp = make_rp(post_logout_redirect_uris=["https://app.example/bye"])
    tokens = rp.exchange(rp.login_flow(pupil.username, PASSWORD)["code"][0]).get_json()
    response = client.get(
        f"/logout?id_token_hint={tokens['id_token']}"
        "&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F"
    )
    assert response.status_code == 200
    assert "Location" not in response.headers


def test_logout_without_hint_asks_for_confirmation(make_rp, pupil, client):
    rp = make_rp()
    rp.login_flow(pupil.username, PASSWORD)
    page = client.get("/logout")
    assert page.status_code == 200
    assert "Wil je afmelden" in page.get_data(as_text=True)
    # A forged POST without our CSRF token does not log anyone out.
    client.post("/logout", data={"confirm": "yes"})
    assert "code" in rp.callback(client.get(rp.authorize_url()))
    html = client.get("/logout").get_data(as_text=True)
    marker = 'name="csrf_token" value="'
    token = html[html.index(marker) + len(marker) :].split('"')[0]
    done = client.post("/logout", data={"confirm": "yes", "csrf_token": token})
    assert done.status_code == 200
    assert "/login" in client.get(rp.authorize_url()).headers["Location"]


def test_invalid_id_token_hint_never_redirects(make_rp, client):
    make_rp(post_logout_redirect_uris=["https://app.example/bye"])
    response = client.get(
        "/logout?id_token_hint=not.a.token&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye"
    )
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert urlsplit("https://app.example/bye").netloc not in response.headers.get("Location", "")
