"""private_key_jwt client authentication (OpenID Connect Core §9, RFC 7523 §3)."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import pytest
from joserfc import jws
from joserfc.jwk import ECKey, RSAKey

from idp.services import remote_keys
from tests.conftest import PASSWORD
from tests.oidc.relying_party import ISSUER

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture(autouse=True)
def _no_cached_keys(monkeypatch):
    # Key sets are cached per URI for the process; a port reused by another test's app
    # server must not find this one's keys.
    monkeypatch.setattr(remote_keys, "_CACHE", {})


@pytest.fixture
def key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "app-1", "alg": "RS256", "use": "sig"})


@pytest.fixture
def app_with_key(make_rp, app_server, key):
    """A private_key_jwt app whose key set is served at its jwks_uri."""
    app_server.jwks = {"keys": [key.as_dict(private=False)]}
    return make_rp(auth_method="private_key_jwt", jwks_uri=app_server.jwks_uri)


def assertion(key: Any, client_id: str, **claims: Any) -> str:
    """A client assertion, valid unless `claims` say otherwise (None removes a claim)."""
    now = int(time.time())
    body = {
        "iss": client_id,
        "sub": client_id,
        "aud": ISSUER,
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_urlsafe(12),
        **claims,
    }
    body = {name: value for name, value in body.items() if value is not None}
    # Serialised here rather than by jwt.encode, which refuses strings that are not
    # valid Unicode (a lone surrogate), and an app might still send one.
    payload = json.dumps(body).encode("ascii")
    alg = "ES256" if isinstance(key, ECKey) else "RS256"
    return jws.serialize_compact({"alg": alg, "typ": "JWT"}, payload, key)


def _post(client, path: str, signed: str, **form: str):
    data = {"client_assertion_type": JWT_BEARER, "client_assertion": signed, **form}
    return client.post(path, data=data)


def _introspect(client, signed: str):
    return _post(client, "/introspect", signed, token="not-a-token")


def _refused(answer) -> None:
    assert answer.status_code == 401, answer.get_data(as_text=True)
    assert answer.get_json()["error"] == "invalid_client"


def test_a_code_flow_with_an_assertion(app_with_key, client, key, pupil):
    rp = app_with_key
    code = rp.login_flow(pupil.username, PASSWORD)["code"][0]
    answer = _post(
        client,
        "/token",
        assertion(key, rp.client_id),
        grant_type="authorization_code",
        code=code,
        redirect_uri=rp.redirect_uri,
        code_verifier=rp.last["verifier"],
        client_id=rp.client_id,
    )
    assert answer.status_code == 200, answer.get_json()
    rp.verify_id_token(answer.get_json()["id_token"])


@pytest.mark.parametrize(
    "audience", [ISSUER, f"{ISSUER}/token", [ISSUER], [ISSUER, f"{ISSUER}/token"]]
)
@pytest.mark.parametrize("path", ["/token", "/revoke", "/introspect"])
def test_the_issuer_or_the_token_endpoint_is_the_audience(
    app_with_key, client, key, path, audience
):
    form = {"grant_type": "refresh_token", "refresh_token": "x", "token": "x"}
    answer = _post(client, path, assertion(key, app_with_key.client_id, aud=audience), **form)
    assert answer.get_json().get("error") != "invalid_client", answer.get_json()


@pytest.mark.parametrize(
    "audience",
    [
        f"{ISSUER}/revoke",
        f"{ISSUER}/introspect",
        f"{ISSUER}/userinfo",
        f"{ISSUER}/",
        "https://other-idp.example",
        [ISSUER, "https://other-idp.example"],
        [],
        "",
    ],
)
@pytest.mark.parametrize("path", ["/token", "/revoke", "/introspect"])
def test_any_other_audience_is_refused(app_with_key, client, key, path, audience):
    form = {"grant_type": "refresh_token", "refresh_token": "x", "token": "x"}
    _refused(_post(client, path, assertion(key, app_with_key.client_id, aud=audience), **form))


def test_an_assertion_valid_for_long_is_refused(app_with_key, client, key):
    client_id, now = app_with_key.client_id, int(time.time())
    for claims in (
        {"exp": now + 3600},
        {"exp": now + 10**12},  # too far for a date at all
        {"iat": now - 250, "exp": now + 60},  # 310 s from iat to exp
        {"iat": None, "exp": now + 400},
    ):
        _refused(_introspect(client, assertion(key, client_id, **claims)))
    # Within 5 minutes, with or without iat.
    assert _introspect(client, assertion(key, client_id, exp=now + 290)).status_code == 200
    answer = _introspect(client, assertion(key, client_id, iat=None, exp=now + 200))
    assert answer.status_code == 200


def test_expired_or_incomplete_assertions_are_refused(app_with_key, client, key):
    client_id, now = app_with_key.client_id, int(time.time())
    for claims in (
        {"exp": now - 120},
        {"exp": None},
        {"exp": "soon"},
        {"aud": None},
        {"jti": None},
        {"iat": now + 600},
        {"iss": "someone-else"},
    ):
        _refused(_introspect(client, assertion(key, client_id, **claims)))


def test_a_jti_is_used_once(app_with_key, client, key):
    signed = assertion(key, app_with_key.client_id)
    assert _introspect(client, signed).status_code == 200
    _refused(_introspect(client, signed))


def test_a_jti_stays_used_when_the_request_fails_later(app_with_key, client, key):
    signed = assertion(key, app_with_key.client_id)
    refused = _post(client, "/token", signed, grant_type="refresh_token", refresh_token="bad")
    assert refused.get_json()["error"] == "invalid_grant"
    _refused(_introspect(client, signed))


def test_a_foreign_key_or_algorithm_is_refused(app_with_key, client, key):
    other = RSAKey.generate_key(2048, parameters={"kid": "app-1"})
    _refused(_introspect(client, assertion(other, app_with_key.client_id)))
    ec = ECKey.generate_key("P-256", parameters={"kid": "app-1"})
    _refused(_introspect(client, assertion(ec, app_with_key.client_id)))
    unsigned = "eyJhbGciOiJub25lIn0." + assertion(key, app_with_key.client_id).split(".")[1] + "."
    _refused(_introspect(client, unsigned))
    _refused(_introspect(client, "not.a.jwt"))


def test_a_body_client_id_must_be_the_assertions_subject(app_with_key, make_rp, client, key):
    other = make_rp(redirect_uri="https://other.example/cb", name="Taalapp")
    signed = assertion(key, app_with_key.client_id)
    _refused(_post(client, "/introspect", signed, token="x", client_id=other.client_id))


def test_a_client_with_a_secret_cannot_send_an_assertion(make_rp, client, key):
    rp = make_rp()  # client_secret_basic
    _refused(_introspect(client, assertion(key, rp.client_id)))


@pytest.mark.parametrize(
    "served",
    [
        {"keys": [{"kty": "RSA", "n": "!!!", "e": "AQAB"}]},
        {"keys": [{"kty": "EC", "crv": "P-999", "x": "AQAB", "y": "AQAB"}]},
        {"keys": [{"kty": ["RSA"]}]},
        {"keys": 5},
        {"keys": []},
        {"no": "keys"},
        ["not", "an", "object"],
    ],
)
def test_an_invalid_key_set_is_invalid_client(make_rp, app_server, client, key, served):
    rp = make_rp(auth_method="private_key_jwt", jwks_uri=app_server.jwks_uri)
    app_server.jwks = served
    _refused(_introspect(client, assertion(key, rp.client_id)))


def test_an_unreachable_jwks_uri_is_invalid_client(make_rp, client, key):
    # Port 1 on the loopback: nothing listens there, the connection is refused at once.
    rp = make_rp(auth_method="private_key_jwt", jwks_uri="http://127.0.0.1:1/jwks")
    _refused(_introspect(client, assertion(key, rp.client_id)))


def test_keys_are_fetched_over_https_or_from_the_loopback_only():
    for uri in ("http://127.0.0.1.evil.example/jwks", "http://127.0.0.10/jwks", "ftp://x/jwks"):
        with pytest.raises(remote_keys.RemoteKeysError, match="https required"):
            remote_keys.fetch_jwks(uri)


@pytest.mark.parametrize("jti", ["j" * 400, "a\x00b", "\ud800", "ü"])
def test_any_jti_is_remembered(app_with_key, client, key, jti):
    """RFC 7519 §4.1.7: any string; stored as a digest, so length and characters do not matter."""
    signed = assertion(key, app_with_key.client_id, jti=jti)
    assert _introspect(client, signed).status_code == 200
    _refused(_introspect(client, signed))
