"""Values Hypothesis makes up, on top of the fixed corpus: any bytes or text in parameters
that reach deep code. The guard must refuse exactly what a strict reading of the bytes
cannot take (not UTF-8, a control character, a line break), and everything else must get
a clear answer: never a 5xx.

Deterministic: derandomized, and no example database (CI runs the same examples).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.engine import Case, Request, encoded, problem
from tests.hostile.world import REDIRECT_URI

UNREADABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Raw bytes (any), text from every Unicode category but lone surrogates, and such text
# repeated to a few hundred characters (lengths past the columns are the corpus's part).
values = st.one_of(
    st.binary(max_size=40),
    st.text(max_size=40).map(lambda text: text.encode("utf-8")),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12).map(
        lambda text: (text * (400 // len(text))).encode("utf-8")
    ),
)


def unreadable(raw: bytes) -> bool:
    """The oracle, written apart from the guard: would a strict reader refuse it?"""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return bool(UNREADABLE.search(text))


def check(client: Any, request: Request, name: str, raw: bytes, json: bool = False) -> None:
    """Send `request` with `name` set to the raw bytes; the answer must be clear."""
    response = request.hostile(name, [quote_from_bytes(raw, safe="")]).send(client)
    case = Case(request.path, name, repr(raw), unreadable(raw), json, lambda: (None, None))
    found = problem(case, response)
    response.close()
    assert found is None, f"{request.method} {request.path} {name}={raw!r}: {found}"


@pytest.mark.parametrize("name", ["client_id", "nonce"])
@EXAMPLES
@given(raw=values)
def test_authorize_parameters(world, name, raw):
    # A signed-in pupil: a valid request gets its code, and its nonce is stored.
    browser = world.shared_browser()
    check(
        browser.client, Request("GET", "/authorize", encoded(world.authorize_params())), name, raw
    )


@pytest.mark.parametrize("name", ["client_id", "code"])
@EXAMPLES
@given(raw=values)
def test_token_parameters(world, name, raw):
    code, verifier = world.code(world.shared_browser())
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        "client_id": world.post_app.client_id,
        "client_secret": world.post_app.client_secret,
    }
    check(world.browser().client, Request("POST", "/token", form=encoded(form)), name, raw, True)


@EXAMPLES
@given(raw=values)
def test_the_username(world, raw):
    browser = world.browser()
    _, forms = browser.page("/login")
    form = forms[-1]
    request = Request.of("POST", form.action, form=encoded(form.submission({})))
    check(browser.client, request, "username", raw)
