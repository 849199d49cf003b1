"""Full flows driven by an independent certified relying party: panva's openid-client (npm),
run with Node against LeerID served on 127.0.0.1, once per client authentication method."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from idp.services.clients import register_client
from tests.conftest import PASSWORD
from tests.npm import npm_install

INTEROP = Path(__file__).parent / "interop"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """openid-client, installed from the lock file on first use."""
    if not npm_install(INTEROP, INTEROP / "node_modules" / "openid-client"):
        pytest.skip("npm is not installed")
    return INTEROP / "node_modules"


@pytest.mark.parametrize(
    "auth_method", ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]
)
def test_openid_client_full_flow(
    auth_method, node_modules, live_leerid, make_pupil, session, app_server
):
    issuer = live_leerid.url
    pupil = make_pupil(username="noella.vdb")
    private_jwk = None
    if auth_method == "private_key_jwt":
        key = RSAKey.generate_key(2048, parameters={"kid": "app-key-1", "alg": "RS256"})
        private_jwk = key.as_dict(private=True)
        app_server.jwks = {"keys": [key.as_dict(private=False)]}
    redirect_uri = f"{app_server.base}/callback"
    created = register_client(
        session,
        name="Interop app",
        redirect_uris=[redirect_uri],
        actor="test",
        public=auth_method == "none",
        auth_method=auth_method,
        scopes=["openid", "profile", "school"],
        post_logout_redirect_uris=[f"{app_server.base}/bye"],
        backchannel_logout_uri=app_server.backchannel_uri,
        jwks_uri=app_server.jwks_uri if private_jwk else None,
    )
    session.commit()

    config = {
        "issuer": issuer,
        "client_id": created.client.client_id,
        "client_secret": created.client_secret,
        "auth_method": auth_method,
        "private_jwk": private_jwk,
        "redirect_uri": redirect_uri,
        "post_logout_redirect_uri": f"{app_server.base}/bye",
        "scope": "openid profile school",
        "username": pupil.username,
        "password": PASSWORD,
    }
    run = subprocess.run(
        [NODE, str(INTEROP / "rp.mjs")],
        env={**os.environ, "RP_CONFIG": json.dumps(config)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)

    claims = result["id_token_claims"]
    assert claims["iss"] == issuer and claims["aud"] == created.client.client_id
    assert {"sub", "sid", "auth_time", "amr", "acr", "nonce"} <= set(claims)
    assert result["scope"] == "openid profile school"
    assert result["userinfo"]["sub"] == claims["sub"]
    assert result["userinfo"]["given_name"] == "Noëlla"
    assert result["userinfo"]["school_name"] == "Sint-Jozefscollege"
    assert result["refresh_rotated"] is True
    assert result["userinfo_after_refresh"]["sub"] == claims["sub"]
    assert result["reuse_error"] == "invalid_grant"
    if auth_method != "none":
        assert result["introspection"]["active"] is True
        assert result["introspection_after_revocation"] == {"active": False}
    assert result["refresh_after_revocation"] == "invalid_grant"

    assert result["logout_status"] == 302
    assert result["logout_location"] == f"{app_server.base}/bye?state={result['logout_state']}"
    assert "/login" in result["after_logout_location"]
    assert app_server.logouts, "no back-channel logout token arrived"
    keys = KeySet.import_key_set(json.loads(_get(f"{issuer}/jwks")))
    logout = jwt.decode(app_server.logouts[-1], keys, algorithms=["RS256"]).claims
    assert logout["sid"] == result["sid"] and logout["aud"] == created.client.client_id


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback test URL
        return response.read().decode()
