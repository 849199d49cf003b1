"""The guard (idp.input_guard): what it refuses, how it says so, and what it lets through."""

from __future__ import annotations

import base64
import json

import pytest

from idp import input_guard

DUTCH = "Je aanvraag bevatte tekens die LeerID niet kan lezen"
ENGLISH = "Your request contained characters LeerID cannot read"
FORM = "application/x-www-form-urlencoded"


def oauth_error(response, description):
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {
        "error": "invalid_request",
        "error_description": f"The request cannot be read: {description}",
    }


def guard_page(response, text=DUTCH, detail=None):
    body = response.get_data(as_text=True)
    assert response.status_code == 400, body
    assert response.mimetype == "text/html"
    assert text in body
    assert '<a class="button" href="/">' in body, "a way back to the start"
    assert "Location" not in response.headers
    if detail:
        assert f"<code>{detail}</code>" in body


def test_protocol_endpoints_refuse_with_an_oauth_error(client):
    response = client.post(
        "/token", data="grant_type=authorization_code&code=abc%00", content_type=FORM
    )
    oauth_error(response, "parameter code: a control character")


def test_pages_refuse_with_a_page_in_the_pupils_language(client):
    guard_page(
        client.get("/login?login_hint=zoe%00"), detail="parameter login_hint: a control character"
    )
    guard_page(client.get("/login?lang=en&login_hint=%C3%28"), ENGLISH)


def test_bytes_that_werkzeug_would_keep_as_text_are_refused(client, app):
    # Werkzeug turns an undecodable %FF into the three characters "%FF", silently.
    with app.test_request_context("/login?login_hint=%FF"):
        from flask import request

        assert request.args["login_hint"] == "%FF"
    guard_page(client.get("/login?login_hint=%FF"), detail="parameter login_hint: not UTF-8")


def test_authorize_never_redirects_input_it_cannot_read(client, world):
    params = world.authorize_params()
    params["nonce"] = "n"
    query = "&".join(f"{k}={v}" for k, v in params.items() if k != "redirect_uri")
    response = client.get(f"/authorize?{query}&redirect_uri=https%3A%2F%2Fapp.example%2F%FF")
    guard_page(response, detail="parameter redirect_uri: not UTF-8")


def test_a_line_break_in_a_single_line_field_is_refused(client):
    response = client.post("/password/forgot", data="email=a%40b.be%0D%0A", content_type=FORM)
    guard_page(response, detail="parameter email: a line break")


def test_a_multi_line_field_may_hold_line_breaks_but_not_nul(client, world, monkeypatch):
    monkeypatch.setattr(input_guard, "MULTILINE_FIELDS", frozenset({"email"}))
    taken = world.browser().submit("/password/forgot", {"email": "a\r\nb"})
    assert taken.status_code == 200
    assert "Dat lijkt geen e-mailadres." in taken.get_data(as_text=True), "the view's own answer"
    refused = world.browser().submit("/password/forgot", {"email": "a\x00b"})
    guard_page(refused, detail="parameter email: a control character")
    # Only form fields are multi-line: never a query parameter of the same name.
    guard_page(client.get("/password/forgot?email=a%0Ab"))


def test_tab_is_whitespace_the_views_strip(world):
    browser = world.browser()
    account = world.pupil()
    step = browser.submit("/login", {"username": f"\t{account.username}\t"})
    assert step.status_code == 302
    assert "/login/password" in step.headers["Location"]


def test_the_guard_answers_before_the_csrf_check(client):
    response = client.post("/login", data="username=zo%00e", content_type=FORM)
    guard_page(response, detail="parameter username: a control character")


def test_an_unreadable_path_is_refused(client):
    guard_page(client.get("/k/abc%FF"), detail="the path: not UTF-8")
    guard_page(client.get("/k/abc%0A"), detail="the path: a line break")


def test_a_cookie_it_cannot_read_is_refused_and_dropped(client):
    client.set_cookie("leerid_session", "a\x00b")
    response = client.get("/")
    guard_page(response, detail="cookie leerid_session: a control character")
    assert "leerid_session=;" in response.headers["Set-Cookie"]
    assert "Expires=Thu, 01 Jan 1970" in response.headers["Set-Cookie"]
    assert client.get("/").status_code == 200, "the next request can be read"


def test_json_with_a_lone_surrogate_is_refused(client):
    body = json.dumps({"grant_type": "authorization_code", "code": "\ud800"})
    response = client.post("/token", data=body, content_type="application/json")
    oauth_error(response, "the JSON body: not UTF-8")


def test_basic_credentials_are_read_as_the_server_reads_them(client):
    credentials = base64.b64encode(b"app\xff:secret").decode()
    response = client.post(
        "/token",
        data={"grant_type": "refresh_token"},
        headers={"Authorization": f"Basic {credentials}"},
    )
    oauth_error(response, "the Basic credentials: not UTF-8")
    encoded_nul = base64.b64encode(b"app%00:secret").decode()
    response = client.post(
        "/token",
        data={"grant_type": "refresh_token"},
        headers={"Authorization": f"Basic {encoded_nul}"},
    )
    oauth_error(response, "the Basic credentials: a control character")


def test_a_method_the_endpoint_does_not_take_still_gets_json(client):
    oauth_error(client.get("/token?code=%00"), "parameter code: a control character")


@pytest.mark.parametrize(
    ("name", "value", "what"),
    [
        ("redirect_uri", "https://app.example/call back", "not a URI"),
        ("redirect_uri", 'https://app.example/"x"', "not a URI"),
        ("response_type", "code token!", "not a response type"),
        ("scope", "   ", "no scope tokens"),
        ("scope", 'openid "profile"', "no scope tokens"),
    ],
)
def test_oauth_parameters_follow_rfc_6749_appendix_a(client, world, name, value, what):
    params = world.authorize_params(**{name: value})
    response = client.get("/authorize", query_string=params)
    guard_page(response, detail=f"parameter {name}: {what}")


def test_an_oauth_parameter_without_a_value_counts_as_omitted(client):
    response = client.post("/token", data={"grant_type": "refresh_token", "scope": ""})
    # Past the guard: the token endpoint itself asks who the client is.
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"
