"""The sign-in flow between its steps: who is signing in, for which waiting app request,
one throttled attempt at a secret, and what happens once the secret was right."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import make_response, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from .. import interactions
from ..db import get_session
from ..models import Account, AccountStatus, CredentialType, Interaction, utcnow
from ..models.account import USERNAME_MAX_LENGTH
from ..services.authentication import normalise_username, secret_matches
from ..throttle import Source, current_device, get_throttle
from ..throttle.devices import remember_device, trusted_device
from . import oidc
from .messages import duration

# The forced password change must follow the sign-in it belongs to (seconds).
CHANGE_WINDOW = 900


def step_url(endpoint: str, interaction: Interaction, **values: Any) -> str:
    """The URL of a sign-in page of this interaction."""
    return url_for(endpoint, interaction=interaction.key, **values)


def choose_username(interaction: Interaction, username: str) -> None:
    """Remember who is signing in, for the next step (the caller commits)."""
    interaction.username = normalise_username(username)[:USERNAME_MAX_LENGTH]


def forget_username(interaction: Interaction) -> None:
    """ "Not you?": start again with the username (the caller commits)."""
    interaction.username = None


def step_for(account: Account | None) -> str:
    """The second step: the picture grid for picture passwords, else the password field.

    Unknown usernames get the password field, like most accounts, so that the page does
    not tell which usernames exist (picture accounts cannot hide that they are).
    """
    if account is not None and account.credential_type is CredentialType.PICTURE:
        return "pictures.form"
    return "login.password"


def client_ip() -> str:
    """The address the request came from (behind trusted proxies: the forwarded one)."""
    return request.remote_addr or "unknown"


@dataclass(frozen=True)
class Attempt:
    """The outcome of one attempt: the account, or a message and how long to wait."""

    account: Account | None
    message: str | None = None


def attempt(username: str, account: Account | None, secret: str, wrong: str) -> Attempt:
    """Check a secret for the account of `username` (None: unknown) under the sign-in
    throttle; `wrong` is the message for a wrong one."""
    throttle = get_throttle()
    # The device id comes with the first attempt, so that failures can be charged to it.
    source = Source(
        client_ip(), current_device(request), trusted_device(request, username) is not None
    )
    verdict = throttle.check(username, source)
    if verdict.wait:
        return Attempt(None, wait_message(verdict.wait, verdict.reason))
    # Verified even for an unknown username (a dummy hash): the time tells nothing.
    matched = secret_matches(account, secret)
    if account is None or not matched:
        # Whether the username exists decides only what the IP's pace is charged, never
        # the answer: the verdict leaves that pace out.
        verdict = throttle.failed(username, source, known=account is not None)
        if verdict.wait:
            return Attempt(None, f"{wrong} {wait_message(verdict.wait, verdict.reason)}")
        return Attempt(None, wrong)
    throttle.succeeded(username, source)
    if account.status is not AccountStatus.ACTIVE:
        return Attempt(
            None, _("Your LeerID is switched off. Ask your school's LeerID administrator.")
        )
    return Attempt(account)


def wait_message(seconds: int, reason: str | None) -> str:
    """How long to wait, in kind words."""
    span = duration(seconds)
    if reason == "ip":
        return _(
            "Many sign-ins went wrong on this network just now. Please try again in %(time)s.",
            time=span,
        )
    return _("Take a short break and try again in %(time)s.", time=span)


def signed_in(account: Account, amr: list[str], interaction: Interaction) -> Response:
    """After the right secret: the forced password change, or on to the app (or portal)."""
    if account.must_change_password:
        interaction.proved_account = account
        interaction.proved_at = utcnow()
        get_session().commit()
        response = redirect(step_url("login.new_password", interaction))
    else:
        response = finish(account, amr, interaction)
    # This browser knew the secret: it is no longer held back by strangers' mistakes.
    remember_device(response, request, account.username)
    return response


def finish(account: Account, amr: list[str], interaction: Interaction) -> Response:
    """Open the SSO session and continue the waiting app request, or go to the portal."""
    interactions.finish_login(account, interaction, amr)
    return answer_app(interaction)


def answer_app(interaction: Interaction) -> Response:
    """The response that carries the waiting app its answer (the code, by its response
    mode, or an exact OAuth error); the Leerlingloket when no app waits.

    Given in the sign-in step's own response rather than after a redirect to /authorize:
    one request less for a pupil on a slow school network (and for the server). The
    answer commits, or rolls back and ends the interaction when it refuses."""
    if interaction.request is None:
        return redirect(url_for("portal.home"))
    return make_response(oidc.answer(interaction))


def account_to_change(interaction: Interaction) -> Account | None:
    """The account that must choose its password now, if this browser just proved it."""
    account, proved_at = interaction.proved_account, interaction.proved_at
    if account is None or proved_at is None or not account.must_change_password:
        return None
    if (utcnow() - proved_at).total_seconds() > CHANGE_WINDOW:
        return None
    return account
