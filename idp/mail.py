"""Sending mail: over SMTP when [mail] smtp_host is set, else written to the log.

Mails leave from a background thread, so that a page answers as fast whether or not it
sent one (the password-reset page must not tell which addresses are known).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from email.message import EmailMessage
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)
_SENDER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="leerid-mail")
TIMEOUT = 15


def build_message(settings: Mapping[str, Any], to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message from LeerID's sender address."""
    message = EmailMessage()
    message["From"] = settings["sender"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def deliver(settings: Mapping[str, Any], message: EmailMessage) -> None:
    """Hand the message to the SMTP server, or log it when none is configured."""
    if not settings["smtp_host"]:
        log.info("mail (no smtp_host configured, not sent):\n%s", message.as_string())
        return
    with smtplib.SMTP(settings["smtp_host"], settings["smtp_port"], timeout=TIMEOUT) as smtp:
        if settings["smtp_starttls"]:
            smtp.starttls()
        if settings["smtp_username"]:
            smtp.login(settings["smtp_username"], settings["smtp_password"])
        smtp.send_message(message)


def _deliver_logged(settings: Mapping[str, Any], message: EmailMessage) -> None:
    try:
        deliver(settings, message)
    except (OSError, smtplib.SMTPException):
        # The pupil was told to look in their mailbox; the operator must learn it failed.
        log.exception("mail to %s could not be delivered", message["To"])


def send_mail(to: str, subject: str, body: str) -> Future[None]:
    """Send a mail in the background; the future is for tests and callers that must wait."""
    settings = current_app.config["LEERID"]["mail"]
    message = build_message(settings, to, subject, body)
    return _SENDER.submit(_deliver_logged, settings, message)
