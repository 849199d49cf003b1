"""What guards an advanced pupil's account against whoever finds their session open: adding
or changing the e-mail address asks the password, and the confirmed address hears of every
change to the address or the password (through a real SMTP server)."""

from __future__ import annotations

import datetime as dt
import time

from flask_babel import force_locale, format_date
from sqlalchemy import select

from idp.models import CredentialType, EmailToken, utcnow
from tests.mail import link_in
from tests.signin.conftest import Browser

OLD = "zoe.dhondt@example.org"
NEW = "Mijn kat speelt piano"
HELP = "Was jij dit niet? Vraag je LeerID-beheerder om hulp."


def body_of(mail) -> str:
    return mail.get_payload(decode=True).decode()


def change_password(browser, pupil):
    return browser.submit(
        "/portal/password", current=pupil.password, password=NEW, confirmation=NEW
    )


def confirm(app, mailbox, session, pupil, address: str) -> None:
    """Open the confirmation link that just arrived from another browser (the mailbox's)."""
    (mail,) = mailbox.wait(1)
    assert mail["To"] == address
    mailbox.messages.clear()
    done = Browser(app.test_client()).submit(link_in(mail))
    assert "Je e-mailadres is bevestigd" in done.get_data(as_text=True)
    session.refresh(pupil.account)


def signed_in_with_address(app, browser, new_pupil, mailbox, session):
    """An advanced pupil with a confirmed address, signed in on `browser`."""
    pupil = new_pupil(CredentialType.OWN)
    browser.sign_in(pupil)
    browser.submit("/portal/email", email=OLD, current=pupil.password)
    confirm(app, mailbox, session, pupil, OLD)
    assert pupil.account.email == OLD
    return pupil


def test_a_classmate_at_an_open_session_cannot_set_their_address(
    app, browser, new_pupil, mailbox, session
):
    pupil = signed_in_with_address(app, browser, new_pupil, mailbox, session)
    # Left signed in: the classmate sends their own address, without the password or
    # with a guess.
    for current in ("", "geraden wachtwoord"):
        page = browser.submit("/portal/email", email="klasgenoot@example.org", current=current)
        assert page.status_code == 200
        assert "Je e-mailadres is bevestigd" not in page.get_data(as_text=True)
    assert "Je huidige wachtwoord klopt niet" in page.get_data(as_text=True)
    assert session.scalars(select(EmailToken.email)).all() == [OLD]
    assert mailbox.messages == []
    session.refresh(pupil.account)
    assert pupil.account.email == OLD


def test_the_page_asks_the_current_password(browser, new_pupil):
    pupil = new_pupil(CredentialType.OWN)
    browser.sign_in(pupil)
    html = browser.get("/portal/email").get_data(as_text=True)
    assert "Je huidige wachtwoord" in html
    assert 'name="current"' in html and 'autocomplete="current-password"' in html


def test_guessing_the_password_on_the_address_page_is_throttled_like_a_sign_in(
    browser, new_pupil, mailbox
):
    pupil = new_pupil(CredentialType.OWN)
    browser.sign_in(pupil)
    for _ in range(6):
        page = browser.submit("/portal/email", email="klasgenoot@example.org", current="geraden")
    assert "Neem even pauze en probeer het over 5 seconden" in page.get_data(as_text=True)
    # The right password waits too: the throttle decides before anything is verified.
    page = browser.submit("/portal/email", email="klasgenoot@example.org", current=pupil.password)
    assert "probeer het over" in page.get_data(as_text=True)
    assert mailbox.messages == []


def test_a_new_address_is_announced_to_the_old_one(app, browser, new_pupil, mailbox, session):
    pupil = signed_in_with_address(app, browser, new_pupil, mailbox, session)
    before = utcnow()
    sent = browser.submit("/portal/email", email="Nieuw@Example.org", current=pupil.password)
    assert "We stuurden een link naar Nieuw@Example.org" in sent.get_data(as_text=True)
    # Nothing is announced yet: an address counts once its link was opened.
    confirm(app, mailbox, session, pupil, "Nieuw@Example.org")
    assert pupil.account.email == "nieuw@example.org"
    (notice,) = mailbox.wait(1)
    assert notice["To"] == OLD
    assert notice["Subject"] == "Het e-mailadres van je LeerID is gewijzigd"
    body = body_of(notice)
    assert pupil.username in body and "nieuw@example.org" in body
    with force_locale("nl"):
        days = {format_date(before, "long"), format_date(utcnow(), "long")}
    assert any(f"Op {day}" in body for day in days), body  # when, in Belgian time
    assert HELP in body
    assert "http" not in body, "a notice holds no link"


def test_the_first_address_is_announced_to_nobody(app, browser, new_pupil, mailbox, session):
    signed_in_with_address(app, browser, new_pupil, mailbox, session)
    assert mailbox.messages == []


def test_confirming_the_same_address_again_announces_nothing(
    app, browser, new_pupil, mailbox, session
):
    pupil = signed_in_with_address(app, browser, new_pupil, mailbox, session)
    browser.submit("/portal/email", email=OLD.upper(), current=pupil.password)
    confirm(app, mailbox, session, pupil, OLD.upper())
    assert mailbox.messages == []


def test_a_password_changed_in_the_portal_is_announced(app, browser, new_pupil, mailbox, session):
    pupil = signed_in_with_address(app, browser, new_pupil, mailbox, session)
    done = change_password(browser, pupil)
    assert done.headers["Location"] == "/portal/"
    (notice,) = mailbox.wait(1)
    assert notice["To"] == OLD
    assert notice["Subject"] == "Het wachtwoord van je LeerID is gewijzigd"
    body = body_of(notice)
    assert pupil.username in body and "in het Leerlingloket" in body
    assert "op een ander toestel" in body
    assert HELP in body and "http" not in body


def test_a_password_reset_with_a_link_is_announced(app, browser, new_pupil, mailbox, session):
    pupil = signed_in_with_address(app, browser, new_pupil, mailbox, session)
    browser.client.delete_cookie("leerid_session")
    browser.submit("/password/forgot", email=OLD)
    (mail,) = mailbox.wait(1)
    mailbox.messages.clear()
    done = browser.submit(link_in(mail), password=NEW, confirmation=NEW)
    assert "Je wachtwoord is gewijzigd" in done.get_data(as_text=True)
    (notice,) = mailbox.wait(1)
    assert notice["To"] == OLD
    assert notice["Subject"] == "Het wachtwoord van je LeerID is gewijzigd"
    body = body_of(notice)
    assert pupil.username in body and "Wachtwoord vergeten?" in body
    assert HELP in body and "http" not in body


def test_without_a_confirmed_address_a_password_change_mails_nobody(browser, new_pupil, mailbox):
    pupil = new_pupil(CredentialType.OWN)
    browser.sign_in(pupil)
    done = change_password(browser, pupil)
    assert done.headers["Location"] == "/portal/"
    time.sleep(0.3)  # mails leave from a background thread
    assert mailbox.messages == []


def test_a_confirmation_asked_before_the_password_changed_adds_no_address(
    app, browser, new_pupil, mailbox, session
):
    # Someone who knew the old password asked for their address; the pupil changed the
    # password since: the link adds nothing.
    pupil = new_pupil(CredentialType.OWN)
    browser.sign_in(pupil)
    browser.submit("/portal/email", email="indringer@example.org", current=pupil.password)
    (mail,) = mailbox.wait(1)
    token = session.scalars(select(EmailToken)).one()
    token.created_at -= dt.timedelta(seconds=1)  # asked for just before the change
    session.commit()
    change_password(browser, pupil)
    stranger = Browser(app.test_client())
    assert stranger.get(link_in(mail)).status_code == 404
    session.refresh(pupil.account)
    assert pupil.account.email is None
