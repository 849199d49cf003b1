"""The signed device cookie: round trip, tampering, expiry, the 50-account cap, privacy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
from flask import Flask, Response, request
from itsdangerous import URLSafeSerializer

from idp.config import load_settings
from idp.throttle import (
    Source,
    current_device,
    get_throttle,
    init_app,
    remember_device,
    trusted_device,
)
from idp.throttle.devices import COOKIE_NAME, MAX_ACCOUNTS

from .conftest import FakeClock

DAY = 86400


@pytest.fixture
def device_app(clock: FakeClock) -> Iterator[Flask]:
    """A bare Flask app with the default throttle settings (in memory) and the fake clock."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="device cookie test", SESSION_COOKIE_SECURE=False)
    app.config["LEERID"] = load_settings()
    init_app(app).clock = clock
    with app.app_context():
        yield app


def remember(app: Flask, username: str, cookie: str | None = None) -> SimpleCookie:
    """Sign `username` in on a browser that sends `cookie`; the cookie it gets back."""
    headers = {"Cookie": f"{COOKIE_NAME}={cookie}"} if cookie else {}
    with app.test_request_context(headers=headers):
        response = Response()
        remember_device(response, request, username)
    jar: SimpleCookie = SimpleCookie()
    jar.load(response.headers["Set-Cookie"])
    return jar


def remembered(app: Flask, *usernames: str) -> str:
    """The cookie value after these usernames signed in, in order, on one browser."""
    cookie = None
    for username in usernames:
        cookie = remember(app, username, cookie)[COOKIE_NAME].value
    assert cookie is not None
    return cookie


def trusted(app: Flask, username: str, cookie: str | None) -> str | None:
    """What trusted_device says for a request with this cookie value."""
    headers = {"Cookie": f"{COOKIE_NAME}={cookie}"} if cookie is not None else {}
    with app.test_request_context(headers=headers):
        return trusted_device(request, username)


def test_no_cookie_is_no_device(device_app):
    assert trusted(device_app, "lotte.peeters", None) is None
    assert trusted(device_app, "lotte.peeters", "") is None


def test_the_cookie_round_trips(device_app):
    cookie = remembered(device_app, "lotte.peeters")
    device = trusted(device_app, "lotte.peeters", cookie)
    assert device is not None and len(device) >= 20
    assert trusted(device_app, " Lotte.Peeters", cookie) == device
    assert trusted(device_app, "jonas.maes", cookie) is None
    # A second pupil on the same tablet: same device, both trusted.
    both = remembered(device_app, "lotte.peeters", "jonas.maes")
    assert trusted(device_app, "jonas.maes", both) == trusted(device_app, "lotte.peeters", both)
    assert trusted(device_app, "lotte.peeters", both) != device  # another browser


def test_each_browser_gets_its_own_device_id(device_app):
    first, second = remembered(device_app, "lotte.peeters"), remembered(device_app, "lotte.peeters")
    assert trusted(device_app, "lotte.peeters", first) != trusted(
        device_app, "lotte.peeters", second
    )


def test_cookie_attributes(device_app):
    morsel = remember(device_app, "lotte.peeters")[COOKIE_NAME]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == "/"
    assert morsel["max-age"] == str(365 * DAY)
    assert not morsel["secure"]
    device_app.config["SESSION_COOKIE_SECURE"] = True
    assert remember(device_app, "lotte.peeters")[COOKIE_NAME]["secure"] is True


def test_a_tampered_cookie_counts_as_none(device_app):
    cookie = remembered(device_app, "lotte.peeters")
    payload, signature = cookie.rsplit(".", 1)
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    assert trusted(device_app, "lotte.peeters", f"{flipped}.{signature}") is None
    assert trusted(device_app, "lotte.peeters", cookie[:-2]) is None
    assert trusted(device_app, "lotte.peeters", "garbage") is None
    # Signed with the right secret but for something else (another salt): not ours.
    other = URLSafeSerializer("device cookie test", salt="itsdangerous").dumps({"d": "x"})
    assert trusted(device_app, "lotte.peeters", other) is None
    # Our salt and secret, but a shape we do not know: no crash, no device.
    odd = URLSafeSerializer("device cookie test", salt="leerid.device-cookie").dumps([1])
    assert trusted(device_app, "lotte.peeters", odd) is None


def test_a_cookie_signed_with_another_secret_counts_as_none(device_app):
    cookie = remembered(device_app, "lotte.peeters")
    device_app.config["SECRET_KEY"] = "another deployment"
    assert trusted(device_app, "lotte.peeters", cookie) is None


def test_trust_expires_per_account_after_device_lifetime(device_app, clock):
    cookie = remembered(device_app, "lotte.peeters")
    clock.advance(200 * DAY)
    cookie = remember(device_app, "jonas.maes", cookie)[COOKIE_NAME].value
    clock.advance(165 * DAY - 1)
    assert trusted(device_app, "lotte.peeters", cookie) is not None
    clock.advance(1)
    # Lotte's sign-in is a year old; Jonas signing in since then does not renew it.
    assert trusted(device_app, "lotte.peeters", cookie) is None
    assert trusted(device_app, "jonas.maes", cookie) is not None
    clock.advance(200 * DAY)
    assert trusted(device_app, "jonas.maes", cookie) is None


def test_signing_in_again_renews_the_trust(device_app, clock):
    cookie = remembered(device_app, "lotte.peeters")
    clock.advance(300 * DAY)
    cookie = remember(device_app, "lotte.peeters", cookie)[COOKIE_NAME].value
    clock.advance(300 * DAY)
    assert trusted(device_app, "lotte.peeters", cookie) is not None


def test_the_cookie_keeps_the_newest_50_accounts(device_app):
    pupils = [f"pupil{number:02}.van.klas.3b" for number in range(MAX_ACCOUNTS + 1)]
    # pupil00 signs in again last, so pupil01 is the oldest and makes way.
    cookie = remembered(device_app, *pupils, pupils[0])
    assert trusted(device_app, pupils[1], cookie) is None
    assert all(trusted(device_app, pupil, cookie) for pupil in [pupils[0], *pupils[2:]])
    # Browsers keep cookies of at least 4096 bytes, name and attributes included.
    header = remember(device_app, "one.more", cookie).output(header="")
    assert len(header) < 4096


def test_the_cookie_holds_no_username_in_plain_text(device_app):
    cookie = remembered(device_app, "lotte.peeters", "jonas.maes")
    _, payload = URLSafeSerializer("anything").loads_unsafe(cookie)
    text = json.dumps(payload)
    assert payload["a"] and payload["d"]
    for fragment in ("lotte", "peeters", "jonas", "maes"):
        assert fragment not in cookie and fragment not in text


def test_the_device_id_keys_the_throttle(device_app):
    cookie = remembered(device_app, "lotte.peeters")
    device = trusted(device_app, "lotte.peeters", cookie)
    assert device is not None
    throttle = get_throttle()
    for number in range(30):
        throttle.failed("lotte.peeters", Source("203.0.113.7", f"s{number}", False), known=True)
    assert throttle.check("lotte.peeters", Source("203.0.113.7", device, True)).wait == 0
    assert throttle.check("lotte.peeters", Source("203.0.113.7", device, False)).wait == 900


def first_attempt(app: Flask, cookie: str | None = None, then_sign_in: bool = False):
    """A request that asks for the device id (and may sign in); the id and its cookie."""
    headers = {"Cookie": f"{COOKIE_NAME}={cookie}"} if cookie else {}
    with app.test_request_context(headers=headers):
        device = current_device(request)
        assert current_device(request) == device  # the same all through one request
        response = Response()
        if then_sign_in:
            remember_device(response, request, "lotte.peeters")
        response = app.process_response(response)
    return device, response.headers.getlist("Set-Cookie")


def test_a_browser_gets_its_device_id_with_the_first_attempt(device_app):
    device, set_cookies = first_attempt(device_app)
    assert len(set_cookies) == 1
    jar: SimpleCookie = SimpleCookie()
    jar.load(set_cookies[0])
    morsel = jar[COOKIE_NAME]
    assert morsel["httponly"] is True and morsel["samesite"] == "Lax"
    assert morsel["max-age"] == str(365 * DAY)
    # Trusted for nobody yet, but the same device from now on.
    assert trusted(device_app, "lotte.peeters", morsel.value) is None
    assert first_attempt(device_app, morsel.value) == (device, [])


def test_a_sign_in_with_the_first_attempt_keeps_that_device_id(device_app):
    device, set_cookies = first_attempt(device_app, then_sign_in=True)
    assert len(set_cookies) == 1  # remember_device's cookie, not a second bare one
    jar: SimpleCookie = SimpleCookie()
    jar.load(set_cookies[0])
    assert trusted(device_app, "lotte.peeters", jar[COOKIE_NAME].value) == device


def test_two_cookies_do_not_show_the_same_pupil(device_app):
    first, second = remembered(device_app, "lotte.peeters"), remembered(device_app, "lotte.peeters")
    hashes = [URLSafeSerializer("anything").loads_unsafe(c)[1]["a"][0][0] for c in (first, second)]
    assert hashes[0] != hashes[1]
