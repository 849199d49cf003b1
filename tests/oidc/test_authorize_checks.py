"""The authorization endpoint is strict where the specs are: each refusal is the exact OAuth
error, sent to the app's verified redirect URI with its state (idp/oauth/checks.py)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"request": "eyJhbGciOiJub25lIn0.e30."}, "request_not_supported"),
        ({"request_uri": "https://app.example/request.jwt"}, "request_uri_not_supported"),
        ({"response_mode": "fragment"}, "invalid_request"),
        ({"response_mode": "web_message"}, "invalid_request"),
        ({"nonce": "n" * 600}, "invalid_request"),
        ({"prompt": "select_account none"}, "invalid_request"),
    ],
)
def test_refusals_are_exact(make_rp, client, extra, error):
    rp = make_rp()
    callback = rp.callback(client.get(rp.authorize_url(**extra)))
    assert callback["error"] == [error]
    assert callback["state"] == [rp.last["state"]]
    assert callback["iss"] == ["http://127.0.0.1:5000"]


def test_an_unsupported_response_mode_is_never_silently_replaced(make_rp, pupil, client):
    rp = make_rp()
    rp.login_flow(pupil.username, PASSWORD)
    response = client.get(rp.authorize_url(response_mode="fragment"))
    assert "#" not in response.headers["Location"]
    assert "code=" not in response.headers["Location"]


def test_a_nonce_of_500_characters_is_carried(make_rp, pupil):
    rp = make_rp()
    nonce = "n" * 500
    callback = rp.login_flow(pupil.username, PASSWORD, nonce=nonce)
    rp.last["nonce"] = nonce
    claims = rp.verify_id_token(rp.exchange(callback["code"][0]).get_json()["id_token"])
    assert claims["nonce"] == nonce


def test_an_app_may_post_its_request(make_rp, pupil, client):
    from urllib.parse import parse_qs, urlsplit

    rp = make_rp()
    rp.login_flow(pupil.username, PASSWORD)
    query = parse_qs(urlsplit(rp.authorize_url()).query)
    posted = client.post("/authorize", data={name: values[0] for name, values in query.items()})
    assert posted.status_code == 303
    assert "code" in rp.callback(client.get(posted.headers["Location"]))


def test_a_post_for_an_unknown_app_is_an_error_page(client):
    response = client.post(
        "/authorize", data={"client_id": "nope", "redirect_uri": "https://evil.example/"}
    )
    assert response.status_code == 400 and "Location" not in response.headers


@pytest.mark.parametrize(
    "extra", [{"state": "s" * 20_000}, {"acr_values": "x" * 20_000}, {"max_age": "soon"}]
)
def test_a_posted_request_is_checked_before_it_is_kept(make_rp, client, session, extra):
    from urllib.parse import parse_qs, urlsplit

    from sqlalchemy import func, select

    from idp.models import Interaction

    rp = make_rp()
    query = parse_qs(urlsplit(rp.authorize_url(**extra)).query)
    posted = client.post("/authorize", data={name: values[0] for name, values in query.items()})
    callback = rp.callback(posted)
    assert callback["error"] == ["invalid_request"]
    assert session.scalar(select(func.count(Interaction.id))) == 0, "nothing was stored"


@pytest.mark.parametrize("name", ["response_mode", "prompt", "nonce", "max_age", "ui_locales"])
def test_a_parameter_sent_twice_is_refused(make_rp, pupil, client, name):
    # RFC 6749 §3.1: never "the first one wins", whichever parameter it is.
    rp = make_rp()
    rp.login_flow(pupil.username, PASSWORD)  # a live session: nothing else stands in the way
    value = {"response_mode": "query", "prompt": "login", "max_age": "60"}.get(name, "x")
    url = rp.authorize_url() + f"&{name}={value}&{name}={value}"
    callback = rp.callback(client.get(url))
    assert callback["error"] == ["invalid_request"]
    assert name in callback["error_description"][0]
    assert "code" not in callback
