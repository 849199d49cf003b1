"""Signing keys: published JWKS, ES256 on request, and rotation while tokens are live."""

from __future__ import annotations

import base64
import json
import shutil
import time
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from idp.signing_keys import load_signing_keys, rotate
from tests.conftest import PASSWORD


@pytest.fixture
def settings(settings, keys_dir, tmp_path):
    """A private copy of the keys: these tests rotate them."""
    private = tmp_path / "keys"
    shutil.copytree(keys_dir, private)
    settings["keys"]["directory"] = str(private)
    return settings


def _kid(token: str) -> str:
    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "==="))["kid"]


def test_jwks_publishes_public_keys_only(client):
    keys = client.get("/jwks").get_json()["keys"]
    assert {k["alg"] for k in keys} == {"RS256", "ES256"}
    for key in keys:
        assert "d" not in key and "p" not in key, "private parts must never be published"
        assert key["use"] == "sig" and key["kid"]


def test_es256_when_the_client_asks_for_it(make_rp, pupil):
    rp = make_rp(id_token_alg="ES256")
    tokens = rp.exchange(rp.login_flow(pupil.username, PASSWORD)["code"][0]).get_json()
    keys = KeySet.import_key_set(rp.browser.get("/jwks").get_json())
    decoded = jwt.decode(tokens["id_token"], keys, algorithms=["ES256"])
    assert decoded.header["alg"] == "ES256"


def test_rotation_while_tokens_are_live(make_rp, pupil, app, settings):
    rp = make_rp()
    directory = Path(settings["keys"]["directory"])
    old = rp.exchange(rp.login_flow(pupil.username, PASSWORD)["code"][0]).get_json()["id_token"]
    old_kid = _kid(old)

    # Published at once, signing only after the delay.
    result = rotate(directory, delay=3600, retention=900)
    ring = app.extensions["leerid.keyring"]
    ring.refresh()
    published = {k["kid"] for k in rp.browser.get("/jwks").get_json()["keys"]}
    assert set(result["published"]) <= published and old_kid in published
    still = rp.exchange(rp.login_flow(pupil.username, PASSWORD, prompt="login")["code"][0])
    assert _kid(still.get_json()["id_token"]) == old_kid

    # Once due, new tokens use the new key; the old token still verifies against the JWKS.
    for path in directory.glob("signing/*.json"):
        record = json.loads(path.read_text())
        if record["jwk"]["kid"] in result["published"]:
            record["not_before"] = int(time.time()) - 1
            path.unlink()
            path.write_text(json.dumps(record))
    ring.refresh()
    new = rp.exchange(rp.login_flow(pupil.username, PASSWORD, prompt="login")["code"][0])
    new_kid = _kid(new.get_json()["id_token"])
    assert new_kid in result["published"] and new_kid != old_kid
    jwks = KeySet.import_key_set(rp.browser.get("/jwks").get_json())
    assert jwt.decode(old, jwks, algorithms=["RS256"]).claims["sub"]

    # After every token of the old key expired, the old key leaves the JWKS.
    later = int(time.time()) + 900 + 5
    assert old_kid not in {k["kid"] for k in ring.jwks(now=later)["keys"]}
    assert old_kid in {k["kid"] for k in ring.jwks()["keys"]}


def test_keys_rotate_command(leerid, settings):
    directory = settings["keys"]["directory"]
    before = {k.kid for k in load_signing_keys(Path(directory))}
    result = leerid("keys", "rotate", "--delay", "60", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["published"]) == 2
    after = {k.kid for k in load_signing_keys(Path(directory))}
    assert before < after
