"""Between the protocol and the login screens: when must the pupil sign in, and how the
authorization request waits meanwhile (kept in the signed session cookie)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from flask import current_app, g, session, url_for
from flask_babel import get_locale

from ..db import get_session
from ..hashing import new_secret
from ..models import Account, AccountKind, Client, LoginSession
from ..oauth.grants import GrantUser
from ..services.sso import find_login_session, record_client, start_login_session

SSO_KEY = "sso"
PENDING_KEY = "pending"
DONE_KEY = "signed_in_for"
MAX_PENDING = 3  # authorization requests waiting for a login, per browser


def current_login() -> LoginSession | None:
    """The browser's live SSO session, looked up once per request."""
    if "login_session" not in g:
        g.login_session = find_login_session(get_session(), session.get(SSO_KEY))
    login: LoginSession | None = g.login_session
    return login


def grant_user(login: LoginSession | None) -> GrantUser | None:
    """The pupil on whose behalf a code may be issued, if the session allows it."""
    if login is None or login.account.status != "active":
        return None
    return GrantUser(login.account, login)


def login_needed(grant: Any, login: LoginSession | None) -> bool:
    """Whether the pupil must (again) sign in before this request can be answered."""
    if login is None:
        return True
    data = grant.request.payload.data
    if _just_signed_in(data.get("interaction")):
        return False
    prompts = (data.get("prompt") or "").split()
    if "login" in prompts:
        return True
    max_age = data.get("max_age")
    # OpenID Connect Core §3.1.2.1: max_age bounds the time since the last active login.
    if max_age and max_age.isdigit() and time.time() - login.auth_time.timestamp() > int(max_age):
        return True
    hint = (data.get("login_hint") or "").strip().lower()
    if hint and hint != login.account.username:
        return True
    # Basic accounts live on shared classroom tablets: before an app gets the account, the
    # pupil confirms who they are ("Ben jij dit niet?"). prompt=none shows nothing (§3.1.2.1).
    return login.account.kind is AccountKind.BASIC and "none" not in prompts


def _just_signed_in(interaction: str | None) -> bool:
    if not interaction or session.get(DONE_KEY) != interaction:
        return False
    session.pop(DONE_KEY)
    return True


def start(grant: Any) -> str:
    """Park the authorization request and return the login page URL for it."""
    key = new_secret(12)
    pending = dict(session.get(PENDING_KEY, {}))
    pending[key] = [
        (name, value)
        for name, values in grant.request.payload.datalist.items()
        if name != "interaction"
        for value in values
    ]
    session[PENDING_KEY] = dict(list(pending.items())[-MAX_PENDING:])
    data = grant.request.payload.data
    extra: dict[str, Any] = {"interaction": key}
    if data.get("login_hint"):
        extra["login_hint"] = data["login_hint"]
    if data.get("ui_locales"):
        extra["lang"] = data["ui_locales"].split()[0].split("-")[0]
    return url_for("login.form", **extra)


def finish_login(account: Account, interaction: str | None, amr: list[str]) -> str:
    """Open a fresh SSO session for the account; return where the browser goes next."""
    tokens = current_app.config["LEERID"]["tokens"]
    # Young pupils share classroom tablets: their session ends sooner.
    basic = account.kind is AccountKind.BASIC
    lifetime = tokens["sso_session_lifetime_basic" if basic else "sso_session_lifetime"]
    login, secret = start_login_session(
        get_session(),
        account,
        amr=amr,
        acr="urn:leerid:password",
        lifetime=lifetime,
        locale="en" if get_locale().language == "en" else "nl-BE",
    )
    pending = dict(session.get(PENDING_KEY, {}))
    waiting = pending.pop(interaction, None) if interaction else None
    # A new login gets a new session cookie: nothing from before survives (fixation).
    language = session.get("lang")
    session.clear()
    session[SSO_KEY] = secret
    if language:
        session["lang"] = language
    if pending:
        session[PENDING_KEY] = pending
    g.login_session = login
    if waiting is None or interaction is None:
        return url_for("portal.home")
    return _resumed(interaction, waiting)


def resume(interaction: str) -> str | None:
    """Continue a parked request with the live session, once the pupil confirmed who they
    are; None when no such request waits."""
    pending = dict(session.get(PENDING_KEY, {}))
    waiting = pending.pop(interaction, None)
    if waiting is None:
        return None
    session[PENDING_KEY] = pending
    return _resumed(interaction, waiting)


def _resumed(interaction: str, waiting: list[tuple[str, str]]) -> str:
    session[DONE_KEY] = interaction
    return url_for("oidc.authorize") + "?" + urlencode([*waiting, ("interaction", interaction)])


def record_use(user: GrantUser, client: Client) -> None:
    """Remember the app in the SSO session (for back-channel logout and the portal)."""
    record_client(get_session(), user.login, client)
