"""Signing keys: published JWKS, ES256 on request, and rotation while tokens are live."""

from __future__ import annotations

import base64
import json
import re
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from idp import signing_keys
from idp.signing_keys import (
    KeyRing,
    ensure_signing_keys,
    load_signing_keys,
    retention_seconds,
    rotate,
)
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

    # Once no token of the old key can be used, even as a logout hint, it leaves the JWKS.
    later = int(time.time()) + ring.retention + 5
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


def _age_rotation(directory: Path, kids: list[str], seconds: int) -> None:
    """Make keys from a rotation look as if they had started signing `seconds` ago."""
    for path in directory.glob("signing/*.json"):
        record = json.loads(path.read_text())
        if record["jwk"]["kid"] in kids:
            record["not_before"] -= seconds
            record["created_at"] -= seconds
            path.write_text(json.dumps(record))


def test_retention_covers_the_longest_sso_session():
    tokens = {"id_token_lifetime": 600, "sso_session_lifetime": 28800}
    assert retention_seconds({**tokens, "sso_session_lifetime_basic": 3600}) == 28800 + 300
    assert retention_seconds({**tokens, "sso_session_lifetime_basic": 40000}) == 40000 + 300
    longest_token = {**tokens, "id_token_lifetime": 90000, "sso_session_lifetime_basic": 60}
    assert retention_seconds(longest_token) == 90000 + 300


def test_rotate_keeps_keys_that_may_still_verify_a_logout_hint(tmp_path):
    ensure_signing_keys(tmp_path)
    first = {k.kid for k in load_signing_keys(tmp_path)}
    retention = retention_seconds(
        {
            "id_token_lifetime": 600,
            "sso_session_lifetime": 28800,
            "sso_session_lifetime_basic": 3600,
        }
    )
    start = int(time.time())
    rotate(tmp_path, delay=0, retention=retention, now=start)
    two_hours = rotate(tmp_path, delay=0, retention=retention, now=start + 7200)
    assert not set(two_hours["removed"]) & first
    ring = KeyRing(tmp_path, retention)
    assert first <= {k["kid"] for k in ring.jwks(now=start + 7200)["keys"]}
    # A session lasts at most 8 hours: then the first keys go.
    assert not first & {k["kid"] for k in ring.jwks(now=start + retention + 1)["keys"]}
    late = rotate(tmp_path, delay=0, retention=retention, now=start + retention + 1)
    assert first <= set(late["removed"])


def test_keys_rotate_command_keeps_keys_of_live_sessions(leerid, settings):
    directory = Path(settings["keys"]["directory"])
    first = {k.kid for k in load_signing_keys(directory)}
    rotated = json.loads(leerid("keys", "rotate", "--delay", "0", "--json").output)
    _age_rotation(directory, rotated["published"], 2 * 3600)  # rotated two hours ago

    again = leerid("keys", "rotate", "--delay", "0", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["removed"] == []
    assert first <= {k.kid for k in load_signing_keys(directory)}


def test_logout_with_a_hint_signed_by_a_rotated_key(make_rp, pupil, client, app, leerid, settings):
    rp = make_rp(post_logout_redirect_uris=["https://app.example/bye"])
    id_token = rp.tokens(pupil.username, PASSWORD)["id_token"]
    rotated = leerid("keys", "rotate", "--delay", "0", "--json")
    assert rotated.exit_code == 0, rotated.output
    # The pupil's session (up to 8 hours) goes on; half an hour later the app logs out.
    _age_rotation(
        Path(settings["keys"]["directory"]), json.loads(rotated.output)["published"], 1800
    )
    app.extensions["leerid.keyring"].refresh()
    new_token = rp.tokens(pupil.username, PASSWORD, prompt="login")["id_token"]
    assert _kid(new_token) != _kid(id_token)

    query = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": "https://app.example/bye",
        "state": "weg",
    }
    response = client.get("/logout?" + urlencode(query))
    # The hint verifies (no 400). It names the session before the new sign-in, not this
    # browser's session now, so the pupil confirms (idp/views/logout.py).
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    assert "Wil je afmelden bij LeerID?" in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    confirmed = client.post("/logout", data={**query, "csrf_token": token, "confirm": "yes"})
    assert confirmed.headers["Location"] == "https://app.example/bye?state=weg"


def test_an_expired_id_token_is_still_a_logout_hint(make_rp, pupil, client, app):
    """RP-Initiated Logout 1.0 §2: accept it "even when the exp time has passed"."""
    rp = make_rp(post_logout_redirect_uris=["https://app.example/bye"])
    claims = rp.verify_id_token(rp.tokens(pupil.username, PASSWORD)["id_token"])
    now = int(time.time())
    claims.update(iat=now - 7200, exp=now - 3600, auth_time=now - 7200)
    key = app.extensions["leerid.keyring"].signing_key("RS256")
    expired = jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key.key)

    response = client.get(
        f"/logout?id_token_hint={expired}&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "https://app.example/bye"
    # Signed by anyone else, it is refused.
    stranger = RSAKey.generate_key(2048, parameters={"kid": key.kid})
    forged = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, stranger)
    assert client.get(f"/logout?id_token_hint={forged}").status_code == 400


def test_a_fresh_key_ring_serves_concurrent_first_requests(keys_dir, monkeypatch):
    """Requests in a worker's first moments must not see an empty ring (LookupError)."""
    real_load = signing_keys.load_signing_keys

    def slow_load(directory):
        time.sleep(0.2)  # reading the key files takes a while: the window of the race
        return real_load(directory)

    monkeypatch.setattr(signing_keys, "load_signing_keys", slow_load)
    ring = KeyRing(keys_dir, retention=900)
    threads_count = 8
    start = threading.Barrier(threads_count, timeout=10)
    found: list[str] = []
    failures: list[Exception] = []

    def request() -> None:
        start.wait()
        try:
            found.append(ring.signing_key("RS256").kid)
        except Exception as error:  # collected for the assertion below
            failures.append(error)

    threads = [threading.Thread(target=request) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert len(found) == threads_count and len(set(found)) == 1
