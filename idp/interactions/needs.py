"""What an authorization request still needs from the pupil before the app gets a code
(OpenID Connect Core 1.0 §3.1.2.1 and §3.1.2.3).

- SIGN_IN: the secret, typed or tapped now: no session, `prompt=login`, `max_age`
  exceeded, or an `id_token_hint` of another pupil than the session's (on a shared tablet
  the app asks for the pupil it knew). Confirming who you are ("Ja, ga verder") does not
  satisfy it.
- CHOOSE: the pupil says who they are: on a shared tablet a basic account confirms "Ben jij
  ...?", and `login_hint` or `prompt=select_account` may name someone else.
- CONSENT: `prompt=consent`: the pupil sees what the app will receive.

What the interaction already did counts: a fresh sign-in in it satisfies SIGN_IN (even with
`max_age=0`), confirming or signing in satisfies CHOOSE, agreeing satisfies CONSENT.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Mapping
from typing import Any

from authlib.oauth2 import OAuth2Error
from authlib.oidc.core.errors import (
    ConsentRequiredError,
    InteractionRequiredError,
    LoginRequiredError,
)

from ..models import AccountKind, AccountStatus, Interaction, LoginSession
from ..services.authentication import normalise_username


class Need(enum.Enum):
    """A step between the request and the code."""

    SIGN_IN = "sign_in"
    CHOOSE = "choose"
    CONSENT = "consent"


def prompts(data: Mapping[str, Any]) -> set[str]:
    """The request's `prompt` values (Core §3.1.2.1: space-delimited)."""
    return set(str(data.get("prompt") or "").split())


def need(
    data: Mapping[str, Any],
    login: LoginSession | None,
    interaction: Interaction | None,
    now: float | None = None,
    *,
    someone_else: bool = False,
) -> Need | None:
    """The next step the request needs with this SSO session, or None: issue the code.

    `someone_else`: the app's `id_token_hint` names another pupil than the session's.
    """
    if login is None or login.account.status is not AccountStatus.ACTIVE:
        return Need.SIGN_IN
    asked = prompts(data)
    done_here = interaction is not None and interaction.login_session_id == login.id
    fresh = done_here and interaction is not None and interaction.fresh
    if not fresh and ("login" in asked or _too_old(data, login, now) or someone_else):
        return Need.SIGN_IN
    hint = normalise_username(str(data.get("login_hint") or ""))
    basic = login.account.kind is AccountKind.BASIC
    if not done_here and (
        basic or "select_account" in asked or (hint and hint != login.account.username)
    ):
        return Need.CHOOSE
    if "consent" in asked and not (interaction is not None and interaction.consented):
        return Need.CONSENT
    return None


def _too_old(data: Mapping[str, Any], login: LoginSession, now: float | None) -> bool:
    # Core §3.1.2.1: max_age is the allowable elapsed time in seconds since the pupil last
    # actively signed in; the value was checked to be a whole number (idp.oauth.checks).
    max_age = data.get("max_age")
    if max_age is None:
        return False
    moment = time.time() if now is None else now
    return moment - login.auth_time.timestamp() > int(max_age)


def silent_error(step: Need, login: LoginSession | None, redirect_uri: str) -> OAuth2Error:
    """The error for `prompt=none` when a step is needed (Core §3.1.2.6): nothing is shown."""
    if step is Need.SIGN_IN or login is None:
        return LoginRequiredError(redirect_uri=redirect_uri)
    if step is Need.CONSENT:
        return ConsentRequiredError(redirect_uri=redirect_uri)
    return InteractionRequiredError(redirect_uri=redirect_uri)
