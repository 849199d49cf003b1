"""The app's pages: start, sign in with LeerID, the callback, logout and the back channel."""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Any

from authlib.integrations.flask_client import OAuthError
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from joserfc.errors import JoseError
from joserfc.jwk import KeySetSerialization
from werkzeug.wrappers import Response as BaseResponse

from .backchannel import EndedSessions, LogoutTokenError, verify_logout_token
from .claims import rows
from .settings import Settings

log = logging.getLogger(__name__)
blueprint = Blueprint("rekenrally", __name__)
ENDED = "rekenrally.ended_sessions"


def _leerid() -> Any:
    """Authlib's client for LeerID (untyped)."""
    return current_app.extensions["authlib.integrations.flask_client"].leerid


def _settings() -> Settings:
    settings: Settings = current_app.config["REKENRALLY"]
    return settings


def _url(endpoint: str) -> str:
    # From the configured address, not the Host header: it must match the registration.
    return _settings().app_url + url_for(endpoint)


def ended_sessions() -> EndedSessions:
    """The sids LeerID ended through the back channel."""
    ended: EndedSessions = current_app.extensions[ENDED]
    return ended


@blueprint.before_app_request
def forget_ended_session() -> None:
    """A LeerID session that ended (back channel) ends the app's session for it too."""
    if session.get("sid") and session["sid"] in ended_sessions():
        session.clear()


@blueprint.get("/")
def index() -> str:
    """The start page; with a signed-in pupil, the claims the app received."""
    pupil = session.get("pupil")
    if pupil is None:
        return render_template("index.html", pupil=None)
    return render_template(
        "index.html",
        pupil=pupil,
        id_token_rows=rows(pupil["id_token_claims"]),
        userinfo_rows=rows(pupil["userinfo"]),
        csrf_token=session.get("csrf_token", ""),
    )


@blueprint.get("/login")
def login() -> BaseResponse:
    """Send the pupil to LeerID; Authlib adds state, nonce and the PKCE challenge."""
    response: BaseResponse = _leerid().authorize_redirect(
        _url(".callback"), response_mode=_settings().response_mode
    )
    return response


@blueprint.route("/callback", methods=["GET", "POST"])
def callback() -> BaseResponse | tuple[str, int]:
    """The authorization response (query or form_post): no CSRF token, `state` protects it."""
    # RFC 9207 §2.4: LeerID names itself in every response; another `iss` means a mix-up.
    if request.values.get("iss") != _settings().issuer:
        return render_template("error.html", detail="onbekende uitgever (iss)"), 400
    if request.values.get("error"):
        # Only an answer to a sign-in this browser started (its `state`) may put words on
        # the page: else a link could show pupils any message in the app's name.
        state = request.values.get("state", "")
        integration = _leerid().framework
        if not state or integration.get_state_data(session, state) is None:
            return render_template("error.html", detail="onbekende aanmelding (state)"), 400
        integration.clear_state_data(session, state)
        detail = request.values.get("error_description") or request.values["error"]
        return render_template("error.html", detail=detail), 400
    try:
        token = _leerid().authorize_access_token()
        userinfo = _leerid().userinfo(token=token)
    except (OAuthError, JoseError, OSError) as error:
        # OSError covers requests' errors: LeerID unreachable or answering with an error.
        log.warning("sign-in failed: %s", error)
        return render_template("error.html", detail=str(error)), 400
    id_claims = dict(token["userinfo"])
    # A fresh session for a fresh sign-in (session fixation).
    session.clear()
    session["pupil"] = {"id_token_claims": id_claims, "userinfo": dict(userinfo)}
    session["id_token"] = token["id_token"]
    session["sid"] = id_claims.get("sid")
    session["csrf_token"] = secrets.token_urlsafe(16)
    return redirect(url_for(".index"), code=303)


@blueprint.post("/logout")
def logout() -> BaseResponse:
    """End the app's session and LeerID's (RP-Initiated Logout 1.0, with id_token_hint)."""
    expected = session.get("csrf_token", "")
    if not expected or not hmac.compare_digest(request.form.get("csrf_token", ""), expected):
        abort(400, "Deze afmeldknop hoort niet bij je sessie.")
    id_token = session.get("id_token")
    session.clear()
    response: BaseResponse = _leerid().logout_redirect(
        post_logout_redirect_uri=_url(".logged_out"), id_token_hint=id_token
    )
    return response


@blueprint.get("/afgemeld")
def logged_out() -> str | BaseResponse:
    """Where LeerID sends the pupil back after logout; `state` shows it was our request."""
    try:
        _leerid().validate_logout_response()
    except OAuthError:
        return redirect(url_for(".index"))
    return render_template("logged_out.html")


@blueprint.post("/backchannel-logout")
def backchannel_logout() -> Response | tuple[Response, int]:
    """Back-Channel Logout 1.0 §2.5: LeerID posts a logout token when a session ends."""
    settings = _settings()
    token = request.form.get("logout_token", "")
    try:
        claims = verify_logout_token(
            token, _jwks, issuer=settings.issuer, client_id=settings.client_id
        )
    except (JoseError, LogoutTokenError) as error:
        log.warning("logout token refused: %s", error)
        # §2.8: 400 with an OAuth error; nothing is cached.
        body = jsonify(error="invalid_request", error_description=str(error))
        body.headers["Cache-Control"] = "no-store"
        return body, 400
    ended_sessions().end(claims["sid"])
    response = Response(status=200)
    response.headers["Cache-Control"] = "no-store"
    return response


def _jwks(refresh: bool) -> KeySetSerialization:
    # Authlib caches the key set; `refresh` fetches it again after a key rotation.
    jwks: KeySetSerialization = _leerid().fetch_jwk_set(force=refresh)
    return jwks
