"""Protocol routes: discovery, keys, authorize, token, userinfo, revocation, introspection."""

from __future__ import annotations

from typing import Any

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from flask import Blueprint, Response, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from .. import interactions
from ..db import get_session
from ..models import Interaction
from ..oauth import get_server, query_client
from ..oauth.checks import MAX_STATE, check_authorization_request
from ..oauth.discovery import provider_metadata
from ..oauth.openid import issuer, key_ring
from ..oauth.parked import ParkedRequest
from ..oauth.responses import authorization_error, authorization_response

blueprint = Blueprint("oidc", __name__)


@blueprint.get("/.well-known/openid-configuration")
def discovery() -> Response:
    """OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3)."""
    response = jsonify(provider_metadata(issuer()))
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@blueprint.get("/jwks")
def jwks() -> Response:
    """The public signing keys; cached briefly so rotations reach apps quickly."""
    response = jsonify(key_ring().jwks())
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@blueprint.route("/authorize", methods=["GET", "POST"])
def authorize() -> Any:
    """Authorization endpoint (RFC 6749 §3.1, OpenID Connect Core §3.1.2).

    A request that needs the pupil waits in an interaction (idp.interactions) and comes back
    here as `/authorize?interaction=<key>` once the sign-in pages are done with it.
    """
    if request.method == "POST":
        return _park_posted()
    waiting = None
    if "interaction" in request.args:
        waiting = interactions.find(request.args["interaction"])
        if waiting is None or waiting.request is None:
            return render_template("interaction_expired.html"), 400
    return answer(waiting)


def answer(waiting: Interaction | None) -> Any:
    """Answer an authorization request: this GET's own, or the one `waiting` in an
    interaction. The sign-in pages call this once the pupil is done, so that the app gets
    its answer in that very response, without a round trip through /authorize.

    Returns a redirect to the next sign-in step, the code (or an exact OAuth error) for
    the app by its response mode, or an error page when the app could not be verified.
    """
    # Nothing read here depends on what is pending (the interaction's last step, the
    # code): it is written at the commit, and the step of an interaction that this answer
    # ends is then not written at all, only the interaction's deletion.
    with get_session().no_autoflush:
        return _answer(waiting)


def _answer(waiting: Interaction | None) -> Any:
    login = interactions.login_for(waiting)
    user = interactions.grant_user(login)
    parked = (
        ParkedRequest(interactions.resume_url(waiting), waiting.parameters())
        if waiting is not None
        else None
    )
    try:
        grant = get_server().get_consent_grant(request=parked, end_user=user)
        data, client = grant.request.payload.data, grant.request.client
        check_authorization_request(data, grant.redirect_uri)
    except OAuth2Error as error:
        return _refuse(error, waiting)
    try:
        step = interactions.next_step(data, login, waiting, client)
    except OAuth2Error as error:
        error.redirect_uri = grant.redirect_uri
        return _refuse(error, waiting)
    if step is not None or user is None:
        step = step or interactions.Need.SIGN_IN
        if "none" in interactions.prompts(data):
            # Core §3.1.2.1: with prompt=none the OP shows nothing.
            return _refuse(interactions.silent_error(step, login, grant.redirect_uri), waiting)
        waiting = waiting or interactions.park(client, _parameters(grant))
        get_session().commit()
        return redirect(interactions.step_url(step, waiting, data))
    try:
        params = grant.create_authorization_response(grant.redirect_uri, user)
    except OAuth2Error as error:
        error.redirect_uri = grant.redirect_uri
        return _refuse(error, waiting)
    interactions.record_use(user, client)
    if waiting is not None:
        interactions.end(waiting)
    get_session().commit()
    return authorization_response(grant, params)


def _park_posted() -> Any:
    """Core §3.1.2.1: a POSTed request is as valid as a GET. Posted from the app's site it
    carries no SameSite=Lax cookie, so the SSO session would look absent (and prompt=none
    fail, and a new session cookie overwrite the pupil's): park it as it came and go on as a
    top-level GET, which carries the cookie and where every check runs on it."""
    client = query_client(request.form.get("client_id", ""))
    redirect_uri = request.form.get("redirect_uri", "")
    if client is None or not client.check_redirect_uri(redirect_uri):
        # RFC 6749 §4.1.2.1: without a verified client and redirect URI, nobody is redirected.
        return authorization_error(InvalidRequestError("unknown client or redirect_uri"))
    try:
        # What can be judged without the session, before anything is stored.
        check_authorization_request(request.form, redirect_uri)
    except OAuth2Error as error:
        return _refuse(error, None)
    posted = interactions.park(client, list(request.form.items(multi=True)), bind=False)
    get_session().commit()
    return redirect(interactions.resume_url(posted), code=303)


def _parameters(grant: Any) -> list[tuple[str, str]]:
    """The request's parameters as (name, value) pairs, repeated names kept."""
    return [
        (name, value) for name, values in grant.request.payload.datalist.items() for value in values
    ]


def _refuse(error: OAuth2Error, waiting: Interaction | None) -> Any:
    """Answer with the error (to the app when its redirect URI was verified); a waiting
    request is over."""
    get_session().rollback()
    data = waiting.parameters() if waiting is not None else list(request.values.items(multi=True))
    state = dict(data).get("state")
    # Echoed unless it is the very thing that was refused for its length.
    error.state = state if state and len(state) <= MAX_STATE else None
    if waiting is not None:
        interactions.end(waiting)
        get_session().commit()
    return authorization_error(error, dict(data))


def _endpoint(name: str) -> BaseResponse:
    response: BaseResponse = get_server().create_endpoint_response(name)
    _finish(response)
    return response


def _finish(response: BaseResponse) -> None:
    # Success commits the request's changes; a refusal rolls back all but revocations,
    # which the grants commit themselves.
    if response.status_code < 400:
        get_session().commit()
    else:
        get_session().rollback()
    response.headers["Cache-Control"] = "no-store"


@blueprint.post("/token")
def token() -> BaseResponse:
    """Token endpoint (RFC 6749 §3.2)."""
    response: BaseResponse = get_server().create_token_response()
    _finish(response)
    return response


@blueprint.route("/userinfo", methods=["GET", "POST"])
def userinfo() -> BaseResponse:
    """UserInfo endpoint (OpenID Connect Core §5.3)."""
    return _endpoint("userinfo")


@blueprint.post("/revoke")
def revoke() -> BaseResponse:
    """Token revocation (RFC 7009)."""
    return _endpoint("revocation")


@blueprint.post("/introspect")
def introspect() -> BaseResponse:
    """Token introspection (RFC 7662)."""
    return _endpoint("introspection")
