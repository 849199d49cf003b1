"""The embedded setup has no SMTP server: the page says "Kijk in je mailbox", so the whole
mail, with a link that works as printed, appears on the terminal that runs LeerID."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from idp.mail import build_message, deliver
from idp.models import CredentialType


@pytest.fixture
def settings(settings: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The test settings without an SMTP server, as `leerid demo` runs."""
    settings["mail"] = {}
    return settings


def printed_mail(capfd: pytest.CaptureFixture[str], timeout: float = 5.0) -> str:
    """What went to the terminal's stderr once a mail was printed (from a background thread)."""
    err = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        err += capfd.readouterr().err
        if len(re.findall(r"^={20,}$", err, re.MULTILINE)) >= 2:
            return err
        time.sleep(0.02)
    raise AssertionError(f"no mail on stderr:\n{err}")


def test_the_confirmation_mail_is_printed_whole_on_stderr(browser, new_pupil, capfd):
    pupil = new_pupil(CredentialType.OWN)
    browser.sign_in(pupil)
    sent = browser.submit("/portal/email", email="zoe@example.org", current=pupil.password)
    assert "Kijk in je mailbox" in sent.get_data(as_text=True)
    err = printed_mail(capfd)
    assert "not sent: no SMTP server ([mail] smtp_host)" in err
    assert "To: zoe@example.org" in err
    assert "Subject: Bevestig je e-mailadres voor LeerID" in err
    assert pupil.username in err
    # The link as printed (decoded, on one line) opens the confirmation page.
    (link,) = re.findall(r"https?://[^/\s]+(/\S+)", err)
    page = browser.get(link)
    assert page.status_code == 200
    assert "Bevestig mijn e-mailadres" in page.get_data(as_text=True)


def test_a_reset_link_is_printed_on_stderr(browser, new_pupil, capfd, session):
    pupil = new_pupil(CredentialType.OWN)
    pupil.account.email = "zoe@example.org"
    pupil.account.email_verified_at = pupil.account.created_at
    session.commit()
    browser.submit("/password/forgot", email="zoe@example.org")
    err = printed_mail(capfd)
    assert "Subject: Kies een nieuw wachtwoord voor LeerID" in err
    (link,) = re.findall(r"https?://[^/\s]+(/\S+)", err)
    assert "Nieuw wachtwoord" in browser.get(link).get_data(as_text=True)


def test_in_production_a_mail_without_smtp_is_an_error_without_its_link(app, capfd, caplog):
    settings = {**app.config["LEERID"]["mail"], "smtp_host": ""}
    message = build_message(settings, "zoe@example.org", "Reset", "https://x.test/secret-link")
    deliver(settings, message, show_unsent=False)
    assert "secret-link" not in capfd.readouterr().err
    assert "secret-link" not in caplog.text
    assert "mail to zoe@example.org not sent: no SMTP server" in caplog.text
