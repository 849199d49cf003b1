"""Signing out: RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0)."""

from __future__ import annotations

from typing import Any

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from ..oauth import get_server
from ..oauth.logout import end_session_everywhere, session_by_sid
from . import interaction

blueprint = Blueprint("logout", __name__)


def _confirmed() -> bool:
    # Without a valid id_token_hint a logout could be forced by any page (§6): ask first,
    # and accept the answer only from our own form.
    if request.method != "POST" or request.form.get("confirm") != "yes":
        return False
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        return False
    return True


@blueprint.route("/logout", methods=["GET", "POST"])
def end_session() -> Any:
    """End the pupil's LeerID session and tell every app of it (back-channel)."""
    server = get_server()
    try:
        logout_request = server.validate_endpoint_request("end_session")
    except OAuth2Error as error:
        # §4: on an error the OP must not redirect.
        return render_template("logout.html", state="error", detail=error.description), 400
    if logout_request.needs_confirmation and not _confirmed():
        return render_template("logout.html", state="confirm", params=request.values)
    claims = logout_request.id_token_claims or {}
    login = session_by_sid(claims.get("sid")) or interaction.current_login()
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
