"""No input puts a line break, or a second recipient, into a mail header (idp.mail), and the
password-reset form refuses such an address with its usual message."""

from __future__ import annotations

import pytest

from idp import input_guard
from idp.mail import InvalidAddress, build_message, is_single_address

SETTINGS = {"sender": "LeerID <noreply@leerid.example>"}
NOT_AN_ADDRESS = "Dat lijkt geen e-mailadres."


@pytest.mark.parametrize(
    "address",
    [
        "zoe@example.org\r\nBcc: x@example.org",
        "zoe@example.org\n",
        "zoe@example.org\r",
        "zoe@example.org, x@example.org",
        "zoe@example.org,x@example.org",
        "Zoë <zoe@example.org>",
        "zoe@example.org\x00",
        "zoe example@example.org",
        "zoe@@example.org",
        "zoe.example.org",
        "x" * 243 + "@example.org",  # 255 characters
        "",
    ],
)
def test_no_header_can_be_made_from_a_bad_address(address):
    assert not is_single_address(address)
    with pytest.raises(InvalidAddress):
        build_message(SETTINGS, address, "Onderwerp", "Tekst")


@pytest.mark.parametrize(
    "address", ["zoe.dhondt@example.org", "élève@école.be", "x" * 242 + "@example.org"]
)
def test_one_address_on_one_line_is_a_recipient(address):
    message = build_message(SETTINGS, address, "Onderwerp", "Tekst")
    assert message["To"] == address
    assert "\n" not in str(message["To"])


@pytest.fixture
def known(world):
    """The confirmed address of a pupil: a reset link is sent to it."""
    return world.fresh_email()


def test_a_second_recipient_is_refused_with_the_forms_message(world, known, mailbox):
    page = world.browser().submit("/password/forgot", {"email": f"{known},x@example.org"})
    assert page.status_code == 200
    assert NOT_AN_ADDRESS in page.get_data(as_text=True)
    assert mailbox.messages == []


def test_a_line_break_never_reaches_the_mail(world, known, mailbox):
    # The guard refuses it before the page's view runs.
    refused = world.browser().submit("/password/forgot", {"email": f"{known}\r\n"})
    assert refused.status_code == 400
    assert mailbox.messages == []


def test_the_form_alone_keeps_line_breaks_out_of_the_mail(world, known, mailbox, app):
    """Without the guard too: a line break inside the address is refused by the form, one
    around it is stripped (as browsers do), and the mail has a single clean recipient."""
    app.before_request_funcs[None].remove(input_guard.check_request)
    injected = world.browser().submit(
        "/password/forgot", {"email": f"{known}\r\nBcc: x@example.org"}
    )
    assert NOT_AN_ADDRESS in injected.get_data(as_text=True)
    assert mailbox.messages == []
    sent = world.browser().submit("/password/forgot", {"email": f"{known}\r\n"})
    assert sent.status_code == 200
    (mail,) = mailbox.wait(1)
    assert mail["To"] == known
    assert mail["Bcc"] is None
