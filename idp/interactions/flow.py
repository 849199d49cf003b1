"""From a waiting request to the app's answer: which page comes next, the SSO session a
sign-in opens, and the way back to the authorization endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, g, session, url_for
from flask_babel import get_locale

from ..db import get_session
from ..i18n import preferred_language
from ..models import Account, AccountKind, Client, Interaction, LoginSession
from ..oauth.grants import GrantUser
from ..oauth.hints import hinted_subject
from ..oauth.subjects import pairwise_subject
from ..services.sso import find_login_session, is_open, record_client, start_login_session
from .needs import Need, need
from .store import end

SSO_KEY = "sso"


def current_login() -> LoginSession | None:
    """The browser's live SSO session, looked up once per request."""
    if "login_session" not in g:
        g.login_session = find_login_session(get_session(), session.get(SSO_KEY))
    login: LoginSession | None = g.login_session
    return login


def login_for(interaction: Interaction | None) -> LoginSession | None:
    """The SSO session a request continues with: the one its interaction was finished with
    (another tab may have signed someone else in meanwhile), else the browser's."""
    finished = interaction.login_session if interaction is not None else None
    if finished is not None and is_open(finished):
        return finished
    return current_login()


def next_step(
    data: Mapping[str, Any],
    login: LoginSession | None,
    interaction: Interaction | None,
    client: Client,
) -> Need | None:
    """What the request of `client` still needs (interactions.needs), its id_token_hint
    read: InvalidRequestError when the hint is not one of ours for this app."""
    hinted = hinted_subject(data.get("id_token_hint"), client.client_id)
    someone_else = (
        hinted is not None
        and login is not None
        and hinted != pairwise_subject(client.sector_identifier, login.account.person)
    )
    return need(data, login, interaction, someone_else=someone_else)


def grant_user(login: LoginSession | None) -> GrantUser | None:
    """The pupil on whose behalf a code may be issued, if the session allows it."""
    if login is None or login.account.status != "active":
        return None
    return GrantUser(login.account, login)


def step_url(step: Need, interaction: Interaction, data: Mapping[str, Any]) -> str:
    """The page where the pupil takes the step, in the language the app asked for."""
    language = preferred_language(str(data.get("ui_locales") or ""))
    endpoint = "login.consent" if step is Need.CONSENT else "login.form"
    return url_for(endpoint, interaction=interaction.key, lang=language)


def resume_url(interaction: Interaction) -> str:
    """Back to the authorization endpoint, which answers the waiting request."""
    return url_for("oidc.authorize", interaction=interaction.key, _external=True)


def finish_login(account: Account, interaction: Interaction, amr: list[str]) -> None:
    """Open a fresh SSO session for the account and commit it. The waiting request
    continues with it: its interaction says so, uncommitted, for `views.oidc.answer`, which
    usually ends it (and then nothing about it needs writing). A sign-in for the
    Leerlingloket has no waiting request: its interaction is over."""
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
    # A new login gets a new session cookie: nothing from before survives (fixation).
    language = session.get("lang")
    session.clear()
    session[SSO_KEY] = secret
    if language:
        session["lang"] = language
    g.login_session = login
    if interaction.request is None:
        end(interaction)
        get_session().commit()
        return
    get_session().commit()
    confirm(interaction, login, fresh=True)


def confirm(interaction: Interaction, login: LoginSession, *, fresh: bool = False) -> None:
    """The waiting request continues with `login`: a sign-in just now (`fresh`), or the
    live session after "Yes, that is me". Not committed: see `finish_login`."""
    interaction.login_session = login
    # The column too: it is read before any flush (views.oidc.answer does not autoflush).
    interaction.login_session_id = login.id
    interaction.fresh = fresh


def record_use(user: GrantUser, client: Client) -> None:
    """Remember the app in the SSO session (for back-channel logout and the portal)."""
    record_client(get_session(), user.login, client)
