"""A pupil signs in to the demo learning app Rekenrally through LeerID in Chromium, finding
every field and button by its accessible name, and signs out again."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, Request, expect

from idp.models import Account
from tests.browser.steps import sign_in_with_password
from tests.conftest import PASSWORD
from tests.live import Live


def sign_in(page: Page, app: Live, leerid: Live, pupil: Account) -> list[Request]:
    """Go from the app through LeerID's login back to the app; returns the callback POSTs."""
    posts: list[Request] = []

    def record(request: Request) -> None:
        if request.method == "POST" and request.url == f"{app.url}/callback":
            posts.append(request)

    page.on("request", record)
    page.goto(app.url + "/")
    page.get_by_role("link", name="Aanmelden met LeerID").click()
    expect(page).to_have_url(re.compile(re.escape(f"{leerid.url}/login?")))
    sign_in_with_password(page, pupil.username, PASSWORD)
    expect(page).to_have_url(f"{app.url}/")
    return posts


def test_pupil_signs_in_at_rekenrally_and_sees_her_name(
    page: Page,
    live_leerid: Live,
    rekenrally: Callable[..., Live],
    make_pupil: Callable[..., Account],
    check_page: Callable[[Page], None],
):
    pupil = make_pupil(username="noella.peeters", first_name="Noëlla")
    app = rekenrally()

    posts = sign_in(page, app, live_leerid, pupil)

    expect(page.get_by_role("heading", level=1)).to_have_text("Dag Noëlla!")
    # LeerID's form_post page submitted itself: its script ran under its strict policy.
    assert len(posts) == 1 and "code=" in (posts[0].post_data or "")
    check_page(page)


def test_pupil_signs_out_of_rekenrally_and_leerid(
    page: Page,
    live_leerid: Live,
    rekenrally: Callable[..., Live],
    make_pupil: Callable[..., Account],
    check_page: Callable[[Page], None],
):
    app = rekenrally()
    sign_in(page, app, live_leerid, make_pupil())

    page.get_by_role("button", name="Afmelden").click()

    expect(page).to_have_url(re.compile(re.escape(f"{app.url}/afgemeld?")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Je bent afgemeld")
    check_page(page)
    # Signed out at LeerID too: signing in again asks who you are.
    page.get_by_role("link", name="Opnieuw aanmelden").click()
    page.get_by_role("link", name="Aanmelden met LeerID").click()
    expect(page.get_by_label("Gebruikersnaam")).to_be_visible()


def test_rekenrally_start_page(page: Page, rekenrally: Callable[..., Live], check_page):
    page.goto(rekenrally().url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom bij Rekenrally!")
    check_page(page)
