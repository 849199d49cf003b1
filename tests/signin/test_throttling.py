"""Throttling as pupils meet it on the sign-in pages: kind waits that grow, never a lock,
their own devices exempt, and a whole school behind one IP address signing in freely, even
while a classmate's script types made-up usernames."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from idp import create_app
from idp.credentials.pictures import CATEGORIES
from idp.db import get_database
from idp.models import CredentialType, LoginSession
from idp.throttle import Source
from idp.throttle.devices import COOKIE_NAME
from tests.signin.conftest import Browser
from tests.throttle.conftest import FakeClock

WRONG = "boom47"


@pytest.fixture
def clock(app) -> FakeClock:
    """The app's throttle on a clock that moves only when told to."""
    fake = FakeClock()
    app.extensions["leerid.throttle"].clock = fake
    return fake


def wrong_attempt(browser: Browser, pupil) -> str:
    return browser.sign_in(pupil, secret=WRONG).get_data(as_text=True)


def test_delays_grow_and_always_end(browser, new_pupil, clock, session):
    pupil = new_pupil(CredentialType.WORD)
    for _ in range(5):
        assert "probeer het over" not in wrong_attempt(browser, pupil)
    assert "Neem even pauze en probeer het over 5 seconden opnieuw" in wrong_attempt(browser, pupil)
    # While waiting even the right password is not tried.
    page = browser.sign_in(pupil).get_data(as_text=True)
    assert "probeer het over 5 seconden" in page
    assert session.scalars(select(LoginSession)).all() == []
    for seconds in (10, 20, 40):
        clock.advance(3600)
        assert f"probeer het over {seconds} seconden" in wrong_attempt(browser, pupil)
    clock.advance(40)
    assert browser.sign_in(pupil).headers["Location"] == "/portal/"


def test_the_longest_wait_is_fifteen_minutes(browser, new_pupil, clock):
    pupil = new_pupil(CredentialType.WORD)
    for _ in range(20):
        clock.advance(3600)
        page = wrong_attempt(browser, pupil)
    assert "probeer het over 15 minuten" in page
    clock.advance(900)
    assert browser.sign_in(pupil).headers["Location"] == "/portal/"


def test_picture_guesses_are_throttled_the_same_way(browser, new_pupil, clock):
    pupil = new_pupil(CredentialType.PICTURE)
    wrong = " ".join(pupil.pictures[:-1] + (_other(pupil.pictures[-1]),))
    for _ in range(5):
        browser.sign_in(pupil, secret=wrong)
    page = browser.sign_in(pupil, secret=wrong).get_data(as_text=True)
    assert "Die afbeeldingen kloppen niet" in page and "probeer het over 5 seconden" in page


def _other(picture_id: str) -> str:
    category = next(c for c in CATEGORIES if picture_id.startswith(c.id + "-"))
    return next(p.id for p in category.pictures if p.id != picture_id)


def test_a_classmate_cannot_hold_back_the_pupils_own_tablet(client, app, new_pupil, clock):
    pupil = new_pupil(CredentialType.WORD)
    own = Browser(client)
    assert own.sign_in(pupil).headers["Location"] == "/portal/"
    assert client.get_cookie(COOKIE_NAME) is not None
    own.client.delete_cookie("leerid_session")  # signed out; the device stays trusted
    classmate = Browser(app.test_client())
    for _ in range(12):
        clock.advance(1)
        page = wrong_attempt(classmate, pupil)
    assert "probeer het over" in page
    assert "probeer het over" in classmate.sign_in(pupil).get_data(as_text=True)
    assert own.sign_in(pupil).headers["Location"] == "/portal/"


SCHOOL = "203.0.113.7"


def at_school(app) -> Browser:
    """A new browser (no cookies) at the school's address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = SCHOOL
    return Browser(client)


def script_failure(app, username: str) -> str:
    """One wrong password on `username` from a script that keeps no cookies."""
    return at_school(app).sign_in(_Typed(username), secret=WRONG).get_data(as_text=True)


@dataclasses.dataclass
class _Typed:
    """A username typed on the sign-in page (existing or not)."""

    username: str


def test_the_first_attempt_gives_the_browser_its_device_cookie(app, new_pupil, clock):
    browser = at_school(app)
    browser.sign_in(new_pupil(CredentialType.WORD), secret=WRONG)
    assert browser.client.get_cookie(COOKIE_NAME) is not None


def test_made_up_usernames_cannot_hold_back_the_first_school_day(
    app, new_pupil, make_school, clock
):
    school = make_school(name="Basisschool Het Kompas")
    pupils = [new_pupil(CredentialType.WORD, school=school) for _ in range(100)]
    # A classmate's script: 1,000 made-up usernames from the school's address, under a
    # minute. The first ones through the pages, the rest straight to the throttle.
    for number in range(20):
        assert "Dat wachtwoord klopt niet" in script_failure(app, f"verzonnen.naam{number}")
    throttle = app.extensions["leerid.throttle"]
    for number in range(20, 1000):
        source = Source(SCHOOL, f"script-{number}", False)
        throttle.failed(f"verzonnen.naam{number}", source, known=False)
    assert throttle.failures_this_minute() == 1000
    # Then the school day starts: every pupil on a browser that never signed in before.
    for pupil in pupils:
        response = at_school(app).sign_in(pupil)
        assert response.headers.get("Location") == "/portal/", response.get_data(as_text=True)


def test_the_ip_pace_slows_guessing_across_existing_accounts(new_pupil, clock, app, client):
    throttle = app.extensions["leerid.throttle"]
    throttle.policy = dataclasses.replace(throttle.policy, ip_failures_per_hour=30)
    trusted = new_pupil(CredentialType.WORD)
    own = at_school(app)
    own.sign_in(trusted)
    own.client.delete_cookie("leerid_session")
    classmates = [new_pupil(CredentialType.WORD) for _ in range(10)]
    for classmate in classmates * 3:  # a script without cookies, three guesses on each
        assert "probeer het over" not in script_failure(app, classmate.username)
    page = at_school(app).sign_in(new_pupil(CredentialType.WORD)).get_data(as_text=True)
    assert "Op dit netwerk ging aanmelden net heel vaak mis. Probeer het over 2 minuten" in page
    # A pupil on a device that signed in before is not held back by it.
    assert own.sign_in(trusted).headers["Location"] == "/portal/"
    # Slowed down, not blocked for the hour: two minutes later the next one goes through.
    clock.advance(120)
    assert at_school(app).sign_in(new_pupil(CredentialType.WORD)).headers["Location"] == "/portal/"


def test_a_proven_class_tablet_is_not_held_back_by_the_ip_pace(new_pupil, clock, app):
    throttle = app.extensions["leerid.throttle"]
    throttle.policy = dataclasses.replace(throttle.policy, ip_failures_per_hour=30)
    tablet = at_school(app)
    assert tablet.sign_in(new_pupil(CredentialType.WORD)).headers["Location"] == "/portal/"
    tablet.client.get("/portal/")
    tablet.client.delete_cookie("leerid_session")
    classmates = [new_pupil(CredentialType.WORD) for _ in range(10)]
    for classmate in classmates * 3:
        script_failure(app, classmate.username)
    # The next pupil of the class, the first time on this tablet.
    assert tablet.sign_in(new_pupil(CredentialType.WORD)).headers["Location"] == "/portal/"


def test_a_classmate_on_one_browser_slows_down_only_that_browser(app, new_pupil, clock):
    classmate = at_school(app)
    for number in range(60):
        page = classmate.sign_in(_Typed(f"geraden.naam{number}"), secret=WRONG)
    assert "Neem even pauze en probeer het over 60 seconden opnieuw" in page.get_data(as_text=True)
    pupil = new_pupil(CredentialType.WORD)
    assert "probeer het over" in classmate.sign_in(pupil).get_data(as_text=True)
    assert at_school(app).sign_in(pupil).headers["Location"] == "/portal/"


def test_a_class_taking_turns_on_one_tablet_with_two_typos_each_all_sign_in(
    app, new_pupil, make_school, clock
):
    school = make_school(name="Basisschool Het Kompas")
    pupils = [new_pupil(CredentialType.WORD, school=school) for _ in range(25)]
    tablet = at_school(app)
    # The first week: 25 pupils in turn, two wrong passwords each, within the hour.
    for pupil in pupils:
        for _ in range(2):
            clock.advance(30)
            assert "probeer het over" not in wrong_attempt(tablet, pupil)
        clock.advance(30)
        response = tablet.sign_in(pupil)
        assert response.headers.get("Location") == "/portal/", response.get_data(as_text=True)
        tablet.client.delete_cookie("leerid_session")  # "Afmelden", next pupil


def test_a_class_mistyping_usernames_on_one_tablet_all_sign_in(app, new_pupil, make_school, clock):
    school = make_school(name="Basisschool Het Kompas")
    pupils = [new_pupil(CredentialType.WORD, school=school) for _ in range(25)]
    tablet = at_school(app)
    # Typos in the username cannot be told from guesses, and stay on the tablet's pace:
    # the budget leaves room for two each, in the same hour.
    for pupil in pupils:
        for typo in ("x", "y"):
            clock.advance(20)
            page = tablet.sign_in(_Typed(pupil.username + typo), secret=pupil.password)
            assert "probeer het over" not in page.get_data(as_text=True)
        clock.advance(20)
        response = tablet.sign_in(pupil)
        assert response.headers.get("Location") == "/portal/", response.get_data(as_text=True)
        tablet.client.delete_cookie("leerid_session")


def test_a_hundred_pupils_of_one_school_behind_one_ip_sign_in(app, new_pupil, make_school, clock):
    school = make_school(name="Basisschool Het Kompas")
    pupils = [new_pupil(CredentialType.WORD, school=school) for _ in range(100)]
    for number, pupil in enumerate(pupils):
        browser = Browser(app.test_client())  # every pupil on a tablet of their own
        for _ in range(1 + number % 2):  # one or two typos each
            assert "probeer het over" not in wrong_attempt(browser, pupil)
        clock.advance(1)
        response = browser.sign_in(pupil)
        assert response.headers.get("Location") == "/portal/", response.get_data(as_text=True)


def test_unreachable_counters_refuse_sign_ins_kindly(settings, new_pupil):
    settings["throttle"] = {**settings["throttle"], "redis_url": "redis://127.0.0.1:1/0"}
    broken = create_app(settings)
    pupil = new_pupil(CredentialType.WORD)
    response = Browser(broken.test_client()).sign_in(pupil)
    # Its pooled connection would otherwise be left open (a ResourceWarning on PostgreSQL).
    get_database(broken).engine.dispose()
    assert response.status_code == 503
    assert "Dit is niet jouw fout" in response.get_data(as_text=True)


def test_a_script_guessing_cards_never_keeps_a_new_tablet_from_its_card(new_pupil, app):
    # Outside testing: with the card look-ups paced per address, made-up cards from one
    # classmate's script kept every new tablet at the school from opening its card.
    throttle = app.extensions["leerid.throttle"]
    throttle.policy = dataclasses.replace(throttle.policy, ip_failures_per_hour=30)
    pupil = new_pupil(CredentialType.PICTURE)
    for number in range(60):  # twice the (lowered) hourly ceiling, a new browser each time
        assert at_school(app).get(f"/k/abcd-efgh-jkmn-{number:04d}").status_code == 404
    opened = at_school(app).get(pupil.card_path)
    assert opened.status_code == 302 and opened.headers["Location"].startswith("/login/pictures")
