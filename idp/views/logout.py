"""Signing out: RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), and the
Leerlingloket's "Afmelden", which posts here too.

Only this browser's own session is ever ended. An app's `id_token_hint` that names exactly
that session (its `sid` and, for the app, its `sub`) ends it at once; anything else (no
hint, a hint of another pupil's or an older session, only `client_id`) ends it only after
the pupil confirms, because on a shared tablet the session may be someone else's by now
(§2, §6). Without a session there is nothing to confirm.
"""

from __future__ import annotations

from typing import Any

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from .. import interactions
from ..models import LoginSession
from ..oauth import get_server
from ..oauth.logout import end_session_everywhere
from ..oauth.openid import issuer
from ..oauth.subjects import pairwise_subject
from ..security_headers import allow_form_target

blueprint = Blueprint("logout", __name__)


def _confirmed() -> bool:
    # The answer counts only from our own form (a forced logout is a nuisance, §6).
    if request.method != "POST" or request.form.get("confirm") != "yes":
        return False
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        return False
    return True


def _names_this_session(logout_request: Any, login: LoginSession) -> bool:
    """Whether the app's ID token was issued in this very session, for this very pupil."""
    claims = logout_request.id_token_claims
    client = logout_request.client
    if not claims or client is None or claims.get("sid") != login.sid:
        return False
    # Signed with the same keys, a logout token (it carries `events`) is no ID token.
    if claims.get("iss") != issuer() or "events" in claims:
        return False
    subject = pairwise_subject(client.sector_identifier, login.account.person)
    return bool(claims.get("sub") == subject)


@blueprint.route("/logout", methods=["GET", "POST"])
def end_session() -> Any:
    """End the pupil's LeerID session and tell every app of it (back-channel)."""
    try:
        logout_request = get_server().validate_endpoint_request("end_session")
    except OAuth2Error as error:
        # §4: on an error the OP must not redirect.
        return render_template("logout.html", state="error", detail=error.description), 400
    login = interactions.current_login()
    if login is not None and not _names_this_session(logout_request, login):
        if not _confirmed():
            if logout_request.redirect_uri:
                # The confirmation form leads on to the app.
                allow_form_target(logout_request.redirect_uri)
            return render_template(
                "logout.html",
                state="confirm",
                params=request.values,
                account=login.account,
                client=logout_request.client,
            )
    if login is not None:
        timeout = current_app.config["LEERID"]["tokens"]["backchannel_logout_timeout"]
        end_session_everywhere(login, timeout)
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    if logout_request.redirect_uri:
        return redirect(logout_request.redirect_uri, code=302)
    return render_template("logout.html", state="done")
