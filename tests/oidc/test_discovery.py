"""Discovery: the metadata describes exactly what the server offers."""

from __future__ import annotations

from idp import create_app
from idp.capabilities import CLIENT_AUTH_METHODS
from idp.db import get_database


def test_discovery_document(client):
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["issuer"] == "http://127.0.0.1:5000"
    assert meta["response_types_supported"] == ["code"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["subject_types_supported"] == ["pairwise"]
    assert set(meta["response_modes_supported"]) == {"query", "form_post"}
    assert "password" not in meta["grant_types_supported"]
    assert meta["backchannel_logout_supported"] is True
    assert meta["jwks_uri"] == "http://127.0.0.1:5000/jwks"
    # Every prompt value the authorization endpoint answers, and no other.
    assert set(meta["prompt_values_supported"]) == {"none", "login", "consent", "select_account"}


def test_issuer_comes_from_configuration(settings):

    settings["server"]["issuer"] = "https://leerid.example"
    app = create_app(settings)
    meta = app.test_client().get("/.well-known/openid-configuration").get_json()
    get_database(app).engine.dispose()
    assert meta["issuer"] == "https://leerid.example"
    assert meta["token_endpoint"] == "https://leerid.example/token"


def test_client_authentication_is_announced_from_one_list(client):
    meta = client.get("/.well-known/openid-configuration").get_json()
    methods = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]
    assert meta["token_endpoint_auth_methods_supported"] == list(CLIENT_AUTH_METHODS) == methods
    assert meta["revocation_endpoint_auth_methods_supported"] == methods
    assert meta["introspection_endpoint_auth_methods_supported"] == methods[:3]
    for endpoint in ("token", "revocation", "introspection"):
        assert meta[f"{endpoint}_endpoint_auth_signing_alg_values_supported"] == ["RS256", "ES256"]
