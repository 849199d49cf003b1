"""The userinfo endpoint as a protected resource (OpenID Connect Core §5.3, RFC 6750)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def tokens(make_rp, pupil):
    rp = make_rp()
    return rp.tokens(pupil.username, PASSWORD)


def _bare_challenge(response) -> None:
    # RFC 6750 §3.1: no authentication information, so no error code or other detail.
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "error" not in (response.get_json() or {})


def _error(response, error: str, status: int) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"] == error
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ") and f'error="{error}"' in challenge


def test_the_token_may_come_in_a_form_body(client, tokens):
    """RFC 6750 §2.2."""
    response = client.post("/userinfo", data={"access_token": tokens["access_token"]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["given_name"] == "Noëlla"


def test_no_token_gets_a_challenge_without_error(client, tokens):
    _bare_challenge(client.get("/userinfo"))
    _bare_challenge(client.post("/userinfo"))
    _bare_challenge(client.post("/userinfo", data={"access_token": ""}))
    # Another scheme carries no bearer token either.
    _bare_challenge(client.get("/userinfo", headers={"Authorization": "Basic YTpi"}))
    # The URI query (RFC 6750 §2.3) is not offered: tokens do not belong in logs.
    _bare_challenge(client.get(f"/userinfo?access_token={tokens['access_token']}"))
    # A body of another type is not a form body (§2.2).
    _bare_challenge(client.post("/userinfo", json={"access_token": tokens["access_token"]}))


def test_an_invalid_token_is_invalid_token(client):
    _error(client.get("/userinfo", headers={"Authorization": "Bearer nope"}), "invalid_token", 401)
    _error(client.post("/userinfo", data={"access_token": "nope"}), "invalid_token", 401)


def test_a_token_sent_two_ways_is_invalid_request(client, tokens):
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    both = client.post("/userinfo", data={"access_token": tokens["access_token"]}, headers=bearer)
    _error(both, "invalid_request", 400)
    twice = client.post("/userinfo", data={"access_token": [tokens["access_token"]] * 2})
    _error(twice, "invalid_request", 400)
    _error(client.get("/userinfo", headers={"Authorization": "Bearer "}), "invalid_request", 400)


def test_the_bearer_scheme_name_is_case_free(client, tokens):
    response = client.get(
        "/userinfo", headers={"Authorization": f"bearer {tokens['access_token']}"}
    )
    assert response.status_code == 200
