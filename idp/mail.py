"""Sending mail: over SMTP when [mail] smtp_host is set, else shown on the terminal.

Without an SMTP server (the embedded setup, `leerid demo`) a mail is printed whole on
standard error, where the person running LeerID looks: the page told the pupil to look in
their mailbox, and the link in it is the only way on. In production such a mail is logged
as an error without its body, since its link is a secret.

Mails leave from a background thread, so that a page answers as fast whether or not it
sent one (the password-reset page must not tell which addresses are known).
"""

from __future__ import annotations

import logging
import re
import smtplib
import sys
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from email.message import EmailMessage
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)
_SENDER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="leerid-mail")
TIMEOUT = 15
_RULE = "=" * 72
# RFC 5321 §4.5.3.1.3: a path holds at most 256 octets, angle brackets included.
MAX_ADDRESS_LENGTH = 254
# Whitespace and the characters that structure an address header (RFC 5322 §3.2.3
# "specials" but "@" and "."): with them one value could become a display name, a group
# or a second recipient.
_NOT_IN_ADDRESS = re.compile(r'[\s()<>\[\]:;,\\"]')


class InvalidAddress(ValueError):
    """An address that cannot go into the To header as one recipient on one line."""


def is_single_address(address: str) -> bool:
    """One recipient on one line: at most 254 characters, exactly one "@", no whitespace
    (so no line break that could start a header), no control character and none of the
    characters that would let the header name a second recipient."""
    return (
        0 < len(address) <= MAX_ADDRESS_LENGTH
        and address.count("@") == 1
        and address.isprintable()
        and not _NOT_IN_ADDRESS.search(address)
    )


def build_message(settings: Mapping[str, Any], to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message from LeerID's sender address; raises InvalidAddress when
    `to` is not one address on one line (see is_single_address)."""
    if not is_single_address(to):
        raise InvalidAddress("not a single e-mail address on one line")
    message = EmailMessage()
    message["From"] = settings["sender"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def deliver(settings: Mapping[str, Any], message: EmailMessage, *, show_unsent: bool) -> None:
    """Hand the message to the SMTP server; without one, print it (`show_unsent`) or log it.

    Raises OSError or smtplib.SMTPException when the SMTP server cannot take the message.
    """
    if not settings["smtp_host"]:
        if show_unsent:
            _print_unsent(message)
        else:
            log.error("mail to %s not sent: no SMTP server ([mail] smtp_host)", message["To"])
        return
    with smtplib.SMTP(settings["smtp_host"], settings["smtp_port"], timeout=TIMEOUT) as smtp:
        if settings["smtp_starttls"]:
            smtp.starttls()
        if settings["smtp_username"]:
            smtp.login(settings["smtp_username"], settings["smtp_password"])
        smtp.send_message(message)


def _print_unsent(message: EmailMessage) -> None:
    """The mail as a person reads it, between rules on stderr, in one write."""
    # Decoded: as_string() would wrap a long link in quoted-printable soft line breaks.
    body = message.get_content().rstrip("\n")
    text = (
        f"\n{_RULE}\nLeerID: this e-mail was not sent: no SMTP server ([mail] smtp_host).\n"
        f"To: {message['To']}\nSubject: {message['Subject']}\n\n{body}\n{_RULE}\n"
    )
    sys.stderr.write(text)
    sys.stderr.flush()
    log.info("mail to %s printed on stderr (no smtp_host configured)", message["To"])


def _deliver_logged(settings: Mapping[str, Any], message: EmailMessage, show: bool) -> None:
    try:
        deliver(settings, message, show_unsent=show)
    except (OSError, smtplib.SMTPException):
        # The pupil was told to look in their mailbox; the operator must learn it failed.
        log.exception("mail to %s could not be delivered", message["To"])


def send_mail(to: str, subject: str, body: str) -> Future[None]:
    """Send a mail in the background; the future is for tests and callers that must wait."""
    settings = current_app.config["LEERID"]["mail"]
    message = build_message(settings, to, subject, body)
    show = current_app.config["LEERID"]["server"]["environment"] != "production"
    return _SENDER.submit(_deliver_logged, settings, message, show)
