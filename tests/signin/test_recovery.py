"""E-mail for advanced pupils, through a real SMTP server: confirming an address, and
resetting a forgotten password with a single-use link that expires."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from idp.models import CredentialType, EmailToken, LoginSession, Token, utcnow
from idp.passwords import verify_secret
from tests.mail import link_in

NEW = "Mijn kat speelt piano"


@pytest.fixture
def confirmed(browser, new_pupil, mailbox, session):
    """An advanced pupil who added and confirmed an address, then signed out."""
    pupil = new_pupil(CredentialType.OWN)
    browser.sign_in(pupil)
    sent = browser.submit("/portal/email", email="Zoe.DHondt@Example.org", current=pupil.password)
    assert "We stuurden een link naar Zoe.DHondt@Example.org" in sent.get_data(as_text=True)
    (mail,) = mailbox.wait(1)
    assert mail["To"] == "Zoe.DHondt@Example.org"
    assert mail["Subject"] == "Bevestig je e-mailadres voor LeerID"
    path = link_in(mail)
    # Opening the link shows a button: a mail program that fetches links confirms nothing.
    page = browser.get(path)
    assert "Bevestig mijn e-mailadres" in page.get_data(as_text=True)
    session.refresh(pupil.account)
    assert pupil.account.email_verified_at is None
    done = browser.submit(path)
    assert "Je e-mailadres is bevestigd" in done.get_data(as_text=True)
    session.refresh(pupil.account)
    assert pupil.account.email == "zoe.dhondt@example.org"
    assert pupil.account.email_verified_at is not None
    assert browser.get(path).status_code == 404, "a link works once"
    mailbox.messages.clear()
    browser.client.delete_cookie("leerid_session")
    return pupil


def test_confirmation_mail_arrives_over_smtp_with_a_working_link(confirmed):
    assert confirmed.account.email_verified_at is not None


def test_basic_pupils_cannot_add_an_address(browser, new_pupil):
    pupil = new_pupil(CredentialType.WORD)
    browser.sign_in(pupil)
    assert browser.get("/portal/email").headers["Location"] == "/portal/"


def test_a_bad_address_is_refused(browser, new_pupil, mailbox):
    pupil = new_pupil(CredentialType.OWN)
    browser.sign_in(pupil)
    response = browser.submit("/portal/email", email="geen adres")
    assert "Dat lijkt geen e-mailadres" in response.get_data(as_text=True)
    assert mailbox.messages == []


def test_a_forgotten_password_is_reset_with_the_mailed_link(
    confirmed, browser, mailbox, session, make_rp, client
):
    # Someone is still signed in with the old password: the reset ends that session.
    browser.sign_in(confirmed)
    opened = session.scalars(select(LoginSession)).all()
    assert len(opened) == 2 and all(login.ended_at is None for login in opened)
    browser.client.delete_cookie("leerid_session")
    page = browser.submit("/password/forgot", email="zoe.dhondt@example.org")
    assert "Kijk in je mailbox" in page.get_data(as_text=True)
    (mail,) = mailbox.wait(1)
    assert mail["Subject"] == "Kies een nieuw wachtwoord voor LeerID"
    body = mail.get_payload(decode=True).decode()
    assert confirmed.username in body and "30 minuten" in body
    path = link_in(mail)
    refused = browser.submit(path, password="kort", confirmation="kort")
    assert "minstens 12 tekens" in refused.get_data(as_text=True)
    done = browser.submit(path, password=NEW, confirmation=NEW)
    assert "Je wachtwoord is gewijzigd" in done.get_data(as_text=True)
    session.refresh(confirmed.account)
    assert verify_secret(confirmed.account.password_hash, NEW)
    for login in opened:
        session.refresh(login)
        assert login.ended_at is not None
    assert browser.get(path).status_code == 404, "single use"
    assert browser.sign_in(confirmed, secret=NEW).headers["Location"] == "/portal/"


def test_the_answer_is_the_same_for_an_unknown_address(confirmed, browser, mailbox):
    def strip(response):
        text = response.get_data(as_text=True)
        return text.replace("zoe.dhondt@example.org", "X").replace("niemand@example.org", "X")

    known = browser.submit("/password/forgot", email="zoe.dhondt@example.org")
    unknown = browser.submit("/password/forgot", email="niemand@example.org")
    assert strip(known) == strip(unknown)
    assert len(mailbox.wait(1)) == 1


def test_a_reset_link_expires_after_30_minutes(confirmed, browser, mailbox, session):
    browser.submit("/password/forgot", email="zoe.dhondt@example.org")
    path = link_in(mailbox.wait(1)[0])
    token = session.scalars(select(EmailToken).where(EmailToken.purpose == "reset_password")).one()
    assert token.expires_at - token.created_at == dt.timedelta(minutes=30)
    token.expires_at = utcnow() - dt.timedelta(seconds=1)
    session.commit()
    assert browser.get(path).status_code == 404
    assert "werkt niet (meer)" in browser.get(path).get_data(as_text=True)


def test_reset_requests_are_throttled_per_address(confirmed, browser, mailbox):
    for _ in range(5):
        page = browser.submit("/password/forgot", email="zoe.dhondt@example.org")
        assert "Kijk in je mailbox" in page.get_data(as_text=True)
    mailbox.wait(3)
    import time

    time.sleep(0.3)
    assert len(mailbox.messages) == 3


def test_an_address_changed_since_makes_old_reset_links_useless(
    confirmed, browser, mailbox, session
):
    browser.submit("/password/forgot", email="zoe.dhondt@example.org")
    path = link_in(mailbox.wait(1)[0])
    confirmed.account.email = "ander@example.org"
    session.commit()
    assert browser.get(path).status_code == 404


def test_a_reset_revokes_the_apps_tokens(confirmed, browser, mailbox, session, make_rp, client):
    rp = make_rp()
    browser.sign_in(confirmed)
    callback = rp.callback(client.get(rp.authorize_url()))
    assert rp.exchange(callback["code"][0]).status_code == 200
    browser.client.delete_cookie("leerid_session")
    browser.submit("/password/forgot", email="zoe.dhondt@example.org")
    browser.submit(link_in(mailbox.wait(1)[0]), password=NEW, confirmation=NEW)
    tokens = session.scalars(select(Token)).all()
    for token in tokens:
        session.refresh(token)
    assert tokens and all(token.revoked_at is not None for token in tokens)


def test_a_confirmation_link_expires(browser, new_pupil, mailbox, session):
    pupil = new_pupil(CredentialType.OWN)
    browser.sign_in(pupil)
    browser.submit("/portal/email", email="lars@example.org", current=pupil.password)
    path = link_in(mailbox.wait(1)[0])
    token = session.scalars(select(EmailToken)).one()
    assert token.expires_at - token.created_at == dt.timedelta(days=1)
    token.expires_at = utcnow() - dt.timedelta(seconds=1)
    session.commit()
    assert browser.get(path).status_code == 404
    session.refresh(pupil.account)
    assert pupil.account.email is None


def test_forgot_password_is_offered_on_the_password_step_only_with_a_way_back(
    browser, new_pupil, make_rp
):
    word, picture = new_pupil(CredentialType.WORD), new_pupil(CredentialType.PICTURE)
    browser.open(make_rp().authorize_url())
    key = browser.key
    assert "Wachtwoord vergeten?" not in browser.get(f"/login?interaction={key}").get_data(
        as_text=True
    )
    browser.submit(f"/login?interaction={key}", username=picture.username)
    assert "Wachtwoord vergeten?" not in browser.get("/login/pictures").get_data(as_text=True)
    browser.get("/login/switch")
    browser.submit(f"/login?interaction={key}", username=word.username)
    html = browser.get("/login/password").get_data(as_text=True)
    assert f'href="/password/forgot?interaction={key}"' in html
    forgot = browser.get(f"/password/forgot?interaction={key}").get_data(as_text=True)
    assert (
        "vraag dan je LeerID-beheerder" in forgot.replace("\n", " ") or "LeerID-beheerder" in forgot
    )
    back = f'href="/login/password?interaction={key}"'
    assert back in forgot
    sent = browser.submit(f"/password/forgot?interaction={key}", email="niemand@example.org")
    assert back in sent.get_data(as_text=True)
    # The way back still leads to the app that waits.
    assert browser.get(f"/login/password?interaction={key}").status_code == 200


@pytest.mark.parametrize("path", ["/password/forgot", "/password/reset/some-old-link"])
def test_a_form_whose_page_was_open_too_long_gets_a_way_back(client, path):
    # A tab restored after the browser restarted: its token no longer matches anything.
    response = client.post(path, data={"csrf_token": "old", "email": "a@b.example"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Deze pagina stond lang open" in html and f'href="{path}"' in html
    assert "CSRF" not in html and "Bad Request" not in html
    english = client.post(path + "?lang=en", data={"email": "a@b.example"})
    assert "This page was open for a long time" in english.get_data(as_text=True)
