"""The demo learning app (examples/learning_app) against LeerID, both on live 127.0.0.1
servers: a pupil signs in through the app, sees the claims, and logs out everywhere."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from typing import Any

import pytest
from flask import Flask
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from examples.learning_app import Settings, settings_from_env
from examples.learning_app.backchannel import BACKCHANNEL_EVENT
from examples.learning_app.views import ended_sessions
from idp.models import (
    Account,
    LoginSession,
)
from idp.oauth.subjects import pairwise_uuid
from tests.conftest import PASSWORD
from tests.live import Live


@pytest.fixture
def leerid(live_leerid: Live) -> Live:
    """LeerID on a live server (the name reads well in these tests)."""
    return live_leerid


@pytest.fixture
def pupil(make_pupil, make_school) -> Account:
    """A pupil whose family name would be markup if the app forgot to escape it."""
    school = make_school("112233", name="Sint-Jozefscollege")
    return make_pupil(
        username="noella.dhondt", school=school, last_name="<script>x</script> D'Hondt"
    )


@dataclass
class Page:
    """A response as a browser sees it: final address, status, text, forms and links."""

    url: str
    status: int
    text: str
    content_type: str
    forms: list[dict[str, Any]] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)

    def form(self, action_prefix: str) -> dict[str, Any]:
        """The first form whose absolute action starts with `action_prefix`."""
        for form in self.forms:
            if form["action"].startswith(action_prefix):
                return form
        raise AssertionError(f"no form for {action_prefix} on {self.url}:\n{self.text}")


class _Parser(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__()
        self.base, self.forms, self.links, self._href = base, [], {}, None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urllib.parse.urljoin(self.base, a.get("action") or self.base)
            self.forms.append({"action": action, "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")
        elif tag == "a":
            self._href = urllib.parse.urljoin(self.base, a.get("href", ""))

    def handle_data(self, data: str) -> None:
        if self._href and data.strip():
            self.links[data.strip()] = self._href

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._href = None


class Browser:
    """Cookies and redirects like a browser; forms are submitted by the test (no script)."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def open(self, url: str, data: dict[str, str] | None = None) -> Page:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            response = self.opener.open(url, data=body, timeout=10)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            final, status = response.geturl(), response.status
            content_type = response.headers.get("Content-Type", "")
            text = response.read().decode("utf-8")
        parser = _Parser(final)
        parser.feed(text)
        return Page(final, status, text, content_type, parser.forms, parser.links)

    def submit(self, form: dict[str, Any], **values: str) -> Page:
        """Post a form with its hidden fields and the values typed in."""
        return self.open(form["action"], {**form["fields"], **values})


def sign_in(
    browser: Browser, app: Live, leerid: Live, username: str, form_post: bool = True
) -> Page:
    """Click "Aanmelden met LeerID", sign in at LeerID, and come back to the app."""
    start = browser.open(app.url + "/")
    page = browser.open(start.links["Aanmelden met LeerID"])
    assert page.url.startswith(leerid.url + "/login"), page.url
    page = browser.submit(page.form(leerid.url), username=username)
    assert page.url.startswith(leerid.url + "/login/password"), page.url
    page = browser.submit(page.form(leerid.url), password=PASSWORD)
    if form_post:
        # The password step answers with LeerID's page that posts the code to the app
        # (its script does so in a browser).
        assert page.url.startswith(leerid.url + "/login/password"), page.url
        assert page.content_type.startswith("text/html"), "else a browser shows it as text"
        page = browser.submit(page.form(app.url + "/callback"))
    assert page.url == app.url + "/", (page.url, page.text)
    return page


def value_of(page: Page, claim: str) -> str:
    """The value shown in the first table row of `claim`."""
    row = page.text.split(f"<code>{claim}</code>", 1)[1]
    return row.split("<td>", 1)[1].split("</td>", 1)[0]


@pytest.mark.parametrize("response_mode", ["form_post", "query"])
def test_pupil_signs_in_sees_claims_and_logs_out(response_mode, leerid, rekenrally, pupil, session):
    app = rekenrally(response_mode)
    browser = Browser()
    page = sign_in(browser, app, leerid, pupil.username, response_mode == "form_post")

    assert page.status == 200
    assert "Dag Noëlla!" in page.text
    assert value_of(page, "given_name") == "Noëlla"
    assert value_of(page, "school_name") == "Sint-Jozefscollege"
    assert value_of(page, "ov_orgcode") == "112233"
    assert value_of(page, "ov_leerid_uuid") == pairwise_uuid("127.0.0.1", pupil.person)
    assert "<script>x" not in page.text
    assert "&lt;script&gt;x&lt;/script&gt; D&#39;Hondt" in page.text
    assert page.text.count("<code>given_name</code>") == 2, "ID token and userinfo"
    login = session.scalars(select(LoginSession).where(LoginSession.account_id == pupil.id)).one()
    assert value_of(page, "sid") == login.sid

    page = browser.submit(page.form(app.url + "/logout"))
    assert page.url.startswith(app.url + "/afgemeld?state="), page.url
    assert "Je bent afgemeld" in page.text
    session.refresh(login)
    assert login.ended_at is not None
    assert login.sid in app.app.extensions["rekenrally.ended_sessions"]
    assert "Aanmelden met LeerID" in browser.open(app.url + "/").links
    # LeerID's session is over too: the next sign-in asks for the password again.
    again = browser.open(browser.open(app.url + "/").links["Aanmelden met LeerID"])
    assert again.url.startswith(leerid.url + "/login")


def test_logout_at_leerid_ends_the_app_session_through_the_back_channel(leerid, rekenrally, pupil):
    app = rekenrally()
    browser = Browser()
    sign_in(browser, app, leerid, pupil.username)

    # The pupil signs out at LeerID itself (not through the app) and confirms.
    confirm = browser.open(leerid.url + "/logout")
    done = browser.submit(confirm.form(leerid.url + "/logout"), confirm="yes")
    assert done.status == 200 and done.url == leerid.url + "/logout"

    # The app's cookie is still there, but the app learned over the back channel.
    page = browser.open(app.url + "/")
    assert "Aanmelden met LeerID" in page.links
    assert "Dag Noëlla" not in page.text


@dataclass
class LogoutTokens:
    """The learning app, and logout tokens for it signed with LeerID's key."""

    app: Flask
    sign: Callable[..., str]


@pytest.fixture
def logout_tokens(leerid, rekenrally) -> LogoutTokens:
    """Sign logout tokens as LeerID would, or with changes that must be refused."""
    app = rekenrally()

    def sign(header: dict[str, Any] | None = None, key: Any = None, **changes: Any) -> str:
        signing = leerid.app.extensions["leerid.keyring"].signing_key("RS256")
        now = int(time.time())
        claims = {
            "iss": leerid.url,
            "aud": app.app.config["REKENRALLY"].client_id,
            "iat": now,
            "exp": now + 120,
            "jti": f"jti-{now}",
            "sub": "pseudoniem",
            "sid": "sessie-1",
            "events": {BACKCHANNEL_EVENT: {}},
            **changes,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        head = {"alg": "RS256", "kid": signing.kid, "typ": "logout+jwt", **(header or {})}
        return jwt.encode(head, claims, key or signing.key, algorithms=["RS256"])

    return LogoutTokens(app.app, sign)


def test_a_valid_logout_token_ends_its_sid(logout_tokens):
    client = logout_tokens.app.test_client()
    response = client.post("/backchannel-logout", data={"logout_token": logout_tokens.sign()})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    with logout_tokens.app.app_context():
        assert "sessie-1" in ended_sessions()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"aud": "een-andere-app"}, "aud"),
        ({"iss": "http://127.0.0.1:1"}, "iss"),
        ({"nonce": "abc"}, "nonce"),
        ({"events": None}, "events"),
        ({"events": {"http://example.com/other": {}}}, "events"),
        ({"sid": None}, "sid"),
        ({"jti": None}, "jti"),
        ({"exp": 1000, "iat": 900}, "exp"),
        ({"header": {"typ": "JWT"}}, "typ"),
        ({"header": {"kid": "onbekend"}}, "kid"),
        ({"key": RSAKey.generate_key(2048)}, "signature"),
    ],
)
def test_a_bad_logout_token_is_refused(logout_tokens, changes, message):
    client = logout_tokens.app.test_client()
    token = logout_tokens.sign(**changes)
    response = client.post("/backchannel-logout", data={"logout_token": token})
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_request"
    assert message in body["error_description"].lower()
    with logout_tokens.app.app_context():
        assert "sessie-1" not in ended_sessions()


def test_the_callback_relies_on_state_and_rejects_a_foreign_issuer(leerid, rekenrally):
    client = rekenrally().app.test_client()
    # No CSRF token is asked of a form_post callback; an unknown state refuses it.
    response = client.post("/callback", data={"code": "x", "state": "?", "iss": leerid.url})
    assert response.status_code == 400 and "State not equal" in response.get_data(as_text=True)
    for iss in ("https://evil.example", None):
        data = {"code": "x", "state": "?", "iss": iss} if iss else {"code": "x", "state": "?"}
        response = client.post("/callback", data=data)
        assert response.status_code == 400 and "uitgever" in response.get_data(as_text=True)


def test_an_error_with_an_unknown_state_puts_no_words_on_the_apps_page(leerid, rekenrally):
    client = rekenrally().app.test_client()
    forged = "Je LeerID is geblokkeerd. Bel 0900-OPLICHTER."
    query = urllib.parse.urlencode(
        {"iss": leerid.url, "error": "access_denied", "error_description": forged, "state": "?"}
    )
    response = client.get(f"/callback?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "OPLICHTER" not in html and "state" in html
    # The answer to a sign-in this browser started does show LeerID's words.
    started = client.get("/login").headers["Location"]
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(started).query)["state"][0]
    answer = {
        "iss": leerid.url,
        "error": "access_denied",
        "error_description": "Nee",
        "state": state,
    }
    shown = client.get("/callback?" + urllib.parse.urlencode(answer)).get_data(as_text=True)
    assert '<p role="alert">Nee</p>' in shown


def test_logout_needs_the_form_token_and_pages_carry_a_policy(leerid, rekenrally):
    client = rekenrally().app.test_client()
    assert client.post("/logout", data={"csrf_token": ""}).status_code == 400
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and f"form-action 'self' {leerid.url}" in policy


def test_settings_come_from_the_environment():
    environ = {
        "REKENRALLY_ISSUER": "http://127.0.0.1:5000/",
        "REKENRALLY_CLIENT_ID": "id",
        "REKENRALLY_CLIENT_SECRET": "s",
    }
    assert settings_from_env(environ) == Settings("http://127.0.0.1:5000", "id", "s")
    with pytest.raises(SystemExit, match="REKENRALLY_CLIENT_SECRET"):
        settings_from_env(
            {"REKENRALLY_ISSUER": "http://127.0.0.1:5000", "REKENRALLY_CLIENT_ID": "id"}
        )
    with pytest.raises(ValueError, match="response_mode"):
        Settings("http://127.0.0.1:5000", "id", "s", response_mode="fragment")


def test_a_second_demo_app_on_other_ports_leaves_the_first_working(leerid, rekenrally, pupil):
    # `leerid demo --port 5002 --app-port 5003` beside a running `leerid demo`: one database,
    # one registration of Rekenrally.
    first = rekenrally()
    second = rekenrally()
    for app in (first, second, first):
        page = sign_in(Browser(), app, leerid, pupil.username)
        assert value_of(page, "preferred_username") == pupil.username


def test_rekenrally_has_an_icon(rekenrally):
    # Without one, every page of the app logs a 404 for /favicon.ico in the browser.
    client = rekenrally().app.test_client()
    assert 'rel="icon" href="/static/rekenrally.svg"' in client.get("/").get_data(as_text=True)
    with client.get("/static/rekenrally.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
