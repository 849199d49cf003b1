"""Redirect URIs match exactly; a native app's loopback URI matches at any port (RFC 8252 §7.3)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from idp.models.oauth import redirect_uri_matches
from tests.conftest import PASSWORD

LOOPBACK_MATCHES = [
    ("http://127.0.0.1/callback", "http://127.0.0.1/callback"),
    ("http://127.0.0.1/callback", "http://127.0.0.1:51234/callback"),
    ("http://127.0.0.1/callback", "http://127.0.0.1:1/callback"),
    ("http://127.0.0.1/callback", "http://127.0.0.1:65535/callback"),
    ("http://127.0.0.1:8080/callback", "http://127.0.0.1:9090/callback"),
    ("http://127.0.0.1:8080/callback", "http://127.0.0.1/callback"),
    ("http://[::1]/callback", "http://[::1]:51234/callback"),
    ("http://[::1]:8080/cb?app=x", "http://[::1]:1234/cb?app=x"),
    ("http://127.0.0.1", "http://127.0.0.1:5000"),
    ("http://127.0.0.1?x=1", "http://127.0.0.1:5000?x=1"),
]

REGISTERED = "http://127.0.0.1/callback"
LOOPBACK_MISMATCHES = [
    "http://127.0.0.1:5000/callback/",  # path
    "http://127.0.0.1:5000/Callback",
    "http://127.0.0.1:5000//callback",
    "http://127.0.0.1:5000/callback/../callback",
    "http://127.0.0.1:5000/callback%2F",
    "http://127.0.0.1:5000",
    "http://127.0.0.1:5000/callback?x=1",  # query
    "http://127.0.0.1:5000/callback?",
    "http://127.0.0.1:5000/callback#top",  # fragment
    "https://127.0.0.1:5000/callback",  # scheme
    "HTTP://127.0.0.1:5000/callback",
    "http:/127.0.0.1:5000/callback",
    "http://localhost:5000/callback",  # host
    "http://localhost/callback",
    "http://[::1]:5000/callback",
    "http://[0:0:0:0:0:0:0:1]:5000/callback",
    "http://127.0.0.2:5000/callback",
    "http://127.1:5000/callback",
    "http://2130706433:5000/callback",
    "http://0x7f000001:5000/callback",
    "http://127.0.0.1.evil.example:5000/callback",
    "http://127.0.0.1:5000@evil.example/callback",  # userinfo tricks
    "http://evil.example@127.0.0.1:5000/callback",
    "http://127.0.0.1:5000\\@evil.example/callback",
    "http://127.0.0.1:0/callback",  # ports that are not ports
    "http://127.0.0.1:65536/callback",
    "http://127.0.0.1:99999/callback",
    "http://127.0.0.1:080/callback",
    "http://127.0.0.1:/callback",
    "http://127.0.0.1:-1/callback",
    "http://127.0.0.1:+80/callback",
    "http://127.0.0.1:80:81/callback",
    "http://127.0.0.1: 80/callback",
    " http://127.0.0.1:5000/callback",
    "http://127.0.0.1:5000/callback ",
    "",
]

NOT_LOOPBACK = [
    # localhost is a name, not a loopback IP literal (RFC 8252 §8.3): exact only.
    ("http://localhost/callback", "http://localhost:5000/callback"),
    ("http://localhost:5000/callback", "http://localhost:5001/callback"),
    # https is never port-free, nor is any other host.
    ("https://127.0.0.1/callback", "https://127.0.0.1:5000/callback"),
    ("https://app.example/callback", "https://app.example:443/callback"),
    ("https://app.example/callback", "https://app.example:8443/callback"),
    ("http://app.example/callback", "http://app.example:8080/callback"),
    # A registered URI with user information is not a plain loopback URI.
    ("http://u@127.0.0.1/callback", "http://u@127.0.0.1:5000/callback"),
]


@pytest.mark.parametrize(("registered", "requested"), LOOPBACK_MATCHES)
def test_loopback_uris_match_at_any_port(registered, requested):
    assert redirect_uri_matches(registered, requested)


@pytest.mark.parametrize("requested", LOOPBACK_MISMATCHES)
def test_only_the_port_of_a_loopback_uri_is_free(requested):
    assert not redirect_uri_matches(REGISTERED, requested)


@pytest.mark.parametrize(("registered", "requested"), NOT_LOOPBACK)
def test_other_uris_match_exactly(registered, requested):
    assert redirect_uri_matches(registered, registered)
    assert not redirect_uri_matches(registered, requested)


@pytest.mark.parametrize(
    ("registered", "used", "other_port"),
    [
        (
            "http://127.0.0.1/callback",
            "http://127.0.0.1:51234/callback",
            "http://127.0.0.1:51235/callback",
        ),
        ("http://[::1]:8080/callback", "http://[::1]:40000/callback", "http://[::1]:8080/callback"),
    ],
)
def test_a_native_app_signs_in_on_the_port_it_got(make_rp, pupil, registered, used, other_port):
    rp = make_rp(redirect_uri=registered, auth_method="none")
    rp.redirect_uri = used
    callback = rp.login_flow(pupil.username, PASSWORD)
    assert "code" in callback, callback
    response = rp.exchange(callback["code"][0])
    assert response.status_code == 200, response.get_json()
    # The token request repeats the URI of the authorization request, port included
    # (RFC 6749 §4.1.3).
    callback = rp.login_flow(pupil.username, PASSWORD)
    rp.redirect_uri = other_port
    assert rp.exchange(callback["code"][0]).get_json()["error"] == "invalid_grant"


@pytest.mark.parametrize("requested", LOOPBACK_MISMATCHES)
def test_the_authorization_endpoint_refuses_other_variants(make_rp, client, requested):
    rp = make_rp(redirect_uri=REGISTERED, auth_method="none")
    url = rp.authorize_url().replace(quote(REGISTERED, safe=""), quote(requested, safe=""))
    response = client.get(url)
    assert response.status_code == 400, requested
    assert "Location" not in response.headers


def test_a_web_app_on_the_loopback_keeps_its_exact_port(make_rp, client):
    """RFC 8252 §7.3 is for native apps (public clients): a confidential client's loopback
    redirect URI matches exactly, so no other program on the computer receives its codes."""
    rp = make_rp(redirect_uri="http://127.0.0.1:8765/cb", auth_method="client_secret_basic")
    for other in ("http://127.0.0.1:9999/cb", "http://127.0.0.1/cb"):
        rp.redirect_uri = other
        response = client.get(rp.authorize_url())
        assert response.status_code == 400 and "Location" not in response.headers, other
