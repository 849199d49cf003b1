"""Fixtures for the sign-in pages: a browser on Flask's test client that fills in forms."""

from __future__ import annotations

import re
from typing import Any

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
    """The Flask test client, posting forms with their CSRF token as a browser would."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def submit(self, url: str, **fields: str) -> Any:
        """GET the page, then POST its form with the token and these fields."""
        page = self.client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        html = page.get_data(as_text=True)
        data = {"csrf_token": csrf_of(html), **fields}
        state = STATE.search(html)
        if state and "state" not in fields:
            data["state"] = state.group(1)
        return self.client.post(url, data=data)

    def post_page(self, url: str, html: str, **fields: str) -> Any:
        """POST the form of an already loaded page (keeps its hidden state)."""
        data = {"csrf_token": csrf_of(html), **fields}
        state = STATE.search(html)
        if state and "state" not in fields:
            data["state"] = state.group(1)
        return self.client.post(url, data=data)

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
        html = self.client.get(url).get_data(as_text=True)
        response = None
        for pick in picks:
            response = self.post_page(url, html, pick=pick)
            html = response.get_data(as_text=True)
        return response


@pytest.fixture
def browser(client) -> Browser:
    """A browser on the test client."""
    return Browser(client)
