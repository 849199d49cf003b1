"""Protocol routes: discovery, keys, authorize, token, userinfo, revocation, introspection."""

from __future__ import annotations

from typing import Any

from authlib.oauth2 import OAuth2Error
from authlib.oidc.core.errors import LoginRequiredError
from flask import Blueprint, Response, jsonify, redirect
from werkzeug.wrappers import Response as BaseResponse

from ..db import get_session
from ..oauth import get_server
from ..oauth.discovery import provider_metadata
from ..oauth.openid import issuer, key_ring
from ..oauth.responses import authorization_error, authorization_response
from . import interaction

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
    """Authorization endpoint (RFC 6749 §3.1, OpenID Connect Core §3.1.2)."""
    login = interaction.current_login()
    user = interaction.grant_user(login)
    try:
        grant = get_server().get_consent_grant(end_user=user)
    except OAuth2Error as error:
        return authorization_error(error)
    if user is None or interaction.login_needed(grant, login):
        # Core §3.1.2.1: with prompt=none the OP must not show a login page.
        if "none" in (grant.request.payload.data.get("prompt") or "").split():
            return authorization_error(LoginRequiredError(redirect_uri=grant.redirect_uri))
        return redirect(interaction.start(grant))
    try:
        params = grant.create_authorization_response(grant.redirect_uri, user)
    except OAuth2Error as error:
        error.redirect_uri = grant.redirect_uri
        return authorization_error(error)
    interaction.record_use(user, grant.request.client)
    get_session().commit()
    return authorization_response(grant, params)


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
