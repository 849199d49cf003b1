"""Fixtures for the sign-in pages: a browser on Flask's test client that fills in forms."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import pytest

from tests.conftest import Pupil
from tests.oidc.conftest import make_rp  # noqa: F401 - shared fixture: an app to sign in to

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
STATE = re.compile(r'name="state" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the page's form."""
    match = CSRF.search(html)
    assert match, html
    return match.group(1)


class Browser:
    """The Flask test client, posting forms with their CSRF token as a browser would.

    A sign-in is an interaction named by `?interaction=` in the steps' URLs: the browser
    remembers the one it is in (`key`) and adds it to step paths given without one, so that
    tests can say "/login/password" as a pupil would think of it.
    """

    # Paths that belong to the sign-in in progress; a bare /login starts a new one.
    STEPS = ("/login/", "/k/", "/password/forgot")

    def __init__(self, client: Any) -> None:
        self.client = client
        self.key: str | None = None

    def url(self, url: str) -> str:
        """`url` with the current interaction added to a sign-in step that has none."""
        if self.key is None or "interaction=" in url or not url.startswith(self.STEPS):
            return url
        return url + ("&" if "?" in url else "?") + "interaction=" + self.key

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(self.url(url), **kwargs)

    def open(self, url: str) -> Any:
        """GET a page, following LeerID's own redirects (a new sign-in gets its interaction
        this way); remembers the interaction of the page it ends on."""
        response = self.client.get(self.url(url), follow_redirects=True)
        found = parse_qs(urlsplit(response.request.url).query).get("interaction")
        if found:
            self.key = found[0]
        return response

    def next(self, response: Any) -> str:
        """Where a redirect goes, without the current interaction (asserted to be there
        for sign-in steps)."""
        assert response.status_code in (302, 303), response.get_data(as_text=True)
        location = response.headers["Location"]
        parts = urlsplit(location)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "interaction"]
        if parts.path.startswith(self.STEPS) or parts.path == "/login":
            key = dict(parse_qsl(parts.query)).get("interaction")
            # A card opened by itself starts a sign-in: the browser is in it from now on.
            self.key = self.key or key
            assert key == self.key, location
        return parts.path + ("?" + urlencode(query) if query else "")

    def submit(self, url: str, **fields: str) -> Any:
        """Open the page, then POST its form with the token and these fields."""
        page = self.open(url)
        assert page.status_code == 200, (url, page.status_code)
        return self.post_page(page.request.url, page.get_data(as_text=True), **fields)

    def post_page(self, url: str, html: str, **fields: str) -> Any:
        """POST the form of an already loaded page (keeps its hidden state)."""
        data = {"csrf_token": csrf_of(html), **fields}
        state = STATE.search(html)
        if state and "state" not in fields:
            data["state"] = state.group(1)
        return self.client.post(self.url(url), data=data)

    def sign_in(self, pupil: Pupil, secret: str | None = None, query: str = "") -> Any:
        """Both steps: the username, then the password or the pictures."""
        step = self.submit("/login" + query, username=pupil.username)
        assert step.status_code == 302, step.get_data(as_text=True)
        return self.second_step(step.headers["Location"], pupil, secret)

    def second_step(self, url: str, pupil: Pupil, secret: str | None = None) -> Any:
        """The password field, or tapping the eight pictures one page at a time."""
        if "/login/pictures" not in url:
            return self.submit(url, password=secret if secret is not None else pupil.password)
        picks = secret.split() if secret is not None else list(pupil.pictures)
        html = self.get(url).get_data(as_text=True)
        response = None
        for pick in picks:
            response = self.post_page(url, html, pick=pick)
            html = response.get_data(as_text=True)
        return response

    def forget(self) -> None:
        """Start the next sign-in afresh (as after closing the tab)."""
        self.key = None


@pytest.fixture
def browser(client) -> Browser:
    """A browser on the test client."""
    return Browser(client)
