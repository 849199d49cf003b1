"""Client authentication at /token, /revoke and /introspect: one method per request
(RFC 6749 §2.3), and a malformed Basic header is invalid_client, never a 500."""

from __future__ import annotations

import base64

import pytest

from tests.conftest import PASSWORD
from tests.oidc.relying_party import basic

ENDPOINTS = ["/token", "/revoke", "/introspect"]


def _form(path: str, tokens: dict[str, str]) -> dict[str, str]:
    """A request that succeeds at `path` once the client is authenticated."""
    if path == "/token":
        return {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    return {"token": tokens["access_token"]}


def _refused(answer, error: str = "invalid_client", status: int = 401) -> None:
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.get_json()["error"] == error
    if status == 401:
        # RFC 6749 §5.2: a 401 names the scheme the client may use.
        assert answer.headers["WWW-Authenticate"].startswith("Basic ")


@pytest.fixture
def app_and_tokens(make_rp, pupil):
    rp = make_rp()
    return rp, rp.tokens(pupil.username, PASSWORD)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_right_basic_header_and_wrong_body_secret(app_and_tokens, client, path):
    rp, tokens = app_and_tokens
    form = {**_form(path, tokens), "client_secret": "wrong"}
    _refused(client.post(path, data=form, headers=basic(rp.client_id, rp.client_secret)))


@pytest.mark.parametrize("path", ENDPOINTS)
def test_basic_header_and_the_same_body_secret_is_still_two_methods(app_and_tokens, client, path):
    rp, tokens = app_and_tokens
    form = {**_form(path, tokens), "client_id": rp.client_id, "client_secret": rp.client_secret}
    _refused(client.post(path, data=form, headers=basic(rp.client_id, rp.client_secret)))


@pytest.mark.parametrize("path", ENDPOINTS)
def test_basic_header_and_a_body_client_id_of_another_client(app_and_tokens, make_rp, path):
    rp, tokens = app_and_tokens
    other = make_rp(redirect_uri="https://other.example/cb", name="Taalapp")
    form = {**_form(path, tokens), "client_id": other.client_id}
    _refused(rp.browser.post(path, data=form, headers=basic(rp.client_id, rp.client_secret)))


@pytest.mark.parametrize("path", ENDPOINTS)
def test_basic_header_and_its_own_client_id_in_the_body_is_fine(app_and_tokens, client, path):
    rp, tokens = app_and_tokens
    form = {**_form(path, tokens), "client_id": rp.client_id}
    answer = client.post(path, data=form, headers=basic(rp.client_id, rp.client_secret))
    assert answer.status_code == 200, answer.get_data(as_text=True)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_secret_and_a_client_assertion_at_once(make_rp, pupil, client, path):
    rp = make_rp(auth_method="client_secret_post")
    tokens = rp.tokens(pupil.username, PASSWORD)
    form = {
        **_form(path, tokens),
        "client_id": rp.client_id,
        "client_secret": rp.client_secret,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": "e30.e30.e30",
    }
    _refused(client.post(path, data=form))


@pytest.mark.parametrize("path", ENDPOINTS)
def test_basic_header_and_a_client_assertion_at_once(app_and_tokens, client, path):
    rp, tokens = app_and_tokens
    form = {
        **_form(path, tokens),
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": "e30.e30.e30",
    }
    _refused(client.post(path, data=form, headers=basic(rp.client_id, rp.client_secret)))


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_repeated_credential_parameter_is_invalid_request(make_rp, pupil, client, path):
    rp = make_rp(auth_method="client_secret_post")
    tokens = rp.tokens(pupil.username, PASSWORD)
    form = {**_form(path, tokens), "client_id": rp.client_id}
    form["client_secret"] = [rp.client_secret, "wrong"]
    _refused(client.post(path, data=form), "invalid_request", 400)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_confidential_client_cannot_fall_back_to_none(app_and_tokens, client, path):
    rp, tokens = app_and_tokens
    _refused(client.post(path, data={**_form(path, tokens), "client_id": rp.client_id}))


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_client_uses_the_method_it_registered(app_and_tokens, client, path):
    rp, tokens = app_and_tokens  # registered client_secret_basic
    form = {**_form(path, tokens), "client_id": rp.client_id, "client_secret": rp.client_secret}
    _refused(client.post(path, data=form))


def test_a_public_client_that_sends_a_secret_is_refused(make_rp, pupil, client):
    rp = make_rp(auth_method="none")
    tokens = rp.tokens(pupil.username, PASSWORD)
    form = {**_form("/token", tokens), "client_id": rp.client_id, "client_secret": "guess"}
    _refused(client.post("/token", data=form))


@pytest.mark.parametrize("path", ENDPOINTS)
def test_no_credentials_at_all(client, path):
    _refused(client.post(path, data={"grant_type": "refresh_token", "token": "x"}))


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


# Credentials LeerID cannot read (bytes that are not UTF-8, control characters): the input
# guard (idp/input_guard.py) refuses them first, like any unreadable parameter.
UNREADABLE_BASIC = [
    "Basic //46/w==",  # ÿþ:ÿ - bytes that are not UTF-8
    "Basic " + _b64("caf\xe9:geheim".encode("latin-1")),
    "Basic " + _b64(b"%ff%fe:geheim"),  # form-encoded bytes that are not UTF-8
    "Basic " + _b64(b"\x00\x01:\x02"),
]
MALFORMED_BASIC = [
    "Basic !!!!",  # not Base64
    "Basic " + _b64(b"abc:def")[:-1],  # Base64 cut short
    "Basic " + _b64(b"no-colon-here"),
    "Basic " + _b64(b":only-a-secret"),
    "Basic " + _b64(b"only-an-id:"),
    "Basic ",
    "Basic",
    "basic",
]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("header", MALFORMED_BASIC)
def test_a_malformed_basic_header_is_invalid_client(client, path, header):
    form = {"grant_type": "refresh_token", "refresh_token": "x", "token": "x"}
    _refused(client.post(path, data=form, headers={"Authorization": header}))


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("header", UNREADABLE_BASIC)
def test_unreadable_basic_credentials_are_refused_before_authentication(client, path, header):
    form = {"grant_type": "refresh_token", "refresh_token": "x", "token": "x"}
    answer = client.post(path, data=form, headers={"Authorization": header})
    _refused(answer, "invalid_request", 400)
    assert answer.get_json()["error_description"].startswith("The request cannot be read")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_the_basic_scheme_name_is_case_free(app_and_tokens, client, path):
    rp, tokens = app_and_tokens
    header = basic(rp.client_id, rp.client_secret)["Authorization"].replace("Basic", "bAsIc")
    answer = client.post(path, data=_form(path, tokens), headers={"Authorization": header})
    assert answer.status_code == 200, answer.get_data(as_text=True)


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("client_id", ["x" * 65, "é", "é\u202e"])
def test_a_client_id_that_cannot_be_one_is_invalid_client(client, path, client_id):
    """RFC 6749 Appendix A.1: a client_id is visible ASCII (a NUL or DEL the input guard
    refuses before: tests/hostile)."""
    form = {"grant_type": "refresh_token", "refresh_token": "x", "token": "x"}
    _refused(client.post(path, data={**form, "client_id": client_id}))
    _refused(client.post(path, data={**form, "client_id": client_id, "client_secret": "s"}))
