"""The password step looks the same for every username that is not a picture account, so
that a stranger learns neither that a username exists nor what kind of password it has."""

from __future__ import annotations

import re

import pytest

from idp.models import CredentialType
from tests.signin.conftest import CSRF, Browser

KINDS = {
    "word password": CredentialType.WORD,
    "temporary password": CredentialType.TEMPORARY,
    "own password": CredentialType.OWN,
}


def page_for(app, username: str, wrong: str | None = None) -> str:
    """The password step for `username` in a new browser, after a wrong password if given;
    without its CSRF token and with the username and interaction key replaced."""
    browser = Browser(app.test_client())
    assert browser.next(browser.submit("/login", username=username)) == "/login/password"
    if wrong is None:
        response = browser.get("/login/password")
    else:
        response = browser.submit("/login/password", password=wrong)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    html = CSRF.sub(lambda match: match.group(0).replace(match.group(1), "TOKEN"), html)
    return html.replace(username, "USERNAME").replace(browser.key or "", "KEY")


@pytest.mark.parametrize("wrong", [None, "boom47"])
def test_known_and_unknown_usernames_get_the_same_page(app, new_pupil, wrong):
    pages = {name: page_for(app, new_pupil(kind).username, wrong) for name, kind in KINDS.items()}
    pages["unknown username"] = page_for(app, "niemand.bestaat", wrong)
    reference = pages["unknown username"]
    assert "USERNAME" in reference and "TOKEN" in reference
    for name, page in pages.items():
        assert page == reference, name


def test_the_field_is_never_saved_or_suggested_and_can_be_shown(app, new_pupil):
    html = page_for(app, new_pupil(CredentialType.OWN).username)
    field = re.search(r'<input[^>]*name="password"[^>]*>', html).group(0)
    # A text field: browsers ignore autocomplete="off" on password fields, not on these.
    assert 'type="text"' in field and 'autocomplete="off"' in field
    assert 'data-reveal="Wachtwoord tonen"' in field
    assert 'autocomplete="username"' not in html and 'type="password"' not in html
    assert '<script src="/static/reveal.js" defer></script>' in html
    assert "<script>" not in html  # the Content-Security-Policy allows no inline script


def test_the_reveal_script_is_served(client):
    response = client.get("/static/reveal.js")
    assert response.status_code == 200
    assert "-webkit-text-security" in response.get_data(as_text=True)
    response.close()


def _signs_in(app, pupil, secret: str) -> bool:
    """Whether `secret` signs the pupil in, from a new browser (no trust, no streak): on
    to the portal, or to choosing an own password; a wrong one shows the step again."""
    response = Browser(app.test_client()).sign_in(pupil, secret=secret)
    assert response.status_code in (200, 302)
    return response.status_code == 302


def test_a_word_password_forgives_capitals_and_spaces(app, new_pupil):
    pupil = new_pupil(CredentialType.WORD)
    word = pupil.password
    assert word == word.lower() and word.isalnum()
    typed = [word.capitalize(), word.upper(), f" {word} ", f"{word[:3]} {word[3:]}", word + "\t"]
    for secret in typed:
        assert _signs_in(app, pupil, secret), repr(secret)
    # Forgiving is not guessing: another word password is still wrong.
    assert not _signs_in(app, pupil, word[:-1] + ("2" if word[-1] != "2" else "3"))


@pytest.mark.parametrize("kind", [CredentialType.TEMPORARY, CredentialType.OWN])
def test_other_passwords_stay_exact(app, new_pupil, kind):
    pupil = new_pupil(kind)
    # A temporary password may be capitals and digits only, so that its upper case is itself:
    # only the variants that differ from it are other passwords.
    word = pupil.password
    others = {word.swapcase(), word.upper(), word.lower(), f" {word}"} - {word}
    for secret in sorted(others):
        assert not _signs_in(app, pupil, secret), repr(secret)
    assert _signs_in(app, pupil, pupil.password)


def test_forgiving_costs_the_same_one_verification_for_every_username(app, new_pupil, monkeypatch):
    import idp.services.authentication as authentication

    verified: list[tuple[bool, str]] = []
    real = authentication.verify_secret

    def spy(password_hash, text, parameters=None):
        verified.append((password_hash is not None, text))
        return real(password_hash, text, parameters)

    monkeypatch.setattr(authentication, "verify_secret", spy)
    typed = " Top 383 "
    for username in (
        new_pupil(CredentialType.WORD).username,
        new_pupil(CredentialType.OWN).username,
        new_pupil(CredentialType.TEMPORARY).username,
        "niemand.bestaat",
    ):
        browser = Browser(app.test_client())
        assert browser.next(browser.submit("/login", username=username)) == "/login/password"
        browser.submit("/login/password", password=typed)
    # One Argon2 verification per attempt; only the word password's is forgiving, and an
    # unknown username is verified (against the dummy hash) exactly as typed.
    assert verified == [(True, "top383"), (True, typed), (True, typed), (False, typed)]
