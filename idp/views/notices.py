"""Notices by mail to the address a pupil confirmed, when something that guards the account
changed: the address itself (the notice goes to the old one), or the password. Whoever
took over a session or a mailbox would not tell the pupil; these mails do.

A notice holds no link (nothing in it grants anything, so forwarding it or having it read
by someone else is harmless) and says who can help: the school's LeerID administrator.
Mails go out after the change was committed; an address that cannot take a mail is logged
and the change stands.
"""

from __future__ import annotations

import logging

from flask import render_template
from flask_babel import format_datetime
from flask_babel import gettext as _

from ..mail import InvalidAddress, send_mail
from ..models import Account, utcnow

log = logging.getLogger(__name__)

# How the password was changed, as the notice tells it.
IN_PORTAL = "portal"
BY_RESET_LINK = "reset"


def _send(to: str, subject: str, template: str, **values: object) -> None:
    body = render_template(template, when=format_datetime(utcnow(), "long"), **values)
    try:
        send_mail(to, subject, body)
    except InvalidAddress:
        log.error("notice %s not sent: the stored address is not one address", template)


def confirmed_address(account: Account) -> str | None:
    """The account's confirmed address, or None without one."""
    if account.email and account.email_verified_at is not None:
        return account.email
    return None


def email_changed(account: Account, old_address: str, new_address: str) -> None:
    """Tell the address confirmed before that `new_address` replaced it."""
    _send(
        old_address,
        _("The e-mail address of your LeerID was changed"),
        "mail/email_changed.txt",
        username=account.username,
        address=new_address,
    )


def password_changed(account: Account, how: str) -> None:
    """Tell the confirmed address (if any) that the password was changed, and how
    (IN_PORTAL or BY_RESET_LINK)."""
    address = confirmed_address(account)
    if address is None:
        return
    _send(
        address,
        _("The password of your LeerID was changed"),
        "mail/password_changed.txt",
        username=account.username,
        by_reset_link=how == BY_RESET_LINK,
    )
