"""Discovery: the metadata describes exactly what the server offers."""

from __future__ import annotations

from idp import create_app
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


def test_issuer_comes_from_configuration(settings):

    settings["server"]["issuer"] = "https://leerid.example"
    app = create_app(settings)
    meta = app.test_client().get("/.well-known/openid-configuration").get_json()
    get_database(app).engine.dispose()
    assert meta["issuer"] == "https://leerid.example"
    assert meta["token_endpoint"] == "https://leerid.example/token"
